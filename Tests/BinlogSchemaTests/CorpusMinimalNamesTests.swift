import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogSchema

/// The corpus's MySQL 5.7/8.x binlogs without column names in their Table_maps (5.7 has no
/// optional metadata; 8.x with binlog_row_metadata=MINIMAL): wherever the file holds the table's
/// CREATE TABLE, DDL replay alone names every column and the key; elsewhere the columns stay
/// positional (never guessed).
final class CorpusMinimalNamesTests: XCTestCase {
  /// Every MANIFEST file from a MySQL 5.7/8.x/9.x server whose features do not say FULL metadata.
  func minimalMySQLFiles() throws -> [String] {
    let manifest = TestPaths.corpus + "/MANIFEST.tsv"
    guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { throw XCTSkip("no corpus") }
    let broken: Set<String> = [
      "blackbeam__rust_mysql_common/binlog_truncated_event.000001",
      "blackbeam__rust_mysql_common/binlog_truncated_prev_gtid_event.000001",
      "blackbeam__rust_mysql_common/corrupt-relay-bin.000624",
    ]
    var out: [String] = []
    for line in text.split(separator: "\n").dropFirst() {
      let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard f.count > 12 else { continue }
      let version = f[7]
      guard version.hasPrefix("5.7") || version.hasPrefix("8.") || version.hasPrefix("9."), !version.contains("MariaDB"),
        !f[12].contains("row_metadata=FULL"), !broken.contains(f[0]), !f[0].hasSuffix(".gz")
      else { continue }
      out.append(f[0])
    }
    return out
  }

  func testNamesWhereverTheCreateTableIsInTheFile() throws {
    let files = try minimalMySQLFiles()
    XCTAssertGreaterThan(files.count, 30)
    var named = 0
    var positional = 0
    var namedFiles: Set<String> = []
    for rel in files {
      let tracker = SchemaTracker()
      let input = try BinlogInput(path: TestPaths.corpus + "/" + rel)
      var walker = BinlogWalker(source: input)
      walker.skipErrors = true
      try walker.run { w, ev in
        tracker.consume(ev, file: w.fileName)
        guard case .tableMap(let raw) = ev.body, !raw.hasColumnNames else { return }
        let m = tracker.tableMap(raw.tableID)!
        let known = tracker.timeline.table(TableName(m.database, m.table))
        let at = "\(rel):\(ev.raw.offset) \(m.database).\(m.table)"
        if let known, !known.uncertain {
          XCTAssertFalse(
            m.columns.contains { $0.name == nil }, "\(at): its CREATE TABLE is in the file, yet \(m.columns.map(\.name))")
          named += 1
          namedFiles.insert(rel)
        } else {
          XCTAssertTrue(m.columns.allSatisfy { $0.name == nil }, "\(at): no definition, yet names \(m.columns.map(\.name))")
          positional += 1
        }
      }
      XCTAssertEqual(tracker.mismatches.map(\.description), [], rel)
    }
    XCTAssertGreaterThan(named, 60)
    XCTAssertGreaterThan(namedFiles.count, 20)
    XCTAssertGreaterThan(positional, 0, "some tables were created before their file began")
  }

  /// Known tables, their columns and keys, one per file (MySQL 5.7 and 8.0 servers).
  func testKnownTables() throws {
    let expected: [(file: String, table: String, names: [String], pk: [String])] = [
      ("alibaba__canal/tsdb_mysql-bin.000002", "wanshao.wanshao_test", ["id", "name", "age"], ["id"]),
      ("apecloud__mysql-binlog-connector-rust/mysql-bin.000080", "a.emoji", ["id", "value"], ["id"]),
      ("apecloud__mysql-binlog-connector-rust/mysql-bin.000057", "a.b", ["id"], []),
      ("EasyPost__rust-mysql-binlog/bin-log.000001", "bltest.foo", ["id", "val_decimal", "comment"], ["id"]),
      ("Fanduzi__BinlogVisualizer/minimal.binlog", "testdb.users", ["id", "name"], ["id"]),
      ("rust-us__mysql-cdc-rs/5.7_30_write_rows_v2_log.bin", "default.boxercrab", ["id", "title"], ["id"]),
      ("rusuly__MySqlCdc/mysql-bin.000001", "test.mysqlcdc", ["Id", "TinyColumn", "ShortColumn", "Int24Column"], ["Id"]),
      ("blackbeam__rust_mysql_common/json.binlog.000001", "mysql.t", ["id", "json_col", "name", "age"], ["id"]),
      (
        "rust-us__mysql-cdc-rs/8.0_02_query_bigger_binlog.000733", "test.Demo",
        ["L_ORDERKEY", "L_PARTKEY", "L_SUPPKEY", "L_LINENUMBER"], ["L_ORDERKEY", "L_LINENUMBER", "L_SHIPDATE"]
      ),
      ("zendesk__maxwell/binlog.000004", "bac_schema.bac_history", ["id", "name", "desc", "status"], ["id"]),
      (
        "osheroff__mysql-binlog-connector-java/mysql-bin.checksum-none", "account_db.refresh_token",
        ["id", "created_at", "updated_at", "account_id", "is_enable", "refresh_token"], ["id"]
      ),
    ]
    for e in expected {
      let maps = try walkEnriched([try TestPaths.corpusFile(e.file)])
      let m = try XCTUnwrap(maps.first { $0.key == e.table }, "\(e.file): no table map of \(e.table)")
      XCTAssertEqual(Array(m.names.prefix(e.names.count)), e.names, "\(e.file) \(e.table)")
      XCTAssertEqual(m.pk, e.pk, "\(e.file) \(e.table)")
    }
  }
}
