import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogArchive

/// archive → `zstd -d` and archive → extract give back the original bytes; the archive reads
/// as the same events.
final class ArchiveRoundTripTests: XCTestCase {
  /// Archives `path` into `dir`, then checks the CLI's and extract's output and the events.
  private func roundTrip(_ path: String, dir: String, frameSize: Int, zstd: String) throws {
    let name = binlogBaseName(path)
    var options = Archiver.Options()
    options.outputDirectory = dir
    options.settings.frameSize = frameSize
    let outcome = try Archiver.archive(path, options: options)
    XCTAssertEqual(outcome.output, dir + "/" + name + ".zst")
    XCTAssertTrue(outcome.verification.comparedWithOriginal)
    let original = try readBytes(path)

    let unzstd = try runCommand([zstd, "-d", "-q", "-c", outcome.output])
    let (status, restored) = (unzstd.status, unzstd.stdout)
    XCTAssertEqual(status, 0, "zstd -d \(outcome.output)")
    XCTAssertTrue([UInt8](restored) == original, "zstd -d of \(name) differs from the original")

    let extractDir = dir + "/x-" + name
    try FileManager.default.createDirectory(atPath: extractDir, withIntermediateDirectories: true)
    var extractOptions = Archiver.Options()
    extractOptions.outputDirectory = extractDir
    let back = try Archiver.extract(outcome.output, options: extractOptions)
    XCTAssertEqual(back.output, extractDir + "/" + name)
    XCTAssertTrue(try readBytes(back.output) == original, "extract of \(name) differs from the original")

    let (expected, expectedError) = walkPlain(path)
    let reader = try XCTUnwrap(try ZstdBinlog.open(path: outcome.output) as? ArchiveBinlogReader)
    let (actual, actualError) = walkEvents(reader)
    XCTAssertEqual(actual.count, expected.count, "\(name): event count")
    if let i = zip(actual, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
      XCTFail("\(name): event \(i) is \(actual[i]) from the archive, \(expected[i]) from the original")
    }
    XCTAssertEqual(
      actualError?.kind, expectedError?.kind,
      "\(name): \(String(describing: actualError)) vs \(String(describing: expectedError))")
    XCTAssertEqual(actualError?.offset, expectedError?.offset, "\(name): error offset")
    XCTAssertEqual(reader.archive.framesDecompressed, outcome.statistics!.frames, "\(name): each frame decompressed once")
  }

  func testEveryFixtureRoundTripsThroughZstdCLIAndExtract() throws {
    let zstd = try zstdCLI()
    let fixtures = TestPaths.fixtureFiles()
    XCTAssertFalse(fixtures.isEmpty)
    let dir = try temporaryDirectory(removedAfter: self)
    for (k, f) in fixtures.enumerated() {
      // Default frames (one frame for most fixtures) and small ones (many frames, cut at transactions).
      for frameSize in [ArchiveSettings.defaultFrameSize, 16 << 10] {
        let sub = dir + "/\(k)-\(frameSize)"
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        try roundTrip(f, dir: sub, frameSize: frameSize, zstd: zstd)
      }
    }
  }

  func testEveryCorpusFileRoundTripsThroughZstdCLIAndExtract() throws {
    let zstd = try zstdCLI()
    let files = try TestPaths.corpusFiles()
    let dir = try temporaryDirectory(removedAfter: self)
    for (k, f) in files.enumerated() {
      let sub = dir + "/\(k)"
      try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
      try roundTrip(f, dir: sub, frameSize: 4 << 10, zstd: zstd)
    }
  }

  func testFramesStartAtEventsAndMostlyAtTransactionBoundaries() throws {
    // The fixture with many small transactions (the others hold a few bulk ones).
    let path = try XCTUnwrap(TestPaths.fixtureFiles().first { $0.hasSuffix("/mariadb-10.11/binlog.000001") })
    let dir = try temporaryDirectory(removedAfter: self)
    var options = Archiver.Options(outputDirectory: dir)
    options.settings.frameSize = 8 << 10
    let outcome = try Archiver.archive(path, options: options)
    let stats = try XCTUnwrap(outcome.statistics)
    XCTAssertGreaterThan(stats.frames, 10)
    XCTAssertGreaterThan(stats.transactionCuts, stats.eventCuts, "most cuts fall between transactions")
    XCTAssertEqual(stats.blindCuts, 0)
    XCTAssertNil(stats.framingStoppedAt)
    let starts = Set(walkPlain(path).0.filter { !$0.inPayload }.map(\.offset))
    let archive = try SeekableZstdArchive(path: outcome.output)
    for f in archive.seekTable.frames.dropFirst() {
      XCTAssertTrue(starts.contains(f.decompressedOffset), "frame starting at \(f.decompressedOffset) splits an event")
      XCTAssertLessThanOrEqual(Int(f.decompressedSize), (8 << 10) * 3 / 2 + 70_000, "frame near the frame size")
    }
  }

  func testTwoThreadsWriteTheSameArchiveAsOne() throws {
    let path = try TestPaths.biggestFixture()
    var archives: [[UInt8]] = []
    for threads in [1, 2] {
      let dir = try temporaryDirectory(removedAfter: self)
      var options = Archiver.Options(outputDirectory: dir)
      options.settings.frameSize = 8 << 10
      options.settings.threads = threads
      archives.append(try readBytes(try Archiver.archive(path, options: options).output))
    }
    XCTAssertTrue(archives[0] == archives[1], "parallel compression must not change the output")
  }

  func testDamagedBinlogIsStillArchivedByteForByte() throws {
    // A binlog cut mid-event: framing stops there, the rest is cut blindly, bytes still round-trip.
    let path = try TestPaths.biggestFixture()
    let dir = try temporaryDirectory(removedAfter: self)
    let bytes = try readBytes(path)
    let cut = dir + "/binlog.000009"
    try writeBytes(Array(bytes[0..<(bytes.count * 2 / 3)]), to: cut)
    var options = Archiver.Options()
    options.settings.frameSize = 4 << 10
    let outcome = try Archiver.archive(cut, options: options)
    XCTAssertNotNil(outcome.statistics?.framingStoppedAt)
    let unzstd = try runCommand([try zstdCLI(), "-d", "-q", "-c", outcome.output])
    let (status, restored) = (unzstd.status, unzstd.stdout)
    XCTAssertEqual(status, 0)
    XCTAssertTrue([UInt8](restored) == Array(bytes[0..<(bytes.count * 2 / 3)]))
    let (events, error) = walkEvents(try ArchiveBinlogReader(path: outcome.output))
    let (plainEvents, plainError) = walkPlain(cut)
    XCTAssertEqual(events, plainEvents)
    XCTAssertEqual(error?.kind, .truncated)
    XCTAssertEqual(error?.offset, plainError?.offset)
  }
}
