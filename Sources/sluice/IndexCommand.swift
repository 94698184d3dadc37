import ArgumentParser
import BinlogFormat
import BinlogPipeline

struct IndexCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "index",
    abstract: "Build (or refresh) the per-file index that lets query and stats seek instead of scanning.",
    discussion: """
      The index of FILE is written beside it as FILE.sidx, or into --index-dir for read-only archives. It records every transaction (offsets, first and commit time, GTID, xid, thread and server id, tables touched with row counts). An index whose file changed is rebuilt; one whose file grew is extended from its last transaction.

      Examples:
        sluice index /var/lib/mysql/binlog.0*
        sluice index --index-dir /tmp/idx /archive/readonly/
      """)

  @Option(name: .customLong("index-dir"), help: "Directory for index files (default: beside each binlog).")
  var indexDir: String?

  @Flag(help: "Rebuild even when the index is fresh.")
  var force = false

  @OptionGroup var read: ReadOptions

  @Argument(help: "Binlog files or directories.")
  var files: [String]

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file") }
    if files.contains("-") { throw ValidationError("an index needs files, not '-'") }
  }

  func run() throws {
    try runReporting {
      var run = IndexPipeline(inputs: try expandInputs(files), readerOptions: read.readerOptions, report: report)
      run.indexDirectory = indexDir
      run.force = force
      run.progress = Progress()
      try run.run(output: { print($0) })
      return 0
    }
  }
}
