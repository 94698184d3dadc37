import ArgumentParser
import BinlogFormat
import BinlogQuery
import Exporters

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Convert binlogs to NDJSON row changes (one JSON object per row and per DDL).",
    discussion: """
      Files are read in the order given (a directory in name order) as one stream.

      Examples:
        sluice export --format ndjson binlog.000001 > changes.ndjson
        sluice export --format ndjson --timezone Asia/Shanghai binlog.0000*
        zstd -dc binlog.000001.zst | sluice export --format ndjson -
      """)

  @Option(help: "Output format: ndjson.")
  var format: String = "ndjson"

  @Option(help: "Time zone for TIMESTAMP values: UTC (default), +HH:MM, or an IANA name.")
  var timezone: String = "UTC"

  @Flag(name: .customLong("no-queries"), help: "Do not emit lines for DDL and other statements.")
  var noQueries = false

  @Option(name: [.customShort("o"), .customLong("output")], help: "Write to this file instead of stdout ('-').")
  var output: String = "-"

  @OptionGroup var read: ReadOptions

  @Argument(help: "Binlog files, directories, or '-' for stdin.")
  var files: [String]

  func validate() throws {
    guard format == "ndjson" else { throw ValidationError("--format must be ndjson") }
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file") }
    do { _ = try TimeZoneSpec(parsing: timezone) } catch { throw ValidationError("\(error)") }
  }

  func run() throws {
    try runReporting {
      let inputs = try expandInputs(files)
      let sink = try OutputSink.file(output, protecting: inputs)
      var options = ExportOptions()
      options.zone = try TimeZoneSpec(parsing: timezone)
      options.includeQueries = !noQueries
      let exporter = NDJSONExporter(sink: sink, options: options)
      var worst: Int32 = 0
      for path in inputs {
        let input = try BinlogInput(path: path, options: read.readerOptions)
        var walker = BinlogWalker(source: input)
        walker.skipErrors = read.skipErrors
        walker.onSkippedError = { e in report("skipped: \(e.description)") }
        do {
          try walker.run { w, ev in
            do {
              try exporter.consume(ev, walker: w)
            } catch let e as BinlogError where read.skipErrors {
              report("skipped: \(e.description)")
              worst = Swift.max(worst, Exit.badInput)
            }
          }
        } catch let e as BinlogError {
          try sink.flush()
          throw e
        }
        if walker.skippedErrors > 0 { worst = Swift.max(worst, Exit.badInput) }
      }
      try sink.close()
      return worst
    }
  }
}
