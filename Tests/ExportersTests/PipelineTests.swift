import BinlogFormat
import BinlogIO
import BinlogPipeline
import BinlogQuery
import BinlogSchema
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// BinlogPipeline run as a library over the MariaDB fixture sets into memory: what `sluice
/// export`, `events`, `query` and `schema` write, without the CLI.
final class PipelineTests: XCTestCase {
  let names = ["binlog.000001", "binlog.000002", "binlog.000003"]

  func fixtureSet(_ name: String) -> [String] {
    names.map { TestPaths.fixtures + "/" + name + "/" + $0 }
  }

  /// Collects the diagnostics lines a run reports.
  final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [String] = []
    var lines: [String] { lock.withLock { all } }
    var report: Diagnostics { { line in self.lock.withLock { self.all.append(line) } } }
  }

  /// The NDJSON of a plain walk of whole transactions (no DDL replay), as `FollowerTests` does it.
  func directExport(_ paths: [String]) throws -> [UInt8] {
    let sink = OutputSink.memory()
    let exporter = NDJSONExporter(sink: sink, options: ExportOptions())
    for p in paths {
      var walker = BinlogWalker(source: try BinlogInput(path: p))
      walker.completeTransactionsOnly = true
      try walker.run { w, ev in try exporter.consume(ev, walker: w) }
    }
    try sink.close()
    return sink.captured
  }

  func testExportPipelineNDJSONEqualsTheDirectWalk() throws {
    let paths = fixtureSet("mariadb-10.11")
    let lines = Lines()
    var export = ExportPipeline(
      inputs: paths, output: OutputSettings(format: .ndjson), readerOptions: ReaderOptions(), report: lines.report)
    export.output.replaysDDL = false
    let sink = OutputSink.memory()
    XCTAssertEqual(try export.run(to: sink), .complete)
    let expected = try directExport(paths)
    XCTAssertEqual(sink.captured.count, expected.count)
    XCTAssertTrue(sink.captured == expected, "pipeline NDJSON differs from the direct walk")
    // `sluice export --format ndjson Fixtures/mariadb-10.11/`: 4647 lines, 3189 inserts.
    let text = String(decoding: sink.captured, as: UTF8.self)
    XCTAssertEqual(text.split(separator: "\n").count, 4647)
    XCTAssertEqual(text.components(separatedBy: "\"type\":\"insert\"").count - 1, 3189)
    XCTAssertEqual(lines.lines, [])
  }

  func testExportPipelineReplaysDDLForMinimalMetadata() throws {
    // binlog_row_metadata=MINIMAL: names come only from the replayed DDL.
    var export = ExportPipeline(
      inputs: fixtureSet("mariadb-10.11-minimal"), output: OutputSettings(format: .ndjson), readerOptions: ReaderOptions(),
      report: { _ in })
    let named = OutputSink.memory()
    XCTAssertEqual(try export.run(to: named), .complete)
    export.output.replaysDDL = false
    let positional = OutputSink.memory()
    XCTAssertEqual(try export.run(to: positional), .complete)
    let a = String(decoding: named.captured, as: UTF8.self)
    let b = String(decoding: positional.captured, as: UTF8.self)
    XCTAssertEqual(a.split(separator: "\n").count, b.split(separator: "\n").count)
    XCTAssertFalse(a.contains("\"@1\""), "DDL replay left positional column names")
    XCTAssertTrue(b.contains("\"@1\""), "without DDL replay the columns are positional")
  }

  func testSQLExportOfOneFileTakesNamesFromTheEarlierFiles() throws {
    let lines = Lines()
    let second = TestPaths.fixtures + "/mariadb-10.11-minimal/binlog.000002"
    let export = ExportPipeline(
      inputs: [second], output: OutputSettings(format: .sql), readerOptions: ReaderOptions(), report: lines.report)
    let sink = OutputSink.memory()
    XCTAssertEqual(try export.run(to: sink), .complete)
    XCTAssertEqual(
      lines.lines,
      [
        "note: column names from the DDL of 1 earlier binlog in \(TestPaths.fixtures)/mariadb-10.11-minimal (binlog.000001), read through a scan of them: 25 statements"
      ])
    let sql = String(decoding: sink.captured, as: UTF8.self)
    XCTAssertTrue(sql.hasPrefix("-- sluice replay SQL\n"), String(sql.prefix(80)))
    XCTAssertTrue(sql.contains("INSERT INTO `sluice_misc`.`nopk` (`a`,`b`,`c`) VALUES (1,'x',1.5);"))
  }

  func testEventWalkStopsAtTheStopPosition() throws {
    let path = TestPaths.fixtures + "/mariadb-10.11/binlog.000001"
    func list(stop: UInt64?) throws -> [Substring] {
      let sink = OutputSink.memory()
      let listing = EventListing(sink: sink, format: .text)
      var walk = EventWalk(inputs: [path], readerOptions: ReaderOptions(), report: { _ in })
      walk.continuesAfterError = true
      walk.stopPosition = stop
      XCTAssertEqual(try walk.run(listing, sink: sink), .complete)
      try listing.finish()
      try sink.close()
      return String(decoding: sink.captured, as: UTF8.self).split(separator: "\n")
    }
    // `sluice events [--stop-position 1000] Fixtures/mariadb-10.11/binlog.000001`: 466 and 9 lines.
    XCTAssertEqual(try list(stop: nil).count, 466)
    let head = try list(stop: 1000)
    XCTAssertEqual(head.count, 9)
    XCTAssertEqual(Array(try list(stop: nil).prefix(9)), head)
  }

  func testEventWalkReportsDamageAndGoesOnWithTheNextFile() throws {
    let dir = NSTemporaryDirectory() + "sluice-pipeline-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // The first file cut inside its fifth event; the second whole.
    let first = try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixtures + "/mariadb-10.11/binlog.000001"))
    try first.prefix(1000).write(to: URL(fileURLWithPath: dir + "/binlog.000001"))
    let second = TestPaths.fixtures + "/mariadb-10.11/binlog.000002"
    let lines = Lines()
    let sink = OutputSink.memory()
    let listing = EventListing(sink: sink, format: .text)
    var walk = EventWalk(inputs: [dir + "/binlog.000001", second], readerOptions: ReaderOptions(), report: lines.report)
    walk.continuesAfterError = true
    XCTAssertEqual(try walk.run(listing, sink: sink), .badInput)
    XCTAssertEqual(lines.lines.count, 1, "\(lines.lines)")
    XCTAssertTrue(lines.lines.first?.contains("binlog.000001") ?? false, "\(lines.lines)")
    XCTAssertGreaterThan(listing.listed, 9)
  }

  func testQueryPipelineAnswersATableFilter() throws {
    let paths = fixtureSet("mariadb-10.11")
    let zone = try TimeZoneSpec(parsing: "UTC")
    var args = FilterArguments()
    args.tables = ["sluice_misc.nopk"]
    var query = QueryPipeline(
      inputs: paths, filter: try args.filter(zone: zone), output: OutputSettings(format: .ndjson), readerOptions: ReaderOptions(),
      report: { _ in })
    query.output.threads = 1
    nonisolated(unsafe) var stats: QueryRunner.Stats?
    query.onStats = { s, _ in stats = s }
    let sink = OutputSink.memory()
    XCTAssertEqual(try query.run { sink }, .complete)
    let text = String(decoding: sink.captured, as: UTF8.self)
    XCTAssertGreaterThan(stats?.transactions ?? 0, 0)
    XCTAssertTrue(text.contains("\"table\":\"nopk\""), String(text.prefix(200)))
    // Every row line names the table asked for.
    for line in text.split(separator: "\n") where line.contains("\"type\":\"insert\"") {
      XCTAssertTrue(line.contains("\"table\":\"nopk\""), String(line))
    }
    // A stream cannot be sought: a usage error, before anything is written.
    let stream = QueryPipeline(
      inputs: ["-"], filter: try args.filter(zone: zone), output: OutputSettings(format: .ndjson), readerOptions: ReaderOptions(),
      report: { _ in })
    XCTAssertThrowsError(
      try stream.run {
        XCTFail("no sink for a stream")
        return OutputSink.memory()
      }
    ) {
      XCTAssertTrue($0 is PipelineUsageError, "\($0)")
    }
  }

  func testSchemaReplayStopsAtAPosition() throws {
    let paths = fixtureSet("mariadb-10.11-minimal")
    func tables(_ until: SchemaReplay.Until) throws -> (Int, SchemaReplay.Outcome) {
      let (timeline, _) = try SchemaTimeline.seeded(firstFile: paths[0], readerOptions: ReaderOptions())
      let tracker = SchemaTracker(timeline: timeline)
      let outcome = try SchemaReplay.run(paths, readerOptions: ReaderOptions(), until: until, into: tracker)
      return (tracker.timeline.catalog.tables.count, outcome)
    }
    let (atEnd, end) = try tables(.end)
    let (atSecond, second) = try tables(.position(BinlogPosition(file: "binlog.000002", offset: 4)))
    XCTAssertNil(end.error)
    XCTAssertEqual(end.lastPosition.file, "binlog.000003")
    XCTAssertEqual(second.lastPosition.file, "binlog.000001")
    // binlog.000002 creates sluice_misc.nopk (see the SQL test above).
    XCTAssertGreaterThan(atEnd, atSecond)
    XCTAssertGreaterThan(atSecond, 0)
    // Before the first event's time: nothing applied.
    let (before, early) = try tables(.time(0))
    XCTAssertEqual(before, 0)
    XCTAssertNil(early.timeStop)
  }

  func testSeededTimelineAdoptsTheBinlogFlavor() throws {
    let (timeline, snapshot) = try SchemaTimeline.seeded(
      firstFile: TestPaths.fixtures + "/mariadb-10.11/binlog.000001", readerOptions: ReaderOptions())
    XCTAssertEqual(timeline.flavor, .mariadb)
    XCTAssertNotNil(timeline.serverVersion)
    XCTAssertNil(snapshot)
    // A stream is not read twice: the defaults stay.
    let (piped, _) = try SchemaTimeline.seeded(firstFile: "-", readerOptions: ReaderOptions())
    XCTAssertEqual(piped.flavor, .mysql)
  }

  func testExportReportsTheSnapshotIssuesAsQueryAndSchemaDo() throws {
    let snapshot = NSTemporaryDirectory() + "sluice-snapshot-\(getpid())-\(UUID().uuidString).sql"
    try Data("CREATE TABLE t (a INT);\nCREATE TABLE oops (a INT\n".utf8).write(to: URL(fileURLWithPath: snapshot))
    defer { try? FileManager.default.removeItem(atPath: snapshot) }
    let issue = "warning: \(snapshot): CREATE statement: expected ')', found end of statement at byte 24"
    let lines = Lines()
    var export = ExportPipeline(
      inputs: fixtureSet("mariadb-10.11-minimal"), output: OutputSettings(format: .ndjson), readerOptions: ReaderOptions(),
      report: lines.report)
    export.output.schemaSnapshot = snapshot
    XCTAssertEqual(try export.run(to: OutputSink.memory()), .complete)
    XCTAssertEqual(lines.lines, [issue])
    // The one seeding: the same issue, the snapshot's tables and the binlog's flavor.
    var issues: [String] = []
    let (timeline, report) = try SchemaTimeline.seeded(
      firstFile: fixtureSet("mariadb-10.11-minimal")[0], readerOptions: ReaderOptions(), snapshot: snapshot,
      onIssue: { issues.append("warning: " + $0) })
    XCTAssertEqual(issues, [issue])
    XCTAssertEqual(report?.tables, 2)  // `oops` counts, with its columns unknown
    XCTAssertEqual(timeline.flavor, .mariadb)
  }
}
