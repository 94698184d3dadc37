import BinlogFormat

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Turns a file's events into index records, decoding only what the index needs: GTID events,
/// Query events other than BEGIN/COMMIT, Xid, changed Table_maps, and the row *sizes* of rows
/// events (`RowCounter`: no values are built). Transaction boundaries follow `BinlogWalker`
/// exactly (its `track` rules), so a record's byte range replays through the walker as one
/// transaction.
struct IndexScanner {
  var meta = IndexMeta()
  var tables: [String] = []
  var ddl: [DDLStatementRecord] = []
  let writer: IndexWriter
  private var tableIDs: [String: UInt32] = [:]
  private var state = TransactionState()
  private var current = TransactionRecord(start: 0)
  private var hasCurrent = false
  private var lastStart: UInt64 = .max
  private var maps: [UInt64: RowsTable] = [:]
  /// The two table maps seen last, looked at before `maps`.
  private var lastTable: RowsTable?
  private var previousTable: RowsTable?
  /// Post-header length of each event type under the format in force (read once per format,
  /// not per event).
  private var postLengths = [UInt8](repeating: 0, count: 256)
  private var postReady = false
  /// Row counts computed ahead by the checksum thread, when there is one.
  var rowCounts: RowCountsAhead?
  /// `ReaderOptions.maxEventSize`, for a Transaction_payload's inner events.
  var maxEventSize: UInt64 = 1 << 30

  init(writer: IndexWriter, file: String) {
    self.writer = writer
    meta.file = file
  }

  /// Continues an index: keeps its tables (records keep their table numbers) and the DDL
  /// statements before `restart`.
  init(writer: IndexWriter, extending e: FileIndex, restart: UInt64) throws(BinlogError) {
    self.writer = writer
    meta.file = e.file
    meta.eventCount = e.eventCount
    meta.firstTimestamp = e.firstTimestamp
    meta.lastTimestamp = e.lastTimestamp
    meta.formatEvent = e.formatEvent
    meta.previousGTIDs = e.previousGTIDs
    meta.rotateTo = e.rotateTo
    tables = e.tables
    for (i, t) in tables.enumerated() { tableIDs[t] = UInt32(i) }
    ddl = try e.ddlStatements.filter { $0.offset < restart }
  }

  private mutating func tableIndex(_ m: RowsTable) -> UInt32 {
    if let i = m.tableIndex { return i }
    let key = m.map.database + "." + m.map.table
    let i: UInt32
    if let known = tableIDs[key] {
      i = known
    } else {
      i = UInt32(tables.count)
      tables.append(key)
      tableIDs[key] = i
    }
    m.tableIndex = i
    return i
  }

  /// Feeds one event (outer events in file order; a Transaction_payload's inner events are
  /// expanded here).
  mutating func consume(_ raw: RawEvent, format: FormatDescription, fileName: String) throws(BinlogError) {
    meta.eventCount += 1
    meta.indexedEnd = raw.endOffset
    if !postReady || raw.type == .formatDescription || raw.type == .startV3 { usePostLengths(of: format) }
    let ts = raw.header.timestamp
    if ts != 0 {
      if meta.firstTimestamp == 0 || ts < meta.firstTimestamp { meta.firstTimestamp = ts }
      if ts > meta.lastTimestamp { meta.lastTimestamp = ts }
    }
    try event(raw, format: format, fileName: fileName, inPayload: false, fileEnd: raw.endOffset)
  }

  private mutating func usePostLengths(of format: FormatDescription) {
    postReady = true
    for t in 0..<256 { postLengths[t] = UInt8(truncatingIfNeeded: Swift.min(255, format.postHeaderLength(EventType(UInt8(t))))) }
  }

  private func table(_ id: UInt64) -> RowsTable? {
    if let t = lastTable, t.tableID == id { return t }
    if let t = previousTable, t.tableID == id { return t }
    return maps[id]
  }

  private mutating func touchRecent(_ t: RowsTable) {
    if lastTable === t { return }
    previousTable = lastTable
    lastTable = t
  }

  private mutating func event(
    _ raw: RawEvent, format: FormatDescription, fileName: String, inPayload: Bool, fileEnd: UInt64
  ) throws(BinlogError) {
    if state.ended { state = TransactionState() }
    let type = raw.type
    if !inPayload { endsClosed = type == .rotate || type == .stop }
    var rowsTouch: (table: UInt32, kind: RowsKind, rows: UInt32)?
    var queryFlag: (ddl: Bool, other: Bool) = (false, false)
    var payload: TransactionPayloadEvent?
    // 1. Decode what matters and track the transaction like BinlogWalker.track.
    switch type {
    case .formatDescription:
      if meta.formatEvent.isEmpty { meta.formatEvent = Array(raw.bytes) }
      return
    case .rotate:
      if case .rotate(let r) = try EventBody.decode(raw, format: format, file: fileName) { meta.rotateTo = r.nextFile }
      return
    case .previousGTIDs:
      if case .previousGTIDs(let p) = try EventBody.decode(raw, format: format, file: fileName), meta.previousGTIDs == nil {
        meta.previousGTIDs = p.gtids.text(.compact)
      }
      return
    case .mariaGTIDList:
      if case .mariaGTIDList(let l) = try EventBody.decode(raw, format: format, file: fileName), meta.previousGTIDs == nil {
        meta.previousGTIDs = l.gtids.map { $0.description }.joined(separator: ",")
      }
      return
    case .binlogCheckpoint, .stop:
      return
    case .startV3:
      // The walker tracks it as any other event but the index keeps no record for it.
      if !state.open && state.startOffset == 0 { begin(raw) }
      return
    case .gtid, .anonymousGTID:
      guard case .gtid(let g) = try EventBody.decode(raw, format: format, file: fileName) else { return }
      try beginMySQL(g, raw, fileName: fileName)
    case .gtidTagged:
      guard case .gtidTagged(let t) = try EventBody.decode(raw, format: format, file: fileName) else { return }
      try beginMySQL(t.event, raw, fileName: fileName)
    case .mariaGTID:
      let g: MariaGTIDEvent
      do { g = try MariaGTIDEvent(parsing: raw.body, serverID: raw.header.serverID) } catch {
        var e = error
        if let io = e.innerOffset { e.innerOffset = io + raw.headerLength }
        throw e.with(file: fileName, offset: raw.offset, eventType: type)
      }
      try state.refuseNestedStart(raw, isGTID: true, file: fileName)
      state = TransactionState()
      begin(raw)
      state.gtid = .mariadb(g.gtid)
      state.open = !g.flags.contains(.standalone)
      if let t = g.threadID { state.threadID = t }
    case .query, .queryCompressed:
      let (kind, thread, q) = try classifyQuery(raw, format: format, fileName: fileName)
      switch kind {
      case .begin:
        try state.refuseNestedStart(raw, isGTID: false, file: fileName)
        if state.gtid == nil && state.lastCommitted == nil && !state.open { begin(raw) }
        if state.startOffset == 0 { begin(raw) }
        state.open = true
        state.threadID = thread
      case .commit, .rollback:
        if state.threadID == nil { state.threadID = thread }
        state.ended = true
        state.open = false
      default:
        if state.threadID == nil { state.threadID = thread }
        if !state.open {
          if state.startOffset == 0 { begin(raw) }
          if let x = q?.statusVars.xid { state.xid = x }
          state.ended = true
        }
      }
      switch kind {
      case .begin, .commit, .rollback, .savepoint, .xaStart, .xaEnd: break
      default:
        if let q, StatementKind.isDDL(q.queryBytes) {
          queryFlag.ddl = true
          ddl.append(DDLStatementRecord(offset: raw.offset, timestamp: raw.header.timestamp, database: q.database, sql: q.query))
        } else {
          queryFlag.other = true
        }
      }
    case .xid:
      let body = raw.body
      guard body.count >= 8 else {
        throw BinlogError(
          .truncated, "Xid event body is \(body.count) bytes", file: fileName, offset: raw.offset, eventType: type)
      }
      state.xid = UInt64(littleEndian: body.loadUnaligned(as: UInt64.self))
      state.ended = true
      state.open = false
    case .xaPrepare:
      state.ended = true
      state.open = false
    case .tableMap:
      if !state.open && state.startOffset == 0 { begin(raw) }
      try tableMap(raw, format: format, fileName: fileName)
    case .transactionPayload:
      if !state.open && state.startOffset == 0 { begin(raw) }
      guard case .transactionPayload(let p) = try EventBody.decode(raw, format: format, file: fileName) else { return }
      payload = p
    default:
      if !state.open && state.startOffset == 0 { begin(raw) }
      if type.isRows {
        // Uncompressed v1/v2 rows events are framed here; the rest by `RowsEvent`.
        if let f = RowsFrame(body: raw.body, type: type, post: Int(postLengths[Int(type.rawValue)])) {
          // Outside BEGIN/COMMIT (non-transactional tables) a statement's rows end with the
          // STMT_END_F rows event: that statement was its own transaction (BinlogWalker's rule).
          if !state.open && f.flags & RowsEvent.flagStatementEnd != 0 { state.ended = true }
          if let m = table(f.tableID) {
            let n = (inPayload ? nil : rowCounts?.count(at: raw.offset)) ?? RowCounter.count(f, table: m)
            rowsTouch = (tableIndex(m), f.kind, UInt32(truncatingIfNeeded: n))
          }
        } else {
          let rows: RowsEvent
          do { rows = try RowsEvent(event: raw, format: format) } catch {
            throw error.with(file: fileName, offset: raw.offset, eventType: type)
          }
          if !state.open && rows.flags & RowsEvent.flagStatementEnd != 0 { state.ended = true }
          if let m = table(rows.tableID) {
            rowsTouch = (tableIndex(m), rows.kind, UInt32(truncatingIfNeeded: RowCounter.count(rows, table: m)))
          }
        }
      }
    }
    // 2. The record (IndexBuilder rules: a new record when the transaction start moves).
    if !hasCurrent || current.start != state.startOffset {
      if hasCurrent { try finish(current) }
      // Reuse the table list's storage: no allocation per transaction.
      var touches = current.tables
      current.tables = []
      touches.removeAll(keepingCapacity: true)
      current = TransactionRecord(start: state.startOffset)
      current.tables = touches
      current.firstTimestamp = state.firstTimestamp
      current.serverID = state.serverID
      hasCurrent = true
    }
    current.end = fileEnd
    if let g = state.gtid { current.gtid = g }
    if let th = state.threadID { current.threadID = th }
    if let x = state.xid { current.xid = x }
    if current.serverID == 0 { current.serverID = raw.header.serverID }
    if queryFlag.ddl { current.hasDDL = true }
    if queryFlag.other { current.hasStatements = true }
    if let r = rowsTouch {
      var k = current.tables.firstIndex { $0.table == r.table } ?? -1
      if k < 0 {
        current.tables.append(TableTouch(table: r.table))
        k = current.tables.count - 1
      }
      switch r.kind {
      case .write: current.tables[k].inserts += r.rows
      case .update: current.tables[k].updates += r.rows
      case .delete: current.tables[k].deletes += r.rows
      }
      current.tables[k].bytes += UInt64(raw.bytes.count)
    }
    let evMicros = UInt64(raw.header.timestamp) * 1_000_000
    if state.ended {
      if let c = state.commitTimestampMicros, c > 0 {
        current.commitMicros = c
      } else {
        current.commitMicros = evMicros
      }
    } else if current.commitMicros == 0 || !inPayload {
      current.commitMicros = Swift.max(current.commitMicros, evMicros)
    }
    if state.ended && !(inPayload && type != .xid) {
      try finish(current)
      hasCurrent = false
    }
    // 3. A Transaction_payload's inner events follow it (their offsets are the payload's).
    if let payload {
      let reader = try PayloadEventReader(
        payload: payload, outer: raw, format: format, fileName: fileName, maxEventSize: maxEventSize)
      while let inner = try reader.next() {
        try event(inner, format: format, fileName: fileName, inPayload: true, fileEnd: raw.endOffset)
      }
    }
  }

  /// A MySQL GTID (plain, anonymous or tagged) opens a transaction.
  private mutating func beginMySQL(_ g: GTIDEvent, _ raw: RawEvent, fileName: String) throws(BinlogError) {
    try state.refuseNestedStart(raw, isGTID: true, file: fileName)
    state = TransactionState()
    begin(raw)
    state.gtid = g.gtid.map { .mysql($0) }
    state.lastCommitted = g.logicalClock?.lastCommitted ?? -1
    state.sequenceNumber = g.logicalClock?.sequenceNumber
    state.commitTimestampMicros = g.immediateCommitTimestamp
  }

  private mutating func begin(_ raw: RawEvent) {
    state.startOffset = raw.offset
    state.firstTimestamp = raw.header.timestamp
    state.serverID = raw.header.serverID
  }

  /// BEGIN and COMMIT are recognized from the bytes (no allocation); other statements decoded.
  private func classifyQuery(_ raw: RawEvent, format: FormatDescription, fileName: String) throws(BinlogError)
    -> (QueryKind, UInt32, QueryEvent?)
  {
    let body = raw.body
    let post = Int(postLengths[Int(raw.type.rawValue)])
    if raw.type == .query, body.count >= 13, post >= 13 {
      let thread = UInt32(littleEndian: body.loadUnaligned(as: UInt32.self))
      let dbLen = Int(body[8])
      let statusLen = Int(UInt16(littleEndian: body.loadUnaligned(fromByteOffset: 11, as: UInt16.self)))
      let q = post + statusLen + dbLen + 1
      if q <= body.count {
        let n = body.count - q
        if n == 5 && memcmp(body.baseAddress! + q, "BEGIN", 5) == 0 { return (.begin, thread, nil) }
        if n == 6 && memcmp(body.baseAddress! + q, "COMMIT", 6) == 0 { return (.commit, thread, nil) }
      }
    }
    guard case .query(let q) = try EventBody.decode(raw, format: format, file: fileName) else { return (.other, 0, nil) }
    return (QueryKind.classify(q.queryBytes), q.threadID, q)
  }

  private mutating func tableMap(_ raw: RawEvent, format: FormatDescription, fileName: String) throws(BinlogError) {
    let body = raw.body
    guard body.count >= 6 else {
      _ = try EventBody.decode(raw, format: format, file: fileName)
      return
    }
    let id =
      postLengths[Int(EventType.tableMap.rawValue)] == 6
      ? UInt64(UInt32(littleEndian: body.loadUnaligned(as: UInt32.self)))
      : (UInt64(UInt32(littleEndian: body.loadUnaligned(as: UInt32.self)))
        | UInt64(UInt16(littleEndian: body.loadUnaligned(fromByteOffset: 4, as: UInt16.self))) << 32)
    if let m = table(id), m.body.count == body.count,
      m.body.withUnsafeBytes({ memcmp($0.baseAddress!, body.baseAddress!, body.count) }) == 0
    {
      touchRecent(m)
      return
    }
    guard case .tableMap(let map) = try EventBody.decode(raw, format: format, file: fileName) else { return }
    let m = RowsTable(body: Array(body), map: map, flavor: format.flavor)
    maps[map.tableID] = m
    touchRecent(m)
  }

  private mutating func finish(_ t: TransactionRecord) throws(BinlogError) {
    if t.start == lastStart { return }
    lastStart = t.start
    try writer.add(t)
  }

  /// Set when the file's last event is cut short at this offset (`IncompleteTail`).
  var cutTail: UInt64?
  /// True when the last event read is a Rotate or Stop: the server closed the file, so a
  /// transaction still open there is one it will never finish (and is kept, as it is).
  var endsClosed = false

  /// Completes the index (a trailing open transaction is kept as it is, marked by `end`,
  /// unless `dropOpen`: then the index ends with the last complete transaction).
  mutating func finishRecords(dropOpen: Bool = false) throws(BinlogError) {
    if hasCurrent && !(dropOpen && !state.ended) { try finish(current) }
    hasCurrent = false
  }
}
