import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogQuery
import BinlogSchema
import CanalProtocol
import Exporters

/// `sluice query`, and `export` with filters (or as text or a binlog cut): the matching
/// transactions of the inputs read through their indexes (or indexes built in memory), written in
/// one format by `QueryRunner` (or followed with `QueryFollower`).
public struct QueryPipeline {
  /// Binlog files and seekable archives (directories already expanded; no streams).
  public var inputs: [String]
  public var filter: QueryFilter
  /// Only the matching rows and statements instead of whole transactions (`--rows`).
  public var rowGranularity = false
  public var readerOptions: ReaderOptions
  /// The format and how it is written (`options.zone` and `includeQueries` are every format's).
  public var output: OutputSettings
  /// Where index files are (nil: beside each binlog); `useIndex` false scans the files.
  public var indexDir: String?
  public var useIndex = true
  /// Answer, then go on answering over what the server appends (NDJSON), until SIGINT or SIGTERM.
  public var follow = false
  public var report: Diagnostics

  /// Called after the answer is written with what was read and how many files were read through
  /// a saved (or extended) index (`query --stats`), before the closing warnings.
  public var onStats: ((QueryRunner.Stats, Int) -> Void)?

  public init(
    inputs: [String], filter: QueryFilter, output: OutputSettings, readerOptions: ReaderOptions,
    report: @escaping Diagnostics
  ) {
    self.inputs = inputs
    self.filter = filter
    self.output = output
    self.readerOptions = readerOptions
    self.report = report
  }

  /// Writes the answer to the sink `makeSink` gives (once the inputs are known to be seekable) and
  /// closes it. Throws `PipelineUsageError` for a stream among the inputs.
  public func run(to makeSink: () throws -> OutputSink) throws -> RunStatus {
    let report = self.report
    for path in inputs where !seekable(path) {
      throw PipelineUsageError(
        "\(path == "-" ? "standard input" : path) is a stream: filters seek, so they need binlog files or seekable archives (decompress it to a file first)"
      )
    }
    let archive = try IndexedBinlogs.open(
      paths: inputs, indexDir: indexDir, useIndex: useIndex, persist: false, options: readerOptions,
      verifyingBlocksOf: filter)
    // Following, a last file that ends inside an event is what is waited for, not a warning.
    let waitedFor = follow ? archive.files.last?.index.incompleteTailNotice : nil
    for w in archive.warnings where w != waitedFor { report("warning: \(w)") }
    let sink = try makeSink()
    let runnerFormat: QueryRunner.Format
    switch output.format {
    case .text: runnerFormat = .text
    case .ndjson: runnerFormat = .ndjson
    case .binlog: runnerFormat = .binlog
    case .sql, .canal, .canalJSON: runnerFormat = .events
    }
    let options = output.options
    let readerOptions = self.readerOptions
    let runner = QueryRunner(
      archive: archive, filter: filter, rowGranularity: rowGranularity, format: runnerFormat, sink: sink,
      options: options, readerOptions: readerOptions)
    runner.threads = output.threads
    // A binlog cut decodes nothing, unless row filters look inside the transactions.
    // Names and keys as export gives them: the snapshot, then the DDL the indexes stored before
    // each transaction read, then the transaction's own events.
    let paths = archive.files.map(\.path)
    let indexDir = self.indexDir
    if output.format != .binlog || filter.hasRowFilters,
      let timeline = try output.seededTimeline(
        firstFile: paths.first, readerOptions: readerOptions,
        earlier: { EarlierSchema.earlierDDL(inputs: paths, indexDir: indexDir, options: readerOptions) }, report: report)
    {
      runner.makeSchema = { SchemaTracker(timeline: timeline) }
    }
    var sql: SQLExporter?
    if runnerFormat == .events {
      let pipeline = self
      runner.makeExporter = { sink, schema in
        let e = try pipeline.eventConsumer(sink: sink, schema: schema)
        sql = e as? SQLExporter
        return e
      }
    }
    if follow {
      FollowStop.installHandlers()
      let makeSchema = runner.makeSchema
      let threads = runner.threads
      let rows = rowGranularity
      let follower = QueryFollower(filter: filter, readerOptions: readerOptions) { archive, filter in
        let r = QueryRunner(
          archive: archive, filter: filter, rowGranularity: rows, format: .ndjson, sink: sink, options: options,
          readerOptions: readerOptions)
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
      return .complete
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
    if let onStats {
      onStats(s, archive.files.filter { $0.indexOutcome == .loaded || $0.indexOutcome == .extended }.count)
    }
    var status = RunStatus.complete
    if let warning = sql?.incompleteOutputWarning {
      report("warning: " + warning)
      status = .badInput
    }
    if s.transactions == 0 && !s.keyProblems.isEmpty {
      for p in s.keyProblems { report("warning: \(p)") }
      status = Swift.max(status, .cannotMatch)
    }
    return status
  }

  private func seekable(_ path: String) -> Bool {
    guard path != "-" else { return false }
    guard let i = try? BinlogInput(path: path, options: readerOptions) else { return true }  // IndexedBinlogs.open says why
    return i.isSeekable
  }

  /// The SQL or Canal exporter for `format`, reading names from `schema` (which the caller feeds).
  func eventConsumer(sink: OutputSink, schema: SchemaTracker?) throws -> EventConsumer {
    let report = self.report
    switch output.format {
    case .sql:
      let sql = try SQLExporter(sink: sink, options: output.sqlOptions)
      sql.schema = schema
      sql.feedsSchema = false
      sql.onWarning = { report("warning: \($0)") }
      return sql
    case .canal, .canalJSON:
      let canal = output.canalOptions { report("warning: \($0)") }
      if output.format == .canal {
        let e = CanalExporter(sink: sink, options: canal)
        if let schema { e.mapper.tableMapSource = { id, _ in schema.tableMap(id) } }
        return e
      }
      let e = FlatMessageExporter(sink: sink, options: canal)
      if let schema { e.mapper.tableMapSource = { id, _ in schema.tableMap(id) } }
      return e
    case .text, .ndjson, .binlog:
      preconditionFailure("\(output.format) is written by QueryRunner itself")
    }
  }
}
