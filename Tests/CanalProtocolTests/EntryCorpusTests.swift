import BinlogFormat
import CanalProtocol
import SluiceTestSupport
import XCTest

/// MySQL-specific mapping on real MySQL binlogs from ../shared/corpus (skipped when absent):
/// BEGIN entries, binary JSON text, partial JSON updates, GTID props, 8.0 type texts.
final class EntryCorpusTests: XCTestCase {
  func entries(_ rel: String, forClients: Bool = false, gtidMode: Bool = false) throws -> [TestEntry] {
    var options = quietOptions(forClients: forClients)
    options.gtidMode = gtidMode
    return try mapEntries([try TestPaths.corpusFile(rel)], options: options)
  }

  func testMySQLTransactionsBeginWithThreadID() throws {
    let e = try entries("blackbeam__rust_mysql_common/json.binlog.000001")
    let begin = try XCTUnwrap(e.first { $0.type == .transactionbegin })
    XCTAssertEqual(begin.offset, 924)
    XCTAssertNil(begin.header.eventTypePresent)
    guard case .begin(let b) = begin.mapped.store else { return XCTFail("not a TransactionBegin") }
    XCTAssertEqual(b.threadID, 9)
    XCTAssertEqual(b.transactionID, "")
    XCTAssertEqual(b.props, [])
    // BEGIN, ROWDATA, END per transaction; ALTER USER gives no entry.
    let clients = try entries("blackbeam__rust_mysql_common/json.binlog.000001", forClients: true)
    XCTAssertEqual(clients.first?.type, .rowdata)  // CREATE TABLE t
    XCTAssertEqual(Array(clients.dropFirst().prefix(3).map(\.type)), [.transactionbegin, .rowdata, .transactionend])
  }

  func testBinaryJSONText() throws {
    // EXPECTED.md: json-opaque.binlog, table foo.test (a json); first row of each WRITE_ROWS.
    let e = try entries("blackbeam__rust_mysql_common/json-opaque.binlog")
    let values = rowsEntries(e, "foo", "test").map { $0.rowChange!.rowDatas[0].afterColumns[0] }
    XCTAssertEqual(
      values.map(\.value),
      [
        #"{"a": "U"}"#,  // opaque VARCHAR: its text, not MySQL's base64 form
        #"{"b": "2012-03-18 00:00:00.000000"}"#,  // opaque DATE printed as a DATETIME
        #"{"c": "2012-03-18 11:30:45.000000"}"#,
        #"{"c": "87:31:46.654321"}"#,
        #"{"d": 123.456}"#,
        #"{"e": 9.0}"#,  // DECIMAL 9.00: Canal's DECIMAL text
        #"{"e": [0, 1, true, false]}"#,
        #"{"e": null}"#,
      ])
    XCTAssertTrue(values.allSatisfy { $0.sqlType == 12 && $0.mysqlType == "json" && $0.name == "a" })
  }

  func testPartialJSONUpdateIsAFunctionExpression() throws {
    let e = try entries("blackbeam__rust_mysql_common/json.binlog.000001")
    let updates = rowsEntries(e, "mysql", "t").filter { $0.header.eventType == .update }
    XCTAssertEqual(updates.count, 2)
    let full = updates[0].rowChange!.rowDatas[0]
    XCTAssertEqual(full.afterColumns[1].value, #"{"age": 25, "data": "xxxxxxxxxx", "name": "Joe"}"#)
    let partial = updates[1].rowChange!.rowDatas[0]
    // MINIMAL metadata: positional names, so the expression names the column @2.
    XCTAssertEqual(partial.beforeColumns.map(\.name), ["@1"])
    XCTAssertEqual(partial.afterColumns[0].name, "@2")
    XCTAssertEqual(partial.afterColumns[0].value, "JSON_REPLACE(@2, '$.age', 26)")
    XCTAssertEqual(partial.afterColumns[0].sqlType, 12)
    XCTAssertTrue(partial.afterColumns[0].updated)
    XCTAssertEqual(updates[1].header.props.first { $0.key == "rowsCount" }?.value, "6")
  }

  func testGTIDModeAddsCurrentGTIDProps() throws {
    let rel = "apecloud__mysql-binlog-connector-rust/mysql-bin.000080"
    let plain = try entries(rel)
    XCTAssertTrue(plain.allSatisfy { $0.header.gtid.isEmpty && !$0.header.props.contains { $0.key == "curtGtid" } })
    let e = try entries(rel, gtidMode: true)
    let rows = try XCTUnwrap(e.first { $0.type == .rowdata && $0.header.eventType == .insert })
    let props = rows.header.props.map(\.key)
    XCTAssertEqual(props, ["curtGtid", "curtGtidSn", "curtGtidLct", "rowsCount"])
    let curt = rows.header.props[0].value
    XCTAssertTrue(rows.header.gtid.hasPrefix(String(curt.split(separator: ":")[0]) + ":"), rows.header.gtid)
    XCTAssertTrue(curt.contains(":"))
    // The executed set grows with every transaction's GTID.
    let ends = e.filter { $0.type == .transactionend }
    XCTAssertGreaterThan(ends.count, 1)
    XCTAssertNotEqual(ends.first!.header.gtid, ends.last!.header.gtid)
    // GTIDLOG entries: the Pair keeps only the last key set (sequenceNumber when a clock exists).
    let gtid = try XCTUnwrap(e.first { $0.type == .gtidlog })
    guard case .pair(let p) = gtid.mapped.store else { return XCTFail("no pair") }
    XCTAssertEqual(p.key, "sequenceNumber")
  }

  func testMySQL8TypeTextsHaveNoDisplayWidths() throws {
    let e = try entries("blackbeam__rust_mysql_common/mysql-enum-string-set.000001")
    let insert = try XCTUnwrap(rowsEntries(e, "mysql", "t").first)
    let cols = insert.rowChange!.rowDatas[0].afterColumns
    XCTAssertEqual(
      cols.map(\.mysqlType),
      ["char(128)", "varchar(300)", "enum('var1','variant2','foo')", "set('one','two','three','four')", "text"])
    XCTAssertEqual(cols.map(\.value)[2...3], ["1", "5"])
    XCTAssertEqual(cols.map(\.sqlType), [1, 12, 4, -7, 2005])
  }

  func testMySQL51StatementsAndRows() throws {
    // Canal's own test binlog (MySQL 5.1, no metadata): BEGIN/COMMIT queries and rows.
    let e = try entries("alibaba__canal/mysql-bin.000001")
    XCTAssertGreaterThan(e.filter { $0.type == .transactionbegin }.count, 10)
    let rows = e.filter { $0.type == .rowdata && [.insert, .update, .delete].contains($0.header.eventType) }
    XCTAssertEqual(rows.count, 89)
    XCTAssertTrue(rows.allSatisfy { $0.rowChange!.rowDatas.first?.afterColumns.first?.name.hasPrefix("@") ?? true })
  }

  func testStatementBasedHelperEventsAreQueryEntries() throws {
    // MySQL 5.1.23: User_var @x=4 at 1044, Rand at 1183, Intvar LAST_INSERT_ID=0 at 1331.
    let e = try entries("blackbeam__rust_mysql_common/ver_5_1_23.001")
    func entry(_ offset: UInt64) -> TestEntry? { e.first { $0.offset == offset } }
    XCTAssertEqual(entry(1044)?.rowChange?.sql, "SET @x := 4")
    XCTAssertEqual(entry(1183)?.rowChange?.sql, "SET SESSION rand_seed1 = 206881985 , rand_seed2 = 103665823")
    XCTAssertEqual(entry(1331)?.rowChange?.sql, "SET INSERT_ID = 0")  // Canal prints INSERT_ID for both kinds
    for offset: UInt64 in [1044, 1183, 1331] {
      XCTAssertEqual(entry(offset)?.header.eventType, .query)
      XCTAssertEqual(entry(offset)?.rowChange?.eventType, .query)
      XCTAssertNil(entry(offset)?.rowChange?.isDdlPresent)
    }
  }

  func testVectorColumnsAreBinaryOfTypeOther() throws {
    // EXPECTED.md: vector.binlog, dtb.foo(id SERIAL, vector_column VECTOR(3)), row 1 = [1.1, 2.2, 3.3].
    let e = try entries("blackbeam__rust_mysql_common/vector.binlog")
    let row = try XCTUnwrap(rowsEntries(e, "dtb", "foo").first?.rowChange?.rowDatas.first?.afterColumns)
    let v = row[1]
    XCTAssertEqual(v.sqlType, 1111)
    XCTAssertEqual(v.mysqlType, "vector(3)")
    XCTAssertEqual(
      v.value.unicodeScalars.map { UInt8($0.value) }, [0xCD, 0xCC, 0x8C, 0x3F, 0xCD, 0xCC, 0x0C, 0x40, 0x33, 0x33, 0x53, 0x40])
  }
}
