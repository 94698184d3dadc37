import Foundation
import Testing

@testable import BinlogFormat

/// A test-only binary JSON writer following `json_binary::serialize`: keys are written in the
/// order given, containers use the small format unless `large` is set, literals and 16-bit
/// integers (and 32-bit ones in the large format) are inlined. Decimal, temporal and other opaque
/// values are written from `.opaque` (the decoder turns types 246/7/10/11/12 into `.decimal` and
/// `.temporal`).
struct TestJSONWriter {
  var large = false

  func document(_ v: JSONValue) -> [UInt8] {
    let (type, bytes) = value(v)
    return [type] + bytes
  }

  func value(_ v: JSONValue) -> (UInt8, [UInt8]) {
    switch v {
    case .null: return (0x04, [0x00])
    case .bool(let b): return (0x04, [b ? 0x01 : 0x02])
    case .int(let i):
      if let x = Int16(exactly: i) { return (0x05, le(UInt64(UInt16(bitPattern: x)), 2)) }
      if let x = Int32(exactly: i) { return (0x07, le(UInt64(UInt32(bitPattern: x)), 4)) }
      return (0x09, le(UInt64(bitPattern: i), 8))
    case .uint(let u):
      if u <= UInt64(UInt16.max) { return (0x06, le(u, 2)) }
      if u <= UInt64(UInt32.max) { return (0x08, le(u, 4)) }
      return (0x0A, le(u, 8))
    case .double(let d): return (0x0B, le(d.bitPattern, 8))
    case .string(let s): return (0x0C, varLength(s.utf8.count) + Array(s.utf8))
    case .opaque(let t, let bytes): return (0x0F, [t] + varLength(bytes.count) + bytes)
    case .decimal, .temporal: fatalError("write these as .opaque")
    case .array(let items): return (large ? 0x03 : 0x02, container(keys: nil, items))
    case .object(let members):
      return (large ? 0x01 : 0x00, container(keys: members.map(\.key), members.map(\.value)))
    }
  }

  func inlined(_ type: UInt8) -> Bool {
    type == 0x04 || type == 0x05 || type == 0x06 || (large && (type == 0x07 || type == 0x08))
  }

  func container(keys: [String]?, _ values: [JSONValue]) -> [UInt8] {
    let os = large ? 4 : 2
    let n = values.count
    let header = 2 * os + (keys == nil ? 0 : n * (os + 2)) + n * (1 + os)
    var keyEntries: [UInt8] = []
    var tail: [UInt8] = []
    for key in keys ?? [] {
      keyEntries += le(UInt64(header + tail.count), os) + le(UInt64(key.utf8.count), 2)
      tail += Array(key.utf8)
    }
    var valueEntries: [UInt8] = []
    for v in values {
      let (type, bytes) = value(v)
      if inlined(type) {
        valueEntries += [type] + bytes + [UInt8](repeating: 0, count: os - bytes.count)
      } else {
        valueEntries += [type] + le(UInt64(header + tail.count), os)
        tail += bytes
      }
    }
    let size = header + tail.count
    return le(UInt64(n), os) + le(UInt64(size), os) + keyEntries + valueEntries + tail
  }

  func le(_ v: UInt64, _ width: Int) -> [UInt8] {
    (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
  }

  func varLength(_ n: Int) -> [UInt8] {
    var out: [UInt8] = []
    var n = n
    repeat {
      var b = UInt8(n & 0x7F)
      n >>= 7
      if n != 0 { b |= 0x80 }
      out.append(b)
    } while n != 0
    return out
  }
}

private func decodeJSON(_ bytes: [UInt8]) throws -> JSONValue {
  try JSONBinaryTests.decode(bytes)
}

private func fastCompact(_ bytes: [UInt8]) throws -> String {
  var out: [UInt8] = []
  try bytes.withUnsafeBytes { try JSONBinary.appendCompactJSON($0, into: &out) }
  return String(decoding: out, as: UTF8.self)
}

private func fastMySQLText(_ bytes: [UInt8]) throws -> String {
  var out: [UInt8] = []
  try bytes.withUnsafeBytes { try JSONBinary.appendMySQLText($0, into: &out) }
  return String(decoding: out, as: UTF8.self)
}

/// Decodes a document both ways and checks that the tree and the fast path print the same text.
private func checkedTexts(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation)
  throws -> (
    value: JSONValue, mysql: String, compact: String
  )
{
  let value = try decodeJSON(bytes)
  let mysql = try fastMySQLText(bytes)
  let compact = try fastCompact(bytes)
  #expect(
    value.mysqlText == mysql, "tree and fast path differ (MySQL text)",
    sourceLocation: sourceLocation)
  #expect(
    value.compactJSON == compact, "tree and fast path differ (compact)",
    sourceLocation: sourceLocation)
  return (value, mysql, compact)
}

/// True when Foundation's strict parser accepts `text` as JSON (top-level fragments allowed).
private func isValidJSON(_ text: String) -> Bool {
  (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil
}

@Suite struct JSONBinaryTests {
  static func decode(_ bytes: [UInt8]) throws -> JSONValue {
    try bytes.withUnsafeBytes { try JSONBinary.decode($0) }
  }

  let writer = TestJSONWriter()

  // MARK: Real files

  /// json-opaque.binlog (MySQL 9.0.1, `foo.test (a json)`): eight WRITE_ROWS, one row each. Found
  /// with a header walk: each row starts right after the 31-byte rows header, with a 1-byte null
  /// bitmap, then the JSON column's 4-byte length; the offsets below are of that length field.
  static let opaqueDocuments: [(lengthAt: Int, length: Int, mysql: String, compact: String)] = [
    (768, 16, #"{"a": "base64:type15:VQ=="}"#, #"{"a":"base64:type15:VQ=="}"#),
    (878, 23, #"{"b": "2012-03-18"}"#, #"{"b":"2012-03-18"}"#),
    (995, 23, #"{"c": "2012-03-18 11:30:45.000000"}"#, #"{"c":"2012-03-18 11:30:45.000000"}"#),
    (1112, 23, #"{"c": "87:31:46.654321"}"#, #"{"c":"87:31:46.654321"}"#),
    (1229, 21, #"{"d": 123.456}"#, #"{"d":123.456}"#),
    (1344, 22, #"{"e": 9.00}"#, #"{"e":9.00}"#),
    (1460, 29, #"{"e": [0, 1, true, false]}"#, #"{"e":[0,1,true,false]}"#),
    (1583, 13, #"{"e": null}"#, #"{"e":null}"#),
  ]

  @Test(.enabled(if: ValueCorpus.isAvailable, ValueCorpus.skipMessage))
  func testOpaqueDocumentsFromMySQL90() throws {
    let file = try ValueCorpus.file("blackbeam__rust_mysql_common/json-opaque.binlog")
    for doc in Self.opaqueDocuments {
      #expect(
        ValueCorpus.u32(file, at: doc.lengthAt) == doc.length, "length prefix at \(doc.lengthAt)")
      let bytes = Array(file[(doc.lengthAt + 4)..<(doc.lengthAt + 4 + doc.length)])
      let texts = try checkedTexts(bytes)
      #expect(texts.mysql == doc.mysql, "document at \(doc.lengthAt + 4)")
      #expect(texts.compact == doc.compact, "document at \(doc.lengthAt + 4)")
      #expect(isValidJSON(texts.compact), "compact JSON at \(doc.lengthAt + 4) must parse")
    }
  }

  @Test(.enabled(if: ValueCorpus.isAvailable, ValueCorpus.skipMessage))
  func testOpaqueDocumentsDecodeToTypedValues() throws {
    let file = try ValueCorpus.file("blackbeam__rust_mysql_common/json-opaque.binlog")
    func doc(_ i: Int) throws -> JSONValue {
      let d = Self.opaqueDocuments[i]
      return try decodeJSON(Array(file[(d.lengthAt + 4)..<(d.lengthAt + 4 + d.length)]))
    }
    #expect(try doc(0) == .object([("a", .opaque(fieldType: 15, bytes: [0x55]))]))
    guard case .temporal(let date)? = try doc(1)["b"] else {
      Issue.record("DATE opaque expected")
      return
    }
    #expect(date.kind == .date && date.year == 2012 && date.month == 3 && date.day == 18)
    guard case .temporal(let time)? = try doc(3)["c"] else {
      Issue.record("TIME opaque expected")
      return
    }
    #expect(time.kind == .time && time.hour == 87 && time.minute == 31 && time.second == 46)
    #expect(time.microsecond == 654_321 && !time.isNegative)
    #expect(try doc(4) == .object([("d", .decimal("123.456"))]))
    #expect(try doc(5) == .object([("e", .decimal("9.00"))]))
    #expect(try doc(6) == .object([("e", .array([.int(0), .int(1), .bool(true), .bool(false)]))]))
    #expect(try doc(7) == .object([("e", .null)]))
  }

  /// json.binlog.000001 (MySQL 8.0.22), `mysql.t(id INT, json_col JSON, name VARCHAR(100) AS …,
  /// age INT AS …)`: offsets of the JSON bytes (after the 4-byte length) in the three single-row
  /// inserts, the 3-row insert and the UPDATE_ROWS after images, found by walking the rows with the
  /// table map (INT 4 bytes, JSON 4-byte length, VARCHAR 2-byte length, INT 4 bytes).
  static let people: [(name: String, age: Int, data: String)] = [
    ("Joe", 24, "xxxxxxxxxx"), ("Sue", 32, "yyyyyyyyyy"), ("Pete", 40, "zzzzzzzzzz"),
  ]
  static let insertedAt = [1099, 1449, 1799, 2151, 2221, 2291]
  static let updateBeforeAt = [2653, 2793, 2933, 3077, 3217, 3357]
  static let updateAfterAt = [2723, 2863, 3005, 3147, 3287, 3429]

  static func person(_ i: Int, ageDelta: Int) -> JSONValue {
    let p = people[i % 3]
    return .object([
      ("age", .int(Int64(p.age + ageDelta))), ("data", .string(p.data)), ("name", .string(p.name)),
    ])
  }

  static func jsonColumn(_ file: [UInt8], at data: Int) -> [UInt8] {
    Array(file[data..<(data + ValueCorpus.u32(file, at: data - 4))])
  }

  @Test(.enabled(if: ValueCorpus.isAvailable, ValueCorpus.skipMessage))
  func testPeopleDocumentsFromMySQL80() throws {
    let file = try ValueCorpus.file("blackbeam__rust_mysql_common/json.binlog.000001")
    for (i, at) in Self.insertedAt.enumerated() {
      let texts = try checkedTexts(Self.jsonColumn(file, at: at))
      #expect(texts.value == Self.person(i, ageDelta: 0), "inserted document at \(at)")
    }
    for (i, at) in Self.updateBeforeAt.enumerated() {
      #expect(
        try decodeJSON(Self.jsonColumn(file, at: at)) == Self.person(i, ageDelta: 0),
        "before image at \(at)")
    }
    for (i, at) in Self.updateAfterAt.enumerated() {
      #expect(
        try decodeJSON(Self.jsonColumn(file, at: at)) == Self.person(i, ageDelta: 1),
        "after image at \(at)")
    }
    let first = try checkedTexts(Self.jsonColumn(file, at: 1099))
    #expect(first.mysql == #"{"age": 24, "data": "xxxxxxxxxx", "name": "Joe"}"#)
    #expect(first.compact == #"{"age":24,"data":"xxxxxxxxxx","name":"Joe"}"#)
  }

  @Test(.enabled(if: ValueCorpus.isAvailable, ValueCorpus.skipMessage))
  func testJSONColumnFromMySQL57() throws {
    let file = try ValueCorpus.file("rusuly__MySqlCdc/mysql-bin.000001")
    // WRITE_ROWS at 1544, row at 1577: after the DECIMAL(65,10) at 1614 (30 bytes) come CHAR(200)
    // and VARCHAR(700)/VARBINARY(800) with 2-byte lengths; the JSON length is at 1698, its 30
    // bytes at 1702. The other two inserts hold the same document at 2197 and 2692.
    for at in [1702, 2197, 2692] {
      let texts = try checkedTexts(Self.jsonColumn(file, at: at))
      #expect(
        texts.value == .object([("id", .int(1)), ("name", .string("John"))]), "document at \(at)")
      #expect(texts.mysql == #"{"id": 1, "name": "John"}"#)
      #expect(texts.compact == #"{"id":1,"name":"John"}"#)
    }
  }

  // MARK: Synthetic documents

  @Test func testEmptyBufferIsNull() throws {
    #expect(try decodeJSON([]) == .null)
    #expect(try fastCompact([]) == "null")
    #expect(try fastMySQLText([]) == "null")
  }

  @Test func testTopLevelLiteralsAndScalars() throws {
    #expect(try checkedTexts([0x04, 0x00]).compact == "null")
    #expect(try checkedTexts([0x04, 0x01]).compact == "true")
    #expect(try checkedTexts([0x04, 0x02]).compact == "false")
    #expect(try checkedTexts([0x05, 0xFF, 0xFF]).value == .int(-1))
    #expect(try checkedTexts([0x06, 0xFF, 0xFF]).value == .uint(65535))
    #expect(try checkedTexts([0x0C, 0x02, 0x68, 0x69]).mysql == #""hi""#)
    #expect(try checkedTexts([0x0C, 0x00]).value == .string(""))
  }

  @Test func testEmptyObjectAndArray() throws {
    #expect(
      try checkedTexts(writer.document(.object([])))
        .mysql == "{}")
    #expect(try checkedTexts(writer.document(.array([]))).compact == "[]")
    var large = writer
    large.large = true
    #expect(try checkedTexts(large.document(.object([]))).value == .object([]))
    #expect(try checkedTexts(large.document(.array([]))).value == .array([]))
  }

  @Test(arguments: [false, true])
  func testIntegerWidthsRoundTrip(large: Bool) throws {
    let values: [JSONValue] = [
      .int(0), .int(-32768), .int(32767), .int(-32769), .int(32768), .int(Int64(Int32.min)),
      .int(Int64(Int32.max)),
      .int(Int64(Int32.max) + 1), .int(Int64.min), .int(Int64.max), .uint(0), .uint(65535),
      .uint(65536),
      .uint(UInt64(UInt32.max)), .uint(UInt64(UInt32.max) + 1), .uint(UInt64.max),
    ]
    var w = writer
    w.large = large
    let texts = try checkedTexts(w.document(.array(values)))
    #expect(texts.value == .array(values))
    #expect(
      texts.mysql
        == "[0, -32768, 32767, -32769, 32768, -2147483648, 2147483647, 2147483648, -9223372036854775808, "
        + "9223372036854775807, 0, 65535, 65536, 4294967295, 4294967296, 18446744073709551615]")
    // Top-level (not inlined) 32- and 64-bit integers.
    #expect(try decodeJSON(w.document(.int(-40000))) == .int(-40000))
    #expect(try decodeJSON(w.document(.uint(UInt64.max))) == .uint(UInt64.max))
  }

  @Test func testInlinedValuesInSmallAndLargeContainers() throws {
    let doc: JSONValue = .object([
      ("a", .null), ("b", .bool(true)), ("c", .int(-5)), ("d", .uint(7)), ("e", .int(100_000)),
      ("f", .uint(70_000)),
    ])
    let small = writer.document(doc)
    // Small format: the INT32/UINT32 values are stored after the entries, literals and 16-bit inline.
    #expect(small[1 + 4 + 6 * 4 + 4 * 3] == 0x07, "e is an offset entry")
    var large = writer
    large.large = true
    let big = large.document(doc)
    #expect(big[0] == 0x01)
    #expect(try checkedTexts(small).value == doc)
    #expect(try checkedTexts(big).value == doc)
    #expect(
      try checkedTexts(big).mysql
        == #"{"a": null, "b": true, "c": -5, "d": 7, "e": 100000, "f": 70000}"#)
  }

  @Test func testLargeDocumentsNeedTheLargeFormat() throws {
    // 70 000 bytes of strings do not fit 16-bit offsets: MySQL switches to the large format.
    let items = (0..<700).map {
      JSONValue.string(String(repeating: Character(UnicodeScalar(65 + $0 % 26)!), count: 100))
    }
    var large = writer
    large.large = true
    let bytes = large.document(.object([("list", .array(items)), ("n", .int(1))]))
    #expect(bytes.count > 70_000)
    let texts = try checkedTexts(bytes)
    #expect(texts.value["list"] == .array(items))
    #expect(texts.value["n"] == .int(1))
    #expect(isValidJSON(texts.compact))
  }

  @Test func testManySmallMembersAndNesting() throws {
    let members = (0..<300).map {
      (
        key: "k\($0)",
        value: JSONValue.array([.int(Int64($0)), .object([("x", .string("\($0)"))])])
      )
    }
    let doc = JSONValue.object(members)
    let texts = try checkedTexts(writer.document(doc))
    #expect(texts.value == doc)
    #expect(texts.compact.hasPrefix(#"{"k0":[0,{"x":"0"}],"k1":[1,{"x":"1"}]"#))
  }

  static let doubles: [(Double, String)] = [
    (1.0, "1.0"), (0.5, "0.5"), (-2.5, "-2.5"), (100.0, "100.0"), (0.1, "0.1"),
    (3.141592653589793, "3.141592653589793"),
    (1e20, "1e20"), (-1e20, "-1e20"), (1e15, "1e15"), (123456789012345.0, "123456789012345.0"),
    (1234567890123456.8, "1234567890123456.8"), (12345678901234567890.0, "1.2345678901234567e19"),
    (1.5e-7, "0.00000015"), (1e-15, "0.000000000000001"), (1e-16, "1e-16"),
    (1.5e-15, "0.0000000000000015"),
    (2.5e-100, "2.5e-100"), (1.7976931348623157e308, "1.7976931348623157e308"),
    (Double.leastNonzeroMagnitude, "5e-324"),
    (0.0, "0.0"), (-0.0, "-0.0"), (12345.6787109375, "12345.6787109375"),
    (123456789.09876543, "123456789.09876543"),
  ]

  @Test(arguments: doubles)
  func testDoublesPrintLikeMySQL(value: Double, expected: String) throws {
    let bytes = writer.document(.double(value))
    let texts = try checkedTexts(bytes)
    #expect(texts.mysql == expected)
    #expect(texts.compact == expected)
    #expect(isValidJSON(texts.compact))
    #expect(Double(texts.compact) == value)
  }

  @Test func testNonFiniteDoubleIsNullInCompactJSON() throws {
    #expect(try checkedTexts(writer.document(.double(.infinity))).compact == "null")
    #expect(try checkedTexts(writer.document(.double(.nan))).mysql == "0.0")
  }

  @Test func testStringEscapes() throws {
    let s = "q\"b\\s/\u{08}\u{0C}\n\r\t\u{01}\u{1F}\u{7F} é 😀"
    let texts = try checkedTexts(writer.document(.object([("k\n\"", .string(s))])))
    let escaped = #""q\"b\\s/\b\f\n\r\t\u0001\u001f"# + "\u{7F} é 😀\""
    #expect(texts.mysql == #"{"k\n\"": "# + escaped + "}")
    #expect(texts.compact == #"{"k\n\"":"# + escaped + "}")
    #expect(isValidJSON(texts.compact))
  }

  @Test func testInvalidUTF8IsReplacedAlike() throws {
    let bytes: [UInt8] = [0x0C, 0x03, 0x61, 0xFF, 0x62]
    let texts = try checkedTexts(bytes)
    #expect(texts.value == .string("a\u{FFFD}b"))
    #expect(texts.compact == "\"a\u{FFFD}b\"")
  }

  static func packedDateTime(
    _ y: Int64, _ mo: Int64, _ d: Int64, _ h: Int64, _ mi: Int64, _ s: Int64, _ us: Int64
  ) -> Int64 {
    ((((y * 13 + mo) << 5 | d) << 17) | h << 12 | mi << 6 | s) << 24 + us
  }

  static func packedTime(_ h: Int64, _ mi: Int64, _ s: Int64, _ us: Int64) -> Int64 {
    (h << 12 | mi << 6 | s) << 24 + us
  }

  func opaque(_ type: UInt8, packed: Int64) -> JSONValue {
    .opaque(fieldType: type, bytes: TestJSONWriter().le(UInt64(bitPattern: packed), 8))
  }

  @Test func testTemporalOpaques() throws {
    let doc = JSONValue.array([
      opaque(10, packed: Self.packedDateTime(2012, 3, 18, 0, 0, 0, 0)),
      opaque(12, packed: Self.packedDateTime(1988, 11, 27, 14, 12, 13, 345_000)),
      opaque(7, packed: Self.packedDateTime(1985, 10, 13, 10, 22, 23, 567_000)),
      opaque(11, packed: Self.packedTime(15, 22, 33, 670_000)),
      opaque(11, packed: -Self.packedTime(838, 59, 59, 0)),
      opaque(11, packed: -Self.packedTime(0, 0, 1, 500_000)),
    ])
    let texts = try checkedTexts(writer.document(doc))
    #expect(
      texts.mysql
        == #"["2012-03-18", "1988-11-27 14:12:13.345000", "1985-10-13 10:22:23.567000", "15:22:33.670000", "#
        + #""-838:59:59.000000", "-00:00:01.500000"]"#)
    #expect(isValidJSON(texts.compact))
    guard case .array(let items) = texts.value, case .temporal(let ts) = items[2] else {
      Issue.record("temporal values expected")
      return
    }
    #expect(ts.kind == .timestamp && ts.year == 1985 && ts.microsecond == 567_000)
  }

  @Test func testDecimalOpaque() throws {
    let bin = TestDecimalWriter.binary("-123.456", precision: 10, scale: 3)
    let doc = JSONValue.object([("d", .opaque(fieldType: 246, bytes: [10, 3] + bin))])
    let texts = try checkedTexts(writer.document(doc))
    #expect(texts.value == .object([("d", .decimal("-123.456"))]))
    #expect(texts.mysql == #"{"d": -123.456}"#)
    #expect(texts.compact == #"{"d":-123.456}"#)
  }

  @Test func testOtherOpaques() throws {
    let blob = (0..<60).map { UInt8($0) }
    let doc = JSONValue.array([
      .opaque(fieldType: 253, bytes: Array("plain \"text\"".utf8)),
      .opaque(fieldType: 252, bytes: []),
      .opaque(fieldType: 15, bytes: [0x55]),
      .opaque(fieldType: 16, bytes: blob),
    ])
    let texts = try checkedTexts(writer.document(doc))
    #expect(texts.value == doc)
    // MySQL's base64 encoder breaks lines after 76 characters; the newline is escaped in the string.
    let blobBase64 =
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\\nOTo7"
    #expect(
      texts.mysql
        == #"["plain \"text\"", "base64:type252:", "base64:type15:VQ==", "base64:type16:"#
        + blobBase64 + #""]"#)
    #expect(isValidJSON(texts.compact))
  }

  @Test func testNestingOf100LevelsIsAcceptedAnd101Rejected() throws {
    func nested(_ depth: Int) -> JSONValue {
      var v = JSONValue.int(1)
      for i in 0..<depth { v = i % 2 == 0 ? .array([v]) : .object([("k", v)]) }
      return v
    }
    #expect(try decodeJSON(writer.document(nested(100))) == nested(100))
    _ = try fastCompact(writer.document(nested(100)))
    #expect(throws: BinlogError.self) { try decodeJSON(writer.document(nested(101))) }
    #expect(throws: BinlogError.self) { try fastCompact(writer.document(nested(101))) }
  }

  // MARK: Malformed input

  static let garbage: [(String, [UInt8])] = [
    ("unknown top-level type", [0x0D, 0x00]),
    ("unknown literal", [0x04, 0x03]),
    ("truncated int16", [0x05, 0x01]),
    ("truncated int64", [0x09, 0x01, 0x02, 0x03]),
    ("truncated double", [0x0B, 0x00, 0x00]),
    ("string past the end", [0x0C, 0x05, 0x61]),
    ("string length over 5 bytes", [0x0C, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
    ("string length beyond 4 GiB", [0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
    ("opaque without type", [0x0F]),
    ("opaque past the end", [0x0F, 0x0F, 0x09, 0x01]),
    ("decimal opaque of wrong size", [0x0F, 0xF6, 0x03, 0x0A, 0x02, 0x80]),
    ("decimal opaque with bad precision", [0x0F, 0xF6, 0x03, 0x00, 0x00, 0x80]),
    ("temporal opaque of wrong size", [0x0F, 0x0A, 0x02, 0x00, 0x00]),
    ("object header truncated", [0x00, 0x01, 0x00]),
    ("object size beyond the buffer", [0x00, 0x00, 0x00, 0x40, 0x00]),
    ("entries do not fit the size", [0x02, 0x05, 0x00, 0x06, 0x00, 0x04, 0x00]),
    ("large array count overflowing", [0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0x08, 0x00, 0x00, 0x00]),
    (
      "key offset beyond the object",
      [0x00, 0x01, 0x00, 0x0C, 0x00, 0x40, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x61]
    ),
    (
      "key inside the header",
      [0x00, 0x01, 0x00, 0x0C, 0x00, 0x02, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x61]
    ),
    (
      "value offset pointing backwards",
      [0x02, 0x01, 0x00, 0x09, 0x00, 0x0C, 0x01, 0x00, 0x00, 0x00]
    ),
    ("value offset beyond the array", [0x02, 0x01, 0x00, 0x08, 0x00, 0x0C, 0x20, 0x00, 0x00]),
    ("unknown nested type", [0x02, 0x01, 0x00, 0x08, 0x00, 0x0D, 0x07, 0x00, 0x00]),
  ]

  @Test(arguments: garbage)
  func testGarbageThrowsInsteadOfTrapping(name: String, bytes: [UInt8]) throws {
    #expect(throws: BinlogError.self, "tree: \(name)") { try decodeJSON(bytes) }
    var out = Array("keep".utf8)
    #expect(throws: BinlogError.self, "fast path: \(name)") {
      try bytes.withUnsafeBytes { try JSONBinary.appendCompactJSON($0, into: &out) }
    }
    #expect(
      String(decoding: out, as: UTF8.self) == "keep", "output must be unchanged after an error")
  }

  @Test func testSharedValueEntriesCannotExplode() throws {
    // Every level is an array of 8 entries pointing at the same child: 8^30 values from ~1 KB.
    let w = TestJSONWriter()
    var doc: [UInt8] = [0x0C, 0x01, 0x61]
    for _ in 0..<30 {
      let header = 4 + 8 * 3
      var c: [UInt8] = [0x08, 0x00] + w.le(UInt64(header + doc.count - 1), 2)
      for _ in 0..<8 { c += [doc[0]] + w.le(UInt64(header), 2) }
      c += doc.dropFirst()
      doc = [0x02] + c
    }
    #expect(doc.count < 2_000)
    #expect(throws: BinlogError.self) { try decodeJSON(doc) }
    #expect(throws: BinlogError.self) { try fastCompact(doc) }
  }

  @Test func testErrorMessageNamesTheProblemAndOffset() {
    let error = #expect(throws: BinlogError.self) {
      try decodeJSON([0x02, 0x01, 0x00, 0x08, 0x00, 0x0D, 0x07, 0x00, 0x00])
    }
    #expect(error?.kind == .malformed)
    #expect(error?.message.contains("unknown value type 0xd") == true)
    #expect(error?.message.contains("document byte 8") == true)
  }
}
