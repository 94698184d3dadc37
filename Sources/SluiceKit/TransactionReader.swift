import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogQuery
import BinlogSchema
import Exporters

/// Walks a `Binlog` file by file and hands out its transactions with their decoded changes.
///
/// Every event goes to the schema (so DDL replay sees all DDL, whatever the filter); the
/// transaction-level filters are the index's (`IndexedBinlogs.forEachCandidate`, as `sluice query`),
/// the row-level ones `QueryFilter`'s. Transactions are grouped as the NDJSON export groups its
/// lines (by the walker's transaction start), so numbers match `export --stable`'s `tx`.
struct TransactionReader {
  let binlog: Binlog
  let filter: BinlogFilter
  let schema: SchemaTracker?
  /// Transactions seen that hold changes (filtered or not).
  private var number = 0
  private var current: Transaction?
  private var currentStart: UInt64?
  private var currentMatched = false
  /// The text of one value, reused.
  private var text: [UInt8] = []

  init(binlog: Binlog, filter: BinlogFilter, schema: SchemaTracker?) {
    self.binlog = binlog
    self.filter = filter
    self.schema = schema
  }

  mutating func run(_ body: (Transaction) throws -> Void) throws {
    let archive = binlog.archive
    var candidates = [[TransactionRecord]](repeating: [], count: archive.files.count)
    try archive.forEachCandidate(filter.query) { i, t in candidates[i].append(t) }
    for (i, file) in archive.files.enumerated() {
      let input = try BinlogInput(path: file.path, options: binlog.readerOptions)
      var walker = BinlogWalker(source: input)
      let records = candidates[i]
      var next = 0
      try walker.run { w, ev in
        schema?.consume(ev, file: w.fileName)
        guard isChange(ev) else { return }
        let start = w.transaction.startOffset
        if start != currentStart {
          try finish(body)
          currentStart = start
          number += 1
        }
        // The candidate transaction that holds this event, if any.
        let at = ev.raw.offset
        while next < records.count && records[next].end <= at { next += 1 }
        guard next < records.count, records[next].start <= at else { return }
        if current == nil { current = transaction(records[next], file: file.name) }
        try read(ev, w, file: file.name)
      }
      try finish(body)
      currentStart = nil
    }
  }

  /// Rows events and statements other than BEGIN/COMMIT/ROLLBACK: what becomes a change.
  private func isChange(_ ev: WalkedEvent) -> Bool {
    switch ev.body {
    case .rows: return true
    case .query(let q):
      switch QueryKind.classify(q.queryBytes) {
      case .begin, .commit, .rollback: return false
      default: return true
      }
    default: return false
    }
  }

  private func transaction(_ r: TransactionRecord, file: String) -> Transaction {
    var t = Transaction(number: number, location: Location(file: file, offset: r.start))
    t.end = r.end
    t.gtid = r.gtid?.description
    t.xid = r.xid
    t.serverID = r.serverID
    t.threadID = r.threadID
    t.commitMicros = r.commitMicros
    return t
  }

  private mutating func finish(_ body: (Transaction) throws -> Void) throws {
    defer {
      current = nil
      currentMatched = false
    }
    guard let t = current, currentMatched else { return }
    try body(t)
  }

  private mutating func add(_ change: Change, matches: Bool) {
    if matches || filter.wholeTransactions { current?.changes.append(change) }
    if matches { currentMatched = true }
  }

  private mutating func read<S: EventSource>(_ ev: WalkedEvent, _ w: BinlogWalker<S>, file: String) throws {
    let location = Location(file: file, offset: ev.raw.offset)
    let query = filter.query
    switch ev.body {
    case .query(let q):
      let sql = q.queryBytes.withUnsafeBytes { raw -> String in
        if Charset.isValidUTF8(raw) { return String(decoding: raw, as: UTF8.self) }
        var utf8: [UInt8] = []
        _ = Charset.latin1.appendUTF8(raw, into: &utf8)
        return String(decoding: utf8, as: UTF8.self)
      }
      let s = Statement(database: q.database, sql: sql, isDDL: StatementKind.isDDL(q.queryBytes), location: location)
      add(.statement(s), matches: query.admitsStatement(database: q.database, sql: q.queryBytes))
    case .rows(let rows):
      guard let map = schema?.tableMap(rows.tableID) ?? w.tableMaps[rows.tableID] else {
        throw BinlogError(
          .malformed, "rows event for table id \(rows.tableID) has no preceding Table_map",
          file: file, offset: ev.raw.offset, eventType: ev.raw.type)
      }
      let kind: RowChange.Kind = rows.kind == .write ? .insert : rows.kind == .update ? .update : .delete
      let tableMatches =
        query.matchesTable(database: map.database, table: map.table)
        && query.admitsRow(kind == .insert ? .insert : kind == .update ? .update : .delete)
      if !tableMatches && !filter.wholeTransactions { return }
      let names = map.columns.indices.map { map.columns[$0].name ?? "@\($0 + 1)" }
      let key = map.primaryKey.map { names[$0] }
      do {
        var d = try RowDecoder(event: rows, table: map)
        while try d.next() {
          let before = kind == .insert ? nil : try image(d.before, before: d.before, map, names)
          let after = kind == .delete ? nil : try image(d.after, before: d.before, map, names)
          let keyMatches =
            query.primaryKey.isEmpty
            || [before, after].contains { img in img.map { r in query.keyMatches { r[$0]?.keyText } } ?? false }
          let change = RowChange(
            kind: kind, database: map.database, table: map.table, primaryKey: key, before: before, after: after,
            location: location)
          add(.row(change), matches: tableMatches && keyMatches)
        }
      } catch let e as BinlogError {
        throw e.with(file: file, offset: ev.raw.offset, eventType: ev.raw.type)
      }
    default:
      return
    }
  }

  /// One row image: the present columns, each value as the NDJSON export writes it.
  private mutating func image(
    _ values: [ColumnValue], before: [ColumnValue], _ map: TableMapEvent, _ names: [String]
  ) throws -> Row {
    var columns: [Row.Column] = []
    columns.reserveCapacity(values.count)
    for (i, v) in values.enumerated() {
      let value: Value
      switch v {
      case .absent: continue
      case .null: value = .null
      case .int(let x): value = .int(x)
      case .uint(let x): value = Int64(exactly: x).map(Value.int) ?? .uint(x)
      case .jsonDiff(let diffBytes):
        // A partial JSON update: the after document is the before one with the diff applied.
        guard case .json(let beforeDoc) = before[i] else {
          throw BinlogError(.malformed, "partial JSON update of \(names[i]) without its before image")
        }
        let doc = try JSONDiffCodec.apply(try JSONDiffCodec.parseBody(diffBytes), to: try JSONBinary.decode(beforeDoc))
        value = try parse(Array(doc.compactJSON.utf8))
      default:
        text.removeAll(keepingCapacity: true)
        try NDJSONValue.append(v, column: map.columns[i], zone: binlog.zone, into: &text)
        value = try parse(text)
      }
      columns.append(Row.Column(name: names[i], value: value))
    }
    return Row(columns)
  }

  private func parse(_ text: [UInt8]) throws -> Value {
    do {
      return Value(try TabularText.parseJSON(text))
    } catch {
      throw BinlogError(.malformed, "value text \(String(decoding: text, as: UTF8.self)) does not parse: \(error)")
    }
  }
}
