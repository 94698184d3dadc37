import BinlogFormat
import BinlogIO
import CanalProtocol
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// One mapped entry with the position of the event it came from.
struct TestEntry: Sendable {
  var mapped: MappedEntry
  var file: String
  var offset: UInt64
  var header: CanalHeader { mapped.header }
  var rowChange: CanalRowChange? { mapped.rowChange }
  var type: CanalEntryType { mapped.entryType }
}

/// Maps every event of `paths` (one stream) and returns the entries; with `forClients` the
/// client filter is applied.
func mapEntries(
  _ paths: [String], options: CanalOptions = quietOptions(), configure: (EntryMapper) -> Void = { _ in }
) throws -> [TestEntry] {
  let mapper = EntryMapper(options: options)
  configure(mapper)
  var filter = EntryClientFilter<TestEntry>(entryOf: { $0.mapped })
  var out: [TestEntry] = []
  for p in paths {
    let input = try BinlogInput(path: p)
    var walker = BinlogWalker(source: input)
    try walker.run { w, ev in
      guard let m = try mapper.map(ev, walker: w) else { return }
      let e = TestEntry(mapped: m, file: binlogBaseName(w.fileName), offset: ev.raw.offset)
      if options.forClients { filter.add(e, into: &out) } else { out.append(e) }
    }
  }
  return out
}

/// Rows entries (ROWDATA of INSERT/UPDATE/DELETE) of one table.
func rowsEntries(_ entries: [TestEntry], _ db: String, _ table: String) -> [TestEntry] {
  entries.filter {
    $0.type == .rowdata && $0.header.schemaName == db && $0.header.tableName == table
      && [.insert, .update, .delete].contains($0.header.eventType)
  }
}

/// The after image (before image for DELETE) of every row of a table's rows entries, keyed by
/// the value of its `key` column.
func imagesByKey(_ entries: [TestEntry], db: String, table: String, key: String = "id", after: Bool = true)
  -> [String: [String: CanalColumn]]
{
  var out: [String: [String: CanalColumn]] = [:]
  for e in rowsEntries(entries, db, table) {
    for row in e.rowChange!.rowDatas {
      let cols = e.header.eventType == .delete || !after ? row.beforeColumns : row.afterColumns
      if cols.isEmpty { continue }
      var byName: [String: CanalColumn] = [:]
      for c in cols { byName[c.name] = c }
      if let k = byName[key]?.value, out[k] == nil { out[k] = byName }
    }
  }
  return out
}

/// `runCommand(arguments)`: (status, stdout, stderr), or nil when it cannot be started.
func runProcess(_ arguments: [String], environment: [String: String] = [:]) -> (Int32, Data, String)? {
  guard let r = try? runCommand(arguments, environment: environment) else { return nil }
  return (r.status, r.stdout, r.stderr)
}

/// True when python3 with canal-python is usable.
func canalPythonAvailable() -> Bool {
  guard
    let r = runProcess(
      ["python3", "-c", "import canal.protocol.EntryProtocol_pb2"],
      environment: ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "python"])
  else { return false }
  return r.0 == 0
}

/// Header fields, transaction entries and statement entries on the real MariaDB fixture
/// (canal-protocol.md §2.1–§2.4).
final class EntryFixtureTests: XCTestCase {
  static let raw: [TestEntry] = try! mapEntries(TestPaths.fixtureSet(), options: quietOptions(forClients: false))

  func ddl(_ sqlPrefix: String, file: StaticString = #filePath, line: UInt = #line) -> TestEntry? {
    let e = Self.raw.first { $0.rowChange?.sql.hasPrefix(sqlPrefix) == true && $0.rowChange?.isDdlPresent != nil }
    if e == nil { XCTFail("no entry for \(sqlPrefix)", file: file, line: line) }
    return e
  }

  func testHeaderOfTheFirstStatement() throws {
    // binlog.000001 at 367: CREATE DATABASE sluice_types ... (152 bytes, 2024-03-01 00:00:00).
    let e = try XCTUnwrap(Self.raw.first { $0.type == .rowdata })
    let h = e.header
    XCTAssertEqual(h.versionPresent, .version(1))
    XCTAssertEqual(h.logfileName, "binlog.000001")
    XCTAssertEqual(h.logfileOffset, 367)
    XCTAssertEqual(h.eventLength, 152)
    XCTAssertEqual(h.serverID, 1)
    XCTAssertEqual(h.serverenCode, "UTF-8")
    XCTAssertEqual(h.executeTime, 1_709_251_200_000)
    XCTAssertEqual(h.sourceTypePresent, .sourceType(.mysql))
    XCTAssertEqual(h.eventType, .query)
    XCTAssertEqual(h.schemaName, "sluice_types")
    XCTAssertEqual(h.tableName, "")
    XCTAssertEqual(h.gtid, "")
    XCTAssertEqual(h.props, [])
    let r = try XCTUnwrap(e.rowChange)
    XCTAssertEqual(r.isDdlPresent, .isDdl(true))
    XCTAssertEqual(r.eventType, .query)
    XCTAssertEqual(r.sql, "CREATE DATABASE sluice_types CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    XCTAssertEqual(r.ddlSchemaName, "sluice_types")
    XCTAssertEqual(r.tableID, 0)
    XCTAssertTrue(r.rowDatas.isEmpty)
  }

  func testRowsEntryHeaderAndRowChange() throws {
    // The first INSERT INTO ints: Write_rows at 13772 (275 bytes), 6 rows, table id 23.
    let e = try XCTUnwrap(rowsEntries(Self.raw, "sluice_types", "ints").first)
    XCTAssertEqual(e.header.logfileOffset, 13772)
    XCTAssertEqual(e.header.eventLength, 275)
    XCTAssertEqual(e.header.eventType, .insert)
    XCTAssertEqual(e.header.executeTime, 1_709_251_500_000)
    XCTAssertEqual(e.header.props.map(\.key), ["rowsCount"])
    XCTAssertEqual(e.header.props.map(\.value), ["6"])
    let r = try XCTUnwrap(e.rowChange)
    XCTAssertEqual(r.tableID, 23)
    XCTAssertEqual(r.isDdlPresent, .isDdl(false))
    XCTAssertEqual(r.eventTypePresent, .eventType(.insert))
    XCTAssertEqual(r.rowDatas.count, 6)
    XCTAssertEqual(r.rowDatas[0].afterColumns.map(\.index), Array(0..<13))
    XCTAssertEqual(r.sql, "")
  }

  func testMariaDBTransactionsHaveNoBeginAndEndWithTheXid() throws {
    XCTAssertFalse(Self.raw.contains { $0.type == .transactionbegin }, "MariaDB writes no BEGIN query")
    let ends = Self.raw.filter { $0.type == .transactionend }
    XCTAssertGreaterThan(ends.count, 50)
    // Xid 33 at 14047 ends the first INSERT INTO ints.
    let first = try XCTUnwrap(ends.first { $0.offset == 14047 })
    guard case .end(let end) = first.mapped.store else { return XCTFail("not a TransactionEnd") }
    XCTAssertEqual(end.transactionID, "33")
    XCTAssertEqual(end.props, [])
    XCTAssertNil(first.header.eventTypePresent, "TRANSACTIONEND has no header eventType")
    XCTAssertEqual(first.header.schemaName, "")
    // A non-transactional (MyISAM) group ends with a COMMIT query: transactionId "0".
    let commit = try XCTUnwrap(ends.first { $0.file == "binlog.000002" && $0.offset == 11926 })
    guard case .end(let c) = commit.mapped.store else { return XCTFail("not a TransactionEnd") }
    XCTAssertEqual(c.transactionID, "0")
  }

  func testGTIDEventsAreGTIDLogEntriesForTheParserOnly() throws {
    let gtids = Self.raw.filter { $0.type == .gtidlog }
    XCTAssertGreaterThan(gtids.count, 100)
    let first = gtids[0]  // the GTID_LIST at 256 (empty), then 0-1-1 at 325
    XCTAssertEqual(first.header.eventType, .gtid)
    guard case .pair(let p) = gtids[1].mapped.store else { return XCTFail("no pair") }
    XCTAssertEqual([p.key, p.value], ["gtid", "0-1-1"])
    let clients = try mapEntries(TestPaths.fixtureSet())
    XCTAssertFalse(clients.contains { $0.type == .gtidlog })
  }

  func testAnnotateRowsIsAQueryEntryWithoutIsDdl() throws {
    let e = try XCTUnwrap(Self.raw.first { $0.rowChange?.sql.hasPrefix("INSERT INTO ints VALUES") == true })
    XCTAssertEqual(e.offset, 13098)
    XCTAssertEqual(e.header.eventType, .query)
    XCTAssertEqual(e.header.schemaName, "")
    XCTAssertEqual(e.header.tableName, "")
    XCTAssertNil(e.rowChange!.isDdlPresent)
    XCTAssertEqual(e.rowChange!.eventType, .query)
  }

  func testDDLClassificationOnTheFixture() throws {
    func check(_ prefix: String, _ type: CanalEventType, _ schema: String, _ table: String, line: UInt = #line) {
      guard let e = ddl(prefix, line: line) else { return }
      XCTAssertEqual(e.header.eventType, type, prefix, line: line)
      XCTAssertEqual(e.rowChange!.eventType, type, prefix, line: line)
      XCTAssertEqual(e.header.schemaName, schema, prefix, line: line)
      XCTAssertEqual(e.header.tableName, table, prefix, line: line)
      XCTAssertEqual(e.rowChange!.isDdl, true, prefix, line: line)
    }
    check("CREATE TABLE ints", .create, "sluice_types", "ints")
    check("ALTER TABLE churn ADD COLUMN", .alter, "sluice_misc", "churn")
    check("ALTER TABLE churn MODIFY", .alter, "sluice_misc", "churn")
    check("RENAME TABLE churn TO churned", .rename, "sluice_misc", "churned")
    check("TRUNCATE TABLE churned", .truncate, "sluice_misc", "churned")
    check("DROP TABLE `doomed`", .erase, "sluice_misc", "doomed")
    check("CREATE INDEX idx_sel", .cindex, "sluice_misc", "odd name ✓")
    check("ALTER TABLE parted TRUNCATE PARTITION", .alter, "sluice_misc", "parted")
    check("CREATE TABLE sluice_tmp.gone", .create, "sluice_tmp", "gone")
    check("DROP DATABASE sluice_tmp", .query, "sluice_tmp", "")
    // Parsed but not classified: no entry at all.
    for prefix in ["CREATE USER", "GRANT SELECT", "DROP USER", "CREATE SEQUENCE"] {
      XCTAssertFalse(Self.raw.contains { $0.rowChange?.sql.hasPrefix(prefix) == true }, prefix)
    }
    XCTAssertFalse(Self.raw.contains { $0.rowChange?.sql.contains("VIEW `v_composite`") == true })
  }

  func testXAStatements() throws {
    let end = try XCTUnwrap(Self.raw.first { $0.file == "binlog.000002" && $0.offset == 14692 })
    XCTAssertEqual(end.type, .transactionend)
    guard case .end(let e) = end.mapped.store else { return XCTFail("not a TransactionEnd") }
    XCTAssertEqual(e.transactionID, "0")
    XCTAssertEqual(e.props.map(\.key), ["XA_TYPE", "XA_XID"])
    XCTAssertEqual(e.props.map(\.value), ["XA END", " X'78612d636f6d6d69742d31',X'',1"])
    let commit = try XCTUnwrap(Self.raw.first { $0.file == "binlog.000002" && $0.offset == 14904 })
    XCTAssertEqual(commit.type, .rowdata)
    XCTAssertEqual(commit.header.eventType, .xacommit)
    XCTAssertEqual(commit.rowChange!.eventType, .xacommit)
    XCTAssertNil(commit.rowChange!.isDdlPresent)
    XCTAssertEqual(commit.rowChange!.props.map(\.value), ["XA COMMIT", " X'78612d636f6d6d69742d31',X'',1"])
    let rollback = try XCTUnwrap(Self.raw.first { $0.file == "binlog.000002" && $0.offset == 15676 })
    XCTAssertEqual(rollback.header.eventType, .xarollback)
    XCTAssertEqual(rollback.rowChange!.props.map(\.value), ["XA ROLLBACK", " X'78612d726f6c6c6261636b2d31',X'6271',7"])
    // The XA_prepare event itself gives nothing.
    XCTAssertFalse(Self.raw.contains { $0.file == "binlog.000002" && $0.offset == 14804 })
  }

  func testGTIDModeFillsTheExecutedSet() throws {
    var options = quietOptions(forClients: false)
    options.gtidMode = true
    let entries = try mapEntries(TestPaths.fixtureSet(), options: options)
    let e = try XCTUnwrap(rowsEntries(entries, "sluice_types", "ints").first)
    XCTAssertEqual(e.header.gtid, "0-1-17")
    // MariaDB GTIDs are not MySQL Gtid_log_events: Canal adds no curtGtid props for them.
    XCTAssertEqual(e.header.props.map(\.key), ["rowsCount"])
    let last = try XCTUnwrap(entries.last { $0.type == .transactionend })
    XCTAssertTrue(last.header.gtid.hasPrefix("0-1-"))
  }

  func testTableMetaProviderReplacesTheBinlogMetadata() throws {
    let entries = try mapEntries([TestPaths.fixtureSet()[0]], options: quietOptions(forClients: false)) { mapper in
      mapper.tableMetaProvider = { map, file, offset in
        guard map.table == "ints", file.hasSuffix("binlog.000001"), offset > 0 else { return nil }
        var meta = CanalTableMeta(map, serverVersion: "10.11.19-MariaDB")
        meta.columns[11] = CanalColumnMeta(name: "b", isKey: false, mysqlType: "tinyint(1)", column: map.columns[11])
        meta.columns[12] = CanalColumnMeta(
          name: "iz", isKey: false, mysqlType: "int(8) unsigned zerofill", column: map.columns[12])
        return meta
      }
    }
    let row = imagesByKey(entries, db: "sluice_types", table: "ints")["2"]!
    XCTAssertEqual(row["b"]?.mysqlType, "tinyint(1)")
    XCTAssertEqual(row["iz"]?.mysqlType, "int(8) unsigned zerofill")
    XCTAssertEqual(row["iz"]?.value, "4294967295")
    XCTAssertEqual(row["ti"]?.mysqlType, "tinyint(4)")
  }

  func testTableMapSourceNamesColumnsOfAMinimalMetadataBinlog() throws {
    // Stand-in for a DDL-replayed schema: the names and key of `ints` added to the MINIMAL map.
    let names = ["id", "ti", "tu", "si", "su", "mi", "mu", "i", "iu", "bi", "bu", "b", "iz"]
    let entries = try mapEntries(
      TestPaths.fixtureSet("mariadb-10.11-minimal"), options: quietOptions(forClients: false)
    ) { mapper in
      mapper.tableMapSource = { _, map in
        guard map.table == "ints", map.columns.count == names.count else { return nil }
        var named = map
        for i in named.columns.indices { named.columns[i].name = names[i] }
        named.columns[0].isPrimaryKey = true
        return named
      }
    }
    let row = imagesByKey(entries, db: "sluice_types", table: "ints")["2"]!
    XCTAssertEqual(row["tu"]?.value, "255")
    XCTAssertEqual(row["tu"]?.sqlType, 5)
    XCTAssertEqual(row["id"]?.isKey, true)
    XCTAssertEqual(rowsEntries(entries, "sluice_types", "bits").first?.rowChange?.rowDatas[0].afterColumns[0].name, "@1")
  }
}
