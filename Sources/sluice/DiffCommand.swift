import ArgumentParser
import BinlogFormat
import SluiceKit

struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Compare two binlogs, or a binlog and a golden NDJSON export, by transactions and row changes.",
    discussion: """
      EXPECTED and ACTUAL are each binlogs (a file, a directory of them, a zstd archive) or an
      NDJSON export (`sluice export --format ndjson`, best with --stable). Transactions are paired
      in order by their changes' types, tables and keys; paired changes are compared column by
      column. Where a change was read from (files, offsets, times, server ids, GTIDs, xids) is not
      compared.

      Exit codes: 0 equal; 1 different (the report says where, expected vs actual); 2 an input
      could not be read; 64 bad command line.

      Examples:
        sluice export --stable Fixtures/mariadb-10.11 > golden.ndjson
        sluice diff golden.ndjson Fixtures/mariadb-10.11
        sluice diff Fixtures/mariadb-10.11 Fixtures/mariadb-10.11-minimal-image
      """)

  @Option(help: "Differences to print in full (the totals count all).")
  var limit: Int = 20

  @Option(
    help: "Time zone of binlog TIMESTAMP values: UTC (default), +HH:MM, or an IANA name (as the golden file's export used).")
  var timezone: String = "UTC"

  @Option(name: .customLong("schema"), help: "Schema snapshot for binlogs without column names (as for export).")
  var schemaPath: String?

  @Flag(name: .customLong("no-schema"), help: "Do not replay DDL to name columns (@1..@N where the binlog has no names).")
  var noSchema = false

  @Flag(name: .customLong("no-queries"), help: "Compare row changes only (leave out DDL and other statements).")
  var noQueries = false

  @Flag(name: .customLong("no-verify-checksum"), help: "Do not verify CRC32 event checksums.")
  var noVerifyChecksum = false

  @Argument(help: "The expected side: binlogs or an NDJSON file.")
  var expected: String

  @Argument(help: "The actual side: binlogs or an NDJSON file.")
  var actual: String

  func validate() throws {
    guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
  }

  func run() throws {
    var options = Binlog.Options()
    options.timeZone = timezone
    options.schemaSnapshot = schemaPath
    options.replaysDDL = !noSchema
    options.verifiesChecksums = !noVerifyChecksum
    let comparison: Comparison
    do {
      comparison = Comparison(expected: try read(expected, options), actual: try read(actual, options))
    } catch {
      report("\(error)")
      throw ExitCode(2)
    }
    print(comparison.report(limit: limit), terminator: "")
    if !comparison.isEqual { throw ExitCode(1) }
  }

  private func read(_ path: String, _ options: Binlog.Options) throws -> [Transaction] {
    try Comparison.transactions(at: path, options: options, statements: !noQueries, warning: { report("warning: \($0)") })
  }
}
