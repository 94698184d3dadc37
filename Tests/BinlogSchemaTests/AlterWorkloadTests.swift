import BinlogFormat
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogSchema

/// Data/alter-workload: a live MariaDB 10.11 ran ALTERs (add/drop/reorder/rename columns, type and
/// key changes, CONVERT TO CHARACTER SET, RENAME TABLE, CREATE LIKE, DROP and re-CREATE) between
/// DML, once with binlog_row_metadata=MINIMAL and once with FULL (generate.sh). Given only the
/// schema dump taken before the workload, every MINIMAL table map must carry the names, key and
/// labels the FULL one has at the same point.
final class AlterWorkloadTests: XCTestCase {
  static let dir = TestPaths.packageRoot + "/Tests/BinlogSchemaTests/Data/alter-workload"

  func files(_ mode: String) throws -> [String] {
    let d = Self.dir + "/" + mode
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: d), !names.isEmpty else {
      throw XCTSkip("\(d) not found")
    }
    return names.filter { $0.hasPrefix("binlog.") }.sorted().map { d + "/" + $0 }
  }

  func pairs(_ minimal: [SeenMap], _ full: [SeenMap]) -> [(SeenMap, SeenMap?)] {
    var used: [String: Int] = [:]
    return minimal.map { m in
      let n = used[m.key, default: 0]
      used[m.key] = n + 1
      let same = full.filter { $0.key == m.key }
      return (m, n < same.count ? same[n] : nil)
    }
  }

  func testMinimalWithDumpEqualsFull() throws {
    var timeline = SchemaTimeline(flavor: .mariadb, style: .mariadb)
    let report = try SchemaSnapshot.load(path: Self.dir + "/schema-before.sql", into: &timeline)
    XCTAssertEqual(report.tables, 3)
    XCTAssertEqual(report.issues, [])
    let tracker = SchemaTracker(timeline: timeline)
    let minimal = try walkEnriched(try files("minimal"), tracker: tracker)
    let full = try walkEnriched(try files("full"))
    XCTAssertGreaterThan(minimal.count, 15)
    XCTAssertEqual(minimal.count, full.count)
    for (m, f) in pairs(minimal, full) {
      guard let f else {
        XCTFail("\(m.file):\(m.offset) \(m.key): no FULL counterpart")
        continue
      }
      let at = "\(m.file):\(m.offset) \(m.key)"
      XCTAssertEqual(m.names, f.names, at)
      XCTAssertEqual(m.pk, f.pk, at)
      XCTAssertEqual(m.map.columns.map(\.enumValues), f.map.columns.map(\.enumValues), at)
      XCTAssertEqual(m.map.columns.map(\.setValues), f.map.columns.map(\.setValues), at)
      XCTAssertEqual(m.map.columns.map(\.collation), f.map.columns.map(\.collation), at)
      XCTAssertEqual(m.map.columns.map(\.unsigned), f.map.columns.map(\.unsigned), at)
    }
    XCTAssertEqual(tracker.mismatches.map(\.description), [])
    XCTAssertEqual(tracker.timeline.issues.map(\.sql), [])
    XCTAssertEqual(tracker.positionalMaps, 0)

    // Spot checks of the moments that matter.
    let items = minimal.filter { $0.key == "shop.items" }.map(\.names)
    XCTAssertEqual(items.first, ["id", "name", "qty", "note"])
    XCTAssertTrue(items.contains(["qty", "id", "title", "price"]), "\(items)")
    XCTAssertEqual(items.last, ["qty", "tags", "id", "title", "cost", "kind"])
    XCTAssertEqual(minimal.last { $0.key == "shop.items" }?.pk, ["title", "id"])
    let people = minimal.filter { $0.key == "shop.people" }
    XCTAssertEqual(people.first?.pk, ["email"], "the UNIQUE NOT NULL key is the primary key")
    XCTAssertEqual(people.last?.pk, ["pid"])
    XCTAssertEqual(minimal.last { $0.key == "shop.persons" }?.names, ["joined", "pid", "email", "nick"])
  }

  /// Without the dump the tables the workload only ALTERs stay positional: no guessed names.
  func testMinimalWithoutDumpNamesOnlyWhatItSawCreated() throws {
    let tracker = SchemaTracker()
    let minimal = try walkEnriched(try files("minimal"), tracker: tracker)
    let extra = minimal.filter { $0.key == "shop.extra" }
    for m in minimal where m.key != "shop.extra" {
      XCTAssertTrue(m.names.allSatisfy { $0 == nil }, "\(m.offset) \(m.key) must stay positional")
    }
    // `extra` is first created LIKE an unknown table (positional), then re-created plainly.
    XCTAssertTrue(extra.dropLast().allSatisfy { $0.names.allSatisfy { $0 == nil } })
    XCTAssertEqual(extra.last?.names, ["k", "v"])
    XCTAssertFalse(tracker.timeline.issues.isEmpty, "ALTERs of tables it never saw are reported")
  }

  /// The schema command's view: the dump plus the replayed DDL at a position in the middle.
  func testSchemaAtPositionMidWorkload() throws {
    var timeline = SchemaTimeline(flavor: .mariadb, style: .mariadb)
    _ = try SchemaSnapshot.load(path: Self.dir + "/schema-before.sql", into: &timeline)
    let tracker = SchemaTracker(timeline: timeline)
    _ = try walkEnriched(try files("minimal"), tracker: tracker)
    let drop = try XCTUnwrap(tracker.timeline.records.first { $0.sql.hasPrefix("ALTER TABLE items DROP COLUMN note") })
    let before = tracker.timeline.table(TableName("shop", "items"), at: drop.position)
    XCTAssertEqual(before?.columns.map(\.name), ["id", "name", "price", "qty", "note"])
    let after = tracker.timeline.table(
      TableName("shop", "items"), at: BinlogPosition(file: drop.position.file, offset: drop.position.offset + 1))
    XCTAssertEqual(after?.columns.map(\.name), ["id", "name", "price", "qty"])
    XCTAssertNil(tracker.timeline.table(TableName("shop", "people")))
    XCTAssertEqual(tracker.timeline.table(TableName("shop", "persons"))?.defaultCharset, "latin1")
  }
}
