import BinlogFormat
import BinlogIO
import XCTest

@testable import BinlogArchive

final class SeekTableTests: XCTestCase {
  func testSeekTableEncodesExactlyAsTheSpecSays() {
    var t = ZstdSeekTable(checksums: true)
    t.append(compressedSize: 100, decompressedSize: 1000, checksum: 0xAABB_CCDD)
    t.append(compressedSize: 50, decompressedSize: 0, checksum: 0)
    let b = t.encoded()
    // magic 0x184D2A5E, Frame_Size = 2 entries * 12 + 9 footer, entries, footer.
    XCTAssertEqual(Array(b[0..<4]), [0x5E, 0x2A, 0x4D, 0x18])
    XCTAssertEqual(Array(b[4..<8]), [33, 0, 0, 0])
    XCTAssertEqual(Array(b[8..<20]), [100, 0, 0, 0, 0xE8, 0x03, 0, 0, 0xDD, 0xCC, 0xBB, 0xAA])
    XCTAssertEqual(Array(b[b.count - 9..<b.count]), [2, 0, 0, 0, 0x80, 0xB1, 0xEA, 0x92, 0x8F])
    XCTAssertEqual(b.count, t.encodedSize)
  }

  func testSeekTableParsesBackAndMapsOffsetsToFrames() throws {
    for checksums in [true, false] {
      var t = ZstdSeekTable(checksums: checksums)
      t.append(compressedSize: 10, decompressedSize: 0, checksum: 1)  // an empty frame first
      t.append(compressedSize: 20, decompressedSize: 100, checksum: 2)
      t.append(compressedSize: 30, decompressedSize: 50, checksum: 3)
      t.append(compressedSize: 5, decompressedSize: 0, checksum: 4)
      t.append(compressedSize: 40, decompressedSize: 7, checksum: 5)
      let file = [UInt8](repeating: 0, count: Int(t.compressedDataSize)) + t.encoded()
      let parsed = try file.withUnsafeBytes { try ZstdSeekTable(parsingTailOf: $0, name: "t.zst") }
      XCTAssertEqual(parsed, t)
      XCTAssertEqual(parsed.decompressedSize, 157)
      XCTAssertEqual(parsed.frameIndex(containing: 0), 1)
      XCTAssertEqual(parsed.frameIndex(containing: 99), 1)
      XCTAssertEqual(parsed.frameIndex(containing: 100), 2)
      XCTAssertEqual(parsed.frameIndex(containing: 149), 2)
      XCTAssertEqual(parsed.frameIndex(containing: 150), 4)
      XCTAssertEqual(parsed.frameIndex(containing: 156), 4)
      XCTAssertNil(parsed.frameIndex(containing: 157))
      XCTAssertEqual(parsed.frames[4].compressedOffset, 65)
    }
  }

  func testSeekTableThatDoesNotDescribeTheFileIsRejected() {
    var t = ZstdSeekTable(checksums: true)
    t.append(compressedSize: 10, decompressedSize: 10, checksum: 0)
    let tooShort = [UInt8](repeating: 0, count: 9) + t.encoded()
    XCTAssertThrowsError(try tooShort.withUnsafeBytes { try ZstdSeekTable(parsingTailOf: $0, name: "x.zst") }) { e in
      let e = e as! BinlogError
      XCTAssertEqual(e.kind, .malformed)
      XCTAssertTrue(e.message.contains("add up to 10 compressed bytes, but 9 bytes precede"), e.description)
    }
    var reserved = [UInt8](repeating: 0, count: 10) + t.encoded()
    reserved[reserved.count - 5] |= 0x04
    XCTAssertThrowsError(try reserved.withUnsafeBytes { try ZstdSeekTable(parsingTailOf: $0, name: "x.zst") }) { e in
      XCTAssertEqual((e as! BinlogError).kind, .unsupported)
    }
    var manyFrames = [UInt8](repeating: 0, count: 10) + t.encoded()
    manyFrames[manyFrames.count - 9] = 200
    XCTAssertThrowsError(try manyFrames.withUnsafeBytes { try ZstdSeekTable(parsingTailOf: $0, name: "x.zst") }) { e in
      XCTAssertEqual((e as! BinlogError).kind, .truncated, "\(e)")
    }
  }

  func testXXH64MatchesKnownDigestsAndZstdFrameChecksums() throws {
    XCTAssertEqual([UInt8]().withUnsafeBytes { XXH64.digest($0) }, 0xEF46_DB37_51D8_E999)
    // zstd stores the low 32 bits of XXH64 at the end of each frame: check every tail length.
    let compressor = try FrameCompressor(level: 1, maxFrameSize: 1 << 16)
    var rng = SystemRandomNumberGenerator()
    for n in [1, 3, 4, 7, 8, 31, 32, 33, 63, 64, 100, 1000, 4097] {
      let data = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
      let frame = try data.withUnsafeBytes { try compressor.compress($0).get() }
      XCTAssertEqual(data.withUnsafeBytes { XXH64.checksum32($0) }, frame.checksum, "length \(n)")
    }
  }
}
