import BinlogFormat
import Foundation
import XCTest

@testable import BinlogSchema

/// Counting the Table_maps that disagree with the replayed schema (what `info` and `stats` show).
final class SchemaAuditTests: XCTestCase {
  static let dir = SchemaPaths.packageRoot + "/Tests/BinlogSchemaTests/Data/alter-workload"

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
