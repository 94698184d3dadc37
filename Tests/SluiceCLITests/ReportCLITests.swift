import Foundation
import SluiceTestSupport
import XCTest

/// `sluice report` against references it did not compute itself: `sluice stats` (totals, tables,
/// per minute, per server and GTID source), `sluice query` (a time window's transactions and
/// rows, decoded from the binlog; the transaction a listed command selects), and the file system
/// (the HTML page requests nothing; -o is written whole or not at all).
final class ReportCLITests: SluiceTestCase {
  static let fixtureSets = ["mariadb-10.11", "mariadb-10.11-compressed", "mariadb-10.11-minimal", "mariadb-10.11-minimal-image"]
    .map { packageRoot + "/Fixtures/" + $0 }

  func json(_ args: [String]) throws -> [String: Any] {
    let r = try run(args)
    XCTAssertEqual(r.status, 0, "sluice \(args.joined(separator: " ")): \(r.stderr)")
    return try XCTUnwrap(JSONSerialization.jsonObject(with: r.stdout) as? [String: Any], r.text)
  }

  func int(_ v: Any?) -> Int? { (v as? NSNumber)?.intValue }

  func testJSONTotalsTablesAndMinutesEqualStats() throws {
    for set in Self.fixtureSets {
      let stats = try json(["stats", "--format", "json", set])
      let report = try json(["report", "--format", "json", set])
      for key in ["files", "bytes", "transactions", "rows"] {
        XCTAssertEqual(int(report[key]), int(stats[key]), "\(set): \(key)")
        XCTAssertNotNil(int(report[key]), "\(set): \(key) missing")
      }
      XCTAssertGreaterThan(int(report["rows"]) ?? 0, 0, set)
      func tables(_ o: [String: Any]) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for t in (o["tables"] as? [[String: Any]]) ?? [] {
          out[t["table"] as! String] = ["inserts", "updates", "deletes", "bytes"].map { int(t[$0]) ?? -1 }
        }
        return out
      }
      XCTAssertEqual(tables(report), tables(stats), set)
      XCTAssertEqual(
        ((report["tables"] as? [[String: Any]]) ?? []).map { $0["table"] as! String },
        ((stats["tables"] as? [[String: Any]]) ?? []).map { $0["table"] as! String }, "\(set): table order")
      func minutes(_ o: [String: Any]) -> [[Int]] {
        ((o["per_minute"] as? [[String: Any]]) ?? []).map { [int($0["minute"])!, int($0["transactions"])!, int($0["rows"])!] }
      }
      XCTAssertEqual(minutes(report), minutes(stats), set)
      XCTAssertFalse(minutes(report).isEmpty, set)
      XCTAssertEqual(report["per_server_id"] as? [String: Int], stats["per_server_id"] as? [String: Int], set)
      XCTAssertEqual(report["per_gtid_source"] as? [String: Int], stats["per_gtid_source"] as? [String: Int], set)
      XCTAssertEqual(int(report["ddl_count"]), (stats["ddl"] as? [Any])?.count, "\(set): DDL")
      // The largest transactions: the same sizes as stats lists (ties may pick another one).
      let listed = report["transactions_listed"] as! [[String: Any]]
      for (mine, theirs, field) in [
        ("largest_by_rows", "largest_by_rows", "rows"), ("largest_by_bytes", "largest_by_bytes", "bytes"),
      ] {
        let a = (report[mine] as! [Int]).map { int(listed[$0][field])! }
        let b = (stats[theirs] as! [[String: Any]]).map { int($0[field])! }.filter { $0 > 0 }
        XCTAssertEqual(a, b, "\(set): \(mine)")
      }
      // Every DDL transaction carries its statement text.
      for d in report["ddl"] as! [[String: Any]] {
        let statements = d["statements"] as! [[String: Any]]
        XCTAssertFalse(statements.isEmpty, "\(set): DDL without statement text")
        XCTAssertTrue(statements.allSatisfy { ($0["sql"] as? String)?.isEmpty == false }, set)
      }
    }
  }

  /// The commands the report lists select exactly their transaction (`sluice query` prints one
  /// header, with the listed file and byte range).
  func testListedShowCommandsSelectTheirTransaction() throws {
    let set = Self.fixtureSets[0]
    let report = try json(["report", "--format", "json", set])
    let listed = report["transactions_listed"] as! [[String: Any]]
    var picks = (report["largest_by_rows"] as! [Int]).prefix(3).map { $0 }
    if let d = (report["ddl"] as! [[String: Any]]).first { picks.append(int(d["transaction"])!) }
    XCTAssertFalse(picks.isEmpty)
    for i in picks {
      let t = listed[i]
      let show = t["show"] as! String
      XCTAssertTrue(show.hasPrefix("sluice query "), show)
      XCTAssertTrue(show.hasSuffix(" " + set), show)
      if t["undo"] is String { XCTAssertTrue((t["undo"] as! String).contains("--format sql --flashback"), "\(t)") }
      // The shell words of the command (the fixture path has no quote or space).
      let words = show.split(separator: " ").dropFirst().map {
        String($0).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
      }
      let out = try run(Array(words))
      XCTAssertEqual(out.status, 0, "\(show): \(out.stderr)")
      let headers = out.text.split(separator: "\n").filter { $0.hasPrefix("# ") && $0.contains(" commit ") }
      XCTAssertEqual(headers.count, 1, "\(show) printed \(headers)")
      let want = "# \(t["file"] as! String):\(int(t["start"])!)-\(int(t["end"])!) "
      XCTAssertTrue(headers.first?.hasPrefix(want) == true, "\(show): \(headers) should start with \(want)")
    }
  }

  /// A --start/--stop-datetime window: the report's totals are what `sluice query --stats`
  /// decodes from the binlogs over the same window.
  func testWindowTotalsEqualQuery() throws {
    let set = Self.fixtureSets[0]
    let full = try json(["report", "--format", "json", set])
    let minutes = (full["per_minute"] as! [[String: Any]]).map { int($0["minute"])! }
    let buckets = ((full["timeline"] as! [String: Any])["buckets"] as! [[String: Any]]).map { int($0["t"])! }
    XCTAssertFalse(buckets.isEmpty)
    // A window over the middle of the commits.
    let lo = buckets[buckets.count / 3]
    let hi = buckets[2 * buckets.count / 3] + 1
    XCTAssertGreaterThan(hi, lo, "\(minutes)")
    func civil(_ t: Int) -> String {
      let f = DateFormatter()
      f.timeZone = TimeZone(identifier: "UTC")
      f.dateFormat = "yyyy-MM-dd HH:mm:ss"
      return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }
    let w = try json(["report", "--format", "json", "--start-datetime", civil(lo), "--stop-datetime", civil(hi), set])
    let q = try run(["query", "--stats", "--start-datetime", civil(lo), "--stop-datetime", civil(hi), set])
    XCTAssertEqual(q.status, 0, q.stderr)
    let m = try XCTUnwrap(q.stderr.firstMatch(of: /(\d+) matching transactions, (\d+) rows/), q.stderr)
    XCTAssertEqual(int(w["transactions"]), Int(m.1), q.stderr)
    XCTAssertEqual(int(w["rows"]), Int(m.2), q.stderr)
    XCTAssertLessThan(int(w["transactions"])!, int(full["transactions"])!)
    XCTAssertGreaterThan(int(w["transactions"])!, 0)
    let window = w["window"] as! [String: Any]
    XCTAssertEqual(int(window["start"]), lo)
    XCTAssertEqual(int(window["stop"]), hi)
    // The same window in another zone names the same instants.
    let shifted = try json([
      "report", "--format", "json", "--timezone", "+02:00", "--start-datetime", civil(lo + 7200), "--stop-datetime",
      civil(hi + 7200), set,
    ])
    XCTAssertEqual(int(shifted["transactions"]), int(w["transactions"]))
  }

  func testHTMLIsSelfContainedAndEmbedsTheJSON() throws {
    let dir = try temporaryDirectory()
    let set = Self.fixtureSets[0]
    let out = dir + "/report.html"
    let r = try run(["report", set, "-o", out])
    XCTAssertEqual(r.status, 0, r.stderr)
    let html = try String(contentsOfFile: out, encoding: .utf8)
    XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
    // The data island, apart from the page around it.
    let open = "<script type=\"application/json\" id=\"sluice-data\">"
    let start = try XCTUnwrap(html.range(of: open))
    let end = try XCTUnwrap(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
    let island = String(html[start.upperBound..<end.lowerBound])
    let page = String(html[..<start.lowerBound]) + String(html[end.upperBound...])
    for needle in [
      "http://", "https://", "//cdn", "<link", "@import", "url(", "src=", "href=", "fetch(", "XMLHttpRequest", "@font-face",
    ] {
      XCTAssertFalse(page.lowercased().contains(needle.lowercased()), "the page holds \(needle)")
    }
    XCTAssertFalse(island.contains("<"), "the JSON island holds a raw <")
    let embedded = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(island.utf8)) as? [String: Any])
    let direct = try json(["report", "--format", "json", set])
    for key in ["transactions", "rows", "files", "bytes", "tables", "per_minute", "ddl", "file_status", "transactions_listed"] {
      XCTAssertEqual(
        try JSONSerialization.data(withJSONObject: ["v": embedded[key]!], options: .sortedKeys),
        try JSONSerialization.data(withJSONObject: ["v": direct[key]!], options: .sortedKeys),
        "\(key) differs between the page and --format json")
    }
  }

  func testOutputIsAllOrNothing() throws {
    let dir = try temporaryDirectory()
    let set = Self.fixtureSets[0]
    let out = dir + "/report.html"
    try Data("previous report\n".utf8).write(to: URL(fileURLWithPath: out))
    // A failing run (an input that cannot be opened) leaves the previous file as it was.
    let bad = try run(["report", set, dir + "/missing.000001", "-o", out])
    XCTAssertEqual(bad.status, 3, bad.stderr)
    XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "previous report\n")
    // Into a directory that does not exist: an error, nothing written.
    let nowhere = try run(["report", set, "-o", dir + "/no/such/dir/r.html"])
    XCTAssertEqual(nowhere.status, 3, nowhere.stderr)
    // A good run replaces it whole, and leaves no temporary file.
    let good = try run(["report", set, "-o", out])
    XCTAssertEqual(good.status, 0, good.stderr)
    let html = try String(contentsOfFile: out, encoding: .utf8)
    XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["report.html"])
    // Never over an input.
    let copy = dir + "/binlog.000001"
    try FileManager.default.copyItem(atPath: set + "/binlog.000001", toPath: copy)
    let before = try Data(contentsOf: URL(fileURLWithPath: copy))
    let over = try run(["report", copy, "-o", copy])
    XCTAssertNotEqual(over.status, 0)
    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: copy)), before)
    // `-o -` is standard output; a name ending in .json means JSON.
    let stdout = try run(["report", set, "-o", "-"])
    XCTAssertTrue(stdout.text.hasPrefix("<!DOCTYPE html>"))
    let j = try run(["report", set, "-o", dir + "/r.json"])
    XCTAssertEqual(j.status, 0, j.stderr)
    XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))))
  }

  /// A file with a flipped byte is listed as damaged (with the offset of the bad event), the
  /// others are reported as stats reports them alone.
  func testDamagedFileIsListedAndTheOthersReported() throws {
    let set = Self.fixtureSets[0]
    let dir = try temporaryDirectory()
    for f in ["binlog.000001", "binlog.000002", "binlog.000003"] {
      try FileManager.default.copyItem(atPath: set + "/" + f, toPath: dir + "/" + f)
    }
    var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/binlog.000002"))
    bytes[bytes.count / 2] ^= 0xFF
    try bytes.write(to: URL(fileURLWithPath: dir + "/binlog.000002"))
    let r = try run(["report", "--format", "json", dir])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stderr.contains("binlog.000002 is damaged"), r.stderr)
    let report = try XCTUnwrap(JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
    let files = report["file_status"] as! [[String: Any]]
    XCTAssertEqual(files.map { $0["file"] as! String }, ["binlog.000001", "binlog.000002", "binlog.000003"])
    let damage = try XCTUnwrap(files[1]["damage"] as? [String: Any], "\(files[1])")
    XCTAssertTrue((damage["message"] as! String).contains("CRC32 mismatch"), "\(damage)")
    XCTAssertNotNil(int(damage["offset"]))
    XCTAssertTrue(files[0]["damage"] is NSNull && files[2]["damage"] is NSNull)
    XCTAssertEqual(files[0]["checksum"] as? String, "CRC32")
    let others = try json(["stats", "--format", "json", dir + "/binlog.000001", dir + "/binlog.000003"])
    XCTAssertEqual(int(report["transactions"]), int(others["transactions"]))
    XCTAssertEqual(int(report["rows"]), int(others["rows"]))
  }
}
