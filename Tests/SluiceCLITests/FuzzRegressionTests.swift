import Foundation
import SluiceTestSupport
import XCTest

/// Inputs the fuzzer (Tests/fuzz) once crashed Sluice with: every command must now end with
/// output or one error line and exit code 2, never a signal.
extension CLITests {
  func testFuzzerRegressionInputsEndInAnErrorNotACrash() throws {
    let dir = Self.packageRoot + "/Tests/fuzz/regressions"
    let inputs = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".bin") }.sorted()
    XCTAssertFalse(inputs.isEmpty)
    let indexDir = try temporaryDirectory()
    for name in inputs {
      let path = dir + "/" + name
      for args in [
        ["export", "--format", "ndjson", "--no-verify-checksum", "--threads", "1", path],
        ["export", "--format", "canal", "--no-verify-checksum", "--threads", "1", path],
        ["export", "--format", "sql", "--no-verify-checksum", path],
        ["export", "--format", "ndjson", path],
        ["events", "--no-verify-checksum", path],
        ["info", "--no-verify-checksum", path],
        ["index", "--no-verify-checksum", "--index-dir", indexDir, path],
        ["query", "--no-verify-checksum", "--no-index", path],
      ] {
        let r = try run(args)
        XCTAssertTrue(
          r.status == 0 || r.status == 2,
          "\(name): sluice \(args.dropLast().joined(separator: " ")) exited \(r.status): \(r.stderr)")
        if r.status == 2 {
          XCTAssertTrue(r.stderr.hasPrefix("sluice: "), "\(name) \(args[0]): \(r.stderr)")
        }
      }
    }
  }
}
