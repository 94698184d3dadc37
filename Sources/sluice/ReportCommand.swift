import ArgumentParser
import BinlogFormat
import BinlogQuery
import BinlogReport
import Exporters

#if canImport(Glibc)
  import Glibc
#endif

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "What happened between two times, as one self-contained HTML page (or JSON).",
    discussion: """
      A timeline of row changes (per minute, per second for windows up to 15 minutes) stacked by table or by type, with DDL and the largest and longest transactions marked; a brush that narrows every panel; top tables and transactions, DDL with its statements, per server id and GTID domain, checksum and damage status per file; and for each transaction and table the `sluice query` command that shows or undoes it. The page needs no network (charts are drawn by its own script); --format json writes the same content. Built from the indexes (sluice index), or from indexes built in memory.

      Examples:
        sluice report binlogs/ -o report.html
        sluice report --start-datetime '2024-03-01 14:00' --stop-datetime '2024-03-01 15:00' binlogs/ -o incident.html
        sluice report --format json binlog.000042 | jq .tables
      """)

  @Option(
    name: [.customShort("o"), .customLong("output")],
    help: "Write to this file (written in full, then renamed into place); - for stdout.")
  var output: String = "-"

  @Option(help: "html or json (default: json when -o ends in .json, else html).")
  var format: Report.Format?

  @Option(name: .customLong("start-datetime"), help: "Transactions committed at or after this time (YYYY-MM-DD HH:MM:SS).")
  var startDatetime: String?

  @Option(name: .customLong("stop-datetime"), help: "Transactions committed before this time.")
  var stopDatetime: String?

  @Option(help: "Time zone of --start/--stop-datetime and of the times shown: UTC (default), +HH:MM or an IANA name.")
  var timezone: String = "UTC"

  @Option(help: "How many transactions the top lists hold (overall and per time bucket).")
  var top: Int = 10

  @Option(name: .customLong("index-dir"), help: "Where index files are (default: beside each binlog).")
  var indexDir: String?

  @OptionGroup var read: ReadOptions

  @Argument(help: "Binlog files, archives or directories.")
  var files: [String]

  var resolvedFormat: Report.Format {
    if let format { return format }
    return output.hasSuffix(".json") ? .json : .html
  }

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file or directory") }
    if files.contains("-") { throw ValidationError("report needs files (it reads their indexes), not standard input") }
    guard top > 0 && top <= 1000 else { throw ValidationError("--top must be 1...1000") }
    if resolvedFormat == .html && output == "-" && isatty(1) != 0 {
      throw ValidationError("the report is an HTML page: use -o report.html, or --format json")
    }
    do { _ = try window() } catch { throw ValidationError(sentence(error)) }
  }

  func window() throws -> ReportWindow {
    let zone = try TimeZoneSpec(parsing: timezone)
    var w = ReportWindow(zone: zone, zoneName: timezone)
    func micros(_ s: String) throws -> UInt64 { try TimeArgument.unsignedMicros(s, zone: zone) }
    if let s = startDatetime { w.startMicros = try micros(s) }
    if let s = stopDatetime { w.stopMicros = try micros(s) }
    if let a = w.startMicros, let b = w.stopMicros, b <= a {
      throw BinlogError(.malformed, "--stop-datetime must be after --start-datetime")
    }
    return w
  }

  func run() throws {
    try runReporting {
      let inputs = try expandInputs(files)
      if inputs.isEmpty {
        report("warning: no binlog files in \(files.joined(separator: " "))")
        throw ExitCode(Exit.badInput)
      }
      let r = try Report(
        paths: inputs, inputs: files, window: try window(), top: top, indexDir: indexDir, options: read.readerOptions)
      for w in r.data.files.warnings { report("warning: \(w)") }
      // All or nothing, never over an input, a device or pipe written into: as every output.
      let sink = try OutputSink.file(output, protecting: inputs)
      sink.buffer = r.render(resolvedFormat, generatedAt: Int64(time(nil)))
      try sink.close()
      return 0
    }
  }
}

extension Report.Format: ExpressibleByArgument {}
