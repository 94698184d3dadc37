import Foundation
import SluiceTestSupport
import XCTest

/// `export --stable` and `sluice diff`: golden NDJSON files for CI tests in any language.
extension CLITests {
  static let volatileFields = ["file", "pos", "end", "ts", "time", "server_id", "gtid", "xid", "thread_id"]

  func jsonLines(_ r: Run, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
    XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
    return try r.lines.map { l in
      try XCTUnwrap(JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any], String(l), file: file, line: line)
    }
  }

  /// A line as JSON text with sorted keys (for comparing lines whatever their field order).
  func canonical(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
  }

  func testStableExportIsTheExportWithoutPlaceNumberedByGTID() throws {
    let plain = try jsonLines(try run(["export", "--format", "ndjson", Self.fixtureDir]))
    let stable = try jsonLines(try run(["export", "--format", "ndjson", "--stable", Self.fixtureDir]))
    XCTAssertEqual(stable.count, plain.count)
    XCTAssertGreaterThan(stable.count, 4000)
    var previousGTID: String?
    var expectedTx = 0
    for (p, s) in zip(plain, stable) {
      for f in Self.volatileFields { XCTAssertNil(s[f], "\(f) in \(s)") }
      // A MariaDB binlog gives every transaction a GTID: a new GTID is the next tx number.
      let gtid = try XCTUnwrap(p["gtid"] as? String)
      if gtid != previousGTID { expectedTx += 1 }
      previousGTID = gtid
      XCTAssertEqual(s["tx"] as? Int, expectedTx, "\(p)")
      var rest = p
      for f in Self.volatileFields { rest[f] = nil }
      var sameAsPlain = s
      sameAsPlain["tx"] = nil
      XCTAssertEqual(try canonical(sameAsPlain), try canonical(rest))
    }
  }

  func testStableExportsOfTwoRecordingsAreEqualWhereTheirPlacesDiffer() throws {
    // The same workload recorded under binlog_row_metadata=MINIMAL (names from DDL replay) and
    // with compressed events (names from FULL metadata): different files, offsets and event
    // layouts, the same stable export.
    let minimal = try run(["export", "--format", "ndjson", "--stable", Self.packageRoot + "/Fixtures/mariadb-10.11-minimal"])
    let compressed = try run([
      "export", "--format", "ndjson", "--stable", Self.packageRoot + "/Fixtures/mariadb-10.11-compressed",
    ])
    XCTAssertEqual(minimal.status, 0, minimal.stderr)
    XCTAssertEqual(compressed.status, 0, compressed.stderr)
    XCTAssertGreaterThan(minimal.lines.count, 300)
    XCTAssertEqual(minimal.text, compressed.text)
    let plainMinimal = try run(["export", "--format", "ndjson", Self.packageRoot + "/Fixtures/mariadb-10.11-minimal"])
    let plainCompressed = try run(["export", "--format", "ndjson", Self.packageRoot + "/Fixtures/mariadb-10.11-compressed"])
    XCTAssertNotEqual(plainMinimal.text, plainCompressed.text)
  }

  func testStableNeedsNDJSON() throws {
    let r = try run(["export", "--format", "sql", "--stable", Self.fixture])
    XCTAssertEqual(r.status, 64, r.stderr)
  }

  func testDiffOfABinlogAndItsOwnExportsIsEqual() throws {
    let dir = try temporaryDirectory()
    for (name, extra) in [("stable.ndjson", ["--stable"]), ("plain.ndjson", [])] {
      let golden = dir + "/" + name
      let e = try run(["export", "--format", "ndjson", "-o", golden] + extra + [Self.fixtureDir])
      XCTAssertEqual(e.status, 0, e.stderr)
      let d = try run(["diff", golden, Self.fixtureDir])
      XCTAssertEqual(d.status, 0, d.text + d.stderr)
      XCTAssertTrue(d.text.hasSuffix("equal\n"), d.text)
      let back = try run(["diff", Self.fixtureDir, golden])
      XCTAssertEqual(back.status, 0, back.text + back.stderr)
    }
    let same = try run(["diff", Self.fixtureDir, Self.fixtureDir])
    XCTAssertEqual(same.status, 0, same.text + same.stderr)
  }

  func testDiffNamesTheRowOfAHandEditedGoldenFile() throws {
    let dir = try temporaryDirectory()
    let golden = dir + "/golden.ndjson"
    let e = try run(["export", "--format", "ndjson", "--stable", Self.fixtureDir])
    XCTAssertEqual(e.status, 0, e.stderr)
    var lines = e.lines.map(String.init)
    // `UPDATE ints SET tu = NULL, iz = 7 WHERE id = 3` (Fixtures/workload.sql): make the golden
    // file expect iz = 8.
    let i = try XCTUnwrap(
      lines.firstIndex { $0.contains(#""table":"ints","type":"update""#) && $0.contains(#""before":{"id":3,"#) })
    XCTAssertTrue(lines[i].contains(#""iz":7}"#), lines[i])
    lines[i] = lines[i].replacingOccurrences(of: #""iz":7}"#, with: #""iz":8}"#)
    let tx = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[i].utf8)) as? [String: Any])["tx"] as? Int
    try (lines.joined(separator: "\n") + "\n").write(toFile: golden, atomically: true, encoding: .utf8)
    let d = try run(["diff", golden, Self.fixtureDir])
    XCTAssertEqual(d.status, 1, d.text + d.stderr)
    XCTAssertTrue(d.text.contains("transaction expected #\(tx!) / actual #\(tx!):"), d.text)
    XCTAssertTrue(
      d.text.contains("update sluice_types.ints id=3 differs (expected \(golden) line \(i + 1), actual binlog.000001:"), d.text)
    XCTAssertTrue(d.text.contains("    after.iz: expected 8, actual 7\n"), d.text)
    XCTAssertTrue(d.text.contains("1 difference(s) in 1 transaction(s): 1 change(s) with different values"), d.text)

    // A row missing from the golden file is a change only the binlog has.
    lines.remove(at: i)
    try (lines.joined(separator: "\n") + "\n").write(toFile: golden, atomically: true, encoding: .utf8)
    let m = try run(["diff", golden, Self.fixtureDir])
    XCTAssertEqual(m.status, 1, m.text + m.stderr)
    // The UPDATE is its transaction's one change: the whole transaction is only in the binlog.
    XCTAssertTrue(m.text.contains("transaction #\(tx!) at binlog.000001:"), m.text)
    XCTAssertTrue(m.text.contains(" only in actual (1 change(s))"), m.text)
    XCTAssertTrue(m.text.contains("1 difference(s) in 1 transaction(s): 1 transaction(s) only actual"), m.text)
  }

  func testDiffOfFullAndMinimalRowImages() throws {
    // binlog_row_image=MINIMAL: before images keep the key, after images the changed columns.
    // Inserts log only the columns the statement named. The FULL set has the bulk workload at
    // the end: CREATE DATABASE, CREATE TABLE, 3000 inserts, then 1000 updates, 300 deletes and
    // an insert.
    let full = Self.packageRoot + "/Fixtures/mariadb-10.11"
    let minimal = Self.packageRoot + "/Fixtures/mariadb-10.11-minimal-image"
    let d = try run(["diff", "--limit", "100000", full, minimal])
    XCTAssertEqual(d.status, 1, d.text + d.stderr)
    let only = d.text.split(separator: "\n").filter { $0.contains("only in expected") && $0.hasPrefix("transaction #") }
    XCTAssertEqual(
      only.map { $0.components(separatedBy: " only in expected (").last! },
      ["1 change(s))", "1 change(s))", "3000 change(s))", "1301 change(s))"])
    XCTAssertTrue(d.text.contains("actual:   172 transactions, 279 row changes, 65 statements"), d.text)
    XCTAssertFalse(d.text.contains("only in actual"), d.text)
    // Every other difference is a column the MINIMAL image left out.
    let fields = d.text.split(separator: "\n").filter { $0.hasPrefix("    ") }
    XCTAssertGreaterThan(fields.count, 10)
    for f in fields {
      XCTAssertTrue(f.hasPrefix("    before.") || f.hasPrefix("    after."), String(f))
      XCTAssertTrue(f.hasSuffix(", actual (absent)"), String(f))
    }
    XCTAssertTrue(d.text.contains("update sluice_types.ints id=3 differs"), d.text)
    XCTAssertTrue(d.text.contains("    before.ti: expected 0, actual (absent)"), d.text)
  }

  func testDiffExitsTwoOnUnreadableInputs() throws {
    let dir = try temporaryDirectory()
    let missing = try run(["diff", dir + "/nope.000001", Self.fixtureDir])
    XCTAssertEqual(missing.status, 2, missing.text + missing.stderr)
    XCTAssertTrue(missing.stderr.contains("nope.000001"), missing.stderr)
    let bad = dir + "/bad.ndjson"
    try "{\"tx\":1,\"type\":\"insert\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let b = try run(["diff", bad, Self.fixtureDir])
    XCTAssertEqual(b.status, 2, b.text + b.stderr)
    XCTAssertTrue(b.stderr.contains("bad.ndjson") && b.stderr.contains("line 1"), b.stderr)
  }
}
