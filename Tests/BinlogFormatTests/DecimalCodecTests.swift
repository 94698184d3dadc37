import Foundation
import Testing

@testable import BinlogFormat

/// The real-server corpus at `../shared/corpus` relative to the package root. Tests that need it
/// are skipped with a message when it is absent. (Shared by the value-codec test files.)
enum ValueCorpus {
  static let root: String = {
    // #filePath is <package>/Tests/BinlogFormatTests/DecimalCodecTests.swift.
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent()
    return package.appendingPathComponent("../shared/corpus").standardizedFileURL.path
  }()

  static let isAvailable = FileManager.default.fileExists(atPath: root + "/EXPECTED.md")
  static let skipMessage: Comment = "corpus not found at ../shared/corpus"

  struct Missing: Error, CustomStringConvertible {
    let path: String
    var description: String { "corpus file missing: \(path)" }
  }

  static func file(_ relative: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: root + "/" + relative) else {
      throw Missing(path: relative)
    }
    return [UInt8](data)
  }

  /// Reads the little-endian UInt32 at `offset` (a JSON column's length prefix).
  static func u32(_ bytes: [UInt8], at offset: Int) -> Int {
    Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(
      bytes[offset + 3]) << 24
  }
}

/// `DecimalCodec.text` over a slice of `bytes`.
private func decimalText(_ bytes: [UInt8], at offset: Int, precision: Int, scale: Int) throws
  -> String
{
  try bytes.withUnsafeBytes { raw in
    let size = DecimalCodec.storageSize(precision: precision, scale: scale)
    return try DecimalCodec.text(
      UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)]), precision: precision,
      scale: scale)
  }
}

/// Binary DECIMAL for a value written as text, built the way `decimal2bin` does (test-only encoder).
enum TestDecimalWriter {
  static func binary(_ text: String, precision: Int, scale: Int) -> [UInt8] {
    var digits = Substring(text)
    let negative = digits.hasPrefix("-")
    if negative { digits = digits.dropFirst() }
    let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
    let intText = String(parts[0].drop(while: { $0 == "0" }))
    let fracText = parts.count > 1 ? String(parts[1]) : ""
    let intg = precision - scale
    let intDigits = Array(String(repeating: "0", count: max(0, intg - intText.count)) + intText).map {
      Int(String($0))!
    }
    let fracDigits = Array(fracText + String(repeating: "0", count: max(0, scale - fracText.count)))
      .map { Int(String($0))! }
    var out: [UInt8] = []
    func put(_ group: ArraySlice<Int>) {
      let value = group.reduce(0) { $0 * 10 + $1 }
      let width = DecimalCodec.bytesForDigits(group.count)
      for i in stride(from: width - 1, through: 0, by: -1) {
        out.append(UInt8(truncatingIfNeeded: value >> (8 * i)))
      }
    }
    let lead = intg % 9
    if lead > 0 { put(intDigits[0..<lead]) }
    var i = lead
    while i < intDigits.count {
      put(intDigits[i..<(i + 9)])
      i += 9
    }
    i = 0
    while i + 9 <= fracDigits.count {
      put(fracDigits[i..<(i + 9)])
      i += 9
    }
    if i < fracDigits.count { put(fracDigits[i...]) }
    out[0] ^= 0x80
    if negative { out = out.map { ~$0 } }
    return out
  }
}

private func decimalText(binary: [UInt8], precision: Int, scale: Int) throws -> String {
  try binary.withUnsafeBytes { try DecimalCodec.text($0, precision: precision, scale: scale) }
}

@Suite struct DecimalCodecTests {
  // MARK: Real files

  /// go-mysql tcb-eval002c-bin.003320 (Percona 5.6.16): one WRITE_ROWS of 17 rows into
  /// test.decodedecimal(id INT, 11 DECIMAL columns, prec INT, scale INT); values from EXPECTED.md.
  static let decodeDecimalColumns: [(precision: Int, scale: Int)] = [
    (4, 2), (5, 0), (7, 3), (10, 2), (10, 3), (13, 2), (15, 14), (20, 10), (30, 5), (30, 20),
    (30, 25),
  ]
  // swift-format-ignore
  static let decodeDecimalRows: [(id: Int, values: [String], prec: Int, scale: Int)] = [
    (1, ["-10.55", "-11", "-10.550", "-10.55", "-10.550", "-10.55", "-9.99999999999999", "-10.5500000000", "-10.55000", "-10.55000000000000000000", "-10.5500000000000000000000000"], 4, 2),
    (2, ["0.01", "0", "0.012", "0.01", "0.012", "0.01", "0.01234567890123", "0.0123456789", "0.01235", "0.01234567890123456789", "0.0123456789012345678912345"], 30, 25),
    (3, ["99.99", "12345", "9999.999", "12345.00", "12345.000", "12345.00", "9.99999999999999", "12345.0000000000", "12345.00000", "12345.00000000000000000000", "12345.0000000000000000000000000"], 5, 0),
    (4, ["99.99", "12345", "9999.999", "12345.00", "12345.000", "12345.00", "9.99999999999999", "12345.0000000000", "12345.00000", "12345.00000000000000000000", "12345.0000000000000000000000000"], 10, 3),
    (5, ["99.99", "123", "123.450", "123.45", "123.450", "123.45", "9.99999999999999", "123.4500000000", "123.45000", "123.45000000000000000000", "123.4500000000000000000000000"], 10, 3),
    (6, ["-99.99", "-123", "-123.450", "-123.45", "-123.450", "-123.45", "-9.99999999999999", "-123.4500000000", "-123.45000", "-123.45000000000000000000", "-123.4500000000000000000000000"], 20, 10),
    (7, ["0.00", "0", "0.000", "0.00", "0.000", "0.00", "0.00012345000099", "0.0001234500", "0.00012", "0.00012345000098765000", "0.0001234500009876500000000"], 15, 14),
    (8, ["0.00", "0", "0.000", "0.00", "0.000", "0.00", "0.00012345000099", "0.0001234500", "0.00012", "0.00012345000098765000", "0.0001234500009876500000000"], 22, 20),
    (9, ["0.12", "0", "0.123", "0.12", "0.123", "0.12", "0.12345000098765", "0.1234500010", "0.12345", "0.12345000098765000000", "0.1234500009876500000000000"], 30, 20),
    (10, ["0.00", "0", "0.000", "0.00", "0.000", "0.00", "-0.00000001234500", "-0.0000000123", "0.00000", "-0.00000001234500009877", "-0.0000000123450000987650000"], 30, 20),
    (11, ["99.99", "99999", "9999.999", "99999999.99", "9999999.999", "99999999999.99", "9.99999999999999", "9999999999.9999999999", "1234500009876.50000", "9999999999.99999999999999999999", "99999.9999999999999999999999999"], 30, 5),
    (12, ["99.99", "99999", "9999.999", "99999999.99", "9999999.999", "111111111.11", "9.99999999999999", "111111111.1100000000", "111111111.11000", "111111111.11000000000000000000", "99999.9999999999999999999999999"], 10, 2),
    (13, ["0.01", "0", "0.010", "0.01", "0.010", "0.01", "0.01000000000000", "0.0100000000", "0.01000", "0.01000000000000000000", "0.0100000000000000000000000"], 7, 3),
    (14, ["99.99", "123", "123.400", "123.40", "123.400", "123.40", "9.99999999999999", "123.4000000000", "123.40000", "123.40000000000000000000", "123.4000000000000000000000000"], 10, 2),
    (15, ["-99.99", "-563", "-562.580", "-562.58", "-562.580", "-562.58", "-9.99999999999999", "-562.5800000000", "-562.58000", "-562.58000000000000000000", "-562.5800000000000000000000000"], 13, 2),
    (16, ["-99.99", "-3699", "-3699.010", "-3699.01", "-3699.010", "-3699.01", "-9.99999999999999", "-3699.0100000000", "-3699.01000", "-3699.01000000000000000000", "-3699.0100000000000000000000000"], 13, 2),
    (17, ["-99.99", "-1948", "-1948.140", "-1948.14", "-1948.140", "-1948.14", "-9.99999999999999", "-1948.1400000000", "-1948.14000", "-1948.14000000000000000000", "-1948.1400000000000000000000000"], 13, 2),
  ]

  @Test(.enabled(if: ValueCorpus.isAvailable, ValueCorpus.skipMessage))
  func testDecimalTableOf17RowsFromPercona56() throws {
    let file = try ValueCorpus.file("go-mysql-org__go-mysql/tcb-eval002c-bin.003320")
    // Found with a header walk: the WRITE_ROWS (type 30) event starts at 284; its body (after the
    // 19-byte header) is table id(6) flags(2) extra-data length(2, =2) column count(1, =14) and a
    // 2-byte column bitmap, so the first row starts at 284+19+13 = 316 and the rows end 4 bytes
    // (CRC32) before the event's end at 2054. No column is NULL, so each row is a 2-byte null
    // bitmap, then id INT, the 11 DECIMALs and two INTs, all fixed-size.
    var offset = 316
    for expected in Self.decodeDecimalRows {
      let nullBits = Int(file[offset]) | Int(file[offset + 1]) << 8
      #expect(nullBits & 0x3FFF == 0, "row \(expected.id) at \(offset): unexpected NULL")
      offset += 2
      let id = ValueCorpus.u32(file, at: offset)
      #expect(id == expected.id, "row at \(offset)")
      offset += 4
      for (column, definition) in Self.decodeDecimalColumns.enumerated() {
        let actual = try decimalText(
          file, at: offset, precision: definition.precision, scale: definition.scale)
        #expect(
          actual == expected.values[column],
          "row \(expected.id) column DECIMAL(\(definition.precision),\(definition.scale)) at offset \(offset)"
        )
        offset += DecimalCodec.storageSize(precision: definition.precision, scale: definition.scale)
      }
      #expect(
        ValueCorpus.u32(file, at: offset) == expected.prec, "row \(expected.id) prec at \(offset)")
      #expect(
        ValueCorpus.u32(file, at: offset + 4) == expected.scale,
        "row \(expected.id) scale at \(offset + 4)")
      offset += 8
    }
    #expect(offset == 2054 - 4, "rows should end at the CRC32")
  }

  @Test(.enabled(if: ValueCorpus.isAvailable, ValueCorpus.skipMessage))
  func testDecimal10_4BeforeAndAfterImageFromMySQL57() throws {
    let file = try ValueCorpus.file("rust-us__mysql-cdc-rs/5.7_31_update_rows_v2_log.bin")
    // UPDATE_ROWS at 369, table boxercrab (9 columns, the last DECIMAL(10,4), metadata 0a 04).
    // The DECIMAL is the last column of each image: found with a hex dump of the event body,
    // before image value at 448, after image value at 493 (5 bytes each, then the next image's
    // null bitmap `00 fe` or the CRC32).
    #expect(try decimalText(file, at: 448, precision: 10, scale: 4) == "3.0000")
    #expect(try decimalText(file, at: 493, precision: 10, scale: 4) == "4.0000")
  }

  @Test(.enabled(if: ValueCorpus.isAvailable, ValueCorpus.skipMessage))
  func testDecimal10_5PointOneFromPercona57() throws {
    let file = try ValueCorpus.file("EasyPost__rust-mysql-binlog/bin-log.000001")
    // WRITE_ROWS at 652 on bltest.foo(id BIGINT, val_decimal DECIMAL(10,5), comment VARCHAR):
    // row at 683 = null bitmap (1) + id (8), so val_decimal is at 692. The second insert (WRITE_ROWS
    // at 942, row at 973, comment "one point zero") holds 1.00000 at 982.
    #expect(try decimalText(file, at: 692, precision: 10, scale: 5) == "0.10000")
    #expect(try decimalText(file, at: 982, precision: 10, scale: 5) == "1.00000")
  }

  @Test(.enabled(if: ValueCorpus.isAvailable, ValueCorpus.skipMessage))
  func testDecimal65_10FromMySQL57() throws {
    let file = try ValueCorpus.file("rusuly__MySqlCdc/mysql-bin.000001")
    // WRITE_ROWS at 1544, row at 1577: 3-byte null bitmap (22 columns), then INT, TINYINT,
    // SMALLINT, MEDIUMINT, INT, BIGINT, FLOAT, DOUBLE = 34 bytes, so the DECIMAL(65,10) (metadata
    // 41 0a) sits at 1614 and takes 30 bytes. The next two inserts repeat it at 2109 and 2604.
    let expected = "1234567890112233445566778899001112223334445556667778889.9900011112"
    #expect(DecimalCodec.storageSize(precision: 65, scale: 10) == 30)
    for offset in [1614, 2109, 2604] {
      #expect(
        try decimalText(file, at: offset, precision: 65, scale: 10) == expected,
        "at offset \(offset)")
    }
  }

  // MARK: Synthetic

  @Test func testStorageSizeMatchesDecimalBinSize() {
    #expect(DecimalCodec.storageSize(precision: 4, scale: 2) == 2)
    #expect(DecimalCodec.storageSize(precision: 5, scale: 0) == 3)
    #expect(DecimalCodec.storageSize(precision: 10, scale: 2) == 5)
    #expect(DecimalCodec.storageSize(precision: 10, scale: 4) == 5)
    #expect(DecimalCodec.storageSize(precision: 10, scale: 5) == 6)
    #expect(DecimalCodec.storageSize(precision: 15, scale: 14) == 8)
    #expect(DecimalCodec.storageSize(precision: 18, scale: 9) == 8)
    #expect(DecimalCodec.storageSize(precision: 20, scale: 10) == 10)
    #expect(DecimalCodec.storageSize(precision: 30, scale: 25) == 15)
    #expect(DecimalCodec.storageSize(precision: 65, scale: 30) == 30)
    #expect(DecimalCodec.storageSize(precision: 65, scale: 0) == 29)
    #expect(DecimalCodec.storageSize(precision: 1, scale: 1) == 1)
  }

  @Test func testStorageSizeOfInvalidDefinitionIsZero() {
    #expect(DecimalCodec.storageSize(precision: 0, scale: 0) == 0)
    #expect(DecimalCodec.storageSize(precision: 66, scale: 0) == 0)
    #expect(DecimalCodec.storageSize(precision: 40, scale: 31) == 0)
    #expect(DecimalCodec.storageSize(precision: 5, scale: 6) == 0)
    #expect(DecimalCodec.storageSize(precision: -1, scale: 0) == 0)
  }

  @Test(arguments: [
    ("-10.55", 4, 2), ("0.0123", 5, 4), ("0.00", 4, 2), ("123456789.123456789", 18, 9),
    ("-123456789.123456789", 18, 9), ("1", 1, 0), ("-9", 1, 0), ("0.5", 1, 1), ("-0.5", 1, 1),
    ("99999999999999999999999999999999999.999999999999999999999999999999", 65, 30),
    ("-99999999999999999999999999999999999.999999999999999999999999999999", 65, 30),
    ("100000000", 9, 0), ("1000000000", 10, 0), ("-1000000000.000000001", 19, 9),
    ("0.000000001", 10, 9),
    ("12345678901234567890123456789012345678901234567890123456789012345", 65, 0),
  ])
  func testDecimalRoundTripsThroughBinary(text: String, precision: Int, scale: Int) throws {
    let binary = TestDecimalWriter.binary(text, precision: precision, scale: scale)
    #expect(binary.count == DecimalCodec.storageSize(precision: precision, scale: scale))
    #expect(try decimalText(binary: binary, precision: precision, scale: scale) == text)
  }

  @Test func testDecimalNegativeZeroPrintsWithoutSign() throws {
    // A zero with the sign bit saying "negative" (all bytes inverted) must still print as 0.00.
    #expect(try decimalText(binary: [0x7F, 0xFF], precision: 4, scale: 2) == "0.00")
    #expect(try decimalText(binary: [0x80, 0x00], precision: 4, scale: 2) == "0.00")
    #expect(try decimalText(binary: [0x80, 0x00, 0x00, 0x00], precision: 9, scale: 0) == "0")
    #expect(try decimalText(binary: [0x7F, 0xFF, 0xFF, 0xFF], precision: 9, scale: 0) == "0")
  }

  @Test func testDecimalLeadingZeroGroupsAreStripped() throws {
    // DECIMAL(20,0): 2 leading digits then 2 full groups; value 5 has two zero groups before it.
    #expect(
      try decimalText(
        binary: TestDecimalWriter.binary("5", precision: 20, scale: 0), precision: 20, scale: 0)
        == "5")
    #expect(
      try decimalText(
        binary: TestDecimalWriter.binary("1000000005", precision: 20, scale: 0), precision: 20,
        scale: 0)
        == "1000000005")
    #expect(
      try decimalText(
        binary: TestDecimalWriter.binary("-0.000000000123", precision: 20, scale: 12),
        precision: 20, scale: 12
      )
        == "-0.000000000123")
  }

  @Test func testDecimalAppendsWithoutClearingOutput() throws {
    var out = Array("x=".utf8)
    let binary: [UInt8] = [0x80, 0x00, 0x03, 0x00, 0x00]
    try binary.withUnsafeBytes {
      try DecimalCodec.appendText($0, precision: 10, scale: 4, into: &out)
    }
    #expect(String(decoding: out, as: UTF8.self) == "x=3.0000")
  }

  @Test func testDecimalReadsOnlyStorageSizeBytes() throws {
    // A USER_VAR or row slice may continue past the DECIMAL; the extra bytes are ignored.
    #expect(
      try decimalText(binary: [0x80, 0x00, 0x03, 0x00, 0x00, 0xEE, 0xEE], precision: 10, scale: 4)
        == "3.0000")
  }

  @Test func testDecimalTruncatedInputThrows() {
    #expect(throws: BinlogError.self) {
      try decimalText(binary: [0x80, 0x00, 0x03], precision: 10, scale: 4)
    }
    #expect(throws: BinlogError.self) { try decimalText(binary: [], precision: 1, scale: 0) }
  }

  @Test func testDecimalInvalidDefinitionThrows() {
    #expect(throws: BinlogError.self) { try decimalText(binary: [0x80], precision: 0, scale: 0) }
    #expect(throws: BinlogError.self) {
      try decimalText(binary: [UInt8](repeating: 0x80, count: 40), precision: 70, scale: 2)
    }
    #expect(throws: BinlogError.self) {
      try decimalText(binary: [0x80, 0, 0], precision: 3, scale: 4)
    }
  }

  @Test func testDecimalDigitGroupOutOfRangeThrows() {
    // DECIMAL(4,2): 2 integer digits in one byte, so 0xFF (255) is not a valid group; nor is a
    // full 4-byte group above 999999999.
    #expect(throws: BinlogError.self) {
      try decimalText(binary: [0x80 | 0x7F, 0x00], precision: 4, scale: 2)
    }
    #expect(throws: BinlogError.self) {
      try decimalText(binary: [0x80 | 0x3B, 0x9A, 0xCA, 0x00], precision: 9, scale: 0)
    }
    #expect(throws: BinlogError.self) {
      try decimalText(binary: [0x80, 0x64], precision: 4, scale: 2)
    }
  }
}
