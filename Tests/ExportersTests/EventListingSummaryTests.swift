import BinlogFormat
import BinlogIO
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// `sluice events` writes the summaries of its most frequent events (rows, table maps, Xid,
/// Query, Annotate_rows) straight as bytes; the others through `EventListing.summary`. Both
/// must give the same text: every event of the fixture sets, listed as NDJSON, has the summary
/// `EventListing.summary` gives for it.
final class EventListingSummaryTests: XCTestCase {
  func testTheByteSummariesEqualTheStringSummaries() throws {
    var annotate = 0
    var checked = 0
    for set in ["mariadb-10.11", "mariadb-10.11-minimal", "mariadb-10.11-compressed"] {
      let dir = TestPaths.fixtures + "/" + set
      let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
        $0.hasPrefix("binlog.0") && !$0.hasSuffix(".sidx")
      }.sorted()
      for name in names {
        let path = dir + "/" + name
        let sink = OutputSink.memory()
        let listing = EventListing(sink: sink, format: .ndjson)
        var expected: [String] = []
        var walker = BinlogWalker(source: try BinlogInput(path: path))
        try walker.run { w, ev in
          expected.append(EventListing.summary(ev, w))
          if case .annotateRows = ev.body { annotate += 1 }
          try listing.consume(ev, walker: w)
        }
        try sink.close()
        let lines = sink.captured.split(separator: 0x0A)
        XCTAssertEqual(lines.count, expected.count, path)
        for (line, want) in zip(lines, expected) {
          let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
          XCTAssertEqual(object["summary"] as? String, want, path)
          checked += 1
        }
      }
    }
    XCTAssertGreaterThan(annotate, 100, "the fixtures have Annotate_rows events")
    XCTAssertGreaterThan(checked, 2000)
  }
}
