import BinlogFormat

/// Builds a `FileIndex` from walked events (one pass over a file, or the tail of a grown file).
public struct IndexBuilder {
  public private(set) var index: FileIndex
  private var current: TransactionRecord?
  private var tableIDs: [String: UInt32] = [:]
  private var lastStart: UInt64 = .max

  public init(file: String, size: UInt64) {
    index = FileIndex(file: file)
    index.sourceSize = size
  }

  /// Continues an existing index (for a file that grew): only events at or after
  /// `index.indexedEnd` need to be fed.
  public init(extending existing: FileIndex, size: UInt64) {
    index = existing
    index.sourceSize = size
    for (i, t) in existing.tables.enumerated() { tableIDs[t] = UInt32(i) }
  }

  mutating func tableIndex(_ db: String, _ table: String) -> UInt32 {
    let key = db + "." + table
    if let i = tableIDs[key] { return i }
    let i = UInt32(index.tables.count)
    index.tables.append(key)
    tableIDs[key] = i
    return i
  }

  /// Feeds one event; call in file order.
  public mutating func consume<S: EventSource>(_ ev: WalkedEvent, walker: BinlogWalker<S>) {
    let state = walker.transaction
    if !ev.inPayload {
      index.eventCount += 1
      index.indexedEnd = ev.fileEndOffset
      let ts = ev.raw.header.timestamp
      if ts != 0 {
        if index.firstTimestamp == 0 || ts < index.firstTimestamp { index.firstTimestamp = ts }
        if ts > index.lastTimestamp { index.lastTimestamp = ts }
      }
    }
    switch ev.body {
    case .formatDescription:
      if index.formatEvent.isEmpty { index.formatEvent = Array(ev.raw.bytes) }
      return
    case .previousGTIDs(let p):
      if index.previousGTIDs == nil { index.previousGTIDs = p.gtids.text(.compact) }
      return
    case .mariaGTIDList(let l):
      if index.previousGTIDs == nil { index.previousGTIDs = l.gtids.map { $0.description }.joined(separator: ",") }
      return
    case .rotate(let r):
      index.rotateTo = r.nextFile
      return
    case .stop, .binlogCheckpoint, .startV3:
      return
    default: break
    }
    // Events that belong to a transaction.
    if current == nil || current!.start != state.startOffset {
      if var done = current { finish(&done) }
      var t = TransactionRecord(start: state.startOffset)
      t.firstTimestamp = state.firstTimestamp
      t.serverID = state.serverID
      current = t
    }
    guard var t = current else { return }
    t.end = ev.fileEndOffset
    if let g = state.gtid { t.gtid = g }
    if let th = state.threadID { t.threadID = th }
    if let x = state.xid { t.xid = x }
    if t.serverID == 0 { t.serverID = ev.raw.header.serverID }
    switch ev.body {
    case .query(let q):
      switch QueryKind.classify(q.queryBytes) {
      case .begin, .commit, .rollback, .savepoint, .xaStart, .xaEnd: break
      default:
        if StatementKind.isDDL(q.queryBytes) { t.hasDDL = true } else { t.hasStatements = true }
      }
    case .rows(let rows):
      if let map = walker.tableMaps[rows.tableID] {
        let ti = tableIndex(map.database, map.table)
        var n: UInt32 = 0
        if var d = try? RowDecoder(event: rows, table: map) {
          while (try? d.next()) == true { n += 1 }
        }
        var k = t.tables.firstIndex { $0.table == ti }
        if k == nil {
          t.tables.append(TableTouch(table: ti))
          k = t.tables.count - 1
        }
        switch rows.kind {
        case .write: t.tables[k!].inserts += n
        case .update: t.tables[k!].updates += n
        case .delete: t.tables[k!].deletes += n
        }
        t.tables[k!].bytes += UInt64(ev.raw.bytes.count)
      }
    default: break
    }
    if state.ended {
      if let c = state.commitTimestampMicros, c > 0 {
        t.commitMicros = c
      } else {
        t.commitMicros = UInt64(ev.raw.header.timestamp) * 1_000_000
      }
    } else if t.commitMicros == 0 || !ev.inPayload {
      t.commitMicros = Swift.max(t.commitMicros, UInt64(ev.raw.header.timestamp) * 1_000_000)
    }
    current = t
    if state.ended && !(ev.inPayload && ev.raw.type != .xid) {
      finish(&t)
      current = nil
    }
  }

  private mutating func finish(_ t: inout TransactionRecord) {
    if t.start == lastStart { return }
    lastStart = t.start
    index.transactions.append(t)
  }

  /// Completes the index (a trailing open transaction is kept as it is, marked by `end`).
  public mutating func finishIndex() -> FileIndex {
    if var t = current { finish(&t) }
    current = nil
    return index
  }
}
