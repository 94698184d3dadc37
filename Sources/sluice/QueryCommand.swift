import ArgumentParser
import BinlogFormat
import BinlogIndex
import BinlogQuery
import BinlogSchema
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
      """)

  @Option(name: .customLong("database"), help: "Database name (glob); repeatable.")
  var databases: [String] = []

  @Option(name: .customLong("table"), help: "Table as table or db.table, with * and ? globs; repeatable.")
  var tables: [String] = []

  @Option(name: .customLong("start-datetime"), help: "Transactions committed at or after this time (YYYY-MM-DD HH:MM:SS).")
  var startDatetime: String?

  @Option(name: .customLong("stop-datetime"), help: "Transactions committed before this time.")
  var stopDatetime: String?

  @Option(help: "Time zone of --start/--stop-datetime and of TIMESTAMP values: UTC (default), +HH:MM or an IANA name.")
  var timezone: String = "UTC"

  @Option(name: .customLong("start-position"), help: "Transactions starting at or after N or FILE:N.")
  var startPosition: String?

  @Option(name: .customLong("stop-position"), help: "Transactions starting before N or FILE:N.")
  var stopPosition: String?

  @Option(name: .customLong("include-gtids"), help: "MySQL GTID set (uuid[:tag]:1-5,...) or MariaDB list (0-1-5,0-1-7..9).")
  var includeGTIDs: String?

  @Option(name: .customLong("exclude-gtids"), help: "GTIDs to leave out (same syntax).")
  var excludeGTIDs: String?

  @Option(name: .customLong("type"), help: "Change types: insert,update,delete,ddl.")
  var types: [String] = []

  @Option(name: .customLong("server-id"), help: "Server id; repeatable.")
  var serverIDs: [UInt32] = []

  @Option(name: .customLong("thread-id"), help: "Thread (connection) id; repeatable.")
  var threadIDs: [UInt32] = []

  @Option(name: .customLong("xid"), help: "Transaction xid; repeatable.")
  var xids: [UInt64] = []

  @Option(name: .customLong("pk"), help: "Follow one row: 'col=value[,col=value]' (values as in the NDJSON output).")
  var pk: String?

  @Flag(help: "Output only the matching rows instead of whole transactions.")
  var rows = false

  @Option(help: "Output format: text, ndjson, or binlog (the matching transactions as a binlog file that mysqlbinlog, mariadb-binlog and sluice read).")
  var format: String = "text"

  @Option(name: .customLong("index-dir"), help: "Where index files are (default: beside each binlog).")
  var indexDir: String?

  @Flag(name: .customLong("no-index"), help: "Ignore indexes and scan the files.")
  var noIndex = false

  @Flag(help: "Print what was read (bytes touched, transactions) to stderr.")
  var stats = false

  @Option(name: [.customShort("o"), .customLong("output")], help: "Write to this file instead of stdout.")
  var output: String = "-"

  @Option(name: .customLong("schema"), help: "Schema snapshot for binlogs without column names (as for export).")
  var schemaPath: String?

  @Flag(name: .customLong("no-schema"), help: "Do not replay DDL to name columns (print @1..@N when the binlog has no names).")
  var noSchema = false

  @Option(help: "Worker threads that decode matching transactions (default: up to 4, one per processor). The output is the same.")
  var threads: Int?

  @OptionGroup var compression: CompressOptions
  @OptionGroup var read: ReadOptions
  @OptionGroup var follow: FollowOptions

  @Argument(help: "Binlog files or directories.")
  var files: [String]

  func validate() throws {
    guard ["text", "ndjson", "binlog"].contains(format) else { throw ValidationError("--format must be text, ndjson or binlog") }
    if format == "binlog" {
      if rows { throw ValidationError("--format binlog copies whole transactions; --rows cannot cut a rows event") }
      if output == "-" && isatty(1) != 0 {
        throw ValidationError("--format binlog writes a binary file: use -o FILE or redirect standard output")
      }
    }
    if let threads, threads < 1 || threads > 64 { throw ValidationError("--threads must be 1...64") }
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file or directory") }
    if files.contains("-") { throw ValidationError("query needs files (it seeks); use export for a stream") }
    do { _ = try makeFilter() } catch { throw ValidationError("\(error)") }
    try follow.validate(files: files, read: read, startPosition: startPosition != nil, stopPosition: stopPosition != nil)
    if follow.follow && format != "ndjson" { throw ValidationError("query --follow writes --format ndjson") }
  }

  func makeFilter() throws -> (QueryFilter, TimeZoneSpec) {
    var f = QueryFilter()
    let zone = try TimeZoneSpec(parsing: timezone)
    f.databases = databases
    f.tables = tables.flatMap { $0.split(separator: ",").map { TablePattern(parsing: String($0)) } }
    if let s = startDatetime {
      f.startMicros = UInt64(max(0, zone.epoch(ofLocal: try CivilDateTime(parsing: s)))) * 1_000_000
    }
    if let s = stopDatetime {
      f.stopMicros = UInt64(max(0, zone.epoch(ofLocal: try CivilDateTime(parsing: s)))) * 1_000_000
    }
    if let p = startPosition { f.startPosition = try FilePosition(parsing: p) }
    if let p = stopPosition { f.stopPosition = try FilePosition(parsing: p) }
    if let g = includeGTIDs { f.includeGTIDs = try GTIDFilter(parsing: g) }
    if let g = excludeGTIDs { f.excludeGTIDs = try GTIDFilter(parsing: g) }
    for t in types.flatMap({ $0.split(separator: ",") }) {
      guard let c = ChangeType(rawValue: t.lowercased()) else {
        throw BinlogError(.malformed, "unknown --type '\(t)' (insert, update, delete, ddl)")
      }
      f.types.insert(c)
    }
    f.serverIDs = Set(serverIDs)
    f.threadIDs = Set(threadIDs)
    f.xids = Set(xids)
    if let pk {
      for part in pk.split(separator: ",") {
        guard let eq = part.firstIndex(of: "=") else { throw BinlogError(.malformed, "--pk wants col=value, got '\(part)'") }
        f.primaryKey.append((String(part[..<eq]), String(part[part.index(after: eq)...])))
      }
    }
    return (f, zone)
  }

  func run() throws {
    try runReporting {
      let inputs = try expandInputs(files)
      let (filter, zone) = try makeFilter()
      let archive = try Archive.open(paths: inputs, indexDir: indexDir, useIndex: !noIndex, persist: false, options: read.readerOptions)
      // Following, a last file that ends inside an event is what is waited for, not a warning.
      let waitedFor = follow.follow ? archive.files.last?.index.incompleteTailNotice : nil
      for w in archive.warnings where w != waitedFor { report("warning: \(w)") }
      let sink = try compression.sink(output, protecting: inputs)
      var options = ExportOptions()
      options.zone = zone
      let runner = QueryRunner(
        archive: archive, filter: filter, rowGranularity: rows, format: format == "ndjson" ? .ndjson : format == "binlog" ? .binlog : .text, sink: sink,
        options: options, readerOptions: read.readerOptions)
      runner.threads = threads ?? Swift.min(4, ParallelExport.processorCount)
      // A binlog cut decodes nothing, unless row filters look inside the transactions.
      if !noSchema && (format != "binlog" || filter.hasRowFilters) {
        // Names and keys as export gives them: the snapshot, then the DDL the indexes stored
        // before each transaction read, then the transaction's own events.
        var tl = SchemaTimeline()
        if let first = archive.files.first, let i = try? BinlogInput(path: first.path, options: read.readerOptions),
          (try? i.next()) != nil
        {
          tl.adopt(i.format)
        }
        if let s = schemaPath {
          let r = try SchemaSnapshot.load(path: s, into: &tl)
          for issue in r.issues { report("warning: \(issue)") }
        }
        let timeline = tl
        runner.makeSchema = { SchemaTracker(timeline: timeline) }
      }
      if follow.follow {
        FollowStop.installHandlers()
        let makeSchema = runner.makeSchema
        let threads = runner.threads
        let follower = QueryFollower(filter: filter, readerOptions: read.readerOptions) { archive, filter in
          let r = QueryRunner(
            archive: archive, filter: filter, rowGranularity: rows, format: .ndjson, sink: sink, options: options,
            readerOptions: read.readerOptions)
          r.threads = threads
          r.makeSchema = makeSchema
          return r
        }
        follower.onWait = { try sink.flush() }
        do {
          try follower.run(archive: archive)
        } catch let e as BinlogError {
          try? sink.flush()
          throw e
        }
        try sink.close()
        return 0
      }
      let s: QueryRunner.Stats
      do {
        s = try runner.run()
      } catch let e as BinlogError {
        // What was found before the damage is written, as export does.
        try? sink.flush()
        throw e
      }
      try sink.close()
      if stats {
        let pct = s.archiveBytes > 0 ? Double(s.bytesTouched) * 100 / Double(s.archiveBytes) : 0
        let used = archive.files.filter { $0.indexOutcome == .loaded || $0.indexOutcome == .extended }.count
        report(
          "query: \(s.files) files (\(used) through an index), \(s.candidates) candidate and \(s.transactions) matching transactions, \(s.rows) rows; read \(s.bytesTouched) of \(s.archiveBytes) bytes (\(format2(pct))%)"
            + (s.framesTotal > 0 ? "; decompressed \(s.framesDecompressed) of the \(s.framesTotal) zstd frames of the archives read" : "")
        )
      }
      return 0
    }
  }
}
