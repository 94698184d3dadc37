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
  /// ndjson, sql, canal or canal-json, and how they are written (`threads`: a single large
  /// mapped file's chunks, for ndjson and canal without GTID mode).
  public var output: OutputSettings
  public var readerOptions: ReaderOptions
  public var skipErrors = false
  /// Follow the inputs as the server writes them (`EventWalk.follow`), until SIGINT or SIGTERM.
  public var follow = false
  public var progress: ProgressObserver?
  public var report: Diagnostics

  public init(inputs: [String], output: OutputSettings, readerOptions: ReaderOptions, report: @escaping Diagnostics) {
    self.inputs = inputs
    self.output = output
    self.readerOptions = readerOptions
    self.report = report
  }

  /// Writes the export to `sink` and closes it.
  public func run(to sink: OutputSink) throws -> RunStatus {
    let report = self.report
    let (format, options, threads) = (output.format, output.options, output.threads)
    let warnings = ParallelExport.OnceFilter()  // parallel workers repeat each other's
    let canal = output.canalOptions { if warnings.first($0) { report("warning: \($0)") } }
    var makeTracker: ((Int) -> SchemaTracker)?
    if let timeline = try output.seededTimeline(
      firstFile: inputs.first, readerOptions: readerOptions,
      earlier: { [inputs, readerOptions] in EarlierSchema.earlierDDL(inputs: inputs, options: readerOptions) },
      report: report)
    {
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
    let parallelFormat = format == .ndjson || (format == .canal && !output.canalGTID)
    if parallelFormat, !options.stable, !follow, threads > 1, inputs.count == 1, !skipErrors,
      let mapped = ParallelExport.mappedBinlog(path: inputs[0], options: readerOptions),
      mapped.file.count >= 4 * ParallelExport.defaultChunkSize,
      ParallelExport.canCut(mapped.file, format: mapped.format)
    {
      let ran: Bool
      let openTail = ParallelExport.OpenTail()
      do {
        // The file is cut as the workers go (false: it makes fewer than two chunks, one pass).
        ran = try ParallelExport.run(
          file: mapped.file, name: mapped.name, format: mapped.format, readerOptions: readerOptions,
          makeTracker: makeTracker, sink: sink, threads: threads, openTail: openTail,
          makeWorker: format == .ndjson
            ? NDJSONExporter.parallelWorker(options: options) : CanalExporter.parallelWorker(options: canal))
      } catch let e as BinlogError {
        try sink.flush()
        throw e
      }
      if ran {
        try sink.close()
        // The same note as the one-pass walk's (`EventWalk`).
        if let o = openTail.offset { report("note: \(openTailNote(binlogBaseName(inputs[0]), o))") }
        return .complete
      }
    }
    let tracker = makeTracker?(0)
    switch format {
    case .ndjson:
      let ndjson = NDJSONExporter(sink: sink, options: options)
      ndjson.schema = tracker
      return try walk(ndjson, sink: sink)
    case .sql:
      let sql = try SQLExporter(sink: sink, options: output.sqlOptions)
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
