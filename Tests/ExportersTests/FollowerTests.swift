import BinlogFormat
import BinlogIO
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// `BinlogFollower` (`--follow`) over copies of the MariaDB fixture set that grow chunk by chunk
/// while it follows them: cuts fall inside event headers, inside events and between the events
/// of a transaction, and each next file only appears after its predecessor ended with a Rotate.
/// The NDJSON it writes is the export of the whole files, byte for byte.
final class FollowerTests: XCTestCase {
  static let fixtures = TestPaths.fixtures + "/mariadb-10.11"
  let names = ["binlog.000001", "binlog.000002", "binlog.000003"]

  /// The export of the whole files, as `sluice export` walks them (whole transactions only).
  func wholeExport(_ paths: [String]) throws -> [UInt8] {
    let sink = OutputSink.memory()
    let exporter = NDJSONExporter(sink: sink, options: ExportOptions())
    for p in paths {
      var walker = BinlogWalker(source: try BinlogInput(path: p))
      walker.completeTransactionsOnly = true
      try walker.run { w, ev in try exporter.consume(ev, walker: w) }
      XCTAssertNil(walker.openTail, p)
    }
    try sink.close()
    return sink.captured
  }

  /// Follows copies of the fixture files fed `chunkSizes` bytes at a time (cycling), one chunk
  /// at each wait; returns the NDJSON, how many waits there were, and the events visited.
  func follow(chunkSizes: [Int]) throws -> (output: [UInt8], waits: Int) {
    let dir = NSTemporaryDirectory() + "sluice-follow-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let sources = try names.map { try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/" + $0)) }
    // The first file exists with its magic bytes only; the others appear later.
    try sources[0].prefix(4).write(to: URL(fileURLWithPath: dir + "/" + names[0]))
    var file = 0
    var fed = 4
    var chunk = 0
    var waits = 0
    var done = false
    let sink = OutputSink.memory()
    let exporter = NDJSONExporter(sink: sink, options: ExportOptions())
    let follower = BinlogFollower(paths: [dir + "/" + names[0]])
    follower.pollInterval = 0
    follower.shouldStop = { done }
    follower.onWait = {
      waits += 1
      if file == sources.count {
        done = true  // everything was appended before the walk that just ended
        return
      }
      if fed == sources[file].count {
        // The file is whole: the next one is created at the next wait (the follower waits for it).
        file += 1
        fed = 0
        return
      }
      let n = Swift.min(chunkSizes[chunk % chunkSizes.count], sources[file].count - fed)
      chunk += 1
      let path = dir + "/" + self.names[file]
      if fed == 0 { FileManager.default.createFile(atPath: path, contents: nil) }
      let h = try XCTUnwrap(FileHandle(forWritingAtPath: path))
      try h.seekToEnd()
      try h.write(contentsOf: sources[file][fed..<(fed + n)])
      try h.close()
      fed += n
    }
    try follower.run { w, ev in try exporter.consume(ev, walker: w) }
    try sink.close()
    XCTAssertTrue(done, "the follower stopped before everything was appended")
    return (sink.captured, waits)
  }

  func testFollowingGrowingFilesCutMidEventExportsTheWholeFiles() throws {
    let expected = try wholeExport(names.map { Self.fixtures + "/" + $0 })
    XCTAssertEqual(expected.filter { $0 == 0x0A }.count, 4647, "the fixture set's NDJSON lines")
    // Sizes that cut event headers (1..20 bytes), event bodies and whole runs of transactions.
    let r = try follow(chunkSizes: [1, 2, 17, 18, 19, 20, 333, 4096, 7777, 65536, 23])
    XCTAssertGreaterThan(r.waits, 80)
    XCTAssertEqual(r.output.count, expected.count)
    XCTAssertTrue(r.output == expected, "the followed NDJSON differs from the export of the whole files")
  }

  func testFollowingOneByteAtATimeExportsTheWholeFile() throws {
    // binlog.000002 is 20842 bytes: every cut position in it is a wait.
    let expected = try wholeExport(names.map { Self.fixtures + "/" + $0 })
    let r = try follow(chunkSizes: [1, 1, 1, 1, 1, 1, 1, 997])
    XCTAssertTrue(r.output == expected, "the followed NDJSON differs from the export of the whole files")
  }

  func testFollowingRemapsAFileThatOutgrowsItsMapping() throws {
    // As under an address-space limit: mappings of the file's size plus 8 KiB, mapped again
    // each time the file outgrows them.
    let (reserves, slack) = (MappedFile.growableReserves, MappedFile.growableSlack)
    MappedFile.growableReserves = []
    MappedFile.growableSlack = 8192
    defer { (MappedFile.growableReserves, MappedFile.growableSlack) = (reserves, slack) }
    let expected = try wholeExport(names.map { Self.fixtures + "/" + $0 })
    let r = try follow(chunkSizes: [3000, 20, 5000, 19])
    XCTAssertTrue(r.output == expected, "the followed NDJSON differs from the export of the whole files")
  }

  func testFollowingAFileWhoseLogPosChainDoesNotHoldWaitsForCutEvents() throws {
    // binlog.000003's transactions three times over in one file: every event's log_pos is
    // wrong after the first copy, so a cut event cannot be told from damage by the chain; a
    // followed file's cut event is still waited for (found: rows handed out with xid null).
    let source = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/binlog.000003"))
    var data = source.prefix(379)
    for _ in 0..<3 { data += source[379..<321546] }
    let dir = NSTemporaryDirectory() + "sluice-follow-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let whole = dir + "/whole.000001"
    try data.write(to: URL(fileURLWithPath: whole))
    let expected = try wholeExport([whole])
    XCTAssertFalse(String(decoding: expected, as: UTF8.self).contains("\"xid\":null,\"thread_id\":null,\"db\":\"sluice_bulk\""))
    let live = dir + "/whole.000001.live"
    try data.prefix(1000).write(to: URL(fileURLWithPath: live))
    var fed = 1000
    var done = false
    let sink = OutputSink.memory()
    let exporter = NDJSONExporter(sink: sink, options: ExportOptions())
    let follower = BinlogFollower(paths: [live])
    follower.pollInterval = 0
    follower.shouldStop = { done }
    follower.onWait = {
      if fed == data.count {
        done = true
        return
      }
      let n = Swift.min(30_001, data.count - fed)
      let h = try XCTUnwrap(FileHandle(forWritingAtPath: live))
      try h.seekToEnd()
      try h.write(contentsOf: data[fed..<(fed + n)])
      try h.close()
      fed += n
    }
    try follower.run { w, ev in try exporter.consume(ev, walker: w) }
    try sink.close()
    let got = String(decoding: sink.captured, as: UTF8.self).replacingOccurrences(of: "whole.000001.live", with: "whole.000001")
    XCTAssertTrue(
      got == String(decoding: expected, as: UTF8.self), "the followed NDJSON differs from the export of the whole file")
  }

  func testStopRequestedMidFileEndsBetweenTwoTransactions() throws {
    let paths = names.map { Self.fixtures + "/" + $0 }
    let expected = try wholeExport(paths)
    // Asked to stop after 600 of the set's 860 events, in binlog.000003.
    var visited = 0
    var waited = false
    let sink = OutputSink.memory()
    let exporter = NDJSONExporter(sink: sink, options: ExportOptions())
    let follower = BinlogFollower(paths: paths)
    follower.pollInterval = 0
    follower.shouldStop = { visited >= 600 || waited }
    follower.onWait = { waited = true }
    try follower.run { w, ev in
      visited += 1
      try exporter.consume(ev, walker: w)
    }
    try sink.close()
    XCTAssertFalse(waited, "the stop came before the end of the files")
    XCTAssertGreaterThanOrEqual(visited, 600)
    let got = sink.captured
    XCTAssertGreaterThan(got.count, 1000)
    XCTAssertLessThan(got.count, expected.count)
    XCTAssertTrue(expected.starts(with: got), "the output is a prefix of the whole export")
    XCTAssertEqual(got.last, 0x0A, "whole lines")
    // The next line of the whole export belongs to another transaction than the last line written.
    func gtid(_ line: ArraySlice<UInt8>) -> String? {
      let s = String(decoding: line, as: UTF8.self)
      guard let r = s.range(of: "\"gtid\":\"") else { return nil }
      return String(s[r.upperBound...].prefix { $0 != "\"" })
    }
    let lastWritten = got.dropLast().split(separator: 0x0A).last!
    let nextLine = expected[got.count...].split(separator: 0x0A).first!
    XCTAssertNotNil(gtid(lastWritten))
    XCTAssertNotEqual(gtid(lastWritten), gtid(nextLine), "stopped inside transaction \(gtid(nextLine) ?? "?")")
  }

  func testNextNumberedFileAfterAStop() {
    XCTAssertEqual(BinlogFollower.nextNumbered("/var/lib/mysql/binlog.000007"), "/var/lib/mysql/binlog.000008")
    XCTAssertEqual(BinlogFollower.nextNumbered("mysql-bin.999999"), "mysql-bin.1000000")
    XCTAssertNil(BinlogFollower.nextNumbered("/x.y/binlog"))
  }
}
