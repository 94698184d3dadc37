import CanalProtocol
import XCTest

final class CanalValueTextTests: XCTestCase {
  func testDecimalDropsZeroPartialGroup() {
    // canal-protocol.md §2.6 "DECIMAL text" examples.
    XCTAssertEqual(CanalValueText.decimal("500.00"), "500.0")  // DECIMAL(10,2), issue #2081
    XCTAssertEqual(CanalValueText.decimal("1.50"), "1.50")
    XCTAssertEqual(CanalValueText.decimal("0.05"), "0.05")
    XCTAssertEqual(CanalValueText.decimal("0.00"), "0.0")
    XCTAssertEqual(CanalValueText.decimal("12.3400"), "12.3400")  // DECIMAL(10,4)
    XCTAssertEqual(CanalValueText.decimal("1.5000000000"), "1.500000000")  // DECIMAL(20,10)
    XCTAssertEqual(CanalValueText.decimal("0.0000000000"), "0.000000000")
    XCTAssertEqual(CanalValueText.decimal("7"), "7")  // DECIMAL(5,0)
  }

  func testDecimalKeepsFullNineDigitGroups() {
    XCTAssertEqual(CanalValueText.decimal("0.000000000"), "0.000000000")  // scale 9: one full group
    // Scale 18: two full groups.
    XCTAssertEqual(CanalValueText.decimal("3.100000000000000000"), "3.100000000000000000")
    // Scale 11: the partial group "00" goes, "01" stays.
    XCTAssertEqual(CanalValueText.decimal("1.12345678900"), "1.123456789")
    XCTAssertEqual(CanalValueText.decimal("1.12345678901"), "1.12345678901")
    XCTAssertEqual(CanalValueText.decimal("1.050"), "1.050")
    XCTAssertEqual(CanalValueText.decimal("1.000"), "1.0")
  }

  func testDecimalSignAndLeadingZeros() {
    XCTAssertEqual(CanalValueText.decimal("-1.50"), "-1.50")
    XCTAssertEqual(CanalValueText.decimal("-500.00"), "-500.0")
    XCTAssertEqual(CanalValueText.decimal("-0.05"), "-0.05")
    XCTAssertEqual(CanalValueText.decimal("-0.00"), "0.0", "BigDecimal has no negative zero")
    XCTAssertEqual(CanalValueText.decimal("-0"), "0")
    XCTAssertEqual(CanalValueText.decimal("-0.0000000000"), "0.000000000")
    XCTAssertEqual(CanalValueText.decimal("007.10"), "7.10")
    XCTAssertEqual(CanalValueText.decimal("000"), "0")
    XCTAssertEqual(
      CanalValueText.decimal("-12345678901234567890123456789012345.123456789012345678901234567890"),
      "-12345678901234567890123456789012345.123456789012345678901234567890")
  }

  func testDecimalRejectsMalformedText() {
    for bad in ["", "-", "1.", ".5", "1e5", "+1", "1.2.3", " 1", "1 ", "--1", "1,5", "0x10", "NaN"] {
      XCTAssertNil(CanalValueText.decimal(bad), "\"\(bad)\"")
      var output: [UInt8] = [1]
      XCTAssertFalse(CanalValueText.appendDecimal(bad, to: &output))
      XCTAssertEqual(output, [1], "nothing appended for \"\(bad)\"")
    }
  }

  func testLatin1MapsEachByteToOneCodePoint() {
    let bytes: [UInt8] = [0x41, 0x00, 0x7F, 0x80, 0xA0, 0xE9, 0xFF]
    let text = CanalValueText.latin1(bytes)
    XCTAssertEqual(text.unicodeScalars.map(\.value), [0x41, 0x00, 0x7F, 0x80, 0xA0, 0xE9, 0xFF])
    XCTAssertEqual(
      Array(text.utf8), [0x41, 0x00, 0x7F, 0xC2, 0x80, 0xC2, 0xA0, 0xC3, 0xA9, 0xC3, 0xBF])
    XCTAssertEqual(CanalValueText.latin1([]), "")
  }

  func testLatin1OfEveryByteRoundTripsThroughUnicodeScalars() {
    let all = (0...255).map { UInt8($0) }
    let text = CanalValueText.latin1(all)
    XCTAssertEqual(text.unicodeScalars.map { UInt8($0.value) }, all)
  }

  func testJSONStringEscapes() {
    func quoted(_ s: String) -> String {
      var output: [UInt8] = []
      CanalValueText.appendJSONString(s, to: &output)
      return String(decoding: output, as: UTF8.self)
    }
    XCTAssertEqual(quoted(""), #""""#)
    XCTAssertEqual(quoted("plain"), #""plain""#)
    XCTAssertEqual(quoted("a\"b\\c/d"), #""a\"b\\c/d""#)
    XCTAssertEqual(quoted("\n\r\t"), #""\n\r\t""#)
    XCTAssertEqual(quoted("\u{0}\u{8}\u{C}\u{1F}"), #""\u0000\u0008\u000c\u001f""#)
    XCTAssertEqual(quoted("\u{7F}\u{80}\u{9F}\u{A0}"), #""\u007f\u0080\u009f\u00a0""#)
    XCTAssertEqual(quoted("\u{A1}é中😀 "), "\"\u{A1}é中😀 \"", "U+00A1 and above stay raw")
  }
}
