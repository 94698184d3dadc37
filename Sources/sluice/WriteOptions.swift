import ArgumentParser
import BinlogFormat
import BinlogPipeline
import Exporters

/// How the matching transactions are written, for `query` and `export` alike.
struct WriteOptions: ParsableArguments {
  @Flag(help: "sql: write the SQL that undoes the changes, newest first (DDL is not undone).")
  var flashback = false

  @Flag(
    name: .customLong("canal-raw"),
    help: "canal/canal-json: keep the entries a Canal server drops before clients (GTID log, heartbeats, empty transactions).")
  var canalRaw = false

  @Flag(name: .customLong("canal-gtid"), help: "canal/canal-json: fill GTID header fields as Canal does in GTID mode.")
  var canalGTID = false

  @Flag(name: .customLong("no-queries"), help: "Do not emit lines for DDL and other statements.")
  var noQueries = false

  @Option(
    name: .customLong("schema"),
    help:
      "Schema snapshot for binlogs without column names: mysqldump --no-data output, SHOW CREATE TABLE text, or information_schema.COLUMNS as CSV/JSON (file or directory)."
  )
  var schemaPath: String?

  @Flag(name: .customLong("no-schema"), help: "Do not replay DDL to name columns (print @1..@N when the binlog has no names).")
  var noSchema = false

  @OptionGroup var compression: CompressOptions

  /// The pipelines' output settings for `format` from these flags (`threads` nil: the default).
  func settings(format: OutputFormat, zone: TimeZoneSpec, threads: Int?) -> OutputSettings {
    var output = OutputSettings(format: format)
    output.options.zone = zone
    output.options.includeQueries = !noQueries
    output.canalForClients = !canalRaw
    output.canalGTID = canalGTID
    output.flashback = flashback
    output.replaysDDL = !noSchema
    output.schemaSnapshot = schemaPath
    if let threads { output.threads = threads }
    return output
  }

  func check(format: OutputFormat, filters: FilterOptions) throws {
    guard !flashback || format == .sql else { throw ValidationError("--flashback needs --format sql") }
    if format == .binlog && filters.rows {
      throw ValidationError("--format binlog copies whole transactions; --rows cannot cut a rows event")
    }
    if (format == .canal || format == .canalJSON) && filters.rows && filters.pk != nil {
      throw ValidationError("--format \(format.rawValue) writes whole rows events: with --pk, leave out --rows")
    }
  }
}

extension OutputFormat: ExpressibleByArgument {}

/// `--compress` for commands that write exports (with `-o`): the sink for the output path.
struct CompressOptions: ParsableArguments {
  @Option(
    name: .customLong("compress"),
    help: "Compress the output: zstd or zstd:LEVEL (default level 3), or none. Implied (zstd) by -o NAME.zst.")
  var compress: String?

  func validate() throws {
    if let compress {
      do { _ = try OutputCompression(parsing: compress) } catch { throw ValidationError("--compress: \(error)") }
    }
  }

  /// `--compress` when given, else what the output's name implies.
  func compression(for output: String) throws -> OutputCompression {
    if let compress { return try OutputCompression(parsing: compress) }
    return OutputCompression.implied(by: output)
  }

  /// The output sink: compressed output to a file is written to a temporary name and renamed
  /// into place when it is complete; never over an input.
  func sink(_ output: String, protecting inputs: [String]) throws -> OutputSink {
    try OutputSink.file(output, compression: compression(for: output), protecting: inputs)
  }
}
