import BinlogFormat
import BinlogSchema

#if canImport(Glibc)
  import Glibc
#endif

/// Writes row changes as SQL statements that replay them (`--format sql`) or undo them
/// (`--flashback`), one `BEGIN; … COMMIT;` block per transaction.
///
/// Rows become `INSERT`/`UPDATE … LIMIT 1`/`DELETE … LIMIT 1` on `` `db`.`table` ``; updates
/// and deletes find their row by the primary key when the table has one, else by every column
/// (FLOAT/DOUBLE/JSON/geometry left out: their equality is not exact). DDL and other statements
/// are written as they are (forward only; a flashback skips them with a comment). A flashback
/// is written newest transaction first, rows in reverse, with before and after images swapped;
/// it is spooled to an unlinked temporary file so memory stays flat.
public final class SQLExporter {
  public struct Options: Sendable {
    /// Undo instead of replay.
    public var flashback = false
    /// Write DDL and other statements (forward only).
    public var includeQueries = true
    public init() {}
  }

  public let sink: OutputSink
  public let options: Options
  /// Offline schema (DDL replay, `--schema` dumps) for binlogs without column names.
  public var schema: SchemaTracker?
  /// Whether `consume` feeds events to `schema` (off when the caller feeds it, as `query` does).
  public var feedsSchema = true
  /// When set, only rows for which it returns true are written (query `--rows --pk`).
  public var rowFilter: ((RowDecoder, TableMapEvent) -> Bool)?
  /// Called once per table that cannot be written exactly, and for each value without an exact
  /// literal.
  public var onWarning: ((String) -> Void)?
  public private(set) var rowsWritten: UInt64 = 0
  /// Rows that could not be written (no column names for an UPDATE/DELETE, no exact literal).
  public private(set) var rowsSkipped: UInt64 = 0
  /// Where the first skipped row is (file as read, event offset), for the one-line warning.
  public private(set) var firstSkippedRow: (file: String, offset: UInt64)?
  /// Flashback: statement-logged changes (INSERT, UPDATE, DELETE, REPLACE, LOAD DATA written as
  /// statements), which carry no row images to undo them from, and where the first one is.
  public private(set) var statementsNotUndone: UInt64 = 0
  public private(set) var firstStatementNotUndone: (file: String, offset: UInt64)?

  /// The one-line warning when the SQL written is not the whole answer (rows without an exact
  /// statement, statement-logged changes a flashback cannot undo), else nil: the run then ends
  /// with exit code 2.
  public var incompleteOutputWarning: String? {
    var parts: [String] = []
    if rowsSkipped > 0 {
      let at = firstSkippedRow.map { ", the first at \($0.file): at offset \($0.offset)" } ?? ""
      parts.append("\(rowsSkipped) row(s) could not be written as SQL (see the comments in the output\(at))")
    }
    if statementsNotUndone > 0 {
      let at = firstStatementNotUndone.map { ", the first at \($0.file): at offset \($0.offset)" } ?? ""
      parts.append(
        "\(statementsNotUndone) statement-logged change(s) could not be undone: the binlog holds the statement, "
          + "not the rows it changed (marked \"-- not undone\" in the output\(at))")
    }
    return parts.isEmpty ? nil : parts.joined(separator: "; ")
  }

  /// Whether a statement's text starts with a data-changing verb (statement-based DML).
  static func isDataChange(_ text: String) -> Bool {
    var words = text.utf8.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0x28 }
    words = words.prefix { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }
    switch String(decoding: words.map { $0 & 0xDF }, as: UTF8.self) {
    case "INSERT", "UPDATE", "DELETE", "REPLACE", "LOAD": return true
    default: return false
    }
  }

  private var open = false
  /// The XA id of the transaction about to start (MariaDB: from its GTID event), as SQL text.
  private var pendingXA: String?
  /// The open transaction is an XA branch: it ends with XA PREPARE, not COMMIT.
  private var xaOpen: String?
  private var openFile = ""
  private var openStart: UInt64 = 0
  private var header: [UInt8] = []
  private var currentDatabase: String?
  private var warnedTables: Set<String> = []
  private var spool: Spool?
  private var scratch: [UInt8] = []
  /// A JSON value's text before it is quoted (`SQLValue.append`).
  private var valueScratch: [UInt8] = []
  /// The columns a WHERE finds the row by (`appendWhere`).
  private var keyColumns: [Int] = []

  public init(sink: OutputSink, options: Options = Options()) throws {
    self.sink = sink
    self.options = options
    if options.flashback { spool = try Spool() }
    var out = sink.buffer
    SQLValue.appendRaw(
      "-- sluice \(options.flashback ? "flashback" : "replay") SQL\n"
        + "SET NAMES utf8mb4;\nSET SESSION time_zone = '+00:00';\n"
        // Non-strict, zero dates allowed, and an explicit 0 in an AUTO_INCREMENT column kept.
        + "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO';\n",
      into: &out)
    sink.buffer = out
  }

  /// Handles one walked event.
  public func consume<S: EventSource>(_ ev: WalkedEvent, walker: BinlogWalker<S>) throws {
    if feedsSchema { schema?.consume(ev, file: walker.fileName) }
    switch ev.body {
    case .rows(let rows):
      try startTransaction(ev, walker)
      try writeRows(ev, rows, walker)
    case .query(let q):
      switch QueryKind.classify(q.queryBytes) {
      case .begin:
        try startTransaction(ev, walker)
      case .commit, .xaPrepare:
        try endTransaction(commit: true)
      case .rollback:
        try endTransaction(commit: false)
      case .xaStart where !options.flashback:
        // MySQL writes XA START as a statement: it opens the block instead of BEGIN.
        try startTransaction(ev, walker, explicit: false)
        xaOpen = ""
        emit(String(decoding: q.queryBytes, as: UTF8.self) + ";\n")
      case .xaEnd:
        if !options.flashback { emit(String(decoding: q.queryBytes, as: UTF8.self) + ";\n") }
      case .xaRollback where options.flashback:
        // The prepared branch never happened: leave it out of the flashback.
        let text = String(decoding: q.queryBytes, as: UTF8.self)
        spool?.discard(xa: Self.xaID(afterKeyword: text))
      default:
        guard options.includeQueries else { break }
        let text = String(decoding: q.queryBytes, as: UTF8.self)
        if options.flashback {
          try startTransaction(ev, walker)
          if Self.isDataChange(text) {
            statementsNotUndone += 1
            if firstStatementNotUndone == nil { firstStatementNotUndone = (walker.fileName, ev.raw.offset) }
          }
          emit("-- not undone: " + String(text.prefix(200).map { $0 == "\n" ? " " : $0 }) + "\n")
        } else {
          let standalone = !walker.transaction.open
          try startTransaction(ev, walker, explicit: !standalone)
          setSessionCharsets(of: q)
          // CREATE/DROP DATABASE carry the database itself as their default database; a USE
          // of it would fail before it exists (or after it is gone).
          if currentDatabase != q.database && !q.database.isEmpty && !Self.isDatabaseStatement(q.queryBytes) {
            scratch.removeAll(keepingCapacity: true)
            SQLValue.appendRaw("USE ", into: &scratch)
            SQLValue.appendIdentifier(q.database, into: &scratch)
            SQLValue.appendRaw(";\n", into: &scratch)
            emit(scratch)
            currentDatabase = q.database
          }
          // The statement's own bytes, in the client charset set above (not re-encoded).
          var body = q.queryBytes[...]
          while let last = body.last, last == 0x3B || last == 0x20 || last == 0x0A { body = body.dropLast() }
          if Self.createsTrigger(q.queryBytes) {
            // Row events already carry what the trigger did; a replayed trigger would do it twice.
            emit(
              "-- trigger not created (its effects are in the row events): "
                + String(Substring(text).prefix(120).map { $0 == "\n" ? " " : $0 }) + "\n")
          } else if body.contains(0x3B) {
            // Routines and triggers hold semicolons: end the statement as mysqlbinlog does.
            emit("DELIMITER /*!*/;\n")
            emit(Array(body))
            emit("\n/*!*/;\nDELIMITER ;\n")
          } else {
            emit(Array(body) + [0x3B, 0x0A])
          }
        }
      }
    case .mariaGTID(let g):
      if g.flags.contains(.preparedXA), let x = g.xid { pendingXA = Self.xaText(x.formatID, x.gtrid, x.bqual) }
    case .xaPrepare(let p):
      let id = Self.xaText(p.formatID, p.gtrid, p.bqual)
      if open, !options.flashback {
        emit(p.onePhase ? "XA COMMIT \(id) ONE PHASE;\n" : "XA PREPARE \(id);\n")
      } else if open {
        spool?.tagXA(id)
      }
    case .intvar(let i) where !options.flashback:
      try startTransaction(ev, walker)
      emit("SET \(i.kind == 1 ? "LAST_INSERT_ID" : "INSERT_ID") = \(i.value);\n")
    case .rand(let r) where !options.flashback:
      try startTransaction(ev, walker)
      emit("SET @@RAND_SEED1 = \(r.seed1), @@RAND_SEED2 = \(r.seed2);\n")
    default:
      break
    }
    if open && walker.transaction.ended && !ev.inPayload {
      try endTransaction(commit: true)
    } else if open, ev.inPayload, case .xid = ev.body {
      try endTransaction(commit: true)
    }
  }

  /// Ends what is open and writes the flashback, newest first.
  public func finish() throws {
    try endTransaction(commit: true)
    if let spool {
      try spool.replay(into: sink)
    }
    try sink.maybeFlush()
  }

  /// An XA id as MySQL and MariaDB print it: `X'gtrid',X'bqual',formatID`.
  static func xaText(_ formatID: Int32, _ gtrid: [UInt8], _ bqual: [UInt8]) -> String {
    var out: [UInt8] = []
    gtrid.withUnsafeBytes { SQLValue.appendHex($0, into: &out) }
    out.append(0x2C)
    bqual.withUnsafeBytes { SQLValue.appendHex($0, into: &out) }
    // An empty part prints as '' from appendHex; XA ids write it as X''.
    let text = String(decoding: out, as: UTF8.self).replacing("''", with: "X''")
    return text + "," + String(formatID)
  }

  /// The id in `XA COMMIT id` / `XA ROLLBACK id`, normalized like `xaText`.
  static func xaID(afterKeyword text: String) -> String {
    let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
    guard words.count == 3 else { return text }
    return String(words[2]).replacing(" ", with: "").uppercased()
  }

  /// CREATE [DEFINER=…] TRIGGER.
  static func createsTrigger(_ q: [UInt8]) -> Bool {
    guard StatementKind.firstKeyword(q) == "CREATE" else { return false }
    let upper = String(decoding: q.prefix(300), as: UTF8.self).uppercased()
    guard let t = upper.firstRange(of: " TRIGGER ") else { return false }
    // Before TRIGGER only CREATE, OR REPLACE, DEFINER=… and IF NOT EXISTS may appear.
    return upper[..<t.lowerBound].firstRange(of: " ON ") == nil && upper[..<t.lowerBound].firstRange(of: "(") == nil
  }

  /// MariaDB SEQUENCE tables have these eight columns (their row events are the sequence state).
  static let sequenceColumns = [
    "next_not_cached_value", "minimum_value", "maximum_value", "start_value", "increment", "cache_size",
    "cycle_option", "cycle_count",
  ]

  static func isSequence(_ table: TableMapEvent) -> Bool {
    table.columns.count == sequenceColumns.count && table.columns.map { $0.name ?? "" } == sequenceColumns
  }

  /// CREATE/DROP/ALTER DATABASE or SCHEMA.
  static func isDatabaseStatement(_ q: [UInt8]) -> Bool {
    let first = StatementKind.firstKeyword(q)
    guard first == "CREATE" || first == "DROP" || first == "ALTER" else { return false }
    let upper = String(decoding: q.prefix(512), as: UTF8.self).uppercased()
    guard let r = upper.firstRange(of: first) else { return false }
    let next = upper[r.upperBound...].drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
    return next.hasPrefix("DATABASE") || next.hasPrefix("SCHEMA")
  }

  // MARK: - Transactions

  private func startTransaction<S: EventSource>(_ ev: WalkedEvent, _ walker: BinlogWalker<S>, explicit: Bool = true) throws {
    let start = walker.transaction.startOffset
    if open && (openFile == walker.fileName && openStart == start) { return }
    try endTransaction(commit: true)
    open = true
    openFile = walker.fileName
    openStart = start
    var h = "-- \(binlogBaseName(walker.fileName)):\(start == 0 ? ev.raw.offset : start)"
    h += " " + TemporalText.isoUTC(Int64(ev.raw.header.timestamp))
    if let g = walker.transaction.gtid { h += " GTID \(g.description)" }
    h += "\n"
    header = Array(h.utf8)
    let xa = pendingXA
    pendingXA = nil
    if let spool {
      spool.beginTransaction(header: header)
      if let xa { spool.tagXA(xa) }
    } else {
      emit(header)
      if let xa {
        emit("XA START \(xa);\n")
        xaOpen = xa
      } else if explicit {
        emit("BEGIN;\n")
      }
    }
    explicitOpen = explicit
  }

  private var explicitOpen = true

  /// The session's (character_set_client, collation_connection, collation_server) as the last
  /// statement set them; nil while `SET NAMES utf8mb4` (the row statements' literals) is in force.
  private var sessionCharsets: (UInt16, UInt16, UInt16)?

  /// A statement runs with the charsets its Query event logged, as `mariadb-binlog` replays it:
  /// its text is in the client charset, and collation_server is what CREATE DATABASE without a
  /// charset takes (a replay into a server with other defaults, e.g. latin1, keeps the source's).
  private func setSessionCharsets(of q: QueryEvent) {
    let v = q.statusVars
    guard let client = v.clientCharset, let connection = v.collationConnection, let server = v.collationServer else {
      return
    }
    if let c = sessionCharsets, c == (client, connection, server) { return }
    emit(
      "SET @@session.character_set_client=\(client),@@session.collation_connection=\(connection),"
        + "@@session.collation_server=\(server);\n")
    sessionCharsets = (client, connection, server)
  }

  /// Row statements write their text as utf8mb4 literals.
  private func setNamesForRows() {
    guard sessionCharsets != nil, !options.flashback else { return }
    emit("SET NAMES utf8mb4;\n")
    sessionCharsets = nil
  }

  private func endTransaction(commit: Bool) throws {
    guard open else { return }
    open = false
    if let spool {
      spool.endTransaction()
    } else if xaOpen != nil {
      // Ended by XA PREPARE (or XA COMMIT … ONE PHASE); XA COMMIT/ROLLBACK follows later.
    } else if explicitOpen {
      emit(commit ? "COMMIT;\n" : "ROLLBACK;\n")
    }
    xaOpen = nil
    try sink.maybeFlush()
  }

  /// One statement: straight to the output, or into the flashback spool.
  private func emit(_ s: String) {
    var s = s
    s.withUTF8 { emit(UnsafeRawBufferPointer($0)) }
  }

  private func emit(_ b: [UInt8]) {
    b.withUnsafeBytes { emit($0) }
  }

  private func emit(_ b: UnsafeRawBufferPointer) {
    if let spool {
      spool.append(statement: b)
    } else {
      sink.buffer.append(contentsOf: b)
    }
  }

  // MARK: - Rows

  private func writeRows<S: EventSource>(_ ev: WalkedEvent, _ rows: RowsEvent, _ walker: BinlogWalker<S>) throws {
    guard let table = schema?.tableMap(rows.tableID) ?? walker.tableMaps[rows.tableID] else {
      throw BinlogError(
        .malformed, "rows event for table id \(rows.tableID) has no preceding Table_map",
        file: walker.fileName, offset: ev.raw.offset, eventType: ev.raw.type)
    }
    var d: RowDecoder
    do {
      d = try RowDecoder(event: rows, table: table)
    } catch {
      throw error.with(file: walker.fileName, offset: ev.raw.offset, eventType: ev.raw.type)
    }
    let flashback = options.flashback
    let sequence = Self.isSequence(table)
    setNamesForRows()
    do {
      while try d.next() {
        if let rowFilter, !rowFilter(d, table) { continue }
        if sequence {
          // A sequence's row is its state: set it (a partial image cannot be INSERTed).
          if flashback {
            emit("-- sequence \(table.database).\(table.table) not rewound\n")
            continue
          }
          scratch.removeAll(keepingCapacity: true)
          let image = rows.kind == .delete ? d.before : d.after
          guard case .int(let next) = image[0] else { continue }
          var round: Int64 = 0
          if case .int(let c) = image[7] { round = c } else if case .uint(let c) = image[7] { round = Int64(c) }
          SQLValue.appendRaw("SELECT SETVAL(", into: &scratch)
          appendTableName(table, into: &scratch)
          SQLValue.appendRaw(", \(next), 0, \(round));\n", into: &scratch)
          emit(scratch)
          rowsWritten += 1
          continue
        }
        scratch.removeAll(keepingCapacity: true)
        if flashback && rows.kind != .write
          && d.before.indices.contains(where: { d.before[$0].isAbsent && (rows.kind == .delete || !d.after[$0].isAbsent) })
        {
          _ = problem(table, "the old values are not in the binlog (undoing updates and deletes needs binlog_row_image=FULL)")
          rowsSkipped += 1
          if firstSkippedRow == nil { firstSkippedRow = (walker.fileName, ev.raw.offset) }
          emit("-- row skipped at \(binlogBaseName(walker.fileName)):\(ev.raw.offset): \(lastProblem)\n")
          continue
        }
        let ok: Bool
        switch (rows.kind, flashback) {
        case (.write, false), (.delete, true):
          ok = try insert(flashback ? d.before : d.after, table, d, into: &scratch)
        case (.delete, false), (.write, true):
          ok = try delete(flashback ? d.after : d.before, table, into: &scratch)
        case (.update, _):
          ok = try update(
            set: flashback ? d.before : d.after, where: flashback ? d.after : d.before, table, d, into: &scratch)
        }
        if ok {
          emit(scratch)
          rowsWritten += 1
        } else {
          rowsSkipped += 1
          if firstSkippedRow == nil { firstSkippedRow = (walker.fileName, ev.raw.offset) }
          emit("-- row skipped at \(binlogBaseName(walker.fileName)):\(ev.raw.offset): \(lastProblem)\n")
        }
      }
    } catch let e as BinlogError {
      throw e.with(file: walker.fileName, offset: ev.raw.offset, eventType: ev.raw.type)
    }
    if spool == nil { try sink.maybeFlush() }
  }

  private var lastProblem = ""

  private func problem(_ table: TableMapEvent, _ what: String) -> Bool {
    lastProblem = what
    let key = table.database + "." + table.table + ":" + what
    if warnedTables.insert(key).inserted { onWarning?("\(table.database).\(table.table): \(what)") }
    return false
  }

  private func appendTableName(_ table: TableMapEvent, into out: inout [UInt8]) {
    SQLValue.appendIdentifier(table.database, into: &out)
    out.append(0x2E)
    SQLValue.appendIdentifier(table.table, into: &out)
  }

  /// A value of column `i`, with a partial JSON update applied to the before image.
  private func appendValue(
    _ v: ColumnValue, _ i: Int, _ table: TableMapEvent, _ d: RowDecoder, into out: inout [UInt8]
  ) throws -> Bool {
    if case .jsonDiff(let diffBytes) = v {
      guard case .json(let beforeDoc) = d.before[i] else {
        // Not in the before image (binlog_row_image=MINIMAL): the diff itself, as functions of
        // the column's stored document.
        guard let name = table.columns[i].name else {
          return problem(table, "a partial JSON update without its before image or column name (give --schema)")
        }
        try Self.appendJSONDiff(JSONDiffCodec.parseBody(diffBytes), column: name, into: &out)
        return true
      }
      let doc = try JSONDiffCodec.apply(JSONDiffCodec.parseBody(diffBytes), to: JSONBinary.decode(beforeDoc))
      var text: [UInt8] = []
      doc.appendCompactJSON(into: &text)
      text.withUnsafeBytes { SQLValue.appendQuoted($0, into: &out) }
      return true
    }
    if try SQLValue.append(v, column: table.columns[i], scratch: &valueScratch, into: &out) { return true }
    return problem(table, "a value with no exact SQL literal (column \(i + 1))")
  }

  /// A partial JSON update (MySQL `binlog_row_value_options=PARTIAL_JSON`) as the functions that
  /// made it, applied in order to the column's document: REPLACE → `JSON_REPLACE`, REMOVE →
  /// `JSON_REMOVE`, INSERT → `JSON_ARRAY_INSERT` at an array cell (it shifts the cells after it, as
  /// the diff does) and `JSON_INSERT` at an object member. Values go through
  /// `JSON_EXTRACT('<json>', '$')` so they stay JSON (a string literal alone would be a JSON
  /// string), on MySQL and MariaDB alike.
  static func appendJSONDiff(_ diffs: [JSONDiff], column: String, into out: inout [UInt8]) {
    for d in diffs.reversed() {
      switch d.operation {
      case .replace: SQLValue.appendRaw("JSON_REPLACE(", into: &out)
      case .remove: SQLValue.appendRaw("JSON_REMOVE(", into: &out)
      case .insert: SQLValue.appendRaw(d.path.hasSuffix("]") ? "JSON_ARRAY_INSERT(" : "JSON_INSERT(", into: &out)
      }
    }
    SQLValue.appendIdentifier(column, into: &out)
    for d in diffs {
      out.append(0x2C)
      var path = d.path
      path.withUTF8 { SQLValue.appendQuoted(UnsafeRawBufferPointer($0), into: &out) }
      if d.operation != .remove {
        var text: [UInt8] = []
        (d.value ?? .null).appendCompactJSON(into: &text)
        SQLValue.appendRaw(",JSON_EXTRACT(", into: &out)
        text.withUnsafeBytes { SQLValue.appendQuoted($0, into: &out) }
        SQLValue.appendRaw(",'$')", into: &out)
      }
      out.append(0x29)
    }
  }

  private func insert(_ values: [ColumnValue], _ table: TableMapEvent, _ d: RowDecoder, into out: inout [UInt8]) throws
    -> Bool
  {
    if !table.hasColumnNames && values.contains(where: { $0.isAbsent }) {
      return problem(table, "column names unknown (give --schema) and the row image is partial")
    }
    SQLValue.appendRaw("INSERT INTO ", into: &out)
    appendTableName(table, into: &out)
    if table.hasColumnNames {
      SQLValue.appendRaw(" (", into: &out)
      var first = true
      for i in values.indices where !values[i].isAbsent {
        if !first { out.append(0x2C) }
        first = false
        SQLValue.appendIdentifier(table.columns[i].name ?? "", into: &out)
      }
      out.append(0x29)
    }
    SQLValue.appendRaw(" VALUES (", into: &out)
    var first = true
    for i in values.indices where !values[i].isAbsent {
      if !first { out.append(0x2C) }
      first = false
      guard try appendValue(values[i], i, table, d, into: &out) else { return false }
    }
    SQLValue.appendRaw(");\n", into: &out)
    return true
  }

  private func delete(_ values: [ColumnValue], _ table: TableMapEvent, into out: inout [UInt8]) throws -> Bool {
    guard table.hasColumnNames else { return problem(table, "column names unknown (give --schema)") }
    SQLValue.appendRaw("DELETE FROM ", into: &out)
    appendTableName(table, into: &out)
    guard try appendWhere(values, table, into: &out) else { return false }
    SQLValue.appendRaw(" LIMIT 1;\n", into: &out)
    return true
  }

  private func update(
    set after: [ColumnValue], where before: [ColumnValue], _ table: TableMapEvent, _ d: RowDecoder,
    into out: inout [UInt8]
  ) throws -> Bool {
    guard table.hasColumnNames else { return problem(table, "column names unknown (give --schema)") }
    SQLValue.appendRaw("UPDATE ", into: &out)
    appendTableName(table, into: &out)
    SQLValue.appendRaw(" SET ", into: &out)
    var first = true
    for i in after.indices where !after[i].isAbsent {
      if !first { out.append(0x2C) }
      first = false
      SQLValue.appendIdentifier(table.columns[i].name ?? "", into: &out)
      out.append(0x3D)
      // A flashback's "after" is the before image, whose JSON is whole; forward partial
      // updates apply their diff to the before image.
      guard try appendValue(after[i], i, table, d, into: &out) else { return false }
    }
    if first { return problem(table, "an update with no columns in its after image") }
    guard try appendWhere(before, table, into: &out) else { return false }
    SQLValue.appendRaw(" LIMIT 1;\n", into: &out)
    return true
  }

  /// ` WHERE …` by the primary key when the image has all of it, else by every comparable column.
  private func appendWhere(_ values: [ColumnValue], _ table: TableMapEvent, into out: inout [UInt8]) throws -> Bool {
    var keys = keyColumns
    keyColumns = []
    defer { keyColumns = keys }
    keys.removeAll(keepingCapacity: true)
    for c in table.primaryKey where c < values.count && table.columns[c].primaryKeyPrefix == 0 { keys.append(c) }
    if keys.isEmpty || keys.count != table.primaryKey.count || keys.contains(where: { values[$0].isAbsent }) {
      keys.removeAll(keepingCapacity: true)
      for i in values.indices {
        switch values[i] {
        case .absent, .float, .double, .json, .jsonDiff, .geometry: continue
        default: keys.append(i)
        }
      }
    }
    if keys.isEmpty { return problem(table, "no column to find the row by") }
    SQLValue.appendRaw(" WHERE ", into: &out)
    for (k, i) in keys.enumerated() {
      if k > 0 { SQLValue.appendRaw(" AND ", into: &out) }
      SQLValue.appendIdentifier(table.columns[i].name ?? "", into: &out)
      if values[i].isNull {
        SQLValue.appendRaw(" IS NULL", into: &out)
        continue
      }
      out.append(0x3D)
      guard try SQLValue.append(values[i], column: table.columns[i], scratch: &valueScratch, into: &out) else {
        return problem(table, "a key value with no exact SQL literal")
      }
    }
    return true
  }
}
