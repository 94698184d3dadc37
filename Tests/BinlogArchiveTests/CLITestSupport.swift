import Foundation
import SluiceTestSupport
import XCTest

/// Runs `args[0]` with the rest as arguments, `stdin` (a file path) as its input; returns the
/// exit status, stdout and stderr.
func runSluice(_ args: [String], stdin: String? = nil) throws -> (Int32, Data, String) {
  let r = try runProgram(args[0], Array(args.dropFirst()), stdin: stdin)
  return (r.status, r.stdout, r.stderr)
}

/// Fails with the first differing line when two outputs differ.
func assertSameOutput(_ expected: Data, _ actual: Data, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
  guard expected != actual else { return }
  let a = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
  let b = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
  let i = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
  XCTFail(
    "\(what): line \(i + 1) differs:\n  expected: \(i < a.count ? a[i].prefix(300) : "(none)")\n  actual:   \(i < b.count ? b[i].prefix(300) : "(none)")",
    file: file, line: line)
}

/// The gzip CLI, or a skip.
func gzipCLI() throws -> String {
  for p in ["/usr/bin/gzip", "/bin/gzip"] where FileManager.default.isExecutableFile(atPath: p) { return p }
  throw XCTSkip("the gzip CLI is not installed")
}

/// Runs several commands at once (stdout and stderr to temporary files, so no pipe fills up);
/// returns each one's exit status, stdout and stderr, in order.
func runSluiceConcurrently(_ commands: [[String]]) throws -> [(Int32, Data, String)] {
  var started: [(Process, String, String)] = []
  defer {
    for (_, o, e) in started {
      try? FileManager.default.removeItem(atPath: o)
      try? FileManager.default.removeItem(atPath: e)
    }
  }
  for args in commands {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: args[0])
    p.arguments = Array(args.dropFirst())
    let base = NSTemporaryDirectory() + "sluice-cli-" + UUID().uuidString
    _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
    _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
    p.standardOutput = try XCTUnwrap(FileHandle(forWritingAtPath: base + ".out"))
    p.standardError = try XCTUnwrap(FileHandle(forWritingAtPath: base + ".err"))
    try p.run()
    started.append((p, base + ".out", base + ".err"))
  }
  return try started.map { p, o, e in
    p.waitUntilExit()
    return (
      p.terminationStatus, try Data(contentsOf: URL(fileURLWithPath: o)),
      (try? String(contentsOfFile: e, encoding: .utf8)) ?? ""
    )
  }
}
