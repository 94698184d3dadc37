import BinlogFormat
import BinlogIO
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

@testable import Exporters

/// SQL output: literal escaping, and whole fixture sets written without a skipped row (the live
/// check that the SQL reproduces the server's tables is Tests/roundtrip/sql_replay.py).
final class SQLExporterTests: XCTestCase {
  func quoted(_ s: [UInt8]) -> String {
    var out: [UInt8] = []
    s.withUnsafeBytes { SQLValue.appendQuoted($0, into: &out) }
    return String(decoding: out, as: UTF8.self)
  }

  func testQuotedLiteralsEscapeWhatMySQLNeeds() {
    XCTAssertEqual(quoted(Array("it's".utf8)), "'it\\'s'")
    XCTAssertEqual(quoted(Array("a\\b".utf8)), "'a\\\\b'")
    XCTAssertEqual(quoted([0x61, 0x00, 0x0A, 0x0D, 0x1A]), "'a\\0\\n\\r\\Z'")
    XCTAssertEqual(quoted(Array("😀 ü".utf8)), "'😀 ü'")
    var hex: [UInt8] = []
    [UInt8]([0x00, 0xAB, 0xFF]).withUnsafeBytes { SQLValue.appendHex($0, into: &hex) }
    XCTAssertEqual(String(decoding: hex, as: UTF8.self), "X'00ABFF'")
    var ident: [UInt8] = []
    SQLValue.appendIdentifier("we`ird", into: &ident)
    XCTAssertEqual(String(decoding: ident, as: UTF8.self), "`we``ird`")
  }

  func testXAIdsMatchTheServersText() {
    XCTAssertEqual(
      SQLExporter.xaText(7, Array("xa-rollback-1".utf8), Array("bq".utf8)), "X'78612D726F6C6C6261636B2D31',X'6271',7")
    XCTAssertEqual(SQLExporter.xaText(1, Array("x".utf8), []), "X'78',X'',1")
    XCTAssertEqual(
      SQLExporter.xaID(afterKeyword: "XA ROLLBACK X'78612d726f6c6c6261636b2d31',X'6271',7"),
      "X'78612D726F6C6C6261636B2D31',X'6271',7")
  }

  func testStatementShapes() {
    XCTAssertTrue(SQLExporter.isDatabaseStatement(Array("CREATE DATABASE x".utf8)))
    XCTAssertTrue(SQLExporter.isDatabaseStatement(Array("/* c */ drop schema if exists x".utf8)))
    XCTAssertFalse(SQLExporter.isDatabaseStatement(Array("CREATE TABLE database_t (a int)".utf8)))
    XCTAssertTrue(
      SQLExporter.createsTrigger(
        Array("CREATE DEFINER=`root`@`localhost` TRIGGER t AFTER INSERT ON o FOR EACH ROW SET @a=1".utf8)))
    XCTAssertFalse(SQLExporter.createsTrigger(Array("CREATE TABLE t (a int) COMMENT ' TRIGGER '".utf8)))
  }

  func sql(_ dir: String, flashback: Bool = false) throws -> (String, SQLExporter) {
    let path = TestPaths.fixtures + "/" + dir
    let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasPrefix("binlog.0") }.sorted()
    guard !files.isEmpty else { throw XCTSkip("no fixture \(dir)") }
    let sink = OutputSink.memory()
    var options = SQLExporter.Options()
    options.flashback = flashback
    let exporter = try SQLExporter(sink: sink, options: options)
    for f in files {
      var walker = BinlogWalker(source: try BinlogInput(path: path + "/" + f))
      try walker.run { w, ev in try exporter.consume(ev, walker: w) }
    }
    try exporter.finish()
    try sink.close()
    return (String(decoding: sink.captured, as: UTF8.self), exporter)
  }

  func testFixtureReplayHasEveryRowAndBalancedTransactions() throws {
    let (text, exporter) = try sql("mariadb-10.11")
    XCTAssertEqual(exporter.rowsSkipped, 0)
    XCTAssertGreaterThan(exporter.rowsWritten, 4_000)
    XCTAssertFalse(text.contains("-- row skipped"))
    let lines = text.split(separator: "\n")
    XCTAssertEqual(lines.filter { $0 == "BEGIN;" }.count, lines.filter { $0 == "COMMIT;" }.count)
    XCTAssertTrue(lines.contains("SET SESSION time_zone = '+00:00';"))
  }

  func testFlashbackIsNewestFirstWithImagesSwapped() throws {
    let (forward, _) = try sql("mariadb-10.11")
    let (back, exporter) = try sql("mariadb-10.11", flashback: true)
    XCTAssertEqual(exporter.rowsSkipped, 0)
    let headers = { (t: String) in t.split(separator: "\n").filter { $0.hasPrefix("-- binlog.") } }
    let f = headers(forward)
    let b = headers(back)
    // Every transaction with rows appears, in reverse order.
    XCTAssertEqual(b.first, f.last(where: { b.contains($0) }))
    XCTAssertEqual(Array(b.reversed()), f.filter { b.contains($0) })
    let inserts = forward.split(separator: "\n").filter { $0.hasPrefix("INSERT INTO") }.count
    let deletes = back.split(separator: "\n").filter { $0.hasPrefix("DELETE FROM") }.count
    XCTAssertGreaterThanOrEqual(deletes, inserts - 10, "each insert is undone by a delete (rolled-back XA aside)")
  }
}
