import BinlogFormat
import CanalProtocol
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// `CanalExporter` writes rows entries straight into its output (header, lengths and RowChange
/// through one reserved `ProtobufWriter` span) and Begin/End without SwiftProtobuf: the stream
/// must be byte for byte the `CanalEntry` messages of the message-building mapper, serialized by
/// SwiftProtobuf and framed, after the same client filter.
final class CanalExporterBytesTests: XCTestCase {
  /// The exporter's stream and the reference stream for `paths`; returns the number of entries.
  @discardableResult
  func assertSameStream(
    _ paths: [String], forClients: Bool, gtidMode: Bool = false, file: StaticString = #filePath, line: UInt = #line
  ) throws -> Int {
    var options = quietOptions(forClients: forClients)
    options.gtidMode = gtidMode
    let sink = OutputSink.memory()
    let exporter = CanalExporter(sink: sink, options: options)
    let messages = EntryMapper(options: options)
    var filter = EntryClientFilter<MappedEntry>(entryOf: { $0 })
    var expected: [UInt8] = []
    var delivered: [MappedEntry] = []
    for path in paths {
      let input = try BinlogInput(path: path)
      var walker = BinlogWalker(source: input)
      try walker.run { w, ev in
        try exporter.consume(ev, walker: w)
        guard let m = try messages.map(ev, walker: w) else { return }
        delivered.removeAll()
        if forClients { filter.add(m, into: &delivered) } else { delivered = [m] }
        for d in delivered { try EntryFraming.append(d.entry(), to: &expected) }
      }
    }
    try exporter.finish()
    let actual = sink.takeCaptured()
    if actual != expected {
      let at = (0..<min(actual.count, expected.count)).first { actual[$0] != expected[$0] } ?? min(actual.count, expected.count)
      XCTFail(
        "\(paths.first ?? "") forClients \(forClients) gtidMode \(gtidMode): streams differ at byte \(at) "
          + "(\(actual.count) vs \(expected.count) bytes): \(Array(actual[at..<min(at + 16, actual.count)])) "
          + "vs \(Array(expected[at..<min(at + 16, expected.count)]))", file: file, line: line)
    }
    return Int(exporter.entriesWritten)
  }

  func testFixtureSetsAreSwiftProtobufBytes() throws {
    for set in ["mariadb-10.11", "mariadb-10.11-minimal", "mariadb-10.11-minimal-image", "mariadb-10.11-compressed"] {
      for forClients in [true, false] {
        XCTAssertGreaterThan(try assertSameStream(TestPaths.fixtureSet(set), forClients: forClients), 100, set)
      }
      XCTAssertGreaterThan(try assertSameStream(TestPaths.fixtureSet(set), forClients: false, gtidMode: true), 100, set)
    }
  }

  /// MySQL 8 JSON and partial updates, many column types, table ids of 6 bytes, big events.
  func testCorpusFilesAreSwiftProtobufBytes() throws {
    let manifest = TestPaths.corpus + "/MANIFEST.tsv"
    guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { throw XCTSkip("no corpus") }
    var checked = 0
    var entries = 0
    for row in text.split(separator: "\n").dropFirst() {
      let rel = String(row.split(separator: "\t").first ?? "")
      let p = TestPaths.corpus + "/" + rel
      guard let size = (try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? Int, size < 4 << 20,
        !rel.hasSuffix(".zst"), !rel.hasSuffix(".gz")
      else { continue }
      // Damaged or unusual files throw in both paths alike; only readable ones are compared.
      do {
        entries += try assertSameStream([p], forClients: true)
        entries += try assertSameStream([p], forClients: false)
      } catch { continue }
      checked += 1
    }
    XCTAssertGreaterThan(checked, 10)
    XCTAssertGreaterThan(entries, 1000)
  }
}
