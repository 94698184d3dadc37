import BinlogFormat
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogArchive

/// `ArchiveBatch`: the per-file loops of `sluice archive`, `archive --verify` and `extract` as a
/// library call over a fixture binlog.
final class ArchiveBatchTests: XCTestCase {
  func testArchiveVerifyExtractOneLineEach() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir + "/restored", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let source = TestPaths.fixtures + "/mariadb-10.11/binlog.000002"
    var options = Archiver.Options()
    options.settings.frameSize = ArchiveBatch.parseByteSize("4K")!
    options.outputDirectory = dir
    var reports: [ArchiveBatch.FileReport] = []
    ArchiveBatch.run(.archive, paths: [source, dir + "/missing.000001"], options: options) { reports.append($0) }
    XCTAssertEqual(reports.count, 2)
    let line = try XCTUnwrap(reports[0].line)
    XCTAssertTrue(
      line.hasPrefix("\(source) -> \(dir)/binlog.000002.zst: 20842 -> 8215 bytes (2.54x), 5 frames, verified, "), line)
    XCTAssertNil(reports[0].error)
    XCTAssertNil(reports[1].line)
    XCTAssertEqual(reports[1].error?.kind, .io)

    let archives = try ArchiveBatch.archives(in: [dir])
    XCTAssertEqual(archives, [dir + "/binlog.000002.zst"])
    reports = []
    ArchiveBatch.run(.verify, paths: archives, options: Archiver.Options()) { reports.append($0) }
    XCTAssertEqual(
      reports.map(\.line),
      [
        "\(dir)/binlog.000002.zst: ok, 5 frames restore 20842 bytes, frame sizes and checksums correct (no original beside it to compare)\n"
      ])

    options.outputDirectory = dir + "/restored"
    reports = []
    ArchiveBatch.run(.extract, paths: archives, options: options) { reports.append($0) }
    XCTAssertTrue(
      reports[0].line?.hasPrefix("\(dir)/binlog.000002.zst -> \(dir)/restored/binlog.000002: 20842 bytes, verified, ")
        == true, "\(reports[0])")
    XCTAssertEqual(
      try Data(contentsOf: URL(fileURLWithPath: dir + "/restored/binlog.000002")),
      try Data(contentsOf: URL(fileURLWithPath: source)))
  }

  func testByteSizesAndTexts() {
    XCTAssertEqual(ArchiveBatch.parseByteSize("64K"), 65536)
    XCTAssertEqual(ArchiveBatch.parseByteSize("4MiB"), 4 << 20)
    XCTAssertNil(ArchiveBatch.parseByteSize("4X"))
    XCTAssertEqual(ArchiveBatch.ratioText(2.537), "2.54x")
    XCTAssertEqual(ArchiveBatch.secondsText(0.078), "0.078 s")
  }
}
