import BinlogFormat
import BinlogIndex
import BinlogQuery

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
    try archive.forEachCandidate(filter) { fileIndex, record in
      stats.candidates += 1
      if fileIndex != openFile {
        if let input { stats.bytesDecoded += input.bytesTouched }
        input = try BinlogInput(path: archive.files[fileIndex].path, options: readerOptions)
        openFile = fileIndex
      }
      guard let src = input else { return }
      // Pass 1 (only when filters look inside the transaction): does anything match?
      if filter.hasRowFilters && !rowGranularity {
        if !(try transactionMatches(src, record)) { return }
      }
      try emit(src, record, exporter: exporter)
    }
    if let input { stats.bytesDecoded += input.bytesTouched }
    if case .text(let sink, _) = output { try sink.flush() }
    return stats
  }

  private func walker(_ src: BinlogInput, _ record: TransactionRecord) throws -> BinlogWalker<BinlogInput> {
    try src.seek(to: record.start)
    var w = BinlogWalker(source: src)
    w.stopOffset = record.end
    return w
  }

  /// True when some row or statement of the transaction passes the row-level filters.
  private func transactionMatches(_ src: BinlogInput, _ record: TransactionRecord) throws -> Bool {
    var w = try walker(src, record)
    var found = false
    try w.run { w, ev in
      if found { return }
      if eventMatches(ev, w) { found = true }
    }
    return found
  }

  /// Row-level test of one event (rows events: any row; queries: DDL type and database).
  private func eventMatches(_ ev: WalkedEvent, _ w: BinlogWalker<BinlogInput>) -> Bool {
    switch ev.body {
    case .rows(let rows):
      guard let map = w.tableMaps[rows.tableID] else { return false }
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
    var w = try walker(src, record)
    let textMode: OutputSink? = { if case .text(let s, _) = output { return s } else { return nil } }()
    var wroteHeader = false
    let before = exporter.rowsWritten + exporter.statementsWritten
    try w.run { w, ev in
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
        sink.write(TransactionText.header(record, file: archive.files.first { $0.path == src.path }?.name ?? src.path))
        wroteHeader = true
      }
      try exporter.consume(ev, walker: w)
      if let sink = textMode {
        try exporter.sink.flush()
        for line in exporter.sink.takeCaptured().split(separator: 0x0A) {
          sink.write("  ")
          sink.buffer.append(contentsOf: line)
          sink.write("\n")
        }
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
