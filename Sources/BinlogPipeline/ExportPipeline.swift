import BinlogFormat
import BinlogQuery
import BinlogSchema
import CanalProtocol
import Exporters

/// `sluice export` without filters: every input, as one stream, to one format. Chooses the
/// exporter, the schema timeline, parallel or one pass, and handles skipped errors; `run` returns
/// how it ended. (With filters, or as text or a binlog cut, `QueryPipeline` answers instead.)
public struct ExportPipeline {
  /// Binlog files and archives in stream order ('-' for stdin; directories already expanded).
  public var inputs: [String]
  /// One of ndjson, sql, canal, canal-json.
  public var format: OutputFormat
  public var readerOptions: ReaderOptions
  /// NDJSON options (`zone` is every format's time zone; `includeQueries` SQL's too).
  public var options = ExportOptions()
  /// Canal: Entries as clients receive them (false: raw), GTID-mode headers.
  public var canalForClients = true
  public var canalGTID = false
  /// SQL: undo instead of replay.
  public var flashback = false
  /// Name columns by DDL replay (`SchemaTimeline.seeded`), from this snapshot when given.
  public var replaysDDL = true
  public var schemaSnapshot: String?
  /// Worker threads for a single large mapped file (ndjson, canal without GTID mode).
  public var threads = Swift.min(4, ParallelExport.processorCount)
  public var skipErrors = false
  /// Follow the inputs as the server writes them (`EventWalk.follow`), until SIGINT or SIGTERM.
  public var follow = false
  public var progress: ProgressObserver?
  public var report: Diagnostics

  public init(inputs: [String], format: OutputFormat, readerOptions: ReaderOptions, report: @escaping Diagnostics) {
    self.inputs = inputs
    self.format = format
    self.readerOptions = readerOptions
    self.report = report
  }

  /// Writes the export to `sink` and closes it.
  public func run(to sink: OutputSink) throws -> RunStatus {
    let report = self.report
    var canal = CanalOptions()
    canal.zone = options.zone
    canal.forClients = canalForClients
    canal.gtidMode = canalGTID
    let warnings = ParallelExport.OnceFilter()  // parallel workers repeat each other's
    canal.onWarning = { if warnings.first($0) { report("warning: \($0)") } }
    var makeTracker: ((Int) -> SchemaTracker)?
    if replaysDDL {
      let format = self.format
      let (timeline, _) = try SchemaTimeline.seeded(
        firstFile: inputs.first, readerOptions: readerOptions, snapshot: schemaSnapshot,
        // SQL needs column names for updates and deletes: without them in the binlog, the DDL
        // of the earlier files of its directory.
        earlier: format == .sql
          ? { [inputs, readerOptions] in EarlierSchema.earlierDDL(inputs: inputs, options: readerOptions) } : nil,
        onIssue: { report("warning: \($0)") }, onNote: { report("note: \($0)") })
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
    }
    // Canal headers in GTID mode carry the executed set of everything before them: one pass.
    // (Canal for clients runs in parallel: the workers leave each empty transaction to the
    // client filter's throttle, decided in output order; `CanalExporter.parallelWorker`.)
    let parallelFormat = format == .ndjson || (format == .canal && !canalGTID)
    if parallelFormat, !options.stable, !follow, threads > 1, inputs.count == 1, !skipErrors,
      let mapped = ParallelExport.mappedBinlog(path: inputs[0], options: readerOptions),
      mapped.file.count >= 4 * ParallelExport.defaultChunkSize,
      let chunks = ParallelExport.chunks(of: mapped.file, format: mapped.format)
    {
      do {
        try ParallelExport.run(
          file: mapped.file, name: mapped.name, chunks: chunks, readerOptions: readerOptions,
          makeTracker: makeTracker, sink: sink, threads: threads,
          makeWorker: format == .ndjson
            ? NDJSONExporter.parallelWorker(options: options) : CanalExporter.parallelWorker(options: canal))
      } catch let e as BinlogError {
        try sink.flush()
        throw e
      }
      try sink.close()
      return .complete
    }
    let tracker = makeTracker?(0)
    switch format {
    case .ndjson:
      let ndjson = NDJSONExporter(sink: sink, options: options)
      ndjson.schema = tracker
      return try walk(ndjson, sink: sink)
    case .sql:
      var o = SQLExporter.Options()
      o.flashback = flashback
      o.includeQueries = options.includeQueries
      let sql = try SQLExporter(sink: sink, options: o)
      sql.schema = tracker
      sql.onWarning = { report("warning: \($0)") }
      return try walk(sql, sink: sink) {
        guard let warning = sql.incompleteOutputWarning else { return .complete }
        report("warning: " + warning)
        return .badInput
      }
    case .canal:
      let entries = CanalExporter(sink: sink, options: canal)
      // Canal output gets the same DDL-replayed names and keys as NDJSON.
      if let tracker { entries.mapper.tableMapSource = { id, _ in tracker.tableMap(id) } }
      return try walk(SchemaFeed(tracker, then: entries), sink: sink)
    case .canalJSON:
      let flat = FlatMessageExporter(sink: sink, options: canal)
      if let tracker { flat.mapper.tableMapSource = { id, _ in tracker.tableMap(id) } }
      return try walk(SchemaFeed(tracker, then: flat), sink: sink)
    case .text, .binlog:
      preconditionFailure("\(format) is written by QueryPipeline")
    }
  }

  /// The walk (or follow) into `consumer`, then `finish()`, `afterwards` (not when following) and
  /// the sink closed.
  private func walk<C: EventConsumer>(
    _ consumer: C, sink: OutputSink, afterwards: () -> RunStatus = { .complete }
  ) throws -> RunStatus {
    var walk = EventWalk(inputs: inputs, readerOptions: readerOptions, report: report)
    walk.skipErrors = skipErrors
    if follow {
      let status = try walk.follow(consumer, sink: sink)
      try consumer.finish()
      try sink.close()
      return status
    }
    walk.completeTransactionsOnly = true
    walk.progress = progress
    var status = try walk.run(consumer, sink: sink)
    try consumer.finish()
    status = Swift.max(status, afterwards())
    try sink.close()
    return status
  }
}
