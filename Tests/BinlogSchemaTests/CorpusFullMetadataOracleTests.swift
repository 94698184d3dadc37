import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogSchema

/// Corpus files written with binlog_row_metadata=FULL are an oracle: strip the names from each
/// Table_map, reconcile with the schema replayed from the file's own DDL, and the names and key
/// must come back as the server wrote them, or the table must be reported (never wrong names).
final class CorpusFullMetadataOracleTests: XCTestCase {
  func testStrippedFullMapsGetTheirNamesBack() throws {
    let manifest = TestPaths.corpus + "/MANIFEST.tsv"
    guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { throw XCTSkip("no corpus manifest") }
    var matched = 0
    var reported = 0
    for line in text.split(separator: "\n").dropFirst() {
      let rel = String(line.split(separator: "\t", maxSplits: 1)[0])
      let path = TestPaths.corpus + "/" + rel
      guard !rel.hasSuffix(".gz"), FileManager.default.fileExists(atPath: path) else { continue }
      let tracker = SchemaTracker()
      guard let input = try? BinlogInput(path: path) else { continue }
      var walker = BinlogWalker(source: input)
      try? walker.run { w, ev in
        tracker.consume(ev, file: w.fileName)
        guard case .tableMap(var map) = ev.body, map.hasColumnNames else { return }
        let names = map.columns.map(\.name)
        let pk = map.primaryKeyOrder
        for i in map.columns.indices { map.columns[i].name = nil }
        map.primaryKeyOrder = []
        let r = tracker.timeline.reconcile(map, at: BinlogPosition(file: w.fileName, offset: ev.raw.offset))
        switch r.status {
        case .matched:
          matched += 1
          XCTAssertEqual(r.columns?.map(\.name), names, "\(rel):\(ev.raw.offset) \(map.table)")
          if !pk.isEmpty { XCTAssertEqual(r.primaryKeyOrder, pk, "\(rel):\(ev.raw.offset) \(map.table) key") }
        case .mismatch:
          reported += 1
          print("mismatch \(rel): \(r.mismatch!.description)")
        default:
          break
        }
      }
    }
    print("oracle: \(matched) matched, \(reported) reported")
    XCTAssertGreaterThan(matched, 0)
  }
}
