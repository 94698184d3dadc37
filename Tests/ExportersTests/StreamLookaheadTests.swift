import BinlogFormat
import BinlogIO
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// A binlog read as a stream (stdin, a pipe) exports exactly what the mapped file exports,
/// xids included: the stream reader reads ahead to each transaction's commit and keeps the
/// bytes for the events that follow.
final class StreamLookaheadTests: XCTestCase {
  func testStreamExportEqualsFileExportOnEveryFixtureAndCorpusFile() throws {
    var files: [String] = []
    let fm = FileManager.default
    for dir in (try? fm.contentsOfDirectory(atPath: TestPaths.fixtures)) ?? [] {
      for f in (try? fm.contentsOfDirectory(atPath: TestPaths.fixtures + "/" + dir)) ?? [] where f.hasPrefix("binlog.0") {
        files.append(TestPaths.fixtures + "/" + dir + "/" + f)
      }
    }
    if let manifest = try? String(contentsOfFile: TestPaths.corpus + "/MANIFEST.tsv", encoding: .utf8) {
      for line in manifest.split(separator: "\n").dropFirst() {
        files.append(TestPaths.corpus + "/" + String(line.split(separator: "\t")[0]))
      }
    }
    var compared = 0
    var withXid = 0
    for path in files.sorted() {
      let (fileOut, fileError) = export { try BinlogInput(path: path) }
      // The name the file export gives the events (a .gz file's is its original binlog's).
      guard let name = (try? BinlogInput(path: path))?.name else { continue }
      let fd = open(path, O_RDONLY)
      XCTAssertGreaterThanOrEqual(fd, 0, path)
      defer { close(fd) }
      let (streamOut, streamError) = export {
        try ByteStreamBinlogReader(input: .descriptor(fd, prefix: []), name: name)
      }
      if fileOut.isEmpty && fileError != nil { continue }
      XCTAssertEqual(streamOut, fileOut, "\(name): stream and file exports differ")
      XCTAssertEqual(
        streamError.map { $0.replacingOccurrences(of: path, with: name) },
        fileError.map { $0.replacingOccurrences(of: path, with: name) }, name)
      compared += 1
      if streamOut.contains("\"xid\":") && !streamOut.contains("\"xid\":null") { withXid += 1 }
      let rowsWithXid = streamOut.split(separator: "\n").filter {
        $0.contains("\"type\":\"insert\"") && !$0.contains("\"xid\":null")
      }
      if !rowsWithXid.isEmpty { withXid += 1 }
    }
    XCTAssertGreaterThan(compared, 60)
    XCTAssertGreaterThan(withXid, 20, "too few files with row xids: the comparison proves little")
  }

  private func export<S: EventSource>(_ open: () throws -> S) -> (String, String?) {
    let sink = OutputSink.memory()
    let exporter = NDJSONExporter(sink: sink)
    var failure: String?
    do {
      var walker = BinlogWalker(source: try open())
      try walker.run { w, ev in try exporter.consume(ev, walker: w) }
    } catch {
      failure = "\(error)"
    }
    try? sink.close()
    return (String(decoding: sink.captured, as: UTF8.self), failure)
  }
}
