import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogArchive

/// The `sluice` binary on archives: every command's output (events, export, info, query with
/// several filters, stats) on FILE.zst equals its output on FILE. Skips until the binary has the archive commands and `BinlogInput` opens `.zst` files.
final class ArchiveCLITests: XCTestCase {
  private func sluice() throws -> String { try sluiceExecutable() }

  private func run(_ args: [String]) throws -> (Int32, Data, String) { try runSluice(args) }

  /// Skips unless `sluice` has `archive` and reads `.zst` inputs.
  private func wiredSluice() throws -> String {
    let s = try sluice()
    // `sluice X --help` exits 0 even for an unknown X (the root help): look at the list instead.
    let help = String(decoding: try run([s, "--help"]).1, as: UTF8.self)
    guard help.contains("\n  archive "), help.contains("\n  extract ") else {
      throw XCTSkip("sluice has no archive command yet (register ArchiveCommand/ExtractCommand in Sluice.swift)")
    }
    let dir = try temporaryDirectory(removedAfter: self)
    let fixture = try TestPaths.biggestFixture()
    let zst = try Archiver.archive(fixture, options: Archiver.Options(outputDirectory: dir)).output
    let (status, _, err) = try run([s, "info", zst])
    guard status == 0 else { throw XCTSkip("BinlogInput does not open .zst archives yet: \(err)") }
    return s
  }

  func testEveryCommandReadsAnArchiveLikeTheBinlog() throws {
    let s = try wiredSluice()
    let dir = try temporaryDirectory(removedAfter: self)
    var files = TestPaths.fixtureFiles()
    if let corpus = try? TestPaths.corpusFiles() { files += corpus }
    let commands = [
      ["events", "--format", "ndjson"], ["export", "--format", "ndjson"], ["info", "--format", "json"],
      ["query", "--no-index"],
      [
        "query", "--no-index", "--type", "insert,delete,ddl", "--table", "*.t*", "--stop-position", "200000", "--rows",
        "--format", "ndjson",
      ],
      ["stats", "--format", "json"],
    ]
    for (k, path) in files.enumerated() {
      let sub = dir + "/\(k)"
      try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
      // The copy and its archive side by side, so paths in the output (info) match too.
      let copy = sub + "/" + binlogBaseName(path)
      try FileManager.default.copyItem(atPath: path, toPath: copy)
      var options = Archiver.Options()
      options.settings.frameSize = 4 << 10
      let zst = try Archiver.archive(copy, options: options).output
      for command in commands {
        // The two runs side by side (two cores): this test launches ~1300 processes.
        let both = try runSluiceConcurrently([[s] + command + [copy], [s] + command + [zst]])
        let (plainStatus, plainOut, _) = both[0]
        let (zstStatus, zstOut, zstErr) = both[1]
        XCTAssertEqual(zstStatus, plainStatus, "\(command) \(path): \(zstErr)")
        if zstOut != plainOut {
          let a = String(decoding: plainOut, as: UTF8.self).split(separator: "\n")
          let b = String(decoding: zstOut, as: UTF8.self).split(separator: "\n")
          let i = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
          XCTFail(
            "\(command) \(path): line \(i + 1) differs:\n  binlog:  \(i < a.count ? a[i].prefix(300) : "(none)")\n  archive: \(i < b.count ? b[i].prefix(300) : "(none)")"
          )
        }
      }
    }
  }

  func testArchiveAndExtractCommands() throws {
    let s = try wiredSluice()
    let zstd = try zstdCLI()
    let dir = try temporaryDirectory(removedAfter: self)
    let fixture = try TestPaths.biggestFixture()
    let original = try readBytes(fixture)
    let binlog = dir + "/binlog.000007"
    try writeBytes(original, to: binlog)

    var (status, out, err) = try run([s, "archive", "--threads", "2", "--frame-size", "16K", binlog])
    XCTAssertEqual(status, 0, err)
    XCTAssertTrue(String(decoding: out, as: UTF8.self).contains("verified"))
    XCTAssertTrue(try readBytes(binlog) == original, "the source is kept")
    XCTAssertTrue([UInt8](try runCommand([zstd, "-d", "-q", "-c", binlog + ".zst"]).stdout) == original)

    (status, _, err) = try run([s, "archive", binlog])
    XCTAssertEqual(status, 3, "refuses to overwrite: \(err)")
    XCTAssertTrue(err.contains("already exists"), err)

    (status, out, err) = try run([s, "archive", "--verify", binlog + ".zst"])
    XCTAssertEqual(status, 0, err)
    XCTAssertTrue(String(decoding: out, as: UTF8.self).contains("identical to"))

    (status, _, err) = try run([s, "extract", binlog + ".zst"])
    XCTAssertEqual(status, 3, "refuses to overwrite the original: \(err)")

    (status, _, err) = try run([s, "archive", "--force", "--remove-source", binlog])
    XCTAssertEqual(status, 0, err)
    XCTAssertFalse(FileManager.default.fileExists(atPath: binlog))
    (status, _, err) = try run([s, "extract", "--remove-source", binlog + ".zst"])
    XCTAssertEqual(status, 0, err)
    XCTAssertTrue(try readBytes(binlog) == original)
    XCTAssertFalse(FileManager.default.fileExists(atPath: binlog + ".zst"))

    (status, _, _) = try run([s, "archive", "--frame-size", "12", binlog])
    XCTAssertEqual(status, 64)
  }
}
