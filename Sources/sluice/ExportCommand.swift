import ArgumentParser
import BinlogFormat
import BinlogQuery
import BinlogSchema
import CanalProtocol
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
      "ndjson and canal: worker threads for a single binlog file (default: up to 4, one per processor; 1 = one pass). The output is the same."
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
        let run = QueryRun(
          filters: filters, write: write, format: format, output: output, threads: threads, read: read,
          follow: follow.follow)
        return try run.run(inputs)
      }
      let sink = try write.compression.sink(output, protecting: inputs)
      var options = ExportOptions()
      options.zone = try TimeZoneSpec(parsing: filters.timezone)
      options.includeQueries = !write.noQueries
      options.stable = stable
      var canal = CanalOptions()
      canal.zone = options.zone
      canal.forClients = !write.canalRaw
      canal.gtidMode = write.canalGTID
      let warnings = ParallelExport.OnceFilter()  // parallel workers repeat each other's
      canal.onWarning = { if warnings.first($0) { report("warning: \($0)") } }
      let ndjson = format == .ndjson ? NDJSONExporter(sink: sink, options: options) : nil
      var tracker: SchemaTracker?
      var makeTracker: ((Int) -> SchemaTracker)?
      if !write.noSchema {
        var tl = SchemaTimeline()
        // Only a regular file can be opened twice: a pipe's bytes would be gone for the export.
        if let first = inputs.first, isRegularFile(first), let i = try? BinlogInput(path: first, options: read.readerOptions),
          (try? i.next()) != nil
        {
          tl.adopt(i.format)
        }
        if let s = write.schemaPath { _ = try SchemaSnapshot.load(path: s, into: &tl) }
        // SQL needs column names for updates and deletes: without them in the binlog, the DDL
        // of the earlier files of its directory.
        if format == .sql, write.schemaPath == nil,
          let note = EarlierSchema.seed(&tl, inputs: inputs, options: read.readerOptions)
        {
          report("note: \(note)")
        }
        let timeline = tl
        let once = ParallelExport.OnceFilter()
        makeTracker = { _ in
          let t = SchemaTracker(timeline: timeline)
          t.onMismatch = { m in
            let line = "warning: \(m)"
            if once.first(line) { report(line) }
          }
          t.onIssue = { r in
            let line = "warning: \(r.issueDescription)"
            if once.first(line) { report(line) }
          }
          return t
        }
        tracker = makeTracker?(0)
      }
      let workers = threads ?? Swift.min(4, ParallelExport.processorCount)
      // Canal headers in GTID mode carry the executed set of everything before them: one pass.
      let parallelFormat = format == .ndjson || (format == .canal && !write.canalGTID)
      if parallelFormat, !stable, !follow.follow, workers > 1, inputs.count == 1, !read.skipErrors,
        let mapped = ParallelExport.mappedBinlog(path: inputs[0], options: read.readerOptions),
        mapped.file.count >= 4 * ParallelExport.defaultChunkSize,
        let chunks = ParallelExport.chunks(of: mapped.file, format: mapped.format)
      {
        do {
          try ParallelExport.run(
            file: mapped.file, name: mapped.name, chunks: chunks, readerOptions: read.readerOptions,
            makeTracker: makeTracker, sink: sink, threads: workers,
            makeWorker: format == .ndjson
              ? NDJSONExporter.parallelWorker(options: options) : CanalExporter.parallelWorker(options: canal))
        } catch let e as BinlogError {
          try sink.flush()
          throw e
        }
        try sink.close()
        return 0
      }
      ndjson?.schema = tracker
      let entries = format == .canal ? CanalExporter(sink: sink, options: canal) : nil
      let flat = format == .canalJSON ? FlatMessageExporter(sink: sink, options: canal) : nil
      var sqlOptions = SQLExporter.Options()
      sqlOptions.flashback = write.flashback
      sqlOptions.includeQueries = !write.noQueries
      let sql = format == .sql ? try SQLExporter(sink: sink, options: sqlOptions) : nil
      sql?.schema = tracker
      sql?.onWarning = { report("warning: \($0)") }
      if let tracker {
        // Canal output gets the same DDL-replayed names and keys as NDJSON.
        entries?.mapper.tableMapSource = { id, _ in tracker.tableMap(id) }
        flat?.mapper.tableMapSource = { id, _ in tracker.tableMap(id) }
      }
      var worst: Int32 = 0
      func consume(_ w: inout BinlogWalker<BinlogInput>, _ ev: WalkedEvent) throws {
        do {
          if let ndjson {
            try ndjson.consume(ev, walker: w)
          } else if let sql {
            try sql.consume(ev, walker: w)
          } else {
            tracker?.consume(ev, file: w.fileName)
          }
          if let entries { try entries.consume(ev, walker: w) }
          if let flat { try flat.consume(ev, walker: w) }
        } catch let e as BinlogError where read.skipErrors {
          report("skipped: \(e.description)")
          worst = Swift.max(worst, Exit.badInput)
        }
      }
      if follow.follow {
        worst = try follow.run(inputs, read: read, sink: sink, visit: consume)
        try entries?.finish()
        try flat?.finish()
        try sql?.finish()
        try sink.close()
        return worst
      }
      let progress = Progress("exporting")
      for (k, path) in inputs.enumerated() {
        defer { progress.clear() }
        let input = try BinlogInput(path: path, options: read.readerOptions)
        let name = binlogBaseName(path)
        progress.start(file: name)
        var walker = BinlogWalker(source: input)
        walker.skipErrors = read.skipErrors
        walker.onSkippedError = { e in report("skipped: \(e.description)") }
        walker.completeTransactionsOnly = true
        do {
          try walker.run { w, ev in
            progress.advance(file: name, index: k, count: inputs.count, offset: ev.raw.offset, size: input.size)
            try consume(&w, ev)
          }
        } catch let e as BinlogError {
          try sink.flush()
          throw e
        }
        if walker.skippedErrors > 0 { worst = Swift.max(worst, Exit.badInput) }
        if let open = walker.openTail { report("note: \(openTailNote(name, open))") }
      }
      try entries?.finish()
      try flat?.finish()
      try sql?.finish()
      if let sql, sql.rowsSkipped > 0 {
        let at = sql.firstSkippedRow.map { ", the first at \($0.file): at offset \($0.offset)" } ?? ""
        report("warning: \(sql.rowsSkipped) row(s) could not be written as SQL (see the comments in the output\(at))")
        worst = Swift.max(worst, Exit.badInput)
      }
      try sink.close()
      return worst
    }
  }
}

/// True for a regular file (not stdin, a pipe, a device or a directory).
func isRegularFile(_ path: String) -> Bool {
  guard path != "-" else { return false }
  var st = stat()
  return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}
