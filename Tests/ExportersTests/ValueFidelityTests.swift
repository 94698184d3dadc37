import BinlogFormat
import BinlogIO
import BinlogSchema
import Foundation
import SluiceTestSupport
import XCTest

@testable import Exporters

/// Issue 17, defects 3–6: values that differed from what the server (or mysqlbinlog) prints.
final class ValueFidelityTests: XCTestCase {
  func text(_ body: (inout [UInt8]) throws -> Void) rethrows -> String {
    var out: [UInt8] = []
    try body(&out)
    return String(decoding: out, as: UTF8.self)
  }

  func ndjsonLines(_ rel: String, schema: Bool = false) throws -> [String] {
    let sink = OutputSink.memory()
    let e = NDJSONExporter(sink: sink)
    if schema { e.schema = SchemaTracker() }
    var w = BinlogWalker(source: try BinlogInput(path: try TestPaths.corpusFile(rel)))
    try w.run { w, ev in try e.consume(ev, walker: w) }
    try sink.close()
    return sink.captured.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
  }

  func sqlText(_ rel: String) throws -> (String, SQLExporter) {
    let sink = OutputSink.memory()
    let e = try SQLExporter(sink: sink)
    e.schema = SchemaTracker()
    var w = BinlogWalker(source: try BinlogInput(path: try TestPaths.corpusFile(rel)))
    try w.run { w, ev in try e.consume(ev, walker: w) }
    try e.finish()
    try sink.close()
    return (String(decoding: sink.captured, as: UTF8.self), e)
  }

  /// Defect 3: json-opaque.binlog (MySQL 9.0.1), `foo.test`, pos 1197 and 1312: the opaque
  /// NEWDECIMAL values MySQL prints as `{"d": 123.456}` and `{"e": 9.00}` are JSON numbers with
  /// their exact digits, in NDJSON and in the SQL literal.
  func testOpaqueDecimalInJSONIsANumber() throws {
    let lines = try ndjsonLines("blackbeam__rust_mysql_common/json-opaque.binlog")
    let d = lines.first { $0.contains("\"pos\":1197,") }
    let e = lines.first { $0.contains("\"pos\":1312,") }
    XCTAssertTrue(d?.contains(#""after":{"a":{"d":123.456}}"#) ?? false, d ?? "no line at 1197")
    XCTAssertTrue(e?.contains(#""after":{"a":{"e":9.00}}"#) ?? false, e ?? "no line at 1312")
    let (sql, _) = try sqlText("blackbeam__rust_mysql_common/json-opaque.binlog")
    if sql.contains("INSERT INTO") {
      XCTAssertTrue(sql.contains(#"'{"d":123.456}'"#), sql)
    }
  }

  /// Defect 4: the JSON document `null` is not SQL NULL. MySQL stores `'null'` in a JSON column as
  /// the literal type 0x04 with value 0x00.
  func testJSONNullDocumentIsDistinctFromSQLNull() throws {
    let literalNull: [UInt8] = [0x04, 0x00]
    var compact: [UInt8] = []
    try literalNull.withUnsafeBytes { try JSONBinary.appendCompactJSON($0, into: &compact) }
    XCTAssertEqual(String(decoding: compact, as: UTF8.self), "null")
    let doc = text { out in compact.withUnsafeBytes { NDJSONValue.appendJSONDocument($0, into: &out) } }
    XCTAssertEqual(doc, #"{"json":null}"#)
    XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(doc.utf8)) as? NSDictionary, ["json": NSNull()])
    // Documents that look like the wrapper are wrapped too; anything else is itself.
    func wrap(_ s: String) -> String {
      text { out in Array(s.utf8).withUnsafeBytes { NDJSONValue.appendJSONDocument($0, into: &out) } }
    }
    XCTAssertEqual(wrap(#"{"json":1}"#), #"{"json":{"json":1}}"#)
    XCTAssertEqual(wrap(#"{"json_diff":[]}"#), #"{"json":{"json_diff":[]}}"#)
    XCTAssertEqual(wrap(#"{"json":1,"b":2}"#), #"{"json":1,"b":2}"#)
    XCTAssertEqual(wrap(#"{"json":{"a":1,"b":[1,2]}}"#), #"{"json":{"json":{"a":1,"b":[1,2]}}}"#)
    XCTAssertEqual(wrap(#"{"json":"x,\"y"}"#), #"{"json":{"json":"x,\"y"}}"#)
    XCTAssertEqual(wrap(#"{"jsonx":1}"#), #"{"jsonx":1}"#)
    XCTAssertEqual(wrap(#""null""#), #""null""#)
    XCTAssertEqual(wrap("[null]"), "[null]")
  }

  /// Defect 5: FLOAT/DOUBLE −0.0 (bytes 00000080 / 0000000000000080; mysqlbinlog prints -0) keeps
  /// its sign, so the text reads back as the same value.
  func testNegativeZeroKeepsItsSign() throws {
    let d = Double(bitPattern: 0x8000_0000_0000_0000)
    let f = Float(bitPattern: 0x8000_0000)
    let dj = text { JSONWriter.appendDouble(d, into: &$0) }
    let fj = text { JSONWriter.appendFloat(f, into: &$0) }
    XCTAssertEqual(dj, "-0.0")
    XCTAssertEqual(fj, "-0.0")
    let back = try JSONSerialization.jsonObject(with: Data("[\(dj)]".utf8)) as! [NSNumber]
    XCTAssertEqual(back[0].doubleValue.sign, .minus)
    XCTAssertEqual(text { JSONWriter.appendDouble(0.0, into: &$0) }, "0")
    XCTAssertEqual(text { JSONWriter.appendDouble(-1.0, into: &$0) }, "-1")
  }

  /// Defect 6: json.binlog.000001 (MySQL 8.0.22) pos 3750: a PARTIAL_UPDATE_ROWS event of 6 rows
  /// whose before image lacks the JSON column. NDJSON gives the diff (README); SQL writes the JSON
  /// functions instead of skipping the rows.
  func testPartialJSONWithoutTheDocumentBecomesJSONFunctions() throws {
    let lines = try ndjsonLines("blackbeam__rust_mysql_common/json.binlog.000001")
    let partial = lines.filter { $0.contains("\"pos\":3750,") }
    XCTAssertEqual(partial.count, 6)
    for l in partial {
      let obj = try JSONSerialization.jsonObject(with: Data(l.utf8)) as! [String: Any]
      let after = obj["after"] as! [String: Any]
      let diff = (after.values.compactMap { ($0 as? [String: Any])?["json_diff"] as? [[String: Any]] }).first
      XCTAssertNotNil(diff, l)
      XCTAssertTrue(diff?.allSatisfy { ["replace", "insert", "remove"].contains($0["op"] as? String ?? "") } ?? false, l)
    }
    let (sql, exporter) = try sqlText("blackbeam__rust_mysql_common/json.binlog.000001")
    let block = sql.components(separatedBy: "\n").filter { $0.hasPrefix("UPDATE") && $0.contains("JSON_") }
    XCTAssertEqual(block.count, 6, sql)
    // The reference: the server computed the generated column `age` AS (json_col->'$.age') from
    // the updated document, in the same after image.
    for line in block {
      let set = line.components(separatedBy: "JSON_REPLACE(`json_col`,'$.age',JSON_EXTRACT('")
      XCTAssertEqual(set.count, 2, line)
      let value = set.last?.prefix { $0.isNumber }
      let age = line.components(separatedBy: "`age`=").last?.prefix { $0.isNumber }
      XCTAssertNotNil(value, line)
      XCTAssertEqual(value.map(String.init), age.map(String.init), line)
    }
    XCTAssertFalse(sql.contains("-- row skipped"), sql)
    XCTAssertEqual(exporter.rowsSkipped, 0)
  }

  func testJSONDiffFunctionsNestInOrder() {
    let diffs = [
      JSONDiff(operation: .replace, path: "$.a", value: .int(1)),
      JSONDiff(operation: .insert, path: "$.b[0]", value: .string("x'y")),
      JSONDiff(operation: .insert, path: "$.c", value: .object([("k", .null)])),
      JSONDiff(operation: .remove, path: "$.d"),
    ]
    var out: [UInt8] = []
    SQLExporter.appendJSONDiff(diffs, column: "doc", into: &out)
    XCTAssertEqual(
      String(decoding: out, as: UTF8.self),
      #"JSON_REMOVE(JSON_INSERT(JSON_ARRAY_INSERT(JSON_REPLACE(`doc`,'$.a',JSON_EXTRACT('1','$')),'$.b[0]',JSON_EXTRACT('"x\'y"','$')),'$.c',JSON_EXTRACT('{"k":null}','$')),'$.d')"#
    )
  }
}
