import BinlogFormat
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogArchive

/// Verification compares frames with the original a piece at a time (releasing pages as it
/// goes) and extract writes frames in place from several threads: neither may miss or misplace
/// a byte.
final class ArchiveStreamingVerifyTests: XCTestCase {
  /// Binlog magic then `count` bytes that compress (repeating text with a counter).
  private func bigOriginal(_ count: Int) -> [UInt8] {
    var out = binlogMagic
    out.reserveCapacity(count + 4)
    var i = 0
    while out.count < count + 4 {
      out += Array("row \(i) of a frame bigger than one comparison piece;".utf8)
      i += 1
    }
    return Array(out.prefix(count + 4))
  }

  func testDifferenceDeepInsideAFrameBiggerThanAPieceIsFoundAtItsOffset() throws {
    let dir = try temporaryDirectory(removedAfter: self)
    let original = bigOriginal(7 << 19)  // 3.5 MiB
    let cut = (1 << 20) + 5
    let zst = dir + "/binlog.000001.zst"
    try writeBytes(try seekableArchive(of: original, cuts: [cut]), to: zst)
    let path = dir + "/binlog.000001"
    try writeBytes(original, to: path)
    for threads in [1, 2] {
      let report = try Archiver.verify(zst, threads: threads)
      XCTAssertTrue(report.comparedWithOriginal)
      XCTAssertEqual(report.frames, 2)
    }
    // In frame 1's third piece, its last byte, and frame 0's first piece.
    for at in [cut + (2 << 20) + 77, original.count - 1, 4] {
      var changed = original
      changed[at] ^= 0x20
      try writeBytes(changed, to: path)
      for threads in [1, 2] {
        XCTAssertThrowsError(try Archiver.verify(zst, threads: threads), "byte \(at), \(threads) threads") { e in
          let e = e as! BinlogError
          XCTAssertEqual(e.offset, UInt64(at), e.description)
          XCTAssertTrue(e.message.contains("zstd frame \(at < cut ? 0 : 1) restores bytes that differ"), e.description)
        }
      }
    }
  }

  func testExtractOnTwoThreadsWritesEveryFrameInPlace() throws {
    let dir = try temporaryDirectory(removedAfter: self)
    let original = bigOriginal(3 << 20)
    let cuts = stride(from: 70_001, to: original.count, by: 70_001).map { $0 }
    try writeBytes(try seekableArchive(of: original, cuts: cuts), to: dir + "/binlog.000002.zst")
    let out = dir + "/out"
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    var options = Archiver.Options(outputDirectory: out)
    options.settings.threads = 2
    let outcome = try Archiver.extract(dir + "/binlog.000002.zst", options: options)
    XCTAssertEqual(outcome.verification.frames, cuts.count + 1)
    XCTAssertTrue(try readBytes(out + "/binlog.000002") == original, "restored bytes differ")
  }
}
