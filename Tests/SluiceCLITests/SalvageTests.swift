import Foundation
import SluiceTestSupport
import XCTest

/// Found by the mutation sweep (Tests/mutation/sweep.py, seed 1 and 16): a binlog cut at an
/// event boundary inside a transaction (a file still being written, or cut by a crash) had that
/// transaction's rows exported and queried as if committed (`"xid": null`), with exit 0.
final class OpenTailTests: SluiceTestCase {
  func testExportAndQueryStopBeforeATransactionWithNoCommitYet() throws {
    let src = Self.fixtureDir + "/binlog.000002"
    let data = try Data(contentsOf: URL(fileURLWithPath: src))
    // 20619 ends the Write_rows event of the transaction 0-1-161 (its Xid follows).
    let dir = try temporaryDirectory()
    let cut = dir + "/binlog.000002"
    try data.prefix(20619).write(to: URL(fileURLWithPath: cut))
    let reference = try run(["export", "--format", "ndjson", src])
    XCTAssertEqual(reference.status, 0, reference.stderr)
    let lines = reference.text.split(separator: "\n", omittingEmptySubsequences: false)
    // The reference rows of every transaction that began before 20345 (0-1-161's GTID).
    let expected =
      lines.filter { line in
        guard let at = line.range(of: "\"pos\":") else { return false }
        let digits = line[at.upperBound...].prefix { $0.isNumber }
        return Int(digits)! < 20345
      }.joined(separator: "\n") + "\n"
    for cmd in [["export", "--format", "ndjson"], ["query", "--format", "ndjson"]] {
      let r = try run(cmd + [cut])
      XCTAssertEqual(r.status, 0, "\(cmd) \(r.stderr)")
      XCTAssertEqual(r.text, expected, "\(cmd): the output is the complete transactions, byte for byte")
    }
    let export = try run(["export", "--format", "ndjson", cut])
    XCTAssertTrue(export.stderr.contains("binlog.000002: the transaction from offset 20345 has no commit yet"), export.stderr)
  }
}

/// `--skip-corrupt`: real files damaged in the middle at run time; every transaction the damage
/// does not touch is recovered exactly (the export of the undamaged file, less the lines of the
/// transactions whose bytes the damage overlaps), with one `FILE:START-END` line and exit 4.
final class SkipCorruptTests: SluiceTestCase {
  struct Event {
    var pos: Int
    var end: Int
    var type: String
    var summary: String
  }

  func events(_ path: String) throws -> [Event] {
    let r = try run(["events", "--format", "ndjson", path])
    XCTAssertEqual(r.status, 0, r.stderr)
    return try r.text.split(separator: "\n").map { line in
      let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      return Event(
        pos: o["pos"] as! Int, end: o["end"] as! Int, type: o["type"] as! String, summary: o["summary"] as? String ?? "")
    }
  }

  /// The byte spans of the file's transactions, from its event listing.
  func transactions(_ events: [Event]) -> [Range<Int>] {
    var spans: [Range<Int>] = []
    var start: Int?
    var standalone = false
    var sawGTID = false
    for e in events {
      let query = e.type == "Query" ? e.summary.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } : nil
      if e.type.hasPrefix("Gtid") || e.type == "Anonymous_Gtid" {
        start = e.pos
        sawGTID = true
        standalone = e.summary.contains("standalone")
      } else if query == "BEGIN" {
        if !sawGTID || start == nil { start = e.pos }
      } else if e.type == "Xid" || query == "COMMIT" || (query != nil && (standalone || start == nil)) {
        spans.append((start ?? e.pos)..<e.end)
        start = nil
        standalone = false
      }
    }
    return spans
  }

  /// Damages a copy of `source` with `damage`, which returns the damaged byte range; checks
  /// that export and query with --skip-corrupt recover every other transaction exactly.
  func check(_ source: String, _ label: String, damage: (inout [UInt8]) -> Range<Int>) throws {
    let dir = try temporaryDirectory()
    let path = dir + "/" + (source as NSString).lastPathComponent
    var b = try bytes(source)
    let damaged = damage(&b)
    try write(b, path)
    let spans = transactions(try events(source))
    let lost = spans.filter { $0.overlaps(damaged) }
    XCTAssertFalse(lost.isEmpty, "\(label): the damage \(damaged) is inside a transaction")
    let reference = try run(["export", "--format", "ndjson", source])
    XCTAssertEqual(reference.status, 0, reference.stderr)
    let expected = reference.text.split(separator: "\n").filter { line in
      guard let at = line.range(of: "\"pos\":") else { return true }
      let pos = Int(line[at.upperBound...].prefix { $0.isNumber })!
      return !lost.contains { $0.contains(pos) }
    }
    XCTAssertLessThan(expected.count, reference.text.split(separator: "\n").count, label)
    for cmd in [["export", "--format", "ndjson"], ["query", "--format", "ndjson"]] {
      let plain = try run(cmd + [path])
      XCTAssertEqual(plain.status, 2, "\(label) \(cmd) without --skip-corrupt: \(plain.stderr)")
      let r = try run(cmd + ["--skip-corrupt", path])
      XCTAssertEqual(r.status, 4, "\(label) \(cmd): \(r.stderr)")
      let got = r.text.split(separator: "\n")
      XCTAssertEqual(got.count, expected.count, "\(label) \(cmd): lines recovered")
      XCTAssertEqual(Array(got), expected, "\(label) \(cmd): every intact transaction recovered exactly")
      let lines = r.stderr.split(separator: "\n").filter { $0.contains("skipped corrupt bytes") }
      XCTAssertEqual(lines.count, 1, "\(label) \(cmd): \(r.stderr)")
      let name = (path as NSString).lastPathComponent
      let want = "\(name):\(lost.map(\.lowerBound).min()!)-\(lost.map(\.upperBound).max()!)"
      XCTAssertTrue(lines.first?.contains(want) == true, "\(label) \(cmd): want \(want) in \(r.stderr)")
    }
    let info = try run(["info", "--skip-corrupt", path])
    XCTAssertTrue(info.text.contains("skipped corrupt: \(lost.map(\.lowerBound).min()!)-"), "\(label): \(info.text)")
  }

  func middleEvent(_ path: String, where keep: (Event) -> Bool) throws -> Event {
    let all = try events(path).filter(keep)
    return all[all.count / 2]
  }

  func testDamagedHeaderLengthField() throws {
    let src = Self.packageRoot + "/Fixtures/mariadb-10.11/binlog.000001"
    let e = try middleEvent(src) { $0.type.contains("rows") }
    try check(src, "size field of the \(e.type) at \(e.pos)") { b in
      for k in 0..<4 { b[e.pos + 9 + k] = [0x00, 0x00, 0x7F, 0x00][k] }
      return (e.pos + 9)..<(e.pos + 13)
    }
  }

  func testZeroedBlock() throws {
    let src = Self.packageRoot + "/Fixtures/mariadb-10.11-compressed/binlog.000001"
    let size = try bytes(src).count
    let at = size / 2
    try check(src, "4 KiB zeroed at \(at)") { b in
      for k in at..<(at + 4096) { b[k] = 0 }
      return at..<(at + 4096)
    }
  }

  func testSplicedForeignChunk() throws {
    let src = Self.packageRoot + "/Fixtures/mariadb-10.11/binlog.000001"
    // Another server's workload (the minimal-metadata fixtures repeat this one's bytes).
    let foreign = try bytes(Self.packageRoot + "/Fixtures/mariadb-10.11-oldtemporal/binlog.000001")
    let size = try bytes(src).count
    let at = size / 3
    try check(src, "3000 bytes of another binlog over \(at)") { b in
      let from = foreign.count / 3
      XCTAssertNotEqual(Array(b[at..<(at + 3000)]), Array(foreign[from..<(from + 3000)]))
      for k in 0..<3000 { b[at + k] = foreign[from + k] }
      return at..<(at + 3000)
    }
  }

  func testNoChecksumFileResynchronisesOnThePositionChain() throws {
    let src = try corpusFile("alibaba__canal/mysql-bin.000001")
    let e = try middleEvent(src) { $0.type.contains("rows") }
    try check(src, "size field of the \(e.type) at \(e.pos) (no CRC32)") { b in
      for k in 0..<4 { b[e.pos + 9 + k] = [0x10, 0x00, 0x01, 0x00][k] }
      return (e.pos + 9)..<(e.pos + 13)
    }
  }
}
