import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogArchive

final class ArchiveReaderTests: XCTestCase {
  private func archive(_ path: String, frameSize: Int) throws -> String {
    let dir = try temporaryDirectory(removedAfter: self)
    var options = Archiver.Options(outputDirectory: dir)
    options.settings.frameSize = frameSize
    return try Archiver.archive(path, options: options).output
  }

  func testSeekingToTheMiddleDecompressesOnlyTheFramesNeeded() throws {
    let path = try TestPaths.biggestFixture()
    let zst = try archive(path, frameSize: 8 << 10)
    let (events, _) = walkPlain(path)
    let size = UInt64(TestPaths.size(path))
    let target = try XCTUnwrap(events.first { !$0.inPayload && $0.offset >= size / 2 })
    let reader = try ArchiveBinlogReader(path: zst)
    let archive = reader.archive
    XCTAssertGreaterThan(archive.frameCount, 10)
    XCTAssertEqual(archive.framesDecompressed, 1, "opening reads the magic from frame 0")
    try reader.seek(to: target.offset)
    let ev = try XCTUnwrap(try reader.next())
    XCTAssertEqual(ev.offset, target.offset)
    XCTAssertEqual(ev.type, target.type)
    XCTAssertEqual(UInt64(ev.bytes.count), target.end - target.offset)
    let frameOfTarget = try XCTUnwrap(archive.seekTable.frameIndex(containing: target.offset))
    XCTAssertEqual(archive.framesTouched, [0, frameOfTarget], "only the format description's frame and the event's")
    XCTAssertEqual(archive.framesDecompressed, 2)
    // Reading on to the end of that frame decompresses nothing more.
    let frameEnd = archive.seekTable.frames[frameOfTarget].decompressedEnd
    while reader.position < frameEnd, try reader.next() != nil {}
    XCTAssertEqual(archive.framesDecompressed, 2)
  }

  func testEventsSpanningFramesAreAssembled() throws {
    // Cut frames every 1000 bytes, as a tool that knows nothing of events would.
    for path in TestPaths.fixtureFiles() {
      let bytes = try readBytes(path)
      let zst = try temporaryDirectory(removedAfter: self) + "/" + binlogBaseName(path) + ".zst"
      try writeBytes(try seekableArchive(of: bytes, cuts: Array(stride(from: 1000, to: bytes.count, by: 1000))), to: zst)
      let reader = try XCTUnwrap(try ZstdBinlog.open(path: zst) as? ArchiveBinlogReader)
      reader.archive.cacheCapacity = 2
      let (actual, error) = walkEvents(reader)
      let (expected, expectedError) = walkPlain(path)
      XCTAssertNil(error)
      XCTAssertNil(expectedError)
      XCTAssertEqual(actual, expected, path)
    }
  }

  func testArchiveWithoutChecksumsReadsAndVerifies() throws {
    let path = try TestPaths.biggestFixture()
    let bytes = try readBytes(path)
    let zst = try temporaryDirectory(removedAfter: self) + "/b.zst"
    try writeBytes(try seekableArchive(of: bytes, cuts: [5000, 70000], checksums: false), to: zst)
    XCTAssertEqual(walkEvents(try ArchiveBinlogReader(path: zst)).0, walkPlain(path).0)
    let report = try Archiver.verify(zst, original: path)
    XCTAssertTrue(report.comparedWithOriginal)
    XCTAssertEqual(report.frames, 3)
  }

  func testLookaheadXidMatchesTheMappedLookahead() throws {
    for path in TestPaths.fixtureFiles() {
      let zst = try archive(path, frameSize: 4 << 10)
      let file = try MappedFile(path: path)
      let mapped = try MappedBinlogReader(file: file)
      let reader = try ArchiveBinlogReader(path: zst)
      reader.archive.cacheCapacity = 2
      var checked = 0
      while let ev = try reader.next() {
        let end = ev.endOffset
        let expected = CommitLookahead.xid(in: file.bytes, from: Int(end), format: mapped.format, file: "x")
        XCTAssertEqual(reader.lookaheadXid(from: end), expected, "\(path) after the event at \(ev.offset)")
        checked += 1
      }
      XCTAssertGreaterThan(checked, 0)
    }
  }

  func testPlainZstdFileReadsAsAStream() throws {
    let zstd = try zstdCLI()
    let path = try TestPaths.biggestFixture()
    let dir = try temporaryDirectory(removedAfter: self)
    let zst = dir + "/plain.zst"
    XCTAssertEqual(try runCommand([zstd, "-q", "-3", path, "-o", zst]).status, 0)
    let source = try XCTUnwrap(try ZstdBinlog.open(path: zst))
    XCTAssertFalse(source.isSeekable)
    let (actual, error) = walkEvents(source as! ByteStreamBinlogReader)
    XCTAssertNil(error)
    XCTAssertEqual(actual, walkPlain(path).0)
    XCTAssertThrowsError(try source.seek(to: 4)) { XCTAssertEqual(($0 as! BinlogError).kind, .unsupported) }
  }

  func testSeveralFramesAndSkippableFramesReadAsOneStream() throws {
    let zstd = try zstdCLI()
    let path = try TestPaths.biggestFixture()
    let bytes = try readBytes(path)
    let dir = try temporaryDirectory(removedAfter: self)
    let half = bytes.count / 2 + 7  // mid-event on purpose
    try writeBytes(Array(bytes[..<half]), to: dir + "/a")
    try writeBytes(Array(bytes[half...]), to: dir + "/b")
    XCTAssertEqual(try runCommand([zstd, "-q", dir + "/a", "-o", dir + "/a.zst"]).status, 0)
    XCTAssertEqual(try runCommand([zstd, "-q", dir + "/b", "-o", dir + "/b.zst"]).status, 0)
    let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3]
    let joined = try readBytes(dir + "/a.zst") + skippable + (try readBytes(dir + "/b.zst"))
    try writeBytes(joined, to: dir + "/joined.zst")
    let reader = try XCTUnwrap(try ZstdBinlog.open(path: dir + "/joined.zst") as? ByteStreamBinlogReader)
    XCTAssertEqual(walkEvents(reader).0, walkPlain(path).0)
    XCTAssertEqual(reader.bytes.framesCompleted, 3)
  }

  func testArchiveReadsThroughAPipe() throws {
    // A seekable archive piped in reads front to back like any zstd stream; a plain binlog piped
    // into the same reader passes through.
    let path = try TestPaths.biggestFixture()
    let zst = try archive(path, frameSize: 16 << 10)
    for file in [zst, path] {
      let handle = try XCTUnwrap(FileHandle(forReadingAtPath: file))
      let reader = try ByteStreamBinlogReader(input: .descriptor(handle.fileDescriptor, prefix: []), name: "-")
      XCTAssertEqual(reader.bytes.compression == .zstd, file == zst)
      let (events, error) = walkEvents(reader)
      XCTAssertNil(error)
      XCTAssertEqual(events, walkPlain(path).0)
      try handle.close()
    }
  }

  func testPipeDeliveringSmallChunksReadsTheSame() throws {
    // A writer that trickles the archive in 777-byte pieces: every refill is a short read.
    let path = try TestPaths.biggestFixture()
    let bytes = try readBytes(try archive(path, frameSize: 16 << 10))
    let pipe = Pipe()
    let writer = pipe.fileHandleForWriting
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      var at = 0
      while at < bytes.count {
        let n = min(777, bytes.count - at)
        writer.write(Data(bytes[at..<(at + n)]))
        at += n
      }
      try? writer.close()
      done.signal()
    }
    let reader = try ByteStreamBinlogReader(input: .descriptor(pipe.fileHandleForReading.fileDescriptor, prefix: []), name: "-")
    let (events, error) = walkEvents(reader)
    done.wait()
    XCTAssertNil(error)
    XCTAssertEqual(events, walkPlain(path).0)
    XCTAssertEqual(reader.bytes.compressedPosition, UInt64(bytes.count))
  }

  func testPlainBinlogIsNotTakenForAnArchive() throws {
    let path = try TestPaths.biggestFixture()
    XCTAssertNil(try ZstdBinlog.open(path: path))
  }
}
