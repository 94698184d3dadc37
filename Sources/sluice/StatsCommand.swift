import ArgumentParser
import BinlogFormat
import BinlogQuery
import BinlogSchema
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
  var format: String = "text"

  @Option(name: .customLong("index-dir"), help: "Where index files are (default: beside each binlog).")
  var indexDir: String?

  @OptionGroup var read: ReadOptions

  @OptionGroup var schema: SchemaAuditOptions

  @Argument(help: "Binlog files or directories.")
  var files: [String]

  func validate() throws {
    guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json") }
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file or directory") }
    guard top > 0 else { throw ValidationError("--top must be positive") }
  }

  func run() throws {
    try runReporting {
      let inputs = try expandInputs(files)
      let archive = try IndexedBinlogs.open(
        paths: inputs, indexDir: indexDir, useIndex: true, persist: false, options: read.readerOptions)
      for w in archive.warnings { report("warning: \(w)") }
      var r = StatsReport(archive: archive, top: top)
      // One pass over the Query and Table_map events (the index has no schema yet).
      if let audit = try schema.makeAudit(inputs: inputs, read: read) {
        for f in archive.files {
          let input = try BinlogInput(path: f.path, options: read.readerOptions)
          if let e = audit.scanFile(input, skipErrors: read.skipErrors).error {
            report("warning: schema mismatch count stops at: \(e)")
            break
          }
        }
        r.schemaMismatches = audit.counts
      }
      let sink = OutputSink.standardOutput()
      sink.write(format == "json" ? r.json() : r.text())
      try sink.close()
      return 0
    }
  }
}
