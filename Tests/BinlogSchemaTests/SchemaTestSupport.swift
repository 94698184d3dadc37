import BinlogFormat
import BinlogSchema
import Foundation
import XCTest

/// A Table_map column for synthesized events: binlog type code and its metadata bytes.
struct MapColumn {
  var type: ColumnType
  var meta: [UInt8] = []
  var nullable = true

  static func long() -> MapColumn { MapColumn(type: .long) }
  static func longlong() -> MapColumn { MapColumn(type: .longlong) }
  static func tiny() -> MapColumn { MapColumn(type: .tiny) }
  static func varchar(_ bytes: Int) -> MapColumn { MapColumn(type: .varchar, meta: [UInt8(bytes & 0xFF), UInt8(bytes >> 8)]) }
  /// CHAR(n bytes): real type STRING in the first metadata byte, length in the second.
  static func char(_ bytes: Int) -> MapColumn {
    MapColumn(type: .string, meta: [UInt8(0xFE ^ ((bytes & 0x300) >> 4)), UInt8(bytes & 0xFF)])
  }
  static func enumeration(_ pack: Int) -> MapColumn { MapColumn(type: .string, meta: [0xF7, UInt8(pack)]) }
  static func set(_ pack: Int) -> MapColumn { MapColumn(type: .string, meta: [0xF8, UInt8(pack)]) }
  static func decimal(_ p: Int, _ s: Int) -> MapColumn { MapColumn(type: .newdecimal, meta: [UInt8(p), UInt8(s)]) }
  static func blob(_ pack: Int) -> MapColumn { MapColumn(type: .blob, meta: [UInt8(pack)]) }
  static func datetime2(_ fsp: Int) -> MapColumn { MapColumn(type: .datetime2, meta: [UInt8(fsp)]) }
  static func timestamp2(_ fsp: Int) -> MapColumn { MapColumn(type: .timestamp2, meta: [UInt8(fsp)]) }
  static func json() -> MapColumn { MapColumn(type: .json, meta: [4]) }
  static func bit(_ n: Int) -> MapColumn { MapColumn(type: .bit, meta: [UInt8(n % 8), UInt8(n / 8)]) }
  static func double() -> MapColumn { MapColumn(type: .double, meta: [8]) }
  static func date() -> MapColumn { MapColumn(type: .date) }
}

/// Builds a Table_map event (no optional metadata, i.e. binlog_row_metadata=MINIMAL on MySQL 5.7)
/// and decodes it with the real parser.
func makeTableMap(_ db: String, _ table: String, _ cols: [MapColumn], tableID: UInt64 = 42) throws -> TableMapEvent {
  var body: [UInt8] = []
  for k in 0..<6 { body.append(UInt8(truncatingIfNeeded: tableID >> (8 * UInt64(k)))) }
  body += [1, 0]
  body.append(UInt8(db.utf8.count))
  body += Array(db.utf8) + [0]
  body.append(UInt8(table.utf8.count))
  body += Array(table.utf8) + [0]
  precondition(cols.count < 251)
  body.append(UInt8(cols.count))
  body += cols.map(\.type.rawValue)
  let meta = cols.flatMap(\.meta)
  body.append(UInt8(meta.count))
  body += meta
  var nulls = [UInt8](repeating: 0, count: (cols.count + 7) / 8)
  for (i, c) in cols.enumerated() where c.nullable { nulls[i / 8] |= 1 << UInt8(i % 8) }
  body += nulls
  var header: [UInt8] = [0, 0, 0, 0, 19, 1, 0, 0, 0]
  let size = UInt32(19 + body.count)
  for k in 0..<4 { header.append(UInt8(truncatingIfNeeded: size >> (8 * UInt32(k)))) }
  header += [0, 0, 0, 0, 0, 0]
  let bytes = header + body
  let format = FormatDescription(
    binlogVersion: 4, serverVersion: "5.7.30-log", createTimestamp: 0, headerLength: 19, postHeaderLengths: [], checksum: .none)
  return try bytes.withUnsafeBytes { raw in
    let ev = RawEvent(offset: 4, header: EventHeader(v4: raw), bytes: raw, headerLength: 19, checksumLength: 0)
    return try TableMapEvent(event: ev, format: format)
  }
}

/// Parses one statement with `db` as the current database.
func parse(_ sql: String, db: String = "test", flavor: FormatDescription.Flavor = .mysql) -> DDLStatement {
  DDLParser.parse(sql, context: DDLParser.Context(database: db, flavor: flavor))
}

/// The CreateTable of a statement that must parse as CREATE TABLE.
func createTable(
  _ sql: String, db: String = "test", flavor: FormatDescription.Flavor = .mysql, file: StaticString = #filePath,
  line: UInt = #line
) -> CreateTable? {
  let s = parse(sql, db: db, flavor: flavor)
  guard case .createTable(let c) = s else {
    XCTFail("not a CREATE TABLE: \(s)", file: file, line: line)
    return nil
  }
  return c
}

/// The actions of a statement that must parse as ALTER TABLE.
func alterActions(
  _ sql: String, db: String = "test", flavor: FormatDescription.Flavor = .mysql, file: StaticString = #filePath,
  line: UInt = #line
) -> (TableName, [AlterAction])? {
  let s = parse(sql, db: db, flavor: flavor)
  guard case .alterTable(let t, let a) = s else {
    XCTFail("not an ALTER TABLE: \(s)", file: file, line: line)
    return nil
  }
  return (t, a)
}

/// A timeline with `sql` statements applied in order (positions f:100, f:200, ...).
func timeline(_ statements: [String], db: String = "test", flavor: FormatDescription.Flavor = .mysql) -> SchemaTimeline {
  var t = SchemaTimeline(flavor: flavor, style: flavor == .mariadb ? .mariadb : .mysql57)
  for (k, s) in statements.enumerated() {
    t.apply(sql: Array(s.utf8), database: db, at: BinlogPosition(file: "binlog.000001", offset: UInt64(100 * (k + 1))))
  }
  return t
}
