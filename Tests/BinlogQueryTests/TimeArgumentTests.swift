import BinlogFormat
import BinlogQuery
import XCTest

/// Every time option reads what Sluice prints, wall-clock times in the zone given, and @epoch;
/// impossible dates are refused with the reason.
final class TimeArgumentTests: XCTestCase {
  let utc = TimeZoneSpec.utc
  let t0: Int64 = 1_709_254_800_000_000  // 2024-03-01T01:00:00Z

  func micros(_ s: String, _ zone: String = "UTC") throws -> Int64 {
    try TimeArgument.epochMicros(s, zone: try TimeZoneSpec(parsing: zone))
  }

  func testWhatSluicePrintsReadsBack() throws {
    XCTAssertEqual(try micros("2024-03-01T01:00:00Z"), t0)
    XCTAssertEqual(try micros("2024-03-01T01:00:00.250Z"), t0 + 250_000)
    XCTAssertEqual(try micros("2024-03-01T03:00:00+02:00"), t0)
    XCTAssertEqual(try micros("2024-02-29T19:30:00-05:30"), t0)
    XCTAssertEqual(try micros("2024-03-01T03:00:00+0200"), t0)
    XCTAssertEqual(try micros("2024-03-01 03:00:00.000001+02:00"), t0 + 1)
    // An explicit offset wins over --timezone.
    XCTAssertEqual(try micros("2024-03-01T01:00:00Z", "Asia/Shanghai"), t0)
  }

  func testWallClockTimesAreInTheZoneGiven() throws {
    XCTAssertEqual(try micros("2024-03-01 01:00:00"), t0)
    XCTAssertEqual(try micros("2024-03-01 01:00"), t0)
    XCTAssertEqual(try micros("2024-03-01T01:00"), t0)
    XCTAssertEqual(try micros("2024-03-01 09:00:00", "Asia/Shanghai"), t0)
    XCTAssertEqual(try micros("2024-03-01 03:00:00.5", "+02:00"), t0 + 500_000)
    XCTAssertEqual(try micros("2024-03-01"), t0 - 3600 * 1_000_000)
  }

  func testEpochSeconds() throws {
    XCTAssertEqual(try micros("@1709254800"), t0)
    XCTAssertEqual(try micros("@1709254800.5", "Asia/Shanghai"), t0 + 500_000)
    XCTAssertThrowsError(try micros("@17x")) { XCTAssertTrue("\($0)".contains("epoch seconds"), "\($0)") }
  }

  func testImpossibleDatesAreRefusedWithTheReason() {
    let cases = [
      ("2024-02-30", "February 2024 has 29 days"), ("2023-02-29", "February 2023 has 28 days"),
      ("2024-04-31 00:00", "April 2024 has 30 days"), ("2024-13-01", "month 13 does not exist"),
      ("2024-03-01 25:00", "hour 25 is past 23"), ("2024-03-01 10:60", "minute 60 is past 59"),
      ("2024-03-01T10:00:61Z", "second 61 is past 59"), ("2024-03-01T10:00:00+15:00", "within ±14:00"),
      ("yesterday", "expected YYYY-MM-DD"),
    ]
    for (text, why) in cases {
      XCTAssertThrowsError(try micros(text), text) { e in
        let m = "\(e)"
        XCTAssertTrue(m.contains(why) && m.contains(text), "\(text): \(m)")
      }
    }
    XCTAssertNoThrow(try micros("2000-02-29"))
    XCTAssertThrowsError(try micros("1900-02-29"))
  }

  func testFilterArgumentsUseTheSameTimes() throws {
    var a = FilterArguments()
    a.startDatetime = "2024-03-01T03:00:00+02:00"
    a.stopDatetime = "@1709254801"
    let f = try a.filter(zone: utc)
    XCTAssertEqual(f.startMicros, UInt64(t0))
    XCTAssertEqual(f.stopMicros, UInt64(t0) + 1_000_000)
    a.stopDatetime = "2024-03-01 01:00:00"
    XCTAssertThrowsError(try a.filter(zone: utc)) { XCTAssertTrue("\($0)".contains("window is empty"), "\($0)") }
  }
}
