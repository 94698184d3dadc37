import ArgumentParser
import BinlogFormat
import BinlogPipeline
import Exporters

struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Summarize binlog files: server, checksums, time range, event counts, GTIDs, ending.",
    discussion: """
      Examples:
        sluice info binlog.000001
        sluice info --format json /var/lib/mysql/   # every binlog in a directory
      """)

  @Option(help: "Output format: text or json.")
  var format: SummaryFormat = .text

  @OptionGroup var read: ReadOptions

  @OptionGroup var schema: SchemaAuditOptions

  @Argument(help: "Binlog files, directories, or '-' for stdin.")
  var files: [String]

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file") }
  }

  func run() throws {
    try runReporting {
      var run = InfoPipeline(inputs: try expandInputs(files), readerOptions: read.readerOptions, report: report)
      run.skipErrors = read.skipErrors
      run.schema = schema.settings
      return Exit.code(for: try run.run(format: format, to: OutputSink.standardOutput()))
    }
  }
}
