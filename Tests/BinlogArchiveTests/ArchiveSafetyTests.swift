import BinlogFormat
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogArchive

/// Never lose data: no overwrite without force, the source removed only when asked and only
/// once the archive is verified and in place.
final class ArchiveSafetyTests: XCTestCase {
  private func copyOfBiggestFixture() throws -> (String, [UInt8]) {
    let original = try TestPaths.biggestFixture()
    let dir = try temporaryDirectory(removedAfter: self)
    let copy = dir + "/binlog.000042"
    let bytes = try readBytes(original)
    try writeBytes(bytes, to: copy)
    return (copy, bytes)
  }

  func testArchiveKeepsTheSourceUnlessAsked() throws {
    let (path, bytes) = try copyOfBiggestFixture()
    let outcome = try Archiver.archive(path)
    XCTAssertEqual(outcome.output, path + ".zst")
    XCTAssertFalse(outcome.sourceRemoved)
    XCTAssertTrue(try readBytes(path) == bytes)
    XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".zst"))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: Archiver.directory(of: path)).filter { $0.hasPrefix(".") }
    XCTAssertEqual(leftovers, [], "no temporary file left behind")
  }

  func testRemoveSourceDeletesOnlyAfterTheArchiveIsVerifiedAndInPlace() throws {
    let (path, bytes) = try copyOfBiggestFixture()
    let outcome = try Archiver.archive(path, options: Archiver.Options(removeSource: true))
    XCTAssertTrue(outcome.sourceRemoved)
    XCTAssertTrue(outcome.verification.comparedWithOriginal)
    XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    // And back: extract restores it; --remove-source on extract removes the archive.
    let back = try Archiver.extract(outcome.output, options: Archiver.Options(removeSource: true))
    XCTAssertEqual(back.output, path)
    XCTAssertTrue(try readBytes(path) == bytes)
    XCTAssertFalse(FileManager.default.fileExists(atPath: outcome.output))
  }

  func testRemoveSourceRefusesABinlogTheServerStillHasOpen() throws {
    let (path, bytes) = try copyOfBiggestFixture()
    var inUse = bytes
    inUse[4 + 17] |= 0x01  // LOG_EVENT_BINLOG_IN_USE_F in the format description's flags
    try writeBytes(inUse, to: path)
    XCTAssertThrowsError(try Archiver.archive(path, options: Archiver.Options(removeSource: true))) { e in
      XCTAssertTrue((e as! BinlogError).message.contains("in use"), "\(e)")
    }
    XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".zst"))
    // Without --remove-source it archives (a snapshot) and keeps the file.
    XCTAssertNoThrow(try Archiver.archive(path))
    XCTAssertTrue(FileManager.default.fileExists(atPath: path))
  }

  func testRefusesToOverwriteWithoutForce() throws {
    let (path, bytes) = try copyOfBiggestFixture()
    let first = try Archiver.archive(path)
    let archived = try readBytes(first.output)
    var options = Archiver.Options()
    options.settings.level = 19
    XCTAssertThrowsError(try Archiver.archive(path, options: options)) { e in
      XCTAssertEqual((e as! BinlogError).kind, .io)
      XCTAssertTrue((e as! BinlogError).message.contains("already exists"), "\(e)")
    }
    XCTAssertTrue(try readBytes(first.output) == archived, "the existing archive is untouched")
    options.force = true
    XCTAssertNoThrow(try Archiver.archive(path, options: options))
    XCTAssertFalse(try readBytes(first.output) == archived)
    // extract next to the original would overwrite it: refused, the original untouched.
    XCTAssertThrowsError(try Archiver.extract(first.output)) { e in
      XCTAssertTrue((e as! BinlogError).message.contains("already exists"), "\(e)")
    }
    XCTAssertTrue(try readBytes(path) == bytes)
  }

  func testArchiveRefusesWhatIsNotABinlog() throws {
    let dir = try temporaryDirectory(removedAfter: self)
    try writeBytes(Array("not a binlog".utf8), to: dir + "/notes")
    XCTAssertThrowsError(try Archiver.archive(dir + "/notes")) { XCTAssertEqual(($0 as! BinlogError).kind, .notABinlog) }
    let (path, _) = try copyOfBiggestFixture()
    let zst = try Archiver.archive(path).output
    XCTAssertThrowsError(try Archiver.archive(zst)) { XCTAssertEqual(($0 as! BinlogError).kind, .unsupported) }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["notes"])
  }

  func testVerifyComparesWithTheOriginalBesideTheArchive() throws {
    let (path, bytes) = try copyOfBiggestFixture()
    let zst = try Archiver.archive(path).output
    XCTAssertTrue(try Archiver.verify(zst).comparedWithOriginal)
    var changed = bytes
    changed[changed.count / 2] ^= 1
    try writeBytes(changed, to: path)
    XCTAssertThrowsError(try Archiver.verify(zst)) { e in
      XCTAssertEqual((e as! BinlogError).offset, UInt64(bytes.count / 2), "\(e)")
    }
    try FileManager.default.removeItem(atPath: path)
    let selfCheck = try Archiver.verify(zst, threads: 2)
    XCTAssertFalse(selfCheck.comparedWithOriginal)
    XCTAssertEqual(selfCheck.restoredSize, UInt64(bytes.count))
  }
}
