import ArgumentParser
import BinlogFormat
import BinlogIndex
import BinlogQuery
import BinlogSchema
import CanalProtocol
import Exporters

/// `query`, and `export` with filters: the matching transactions of `inputs` through their
/// indexes (or indexes built in memory), written as `format`.
struct QueryRun {
  var filters: FilterOptions
  var write: WriteOptions
  var format: OutputFormat
  var output: String
  var threads: Int?
  var indexDir: String?
  var useIndex = true
  var read: ReadOptions
  var printStats = false
  /// Answer, then go on answering over what the server appends (`QueryFollower`; NDJSON).
  var follow = false

  func run(_ inputs: [String]) throws -> Int32 {
    for path in inputs where !seekable(path) {
      throw ValidationError(
        "\(path == "-" ? "standard input" : path) is a stream: filters seek, so they need binlog files or seekable archives (decompress it to a file first)"
      )
    }
    let (filter, zone) = try filters.resolved()
    let archive = try IndexedBinlogs.open(
      paths: inputs, indexDir: indexDir, useIndex: useIndex, persist: false, options: read.readerOptions)
    // Following, a last file that ends inside an event is what is waited for, not a warning.
    let waitedFor = follow ? archive.files.last?.index.incompleteTailNotice : nil
    for w in archive.warnings where w != waitedFor { report("warning: \(w)") }
    let sink = try write.compression.sink(output, protecting: inputs)
    var options = ExportOptions()
    options.zone = zone
    options.includeQueries = !write.noQueries
    let runnerFormat: QueryRunner.Format
    switch format {
    case .text: runnerFormat = .text
    case .ndjson: runnerFormat = .ndjson
    case .binlog: runnerFormat = .binlog
    case .sql, .canal, .canalJSON: runnerFormat = .events
    }
    let runner = QueryRunner(
      archive: archive, filter: filter, rowGranularity: filters.rows, format: runnerFormat, sink: sink,
      options: options, readerOptions: read.readerOptions)
    runner.threads = threads ?? Swift.min(4, ParallelExport.processorCount)
    // A binlog cut decodes nothing, unless row filters look inside the transactions.
    if !write.noSchema && (format != .binlog || filter.hasRowFilters) {
      // Names and keys as export gives them: the snapshot, then the DDL the indexes stored
      // before each transaction read, then the transaction's own events.
      var tl = SchemaTimeline()
      if let first = archive.files.first, let i = try? BinlogInput(path: first.path, options: read.readerOptions),
        (try? i.next()) != nil
      {
        tl.adopt(i.format)
      }
      if let s = write.schemaPath {
        let r = try SchemaSnapshot.load(path: s, into: &tl)
        for issue in r.issues { report("warning: \(issue)") }
      } else if format == .sql,
        let note = EarlierSchema.seed(&tl, inputs: archive.files.map(\.path), indexDir: indexDir, options: read.readerOptions)
      {
        report("note: \(note)")
      }
      let timeline = tl
      runner.makeSchema = { SchemaTracker(timeline: timeline) }
    }
    var sql: SQLExporter?
    if runnerFormat == .events {
      let write = self.write
      let format = self.format
      runner.makeExporter = { sink, schema in
        let e = try makeEventExporter(format, write: write, zone: zone, sink: sink, schema: schema)
        sql = e as? SQLExporter
        return e
      }
    }
    if follow {
      FollowStop.installHandlers()
      let makeSchema = runner.makeSchema
      let threads = runner.threads
      let rows = filters.rows
      let read = self.read
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
    if printStats {
      let pct = s.archiveBytes > 0 ? Double(s.bytesTouched) * 100 / Double(s.archiveBytes) : 0
      let used = archive.files.filter { $0.indexOutcome == .loaded || $0.indexOutcome == .extended }.count
      report(
        "query: \(s.files) files (\(used) through an index), \(s.candidates) candidate and \(s.transactions) matching transactions, \(s.rows) rows; read \(s.bytesTouched) of \(s.archiveBytes) bytes (\(format2(pct))%)"
          + (s.framesTotal > 0
            ? "; decompressed \(s.framesDecompressed) of the \(s.framesTotal) zstd frames of the archives read" : "")
      )
    }
    var worst: Int32 = 0
    if let sql, sql.rowsSkipped > 0 {
      let at = sql.firstSkippedRow.map { ", the first at \($0.file): at offset \($0.offset)" } ?? ""
      report("warning: \(sql.rowsSkipped) row(s) could not be written as SQL (see the comments in the output\(at))")
      worst = Exit.badInput
    }
    if s.transactions == 0 && !s.keyProblems.isEmpty {
      for p in s.keyProblems { report("warning: \(p)") }
      worst = Swift.max(worst, Exit.cannotMatch)
    }
    return worst
  }

  private func seekable(_ path: String) -> Bool {
    guard path != "-" else { return false }
    guard let i = try? BinlogInput(path: path, options: read.readerOptions) else { return true }  // IndexedBinlogs.open says why
    return i.isSeekable
  }
}

/// The SQL or Canal exporter for `format`, reading names from `schema` (which the caller feeds).
func makeEventExporter(
  _ format: OutputFormat, write: WriteOptions, zone: TimeZoneSpec, sink: OutputSink, schema: SchemaTracker?
) throws -> EventExporter {
  switch format {
  case .sql:
    var o = SQLExporter.Options()
    o.flashback = write.flashback
    o.includeQueries = !write.noQueries
    let sql = try SQLExporter(sink: sink, options: o)
    sql.schema = schema
    sql.feedsSchema = false
    sql.onWarning = { report("warning: \($0)") }
    return sql
  case .canal, .canalJSON:
    var canal = CanalOptions()
    canal.zone = zone
    canal.forClients = !write.canalRaw
    canal.gtidMode = write.canalGTID
    canal.onWarning = { report("warning: \($0)") }
    if format == .canal {
      let e = CanalExporter(sink: sink, options: canal)
      if let schema { e.mapper.tableMapSource = { id, _ in schema.tableMap(id) } }
      return e
    }
    let e = FlatMessageExporter(sink: sink, options: canal)
    if let schema { e.mapper.tableMapSource = { id, _ in schema.tableMap(id) } }
    return e
  case .text, .ndjson, .binlog:
    preconditionFailure("\(format) is written by QueryRunner itself")
  }
}
