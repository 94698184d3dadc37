import XCTest

@testable import BinlogFormat

/// Legacy charsets decode as MariaDB 10.11's `SELECT CONVERT(col USING utf8mb4)` returns them. The
/// expected texts are the server's answers (the full check, every character of every charset against
/// a live server, is Tests/roundtrip/charsets.py).
final class CharsetTableTests: XCTestCase {
  func decode(_ hex: String, collation: UInt32) -> String? {
    var bytes: [UInt8] = []
    var i = hex.startIndex
    while i < hex.endIndex {
      let j = hex.index(i, offsetBy: 2)
      bytes.append(UInt8(hex[i..<j], radix: 16)!)
      i = j
    }
    var out: [UInt8] = []
    let ok = bytes.withUnsafeBytes { Charset(collation: collation).appendUTF8($0, into: &out) }
    return ok ? String(decoding: out, as: UTF8.self) : nil
  }

  /// Issue 17: the server returns `ﾊﾟ表\` for sjis CA DF 955C 815F (iconv made the last one U+FF3C).
  func testSjisBackslashIsTheServers() {
    XCTAssertEqual(decode("CADF955C815F", collation: 13), "ﾊﾟ表\\")
    XCTAssertEqual(decode("CADF955C815F", collation: 88), "ﾊﾟ表\\")  // sjis_bin
    XCTAssertEqual(decode("CADF955C815F", collation: 1037), "ﾊﾟ表\\")  // sjis_japanese_nopad_ci
  }

  func testUjisAndEucjpmsFollowTheServer() {
    XCTAssertEqual(decode("A1C0", collation: 12), "\\")  // ujis: U+005C
    XCTAssertEqual(decode("A1C1", collation: 97), "\u{FF5E}")  // eucjpms: FULLWIDTH TILDE
    XCTAssertEqual(decode("8FA2AF", collation: 12), "\u{02D8}")  // ujis three-byte JIS X 0212
  }

  func testEuckrExtendedCodes() {
    XCTAssertEqual(decode("8141", collation: 19), "갂")  // the server's euckr covers the UHC extension
  }

  func testBig5CodesTheServerMapsToReplacementCharacter() {
    XCTAssertEqual(decode("A1C3", collation: 1), "\u{FFFD}")
  }

  func testCharsetsIconvLacked() {
    // dec8 / hp8 / keybcs2 / geostd8 were kept only when valid UTF-8.
    XCTAssertEqual(decode("41E9", collation: 3), "Aé")  // dec8
    XCTAssertEqual(decode("A0", collation: 37), "\u{00E1}")  // keybcs2 á
  }

  func testInvalidSequencesAreRefused() {
    XCTAssertNil(decode("81", collation: 13))  // sjis lead byte without trail
    XCTAssertNil(decode("8120", collation: 13))  // sjis lead + invalid trail (the server prints "? ")
    XCTAssertNil(decode("81", collation: 26))  // cp1250 0x81 is unassigned
  }

  func testEveryServerCharsetHasATable() {
    for name in [
      "armscii8", "ascii", "big5", "cp1250", "cp1251", "cp1256", "cp1257", "cp850", "cp852", "cp866", "cp932", "dec8",
      "eucjpms", "euckr", "gb2312", "gbk", "geostd8", "greek", "hebrew", "hp8", "keybcs2", "koi8r", "koi8u", "latin1",
      "latin2", "latin5", "latin7", "macce", "macroman", "sjis", "swe7", "tis620", "ujis",
    ] {
      XCTAssertNotNil(CharsetTable.named(name), name)
    }
  }
  /// The C transcoder follows a lead byte's entry (0xD800 + k) to row k without a bounds check:
  /// every table, as generated, must link only to rows it has (a bad regeneration fails here,
  /// not as a read past the table), and row 0 must be whole.
  func testEveryLeadByteLinksToARowOfItsTable() throws {
    for name in CharsetTableData.tables.keys.sorted() {
      let t = try XCTUnwrap(CharsetTable.named(name), name)
      let rows = t.rows.count / 256
      XCTAssertEqual(t.rows.count % 256, 0, name)
      XCTAssertGreaterThanOrEqual(rows, 1, name)
      var links = 0
      for (i, v) in t.rows.enumerated() where v >= 0xD800 && v < 0xE000 {
        links += 1
        let k = Int(v - 0xD800)
        XCTAssertTrue(k > 0 && k < rows, "\(name): entry \(i) links to row \(k) of \(rows)")
      }
      // Multi-byte charsets have lead bytes; single-byte ones none.
      XCTAssertEqual(links > 0, t.maxBytesPerCharacter > 1, name)
    }
  }
}
