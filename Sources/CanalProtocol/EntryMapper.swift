import BinlogFormat
import BinlogQuery
import SwiftProtobuf

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Turns walked binlog events into Canal `Entry` messages the way Canal's MySQL parser
/// (`LogEventConvert`) does (canal-protocol.md §2). One event gives at most one entry.
///
/// Offline differences from Canal, by necessity or choice:
/// * Table metadata comes from the binlog (`CanalTableMeta`), not from a live server; without
///   `binlog_row_metadata=FULL` columns are named `@1`…`@N` (one warning per table) where Canal
///   would refuse to emit the entry.
/// * `logfileOffset` is the event's real offset (Canal computes `log_pos - event_len`, the same
///   for ordinary binlogs; relay logs and MariaDB 11.4's `log_pos = 0` differ).
/// * MariaDB's compressed Query and rows events and MySQL 5.1 pre-GA rows events are mapped like
///   their plain forms (Canal 1.1.x ignores compressed Query events and v0 rows events).
/// * A DDL that Canal would stop on ("SimpleDdlParser process query failed": no table name) is
///   emitted as QUERY with a warning.
public final class EntryMapper {
  public let options: CanalOptions
  /// Table maps from another source, asked first for every rows event (with the table id and the
  /// binlog's own map): e.g. `{ id, _ in schemaTracker.tableMap(id) }` with BinlogSchema's
  /// `SchemaTracker` (fed every event first), which adds the column names, primary key and
  /// ENUM/SET labels replayed from DDL to binlogs without FULL metadata. Return nil to use the
  /// binlog's map.
  public var tableMapSource: ((_ tableID: UInt64, _ binlogMap: TableMapEvent) -> TableMapEvent?)?
  /// Column metadata from another source (e.g. `SHOW CREATE TABLE` texts from a schema history,
  /// the way Canal's TSDB works), asked for every rows event with the table map and the event's
  /// file and offset. Return nil to use what the table map says (`CanalTableMeta(map, …)`). A
  /// result with fewer columns than the event is ignored with a warning.
  public var tableMetaProvider: ((_ map: TableMapEvent, _ file: String, _ offset: UInt64) -> CanalTableMeta?)?
  /// What a table id's meta was derived from: a class, so that a lookup per rows event retains
  /// one reference instead of copying a whole table map.
  private final class CachedMeta {
    let database: String
    let table: String
    var columns: [ColumnInfo]
    let meta: CanalTableMeta

    init(_ map: TableMapEvent, _ meta: CanalTableMeta) {
      database = map.database
      table = map.table
      columns = map.columns
      self.meta = meta
    }
  }
  private var tableMetas: [UInt64: CachedMeta] = [:]
  /// Rows events become `.encodedRowChange` bytes, written without `CanalColumn` values
  /// (`CanalExporter` sets it: it only serializes). False: `.rowChange` messages.
  public var encodeRowsDirectly = false
  var rowDecoder: RowDecoder?
  let rowEncoder = RowChangeEncoder()
  /// The header of the entry a `prepare…Entry` call prepared, and its store value.
  var preparedHeader = PreparedEntryHeader.direct(DirectEntryHeader())
  var preparedStore = PreparedStore.rows
  enum PreparedStore {
    /// A RowChange of the rows in `rowEncoder`.
    case rows
    /// A QUERY RowChange of an Annotate_rows statement.
    case statement(UnsafeRawBufferPointer)
    /// A TransactionBegin with this thread id.
    case begin(threadID: Int64)
    /// A TransactionEnd with this transaction id.
    case end(transactionID: Int64)
  }
  private var warned: Set<String> = []
  private var cachedFileName = ""
  private var cachedBaseName = ""

  // GTID mode state (§2.2): the executed set and the current MySQL GTID event.
  private var mysqlExecuted = GTIDSet()
  private var mariaExecuted: [UInt32: MariaGTID] = [:]
  private var sawGTIDState = false
  private var currentGTID: (text: String, sequenceNumber: Int64, lastCommitted: Int64)?

  public init(options: CanalOptions = CanalOptions()) {
    self.options = options
  }

  /// The Canal metadata for a table map (cached per table id while the map is unchanged).
  public func tableMeta(_ map: TableMapEvent, serverVersion: String) -> CanalTableMeta {
    if let cached = tableMetas[map.tableID], cached.database == map.database, cached.table == map.table,
      cached.columns == map.columns
    {
      // The next rows event of this map then compares the same array: O(1).
      cached.columns = map.columns
      return cached.meta
    }
    let meta = CanalTableMeta(map, serverVersion: serverVersion, integerDisplayWidths: options.integerDisplayWidths)
    tableMetas[map.tableID] = CachedMeta(map, meta)
    if !meta.hasColumnNames {
      warnOnce(
        "\(map.database).\(map.table): the binlog has no column names (binlog_row_metadata=FULL is off); "
          + "Canal columns are named @1..@\(map.columns.count), isKey is false")
    }
    return meta
  }

  func warnOnce(_ message: String) {
    if warned.insert(message).inserted { options.onWarning(message) }
  }

  /// Forgets GTID state and cached tables (after a seek).
  public func reset() {
    tableMetas = [:]
    mysqlExecuted = GTIDSet()
    mariaExecuted = [:]
    sawGTIDState = false
    currentGTID = nil
  }

  // MARK: - Events

  /// The entry Canal's parser makes of `ev`, or nil when it makes none.
  public func map<S: EventSource>(_ ev: WalkedEvent, walker: BinlogWalker<S>) throws -> MappedEntry? {
    switch ev.body {
    case .query(let q):
      return try mapQuery(ev, q, walker)
    case .xid(let x):
      var end = CanalTransactionEnd()
      end.transactionID = String(Int64(bitPattern: x.xid))
      return MappedEntry(header: header(ev, walker, eventType: nil), entryType: .transactionend, store: .end(end))
    case .rows(let rows):
      return try mapRows(ev, rows, walker)
    case .rowsQuery(let text):
      let table = DDLClassifier.classify(text, defaultSchema: "")?.tableName ?? ""
      return queryEntry(ev, walker, sql: text, tableName: table)
    case .annotateRows(let a):
      if encodeRowsDirectly && TextEncoding.isValidUTF8(a.statement) {
        // The RowChange `queryEntry` would build (eventType QUERY, sql), written from the
        // statement's bytes: no String of a statement as long as the rows it wrote.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(a.statement.count + 8)
        EntryEncoding.appendInt(0x10, Int64(CanalEventType.query.rawValue), &bytes)
        if !a.statement.isEmpty {
          bytes.append(0x5A)
          EntryEncoding.appendVarint(UInt64(a.statement.count), &bytes)
          bytes.append(contentsOf: a.statement)
        }
        let h = header(ev, walker, schema: "", table: "", eventType: .query, gtid: true)
        return MappedEntry(header: h, entryType: .rowdata, store: .encodedRowChange(bytes))
      }
      return queryEntry(ev, walker, sql: a.text, tableName: "")
    case .userVar(let u):
      guard let sql = userVarQuery(u) else { return nil }
      return queryEntry(ev, walker, sql: sql, tableName: "")
    case .intvar(let i):
      return queryEntry(ev, walker, sql: "SET INSERT_ID = \(Int64(bitPattern: i.value))", tableName: "", gtid: false)
    case .rand(let r):
      let sql = "SET SESSION rand_seed1 = \(Int64(bitPattern: r.seed1)) , rand_seed2 = \(Int64(bitPattern: r.seed2))"
      return queryEntry(ev, walker, sql: sql, tableName: "")
    case .gtid(let g):
      return gtidEntry(ev, walker, g)
    case .gtidTagged(let t):
      return gtidEntry(ev, walker, t.event)
    case .previousGTIDs(let p):
      if options.gtidMode {
        mysqlExecuted.formUnion(p.gtids)
        sawGTIDState = true
      }
      return nil
    case .mariaGTID(let g):
      if options.gtidMode {
        mariaExecuted[g.domain] = g.gtid
        sawGTIDState = true
      }
      var pair = CanalPair()
      pair.key = "gtid"
      pair.value = g.gtid.description
      return MappedEntry(header: header(ev, walker, eventType: .gtid), entryType: .gtidlog, store: .pair(pair))
    case .mariaGTIDList(let l):
      if options.gtidMode {
        for g in l.gtids { mariaExecuted[g.domain] = g }
        sawGTIDState = true
      }
      var pair = CanalPair()
      pair.key = "gtid"
      pair.value = l.list.description
      return MappedEntry(header: header(ev, walker, eventType: .gtid), entryType: .gtidlog, store: .pair(pair))
    case .heartbeat:
      var h = CanalHeader()
      h.eventType = .mheartbeat
      return MappedEntry(header: h, entryType: .heartbeat, store: .none)
    default:
      return nil
    }
  }

  private func gtidEntry<S: EventSource>(_ ev: WalkedEvent, _ walker: BinlogWalker<S>, _ g: GTIDEvent) -> MappedEntry {
    // `uuid:gno` (an anonymous GTID prints gno 0; a tagged one `uuid:tag:gno`, which Canal
    // 1.1.x cannot read at all).
    let text = g.gtid?.description ?? "\(g.sid):\(g.gno)"
    let lastCommitted = g.logicalClock?.lastCommitted ?? -1
    let sequenceNumber = g.logicalClock?.sequenceNumber ?? -1
    if options.gtidMode {
      if let gtid = g.gtid { mysqlExecuted.insert(gtid) }
      currentGTID = (text, sequenceNumber, lastCommitted)
      sawGTIDState = true
    }
    // Canal's builder overwrites key/value: with a logical clock only the last pair survives.
    var pair = CanalPair()
    if lastCommitted != -1 {
      pair.key = "sequenceNumber"
      pair.value = String(sequenceNumber)
    } else {
      pair.key = "gtid"
      pair.value = text
    }
    return MappedEntry(header: header(ev, walker, eventType: .gtid), entryType: .gtidlog, store: .pair(pair))
  }

  /// ROWDATA of type QUERY for ROWS_QUERY, ANNOTATE_ROWS, USER_VAR, INTVAR and RAND.
  private func queryEntry<S: EventSource>(
    _ ev: WalkedEvent, _ walker: BinlogWalker<S>, sql: String, tableName: String, gtid: Bool = true
  ) -> MappedEntry {
    var change = CanalRowChange()
    change.sql = sql
    change.eventType = .query
    let h = header(ev, walker, schema: "", table: tableName, eventType: .query, gtid: gtid)
    return MappedEntry(header: h, entryType: .rowdata, store: .rowChange(change))
  }

  /// `SET @name := value` as Canal's UserVarLogEvent prints it; nil for ROW values (Canal fails).
  func userVarQuery(_ u: UserVarEvent) -> String? {
    let prefix = "SET @" + u.name + " := "
    if u.isNull { return prefix + "NULL" }
    switch u.valueType {
    case 0:
      let bytes = u.value.prefix { $0 != 0 }
      let text = bytes.withUnsafeBytes { b -> String in
        var out: [UInt8] = []
        CanalValueText.appendCharacters(b, collation: u.charset, into: &out)
        return String(decoding: out, as: UTF8.self)
      }
      return prefix + "'" + text + "'"
    case 1:
      guard u.value.count == 8 else { return prefix + "NULL" }
      let bits = u.value.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
      return prefix + JavaNumberText.doubleToString(Double(bitPattern: bits))
    case 2:
      var v: UInt64 = 0
      for (i, b) in u.value.prefix(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
      return prefix + (u.value.count == 8 ? String(Int64(bitPattern: v)) : String(v))
    case 4:
      guard u.value.count >= 2 else { return prefix + "NULL" }
      var exact: [UInt8] = []
      let ok: Bool = u.value.withUnsafeBytes { b in
        do {
          try DecimalCodec.appendText(
            UnsafeRawBufferPointer(rebasing: b[2...]), precision: Int(u.value[0]), scale: Int(u.value[1]), into: &exact)
          return true
        } catch { return false }
      }
      guard ok, let canal = CanalValueText.decimal(String(decoding: exact, as: UTF8.self)) else { return prefix + "NULL" }
      return prefix + CanalValueText.bigDecimalToString(canal)
    case 3:
      return nil
    default:
      return prefix + "NULL"
    }
  }

  // MARK: - Query events

  private func mapQuery<S: EventSource>(_ ev: WalkedEvent, _ q: QueryEvent, _ walker: BinlogWalker<S>) throws -> MappedEntry? {
    let sql = CanalValueText.statementText(q.queryBytes, clientCharset: q.statusVars.clientCharset)
    // Canal's checks, in its order: XA prefixes, then a "BEGIN" or "COMMIT" suffix.
    if hasPrefix(sql, "XA START") {
      var begin = CanalTransactionBegin()
      begin.threadID = Int64(q.threadID)
      begin.props = [pair("XA_TYPE", "XA START"), pair("XA_XID", textAfter(sql, "XA START"))]
      return MappedEntry(header: header(ev, walker, eventType: nil), entryType: .transactionbegin, store: .begin(begin))
    }
    if hasPrefix(sql, "XA END") {
      var end = CanalTransactionEnd()
      end.transactionID = "0"
      end.props = [pair("XA_TYPE", "XA END"), pair("XA_XID", textAfter(sql, "XA END"))]
      return MappedEntry(header: header(ev, walker, eventType: nil), entryType: .transactionend, store: .end(end))
    }
    for (keyword, type) in [("XA COMMIT", CanalEventType.xacommit), ("XA ROLLBACK", .xarollback)] where hasPrefix(sql, keyword) {
      var change = CanalRowChange()
      change.sql = sql
      change.props = [pair("XA_TYPE", keyword), pair("XA_XID", textAfter(sql, keyword))]
      change.eventType = type
      let h = header(ev, walker, schema: "", table: "", eventType: type)
      return MappedEntry(header: h, entryType: .rowdata, store: .rowChange(change))
    }
    if hasSuffix(sql, "BEGIN") {
      var begin = CanalTransactionBegin()
      begin.threadID = Int64(q.threadID)
      return MappedEntry(header: header(ev, walker, eventType: nil), entryType: .transactionbegin, store: .begin(begin))
    }
    if hasSuffix(sql, "COMMIT") {
      var end = CanalTransactionEnd()
      end.transactionID = "0"
      return MappedEntry(header: header(ev, walker, eventType: nil), entryType: .transactionend, store: .end(end))
    }
    guard var result = DDLClassifier.classify(sql, defaultSchema: q.database) else { return nil }
    if result.needsTableName && result.tableName.isEmpty {
      warnOnce(
        "\(walker.fileName) at \(ev.raw.offset): no table name in a \(result.type) statement "
          + "(Canal stops here); emitted as QUERY: \(sql.prefix(200))")
      result = DDLClassifier.DDLResult(type: .query, schemaName: result.schemaName)
    }
    var change = CanalRowChange()
    change.isDdl = !result.isDML
    change.sql = sql
    if !q.database.isEmpty { change.ddlSchemaName = q.database }
    change.eventType = result.type
    let h = header(ev, walker, schema: result.schemaName, table: result.tableName, eventType: result.type)
    return MappedEntry(header: h, entryType: .rowdata, store: .rowChange(change))
  }

  private func hasPrefix(_ s: String, _ p: String) -> Bool {
    let a = s.utf8
    let b = p.utf8
    guard a.count >= b.count else { return false }
    return zip(a, b).allSatisfy { x, y in x == y || (x | 0x20 == y | 0x20 && (y | 0x20) >= 0x61 && (y | 0x20) <= 0x7A) }
  }

  private func hasSuffix(_ s: String, _ p: String) -> Bool {
    let a = s.utf8
    let b = p.utf8
    guard a.count >= b.count else { return false }
    return zip(a.suffix(b.count), b).allSatisfy { x, y in
      x == y || (x | 0x20 == y | 0x20 && (y | 0x20) >= 0x61 && (y | 0x20) <= 0x7A)
    }
  }

  /// `StringUtils.substringAfter`: the text after the first (case-sensitive) occurrence, else "".
  private func textAfter(_ s: String, _ separator: String) -> String {
    guard let r = s.firstRange(of: separator) else { return "" }
    return String(s[r.upperBound...])
  }

  private func pair(_ key: String, _ value: String) -> CanalPair {
    var p = CanalPair()
    p.key = key
    p.value = value
    return p
  }

  // MARK: - Rows events

  /// The table map and Canal metadata a rows event is mapped with.
  func rowsTable<S: EventSource>(
    _ ev: WalkedEvent, _ rows: RowsEvent, _ walker: BinlogWalker<S>
  ) throws -> (table: TableMapEvent, meta: CanalTableMeta) {
    guard let binlogMap = walker.tableMaps[rows.tableID] else {
      throw BinlogError(
        .malformed, "rows event for table id \(rows.tableID) has no preceding Table_map",
        file: walker.fileName, offset: ev.raw.offset, eventType: ev.raw.type)
    }
    let table = tableMapSource?(rows.tableID, binlogMap) ?? binlogMap
    var meta = tableMeta(table, serverVersion: walker.format.serverVersion)
    if let provider = tableMetaProvider, let given = provider(table, walker.fileName, ev.raw.offset) {
      if given.columns.count >= rows.columnCount {
        meta = given
      } else {
        warnOnce(
          "\(table.database).\(table.table): the table metadata given has \(given.columns.count) columns, "
            + "the rows event \(rows.columnCount); using the binlog's")
      }
    }
    return (table, meta)
  }

  static func eventType(_ rows: RowsEvent) -> CanalEventType {
    rows.kind == .write ? .insert : rows.kind == .update ? .update : .delete
  }

  /// Decodes and renders every row of `rows` into `rowEncoder` (`RowChangeEncoder.prepare`).
  func prepareRows<S: EventSource>(
    _ ev: WalkedEvent, _ rows: RowsEvent, _ table: TableMapEvent, _ meta: CanalTableMeta, _ walker: BinlogWalker<S>
  ) throws {
    do {
      // The decoder is reset in place: no copy of it (and of its buffers) per event.
      if rowDecoder == nil {
        rowDecoder = try RowDecoder(event: rows, table: table)
      } else {
        try rowDecoder!.reset(event: rows, table: table)
      }
      try rowEncoder.prepare(
        rows, &rowDecoder!, table: table, meta: meta, type: Self.eventType(rows), zone: options.zone,
        charset: options.textCharset)
    } catch {
      throw error.with(file: walker.fileName, offset: ev.raw.offset, eventType: ev.raw.type)
    }
  }

  private func mapRows<S: EventSource>(_ ev: WalkedEvent, _ rows: RowsEvent, _ walker: BinlogWalker<S>) throws -> MappedEntry? {
    let (table, meta) = try rowsTable(ev, rows, walker)
    let type = Self.eventType(rows)
    if encodeRowsDirectly {
      try prepareRows(ev, rows, table, meta, walker)
      let bytes = [UInt8](unsafeUninitializedCapacity: rowEncoder.size) { b, n in
        n = rowEncoder.write(to: UnsafeMutableRawPointer(b.baseAddress!))
      }
      let h = header(ev, walker, schema: table.database, table: table.table, eventType: type, rowsCount: rowEncoder.rowCount)
      return MappedEntry(header: h, entryType: .rowdata, store: .encodedRowChange(bytes))
    }
    var change = CanalRowChange()
    change.tableID = Int64(rows.tableID)
    change.isDdl = false
    change.eventType = type
    do {
      var decoder = try RowDecoder(event: rows, table: table)
      var rowDatas: [CanalRowData] = []
      while try decoder.next() {
        var row = CanalRowData()
        switch rows.kind {
        case .write:
          row.afterColumns = try columns(decoder.after, table, meta, before: nil)
        case .delete:
          row.beforeColumns = try columns(decoder.before, table, meta, before: nil, isAfter: false)
        case .update:
          row.beforeColumns = try columns(decoder.before, table, meta, before: nil, isAfter: false)
          row.afterColumns = try columns(decoder.after, table, meta, before: row.beforeColumns)
        }
        rowDatas.append(row)
      }
      change.rowDatas = rowDatas
    } catch {
      throw error.with(file: walker.fileName, offset: ev.raw.offset, eventType: ev.raw.type)
    }
    let h = header(
      ev, walker, schema: table.database, table: table.table, eventType: type, rowsCount: change.rowDatas.count)
    return MappedEntry(header: h, entryType: .rowdata, store: .rowChange(change))
  }

  /// The Column list of one row image (only the columns present in the image).
  private func columns(
    _ values: [ColumnValue], _ table: TableMapEvent, _ meta: CanalTableMeta, before: [CanalColumn]?,
    isAfter: Bool = true
  ) throws(BinlogError) -> [CanalColumn] {
    var out: [CanalColumn] = []
    out.reserveCapacity(values.count)
    var text: [UInt8] = []
    for i in 0..<values.count {
      let v = values[i]
      if v.isAbsent { continue }
      let m = meta.columns[i]
      var c = CanalColumn()
      c.index = Int32(i)
      c.name = m.name
      c.isKey = m.isKey
      c.mysqlType = m.mysqlType
      if v.isNull {
        c.isNull = true
        c.sqlType = m.nullSQLType
      } else {
        c.isNull = false
        text.removeAll(keepingCapacity: true)
        let col = table.columns[i]
        var meta = m
        c.sqlType = try withUnsafePointer(to: &meta) { (m: UnsafePointer<CanalColumnMeta>) throws(BinlogError) in
          try CanalValueText.append(
            v, type: col.type, mariaHires: col.mariaHires, meta: m, zone: options.zone, charset: options.textCharset,
            into: &text)
        }
        c.value = String(decoding: text, as: UTF8.self)
      }
      if isAfter { c.updated = CanalValueText.isUpdated(c, before: before ?? []) }
      out.append(c)
    }
    return out
  }

  // MARK: - Header

  /// Canal's `createHeader` (§2.2).
  func header<S: EventSource>(
    _ ev: WalkedEvent, _ walker: BinlogWalker<S>, schema: String = "", table: String = "",
    eventType: CanalEventType?, rowsCount: Int = 0, gtid: Bool = true
  ) -> CanalHeader {
    var h = CanalHeader()
    h.version = 1
    h.logfileName = fileBaseName(walker.fileName)
    h.logfileOffset = Int64(ev.raw.offset)
    h.serverID = Int64(ev.raw.header.serverID)
    h.serverenCode = "UTF-8"
    h.executeTime = Int64(ev.raw.header.timestamp) * 1000
    h.sourceType = .mysql
    if let eventType { h.eventType = eventType }
    h.schemaName = schema
    h.tableName = table
    // Inside a Transaction_payload every entry carries the payload event's position and length.
    h.eventLength = Int64(ev.fileEndOffset - ev.raw.offset)
    if options.gtidMode && gtid && sawGTIDState {
      let set = gtidSetText()
      if !set.isEmpty { h.gtid = set }
      if let g = currentGTID {
        h.props.append(pair("curtGtid", g.text))
        h.props.append(pair("curtGtidSn", String(g.sequenceNumber)))
        h.props.append(pair("curtGtidLct", String(g.lastCommitted)))
      }
    }
    if rowsCount > 0 { h.props.append(pair("rowsCount", String(rowsCount))) }
    return h
  }

  /// The executed GTID set as Canal prints it: MySQL `uuid:1-5:7,uuid2:3`; MariaDB one
  /// `domain-server-seq` per domain, comma-joined.
  func gtidSetText() -> String {
    if !mariaExecuted.isEmpty {
      return mariaExecuted.keys.sorted().map { mariaExecuted[$0]!.description }.joined(separator: ",")
    }
    return mysqlExecuted.text(.compact)
  }

  /// `binlogBaseName(path)`, computed once per file.
  func fileBaseName(_ path: String) -> String {
    if path != cachedFileName {
      cachedFileName = path
      cachedBaseName = binlogBaseName(path)
    }
    return cachedBaseName
  }
}

extension CanalValueText {
  /// Canal's `updated` flag of an after-image column: true unless the before image has the same
  /// column index with both NULL, or both non-NULL with equal text. Every INSERT column (no
  /// before image) and every column missing from a partial before image is updated.
  public static func isUpdated(_ after: CanalColumn, before: [CanalColumn]) -> Bool {
    // By index, not `for b in before`: no copy of every before column per after column.
    before.withUnsafeBufferPointer { b in
      for i in b.indices where b[i].index == after.index {
        if b[i].isNull && after.isNull { return false }
        // Java's String.equals: code units, not Swift's canonical equivalence.
        if !after.isNull && !b[i].isNull && b[i].value.utf8.elementsEqual(after.value.utf8) { return false }
      }
      return true
    }
  }
}
