import Foundation
import XCTest

/// Runs the built `sluice` over real files (fixtures, corpus) and damaged copies of them made
/// at run time in a temporary directory (shared by ReliabilityTests, SalvageTests, FollowTests).
class CLIRunTestCase: XCTestCase {
  static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()
  static let fixtures = packageRoot + "/Fixtures/mariadb-10.11"
  static let corpus = packageRoot + "/../shared/corpus"

  struct Run {
    var status: Int32
    /// True when the process died of a signal (`status` is then the signal number).
    var signaled: Bool
    var stdout: Data
    var stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
  }

  func sluice() throws -> String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    for candidate in [dir + "/sluice", dir + "/../sluice", Self.packageRoot + "/.build/debug/sluice"]
    where FileManager.default.isExecutableFile(atPath: candidate) {
      return candidate
    }
    throw XCTSkip("no sluice executable (build it: swift build --product sluice)")
  }

  /// Runs sluice with `args`; `limits` is a shell prefix (`ulimit -v 2000000;`) run first.
  func run(_ args: [String], limits: String = "") throws -> Run {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = ["-c", limits + " exec \"$0\" \"$@\"", try sluice()] + args
    let out = Pipe()
    let errPath = NSTemporaryDirectory() + "sluice-rel-" + UUID().uuidString
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    let err = try XCTUnwrap(FileHandle(forWritingAtPath: errPath))
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    try err.close()
    return Run(
      status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal, stdout: data,
      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
  }

  func temporaryDirectory() throws -> String {
    let dir = NSTemporaryDirectory() + "sluice-rel-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
  }

  func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
  func write(_ b: [UInt8], _ path: String) throws { try Data(b).write(to: URL(fileURLWithPath: path)) }

  func corpusFile(_ name: String) throws -> String {
    let p = Self.corpus + "/" + name
    guard FileManager.default.fileExists(atPath: p) else { throw XCTSkip("corpus file \(name) not present") }
    return p
  }
}
