import Foundation
import XCTest

/// A test that runs the built `sluice` over real files (fixtures, corpus) and over damaged copies
/// of them made at run time in a temporary directory.
open class SluiceTestCase: XCTestCase {
  public typealias Run = ProcessRun

  public static let packageRoot = TestPaths.packageRoot
  public static let corpus = TestPaths.corpus
  /// The MariaDB 10.11 fixture set, and its first file.
  public static let fixtureDir = TestPaths.fixtures + "/mariadb-10.11"
  public static let fixture = fixtureDir + "/binlog.000001"

  public func sluice() throws -> String { try sluiceExecutable() }

  /// Runs sluice with `args` and `stdin` (a file path); `limits` is a shell prefix
  /// (`ulimit -v 2000000;`) run first.
  public func run(_ args: [String], stdin: String? = nil, limits: String = "") throws -> Run {
    if limits.isEmpty { return try runProgram(try sluice(), args, stdin: stdin) }
    return try runProgram("/bin/bash", ["-c", limits + " exec \"$0\" \"$@\"", try sluice()] + args, stdin: stdin)
  }

  /// A fresh temporary directory, removed when the test ends.
  public func temporaryDirectory() throws -> String { try SluiceTestSupport.temporaryDirectory(removedAfter: self) }

  public func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
  public func write(_ b: [UInt8], _ path: String) throws { try Data(b).write(to: URL(fileURLWithPath: path)) }

  public func corpusFile(_ rel: String) throws -> String { try TestPaths.corpusFile(rel) }
}
