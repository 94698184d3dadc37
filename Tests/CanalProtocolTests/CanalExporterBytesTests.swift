import BinlogFormat
import BinlogIO
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

  /// BEGIN and Xid entries written directly: a thread id of 0 (field omitted), a lower-case
  /// `begin` (through the message path), xids of 0 and above Int64.max (a negative id as Canal
  /// prints it).
  func testBeginAndXidEntriesAreSwiftProtobufBytes() throws {
    var f = SyntheticBinlog()
    f.formatDescription()
    var map = f.le(90, 6) + f.le(1, 2)
    map += [4] + Array("test".utf8) + [0] + [2] + Array("t1".utf8) + [0]
    map += [2, 3, 15] + [2] + f.le(10, 2) + [0b10]
    map += [4, 8, 2] + Array("id".utf8) + [4] + Array("name".utf8)
    f.append(type: 19, body: map)
    var rows = f.le(90, 6) + f.le(1, 2) + f.le(10, 2) + [UInt8](repeating: 0, count: 8)
    rows += [2, 0b11, 0] + f.le(1, 4) + [1] + Array("a".utf8)
    for (thread, sql, xid) in [(UInt32(0), "BEGIN", UInt64.max - 4), (12, "begin", 0), (7, "BEGIN", 1 << 40)] {
      f.append(type: 2, body: SyntheticBinlog.query(thread: thread, db: "test", sql: sql, status: []))
      f.append(type: 30, body: rows)
      f.append(type: 16, body: f.le(xid, 8))
    }
    // Two empty transactions: BEGIN and Xid held back by the client filter; the first is let
    // through (the last one let through is long ago), the second, 1 s later, dropped.
    for xid in [UInt64(99), 100] {
      f.timestamp += 1
      f.append(type: 2, body: SyntheticBinlog.query(thread: 3, db: "test", sql: "BEGIN", status: []))
      f.append(type: 16, body: f.le(xid, 8))
    }
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/mysql-bin.000001"
    try Data(f.bytes).write(to: URL(fileURLWithPath: path))
    XCTAssertEqual(try assertSameStream([path], forClients: true), 11)
    XCTAssertEqual(try assertSameStream([path], forClients: false), 13)
    let sink = OutputSink.memory()
    let exporter = CanalExporter(sink: sink, options: quietOptions(forClients: false))
    let input = try BinlogInput(path: path)
    var walker = BinlogWalker(source: input)
    try walker.run { w, ev in try exporter.consume(ev, walker: w) }
    try exporter.finish()
    let entries = try EntryFraming.decodeEntries(sink.captured)
    let ends = try entries.filter { $0.entryType == .transactionend }.map {
      try CanalTransactionEnd(serializedBytes: $0.storeValue).transactionID
    }
    XCTAssertEqual(ends, ["-5", "0", "1099511627776", "99", "100"])
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
