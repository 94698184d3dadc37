import ArgumentParser
import BinlogFormat
import BinlogIO
import BinlogPipeline
import Exporters

#if canImport(Glibc)
  import Glibc
#endif

enum Exit {
  static let internalError: Int32 = 1
  static let badInput: Int32 = 2
  static let io: Int32 = 3
  /// The run completed, leaving out the damaged regions `--skip-corrupt` reported.
  static let skippedCorrupt: Int32 = 4
  /// Nothing to output because nothing could match: a `--pk` column the tables do not have, a
  /// key value the column cannot hold, or no binlog among the inputs (a warning says which).
  static let cannotMatch: Int32 = 5

  static func code(for e: BinlogError) -> Int32 {
    e.kind == .io ? io : badInput
  }

  /// The exit code of a pipeline run that ended with `status`.
  static func code(for status: RunStatus) -> Int32 {
    switch status {
    case .complete: 0
    case .badInput: badInput
    case .ioError: io
    case .cannotMatch: cannotMatch
    }
  }
}

/// Prints one error line to stderr.
@Sendable func report(_ message: String) {
  var s = "sluice: " + message + "\n"
  s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Runs `body`, mapping thrown errors to one stderr line and an exit code.
func runReporting(_ body: () throws -> Int32) throws {
  signal(SIGPIPE, SIG_IGN)
  // Outputs are all or nothing: renamed into place only when the run exits 0 (or, with
  // --skip-errors, when it went on past the errors it reported).
  OutputFile.deferCommits = true
  defer { OutputFile.discardDeferred() }
  var code: Int32
  do {
    code = try body()
    if code == 0 && !CorruptRegionScan.allFound.isEmpty { code = Exit.skippedCorrupt }
    if code == 0 || code == Exit.skippedCorrupt
      || (code == Exit.badInput && CommandLine.arguments.contains("--skip-errors"))
    {
      try OutputFile.commitDeferred()
    }
  } catch is OutputClosed {
    code = 0
  } catch let e as BinlogError {
    report(e.description)
    code = Exit.code(for: e)
  } catch let e as ExitCode {
    throw e
  } catch let e as ValidationError {
    throw e
  } catch let e as PipelineUsageError {
    throw ValidationError(e.description)
  } catch {
    report("\(error)")
    code = Exit.internalError
  }
  if code != 0 { throw ExitCode(code) }
}

/// The inputs given, directories expanded (`InputList.expand`); none left exits 5.
func expandInputs(_ inputs: [String]) throws -> [String] {
  let out = try InputList.expand(inputs, report: report)
  if out.isEmpty { throw ExitCode(Exit.cannotMatch) }
  return out
}
