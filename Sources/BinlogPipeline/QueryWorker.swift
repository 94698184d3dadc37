import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogQuery
import BinlogSchema
import Exporters

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Decodes candidate transactions of a query and writes the matching ones to its sink: the part
/// of `QueryRunner` that one thread does. A worker can jump forward over transactions other
/// workers write: it brings its schema to each transaction it reads from the DDL the indexes
/// stored, so its output does not depend on which transactions it saw before.
final class QueryWorker {
  let archive: IndexedBinlogs
  let filter: QueryFilter
  let rowGranularity: Bool
  let text: Bool
  let readerOptions: ReaderOptions
  let sink: OutputSink
  let exporter: NDJSONExporter
  /// `--format binlog`: the transactions' bytes, copied (no exporter).
  private let cut: BinlogCut?
  /// `.events`: the exporter the transactions' events go to instead of `exporter`.
  private let events: EventConsumer?
  /// Tables whose columns were checked against `--pk` (by database, table and column count).
  private var keyTablesChecked: Set<String> = []
  private(set) var stats = QueryRunner.Stats()
  private let schema: SchemaTracker?
  private let storedDDL: [StoredDDL]
  private var ddlCursor = 0
  private let fileNames: [String]
  private var input: BinlogInput?
  private var openFile = -1
  /// The open file's name in the output, and the binlog's own name (an archive's original).
  private var openName = ""
  private var openOriginalName = ""
  private var adoptedPath = ""
  /// One walker per open file, reused from transaction to transaction: its table-map cache
  /// saves re-parsing the same Table_map events in every transaction.
  private var cachedWalker: BinlogWalker<BinlogInput>?

  init(
    archive: IndexedBinlogs, filter: QueryFilter, rowGranularity: Bool, format: QueryRunner.Format, options: ExportOptions,
    readerOptions: ReaderOptions, sink: OutputSink, schema: SchemaTracker?, storedDDL: [StoredDDL],
    events: EventConsumer? = nil
  ) {
    self.events = events
    self.archive = archive
    self.filter = filter
    self.rowGranularity = rowGranularity
    text = format == .text
    cut = format == .binlog ? BinlogCut(sink: sink) : nil
    self.readerOptions = readerOptions
    self.sink = sink
    self.schema = schema
    self.storedDDL = storedDDL
    fileNames = archive.files.map(\.name)
    exporter = NDJSONExporter(sink: sink, options: options)
    if text { exporter.linePrefix = [0x20, 0x20] }
    if let schema {
      exporter.schema = schema
      exporter.feedsSchema = false
    }
  }

  /// Reads one candidate transaction and writes it when it matches.
  func process(_ fileIndex: Int, _ record: TransactionRecord) throws {
    stats.candidates += 1
    if fileIndex != openFile {
      if let input { account(input) }
      input = nil
      cachedWalker = nil
      input = try BinlogInput(path: archive.files[fileIndex].path, options: readerOptions)
      openFile = fileIndex
      openName = archive.files[fileIndex].name
      openOriginalName = originalBinlogName(archive.files[fileIndex].path)
    }
    guard let src = input else { return }
    // Pass 1 (only when filters look inside the transaction): does anything match?
    if filter.hasRowFilters && !rowGranularity {
      if !(try transactionMatches(src, record)) { return }
    }
    if let cut {
      advanceSchema(to: record)
      do {
        try cut.copy(src, record)
      } catch {
        // The transactions before the damaged one are written before the error is reported.
        try? cut.flush()
        throw error
      }
      skipSchema(past: record)
      stats.transactions += 1
      stats.rows += record.rowCount
      return
    }
    try withWalker(src, record) { w in try emit(&w, record) }
    skipSchema(past: record)
  }

  /// Writes what the worker still holds back (a binlog cut's last range); call after the last
  /// `process` when the output is to be complete.
  func complete() throws {
    try events?.finish()
    guard let cut else { return }
    try cut.flush()
    if cut.isEmpty, let first = archive.files.first {
      try cut.writeEmpty(from: try BinlogInput(path: first.path, options: readerOptions))
    }
  }

  /// Adds the open file's reads to the stats; call once after the last `process`.
  func finish() {
    if let input { account(input) }
    input = nil
    openFile = -1
    cachedWalker = nil
    if cut == nil && events == nil { stats.rows = exporter.rowsWritten }
  }

  private func account(_ input: BinlogInput) {
    stats.bytesDecoded += input.bytesTouched
    if let f = input.archiveFrames {
      stats.framesTotal += f.total
      stats.framesDecompressed += f.touched
    }
  }

  /// Brings the schema to `record`'s start: the stored DDL before it, not yet applied.
  private func advanceSchema(to record: TransactionRecord) {
    guard let schema, ddlCursor < storedDDL.count else { return }
    let name = openOriginalName
    // Nothing to apply while the next stored statement is at or after the record (most calls).
    let next = storedDDL[ddlCursor].position
    if next.file == name && next.offset >= record.start { return }
    ddlCursor += schema.replay(
      storedDDL[ddlCursor...], before: BinlogPosition(file: name, offset: record.start), fileOrder: fileNames)
  }

  /// Steps over the stored DDL inside `record` (its events were fed to the schema as read).
  private func skipSchema(past record: TransactionRecord) {
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
    advanceSchema(to: record)
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
    checkKeyColumns(map)
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

  /// Once per table: notes (in `stats.keyProblems`) a `--pk` column the table does not have, or
  /// a value the column's type cannot hold, so an empty result can say why.
  private func checkKeyColumns(_ map: TableMapEvent) {
    let key = "\(map.database).\(map.table)/\(map.columns.count)"
    guard keyTablesChecked.insert(key).inserted else { return }
    for (col, want) in filter.primaryKey {
      let table = "\(map.database).\(map.table)"
      guard let i = columnIndex(col, map), i < map.columns.count else {
        if !col.hasPrefix("@") && !map.columns.contains(where: { $0.name != nil }) {
          stats.keyProblems.append(
            "--pk \(col)=\(want) cannot match in \(table): the binlog has no column names there (give --schema, or name the column @N)"
          )
        } else {
          stats.keyProblems.append(
            "--pk \(col)=\(want) cannot match in \(table): the table has no column \(col) (it has \(map.columns.count) columns)")
        }
        continue
      }
      let c = map.columns[i]
      if c.type.isNumeric && Double(want) == nil {
        stats.keyProblems.append(
          "--pk \(col)=\(want) cannot match in \(table): column \(col) holds numbers and '\(want)' is not one")
      }
    }
  }

  func columnIndex(_ name: String, _ map: TableMapEvent) -> Int? {
    if name.hasPrefix("@"), let n = Int(name.dropFirst()), n >= 1 { return n - 1 }
    return map.columns.firstIndex { $0.name == name }
  }

  private func emit(_ w: inout BinlogWalker<BinlogInput>, _ record: TransactionRecord) throws {
    if let events { return try emit(&w, record, to: events) }
    var wroteHeader = false
    let before = exporter.rowsWritten + exporter.statementsWritten
    let keyFilter: ((RowDecoder, TableMapEvent) -> Bool)? =
      rowGranularity && !filter.primaryKey.isEmpty ? { [self] d, map in rowMatchesKey(d, map) } : nil
    try w.run { w, ev in
      schema?.consume(ev, file: w.fileName)
      if rowGranularity {
        if filter.hasRowFilters && !eventMatches(ev, w) { return }
        if case .rows = ev.body { exporter.rowFilter = keyFilter } else { exporter.rowFilter = nil }
      }
      if text && !wroteHeader {
        sink.withText { TransactionText.appendHeader(record, file: openName, into: &$0) }
        wroteHeader = true
      }
      try exporter.consume(ev, walker: w)
    }
    exporter.rowFilter = nil
    let written = exporter.rowsWritten + exporter.statementsWritten - before
    if written > 0 || !rowGranularity { stats.transactions += 1 }
  }
}

extension QueryWorker {
  /// `.events`: the transaction's events to the exporter; with `--rows`, only its matching rows
  /// and statements (BEGIN left out, so a transaction without a match writes nothing).
  fileprivate func emit(_ w: inout BinlogWalker<BinlogInput>, _ record: TransactionRecord, to events: EventConsumer) throws {
    let sql = events as? SQLExporter
    if rowGranularity && !filter.primaryKey.isEmpty {
      sql?.rowFilter = { [self] d, map in rowMatchesKey(d, map) }
    }
    defer { sql?.rowFilter = nil }
    var any = !rowGranularity
    try w.run { w, ev in
      schema?.consume(ev, file: w.fileName)
      if rowGranularity && filter.hasRowFilters {
        switch ev.body {
        case .rows, .query:
          if !eventMatches(ev, w) { return }
          any = true
        default: break
        }
      } else if rowGranularity {
        any = true
      }
      try events.consume(ev, walker: w)
    }
    if any {
      stats.transactions += 1
      stats.rows += record.rowCount
    }
  }
}

/// The text form of `query` output: a header per transaction, then its changes.
public enum TransactionText {
  /// `# FILE:START-END commit TIME [gtid G] [xid X] [thread T] server S [rows N]` and a newline.
  public static func appendHeader<O: ByteAppender>(_ t: TransactionRecord, file: String, into out: inout O) {
    JSONWriter.appendRaw("# ", into: &out)
    appendText(file, into: &out)
    out.append(0x3A)
    JSONWriter.appendUInt(t.start, into: &out)
    out.append(0x2D)
    JSONWriter.appendUInt(t.end, into: &out)
    JSONWriter.appendRaw(" commit ", into: &out)
    TemporalText.appendTimestampISO(
      seconds: Int64(t.commitMicros / 1_000_000), micros: Int(t.commitMicros % 1_000_000),
      fsp: t.commitMicros % 1_000_000 == 0 ? 0 : 6, zone: .utc, into: &out)
    switch t.gtid {
    case .mariadb(let g)?:
      // Digits straight into the output: one String per transaction was ~2% of a narrow window.
      JSONWriter.appendRaw(" gtid ", into: &out)
      JSONWriter.appendUInt(UInt64(g.domain), into: &out)
      out.append(0x2D)
      JSONWriter.appendUInt(UInt64(g.server), into: &out)
      out.append(0x2D)
      JSONWriter.appendUInt(g.seq, into: &out)
    case .mysql(let g)?:
      JSONWriter.appendRaw(" gtid ", into: &out)
      appendText(g.description, into: &out)
    case nil: break
    }
    if let x = t.xid {
      JSONWriter.appendRaw(" xid ", into: &out)
      JSONWriter.appendUInt(x, into: &out)
    }
    if let th = t.threadID {
      JSONWriter.appendRaw(" thread ", into: &out)
      JSONWriter.appendUInt(UInt64(th), into: &out)
    }
    JSONWriter.appendRaw(" server ", into: &out)
    JSONWriter.appendUInt(UInt64(t.serverID), into: &out)
    let rows = t.rowCount
    if rows > 0 {
      JSONWriter.appendRaw(" rows ", into: &out)
      JSONWriter.appendUInt(UInt64(rows), into: &out)
    }
    out.append(0x0A)
  }

  private static func appendText<O: ByteAppender>(_ s: String, into out: inout O) {
    var s = s
    s.withUTF8 { out.append(contentsOf: UnsafeRawBufferPointer($0)) }
  }

  public static func header(_ t: TransactionRecord, file: String) -> String {
    var out: [UInt8] = []
    appendHeader(t, file: file, into: &out)
    return String(decoding: out, as: UTF8.self)
  }
}
