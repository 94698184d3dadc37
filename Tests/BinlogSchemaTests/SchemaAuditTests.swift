import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogSchema

/// Counting the Table_maps that disagree with the replayed schema (what `info` and `stats` show).
final class SchemaAuditTests: XCTestCase {
  static let dir = TestPaths.packageRoot + "/Tests/BinlogSchemaTests/Data/alter-workload"

  func minimalFiles() throws -> [String] {
    let d = Self.dir + "/minimal"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: d), !names.isEmpty else {
      throw XCTSkip("\(d) not found")
    }
    return names.filter { $0.hasPrefix("binlog.") }.sorted().map { d + "/" + $0 }
  }

  /// A stale snapshot (`qty` as BIGINT while the server had INT): the three `items` maps before
  /// `MODIFY qty BIGINT UNSIGNED` disagree; the first at the INSERT right after the rotation.
  func testStaleSnapshotCountsEveryDisagreeingTableMap() throws {
    let dump = try String(contentsOfFile: Self.dir + "/schema-before.sql", encoding: .utf8)
    let stale = dump.replacingOccurrences(of: "`qty` int(11)", with: "`qty` bigint(20)")
    XCTAssertNotEqual(stale, dump)
    var timeline = SchemaTimeline(flavor: .mariadb, style: .mariadb)
    _ = try SchemaSnapshot.load(text: Array(stale.utf8), name: "stale.sql", into: &timeline)
    let audit = SchemaAudit(timeline: timeline)
    var perFile: [[MismatchCount]] = []
    for f in try minimalFiles() { perFile.append(try audit.scan(try BinlogInput(path: f))) }
    XCTAssertEqual(perFile.count, 2)
    XCTAssertEqual(perFile[0].map(\.table), [TableName("shop", "items")])
    XCTAssertEqual(perFile[0].first?.tableMaps, 3)
    XCTAssertEqual(perFile[0].first?.first.position.description, "binlog.000002:453")
    XCTAssertEqual(perFile[0].first?.first.differences, ["column 3 `qty` bigint(20): binlog type LONG"])
    XCTAssertEqual(perFile[1], [])
    XCTAssertEqual(audit.mismatchedTableMaps, 3)
    XCTAssertEqual(audit.counts.map(\.table), [TableName("shop", "items")])
  }

  /// The right snapshot: nothing disagrees (and the workload's tables are all named).
  func testMatchingSnapshotCountsNothing() throws {
    var timeline = SchemaTimeline(flavor: .mariadb, style: .mariadb)
    _ = try SchemaSnapshot.load(path: Self.dir + "/schema-before.sql", into: &timeline)
    let audit = SchemaAudit(timeline: timeline)
    for f in try minimalFiles() { try audit.scan(try BinlogInput(path: f)) }
    XCTAssertEqual(audit.counts, [])
    XCTAssertGreaterThan(audit.tracker.enrichedMaps, 15)
    XCTAssertEqual(audit.tracker.positionalMaps, 0)
  }
}

/// The audit's own event loop (no rows decoded) sees the same Table_maps, with the same names, as
/// a tracker fed by the walker: also inside MySQL 8.0 compressed transaction payloads.
final class SchemaAuditCorpusTests: XCTestCase {
  func testAuditSeesEveryTableMapTheWalkerSees() throws {
    let files = [
      "apecloud__mysql-binlog-connector-rust/mysql-bin.000057",
      "blackbeam__rust_mysql_common/transaction_compression.000001",
      "osheroff__mysql-binlog-connector-java/mysql-bin.compressed",
      "alibaba__canal/tsdb_mysql-bin.000003",
      "zendesk__maxwell/binlog.000004",
      "pingcap__tiflow/mysql-bin.000001",
    ]
    var payloadMaps = 0
    for rel in files {
      let path = try TestPaths.corpusFile(rel)
      let walked = SchemaTracker()
      var walker = BinlogWalker(source: try BinlogInput(path: path))
      try walker.run { w, ev in
        walked.consume(ev, file: w.fileName)
        if ev.inPayload, case .tableMap = ev.body { payloadMaps += 1 }
      }
      let audit = SchemaAudit()
      try audit.scan(try BinlogInput(path: path, options: ReaderOptions(verifyChecksums: false)))
      XCTAssertGreaterThan(walked.enrichedMaps + walked.positionalMaps, 0, rel)
      XCTAssertEqual(audit.tracker.enrichedMaps, walked.enrichedMaps, rel)
      XCTAssertEqual(audit.tracker.positionalMaps, walked.positionalMaps, rel)
      XCTAssertEqual(audit.tracker.timeline.records.map(\.sql), walked.timeline.records.map(\.sql), rel)
      XCTAssertEqual(audit.counts, walked.mismatchCounts, rel)
    }
    XCTAssertGreaterThan(payloadMaps, 0, "some table maps were inside compressed payloads")
  }
}
