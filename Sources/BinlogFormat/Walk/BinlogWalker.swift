#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One event as the walker hands it out: raw bytes, decoded body and where it sits.
public struct WalkedEvent {
  public var raw: RawEvent
  public var body: EventBody
  /// True for events that came out of a Transaction_payload (their `raw.offset` is the
  /// payload event's offset, as Canal reports them).
  public var inPayload: Bool
  /// Offset of the event inside the uncompressed payload, for inner events.
  public var payloadInnerOffset: UInt64
  /// End offset of the event in its file (for inner events: of the payload event).
  public var fileEndOffset: UInt64

  public init(raw: RawEvent, body: EventBody, inPayload: Bool, payloadInnerOffset: UInt64, fileEndOffset: UInt64) {
    self.raw = raw
    self.body = body
    self.inPayload = inPayload
    self.payloadInnerOffset = payloadInnerOffset
    self.fileEndOffset = fileEndOffset
  }
}

/// Walks a source event by event: decodes bodies, expands Transaction_payload events into their
/// inner events, keeps the table maps in force and tracks the current transaction.
public struct BinlogWalker<Source: EventSource> {
  public var source: Source
  public private(set) var tableMaps: [UInt64: TableMapEvent] = [:]
  public private(set) var transaction = TransactionState()
  /// Expand Transaction_payload events (the payload event itself is still visited first).
  public var expandPayloads = true
  /// Continue with the next event after a body that fails to decode (framing errors still stop).
  public var skipErrors = false
  /// Called with each error that `skipErrors` skipped.
  public var onSkippedError: ((BinlogError) -> Void)?
  /// Stop before reading an event that starts at or after this offset (a transaction's end).
  public var stopOffset: UInt64 = .max
  /// Events whose bodies failed to decode and were skipped.
  public private(set) var skippedErrors = 0
  /// Stop before a transaction whose commit is not in the input yet (a file still being
  /// written, or cut at an event boundary), rather than hand out its events as if committed.
  /// Needs a mapped source (others are read as they are).
  public var completeTransactionsOnly = false
  /// With `completeTransactionsOnly`, also stop before a transaction whose last bytes are a
  /// partial event (following a file being written); otherwise the reader reports the cut.
  public var waitsForPartialEvents = false
  /// Where the walk stopped for `completeTransactionsOnly`: the first event of the transaction
  /// that has no commit yet.
  public private(set) var openTail: UInt64?
  /// The start of the transaction known to end in the input, checked by `completeTransactionsOnly`.
  private var completeUpTo: UInt64 = 0
  /// A transaction whose end the caller knows (its first event's offset, and the end of its
  /// commit): `completeTransactionsOnly` takes it as complete without looking ahead through it
  /// (a parallel export's chunk that ends inside a long transaction the pre-scan saw end).
  public var knownTransactionEnd: (start: UInt64, end: UInt64)?
  /// Raw bytes of the last table map per table id, to reuse the parsed map when a
  /// transaction repeats it unchanged (saves re-parsing and allocation).
  private var tableMapBytes: [UInt64: [UInt8]] = [:]

  public init(source: Source) {
    self.source = source
  }

  public var fileName: String { source.name }
  public var format: FormatDescription { source.format }

  /// Visits every event until the end of input. The visitor may throw to stop.
  public mutating func run(_ visit: (inout BinlogWalker<Source>, WalkedEvent) throws -> Void) throws {
    // The format changes only with a Format_description (or v3 Start) event: read it from the
    // source then, not per event (a copy of it is a handful of retains and releases).
    var format = source.format
    var first = true
    while source.position < stopOffset {
      let at = source.position
      if completeTransactionsOnly && waitsForPartialEvents, let bytes = source.mappedBytes, at < UInt64(bytes.count) {
        // The next event is not whole yet (the server is writing it): wait there, whether it
        // starts a transaction or follows the end of one.
        // A size beyond --max-event-size is not waited for: the reader reports it.
        let left = UInt64(bytes.count) - at
        let size = left < 19 ? 0 : UInt64(EventHeader.eventSize(in: bytes, at: Int(at)))
        if left < 19 || (size > left && size <= source.maxEventSize) {
          openTail = at
          return
        }
      }
      let next: RawEvent?
      do {
        next = try source.next()
      } catch {
        // An event the source could step over (a checksum mismatch) is skippable; broken
        // framing is not: there is no next event to go on with.
        if skipErrors && source.position > at {
          skippedErrors += 1
          onSkippedError?(error)
          continue
        }
        throw error
      }
      guard let raw = next else { break }
      if completeTransactionsOnly && raw.offset >= completeUpTo, let known = knownTransactionEnd, raw.offset == known.start {
        completeUpTo = Swift.max(known.end, raw.endOffset)
      } else if completeTransactionsOnly && raw.offset >= completeUpTo, let bytes = source.mappedBytes {
        switch CommitLookahead.transactionEnd(
          in: bytes, from: raw.offset, format: source.format, growing: waitsForPartialEvents, pages: source.mappedPages,
          maxEventSize: source.maxEventSize)
        {
        case .complete(let next): completeUpTo = Swift.max(next, raw.endOffset)
        case .malformed: completeUpTo = raw.endOffset
        case .cutMidEvent where !waitsForPartialEvents: completeUpTo = .max  // the reader reports the cut
        case .incomplete, .cutMidEvent:
          openTail = raw.offset
          return
        }
      }
      if transaction.ended { resetTransaction() }
      if first || raw.type == .formatDescription || raw.type == .startV3 {
        format = source.format
        first = false
      }
      let body: EventBody
      do {
        body = try decodeTableMapAware(raw, format: format)
      } catch {
        if skipErrors {
          skippedErrors += 1
          onSkippedError?(error)
          continue
        }
        throw error
      }
      do {
        try track(raw, body)
      } catch {
        if skipErrors {
          skippedErrors += 1
          onSkippedError?(error)
          resetTransaction()
          try? track(raw, body)
        } else {
          throw error
        }
      }
      var payload: TransactionPayloadEvent?
      if expandPayloads, case .transactionPayload(let p) = body { payload = p }
      // The body moves into the walked event: a copy would retain every reference it holds.
      try visit(
        &self, WalkedEvent(raw: raw, body: consume body, inPayload: false, payloadInnerOffset: 0, fileEndOffset: raw.endOffset))
      if let payload {
        let reader = try PayloadEventReader(
          payload: payload, outer: raw, format: format, fileName: fileName, maxEventSize: source.maxEventSize)
        while true {
          let innerOffset = reader.innerOffset
          let inner: RawEvent?
          do {
            inner = try reader.next()
          } catch {
            if skipErrors {
              skippedErrors += 1
              onSkippedError?(error)
              break
            }
            throw error
          }
          guard let inner else { break }
          let innerBody: EventBody
          do {
            innerBody = try decodeTableMapAware(inner, format: format)
          } catch {
            let e = error.with(file: fileName, offset: raw.offset, eventType: inner.type)
            if skipErrors {
              skippedErrors += 1
              onSkippedError?(e)
              continue
            }
            throw e
          }
          do {
            try track(inner, innerBody)
          } catch {
            let e = error.with(file: fileName, offset: raw.offset, eventType: inner.type)
            if skipErrors {
              skippedErrors += 1
              onSkippedError?(e)
              resetTransaction()
              try? track(inner, innerBody)
            } else {
              throw e
            }
          }
          try visit(
            &self,
            WalkedEvent(
              raw: inner, body: innerBody, inPayload: true, payloadInnerOffset: innerOffset, fileEndOffset: raw.endOffset))
        }
      }
    }
  }

  private mutating func decodeTableMapAware(_ raw: RawEvent, format: FormatDescription) throws(BinlogError) -> EventBody {
    if raw.type == .tableMap {
      let body = raw.body
      if body.count >= 6 {
        let id =
          format.postHeaderLength(.tableMap) == 6
          ? UInt64(UInt32(littleEndian: body.loadUnaligned(as: UInt32.self)))
          : (UInt64(UInt32(littleEndian: body.loadUnaligned(as: UInt32.self)))
            | UInt64(UInt16(littleEndian: body.loadUnaligned(fromByteOffset: 4, as: UInt16.self))) << 32)
        if let prev = tableMapBytes[id], prev.count == body.count, let map = tableMaps[id],
          prev.withUnsafeBytes({ memcmp($0.baseAddress!, body.baseAddress!, body.count) == 0 })
        {
          return .tableMap(map)
        }
        let decoded = try EventBody.decode(raw, format: format, file: fileName)
        if case .tableMap(let map) = decoded {
          tableMaps[map.tableID] = map
          tableMapBytes[map.tableID] = Array(body)
        }
        return decoded
      }
    }
    return try EventBody.decode(raw, format: format, file: fileName)
  }

  /// Clears `openTail` after the source was moved back to it (to walk on once the file has
  /// grown, `BinlogFollower`).
  public mutating func clearOpenTail() {
    openTail = nil
  }

  /// Forgets the transaction in progress (after seeking to another transaction's start).
  public mutating func resetTransaction() {
    transaction = TransactionState()
  }

  private mutating func begin(_ raw: RawEvent) {
    transaction.startOffset = raw.offset
    transaction.firstTimestamp = raw.header.timestamp
    transaction.serverID = raw.header.serverID
  }

  private mutating func track(_ raw: RawEvent, _ body: EventBody) throws(BinlogError) {
    switch body {
    case .gtid(let g):
      try transaction.refuseNestedStart(raw, isGTID: true, file: fileName)
      resetTransaction()
      begin(raw)
      transaction.gtid = g.gtid.map { .mysql($0) }
      transaction.lastCommitted = g.logicalClock?.lastCommitted ?? -1
      transaction.sequenceNumber = g.logicalClock?.sequenceNumber
      transaction.commitTimestampMicros = g.immediateCommitTimestamp
    case .gtidTagged(let t):
      let g = t.event
      try transaction.refuseNestedStart(raw, isGTID: true, file: fileName)
      resetTransaction()
      begin(raw)
      transaction.gtid = g.gtid.map { .mysql($0) }
      transaction.lastCommitted = g.logicalClock?.lastCommitted ?? -1
      transaction.sequenceNumber = g.logicalClock?.sequenceNumber
      transaction.commitTimestampMicros = g.immediateCommitTimestamp
    case .mariaGTID(let g):
      try transaction.refuseNestedStart(raw, isGTID: true, file: fileName)
      resetTransaction()
      begin(raw)
      transaction.gtid = .mariadb(g.gtid)
      transaction.open = !g.flags.contains(.standalone)
      if let t = g.threadID { transaction.threadID = t }
    case .query(let q):
      let kind = QueryKind.classify(q.queryBytes)
      switch kind {
      case .begin:
        try transaction.refuseNestedStart(raw, isGTID: false, file: fileName)
        if transaction.gtid == nil && transaction.lastCommitted == nil && !transaction.open { begin(raw) }
        if transaction.startOffset == 0 { begin(raw) }
        transaction.open = true
        transaction.threadID = q.threadID
      case .commit, .rollback:
        if transaction.threadID == nil { transaction.threadID = q.threadID }
        transaction.ended = true
        transaction.open = false
      default:
        if transaction.threadID == nil { transaction.threadID = q.threadID }
        if !transaction.open {
          // A statement outside BEGIN/COMMIT (DDL, autocommit statement) is its own transaction,
          // together with the GTID / Intvar / Rand / User_var events just before it.
          if transaction.startOffset == 0 { begin(raw) }
          if let x = q.statusVars.xid { transaction.xid = x }
          transaction.ended = true
        }
      }
    case .xid(let x):
      transaction.xid = x.xid
      transaction.ended = true
      transaction.open = false
    case .xaPrepare:
      transaction.ended = true
      transaction.open = false
    case .rows(let r):
      if !transaction.open && transaction.startOffset == 0 { begin(raw) }
      // Outside BEGIN/COMMIT (MyISAM and other non-transactional tables) a statement's rows end
      // with the STMT_END_F rows event: that statement was its own transaction, with no xid.
      if !transaction.open && r.flags & RowsEvent.flagStatementEnd != 0 { transaction.ended = true }
    case .rotate, .formatDescription, .previousGTIDs, .mariaGTIDList, .binlogCheckpoint, .stop:
      break
    default:
      if !transaction.open && transaction.startOffset == 0 { begin(raw) }
    }
  }
}

/// Transaction-control classification of a Query event's text.
public enum QueryKind: Sendable, Equatable {
  case begin, commit, rollback, xaStart, xaEnd, xaPrepare, xaCommit, xaRollback, savepoint, other

  /// Classifies by leading keyword, ignoring case, whitespace and leading comments.
  public static func classify(_ q: [UInt8]) -> QueryKind {
    var i = 0
    let n = q.count
    func skipSpace() {
      while i < n {
        let c = q[i]
        if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
          i += 1
        } else if c == 0x2F, i + 1 < n, q[i + 1] == 0x2A {  // /* ... */
          i += 2
          while i + 1 < n && !(q[i] == 0x2A && q[i + 1] == 0x2F) { i += 1 }
          i = Swift.min(i + 2, n)
        } else if c == 0x23 || (c == 0x2D && i + 2 < n && q[i + 1] == 0x2D) {
          while i < n && q[i] != 0x0A { i += 1 }
        } else {
          return
        }
      }
    }
    // The next word, compared in place ignoring case (no String per Query event).
    var ws = 0
    var we = 0
    func nextWord() {
      skipSpace()
      ws = i
      while i < n, (q[i] | 0x20) >= 0x61, (q[i] | 0x20) <= 0x7A { i += 1 }
      we = i
    }
    func wordIs(_ w: StaticString) -> Bool {
      let len = w.utf8CodeUnitCount
      guard we - ws == len else { return false }
      let p = w.utf8Start
      for k in 0..<len where q[ws + k] & 0xDF != p[k] { return false }
      return true
    }
    nextWord()
    if wordIs("BEGIN") { return .begin }
    if wordIs("COMMIT") { return .commit }
    if wordIs("ROLLBACK") {
      let save = i
      nextWord()
      if wordIs("TO") { return .savepoint }
      i = save
      return .rollback
    }
    if wordIs("SAVEPOINT") { return .savepoint }
    if wordIs("START") {
      nextWord()
      return wordIs("TRANSACTION") ? .begin : .other
    }
    if wordIs("XA") {
      nextWord()
      if wordIs("START") || wordIs("BEGIN") { return .xaStart }
      if wordIs("END") { return .xaEnd }
      if wordIs("PREPARE") { return .xaPrepare }
      if wordIs("COMMIT") { return .xaCommit }
      if wordIs("ROLLBACK") { return .xaRollback }
      return .other
    }
    return .other
  }
}
