import Foundation
import XCTest

/// The incident workflow (issue 18): one filter set for `query` and `export`, every format from
/// both, times read as Sluice prints them, no silent empties, `info` that tells the truth.
extension CLITests {
  static let window = ["--start-datetime", "2024-03-01T01:00:00Z", "--stop-datetime", "2024-03-01 03:00:00"]

  /// SQL without its `-- FILE:OFFSET` transaction comments (a cut has other offsets).
  func withoutPositions(_ r: Run) -> [Substring] {
    r.lines.filter { !($0.hasPrefix("-- ") && $0.contains(":") && $0.contains("GTID")) }
  }

  func testQueryFlashbackOfAWindowUndoesExactlyItsTransactions() throws {
    let q = try run(["query", "--table", "sluice_shop.orders"] + Self.window + ["--format", "sql", "--flashback", Self.archiveDir])
    XCTAssertEqual(q.status, 0, q.stderr)
    // The transactions: those of the window that touch the table, newest first.
    let gtids = q.lines.compactMap { l -> String? in
      guard l.hasPrefix("-- binlog."), let r = l.range(of: " GTID ") else { return nil }
      return String(l[r.upperBound...])
    }
    XCTAssertEqual(gtids, ["0-1-87", "0-1-85", "0-1-84", "0-1-83", "0-1-79", "0-1-78", "0-1-77", "0-1-74", "0-1-73", "0-1-72", "0-1-69"])
    // Every row change of those transactions, from the unfiltered NDJSON export, is undone once.
    let all = try run(["export", "--format", "ndjson", "--threads", "1", Self.archiveDir])
    var want: [String: Int] = [:]
    for line in all.lines {
      let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      guard let g = o["gtid"] as? String, gtids.contains(g), let t = o["type"] as? String, t != "ddl", t != "query" else { continue }
      // Undo: an insert is deleted, a delete inserted, an update updated back.
      let undo = ["insert": "DELETE", "delete": "INSERT", "update": "UPDATE"][t]!
      want["\(undo) `\(o["db"]!)`.`\(o["table"]!)`", default: 0] += 1
    }
    var got: [String: Int] = [:]
    for l in q.lines where l.hasPrefix("INSERT INTO ") || l.hasPrefix("UPDATE ") || l.hasPrefix("DELETE FROM ") {
      let verb = l.hasPrefix("INSERT") ? "INSERT" : l.hasPrefix("UPDATE") ? "UPDATE" : "DELETE"
      let rest = l.dropFirst(verb == "UPDATE" ? 7 : 12)
      let table = rest.prefix { $0 != " " }
      got["\(verb) \(table)", default: 0] += 1
    }
    XCTAssertEqual(got, want)
    XCTAssertEqual(got["DELETE `sluice_shop`.`orders`"], 4)

    // The same as the flashback of a binlog cut of the same transactions.
    let cut = try temporaryDirectory() + "/window.bin"
    let c = try run(["query", "--table", "sluice_shop.orders"] + Self.window + ["--format", "binlog", "-o", cut, Self.archiveDir])
    XCTAssertEqual(c.status, 0, c.stderr)
    let fromCut = try run(["export", "--format", "sql", "--flashback", cut])
    XCTAssertEqual(fromCut.status, 0, fromCut.stderr)
    XCTAssertEqual(withoutPositions(fromCut), withoutPositions(q))
  }

  func testExportTakesQueryFiltersWithTheSameMeaning() throws {
    let filters: [[String]] = [
      ["--table", "sluice_shop.orders"] + Self.window,
      ["-d", "sluice_misc", "--type", "delete"],
      ["--include-gtids", "0-1-78,0-1-80..85"],
      ["--exclude-gtids", "0-1-1..170", "--start-position", "binlog.000001:4"],
      ["--pk", "id=3", "--table", "sluice_shop.orders", "--rows"],
      ["--start-position", "binlog.000001:148368", "--stop-position", "binlog.000001:160338"],
    ]
    for f in filters {
      for format in [["--format", "ndjson"], ["--format", "sql"], ["--format", "sql", "--flashback"], ["--format", "canal-json"]] {
        if format.contains("canal-json") && f.contains("--pk") && f.contains("--rows") { continue }
        let q = try run(["query"] + f + format + [Self.archiveDir])
        let e = try run(["export"] + f + format + [Self.archiveDir])
        XCTAssertEqual(q.status, 0, "\(f) \(format): \(q.stderr)")
        XCTAssertEqual(e.status, q.status, "\(f) \(format): \(e.stderr)")
        XCTAssertEqual(e.text, q.text, "\(f) \(format)")
        XCTAssertFalse(q.text.isEmpty, "\(f) \(format)")
      }
    }
    // -d and --database are one option; --rows keeps only the matching rows.
    let rows = try run(["export", "--format", "ndjson", "--rows", "--table", "sluice_shop.orders"] + Self.window + [Self.archiveDir])
    XCTAssertEqual(rows.status, 0, rows.stderr)
    // 4 inserts, 12 updates, 1 delete, and the 4 statements naming the table (CREATE TABLE, two
    // triggers, a procedure).
    XCTAssertEqual(rows.lines.filter { $0.contains("\"type\":\"insert\"") }.count, 4)
    XCTAssertEqual(rows.lines.filter { $0.contains("\"type\":\"update\"") }.count, 12)
    XCTAssertEqual(rows.lines.filter { $0.contains("\"type\":\"delete\"") }.count, 1)
    XCTAssertEqual(rows.lines.count, 21)
    for l in rows.lines { XCTAssertTrue(l.contains("\"table\":\"orders\"") || l.contains("\"type\":\"ddl\""), String(l)) }
  }

  func testQueryWritesEveryFormatExportWrites() throws {
    // Without filters, query's output in each format is export's.
    for format in ["ndjson", "canal", "canal-json", "sql"] {
      let q = try run(["query", "--format", format, Self.archiveDir])
      let e = try run(["export", "--format", format, "--threads", "1", Self.archiveDir])
      XCTAssertEqual(q.status, 0, "\(format): \(q.stderr)")
      XCTAssertEqual(e.status, 0, "\(format): \(e.stderr)")
      XCTAssertEqual(q.stdout, e.stdout, format)
    }
    let help = try run(["export", "--help"])
    XCTAssertTrue(help.text.contains("SQL"), help.text)
    XCTAssertTrue(help.text.contains("--start-datetime") && help.text.contains("--pk"), help.text)
  }
}
