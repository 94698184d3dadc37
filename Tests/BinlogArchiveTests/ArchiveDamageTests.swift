import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogArchive

/// Damaged archives give one clear BinlogError naming the frame and offset, never a crash, and
/// what is intact stays readable.
final class ArchiveDamageTests: XCTestCase {
  private var path = ""
  private var dir = ""
  private var zst = ""
  private var bytes: [UInt8] = []

  override func setUpWithError() throws {
    path = try TestPaths.biggestFixture()
    dir = try temporaryDirectory(removedAfter: self)
    var options = Archiver.Options(outputDirectory: dir)
    options.settings.frameSize = 8 << 10
    zst = try Archiver.archive(path, options: options).output
    bytes = try readBytes(zst)
  }

  private func damaged(_ change: (inout [UInt8]) -> Void) throws -> String {
    var b = bytes
    change(&b)
    let p = dir + "/damaged-\(UUID().uuidString).zst"
    try writeBytes(b, to: p)
    return p
  }

  func testFlippedByteInAFrameNamesTheFrameAndTheRestStaysReadable() throws {
    let table = try SeekableZstdArchive(path: zst).seekTable
    let k = table.frames.count / 2
    let f = table.frames[k]
    let bad = try damaged { $0[Int(f.compressedOffset + UInt64(f.compressedSize) / 2)] ^= 0x40 }
    let reader = try ArchiveBinlogReader(path: bad)
    let (events, error) = walkEvents(reader)
    let e = try XCTUnwrap(error)
    XCTAssertTrue([.checksumMismatch, .malformed].contains(e.kind), e.description)
    XCTAssertTrue(e.message.contains("zstd frame \(k) of \(table.frames.count)"), e.description)
    XCTAssertEqual(e.offset, f.decompressedOffset)
    // Every event before the damaged frame was read.
    let expected = walkPlain(path).0
    XCTAssertEqual(events, Array(expected.prefix(events.count)))
    XCTAssertEqual(events.filter { !$0.inPayload }.last.map(\.end), f.decompressedOffset)
    // The frames after it still read: resume at the next frame (Sluice cuts at events).
    let resume = try XCTUnwrap(reader.nextFrameStart(after: f.decompressedOffset))
    try reader.seek(to: resume)
    let after = try XCTUnwrap(try reader.next())
    XCTAssertEqual(after.offset, resume)
    XCTAssertTrue(expected.contains { $0.offset == resume && $0.type == after.type && !$0.inPayload })
    XCTAssertThrowsError(try Archiver.verify(bad, original: path)) { e in
      XCTAssertTrue((e as! BinlogError).message.contains("zstd frame \(k)"), "\(e)")
    }
  }

  func testTruncatedArchiveReadsAsAStreamUpToTheCut() throws {
    // Losing the tail loses the seek table: the frames still read front to back.
    for keep in [bytes.count - 1, bytes.count - 30, bytes.count / 2] {
      let bad = try damaged { $0.removeLast($0.count - keep) }
      let source = try XCTUnwrap(try ZstdBinlog.open(path: bad))
      XCTAssertFalse(source.isSeekable)
      let (events, error) = walkEvents(source as! ByteStreamBinlogReader)
      let expected = walkPlain(path).0
      XCTAssertEqual(events, Array(expected.prefix(events.count)))
      let e = try XCTUnwrap(error)
      XCTAssertEqual(e.kind, .truncated, e.description)
      XCTAssertTrue(e.message.contains("ends inside"), e.description)
      if keep > bytes.count / 2 {
        // Only the seek table was cut: every event reads, then the damage is reported.
        XCTAssertEqual(events.count, expected.count)
        XCTAssertTrue(e.message.contains("seek table"), e.description)
      }
      XCTAssertThrowsError(try Archiver.verify(bad, original: path))
    }
  }

  func testSeekTableThatLiesIsCaught() throws {
    let table = try SeekableZstdArchive(path: zst).seekTable
    let entries = bytes.count - table.encodedSize + 8
    // A decompressed size that is too small: the frame no longer fits.
    let wrongSize = try damaged { b in b[entries + 12 * 2 + 4] &-= 1 }
    let (_, e1) = walkEvents(try ArchiveBinlogReader(path: wrongSize))
    XCTAssertNotNil(e1)
    XCTAssertTrue(e1!.message.contains("zstd frame"), e1!.description)
    // A compressed size that is off: the table no longer describes the file.
    let wrongCompressed = try damaged { b in b[entries + 12 * 1] &+= 1 }
    XCTAssertThrowsError(try ZstdBinlog.open(path: wrongCompressed)) { e in
      let e = e as! BinlogError
      XCTAssertEqual(e.kind, .malformed)
      XCTAssertTrue(e.message.contains("does not describe this file"), e.description)
    }
    // A checksum that is wrong.
    let wrongChecksum = try damaged { b in b[entries + 12 * 3 + 8] ^= 1 }
    let (_, e3) = walkEvents(try ArchiveBinlogReader(path: wrongChecksum))
    XCTAssertEqual(e3?.kind, .checksumMismatch, String(describing: e3))
    XCTAssertTrue(e3?.message.contains("zstd frame") ?? false)
  }

  func testFileThatMerelyEndsInZstIsAClearError() throws {
    let fake = dir + "/notes.zst"
    try writeBytes(Array("hello, world\n".utf8), to: fake)
    XCTAssertThrowsError(try ZstdBinlog.open(path: fake)) { e in
      XCTAssertEqual((e as! BinlogError).kind, .notABinlog)
      XCTAssertTrue((e as! BinlogError).message.contains("neither zstd-compressed nor a binlog"))
    }
    XCTAssertThrowsError(try Archiver.extract(fake))
    // A zstd file holding something else is not a binlog either.
    let other = dir + "/other.zst"
    try writeBytes(try seekableArchive(of: Array("just text".utf8), cuts: []), to: other)
    XCTAssertThrowsError(try ZstdBinlog.open(path: other)) { e in
      XCTAssertEqual((e as! BinlogError).kind, .notABinlog)
    }
  }

  func testRandomDamageNeverCrashes() throws {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<40 {
      let bad = try damaged { b in
        for _ in 0..<3 { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
      }
      if let source = try? ZstdBinlog.open(path: bad) {
        if let r = source as? ArchiveBinlogReader { _ = walkEvents(r) }
        if let r = source as? ByteStreamBinlogReader { _ = walkEvents(r) }
      }
      _ = try? Archiver.verify(bad, original: path)
    }
  }
}
