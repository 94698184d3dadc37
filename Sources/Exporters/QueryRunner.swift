#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import BinlogFormat
import BinlogIndex
import BinlogQuery
import BinlogSchema

/// Runs a query over an archive: picks candidate transactions through the index, decodes only
/// their byte ranges, applies the row-level filters and hands matching events to an exporter.
public final class QueryRunner {
  public enum Output {
    case ndjson(NDJSONExporter)
    case text(OutputSink, ExportOptions)
  }

  public struct Stats: Sendable {
    public var files = 0
    public var candidates = 0
    public var transactions = 0
    public var rows: UInt64 = 0
    /// Bytes of binlog read while decoding matching transactions.
    public var bytesDecoded: UInt64 = 0
    /// Bytes read to build or extend indexes.
    public var bytesIndexed: UInt64 = 0
    public var archiveBytes: UInt64 = 0
    /// Seekable zstd archives: their frames, and the frames decompressed to answer.
    public var framesTotal = 0
    public var framesDecompressed = 0
    public var bytesTouched: UInt64 { bytesDecoded + bytesIndexed }
  }

  public let archive: Archive
  public let filter: QueryFilter
  /// Emit only matching rows (not whole transactions).
  public let rowGranularity: Bool
  public let output: Output
  public let readerOptions: ReaderOptions
  public private(set) var stats = Stats()
  private var textExporter: NDJSONExporter?
  /// Offline schema for binlogs without column names. The runner feeds it: the DDL stored in the
  /// files' indexes up to each transaction it reads (so a query that starts mid-archive knows the
  /// schema there), then the transaction's own events.
  public var schema: SchemaTracker?
  private var storedDDL: [StoredDDL] = []
  private var ddlCursor = 0
  private var fileNames: [String] = []
  /// The open file's name in the output, and the binlog's own name (an archive's original).
  private var openName = ""
  private var openOriginalName = ""
  private var adoptedPath = ""

  public init(archive: Archive, filter: QueryFilter, rowGranularity: Bool, output: Output, readerOptions: ReaderOptions = ReaderOptions()) {
    self.archive = archive
    self.filter = filter
    self.rowGranularity = rowGranularity
    self.output = output
    self.readerOptions = readerOptions
  }

  public func run() throws -> Stats {
    stats = Stats()
    stats.files = archive.files.count
    stats.bytesIndexed = archive.indexBytesRead
    stats.archiveBytes = archive.totalSize
    var openFile = -1
    var input: BinlogInput?
    let exporter: NDJSONExporter
    switch output {
    case .ndjson(let e): exporter = e
    case .text(let sink, let options):
      let e = textExporter ?? NDJSONExporter(sink: OutputSink.memory(), options: options)
      textExporter = e
      _ = sink
      exporter = e
    }
    if let schema {
      exporter.schema = schema
      exporter.feedsSchema = false
      fileNames = archive.files.map(\.name)
      storedDDL = try archive.files.flatMap { f in
        try f.index.ddlStatements.map {
          StoredDDL(
            position: BinlogPosition(file: f.name, offset: $0.offset), timestamp: $0.timestamp,
            database: $0.database, sql: Array($0.sql.utf8))
        }
      }
      ddlCursor = 0
    }
    try archive.forEachCandidate(filter) { fileIndex, record in
      stats.candidates += 1
      if fileIndex != openFile {
        if let input { account(input) }
        input = try BinlogInput(path: archive.files[fileIndex].path, options: readerOptions)
        openFile = fileIndex
        openName = archive.files[fileIndex].name
        openOriginalName = BinlogDirectory.originalName(archive.files[fileIndex].path)
      }
      guard let src = input else { return }
      // Pass 1 (only when filters look inside the transaction): does anything match?
      if filter.hasRowFilters && !rowGranularity {
        if !(try transactionMatches(src, record)) { return }
      }
      try emit(src, record, exporter: exporter)
    }
    if let input { account(input) }
    if case .text(let sink, _) = output { try sink.flush() }
    return stats
  }

  /// One walker per open file, reused from transaction to transaction: its table-map cache
  /// saves re-parsing the same Table_map events in every transaction.
  private var cachedWalker: BinlogWalker<BinlogInput>?

  private func account(_ input: BinlogInput) {
    stats.bytesDecoded += input.bytesTouched
    if let f = input.archiveFrames {
      stats.framesTotal += f.total
      stats.framesDecompressed += f.touched
    }
  }

  /// Brings the schema to `record`'s start: the stored DDL before it, not yet applied.
  private func advanceSchema(to record: TransactionRecord, in src: BinlogInput) {
    guard let schema, ddlCursor < storedDDL.count else { return }
    let name = openOriginalName
    ddlCursor += schema.replay(
      storedDDL[ddlCursor...], before: BinlogPosition(file: name, offset: record.start), fileOrder: fileNames)
  }

  /// Steps over the stored DDL inside `record` (its events were fed to the schema as read).
  private func skipSchema(past record: TransactionRecord, in src: BinlogInput) {
    guard schema != nil, ddlCursor < storedDDL.count else { return }
    let name = openOriginalName
    while ddlCursor < storedDDL.count, storedDDL[ddlCursor].position.file == name,
      storedDDL[ddlCursor].position.offset < record.end
    {
      ddlCursor += 1
    }
  }

  /// Runs `body` with a walker over `record`'s byte range.
  private func withWalker(
    _ src: BinlogInput, _ record: TransactionRecord, _ body: (inout BinlogWalker<BinlogInput>) throws -> Void
  ) throws {
    advanceSchema(to: record, in: src)
    try src.seek(to: record.start)
    if let schema, adoptedPath != src.path {
      // The schema needs the file's server flavor and version before its events.
      schema.adopt(src.format)
      adoptedPath = src.path
    }
    var w: BinlogWalker<BinlogInput>
    if let c = cachedWalker, c.source === src {
      w = c
      cachedWalker = nil  // keep the walker's storage uniquely referenced
    } else {
      w = BinlogWalker(source: src)
    }
    w.resetTransaction()
    w.stopOffset = record.end
    defer { cachedWalker = w }
    try body(&w)
  }

  /// True when some row or statement of the transaction passes the row-level filters.
  private func transactionMatches(_ src: BinlogInput, _ record: TransactionRecord) throws -> Bool {
    var found = false
    try withWalker(src, record) { w in
      try w.run { w, ev in
        if found { return }
        // Table maps only: the transaction's DDL is applied once, when it is emitted.
        if case .tableMap = ev.body { schema?.consume(ev, file: w.fileName) }
        if eventMatches(ev, w) { found = true }
      }
    }
    return found
  }

  /// Row-level test of one event (rows events: any row; queries: DDL type and database).
  private func eventMatches(_ ev: WalkedEvent, _ w: BinlogWalker<BinlogInput>) -> Bool {
    switch ev.body {
    case .rows(let rows):
      guard let map = schema?.tableMap(rows.tableID) ?? w.tableMaps[rows.tableID] else { return false }
      guard filter.matchesTable(database: map.database, table: map.table) else { return false }
      if !filter.types.isEmpty {
        let t: ChangeType = rows.kind == .write ? .insert : rows.kind == .update ? .update : .delete
        if !filter.types.contains(t) { return false }
      }
      if filter.primaryKey.isEmpty { return true }
      guard var d = try? RowDecoder(event: rows, table: map) else { return false }
      while (try? d.next()) == true {
        if rowMatchesKey(d, map) { return true }
      }
      return false
    case .query(let q):
      return queryMatches(q)
    default:
      return false
    }
  }

  func queryMatches(_ q: QueryEvent) -> Bool {
    switch QueryKind.classify(q.queryBytes) {
    case .begin, .commit, .rollback: return false
    default: break
    }
    let ddl = StatementKind.isDDL(q.queryBytes)
    if !filter.primaryKey.isEmpty { return false }
    if !filter.types.isEmpty && !(ddl && filter.types.contains(.ddl)) { return false }
    if !filter.databases.isEmpty && !filter.databases.contains(where: { Glob.match($0, q.database) }) { return false }
    if !filter.tables.isEmpty {
      // A statement matches a table pattern when it names that table (approximate for DDL).
      let text = String(decoding: q.queryBytes.filter { $0 != 0x60 }, as: UTF8.self)
      return filter.tables.contains { p in
        (p.database == nil || Glob.match(p.database!, q.database) || text.contains(p.database! + "."))
          && (p.table.contains("*") || p.table.contains("?") || text.contains(p.table))
      }
    }
    return true
  }

  /// `--pk col=value,...`: every named column equals its value in the before or after image.
  func rowMatchesKey(_ d: RowDecoder, _ map: TableMapEvent) -> Bool {
    func image(_ values: [ColumnValue]) -> Bool {
      for (col, want) in filter.primaryKey {
        guard let i = columnIndex(col, map), i < values.count else { return false }
        let v = values[i]
        if v.isAbsent { return false }
        var out: [UInt8] = []
        do { try NDJSONValue.append(v, column: map.columns[i], zone: .utc, into: &out) } catch { return false }
        var text = String(decoding: out, as: UTF8.self)
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        if text != want { return false }
      }
      return true
    }
    return image(d.before) || image(d.after)
  }

  func columnIndex(_ name: String, _ map: TableMapEvent) -> Int? {
    if name.hasPrefix("@"), let n = Int(name.dropFirst()), n >= 1 { return n - 1 }
    return map.columns.firstIndex { $0.name == name }
  }

  private func emit(_ src: BinlogInput, _ record: TransactionRecord, exporter: NDJSONExporter) throws {
    try withWalker(src, record) { w in try emit(&w, record, exporter: exporter) }
    skipSchema(past: record, in: src)
  }

  private func emit(_ w: inout BinlogWalker<BinlogInput>, _ record: TransactionRecord, exporter: NDJSONExporter) throws {
    let textMode: OutputSink? = { if case .text(let s, _) = output { return s } else { return nil } }()
    var wroteHeader = false
    let before = exporter.rowsWritten + exporter.statementsWritten
    try w.run { w, ev in
      schema?.consume(ev, file: w.fileName)
      if rowGranularity {
        if filter.hasRowFilters && !eventMatches(ev, w) { return }
        if case .rows = ev.body, !filter.primaryKey.isEmpty {
          exporter.rowFilter = { [self] d, map in rowMatchesKey(d, map) }
        } else {
          exporter.rowFilter = nil
        }
      } else {
        exporter.rowFilter = nil
      }
      if let sink = textMode, !wroteHeader {
        sink.write(TransactionText.header(record, file: openName))
        wroteHeader = true
      }
      try exporter.consume(ev, walker: w)
      if let sink = textMode {
        let captured = exporter.sink
        try captured.flush()
        captured.drainCaptured { TransactionText.indent($0, into: sink) }
        try sink.maybeFlush()
      }
    }
    exporter.rowFilter = nil
    let written = exporter.rowsWritten + exporter.statementsWritten - before
    if written > 0 || !rowGranularity { stats.transactions += 1 }
    stats.rows = exporter.rowsWritten
  }
}

/// The text form of `query` output: a header per transaction, then its changes.
public enum TransactionText {
  /// Appends each non-empty line of `lines`, indented by two spaces.
  static func indent(_ lines: UnsafeRawBufferPointer, into sink: OutputSink) {
    do {
      let b = lines.bindMemory(to: UInt8.self)
      guard let base = b.baseAddress else { return }
      let n = b.count
      var start = 0
      while start < n {
        var nl = n
        if let p = memchr(base + start, 0x0A, n - start) {
          nl = UnsafePointer<UInt8>(p.assumingMemoryBound(to: UInt8.self)) - base
        }
        if nl > start {
          sink.buffer.append(0x20)
          sink.buffer.append(0x20)
          sink.buffer.append(contentsOf: UnsafeBufferPointer(start: base + start, count: nl - start))
          sink.buffer.append(0x0A)
        }
        start = nl + 1
      }
    }
  }

  public static func header(_ t: TransactionRecord, file: String) -> String {
    var s = "# \(file):\(t.start)-\(t.end)"
    var out: [UInt8] = []
    TemporalText.appendTimestampISO(
      seconds: Int64(t.commitMicros / 1_000_000), micros: Int(t.commitMicros % 1_000_000), fsp: t.commitMicros % 1_000_000 == 0 ? 0 : 6,
      zone: .utc, into: &out)
    s += " commit \(String(decoding: out, as: UTF8.self))"
    if let g = t.gtid { s += " gtid \(g)" }
    if let x = t.xid { s += " xid \(x)" }
    if let th = t.threadID { s += " thread \(th)" }
    s += " server \(t.serverID)"
    let rows = t.rowCount
    if rows > 0 { s += " rows \(rows)" }
    return s + "\n"
  }
}
