import BinlogFormat
import CanalProtocol
import Exporters
import Foundation
import XCTest

/// Throughput of the Canal exporters next to NDJSON on a big binlog. Runs only with
/// CANAL_BENCH=/path/to/binlog (e.g. .bench-data/binlog.000001 from scripts/make-big-binlog.sh),
/// best in release: `swift test -c release --filter EntryBenchmarkTests`.
final class EntryBenchmarkTests: XCTestCase {
  func testExportThroughput() throws {
    guard let path = ProcessInfo.processInfo.environment["CANAL_BENCH"] else { throw XCTSkip("set CANAL_BENCH") }
    let devNull = open("/dev/null", O_WRONLY)
    defer { close(devNull) }
    let only = ProcessInfo.processInfo.environment["CANAL_BENCH_ONLY"]
    func time(_ name: String, _ consume: (OutputSink) -> (WalkedEvent, BinlogWalker<BinlogInput>) throws -> Void) throws {
      if let only, only != name { return }
      let sink = OutputSink(fd: devNull)
      let visit = consume(sink)
      let start = Date()
      let input = try BinlogInput(path: path)
      var walker = BinlogWalker(source: input)
      try walker.run { w, ev in try visit(ev, w) }
      try sink.flush()
      let seconds = Date().timeIntervalSince(start)
      var usage = rusage()
      getrusage(RUSAGE_SELF.rawValue, &usage)
      print(
        "bench \(name): \(String(format: "%.2f", seconds)) s, \(sink.bytesWritten / 1_000_000) MB out, max RSS \(usage.ru_maxrss / 1024) MB")
    }
    try time("ndjson") { sink in
      let e = NDJSONExporter(sink: sink)
      return { ev, w in try e.consume(ev, walker: w) }
    }
    try time("canal") { sink in
      let e = CanalExporter(sink: sink, options: quietOptions())
      return { ev, w in try e.consume(ev, walker: w) }
    }
    try time("canal-json") { sink in
      let e = FlatMessageExporter(sink: sink, options: quietOptions())
      return { ev, w in try e.consume(ev, walker: w) }
    }
  }
}
