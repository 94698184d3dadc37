import BinlogFormat
import BinlogIO
import SluiceTestSupport
import XCTest

@testable import BinlogSchema

/// The MariaDB fixtures ran the same workload with binlog_row_metadata=MINIMAL and FULL: with the
/// DDL replayed from the binlog, every MINIMAL table map must get the names and primary key the
/// FULL one carries at the same point.
final class MariaDBFixtureSchemaTests: XCTestCase {
  func testMinimalMapsGetTheNamesAndKeysOfTheFullSet() throws {
    let tracker = SchemaTracker()
    var issues: [String] = []
    tracker.onIssue = { issues.append("\($0.position): \($0.outcome) \($0.sql.prefix(120))") }
    let minimal = try walkEnriched(try TestPaths.requireFixtureSet("mariadb-10.11-minimal"), tracker: tracker)
    let full = try walkEnriched(try TestPaths.requireFixtureSet("mariadb-10.11"))
    XCTAssertGreaterThan(minimal.count, 100)

    // Pair the n-th map of a table in a file with the n-th map of that table in the same FULL file.
    var fullByKey: [String: [SeenMap]] = [:]
    for m in full { fullByKey[m.file + " " + m.key, default: []].append(m) }
    var used: [String: Int] = [:]
    var compared = 0
    for m in minimal {
      let k = m.file + " " + m.key
      let n = used[k, default: 0]
      used[k] = n + 1
      guard let candidates = fullByKey[k], n < candidates.count else {
        XCTFail("\(m.file):\(m.offset) \(m.key): no FULL counterpart")
        continue
      }
      let f = candidates[n]
      XCTAssertTrue(f.map.hasColumnNames)
      XCTAssertEqual(m.names, f.names, "\(m.file):\(m.offset) \(m.key) names")
      XCTAssertEqual(m.pk, f.pk, "\(m.file):\(m.offset) \(m.key) primary key")
      XCTAssertEqual(m.map.columns.map(\.visible), f.map.columns.map(\.visible), "\(m.file):\(m.offset) \(m.key) visibility")
      for (i, (a, b)) in zip(m.map.columns, f.map.columns).enumerated() {
        XCTAssertEqual(a.enumValues, b.enumValues, "\(m.file):\(m.offset) \(m.key) column \(i + 1) ENUM labels")
        XCTAssertEqual(a.setValues, b.setValues, "\(m.file):\(m.offset) \(m.key) column \(i + 1) SET members")
        XCTAssertEqual(a.unsigned, b.unsigned, "\(m.file):\(m.offset) \(m.key) column \(i + 1) signedness")
      }
      compared += 1
    }
    XCTAssertEqual(compared, minimal.count)
    XCTAssertEqual(tracker.mismatches.map(\.description), [])
    XCTAssertEqual(tracker.positionalMaps, 0)
    XCTAssertEqual(issues, [])
  }

  /// The FULL set's names and types agree with the timeline too (reconciled as if MINIMAL).
  func testFullSetAgreesWithTheReplayedSchema() throws {
    let tracker = SchemaTracker()
    for p in try TestPaths.requireFixtureSet("mariadb-10.11") {
      let input = try BinlogInput(path: p)
      var walker = BinlogWalker(source: input)
      try walker.run { w, ev in
        tracker.consume(ev, file: w.fileName)
        guard case .tableMap(var map) = ev.body else { return }
        let names = map.columns.map(\.name)
        for i in map.columns.indices { map.columns[i].name = nil }
        let r = tracker.timeline.reconcile(map, at: BinlogPosition(file: w.fileName, offset: ev.raw.offset))
        XCTAssertEqual(r.status, .matched, "\(w.fileName):\(ev.raw.offset) \(map.table): \(r.mismatch?.description ?? "")")
        if let cols = r.columns { XCTAssertEqual(cols.map(\.name), names, "\(w.fileName):\(ev.raw.offset) \(map.table)") }
      }
    }
  }
}
