import ArgumentParser
import BinlogFormat
import BinlogPipeline
import BinlogQuery
import Exporters

#if canImport(Glibc)
  import Glibc
#endif

struct QueryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "query",
    abstract: "Find transactions (or rows) by time, position, GTID, table, type, ids or primary key.",
    discussion: """
      Filters combine with AND; repeating a filter ORs its values. A transaction is in a time window by its commit time (MySQL 8's immediate_commit_timestamp when present, else the commit event's time); --stop-datetime and --stop-position are exclusive. Results are whole transactions unless --rows asks for only the matching rows. With an index (sluice index) only the matching transactions' bytes are read; without one the files are indexed in memory first, with identical results.

      Examples:
        sluice query --table shop.orders --start-datetime '2024-03-01 14:02' --stop-datetime '2024-03-01 14:05' binlogs/
        sluice query --include-gtids 3E11FA47-71CA-11E1-9E33-C80AA9429562:23 binlog.000042
        sluice query --pk 'id=4711' --table shop.orders --rows --format ndjson binlogs/
        sluice query --type delete,ddl --server-id 3 binlogs/
        sluice query --format binlog --start-datetime '2024-03-01 14:02' --stop-datetime '2024-03-01 14:05' -o incident.bin binlogs/
        sluice query --format ndjson --table shop.orders --follow /var/lib/mysql/   # until Ctrl-C
        sluice query --table shop.orders --start-datetime 2024-03-01T14:02:00Z --stop-datetime 2024-03-01T14:05:00Z --format sql --flashback binlogs/ > undo.sql
      """)

  @OptionGroup var filters: FilterOptions

  @Option(
    help:
      "Output format: \(OutputFormat.names) (text: a header line per transaction and its changes; binlog: the matching transactions as a binlog file that mysqlbinlog, mariadb-binlog and sluice read)."
  )
  var format: OutputFormat = .text

  @Option(name: .customLong("index-dir"), help: "Where index files are (default: beside each binlog).")
  var indexDir: String?

  @Flag(name: .customLong("no-index"), help: "Ignore indexes and scan the files.")
  var noIndex = false

  @Flag(help: "Print what was read (bytes touched, transactions) to stderr.")
  var stats = false

  @Option(name: [.customShort("o"), .customLong("output")], help: "Write to this file instead of stdout.")
  var output: String = "-"

  @Option(help: "Worker threads that decode matching transactions (default: up to 4, one per processor). The output is the same.")
  var threads: Int?

  @OptionGroup var write: WriteOptions
  @OptionGroup var read: ReadOptions
  @OptionGroup var follow: FollowOptions

  @Argument(help: "Binlog files or directories.")
  var files: [String]

  func validate() throws {
    try write.check(format: format, filters: filters)
    if format == .binlog && output == "-" && isatty(1) != 0 {
      throw ValidationError("--format binlog writes a binary file: use -o FILE or redirect standard output")
    }
    if let threads, threads < 1 || threads > 64 { throw ValidationError("--threads must be 1...64") }
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file or directory") }
    if files.contains("-") { throw ValidationError("query needs files (it seeks); use export for a stream") }
    try follow.validate(
      files: files, read: read, startPosition: filters.startPosition != nil, stopPosition: filters.stopPosition != nil)
    if follow.follow && format != .ndjson { throw ValidationError("query --follow writes --format ndjson") }
    if follow.follow && write.flashback {
      throw ValidationError("--flashback writes the newest change first: it cannot --follow")
    }
  }

  func run() throws {
    try runReporting {
      try Self.answer(
        try expandInputs(files), filters: filters, write: write, format: format, output: output, threads: threads,
        indexDir: indexDir, useIndex: !noIndex, read: read, printStats: stats, follow: follow.follow)
    }
  }

  /// `query`, and `export` with filters: `QueryPipeline` over `inputs`; returns the exit code.
  static func answer(
    _ inputs: [String], filters: FilterOptions, write: WriteOptions, format: OutputFormat, output: String, threads: Int?,
    indexDir: String? = nil, useIndex: Bool = true, read: ReadOptions, printStats: Bool = false, follow: Bool
  ) throws -> Int32 {
    let (filter, zone) = try filters.resolved()
    var query = QueryPipeline(
      inputs: inputs, filter: filter, output: write.settings(format: format, zone: zone, threads: threads),
      readerOptions: read.readerOptions, report: report)
    query.rowGranularity = filters.rows
    query.indexDir = indexDir
    query.useIndex = useIndex
    query.follow = follow
    if printStats {
      query.onStats = { s, used in
        let pct = s.archiveBytes > 0 ? Double(s.bytesTouched) * 100 / Double(s.archiveBytes) : 0
        report(
          "query: \(s.files) files (\(used) through an index), \(s.candidates) candidate and \(s.transactions) matching transactions, \(s.rows) rows; read \(s.bytesTouched) of \(s.archiveBytes) bytes (\(twoDecimals(pct))%)"
            + (s.framesTotal > 0
              ? "; decompressed \(s.framesDecompressed) of the \(s.framesTotal) zstd frames of the archives read" : "")
        )
      }
    }
    return Exit.code(for: try query.run { try write.compression.sink(output, protecting: inputs) })
  }
}
