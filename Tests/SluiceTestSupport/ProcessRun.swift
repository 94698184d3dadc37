import Foundation
import XCTest

/// What a finished process left: exit status, output and error text.
public struct ProcessRun {
  public var status: Int32
  /// True when the process died of a signal (`status` is then the signal number).
  public var signaled: Bool
  public var stdout: Data
  public var stderr: String
  public var text: String { String(decoding: stdout, as: UTF8.self) }
  public var lines: [Substring] { text.split(separator: "\n") }
}

/// Runs `executable` with `arguments` (stdout and stderr into temporary files, so no pipe fills
/// up), `stdin` (a file path) as its input and `environment` added to this process's.
public func runProgram(
  _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
) throws -> ProcessRun {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: executable)
  p.arguments = arguments
  if !environment.isEmpty {
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
  }
  let base = NSTemporaryDirectory() + "sluice-run-\(getpid())-" + UUID().uuidString
  _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
  _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
  defer {
    try? FileManager.default.removeItem(atPath: base + ".out")
    try? FileManager.default.removeItem(atPath: base + ".err")
  }
  let out = try XCTUnwrap(FileHandle(forWritingAtPath: base + ".out"))
  let err = try XCTUnwrap(FileHandle(forWritingAtPath: base + ".err"))
  p.standardOutput = out
  p.standardError = err
  if let stdin { p.standardInput = try XCTUnwrap(FileHandle(forReadingAtPath: stdin)) }
  try p.run()
  p.waitUntilExit()
  try out.close()
  try err.close()
  return ProcessRun(
    status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal,
    stdout: (try? Data(contentsOf: URL(fileURLWithPath: base + ".out"))) ?? Data(),
    stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
}

/// Runs a command found on the PATH (`args[0]`) with the rest as its arguments.
public func runCommand(_ args: [String], stdin: String? = nil, environment: [String: String] = [:]) throws
  -> ProcessRun
{
  try runProgram("/usr/bin/env", args, stdin: stdin, environment: environment)
}

/// The `sluice` executable built beside the test bundle (or in .build/debug), or a skip.
public func sluiceExecutable() throws -> String {
  let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
  for candidate in [dir + "/sluice", dir + "/../sluice", TestPaths.packageRoot + "/.build/debug/sluice"]
  where FileManager.default.isExecutableFile(atPath: candidate) {
    return candidate
  }
  throw XCTSkip("no sluice executable (build it: swift build --product sluice)")
}
