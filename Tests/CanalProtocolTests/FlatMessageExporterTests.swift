import BinlogFormat
import BinlogIO
import CanalProtocol
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// canal-protocol.md §4: flat messages.
final class FlatMessageExporterTests: XCTestCase {
  func header(schema: String, table: String, type: CanalEventType) -> CanalHeader {
    var h = CanalHeader()
    h.version = 1
    h.logfileName = "mysql-bin.000001"
    h.executeTime = 1_700_000_000_000
    h.schemaName = schema
    h.tableName = table
    h.eventType = type
    return h
  }

  func column(
    _ index: Int32, _ name: String, _ value: String?, sqlType: Int32, mysqlType: String, key: Bool = false, updated: Bool = false
  ) -> CanalColumn {
    var c = CanalColumn()
    c.index = index
    c.name = name
    c.isKey = key
    c.sqlType = sqlType
    c.mysqlType = mysqlType
    c.updated = updated
    c.isNull = value == nil
    if let value { c.value = value }
    return c
  }

  func json(_ h: CanalHeader, _ r: CanalRowChange, id: Int64, ts: Int64) -> String {
    var out: [UInt8] = []
    FlatMessage.append(header: h, rowChange: r, id: id, ts: ts, into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  func testSpecDDLExample() {
    var r = CanalRowChange()
    r.isDdl = true
    r.sql = "create table t2(id int)"
    r.eventType = .create
    XCTAssertEqual(
      json(header(schema: "test", table: "t2", type: .create), r, id: 3, ts: 1_700_000_000_123),
      #"{"data":null,"database":"test","es":1700000000000,"gtid":"","id":3,"isDdl":true,"mysqlType":null,"old":null,"pkNames":null,"sql":"create table t2(id int)","sqlType":null,"table":"t2","ts":1700000000123,"type":"CREATE"}"#
    )
  }

  func testSpecUpdateExample() {
    var row = CanalRowData()
    row.beforeColumns = [
      column(0, "id", "1", sqlType: 4, mysqlType: "int(11)", key: true),
      column(1, "name", "a", sqlType: 12, mysqlType: "varchar(10)"),
    ]
    row.afterColumns = [
      column(0, "id", "1", sqlType: 4, mysqlType: "int(11)", key: true),
      column(1, "name", "b", sqlType: 12, mysqlType: "varchar(10)", updated: true),
    ]
    var r = CanalRowChange()
    r.isDdl = false
    r.eventType = .update
    r.rowDatas = [row]
    XCTAssertEqual(
      json(header(schema: "test", table: "t1", type: .update), r, id: 4, ts: 1_700_000_000_456),
      #"{"data":[{"id":"1","name":"b"}],"database":"test","es":1700000000000,"gtid":"","id":4,"isDdl":false,"mysqlType":{"id":"int(11)","name":"varchar(10)"},"old":[{"name":"a"}],"pkNames":["id"],"sql":"","sqlType":{"id":4,"name":12},"table":"t1","ts":1700000000456,"type":"UPDATE"}"#
    )
  }

  func testOldAccumulatesUpdatedNamesAndNullsAreWritten() {
    func row(_ a0: String, _ b0: String?, _ a1: String, _ b1: String?) -> CanalRowData {
      var r = CanalRowData()
      r.beforeColumns = [column(0, "a", a0, sqlType: 4, mysqlType: "int"), column(1, "b", b0, sqlType: 12, mysqlType: "text")]
      r.afterColumns = [
        column(0, "a", a1, sqlType: 4, mysqlType: "int", updated: a0 != a1),
        column(1, "b", b1, sqlType: 12, mysqlType: "text", updated: b0 != b1),
      ]
      return r
    }
    var r = CanalRowChange()
    r.eventType = .update
    r.isDdl = false
    r.rowDatas = [row("1", "x", "2", "x"), row("5", nil, "5", "y\n\"q\"")]
    let text = json(header(schema: "d", table: "t", type: .update), r, id: 1, ts: 2)
    // Row 2 changed only b, but a stays in the flagged set from row 1.
    XCTAssertTrue(text.contains(#""old":[{"a":"1"},{"a":"5","b":null}]"#), text)
    XCTAssertTrue(text.contains(#""data":[{"a":"2","b":"x"},{"a":"5","b":"y\n\"q\""}]"#), text)
    XCTAssertTrue(text.contains(#""pkNames":null"#), text)
  }

  func testControlCharactersAreEscapedLikeFastjson2() {
    var r = CanalRowChange()
    r.sql = "a\u{1}b\u{8}\u{C}\t\u{7F}é"
    r.eventType = .query
    let text = json(header(schema: "", table: "", type: .query), r, id: 1, ts: 1)
    XCTAssertTrue(text.contains(#""sql":"a\u0001b\b\f\t"# + "\u{7F}é\""), text)
  }

  func testFixtureExportIsOneValidMessagePerRowDataEntry() throws {
    let files = TestPaths.fixtureSet()
    let sink = OutputSink.memory()
    let exporter = FlatMessageExporter(sink: sink, options: quietOptions())
    for p in files {
      let input = try BinlogInput(path: p)
      var walker = BinlogWalker(source: input)
      try walker.run { w, ev in try exporter.consume(ev, walker: w) }
    }
    try exporter.finish()
    let lines = sink.captured.split(separator: 0x0A)
    let rowEntries = try mapEntries(files).filter { $0.type == .rowdata }
    XCTAssertEqual(lines.count, rowEntries.count)
    XCTAssertEqual(UInt64(lines.count), exporter.messagesWritten)
    var ids: [Int] = []
    var sawProducts = false
    for line in lines {
      let obj = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
      XCTAssertEqual(
        obj.keys.sorted(),
        ["data", "database", "es", "gtid", "id", "isDdl", "mysqlType", "old", "pkNames", "sql", "sqlType", "table", "ts", "type"])
      // Keys are written in alphabetical order.
      let text = String(decoding: line, as: UTF8.self)
      XCTAssertTrue(text.hasPrefix(#"{"data":"#))
      XCTAssertEqual(obj["ts"] as? Int, obj["es"] as? Int)
      ids.append(obj["id"] as! Int)
      if obj["table"] as? String == "products", obj["type"] as? String == "INSERT", !sawProducts {
        sawProducts = true
        let data = obj["data"] as! [[String: Any]]
        XCTAssertEqual(data.count, 4)
        XCTAssertEqual(data[1]["title"] as? String, "Gadget ☃")
        XCTAssertEqual(data[1]["price"] as? String, "24.50")
        XCTAssertEqual(data[0]["price"] as? String, "9.99")
        XCTAssertEqual(data[3]["price"] as? String, "1234.0")  // Canal's DECIMAL text
        XCTAssertEqual(data[2]["tags"] as? String, "0")
        XCTAssertEqual(obj["pkNames"] as? [String], ["sku"])
        XCTAssertEqual((obj["sqlType"] as? [String: Int])?["tags"], -7)
        XCTAssertEqual((obj["mysqlType"] as? [String: String])?["price"], "decimal(10,2)")
        XCTAssertTrue(obj["old"] is NSNull)
      }
    }
    XCTAssertTrue(sawProducts)
    XCTAssertEqual(ids, Array(1...ids.count))
  }
}
