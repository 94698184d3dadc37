import BinlogFormat
import BinlogIndex
import BinlogPipeline
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// `sluice info`, `stats`, `index` and `schema` run as library calls over the MariaDB fixture set
/// (the values are those `sluice info` and `sluice index` print for it).
final class SummaryPipelineTests: XCTestCase {
  let paths = ["binlog.000001", "binlog.000002", "binlog.000003"].map { TestPaths.fixtures + "/mariadb-10.11/" + $0 }

  func testInfoPipelineSummarisesEachFileWithItsSchemaCount() throws {
    let lines = PipelineTests.Lines()
    var entries: [InfoPipeline.Entry] = []
    let status = try InfoPipeline(inputs: paths, readerOptions: ReaderOptions(), report: lines.report).run {
      entries.append($0)
    }
    XCTAssertEqual(status, .complete)
    XCTAssertEqual(entries.map(\.summary.transactions), [89, 73, 14])
    XCTAssertEqual(entries.map(\.summary.eventCount), [466, 283, 111])
    XCTAssertEqual(entries.map(\.summary.size), [164423, 20842, 321569])
    XCTAssertEqual(entries.map(\.summary.checksumsVerified), [466, 283, 111])
    XCTAssertEqual(entries[1].summary.firstGTID?.description, "0-1-90")
    XCTAssertEqual(entries[1].summary.lastGTID?.description, "0-1-162")
    XCTAssertEqual(entries[0].summary.rotateTo, "binlog.000002:4")
    XCTAssertEqual(entries.map { $0.schemaMismatches?.count }, [0, 0, 0])
    XCTAssertEqual(lines.lines, [])
  }

  func testInfoPipelineGoesOnPastATruncatedFile() throws {
    let dir = try temporaryDirectory()
    let cut = dir + "/binlog.000001"
    let bytes = try Data(contentsOf: URL(fileURLWithPath: paths[0]))
    try bytes.prefix(100_000).write(to: URL(fileURLWithPath: cut))
    let lines = PipelineTests.Lines()
    var run = InfoPipeline(inputs: [cut, paths[1]], readerOptions: ReaderOptions(), report: lines.report)
    run.schema.enabled = false
    let sink = OutputSink.memory()
    let status = try run.run(format: .json, to: sink)
    XCTAssertEqual(status, .badInput)
    let json = try JSONSerialization.jsonObject(with: Data(sink.captured)) as! [[String: Any]]
    XCTAssertEqual(json.count, 2)
    XCTAssertEqual(json[1]["transactions"] as? Int, 73)
    XCTAssertEqual(lines.lines.count, 1, "\(lines.lines)")
    XCTAssertTrue(lines.lines[0].contains("binlog.000001"), lines.lines[0])
  }

  func testStatsPipelineCountsRowsPerTable() throws {
    var run = StatsPipeline(inputs: paths, readerOptions: ReaderOptions(), report: PipelineTests.Lines().report)
    run.top = 3
    run.indexDirectory = try temporaryDirectory()
    let r = try run.run()
    XCTAssertEqual(r.files, 3)
    XCTAssertEqual(r.bytes, 506834)
    XCTAssertEqual(r.transactions, 176)
    XCTAssertEqual(r.rows, 4580)
    let events = try XCTUnwrap(r.tables.first { $0.name == "sluice_bulk.events" })
    XCTAssertEqual([events.inserts, events.updates, events.deletes], [3001, 1000, 300])
    XCTAssertEqual(r.largestByRows.count, 3)
    XCTAssertEqual(r.schemaMismatches?.count, 0)
  }

  func testIndexPipelineBuildsThenFindsFreshIndexes() throws {
    let dir = try temporaryDirectory() + "/idx"
    var run = IndexPipeline(inputs: paths, readerOptions: ReaderOptions(), report: PipelineTests.Lines().report)
    run.indexDirectory = dir
    var out: [String] = []
    let built = try run.run(output: { out.append($0) })
    XCTAssertEqual(built.map(\.result.outcome), [.built, .built, .built])
    XCTAssertEqual(built.map(\.result.index.transactionCount), [89, 73, 14])
    XCTAssertEqual(built.map(\.indexSize), [6186, 3676, 1710])
    XCTAssertEqual(out[0], paths[0] + ": built, 89 transactions, index 6186 bytes (3.76% of the binlog)")
    XCTAssertTrue(FileManager.default.fileExists(atPath: FileIndex.path(for: paths[2], indexDir: dir)))
    let again = try run.run(output: { _ in })
    XCTAssertEqual(again.map(\.result.outcome), [.loaded, .loaded, .loaded])
  }

  func testSchemaPipelineScriptAtTheEnd() throws {
    let (script, status) = try SchemaPipeline(inputs: paths, readerOptions: ReaderOptions(), report: { _ in }).run()
    XCTAssertEqual(status, .complete)
    XCTAssertTrue(script.hasPrefix("-- sluice schema after binlog.000003:321569: 55 DDL statements\n"), String(script.prefix(80)))
    XCTAssertTrue(script.contains("CREATE TABLE `orders`"), String(script.prefix(400)))
  }

  func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-summary-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
  }
}
