import ArgumentParser
import BinlogFormat
import BinlogPipeline
import Exporters

struct StatsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stats",
    abstract: "Activity report: per-table changes, largest and longest transactions, per-minute timeline, DDL.",
    discussion: """
      Uses the index when there is one (sluice index), else scans.

      Examples:
        sluice stats binlogs/
        sluice stats --top 20 --format json binlog.000042 | jq .tables
      """)

  @Option(help: "How many transactions to list in the top lists.")
  var top: Int = 10

  @Option(help: "Output format: text or json.")
  var format: SummaryFormat = .text

  @Option(name: .customLong("index-dir"), help: "Where index files are (default: beside each binlog).")
  var indexDir: String?

  @OptionGroup var read: ReadOptions

  @OptionGroup var schema: SchemaAuditOptions

  @Argument(help: "Binlog files or directories.")
  var files: [String]

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file or directory") }
    guard top > 0 else { throw ValidationError("--top must be positive") }
  }

  func run() throws {
    try runReporting {
      var run = StatsPipeline(inputs: try expandInputs(files), readerOptions: read.readerOptions, report: report)
      run.top = top
      run.indexDirectory = indexDir
      run.skipErrors = read.skipErrors
      run.schema = schema.settings
      return Exit.code(for: try run.run(format: format, to: OutputSink.standardOutput()))
    }
  }
}

extension SummaryFormat: ExpressibleByArgument {}
