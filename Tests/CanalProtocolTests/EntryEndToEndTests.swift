import BinlogFormat
import BinlogIO
import CanalProtocol
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// The whole pipeline against an independent decoder: `CanalExporter` output for every fixture
/// set is decoded by canal-python (decode_entries.py, with a byte-exact re-serialization check)
/// and every column name and value is compared with what `NDJSONExporter` writes for the same
/// row (canal_compare.py, which applies the documented format differences).
final class EntryEndToEndTests: XCTestCase {
  func testEveryFixtureSetAgainstCanalPythonAndNDJSON() throws {
    guard canalPythonAvailable() else { throw XCTSkip("python3 with canal-python is not installed") }
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for set in ["mariadb-10.11", "mariadb-10.11-compressed", "mariadb-10.11-minimal", "mariadb-10.11-minimal-image"] {
      let files = TestPaths.fixtureSet(set)
      let canalPath = dir + "/\(set).canal"
      let ndjsonPath = dir + "/\(set).ndjson"
      let canalSink = try OutputSink.file(canalPath)
      let ndjsonSink = try OutputSink.file(ndjsonPath)
      var options = quietOptions()
      // NDJSON decodes each column with its own charset; so must Canal for a value-by-value
      // comparison (Canal's single-charset behaviour is tested in CanalValueFixtureTests).
      options.textCharset = .column
      let canal = CanalExporter(sink: canalSink, options: options)
      let ndjson = NDJSONExporter(sink: ndjsonSink)
      for p in files {
        let input = try BinlogInput(path: p)
        var walker = BinlogWalker(source: input)
        try walker.run { w, ev in
          try canal.consume(ev, walker: w)
          try ndjson.consume(ev, walker: w)
        }
      }
      try canal.finish()
      try canalSink.close()
      try ndjsonSink.close()

      let decodedPath = dir + "/\(set).decoded.jsonl"
      guard
        let decode = runProcess(
          ["python3", TestPaths.testsDir("CanalProtocolTests") + "/decode_entries.py", "--roundtrip", canalPath],
          environment: ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "python"])
      else { return XCTFail("cannot run decode_entries.py") }
      XCTAssertEqual(decode.0, 0, "\(set): decode_entries.py failed: \(decode.2)")
      try decode.1.write(to: URL(fileURLWithPath: decodedPath))
      let decodedCount = decode.1.split(separator: 0x0A).count
      XCTAssertEqual(UInt64(decodedCount), canal.entriesWritten, "\(set): canal-python sees every entry")

      guard
        let compare = runProcess([
          "python3", TestPaths.testsDir("CanalProtocolTests") + "/canal_compare.py", decodedPath, ndjsonPath, "--tables",
          TestPaths.fixtures + "/\(set)/expected-tables.json",
        ])
      else { return XCTFail("cannot run canal_compare.py") }
      let summary = try JSONSerialization.jsonObject(with: compare.1) as? [String: Any] ?? [:]
      let mismatches = summary["mismatch_count"] as? Int ?? -1
      XCTAssertEqual(
        mismatches, 0,
        "\(set): \(String(decoding: compare.1, as: UTF8.self).prefix(4000)) \(compare.2)")
      XCTAssertGreaterThan(summary["rows"] as? Int ?? 0, 250, set)
      XCTAssertGreaterThan(summary["values"] as? Int ?? 0, 1500, set)
      XCTAssertEqual(compare.0, 0, set)
    }
  }
}
