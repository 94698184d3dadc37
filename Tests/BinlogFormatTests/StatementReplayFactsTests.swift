import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

/// EXPECTED.md's mysql-test replay results for the MySQL 5.1 files, rebuilt from what Sluice
/// decodes: row events applied as rows, the file's four statement INSERTs evaluated with the
/// session context the binlog carries (User_var, Rand seeds, Intvar), and LOAD DATA's blocks.
final class StatementReplayFactsTests: XCTestCase {
  /// MySQL's `my_rnd` (my_rnd.cc): the RAND() that a Rand event's two seeds reproduce.
  func mysqlRand(_ seed1: UInt64, _ seed2: UInt64) -> Double {
    let max: UInt64 = 0x3FFF_FFFF
    let s1 = (seed1 * 3 + seed2) % max
    return Double(s1) / Double(max)
  }

  struct Replay {
    var tables: [String: [[String]]] = [:]
    var loadedLines = 0
    var rand: Double?
  }

  func replay(_ rel: String) throws -> Replay {
    var r = Replay()
    var userVars: [String: String] = [:]
    var lastInsertID: UInt64?
    func text(_ v: ColumnValue) -> String {
      switch v {
      case .int(let i): return String(i)
      case .uint(let u): return String(u)
      case .string(let b, _): return String(decoding: b, as: UTF8.self)
      case .null: return "NULL"
      default: return "\(v)"
      }
    }
    var walker = BinlogWalker(source: try BinlogInput(path: try TestPaths.corpusFile(rel)))
    try walker.run { w, ev in
      switch ev.body {
      case .rows(let rows):
        guard let map = w.tableMaps[rows.tableID] else { return XCTFail("no table map") }
        var d = try RowDecoder(event: rows, table: map)
        while try d.next() {
          let before = d.before.map(text)
          let after = d.after.map(text)
          var t = r.tables[map.table, default: []]
          switch rows.kind {
          case .write: t.append(after)
          case .update:
            guard let i = t.firstIndex(of: before) else { return XCTFail("update of a missing row \(before)") }
            t[i] = after
          case .delete:
            guard let i = t.firstIndex(of: before) else { return XCTFail("delete of a missing row \(before)") }
            t.remove(at: i)
          }
          r.tables[map.table] = t
        }
      case .userVar(let u):
        // INT values are 8-byte little-endian.
        if u.valueType == 2, u.value.count == 8 {
          userVars[u.name] = String(Int64(littleEndian: u.value.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }))
        }
      case .rand(let rand):
        r.rand = mysqlRand(rand.seed1, rand.seed2)
      case .intvar(let i):
        if i.kind == 1 { lastInsertID = i.value }
      case .loadBlock:
        // Begin_load_query / Append_block: file id (4 bytes), then the data.
        r.loadedLines += ev.raw.body.dropFirst(4).filter { $0 == 0x0A }.count
      case .query(let q):
        // INSERT INTO tN VALUES (<expr>, '<text>') — the forms this file uses.
        let sql = q.query
        guard sql.hasPrefix("INSERT INTO "), let open = sql.firstIndex(of: "("), let comma = sql.firstIndex(of: ",")
        else { return }
        let table = String(sql.dropFirst("INSERT INTO ".count).prefix { $0 != " " })
        let expr = sql[sql.index(after: open)..<comma].trimmingCharacters(in: .whitespaces)
        let quoted = sql[sql.index(after: comma)...].split(separator: "'", omittingEmptySubsequences: false)
        guard quoted.count >= 3 else { return XCTFail("unexpected statement \(sql)") }
        let value: String
        switch expr {
        case "@x": value = userVars["x"] ?? "NULL"
        case "RAND() * 1000000": value = String(Int((r.rand ?? .nan) * 1_000_000 + 0.5))
        case "LAST_INSERT_ID()": value = String(lastInsertID ?? 0)
        default: value = expr
        }
        r.tables[table, default: []].append([value, String(quoted[1])])
      default: break
      }
    }
    return r
  }

  func testVer5123ReplayGivesTheMysqlTestTables() throws {
    let r = try replay("blackbeam__rust_mysql_common/ver_5_1_23.001")
    XCTAssertEqual(
      Set(r.tables["t1"] ?? []),
      [
        ["0", "last_insert_id"], ["1", "one"], ["3", "last stm in trx: next event should be xid"], ["4", "four"],
        ["674568", "random"],
      ])
    XCTAssertEqual(r.tables["t1"]?.count, 5)
    XCTAssertEqual(r.tables["t2"] ?? [], [["3", "first stm in trx"]])
    XCTAssertEqual(r.loadedLines, 17920, "COUNT(*) of t3 after LOAD DATA")
    XCTAssertEqual((r.rand ?? 0) * 1_000_000, 674567.91, accuracy: 0.01)
  }

  func testWl2325StatementFileGivesItsRandomValue() throws {
    let r = try replay("blackbeam__rust_mysql_common/ver_5_1-wl2325_s.001")
    XCTAssertEqual((r.rand ?? 0) * 1_000_000, 781729.2, accuracy: 0.05)
    XCTAssertTrue((r.tables["t1"] ?? []).contains(["781729", "random"]), "\(r.tables)")
  }

  /// MyISAM rows outside BEGIN/COMMIT are their own transactions, ended by STMT_END_F with no xid;
  /// the InnoDB transaction after them ends with Xid 19.
  func testRowsOutsideATransactionEndAtTheirStatement() throws {
    let input = try BinlogInput(path: try TestPaths.corpusFile("blackbeam__rust_mysql_common/ver_5_1_23.001"))
    XCTAssertEqual(input.lookaheadXid(from: 884), 19)  // from the transaction's second statement
    var walker = BinlogWalker(source: input)
    var units: [(UInt64, UInt64?)] = []
    try walker.run { w, ev in
      if w.transaction.ended && !ev.inPayload { units.append((w.transaction.startOffset, w.transaction.xid)) }
    }
    XCTAssertEqual(units.prefix(7).map(\.0), [106, 220, 334, 425, 516, 626, 708])
    XCTAssertEqual(units.prefix(7).map(\.1), [nil, nil, nil, nil, nil, nil, 19])
  }
}
