import BinlogFormat
import BinlogQuery
import CanalProtocol
import SluiceTestSupport
import XCTest

/// Every value rule of canal-protocol.md §2.6, each on a real row of Fixtures/mariadb-10.11
/// (MariaDB 10.11, binlog_row_metadata=FULL; rows from Fixtures/workload.sql).
final class CanalValueFixtureTests: XCTestCase {
  static let entries: [TestEntry] = try! mapEntries(TestPaths.fixtureSet(), options: quietOptions(forClients: false))

  /// The first after image (DELETE: before image) of the row with `id` in a sluice_types table.
  func row(_ table: String, _ id: String, db: String = "sluice_types", file: StaticString = #filePath, line: UInt = #line)
    -> [String: CanalColumn]
  {
    guard let r = imagesByKey(Self.entries, db: db, table: table)[id] else {
      XCTFail("no row \(id) in \(db).\(table)", file: file, line: line)
      return [:]
    }
    return r
  }

  func assertColumn(
    _ c: CanalColumn?, _ value: String?, sqlType: Int32, mysqlType: String? = nil, file: StaticString = #filePath,
    line: UInt = #line
  ) {
    guard let c else { return XCTFail("missing column", file: file, line: line) }
    if let value {
      XCTAssertEqual(c.isNullPresent, .isNull(false), "\(c.name): isNull=false is written", file: file, line: line)
      XCTAssertEqual(c.value, value, "\(c.name) value", file: file, line: line)
    } else {
      XCTAssertEqual(c.isNullPresent, .isNull(true), "\(c.name) is NULL", file: file, line: line)
      XCTAssertEqual(c.value, "", "\(c.name): a NULL has no value", file: file, line: line)
    }
    XCTAssertEqual(c.sqlType, sqlType, "\(c.name) sqlType", file: file, line: line)
    if let mysqlType { XCTAssertEqual(c.mysqlType, mysqlType, "\(c.name) mysqlType", file: file, line: line) }
  }

  // MARK: integers

  func testSignedIntegersAndTheirTypes() {
    let r = row("ints", "1")
    assertColumn(r["ti"], "-128", sqlType: -6, mysqlType: "tinyint(4)")
    assertColumn(r["si"], "-32768", sqlType: 5, mysqlType: "smallint(6)")
    assertColumn(r["mi"], "-8388608", sqlType: 4, mysqlType: "mediumint(9)")
    assertColumn(r["i"], "-2147483648", sqlType: 4, mysqlType: "int(11)")
    assertColumn(r["bi"], "-9223372036854775808", sqlType: -5, mysqlType: "bigint(20)")
    assertColumn(r["id"], "1", sqlType: 4, mysqlType: "int(11)")
    XCTAssertTrue(r["id"]!.isKey)
    XCTAssertFalse(r["ti"]!.isKey)
  }

  func testUnsignedHighBitBumpsSQLType() {
    let max = row("ints", "2")
    assertColumn(max["tu"], "255", sqlType: 5, mysqlType: "tinyint(3) unsigned")
    assertColumn(max["su"], "65535", sqlType: 4, mysqlType: "smallint(5) unsigned")
    assertColumn(max["mu"], "16777215", sqlType: 4, mysqlType: "mediumint(8) unsigned")  // no bump
    assertColumn(max["iu"], "4294967295", sqlType: -5, mysqlType: "int(10) unsigned")
    assertColumn(max["bu"], "18446744073709551615", sqlType: 3, mysqlType: "bigint(20) unsigned")
    // Below the high bit the unsigned column keeps its own type: sqlType varies row to row.
    let small = row("ints", "4")
    assertColumn(small["tu"], "1", sqlType: -6)
    assertColumn(small["su"], "1", sqlType: 5)
    assertColumn(small["iu"], "1", sqlType: 4)
    assertColumn(small["bu"], "1", sqlType: -5)
    let six = row("ints", "6")
    assertColumn(six["tu"], "200", sqlType: 5)
    assertColumn(six["iu"], "3000000000", sqlType: -5)
    assertColumn(six["bu"], "9223372036854775808", sqlType: 3)
  }

  func testNullIntegersKeepTheBaseSQLType() {
    let r = row("ints", "5")
    for (name, type) in [
      ("ti", -6), ("tu", -6), ("si", 5), ("su", 5), ("mi", 4), ("mu", 4), ("i", 4), ("iu", 4), ("bi", -5), ("bu", -5),
    ] {
      assertColumn(r[name], nil, sqlType: Int32(type))
    }
  }

  func testZerofillAndBoolArePrintedFromTheBinlogOnly() {
    // INT(8) UNSIGNED ZEROFILL and BOOL: the binlog has neither the width nor ZEROFILL (gap).
    let r = row("ints", "2")
    assertColumn(r["iz"], "4294967295", sqlType: -5, mysqlType: "int(10) unsigned")
    assertColumn(r["b"], "1", sqlType: -6, mysqlType: "tinyint(4)")
  }

  // MARK: DECIMAL

  func testDecimalTextDropsAZeroPartialGroup() {
    let zero = row("decimals", "1")
    assertColumn(zero["d1"], "0", sqlType: 3, mysqlType: "decimal(1,0)")
    assertColumn(zero["d5_2"], "0.0", sqlType: 3, mysqlType: "decimal(5,2)")
    assertColumn(zero["d9_9"], "0.000000000", sqlType: 3)  // one full group, kept
    assertColumn(zero["d10_4"], "0.0", sqlType: 3)
    assertColumn(zero["d20_10"], "0.000000000", sqlType: 3)  // 9 digits, the zero tenth dropped
    assertColumn(zero["d30_30"], "0." + String(repeating: "0", count: 27), sqlType: 3)
    assertColumn(zero["du"], "0.0", sqlType: 3, mysqlType: "decimal(10,2) unsigned")
    let r4 = row("decimals", "4")
    assertColumn(r4["d5_2"], "-10.55", sqlType: 3)
    assertColumn(r4["d10_4"], "-0.0001", sqlType: 3)
    assertColumn(r4["d20_10"], "-0.0000000001", sqlType: 3)  // non-zero partial group kept
    assertColumn(r4["d30_30"], "0.000000000000000000000000000001", sqlType: 3)
    assertColumn(r4["du"], "1.50", sqlType: 3)
    let r6 = row("decimals", "6")
    assertColumn(r6["d5_2"], "12.30", sqlType: 3)
    assertColumn(r6["d10_4"], "123456.7890", sqlType: 3)
    assertColumn(r6["du"], "0.0", sqlType: 3)  // 0.00
    let r2 = row("decimals", "2")
    assertColumn(r2["d20_10"], "9999999999.9999999999", sqlType: 3)
    assertColumn(r2["d65_0"], String(repeating: "9", count: 65), sqlType: 3)
    assertColumn(row("decimals", "5")["d5_2"], nil, sqlType: 3)
  }

  // MARK: FLOAT / DOUBLE

  func testFloatAndDoubleUseJavaToString() {
    let r2 = row("floats", "2")
    assertColumn(r2["f"], "1.5", sqlType: 7, mysqlType: "float")
    assertColumn(r2["d"], "-3.25", sqlType: 8, mysqlType: "double")
    assertColumn(r2["d10_2"], "1.234567891E7", sqlType: 8)
    assertColumn(r2["r"], "0.1", sqlType: 8)
    assertColumn(r2["fu"], "1.5", sqlType: 7, mysqlType: "float unsigned")
    let r3 = row("floats", "3")
    assertColumn(r3["f"], "3.40282E38", sqlType: 7)
    assertColumn(r3["d"], "1.7976931348623157E308", sqlType: 8)
    assertColumn(r3["r"], "2.2250738585072014E-308", sqlType: 8)
    let r6 = row("floats", "6")
    assertColumn(r6["f"], "3.1415927", sqlType: 7)  // float32 digits, not widened
    assertColumn(r6["d"], "3.141592653589793", sqlType: 8)
    let r7 = row("floats", "7")
    assertColumn(r7["r"], "1.0E100", sqlType: 8)
    assertColumn(r7["fu"], "1.6777216E7", sqlType: 7)
    assertColumn(row("floats", "8")["r"], "4.9E-324", sqlType: 8)
    assertColumn(row("floats", "1")["f"], "0.0", sqlType: 7)
    assertColumn(row("floats", "5")["d"], nil, sqlType: 8)
  }

  // MARK: BIT

  func testBitIsUnsignedDecimal() {
    let r = row("bits", "2")
    assertColumn(r["b1"], "1", sqlType: -7, mysqlType: "bit(1)")
    assertColumn(r["b8"], "255", sqlType: -7, mysqlType: "bit(8)")
    assertColumn(r["b17"], "131071", sqlType: -7)
    assertColumn(r["b33"], "8589934591", sqlType: -7)
    assertColumn(r["b64"], "18446744073709551615", sqlType: -7, mysqlType: "bit(64)")
    assertColumn(row("bits", "5")["b64"], "1311768467463790320", sqlType: -7)
    assertColumn(row("bits", "4")["b8"], nil, sqlType: -7)
  }

  // MARK: ENUM / SET

  func testEnumIsIndexAndSetIsBitmask() {
    let r1 = row("enums_sets", "1")
    assertColumn(r1["e"], "1", sqlType: 4, mysqlType: "enum('small','medium','large','x-large')")
    assertColumn(r1["s"], "1", sqlType: -7, mysqlType: "set('read','write','exec','admin')")
    assertColumn(r1["s_latin1"], "1", sqlType: -7, mysqlType: "set('ä','ö','ü')")
    let r2 = row("enums_sets", "2")
    assertColumn(r2["e"], "4", sqlType: 4)
    assertColumn(r2["e_utf8"], "4", sqlType: 4)
    assertColumn(r2["s"], "15", sqlType: -7)
    assertColumn(r2["s9"], "511", sqlType: -7)
    assertColumn(row("enums_sets", "3")["s"], "0", sqlType: -7)  // empty set
    let r5 = row("enums_sets", "5")
    assertColumn(r5["e"], "0", sqlType: 4)  // invalid value: index 0
    assertColumn(r5["s"], "5", sqlType: -7)  // exec,read
    let null = row("enums_sets", "4")
    assertColumn(null["e"], nil, sqlType: 4)
    assertColumn(null["s"], nil, sqlType: 2004)  // SET NULL: BLOB
    let big = row("enums_big", "2")
    assertColumn(big["e300"], "300", sqlType: 4)
    assertColumn(big["s64"], "18446744073709551615", sqlType: -7)  // unsigned 64-bit mask
  }

  // MARK: temporal

  func testTemporalText() {
    let r1 = row("temporals", "1")
    assertColumn(r1["d"], "2024-03-01", sqlType: 91, mysqlType: "date")
    assertColumn(r1["t"], "12:34:56", sqlType: 92, mysqlType: "time")
    assertColumn(r1["t1"], "12:34:56.7", sqlType: 92, mysqlType: "time(1)")
    assertColumn(r1["t6"], "12:34:56.789012", sqlType: 92, mysqlType: "time(6)")
    assertColumn(r1["dt"], "2024-03-01 12:34:56", sqlType: 93, mysqlType: "datetime")
    assertColumn(r1["dt3"], "2024-03-01 12:34:56.789", sqlType: 93, mysqlType: "datetime(3)")
    assertColumn(r1["ts"], "2024-03-01 12:34:56", sqlType: 93, mysqlType: "timestamp")
    assertColumn(r1["ts6"], "2024-03-01 12:34:56.789012", sqlType: 93, mysqlType: "timestamp(6)")
    assertColumn(r1["y"], "2024", sqlType: 12, mysqlType: "year(4)")
  }

  func testZeroDatesAndZeroTimestamp() {
    let r = row("temporals", "2")
    assertColumn(r["d"], "0000-00-00", sqlType: 91)
    assertColumn(r["t"], "00:00:00", sqlType: 92)
    assertColumn(r["t3"], "00:00:00.000", sqlType: 92)
    assertColumn(r["dt"], "0000-00-00 00:00:00", sqlType: 93)
    assertColumn(r["dt1"], "0000-00-00 00:00:00.0", sqlType: 93)
    assertColumn(r["ts"], "0000-00-00 00:00:00", sqlType: 93)
    assertColumn(r["ts3"], "0000-00-00 00:00:00.000", sqlType: 93)
    assertColumn(r["y"], "0000", sqlType: 12)
    let partial = row("temporals", "6")
    assertColumn(partial["d"], "2024-00-15", sqlType: 91)
    assertColumn(partial["dt"], "2024-02-00 10:00:00", sqlType: 93)
  }

  func testNegativeAndLongTimes() {
    let r3 = row("temporals", "3")
    assertColumn(r3["t"], "-838:59:59", sqlType: 92)
    assertColumn(r3["t1"], "-838:59:58.9", sqlType: 92)
    assertColumn(r3["t6"], "-838:59:58.999999", sqlType: 92)
    assertColumn(r3["ts"], "1970-01-01 00:00:01", sqlType: 93)
    assertColumn(r3["y"], "1901", sqlType: 12)
    let r6 = row("temporals", "6")
    assertColumn(r6["t"], "-00:00:01", sqlType: 92)
    assertColumn(r6["t1"], "-00:00:00.5", sqlType: 92)
    assertColumn(r6["t6"], "-00:00:00.000001", sqlType: 92)
    let r7 = row("temporals", "7")
    assertColumn(r7["t1"], "100:00:00.1", sqlType: 92)
    assertColumn(r7["t6"], "-100:00:00.123456", sqlType: 92)
    assertColumn(r7["t3"], "-12:34:56.780", sqlType: 92)
    assertColumn(row("temporals", "5")["t"], nil, sqlType: 92)
    assertColumn(row("temporals", "5")["y"], nil, sqlType: 12)
  }

  func testTimestampInTheConfiguredZone() throws {
    // Row 8 was inserted as 05:30 at +05:30, i.e. 00:00 UTC; DATETIME stays a literal.
    var options = quietOptions(forClients: false)
    options.zone = try TimeZoneSpec(parsing: "+08:00")
    let entries = try mapEntries([TestPaths.fixtureSet()[0]], options: options)
    let r = imagesByKey(entries, db: "sluice_types", table: "temporals")["8"]!
    assertColumn(r["ts"], "2024-03-01 08:00:00", sqlType: 93)
    assertColumn(r["ts6"], "2024-03-01 08:00:00.654321", sqlType: 93)
    assertColumn(r["dt"], "2024-03-01 05:30:00", sqlType: 93)
    let utc = row("temporals", "8")
    assertColumn(utc["ts"], "2024-03-01 00:00:00", sqlType: 93)
    // NOW(6) under SET timestamp = 1709252701.25
    assertColumn(row("temporals", "9")["ts3"], "2024-03-01 00:25:01.250", sqlType: 93)
  }

  // MARK: strings

  func testCharacterTypes() {
    let r = row("strings", "4")
    assertColumn(r["c10"], "😀🎉ü", sqlType: 1, mysqlType: "char(10)")
    assertColumn(r["c255"], "Ünïcödé ✓ 😀", sqlType: 1, mysqlType: "char(255)")
    assertColumn(r["v10"], "emoji😀", sqlType: 12, mysqlType: "varchar(10)")
    assertColumn(r["v_mb3"], "Grüße ✓", sqlType: 12, mysqlType: "varchar(20)")
    assertColumn(r["tt"], "tiny 😀", sqlType: 2005, mysqlType: "tinytext")
    assertColumn(r["t"], "text with\nnewline and\ttab", sqlType: 2005, mysqlType: "text")
    assertColumn(r["mt"], "medium ☃", sqlType: 2005, mysqlType: "mediumtext")
    assertColumn(r["lt"], "long 🙂", sqlType: 2005, mysqlType: "longtext")
    let null = row("strings", "3")
    assertColumn(null["c10"], nil, sqlType: 1)
    assertColumn(null["v10"], nil, sqlType: 12)
    assertColumn(null["tt"], nil, sqlType: 2005)
    // CHAR values are logged without their trailing spaces; Canal adds none back.
    assertColumn(row("strings", "5")["c10"], "pad", sqlType: 1)
  }

  func testOneGlobalCharsetGarblesLatin1Columns() throws {
    // Canal decodes every column as UTF-8: latin1 'é' (0xE9) becomes U+FFFD.
    let r = row("strings", "4")
    assertColumn(r["v_latin1"], "caf\u{FFFD} cr\u{FFFD}me", sqlType: 12, mysqlType: "varchar(20)")
    assertColumn(r["t_latin1"], "Gr\u{FFFD}\u{FFFD}e: \u{FFFD}", sqlType: 2005)
    // The per-column option decodes latin1 (MySQL's cp1252) properly.
    var options = quietOptions(forClients: false)
    options.textCharset = .column
    let entries = try mapEntries([TestPaths.fixtureSet()[0]], options: options)
    let fixed = imagesByKey(entries, db: "sluice_types", table: "strings")["4"]!
    XCTAssertEqual(fixed["v_latin1"]?.value, "café crème")
    XCTAssertEqual(fixed["c_latin1"]?.value, "Ærø €uro")
    let wide = imagesByKey(entries, db: "sluice_types", table: "wide_charsets")["2"]!
    XCTAssertEqual(wide["v_gbk"]?.value, "中文测试")
    XCTAssertEqual(wide["v_utf16"]?.value, "Ünï 😀")
  }

  func testBinaryTypesAreISO88591() {
    let r4 = row("binaries", "4")
    assertColumn(r4["b8"], String(repeating: "\u{FF}", count: 8), sqlType: 2004, mysqlType: "binary(8)")
    assertColumn(
      r4["vb10"], (0..<10).map { String(UnicodeScalar(UInt8($0))) }.joined(), sqlType: 2004, mysqlType: "varbinary(10)")
    assertColumn(r4["c_bin"], "\u{DE}\u{AD}\u{BE}\u{EF}", sqlType: 2004, mysqlType: "binary(4)")
    assertColumn(r4["tb"], String(repeating: "\u{C3}", count: 255), sqlType: 2004, mysqlType: "tinyblob")
    assertColumn(r4["bl"], String(repeating: "Z", count: 300), sqlType: 2004, mysqlType: "blob")
    XCTAssertEqual(r4["mb"]?.value.unicodeScalars.count, 65600)
    XCTAssertEqual(r4["mb"]?.mysqlType, "mediumblob")
    XCTAssertEqual(r4["lb"]?.mysqlType, "longblob")
    // MariaDB drops BINARY(n)'s trailing zero bytes from the row image; Canal pads nothing.
    assertColumn(row("binaries", "1")["b8"], "\u{01}\u{02}", sqlType: 2004)
    assertColumn(row("binaries", "3")["vb10"], nil, sqlType: 2004)
    assertColumn(row("binaries", "3")["b8"], nil, sqlType: 2004)
  }

  func testGeometryAndMariaDBTypes() {
    let g = row("geo", "1")
    XCTAssertEqual(g["p"]?.sqlType, 2004)
    XCTAssertEqual(g["p"]?.mysqlType, "point")
    XCTAssertEqual(g["g"]?.mysqlType, "geometry")
    XCTAssertEqual(g["gc"]?.mysqlType, "geometrycollection")
    // POINT(-122.4194 37.7749) SRID 4326: 4-byte SRID, then WKB; each byte one char.
    let scalars = g["p"]!.value.unicodeScalars.map { UInt8($0.value) }
    XCTAssertEqual(Array(scalars.prefix(5)), [0xE6, 0x10, 0, 0, 1])
    XCTAssertEqual(scalars.count, 25)
    // MariaDB JSON is LONGTEXT to Canal; INET6 looks like BINARY(16) in the binlog.
    let j = row("json_docs", "1")
    assertColumn(j["j"], "{\"a\": 1, \"b\": [1, 2, 3], \"c\": {\"d\": null, \"e\": true}}", sqlType: 2005, mysqlType: "longtext")
    XCTAssertEqual(row("net_uuid", "1")["i6"]?.mysqlType, "binary(16)")
  }

  // MARK: updated flags

  func testUpdatedFlags() {
    // UPDATE enums_sets SET e = 'large', s = CONCAT(s, ',admin') WHERE id = 1
    let update = rowsEntries(Self.entries, "sluice_types", "enums_sets").first { $0.header.eventType == .update }!
    let row = update.rowChange!.rowDatas[0]
    XCTAssertEqual(row.beforeColumns.filter(\.updated).count, 0, "before columns are never updated")
    XCTAssertEqual(row.afterColumns.filter(\.updated).map(\.name), ["e", "s"])
    // INSERT: every column updated.
    let insert = rowsEntries(Self.entries, "sluice_types", "ints").first!
    XCTAssertTrue(insert.rowChange!.rowDatas.allSatisfy { $0.afterColumns.allSatisfy(\.updated) && $0.beforeColumns.isEmpty })
    // NULL → value and value → NULL are updates; NULL → NULL is not.
    let dec = rowsEntries(Self.entries, "sluice_types", "decimals").first {
      $0.header.eventType == .update && $0.rowChange!.rowDatas[0].afterColumns.first!.value == "1"
    }!
    let after = Dictionary(uniqueKeysWithValues: dec.rowChange!.rowDatas[0].afterColumns.map { ($0.name, $0) })
    XCTAssertTrue(after["d1"]!.updated)  // 0 → NULL
    XCTAssertTrue(after["du"]!.updated)  // 0.00 → 0.50
    XCTAssertFalse(after["d5_2"]!.updated)
    // DELETE: before image only, nothing updated.
    let delete = rowsEntries(Self.entries, "sluice_types", "ints").first { $0.header.eventType == .delete }!
    XCTAssertTrue(delete.rowChange!.rowDatas[0].afterColumns.isEmpty)
    XCTAssertFalse(delete.rowChange!.rowDatas[0].beforeColumns.contains(where: \.updated))
  }

  func testMinimalRowImageMarksColumnsMissingFromTheBeforeImageUpdated() throws {
    let entries = try mapEntries(TestPaths.fixtureSet("mariadb-10.11-minimal-image"), options: quietOptions(forClients: false))
    // UPDATE enums_sets SET e = 'large', s = ... WHERE id = 1: the before image has only the key.
    let update = rowsEntries(entries, "sluice_types", "enums_sets").first { $0.header.eventType == .update }!
    let row = update.rowChange!.rowDatas[0]
    XCTAssertEqual(row.beforeColumns.map(\.name), ["id"])
    XCTAssertEqual(row.afterColumns.map(\.name), ["e", "s"])
    XCTAssertTrue(row.afterColumns.allSatisfy(\.updated))
    XCTAssertEqual(row.afterColumns.map(\.index), [1, 3])
  }

  func testWithoutColumnNamesColumnsArePositionalAndWarnedOncePerTable() throws {
    final class Warnings: @unchecked Sendable { var list: [String] = [] }
    let warnings = Warnings()
    var options = quietOptions(forClients: false)
    options.onWarning = { warnings.list.append($0) }
    let entries = try mapEntries(TestPaths.fixtureSet("mariadb-10.11-minimal"), options: options)
    let ints = rowsEntries(entries, "sluice_types", "ints")
    XCTAssertGreaterThan(ints.count, 1)
    let first = ints[0].rowChange!.rowDatas[1].afterColumns
    XCTAssertEqual(first.map(\.name), (1...13).map { "@\($0)" })
    XCTAssertFalse(first.contains(where: \.isKey))
    // MINIMAL metadata still has signedness and charsets: types and values are right.
    XCTAssertEqual(first[2].value, "255")
    XCTAssertEqual(first[2].sqlType, 5)
    XCTAssertEqual(first[2].mysqlType, "tinyint(3) unsigned")
    XCTAssertEqual(warnings.list.filter { $0.contains("sluice_types.ints:") }.count, 1)
    // ENUM/SET types without labels.
    let e = rowsEntries(entries, "sluice_types", "enums_sets")[0].rowChange!.rowDatas[0].afterColumns
    XCTAssertEqual(e[1].mysqlType, "enum")
    XCTAssertEqual(e[1].value, "1")
  }
}
