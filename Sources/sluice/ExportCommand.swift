import ArgumentParser
import BinlogFormat
import BinlogPipeline
import BinlogQuery
import Exporters

#if canImport(Glibc)
  import Glibc
#endif

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Convert binlogs to NDJSON row changes, SQL (replay or flashback undo), Canal Entry streams or Canal flat JSON.",
    discussion: """
      Files are read in the order given (a directory in name order) as one stream.

      Filters are those of `sluice query`, with the same meaning (time, position, GTIDs, --database, --table, --type, ids, --pk, --rows): with a filter the files are read through their indexes (built in memory when missing), so they must be files or seekable archives, not a stream.

      Formats:
        ndjson      one JSON object per row change and per DDL/statement (README "NDJSON output")
        canal       varint-delimited Canal Entry protobuf messages, as a Canal client receives them
        canal-json  Canal's flat-message JSON, one message per line
        text        a header line per transaction and its changes (as `sluice query` prints them)
        binlog      the transactions as a binlog file (as `sluice query --format binlog`)
        sql         SQL that replays the row changes (INSERT/UPDATE/DELETE per row, DDL as written),
                    one BEGIN/COMMIT block per transaction; with --flashback, SQL that undoes them

      Examples:
        sluice export --format ndjson binlog.000001 > changes.ndjson
        sluice export --format canal -o entries.canal binlog.000001 binlog.000002
        sluice export --format canal -o dump.canal.zst binlogs/    # zstd-compressed as it is written
        sluice export --format ndjson --timezone Asia/Shanghai binlog.0000*
        zstd -dc binlog.000001.zst | sluice export --format ndjson -
        sluice export --format sql --flashback --schema schema.sql binlog.000042 > undo.sql
        sluice export --format ndjson --follow /var/lib/mysql/   # then what the server writes, until Ctrl-C
        sluice export --format sql --flashback --table shop.orders --start-datetime 2024-03-01T14:02:00Z --stop-datetime 2024-03-01T14:05:00Z binlogs/ > undo.sql
      """)

  @OptionGroup var filters: FilterOptions

  @Option(help: "Output format: \(OutputFormat.names).")
  var format: OutputFormat = .ndjson

  @OptionGroup var write: WriteOptions

  @Flag(
    help:
      "ndjson: leave out what changes when a fixture is recorded again (file, offsets, times, server id, GTID, xid, thread id); number transactions instead (\"tx\"), for golden files (sluice diff)."
  )
  var stable = false

  @Option(name: [.customShort("o"), .customLong("output")], help: "Write to this file instead of stdout ('-').")
  var output: String = "-"

  @Option(
    help:
      "ndjson and canal (not with --canal-gtid): worker threads for a single binlog file (default: up to 4, one per processor; 1 = one pass). The output is the same."
  )
  var threads: Int?

  @OptionGroup var read: ReadOptions
  @OptionGroup var follow: FollowOptions

  @Argument(help: "Binlog files, directories, or '-' for stdin.")
  var files: [String]

  func validate() throws {
    try write.check(format: format, filters: filters)
    guard !stable || format == .ndjson else { throw ValidationError("--stable needs --format ndjson") }
    guard !stable || !filters.isFiltering else {
      throw ValidationError("--stable numbers every transaction: it takes no filters")
    }
    if format == .binlog && output == "-" && isatty(1) != 0 {
      throw ValidationError("--format binlog writes a binary file: use -o FILE or redirect standard output")
    }
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file") }
    if let threads, threads < 1 || threads > 64 { throw ValidationError("--threads must be 1...64") }
    try follow.validate(files: files, read: read)
    if follow.follow && write.flashback {
      throw ValidationError("--flashback writes the newest change first: it cannot --follow")
    }
    if follow.follow && (filters.isFiltering || format == .text || format == .binlog) && format != .ndjson {
      throw ValidationError("--follow with filters writes --format ndjson")
    }
  }

  func run() throws {
    try runReporting {
      let inputs = try expandInputs(files)
      if filters.isFiltering || format == .text || format == .binlog {
        // The same path, and so the same meaning, as `sluice query`.
        return try QueryCommand.answer(
          inputs, filters: filters, write: write, format: format, output: output, threads: threads, read: read,
          follow: follow.follow)
      }
      let sink = try write.compression.sink(output, protecting: inputs)
      var output = write.settings(format: format, zone: try TimeZoneSpec(parsing: filters.timezone), threads: threads)
      output.options.stable = stable
      var export = ExportPipeline(inputs: inputs, output: output, readerOptions: read.readerOptions, report: report)
      export.skipErrors = read.skipErrors
      export.follow = follow.follow
      export.progress = Progress.observer("exporting")
      return Exit.code(for: try export.run(to: sink))
    }
  }
}
