import BinlogFormat
import BinlogIO
import CanalProtocol
import Exporters
import Foundation
import SluiceTestSupport
import SwiftProtobuf
import XCTest

/// canal-protocol.md §1.5's golden Entries, produced by `EntryMapper` from a binlog built to
/// match them byte for byte: MySQL 5.7 `mysql-bin.000001`, server id 1, every event at
/// 1700000000; BEGIN at 235 (75 bytes, thread 12), an INSERT into test.t1(id int PK,
/// name varchar(10)) of (1,'a') at 365 (50 bytes, table id 90), Xid 42 at 415 (31 bytes).
final class EntryGoldenMapperTests: XCTestCase {
  static let fileHex = "1210" + hex("mysql-bin.000001")
  static let afterOffset = "2001" + "2a05" + hex("UTF-8") + "3080d095ffbc31" + "3802"

  func testSpecGoldenEntriesFromABinlog() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/mysql-bin.000001"
    try Data(SyntheticBinlog.goldenFile()).write(to: URL(fileURLWithPath: path))

    let entries = try mapEntries([path], options: quietOptions(forClients: false))
    XCTAssertEqual(entries.map(\.type), [.transactionbegin, .rowdata, .transactionend])
    XCTAssertEqual(entries.map(\.offset), [235, 365, 415])

    let begin: [UInt8] = try entries[0].mapped.entry().serializedBytes()
    assertBytes(
      begin,
      "0a2b 0801 1210 6d7973716c2d62696e2e303030303031 18eb01 2001 2a05 5554462d38 3080d095ffbc31 3802 504b"
        + " 1001 1a02 200c", "BEGIN entry from the mapper")

    let insertStore =
      "085a 1001 5000 623a 1218 1004 1a026964 2001 2801 3000 420131 5207696e7428313129 121e 0801 100c"
      + " 1a046e616d65 2801 3000 420161 520b7661726368617228313029"
    let insert: [UInt8] = try entries[1].mapped.entry().serializedBytes()
    let headerHex =
      "0801" + Self.fileHex + "18ed02" + Self.afterOffset + "4204" + hex("test") + "4a02" + hex("t1")
      + "5032" + "5801" + "620e 0a09 726f7773436f756e74 1201 31"
    let headerLength = bytes(headerHex).count
    assertBytes(
      insert,
      "0a" + String(headerLength, radix: 16) + headerHex + "1002" + "1a" + String(bytes(insertStore).count, radix: 16)
        + insertStore, "INSERT entry from the mapper")

    let commit: [UInt8] = try entries[2].mapped.entry().serializedBytes()
    let commitHeader = "0801" + Self.fileHex + "189f03" + Self.afterOffset + "501f"
    assertBytes(
      commit, "0a" + String(bytes(commitHeader).count, radix: 16) + commitHeader + "1003" + "1a04" + "12023432",
      "COMMIT entry from the mapper")
  }

  func testGoldenBinlogThroughExporterIsFramedEntries() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/mysql-bin.000001"
    try Data(SyntheticBinlog.goldenFile()).write(to: URL(fileURLWithPath: path))
    let sink = OutputSink.memory()
    let exporter = CanalExporter(sink: sink, options: quietOptions())
    let input = try BinlogInput(path: path)
    var walker = BinlogWalker(source: input)
    try walker.run { w, ev in try exporter.consume(ev, walker: w) }
    try exporter.finish()
    let decoded = try EntryFraming.decodeEntries(sink.captured)
    XCTAssertEqual(decoded.map(\.entryType), [.transactionbegin, .rowdata, .transactionend])
    XCTAssertEqual(exporter.entriesWritten, 3)
    let change = try CanalRowChange(serializedBytes: decoded[1].storeValue)
    XCTAssertEqual(change.rowDatas[0].afterColumns.map(\.value), ["1", "a"])
  }

  func testXAAndStatementEventsOfAMySQLBinlog() throws {
    // MySQL writes XA START/END/COMMIT/ROLLBACK as Query events (MariaDB has no XA START query).
    var f = SyntheticBinlog()
    f.formatDescription()
    func q(_ sql: String) -> [UInt8] { SyntheticBinlog.query(thread: 7, db: "test", sql: sql, status: []) }
    f.append(type: 2, body: q("XA START X'01',X'',1"))
    f.append(type: 2, body: q("XA END X'01',X'',1"))
    f.append(type: 38, body: [0] + SyntheticBinlog.le(1, 4) + SyntheticBinlog.le(1, 4) + SyntheticBinlog.le(0, 4) + [1])
    f.append(type: 2, body: q("XA COMMIT X'01',X'',1"))
    f.append(type: 2, body: q("xa rollback X'02',X'',1"))
    // User variables of a statement-based INSERT: string, real, decimal 0.000000100 (p=10, s=9).
    func userVar(_ name: String, type: UInt8, charset: UInt64, _ value: [UInt8]) -> [UInt8] {
      SyntheticBinlog.le(UInt64(name.utf8.count), 4) + Array(name.utf8) + [0, type] + SyntheticBinlog.le(charset, 4)
        + SyntheticBinlog.le(UInt64(value.count), 4) + value
    }
    f.append(type: 14, body: userVar("s", type: 0, charset: 33, Array("it's".utf8)))
    f.append(type: 14, body: userVar("r", type: 1, charset: 63, SyntheticBinlog.le((1.5).bitPattern, 8)))
    f.append(type: 14, body: userVar("d", type: 4, charset: 63, [10, 9, 0x80, 0, 0, 0, 0x64]))
    f.append(type: 14, body: SyntheticBinlog.le(1, 4) + Array("n".utf8) + [1])
    f.append(type: 2, body: q("INSERT INTO t VALUES (@s, @r, @d, @n)"))
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/mysql-bin.000002"
    try Data(f.bytes).write(to: URL(fileURLWithPath: path))
    let e = try mapEntries([path], options: quietOptions(forClients: false))
    XCTAssertEqual(
      e.map(\.type), [.transactionbegin, .transactionend, .rowdata, .rowdata, .rowdata, .rowdata, .rowdata, .rowdata, .rowdata])
    guard case .begin(let begin) = e[0].mapped.store, case .end(let end) = e[1].mapped.store else {
      return XCTFail("XA START/END entries")
    }
    XCTAssertEqual(begin.threadID, 7)
    XCTAssertEqual(begin.props.map(\.value), ["XA START", " X'01',X'',1"])
    XCTAssertEqual(end.transactionID, "0")
    XCTAssertEqual(end.props.map(\.value), ["XA END", " X'01',X'',1"])
    XCTAssertEqual(e[2].header.eventType, .xacommit)
    XCTAssertEqual(e[2].rowChange!.props.map(\.value), ["XA COMMIT", " X'01',X'',1"])
    // The prefix test ignores case; the XID text is cut at the upper-case keyword only.
    XCTAssertEqual(e[3].header.eventType, .xarollback)
    XCTAssertEqual(e[3].rowChange!.props.map(\.value), ["XA ROLLBACK", ""])
    XCTAssertEqual(
      e[4...7].map { $0.rowChange!.sql }, ["SET @s := 'it's'", "SET @r := 1.5", "SET @d := 1.00E-7", "SET @n := NULL"])
    let insert = e[8]
    XCTAssertEqual(insert.header.eventType, .insert)
    XCTAssertEqual([insert.header.schemaName, insert.header.tableName], ["test", "t"])
    XCTAssertEqual(insert.rowChange!.isDdlPresent, .isDdl(false))
    XCTAssertEqual(insert.rowChange!.ddlSchemaName, "test")
  }

  func testDirectEncodingEqualsSwiftProtobuf() throws {
    var paths = TestPaths.fixtureSet()
    if let json = try? TestPaths.corpusFile("blackbeam__rust_mysql_common/json.binlog.000001") { paths.append(json) }
    var compared = 0
    for p in paths {
      for e in try mapEntries([p], options: quietOptions(forClients: false)) {
        let viaMessage: [UInt8] = try e.mapped.entry().serializedBytes()
        var reference = try e.mapped.entry()
        if let r = e.rowChange { reference.storeValue = try r.serializedBytes() }
        let viaSwiftProtobuf: [UInt8] = try reference.serializedBytes()
        let direct = try e.mapped.serializedEntry()
        if direct != viaSwiftProtobuf || viaMessage != viaSwiftProtobuf {
          return XCTFail("\(e.file):\(e.offset): direct encoding differs from SwiftProtobuf")
        }
        compared += 1
      }
    }
    XCTAssertGreaterThan(compared, 500)
  }
}

/// Builds small binlogs event by event (v4 headers, CRC32 checksums).
struct SyntheticBinlog {
  var bytes: [UInt8] = [0xFE, 0x62, 0x69, 0x6E]
  var timestamp: UInt32 = 1_700_000_000
  var serverID: UInt32 = 1

  mutating func append(type: UInt8, body: [UInt8]) {
    let size = 19 + body.count + 4
    var e: [UInt8] = []
    e += le(UInt64(timestamp), 4)
    e.append(type)
    e += le(UInt64(serverID), 4)
    e += le(UInt64(size), 4)
    e += le(UInt64(bytes.count + size), 4)
    e += le(0, 2)
    e += body
    let crc = e.withUnsafeBytes { CRC32.checksum($0) }
    e += le(UInt64(crc), 4)
    bytes += e
  }

  /// An ignorable event (type 28) that makes the file `offset` bytes long.
  mutating func pad(to offset: Int) {
    let body = offset - bytes.count - 23
    precondition(body >= 0, "cannot pad to \(offset) from \(bytes.count)")
    append(type: 28, body: [UInt8](repeating: 0, count: body))
  }

  /// A MySQL 5.7 Format_description (119 bytes, CRC32).
  mutating func formatDescription(serverVersion: String = "5.7.44-log") {
    var post = [UInt8](repeating: 0, count: 38)
    post[2 - 1] = 13  // Query
    post[4 - 1] = 8  // Rotate
    post[15 - 1] = 95  // Format_description
    post[19 - 1] = 8  // Table_map
    post[29 - 1] = 1  // Rows_query
    for t in 30...32 { post[t - 1] = 10 }  // rows v2
    post[33 - 1] = 42
    post[34 - 1] = 42
    var body: [UInt8] = le(4, 2)
    var v = Array(serverVersion.utf8)
    v += [UInt8](repeating: 0, count: 50 - v.count)
    body += v
    body += le(0, 4)
    body.append(19)
    body += post
    body.append(1)  // CRC32
    append(type: 15, body: body)
  }

  static func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
  func le(_ v: UInt64, _ n: Int) -> [UInt8] { SyntheticBinlog.le(v, n) }

  /// A Query event body (status variables as given).
  static func query(thread: UInt32, db: String, sql: String, status: [UInt8]) -> [UInt8] {
    var b = le(UInt64(thread), 4) + le(0, 4)
    b.append(UInt8(db.utf8.count))
    b += le(0, 2) + le(UInt64(status.count), 2)
    b += status
    b += Array(db.utf8) + [0] + Array(sql.utf8)
    return b
  }

  /// The §1.5 golden file.
  static func goldenFile() -> [UInt8] {
    var f = SyntheticBinlog()
    f.formatDescription()
    // Table_map test.t1 (table id 90): INT, VARCHAR(10) (nullable), names and primary key.
    var map = le(90, 6) + le(1, 2)
    map += [4] + Array("test".utf8) + [0] + [2] + Array("t1".utf8) + [0]
    map += [2, 3, 15]  // 2 columns: LONG, VARCHAR
    map += [2] + le(10, 2)  // metadata: VARCHAR max length 10
    map += [0b10]  // nullable: name
    map += [4, 8, 2] + Array("id".utf8) + [4] + Array("name".utf8)  // COLUMN_NAME
    map += [8, 1, 0]  // SIMPLE_PRIMARY_KEY: column 0
    f.append(type: 19, body: map)
    f.pad(to: 235)
    // BEGIN, thread 12, db test: flags2, sql_mode, catalog "std", charsets, lc_time_names.
    let status: [UInt8] =
      [0] + le(0, 4) + [1] + le(0, 8) + [6, 3] + Array("std".utf8) + [4] + le(33, 2) + le(33, 2) + le(8, 2) + [7] + le(0, 2)
    f.append(type: 2, body: query(thread: 12, db: "test", sql: "BEGIN", status: status))
    precondition(f.bytes.count == 310)
    f.pad(to: 365)
    // Write_rows v2: 8 bytes of extra data, 2 columns, one row (1, 'a').
    var rows = le(90, 6) + le(1, 2) + le(10, 2) + [UInt8](repeating: 0, count: 8)
    rows += [2, 0b11, 0] + le(1, 4) + [1] + Array("a".utf8)
    f.append(type: 30, body: rows)
    precondition(f.bytes.count == 415)
    f.append(type: 16, body: le(42, 8))
    precondition(f.bytes.count == 446)
    return f.bytes
  }
}
