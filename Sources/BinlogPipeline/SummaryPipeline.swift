import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogQuery
import BinlogSchema
import Exporters

/// `--format` of `info` and `stats`.
public enum SummaryFormat: String, CaseIterable, Sendable {
  case text
  case json
}

/// How `info` and `stats` count the Table_maps that disagree with the schema: DDL replayed from
/// the first file's directory and a snapshot (`SchemaTimeline.seeded`), or no count at all.
public struct SchemaAuditSettings: Sendable {
  /// Replay DDL and count; false leaves the count out.
  public var enabled = true
  /// The schema in force before the first file (read with the flavor of the binlogs' server).
  public var snapshot: String?

  public init(enabled: Bool = true, snapshot: String? = nil) {
    self.enabled = enabled
    self.snapshot = snapshot
  }

  /// The audit over `inputs` (nil when disabled); snapshot warnings go to `report`.
  public func makeAudit(inputs: [String], readerOptions: ReaderOptions, report: @escaping Diagnostics) throws
    -> SchemaAudit?
  {
    guard enabled else { return nil }
    let (timeline, _) = try SchemaTimeline.seeded(
      firstFile: inputs.first, readerOptions: readerOptions, snapshot: snapshot,
      onIssue: { report("warning: \($0)") })
    return SchemaAudit(timeline: timeline)
  }
}

/// `sluice info`: each input's `FileSummary` (server, checksums, time range, event counts, GTIDs,
/// ending) and, with the audit, its Table_maps that disagree with the schema replayed from every
/// file before it. A file that fails is summarised up to the failure and the run goes on.
public struct InfoPipeline {
  /// Binlog files and archives ('-' for stdin; directories already expanded).
  public var inputs: [String]
  public var readerOptions: ReaderOptions
  /// Undecodable events do not stop the schema count.
  public var skipErrors = false
  public var schema = SchemaAuditSettings()
  public var report: Diagnostics

  public init(inputs: [String], readerOptions: ReaderOptions, report: @escaping Diagnostics) {
    self.inputs = inputs
    self.readerOptions = readerOptions
    self.report = report
  }

  /// One input's share of the run.
  public struct Entry {
    public var summary: FileSummary
    /// nil without the audit, or when the file failed.
    public var schemaMismatches: [MismatchCount]?
  }

  /// Summarises the inputs in order, handing each to `each` as soon as it is done.
  public func run(_ each: (Entry) throws -> Void) throws -> RunStatus {
    var worst = RunStatus.complete
    // Stdin cannot be read twice: no schema audit for it.
    let audit =
      inputs.contains("-") ? nil : try schema.makeAudit(inputs: inputs, readerOptions: readerOptions, report: report)
    for path in inputs {
      let summary: FileSummary
      do throws(BinlogError) {
        let input = try BinlogInput(path: path, options: readerOptions)
        var s = FileSummary.scan(input, size: input.size ?? 0, verify: readerOptions.verifyChecksums)
        // A stream (stdin, .gz) has no size of its own: the binlog bytes read.
        if input.size == nil { s.size = Swift.max(s.endOffset, input.position) }
        summary = s
      } catch {
        var s = FileSummary(file: path)
        s.error = error
        summary = s
      }
      var entry = Entry(summary: summary)
      if let e = entry.summary.error { worst = Swift.max(worst, RunStatus(e)) }
      // Checksums were verified by the summary's pass.
      if let audit, entry.summary.error == nil,
        let input = try? BinlogInput(path: path, options: ReaderOptions(verifyChecksums: false))
      {
        let r = audit.scanFile(input, skipErrors: skipErrors)
        entry.schemaMismatches = r.counts
        if let e = r.error { report("warning: schema mismatch count stops at: \(e)") }
      }
      try each(entry)
    }
    return worst
  }

  /// Writes every summary to `sink` as text or one JSON array, reporting each file's error after
  /// its summary is flushed, and closes the sink.
  public func run(format: SummaryFormat, to sink: OutputSink) throws -> RunStatus {
    var k = 0
    var opened = false
    let status = try run { entry in
      // JSON is one array whatever the number of files.
      if format == .json && !opened {
        sink.write("[")
        opened = true
      }
      if format == .json {
        if k > 0 { sink.write(",") }
        sink.write(SummaryText.json(entry.summary, schemaMismatches: entry.schemaMismatches))
      } else {
        if k > 0 { sink.write("\n") }
        sink.write(SummaryText.text(entry.summary))
        if let m = entry.schemaMismatches { sink.write(SchemaMismatchText.text(m)) }
      }
      k += 1
      try sink.flush()
      if let e = entry.summary.error { report(e.description) }
    }
    if format == .json {
      if !opened { sink.write("[") }
      sink.write("]\n")
    }
    try sink.close()
    return status
  }
}

/// `sluice stats`: the activity report of the inputs (`StatsReport`, from their indexes when
/// fresh, else a scan) with, under the audit, the Table_maps that disagree with the schema.
public struct StatsPipeline {
  /// Binlog files and archives (directories already expanded).
  public var inputs: [String]
  public var readerOptions: ReaderOptions
  /// How many transactions the top lists hold.
  public var top = 10
  /// Where index files are (nil: beside each binlog).
  public var indexDirectory: String?
  public var skipErrors = false
  public var schema = SchemaAuditSettings()
  public var report: Diagnostics

  public init(inputs: [String], readerOptions: ReaderOptions, report: @escaping Diagnostics) {
    self.inputs = inputs
    self.readerOptions = readerOptions
    self.report = report
  }

  /// The report; archive warnings and a stopped schema count go to `report`.
  public func run() throws -> StatsReport {
    let archive = try IndexedBinlogs.open(
      paths: inputs, indexDir: indexDirectory, useIndex: true, persist: false, options: readerOptions)
    for w in archive.warnings { report("warning: \(w)") }
    var r = StatsReport(archive: archive, top: top)
    // One pass over the Query and Table_map events (the index has no schema yet).
    if let audit = try schema.makeAudit(inputs: inputs, readerOptions: readerOptions, report: report) {
      for f in archive.files {
        let input = try BinlogInput(path: f.path, options: readerOptions)
        if let e = audit.scanFile(input, skipErrors: skipErrors).error {
          report("warning: schema mismatch count stops at: \(e)")
          break
        }
      }
      r.schemaMismatches = audit.counts
    }
    return r
  }

  /// Writes the report to `sink` as text or JSON and closes it.
  public func run(format: SummaryFormat, to sink: OutputSink) throws -> RunStatus {
    let r = try run()
    sink.write(format == .json ? r.json() : r.text())
    try sink.close()
    return .complete
  }
}
