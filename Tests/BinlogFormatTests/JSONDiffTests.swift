import Foundation
import Testing

@testable import BinlogFormat

/// A diff vector as `Json_diff_vector::write_binary` writes it: 4-byte length, then per diff the
/// operation byte, packed-integer path length, path, and (unless remove) packed-integer value
/// length and binary value.
private func diffVector(
  _ diffs: [(UInt8, String, JSONValue?)], writer: TestJSONWriter = TestJSONWriter()
)
  -> [UInt8]
{
  func packed(_ n: Int) -> [UInt8] {
    if n < 251 { return [UInt8(n)] }
    if n < 65536 { return [252, UInt8(n & 0xFF), UInt8(n >> 8)] }
    return [253, UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16)]
  }
  var body: [UInt8] = []
  for (op, path, value) in diffs {
    body += [op] + packed(path.utf8.count) + Array(path.utf8)
    if let value {
      let bytes = writer.document(value)
      body += packed(bytes.count) + bytes
    }
  }
  return writer.le(UInt64(body.count), 4) + body
}

private func parseDiffs(_ bytes: [UInt8]) throws -> [JSONDiff] {
  try bytes.withUnsafeBytes { try JSONDiffCodec.parse($0) }
}

@Suite struct JSONDiffTests {
  // MARK: Real file

  /// json.binlog.000001: the PARTIAL_UPDATE_ROWS event (type 39) at 3750 updates rows 1-6 with
  /// `JSON_SET(json_col, '$.age', …)`. Walking its rows with the table map (before image = id only,
  /// binlog_row_image=MINIMAL; after image = json_col, name, age, each preceded by value_options
  /// 0x01 and the partial-JSON bitmap 0x01): the JSON column's 4-byte length sits at these offsets,
  /// and the generated `age` column of the same after image at the second offset.
  static let partialRows: [(jsonLengthAt: Int, ageAt: Int)] = [
    (3790, 3810), (3822, 3842), (3854, 3875), (3887, 3907), (3919, 3939), (3951, 3972),
  ]

  @Test(.enabled(if: ValueCorpus.isAvailable, ValueCorpus.skipMessage))
  func testPartialUpdateDiffsRebuildTheFullDocument() throws {
    let file = try ValueCorpus.file("blackbeam__rust_mysql_common/json.binlog.000001")
    // The row layout facts the row decoder relies on: value_options then the partial bitmap
    // directly before the after image's null bitmap.
    #expect(
      Array(file[3787..<3790]) == [0x01, 0x01, 0x00], "value_options, partial bits, null bitmap")
    for (i, row) in Self.partialRows.enumerated() {
      let length = ValueCorpus.u32(file, at: row.jsonLengthAt)
      let column = Array(file[row.jsonLengthAt..<(row.jsonLengthAt + 4 + length)])
      let diffs = try parseDiffs(column)
      let newAge = Int64(JSONBinaryTests.people[i % 3].age + 2)
      #expect(
        diffs == [JSONDiff(operation: .replace, path: "$.age", value: .int(newAge))],
        "row \(i + 1) at \(row.jsonLengthAt)")

      // The before image holds only the primary key, so the document comes from the full UPDATE
      // just before (age + 1); applying the diff must give what a full update would log (age + 2).
      let before = try JSONBinaryTests.decode(
        JSONBinaryTests.jsonColumn(file, at: JSONBinaryTests.updateAfterAt[i]))
      let after = try JSONDiffCodec.apply(diffs, to: before)
      #expect(after == JSONBinaryTests.person(i, ageDelta: 2), "row \(i + 1)")
      #expect(
        Int64(ValueCorpus.u32(file, at: row.ageAt)) == newAge,
        "generated age column at \(row.ageAt)")
    }
    let first = try JSONDiffCodec.apply(
      parseDiffs(Array(file[3790..<3805])),
      to: JSONBinaryTests.decode(
        JSONBinaryTests.jsonColumn(file, at: JSONBinaryTests.updateAfterAt[0])))
    #expect(first.mysqlText == #"{"age": 26, "data": "xxxxxxxxxx", "name": "Joe"}"#)
  }

  // MARK: Parsing

  @Test func testParseAllThreeOperations() throws {
    let bytes = diffVector([
      (0, "$.a[1].b", .string("x")),
      (1, #"$."key with space""#, .array([.int(1), .bool(false)])),
      (2, "$.gone", nil),
    ])
    #expect(
      try parseDiffs(bytes) == [
        JSONDiff(operation: .replace, path: "$.a[1].b", value: .string("x")),
        JSONDiff(
          operation: .insert, path: #"$."key with space""#, value: .array([.int(1), .bool(false)])),
        JSONDiff(operation: .remove, path: "$.gone", value: nil),
      ])
  }

  @Test func testParseEmptyVectorAndBody() throws {
    #expect(try parseDiffs([0, 0, 0, 0]) == [])
    let body = Array(diffVector([(2, "$[0]", nil)]).dropFirst(4))
    #expect(
      try body.withUnsafeBytes { try JSONDiffCodec.parseBody($0) } == [
        JSONDiff(operation: .remove, path: "$[0]", value: nil)
      ])
  }

  @Test func testParseLongPathAndValueUsePackedLengths() throws {
    let key = String(repeating: "k", count: 300)
    let value = JSONValue.string(String(repeating: "v", count: 70_000))
    let diffs = try parseDiffs(diffVector([(1, "$." + key, value)]))
    #expect(diffs == [JSONDiff(operation: .insert, path: "$." + key, value: value)])
  }

  static let badVectors: [(String, [UInt8])] = [
    ("shorter than the length field", [0x01, 0x00]),
    ("length larger than the bytes", [0x09, 0x00, 0x00, 0x00, 0x02, 0x01, 0x24]),
    ("length smaller than the bytes", [0x01, 0x00, 0x00, 0x00, 0x02, 0x01, 0x24]),
    ("unknown operation", [0x03, 0x00, 0x00, 0x00, 0x03, 0x01, 0x24]),
    ("path past the end", [0x03, 0x00, 0x00, 0x00, 0x02, 0x09, 0x24]),
    ("NULL path length", [0x02, 0x00, 0x00, 0x00, 0x02, 0xFB]),
    ("path without $", [0x04, 0x00, 0x00, 0x00, 0x02, 0x02, 0x2E, 0x61]),
    ("missing value", [0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x24]),
    ("value past the end", [0x05, 0x00, 0x00, 0x00, 0x00, 0x01, 0x24, 0x05, 0x04]),
    ("garbage value", [0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 0x24, 0x02, 0x0D, 0x00]),
  ]

  @Test(arguments: badVectors)
  func testMalformedVectorThrows(name: String, bytes: [UInt8]) {
    #expect(throws: BinlogError.self, "\(name)") { try parseDiffs(bytes) }
  }

  @Test func testWildcardPathIsRejected() {
    #expect(throws: BinlogError.self) { try parseDiffs(diffVector([(2, "$.*", nil)])) }
    #expect(throws: BinlogError.self) { try parseDiffs(diffVector([(2, "$[*]", nil)])) }
    #expect(throws: BinlogError.self) { try parseDiffs(diffVector([(2, "$[1 to 2]", nil)])) }
    #expect(throws: BinlogError.self) { try parseDiffs(diffVector([(2, "$**.a", nil)])) }
  }

  // MARK: Paths

  @Test func testPathSyntax() throws {
    #expect(try JSONPath(parsing: "$").legs == [])
    #expect(
      try JSONPath(parsing: "$.a[1].b").legs == [
        .member("a"), .index(1, fromEnd: false), .member("b"),
      ])
    #expect(
      try JSONPath(parsing: " $ . a [ 2 ] ").legs == [.member("a"), .index(2, fromEnd: false)])
    #expect(try JSONPath(parsing: #"$."key with space""#).legs == [.member("key with space")])
    #expect(try JSONPath(parsing: #"$."a\"b\\c\u00e9\ud83d\ude00""#).legs == [.member("a\"b\\cé😀")])
    #expect(try JSONPath(parsing: "$.é").legs == [.member("é")])
    #expect(try JSONPath(parsing: "$[last]").legs == [.index(0, fromEnd: true)])
    #expect(try JSONPath(parsing: "$[last - 2]").legs == [.index(2, fromEnd: true)])
    for bad in [
      "", "a", "$.", "$[", "$[x]", "$[1", #"$."open"#, "$.a b", #"$."\q""#, #"$."\ud800""#,
      "$[99999999999]",
    ] {
      #expect(throws: BinlogError.self, "path \(bad)") { try JSONPath(parsing: bad) }
    }
  }

  // MARK: Applying

  let doc: JSONValue = .object([
    ("a", .array([.int(0), .object([("b", .int(1))]), .int(2)])),
    ("zz", .string("z")),
    ("key with space", .null),
  ])

  func apply(
    _ op: JSONDiff.Operation, _ path: String, _ value: JSONValue? = nil, to doc: JSONValue? = nil
  ) throws -> JSONValue {
    try JSONDiffCodec.apply(
      [JSONDiff(operation: op, path: path, value: value)], to: doc ?? self.doc)
  }

  @Test func testReplaceNestedValues() throws {
    let r = try apply(.replace, "$.a[1].b", .string("new"))
    #expect(r.compactJSON == #"{"a":[0,{"b":"new"},2],"zz":"z","key with space":null}"#)
    #expect(
      try apply(.replace, #"$."key with space""#, .bool(true))["key with space"] == .bool(true))
    #expect(
      try apply(.replace, "$.a[last]", .int(9))["a"]
        == .array([.int(0), .object([("b", .int(1))]), .int(9)]))
    #expect(
      try apply(.replace, "$.a[last-2]", .int(9))["a"]
        == .array([.int(9), .object([("b", .int(1))]), .int(2)]))
  }

  @Test func testInsertKeepsMySQLKeyOrder() throws {
    // Keys sort by length, then bytewise: "b" < "zz" < "aaa" < "key with space".
    let r = try apply(.insert, "$.b", .int(1))
    #expect(r.compactJSON == #"{"a":[0,{"b":1},2],"b":1,"zz":"z","key with space":null}"#)
    let r2 = try apply(.insert, "$.aaa", .int(3))
    #expect(r2.compactJSON == #"{"a":[0,{"b":1},2],"zz":"z","aaa":3,"key with space":null}"#)
    let r3 = try apply(.insert, "$.zzzzzzzzzzzzzzzz", .int(4))
    #expect(r3.compactJSON.hasSuffix(#""key with space":null,"zzzzzzzzzzzzzzzz":4}"#))
    #expect(
      try apply(.insert, "$.a[1].c", .null)["a"]
        == .array([.int(0), .object([("b", .int(1)), ("c", .null)]), .int(2)]))
  }

  @Test func testInsertIntoArrays() throws {
    let arr = JSONValue.array([.int(0), .int(1), .int(2)])
    #expect(
      try apply(.insert, "$[0]", .int(9), to: arr) == .array([.int(9), .int(0), .int(1), .int(2)]))
    #expect(
      try apply(.insert, "$[2]", .int(9), to: arr) == .array([.int(0), .int(1), .int(9), .int(2)]))
    // Past the end appends (Json_array_index clamps to the size).
    #expect(
      try apply(.insert, "$[3]", .int(9), to: arr) == .array([.int(0), .int(1), .int(2), .int(9)]))
    #expect(
      try apply(.insert, "$[100]", .int(9), to: arr)
        == .array([.int(0), .int(1), .int(2), .int(9)]))
    // [last] is the index of the last element, so the new value goes before it.
    #expect(
      try apply(.insert, "$[last]", .int(9), to: arr)
        == .array([.int(0), .int(1), .int(9), .int(2)]))
    #expect(
      try apply(.insert, "$[last-10]", .int(9), to: arr)
        == .array([.int(9), .int(0), .int(1), .int(2)]))
  }

  @Test func testRemove() throws {
    #expect(try apply(.remove, "$.zz").compactJSON == #"{"a":[0,{"b":1},2],"key with space":null}"#)
    #expect(try apply(.remove, "$.a[0]")["a"] == .array([.object([("b", .int(1))]), .int(2)]))
    #expect(try apply(.remove, "$.a[last]")["a"] == .array([.int(0), .object([("b", .int(1))])]))
    #expect(try apply(.remove, "$.a[1].b")["a"] == .array([.int(0), .object([]), .int(2)]))
  }

  @Test func testDiffsApplyInOrder() throws {
    let r = try JSONDiffCodec.apply(
      [
        JSONDiff(operation: .insert, path: "$.n", value: .array([])),
        JSONDiff(operation: .insert, path: "$.n[0]", value: .int(1)),
        JSONDiff(operation: .insert, path: "$.n[5]", value: .int(2)),
        JSONDiff(operation: .replace, path: "$.n[0]", value: .int(3)),
        JSONDiff(operation: .remove, path: "$.a"),
      ], to: doc)
    #expect(r.compactJSON == #"{"n":[3,2],"zz":"z","key with space":null}"#)
  }

  @Test func testInvalidApplicationsThrow() {
    let cases: [(JSONDiff.Operation, String, JSONValue?)] = [
      (.replace, "$.missing", .int(1)),
      (.replace, "$.a[3]", .int(1)),
      (.replace, "$.a.b", .int(1)),
      (.replace, "$[0]", .int(1)),
      (.replace, "$", .int(1)),
      (.insert, "$.zz", .int(1)),
      (.insert, "$.missing.x", .int(1)),
      (.insert, "$.zz[0]", .int(1)),
      (.insert, "$.a.x", .int(1)),
      (.remove, "$.missing", nil),
      (.remove, "$.a[3]", nil),
      (.remove, "$.zz.x", nil),
      (.remove, "$", nil),
      (.replace, "$.zz", nil),
      (.replace, "$.*", .int(1)),
    ]
    for (op, path, value) in cases {
      #expect(throws: BinlogError.self, "\(op) \(path)") { try apply(op, path, value) }
    }
  }

  @Test func testDiffValueDecodesOpaquesLikeDocuments() throws {
    let bin = TestDecimalWriter.binary("1.50", precision: 4, scale: 2)
    let diffs = try parseDiffs(
      diffVector([(0, "$.price", .opaque(fieldType: 246, bytes: [4, 2] + bin))]))
    #expect(diffs.first?.value == .decimal("1.50"))
    let r = try JSONDiffCodec.apply(diffs, to: .object([("price", .int(1))]))
    #expect(r.mysqlText == #"{"price": 1.50}"#)
    // An opaque DECIMAL is a JSON number with its exact digits (as MySQL prints it).
    #expect(r.compactJSON == #"{"price":1.50}"#)
  }
}
