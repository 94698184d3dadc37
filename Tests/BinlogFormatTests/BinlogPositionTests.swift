import BinlogFormat
import BinlogIO
import XCTest

/// The one position type: what `--start-position`, the schema timeline and Canal's
/// `logfileName`/`logfileOffset` all use.
final class BinlogPositionTests: XCTestCase {
  func testArgumentTakesABareOffsetOrFileAndOffset() throws {
    let bare = try BinlogPosition(argument: "1234")
    XCTAssertFalse(bare.namesFile)
    XCTAssertEqual(bare.offset, 1234)
    let named = try BinlogPosition(argument: "/var/lib/mysql/binlog.000042:4")
    XCTAssertEqual(named, BinlogPosition(file: "binlog.000042", offset: 4))
    XCTAssertTrue(named.namesFile)
    XCTAssertEqual(named.description, "binlog.000042:4")
  }

  func testArgumentRefusesWhatIsNotAPosition() {
    for text in ["", "binlog.000001", "binlog.000001:", ":12", "12x", "-4"] {
      XCTAssertThrowsError(try BinlogPosition(argument: text), "'\(text)'")
    }
  }

  func testOrderComparesDigitRunsAsNumbersThenOffset() {
    let a = BinlogPosition(file: "binlog.999999", offset: 900)
    let b = BinlogPosition(file: "binlog.1000000", offset: 4)
    let c = BinlogPosition(file: "binlog.1000000", offset: 120)
    XCTAssertEqual([c, a, b].sorted(), [a, b, c])
    XCTAssertTrue(BinlogPosition.naturalLess("mysql-bin.000009", "mysql-bin.000010"))
    XCTAssertFalse(BinlogPosition.naturalLess("mysql-bin.000010", "mysql-bin.10"))
  }

  func testBaseNameAndTheBinlogAnArchiveStandsFor() {
    XCTAssertEqual(binlogBaseName("/var/lib/mysql/binlog.000001"), "binlog.000001")
    XCTAssertEqual(binlogBaseName("binlog.000001"), "binlog.000001")
    XCTAssertEqual(originalBinlogName("/backups/binlog.000007.zst"), "binlog.000007")
    XCTAssertEqual(originalBinlogName("/var/lib/mysql/binlog.000007"), "binlog.000007")
    XCTAssertEqual(ZstdBinlog.originalName("/backups/binlog.000007.zst"), "/backups/binlog.000007")
    XCTAssertEqual(ZstdBinlog.originalName(".zst"), ".zst")
  }
}
