import BinlogFormat
import BinlogIO
import SluiceTestSupport
import XCTest

@testable import BinlogSchema

/// pingcap__tiflow/mysql-bin.000001: MariaDB 10.0.17 with TIMESTAMP(n) columns in MariaDB's pre-10.1
/// hires format. The Table_map gives the old TIMESTAMP type code without the precision, yet each row
/// stores ceil(n/2) fraction bytes after the 4-byte seconds; only the CREATE TABLE in the file says n.
/// `mariadb-binlog -vv` (10.11) stops at the first such rows event, so the expected values come from
/// the row bytes: every row is `INSERT ... VALUES (id, NOW())` with the event's own timestamp
/// (e.g. offset 1838: `01000000` id 1, `62826556` = 1652712790, `0000` fraction of TIMESTAMP(3)).
final class MariaHiresTemporalTests: XCTestCase {
  struct Row: Equatable {
    var table: String
    var id: Int64
    var seconds: Int64
    var micros: Int
    var fsp: Int
  }

  func decodeRows(tracker: SchemaTracker?) throws -> (rows: [Row], errors: [String]) {
    let input = try BinlogInput(path: try TestPaths.corpusFile("pingcap__tiflow/mysql-bin.000001"))
    var walker = BinlogWalker(source: input)
    var rows: [Row] = []
    var errors: [String] = []
    try walker.run { w, ev in
      tracker?.consume(ev, file: w.fileName)
      guard case .rows(let r) = ev.body, let map = tracker?.tableMap(r.tableID) ?? w.tableMaps[r.tableID],
        map.database == "steven"
      else { return }
      do {
        var d = try RowDecoder(event: r, table: map)
        while try d.next() {
          guard case .int(let id) = d.after[0], case .timestamp(let s, let us, let fsp) = d.after[1] else {
            XCTFail("\(ev.raw.offset): unexpected values \(d.after)")
            continue
          }
          if tracker != nil { XCTAssertEqual(s, Int64(ev.raw.header.timestamp), "\(ev.raw.offset): NOW() is the event time") }
          rows.append(Row(table: map.table, id: id, seconds: s, micros: us, fsp: fsp))
        }
      } catch {
        errors.append("\(ev.raw.offset) \(map.table): \(error)")
      }
    }
    return (rows, errors)
  }

  func testDDLReplaySuppliesTheTimestampPrecision() throws {
    let tracker = SchemaTracker()
    let (rows, errors) = try decodeRows(tracker: tracker)
    XCTAssertEqual(errors, [])
    XCTAssertEqual(
      rows,
      [
        Row(table: "t", id: 1, seconds: 1_652_712_790, micros: 0, fsp: 3),  // timestamp(3)
        Row(table: "t1", id: 1, seconds: 1_652_712_947, micros: 0, fsp: 0),  // timestamp
        Row(table: "t2", id: 1, seconds: 1_652_712_997, micros: 0, fsp: 4),  // timestamp(4)
        Row(table: "t3", id: 1, seconds: 1_652_843_095, micros: 0, fsp: 0),  // like t1
        Row(table: "t3", id: 2, seconds: 1_652_843_105, micros: 0, fsp: 0),
        Row(table: "t5", id: 1, seconds: 1_652_843_226, micros: 0, fsp: 1),  // timestamp(1)
        Row(table: "t6", id: 1, seconds: 1_652_843_402, micros: 0, fsp: 4),  // timestamp(4)
      ])
    XCTAssertEqual(tracker.mismatches, [])
    XCTAssertEqual(tracker.positionalMaps, 1, "only mysql.user (no DDL in the file) stays positional")
  }

  /// Without the CREATE TABLE the old type code is read as a plain 4-byte TIMESTAMP, and the
  /// fraction bytes are read as the next row, which runs past the event's end: the event fails.
  func testWithoutSchemaTheFractionalTablesFail() throws {
    let (_, errors) = try decodeRows(tracker: nil)
    XCTAssertEqual(errors.map { $0.split(separator: " ")[1] }, ["t:", "t2:", "t5:", "t6:"], "\(errors)")
    XCTAssertTrue(errors.allSatisfy { $0.contains("row 2") }, "\(errors)")
  }

  /// A table map enriched from `TIMESTAMP(3)` / `DATETIME(6)` / `TIME(2)` definitions.
  func testReconcileMarksOldTemporalTypesHires() throws {
    let t = timeline(["CREATE TABLE h (a TIMESTAMP(3) NULL, b DATETIME(6), c TIME(2), d DATETIME)"], flavor: .mariadb)
    let map = try makeTableMap(
      "test", "h", [MapColumn(type: .timestamp), MapColumn(type: .datetime), MapColumn(type: .time), MapColumn(type: .datetime)])
    let r = t.reconcile(map, at: BinlogPosition(file: "binlog.000001", offset: 1000))
    XCTAssertEqual(r.status, .matched)
    let cols = try XCTUnwrap(r.columns)
    XCTAssertEqual(cols.map(\.mariaHires), [true, true, true, false])
    XCTAssertEqual(cols.map(\.fsp), [3, 6, 2, 0])
  }
}
