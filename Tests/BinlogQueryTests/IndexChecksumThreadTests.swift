import BinlogFormat
import BinlogIO
import BinlogQuery
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogIndex

/// The index builder's second thread: CRC32 of every event straight from the mapping, and row
/// counts computed ahead for the parser.
final class IndexChecksumThreadTests: XCTestCase {
  var files: [String] {
    TestPaths.fixtureSet("mariadb-10.11") + TestPaths.fixtureSet("mariadb-10.11-compressed")
      + TestPaths.fixtureSet("mariadb-10.11-minimal")
      + TestPaths.corpusFiles()
  }

  /// Every row count the checksum thread hands the parser equals what RowDecoder decodes for
  /// that rows event (the job is run to the end first, so every count it makes is published).
  func testRowCountsComputedAheadEqualTheRowDecoder() throws {
    var compared = 0
    for f in files {
      let input = try BinlogInput(path: f)
      guard input.mapped != nil else { continue }
      let job = ChecksumJob(file: try MappedFile(path: f), name: f, from: 4)
      job.countPassedEvents = true
      job.releaseAll()
      job.run()
      var w = BinlogWalker(source: input)
      try w.run { w, ev in
        guard !ev.inPayload, case .rows(let rows) = ev.body, let map = w.tableMaps[rows.tableID] else { return }
        guard let n = job.ahead.count(at: ev.raw.offset) else { return }
        var want = 0
        if var d = try? RowDecoder(event: rows, table: map) { while (try? d.next()) == true { want += 1 } }
        XCTAssertEqual(n, want, "\(f) rows event at \(ev.raw.offset) (\(ev.raw.type.name)) on \(map.database).\(map.table)")
        compared += 1
      }
    }
    // 683 uncompressed rows events with their table map in the fixtures and corpus today.
    XCTAssertGreaterThan(compared, 600)
  }

  /// A build with the checksum thread (counts computed ahead, pages faulted in by that thread)
  /// writes the same index bytes as a build without it.
  func testIndexBytesAreTheSameWithAndWithoutTheChecksumThread() throws {
    let dir = NSTemporaryDirectory() + "sluice-crc-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var compared = 0
    for (k, f) in files.enumerated() {
      let a = dir + "/\(k).verified.sidx"
      let b = dir + "/\(k).plain.sidx"
      _ = try IndexStore.build(path: f, destination: a)
      _ = try IndexStore.build(path: f, destination: b, options: ReaderOptions(verifyChecksums: false))
      let da = try Data(contentsOf: URL(fileURLWithPath: a))
      let db = try Data(contentsOf: URL(fileURLWithPath: b))
      XCTAssertEqual(da.count, db.count, f)
      XCTAssertTrue(da == db, "\(f): index bytes differ with and without the checksum thread")
      compared += 1
    }
    XCTAssertGreaterThan(compared, 50)
  }

  /// A flipped byte three quarters into a file is reported at its event (the 1 GiB benchmark
  /// binlog was checked the same way by hand: a byte flipped at 900 MB).
  func testChecksumMismatchFarIntoTheFileIsReportedAtItsEvent() throws {
    let f = TestPaths.fixtureSet("mariadb-10.11").max {
      (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0
        < (try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0
    }
    guard let f else { throw XCTSkip("no fixtures") }
    let (dir, copies) = try TestPaths.scratchCopy([f])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (idx, _) = try IndexStore.build(path: copies[0])
    let records = Array(idx.transactions)
    let t = records[records.count * 3 / 4]
    var data = try Data(contentsOf: URL(fileURLWithPath: copies[0]))
    data[Int(t.start) + 20] ^= 0x40
    try data.write(to: URL(fileURLWithPath: copies[0]))
    XCTAssertThrowsError(try IndexStore.build(path: copies[0])) { e in
      let b = e as? BinlogError
      XCTAssertEqual(b?.kind, .checksumMismatch, "\(e)")
      XCTAssertEqual(b?.offset, t.start, "\(e)")
    }
  }
}
