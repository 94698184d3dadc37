import BinlogFormat
import BinlogIO
import SluiceTestSupport
import XCTest

@testable import BinlogSchema

/// One Table_map as seen through the tracker.
struct SeenMap {
  var file: String
  var offset: UInt64
  var db: String
  var table: String
  var names: [String?]
  var pk: [String]
  var map: TableMapEvent

  var key: String { "\(db).\(table)" }
}

/// Walks `paths` in order through a SchemaTracker; returns every (enriched) Table_map.
func walkEnriched(_ paths: [String], tracker: SchemaTracker = SchemaTracker()) throws -> [SeenMap] {
  var out: [SeenMap] = []
  for p in paths {
    let input = try BinlogInput(path: p)
    var walker = BinlogWalker(source: input)
    try walker.run { w, ev in
      tracker.consume(ev, file: w.fileName)
      if case .tableMap(let raw) = ev.body {
        let m = tracker.tableMap(raw.tableID)!
        out.append(
          SeenMap(
            file: binlogBaseName(w.fileName), offset: ev.raw.offset, db: m.database, table: m.table,
            names: m.columns.map(\.name), pk: m.primaryKeyOrder.map { m.columns[$0].name ?? "@\($0 + 1)" }, map: m))
      }
    }
  }
  return out
}

final class CorpusSchemaTests: XCTestCase {
  func testFanduziMinimalUsersGetNames() throws {
    let maps = try walkEnriched([try TestPaths.corpusFile("Fanduzi__BinlogVisualizer/minimal.binlog")])
    XCTAssertEqual(maps.count, 4)
    for m in maps {
      XCTAssertEqual(m.names, ["id", "name"], "\(m.file):\(m.offset)")
      XCTAssertEqual(m.pk, ["id"])
    }
  }

  func testCanalTsdbAlterSequenceAcrossTwoFiles() throws {
    let files = [
      try TestPaths.corpusFile("alibaba__canal/tsdb_mysql-bin.000002"),
      try TestPaths.corpusFile("alibaba__canal/tsdb_mysql-bin.000003"),
    ]
    let tracker = SchemaTracker()
    let maps = try walkEnriched(files, tracker: tracker)
    func at(_ file: String, _ offset: UInt64) -> SeenMap? { maps.first { $0.file == file && $0.offset == offset } }
    XCTAssertEqual(at("tsdb_mysql-bin.000002", 4644)?.names, ["id", "name", "age"])
    // add col1, add col2, drop col1 → (id, name, age, col2)
    XCTAssertEqual(at("tsdb_mysql-bin.000003", 872)?.names, ["id", "name", "age", "col2"])
    XCTAssertEqual(at("tsdb_mysql-bin.000003", 1360)?.names, ["id", "name", "age", "col2", "col1"])
    XCTAssertEqual(at("tsdb_mysql-bin.000003", 1851)?.names, ["id", "name", "age", "col2", "col1", "col3"])
    XCTAssertEqual(at("tsdb_mysql-bin.000003", 2967)?.names, ["id", "name", "age", "col2", "col1"])
    XCTAssertEqual(at("tsdb_mysql-bin.000003", 2967)?.pk, ["id"])
    let history = try XCTUnwrap(at("tsdb_mysql-bin.000003", 11770))
    XCTAssertEqual(history.key, "tsdb.canal_table_meta_history")
    XCTAssertEqual(history.names.count, 13)
    XCTAssertEqual(history.names.prefix(4), ["id", "gmt_create", "gmt_modified", "binlog_file"])
    XCTAssertEqual(history.map.columns[0].unsigned, true, "bigint(20) unsigned")
    XCTAssertEqual(history.map.columns[3].collation, 33, "DEFAULT CHARSET=utf8")
    let snapshot = try XCTUnwrap(at("tsdb_mysql-bin.000003", 12098))
    XCTAssertEqual(
      snapshot.names,
      [
        "id", "gmt_create", "gmt_modified", "binlog_file", "binlog_offest", "binlog_master_id", "binlog_timestamp", "data",
        "extra",
      ])
    for m in maps { XCTAssertFalse(m.names.contains(nil), "\(m.file):\(m.offset) \(m.key) stayed positional") }
    XCTAssertEqual(tracker.mismatches, [])
    XCTAssertEqual(tracker.timeline.issues.count, 0, "\(tracker.timeline.issues.map(\.sql))")
    // `local`.`wanshao_test` was dropped; `wanshao`.`wanshao_test` lives on.
    XCTAssertNil(tracker.timeline.table(TableName("local", "wanshao_test")))
    XCTAssertNotNil(tracker.timeline.table(TableName("local", "exception")))
  }

  func testCanalTsdbSecondFileAloneHasNoSchemaForTheAlteredTable() throws {
    let tracker = SchemaTracker()
    let maps = try walkEnriched([try TestPaths.corpusFile("alibaba__canal/tsdb_mysql-bin.000003")], tracker: tracker)
    let wanshao = maps.filter { $0.key == "wanshao.wanshao_test" }
    XCTAssertFalse(wanshao.isEmpty)
    for m in wanshao { XCTAssertTrue(m.names.allSatisfy { $0 == nil }, "\(m.offset): ALTERs of an unknown table give no names") }
    XCTAssertEqual(tracker.timeline.issues.count, 6, "the six ALTERs name a table the timeline does not know")
    XCTAssertTrue(maps.filter { $0.key.hasPrefix("tsdb.") }.allSatisfy { !$0.names.contains(nil) })
  }

  func testZaloraCreateAndAlter() throws {
    let m2 = try walkEnriched([try TestPaths.corpusFile("zalora__binlog-parser/mysql-bin.02")])
    XCTAssertEqual(m2.map(\.names), [["emp_no", "birth_date", "first_name", "last_name"]])
    XCTAssertEqual(m2[0].pk, ["emp_no"])
    XCTAssertEqual(m2[0].map.columns[0].unsigned, true)
    let m6 = try walkEnriched([try TestPaths.corpusFile("zalora__binlog-parser/mysql-bin.06")])
    XCTAssertEqual(
      m6.map(\.names), [["language_id", "name", "last_update"], ["language_id", "name", "last_update", "some_field"]])
    let m7 = try walkEnriched([try TestPaths.corpusFile("zalora__binlog-parser/mysql-bin.07")])
    XCTAssertEqual(m7.map(\.names), [["dept_no", "dept_name"], ["dept_no", "dept_name"]], "MariaDB 10.0")
    XCTAssertEqual(m7[0].pk, ["dept_no"])
    // No DDL in the file: no names, no guesses.
    let m1 = try walkEnriched([try TestPaths.corpusFile("zalora__binlog-parser/mysql-bin.01")])
    XCTAssertTrue(m1.allSatisfy { $0.names.allSatisfy { $0 == nil } })
  }

  func testRustUsFiles() throws {
    let a = try walkEnriched([try TestPaths.corpusFile("rust-us__mysql-cdc-rs/5.7_19_table_map_log.bin")])
    XCTAssertEqual(a.map(\.names), [["id", "title"]])
    XCTAssertEqual(a[0].pk, ["id"])
    let b = try walkEnriched([
      try TestPaths.corpusFile("rust-us__mysql-cdc-rs/8.0_19_30_Table_map_event_Write_rows_log_event_binlog.000018")
    ])
    XCTAssertEqual(b.map(\.names), [["col1", "col2", "col3", "col4", "col5", "col6"]])
    let c = try walkEnriched([try TestPaths.corpusFile("rust-us__mysql-cdc-rs/8.0_32_delete_rows_v2_binlog.000001")])
    XCTAssertEqual(c.count, 3)
    XCTAssertTrue(c.allSatisfy { $0.names == ["col1", "col2", "col3", "col4", "col5", "col6"] })
    for name in [
      "5.7_02_query_log.bin", "5.7_14_user_var_log.bin", "5.7_30_write_rows_v2_log.bin", "5.7_32_delete_rows_v2_log.bin",
      "5.7_33_35_gtid_prev_gtid_log.bin", "5.7_34_anonymous_gtid_log.bin", "5.7_29_row_query_log.bin", "5.7_16_xid_log.bin",
    ] {
      let maps = try walkEnriched([try TestPaths.corpusFile("rust-us__mysql-cdc-rs/" + name)])
      for m in maps { XCTAssertFalse(m.names.contains(nil), "\(name):\(m.offset)") }
    }
  }

  func testMaxwellDBeaverStatements() throws {
    let tracker = SchemaTracker()
    let maps = try walkEnriched([try TestPaths.corpusFile("zendesk__maxwell/binlog.000004")], tracker: tracker)
    XCTAssertFalse(maps.isEmpty)
    for m in maps {
      XCTAssertEqual(m.names, ["id", "name", "desc", "status"], "\(m.offset) \(m.key)")
      XCTAssertEqual(m.pk, ["id"])
    }
    XCTAssertEqual(tracker.timeline.issues.count, 0, "\(tracker.timeline.issues)")
    let bootstrap = try XCTUnwrap(tracker.timeline.table(TableName("maxwell", "bootstrap")))
    XCTAssertEqual(bootstrap.columns[1].charset, "utf8mb3")
    XCTAssertEqual(bootstrap.style, .mysql80)
  }

  /// Every schema statement of every corpus file is modeled: none comes back unsupported
  /// (statements the server logged with an error code are uncertain by design).
  func testEveryCorpusDDLStatementIsModeled() throws {
    let manifest = TestPaths.corpus + "/MANIFEST.tsv"
    guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { throw XCTSkip("no corpus manifest") }
    var statements = 0
    for line in text.split(separator: "\n").dropFirst() {
      let rel = String(line.split(separator: "\t", maxSplits: 1)[0])
      let path = TestPaths.corpus + "/" + rel
      guard !rel.hasSuffix(".gz"), FileManager.default.fileExists(atPath: path) else { continue }
      let tracker = SchemaTracker()
      _ = try? walkEnriched([path], tracker: tracker)
      statements += tracker.timeline.records.count
      for r in tracker.timeline.records {
        if case .unsupported(let why) = r.outcome, !why.contains("error code") {
          XCTFail("\(rel) \(r.position): \(why): \(r.sql.prefix(200))")
        }
      }
    }
    XCTAssertGreaterThan(statements, 100)
  }

  /// MySQL 8.0.13+ functional key parts live in hidden generated columns that this server logged.
  func testHiddenFunctionalIndexColumn() throws {
    let tracker = SchemaTracker()
    let maps = try walkEnriched(
      [try TestPaths.corpusFile("blackbeam__rust_mysql_common/rpl_unfiltered_hidden_gcol.000001")], tracker: tracker)
    XCTAssertEqual(maps.map(\.names), [["a", "!hidden!i!0!0", "b"]])
    XCTAssertEqual(tracker.mismatches, [])
    let t = try XCTUnwrap(tracker.timeline.table(TableName("test", "t")))
    XCTAssertFalse(TypeText.createTable(t).contains("!hidden!"))
  }
}
