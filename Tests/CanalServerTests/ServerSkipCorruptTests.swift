import BinlogFormat
import Foundation
import SluiceTestSupport
import SwiftProtobuf
import XCTest

@testable import CanalProtocol
@testable import CanalServer

/// `serve --skip-corrupt`: the server reads a damaged binlog past its damage like the other
/// commands (the transactions the damage falls in are left out, every other one is served).
final class ServerSkipCorruptTests: XCTestCase {
  static let fixture = TestPaths.fixtures + "/mariadb-10.11/binlog.000001"

  /// Every entry the server hands out for `paths`, serialized, and each one's binlog offset;
  /// `complete` is false when a GET failed (the server answered with an error) before the end.
  func served(_ paths: [String], _ reader: ReaderOptions) throws -> (entries: [(offset: Int64, bytes: Data)], complete: Bool) {
    let (entries, complete) = try ServedBinlogs.drain(try ServedBinlogs.core(paths, readerOptions: reader), fetch: 100)
    return (try entries.map { (try CanalEntry(serializedBytes: $0).header.logfileOffset, $0) }, complete)
  }

  func testServesEveryTransactionOutsideTheDamagedRegion() throws {
    let original = try Data(contentsOf: URL(fileURLWithPath: Self.fixture))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-serve-salvage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    // A zeroed 4 KiB block in the middle of the file.
    var damaged = [UInt8](original)
    let hole = 80_000..<(80_000 + 4096)
    for i in hole { damaged[i] = 0 }
    let path = dir.appendingPathComponent("binlog.000001").path
    try Data(damaged).write(to: URL(fileURLWithPath: path))

    final class Regions: @unchecked Sendable {
      let lock = NSLock()
      var list: [String] = []
    }
    let seen = Regions()
    var salvage = ReaderOptions(skipCorrupt: true)
    salvage.onSkippedRange = { r in seen.lock.withLock { seen.list.append("\(r)") } }
    let (whole, wholeComplete) = try served([Self.fixture], ReaderOptions())
    let (got, gotComplete) = try served([path], salvage)
    XCTAssertTrue(wholeComplete)
    XCTAssertTrue(gotComplete, "--skip-corrupt serves to the end")
    XCTAssertEqual(seen.list.count, 1, "\(seen.list)")
    // Without --skip-corrupt the damage stops the stream at the damaged event.
    let (stopped, stoppedComplete) = try served([path], ReaderOptions())
    XCTAssertFalse(stoppedComplete)
    XCTAssertTrue(stopped.allSatisfy { $0.offset < Int64(hole.upperBound) })

    // The served entries are the undamaged file's entries with one run taken out: those of the
    // transactions the damage falls in (the region reported, widened to whole transactions).
    XCTAssertGreaterThan(got.count, whole.count / 2)
    XCTAssertLessThan(got.count, whole.count)
    let before = got.prefix { $0.offset < Int64(hole.lowerBound) }
    XCTAssertGreaterThan(before.count, 10)
    XCTAssertTrue(before.map(\.bytes) == whole.prefix(before.count).map(\.bytes), "entries before the damage differ")
    let after = got.dropFirst(before.count)
    XCTAssertGreaterThan(after.count, 10)
    XCTAssertTrue(after.allSatisfy { $0.offset > Int64(hole.upperBound) })
    XCTAssertTrue(after.map(\.bytes) == whole.suffix(after.count).map(\.bytes), "entries after the damage differ")
  }
}
