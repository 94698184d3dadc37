import BinlogFormat
import BinlogSchema
import CanalProtocol
import Exporters

/// How the output is written, as `ExportPipeline` and `QueryPipeline` both take it: the format and
/// its options, how columns are named, and the threads.
public struct OutputSettings {
  /// ndjson, sql, canal, canal-json (and for `QueryPipeline`, text and binlog).
  public var format: OutputFormat
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
  /// Worker threads (a large mapped file's chunks, or a query's batches).
  public var threads = Swift.min(4, ParallelExport.processorCount)

  public init(format: OutputFormat) {
    self.format = format
  }

  /// The SQL exporter's options.
  var sqlOptions: SQLExporter.Options {
    var o = SQLExporter.Options()
    o.flashback = flashback
    o.includeQueries = options.includeQueries
    return o
  }

  /// The Canal exporters' options (Entries and canal-json); their warnings go to `onWarning`.
  func canalOptions(onWarning: @escaping @Sendable (String) -> Void) -> CanalOptions {
    var canal = CanalOptions()
    canal.zone = options.zone
    canal.forClients = canalForClients
    canal.gtidMode = canalGTID
    canal.onWarning = onWarning
    return canal
  }

  /// The schema timeline columns are named from, seeded from `firstFile` and the snapshot (nil
  /// without DDL replay). SQL, which needs names for updates and deletes, also takes the DDL of
  /// the earlier files of the directory when the binlog has none (`earlier`).
  func seededTimeline(
    firstFile: String?, readerOptions: ReaderOptions, earlier: @escaping () -> EarlierDDL?, report: Diagnostics
  ) throws -> SchemaTimeline? {
    guard replaysDDL else { return nil }
    let (timeline, _) = try SchemaTimeline.seeded(
      firstFile: firstFile, readerOptions: readerOptions, snapshot: schemaSnapshot,
      earlier: format == .sql ? earlier : nil,
      onIssue: { report("warning: \($0)") }, onNote: { report("note: \($0)") })
    return timeline
  }
}
