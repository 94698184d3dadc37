import Foundation
import XCTest

/// Found by the mutation sweep (Tests/mutation/sweep.py, seed 1 and 16): a binlog cut at an
/// event boundary inside a transaction (a file still being written, or cut by a crash) had that
/// transaction's rows exported and queried as if committed (`"xid": null`), with exit 0.
final class OpenTailTests: CLIRunTestCase {
  func testExportAndQueryStopBeforeATransactionWithNoCommitYet() throws {
    let src = Self.fixtures + "/binlog.000002"
    let data = try Data(contentsOf: URL(fileURLWithPath: src))
    // 20619 ends the Write_rows event of the transaction 0-1-161 (its Xid follows).
    let dir = try temporaryDirectory()
    let cut = dir + "/binlog.000002"
    try data.prefix(20619).write(to: URL(fileURLWithPath: cut))
    let reference = try run(["export", "--format", "ndjson", src])
    XCTAssertEqual(reference.status, 0, reference.stderr)
    let lines = reference.text.split(separator: "\n", omittingEmptySubsequences: false)
    // The reference rows of every transaction that began before 20345 (0-1-161's GTID).
    let expected = lines.filter { line in
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
