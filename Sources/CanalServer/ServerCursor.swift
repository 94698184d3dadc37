import BinlogFormat
import BinlogIO
import BinlogQuery
import CanalProtocol
import NIOCore

/// One client identity's position in its destination: the entries ready to send, the batches sent
/// and not yet acknowledged, and the shaping Canal applies before entries reach a client.
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// How a GET's batch is sized (`canal.instance.memory.batch.mode`).
public enum CanalBatchMode: String, Sendable, CaseIterable {
  /// `fetch_size × memUnit` bytes of serialized entries; the entry that crosses the limit is
  /// still included (Canal's default).
  case memSize = "MEMSIZE"
  /// `fetch_size` entries.
  case itemSize = "ITEMSIZE"
}

/// The outcome of one GET attempt.
enum CanalBatchResult: Equatable {
  /// A batch with its id and its entries' `Messages` fields (`PositionedEntry.fieldRuns`: those
  /// side by side in one buffer as one), now outstanding (or already acknowledged with auto-ack).
  case batch(id: Int64, entries: [ByteBuffer])
  /// Nothing to send: the reply is the `batch_id = -1` packet.
  case empty
  /// The GET asked for a full batch, the source may still grow, and there is not a full batch yet.
  case notReady
}

/// The per-identity state. All methods take the cursor's lock; they may call into the source.
///
/// Two locks: `sourceLock` is held while the source is read (one reader at a time: a GET or
/// the read-ahead), `lock` for everything else; a thread that holds both took `sourceLock`
/// first. The read-ahead reads the source without `lock`, so a GET whose batch is already
/// built never waits for it.
final class ClientCursor: @unchecked Sendable {
  let destination: String
  let clientID: Int16
  private let lock = PosixLock()
  private let sourceLock = PosixLock()
  private let source: any CanalEntrySource
  private let configuration: CanalServerConfiguration
  private var filter: CanalEntryFilter
  /// The filter text of the last subscription, for messages.
  private(set) var filterText: String

  /// Entries to send next, in order; rolled-back entries are put back at its front.
  private var ready = CircularBuffer<PositionedEntry>()
  private var readyBytes = 0
  private var outstanding: [(id: Int64, entries: [PositionedEntry], bytes: Int)] = []
  private var outstandingEntries = 0
  private var outstandingBytes = 0
  private var nextBatchID: Int64 = 1
  private var autoAcked: Set<Int64> = []
  private var sourceError: (any Error)?
  /// Entries and bytes read from the source so far, for sizing reads.
  private var sourcedEntries = 0
  private var sourcedBytes = 0
  /// A read-ahead is queued or running (at most one per cursor).
  private var readingAhead = false
  /// The source said it is finished after the last read (read under `sourceLock`).
  private var sourceFinished = false
  /// The cursor was dropped by the server: a read-ahead still queued stops.
  private var released = false
  /// The last batch's frame head, reused for the next (`messagesHead`).
  private var headBuffer = ByteBuffer()

  /// Position of the last entry of the last acknowledged batch.
  private(set) var ackedPosition: BinlogPosition? {
    didSet { if ackedPosition != oldValue { ackedAtPosition = 0 } }
  }
  /// How many acknowledged entries, at the end, have exactly `ackedPosition` (entries of one
  /// event share it): a resumed cursor skips that many there.
  private(set) var ackedAtPosition = 0
  /// Entries of the source to drop before any is shaped: those up to a parked cursor's
  /// acknowledged position (`resume(after:count:)`).
  private var skipThrough: (position: BinlogPosition, count: Int)?

  // Empty-transaction suppression (Canal's EntryEventSink): a BEGIN is held until a row arrives.
  private var heldBegin: PositionedEntry?
  private var groupHasRows = false
  private var lastEmptyTransactionTime: Int64 = 0
  private var emptyTransactionCount = 0
  static let emptyTransactionInterval: Int64 = 5000
  static let emptyTransactionThreshold = 8192

  init(
    destination: String, clientID: Int16, source: any CanalEntrySource, filter: CanalEntryFilter,
    filterText: String, configuration: CanalServerConfiguration
  ) {
    self.destination = destination
    self.clientID = clientID
    self.source = source
    self.filter = filter
    self.filterText = filterText
    self.configuration = configuration
  }

  /// Replaces the table filter; entries already read (outstanding or ready) keep their earlier
  /// filtering, as in Canal where the filter acts when events are parsed.
  func setFilter(_ filter: CanalEntryFilter, text: String) {
    lock.lock()
    defer { lock.unlock() }
    self.filter = filter
    self.filterText = text
  }

  /// Builds the next batch of at most `fetchSize` (entries or KiB, per the batch mode). With
  /// `requireFull`, answers `.notReady` instead of a partial batch while the source may grow.
  /// Without `readsSource`, answers nil (and changes nothing) when the entries built ahead do
  /// not make the batch: the caller may not block on the source (an event loop).
  func nextBatch(fetchSize: Int, requireFull: Bool, autoAck: Bool, readsSource: Bool = true) throws
    -> CanalBatchResult?
  {
    lock.lock()
    defer { lock.unlock() }
    if let result = try batch(fetchSize: fetchSize, requireFull: requireFull, autoAck: autoAck, holdsSource: false) {
      return result
    }
    guard readsSource else { return nil }
    // Take the locks in order, then look again: the read-ahead or an ACK may have moved on.
    lock.unlock()
    sourceLock.lock()
    lock.lock()
    defer { sourceLock.unlock() }
    return try batch(fetchSize: fetchSize, requireFull: requireFull, autoAck: autoAck, holdsSource: true)
  }

  /// `nextBatch` under `lock`; without `holdsSource` (`sourceLock`), nil when the source would
  /// have to be read, before anything changed.
  private func batch(fetchSize: Int, requireFull: Bool, autoAck: Bool, holdsSource: Bool) throws
    -> CanalBatchResult?
  {
    let entryRoom = configuration.maxUnackedEntries - outstandingEntries
    let byteRoom = configuration.maxUnackedBytes - outstandingBytes
    // Canal's ring buffer is full until the client acknowledges: nothing more to give.
    if outstandingEntries > 0 && (entryRoom <= 0 || byteRoom <= 0) { return .empty }

    let itemLimit: Int
    let byteBudget: Int
    switch configuration.batchMode {
    case .itemSize:
      itemLimit = Swift.max(1, fetchSize)
      byteBudget = Int.max
    case .memSize:
      itemLimit = Int.max
      let (product, overflow) = Swift.max(0, fetchSize).multipliedReportingOverflow(
        by: configuration.memUnit)
      byteBudget = overflow ? Int.max : product
    }

    // The source is read only when the entries built ahead do not make the batch.
    let items = Swift.min(itemLimit, entryRoom)
    let bytes = Swift.min(byteBudget, byteRoom)
    if sourceError == nil && ready.count < items && readyBytes <= bytes {
      guard holdsSource else { return nil }
      do {
        try fill(upToItems: items, bytes: bytes)
      } catch {
        // Entries read before the failure are still sent; the error answers the GETs after them.
        sourceError = error
      }
    }
    if let sourceError, ready.isEmpty { throw sourceError }

    var entries: [PositionedEntry] = []
    var size = 0
    // Whether a caller waiting for a full batch has one: the fetch size is reached, or a cap on
    // unacknowledged entries stops the batch anyway.
    var full = false
    let entryCap = Swift.min(itemLimit, Swift.max(entryRoom, 1))
    while let entry = ready.first {
      if entries.count >= entryCap { break }
      // MEMSIZE adds while the running size is within the budget, so the last entry may cross it.
      if size > byteBudget { break }
      // The unacknowledged-bytes cap. With nothing outstanding an entry always goes, however
      // large, so a client can never be stuck.
      if (!entries.isEmpty || outstandingEntries > 0) && size + entry.size > byteRoom {
        full = true
        break
      }
      ready.removeFirst()
      readyBytes -= entry.size
      entries.append(entry)
      size += entry.size
    }
    if entries.count >= entryCap { full = true }
    // Canal calls a MEMSIZE batch available once the unread bytes reach the budget.
    if configuration.batchMode == .memSize && !entries.isEmpty && size >= byteBudget { full = true }

    // The source is asked only under `sourceLock`; otherwise what it said after the last read.
    if requireFull && !full && !(holdsSource ? source.isFinished : sourceFinished) && sourceError == nil {
      // Put the entries back untouched; the caller polls again.
      for entry in entries.reversed() {
        ready.prepend(entry)
        readyBytes += entry.size
      }
      return .notReady
    }
    if entries.isEmpty { return .empty }

    let id = nextBatchID
    nextBatchID += 1
    let payload = PositionedEntry.fieldRuns(entries)
    if autoAck && outstanding.isEmpty {
      noteAcknowledged(entries)
      autoAcked.insert(id)
      if autoAcked.count > 1024, let oldest = autoAcked.min() { autoAcked.remove(oldest) }
    } else {
      outstanding.append((id, entries, size))
      outstandingEntries += entries.count
      outstandingBytes += size
      if autoAck { try acknowledgeLocked(batchID: id) }
    }
    return .batch(id: id, entries: payload)
  }

  /// The head of a batch's frame (`CanalServerPackets.writeMessagesHead`), which the entries'
  /// fields follow on the socket as they are: no copy of the entries into a reply buffer. Written
  /// over the previous head once that is released.
  func messagesHead(batchID: Int64, fields: [ByteBuffer]) -> ByteBuffer {
    lock.lock()
    defer { lock.unlock() }
    let fieldsLength = fields.reduce(0) { $0 + $1.readableBytes }
    CanalServerPackets.writeMessagesHead(batchID: batchID, fieldsLength: fieldsLength, into: &headBuffer)
    return headBuffer
  }

  /// CLIENTACK: the batch must be the oldest outstanding one (§3.5).
  func acknowledge(batchID: Int64) throws {
    lock.lock()
    defer { lock.unlock() }
    try acknowledgeLocked(batchID: batchID)
  }

  private func acknowledgeLocked(batchID: Int64) throws {
    if autoAcked.contains(batchID) { return }
    guard let index = outstanding.firstIndex(where: { $0.id == batchID }) else {
      throw CursorError.serverException(
        "ack error , clientId:\(clientID) batchId:\(batchID) is not exist , please check")
    }
    guard index == 0 else {
      throw CursorError.metaException("batchId:\(batchID) is not the firstly:\(outstanding[0].id)")
    }
    let batch = outstanding.removeFirst()
    outstandingEntries -= batch.entries.count
    outstandingBytes -= batch.bytes
    noteAcknowledged(batch.entries)
  }

  private func noteAcknowledged(_ entries: [PositionedEntry]) {
    guard let last = entries.last?.position else { return }
    ackedPosition = last
    ackedAtPosition += entries.reversed().prefix { $0.position == last }.count
  }

  /// Where a fresh cursor resumes this one: the acknowledged position and the entries at it.
  var resumePoint: (BinlogPosition?, Int) {
    lock.lock()
    defer { lock.unlock() }
    return (ackedPosition, ackedAtPosition)
  }

  /// Starts a fresh cursor where a released one stopped: the source's entries up to `position`
  /// (and `count` entries at it) are dropped unread by the client, as after a rollback to the
  /// last acknowledged batch.
  func resume(after position: BinlogPosition, count: Int) {
    lock.lock()
    defer { lock.unlock() }
    skipThrough = (position, count)
    ackedPosition = position
    ackedAtPosition = count
  }

  /// True while the source's next entries are still before the resume point.
  private func skips(_ entry: PositionedEntry) -> Bool {
    guard let (target, count) = skipThrough else { return false }
    let p = entry.position
    if p < target { return true }
    if p == target && count > 0 {
      skipThrough = (target, count - 1)
      return true
    }
    skipThrough = nil
    return false
  }

  /// CLIENTROLLBACK: `batchID` 0 rolls back every outstanding batch; another id must be the
  /// oldest outstanding batch. Either way the stream rewinds to the last acknowledged entry, so
  /// every outstanding batch is forgotten and its entries are sent again by the next GETs.
  func rollback(batchID: Int64) throws {
    lock.lock()
    defer { lock.unlock() }
    if batchID != 0 {
      guard let index = outstanding.firstIndex(where: { $0.id == batchID }) else {
        throw CursorError.serverException(
          "rollback error, clientId:\(clientID) batchId:\(batchID) is not exist , please check")
      }
      guard index == 0 else {
        throw CursorError.metaException(
          "batchId:\(batchID) is not the firstly:\(outstanding[0].id)")
      }
    }
    for batch in outstanding.reversed() {
      for entry in batch.entries.reversed() {
        ready.prepend(entry)
        readyBytes += entry.size
      }
    }
    outstanding.removeAll()
    outstandingEntries = 0
    outstandingBytes = 0
  }

  /// Ids of the batches sent and not yet acknowledged, oldest first.
  var outstandingBatchIDs: [Int64] {
    lock.lock()
    defer { lock.unlock() }
    return outstanding.map(\.id)
  }

  /// Reads from the source until `ready` holds `items` entries or more than `bytes` bytes, or the
  /// source has nothing more for now. Holds `sourceLock` and `lock`.
  private func fill(upToItems items: Int, bytes: Int) throws {
    while ready.count < items && readyBytes <= bytes {
      let room = bytes - readyBytes
      // More than `bytes`: a MEMSIZE batch takes entries while its size is within the budget.
      let chunk = try source.next(max: chunkSize(items: items - ready.count, bytes: room), bytes: room == .max ? room : room + 1)
      sourceFinished = source.isFinished
      if chunk.isEmpty { return }
      take(chunk)
    }
  }

  /// How many entries to ask for: at most `items`, and about as many as `bytes` takes by the
  /// sizes seen so far, so that large entries are not read far ahead of the limit by sources
  /// that cannot stop by size.
  private func chunkSize(items: Int, bytes: Int) -> Int {
    var want = Swift.min(Swift.max(items, 1), 256)
    if sourcedEntries > 0 {
      let byBytes = Swift.max(0, bytes) / Swift.max(1, sourcedBytes / sourcedEntries)
      if byBytes < want { want = byBytes + 1 }
    }
    return want
  }

  /// Shapes entries just read from the source into `ready` (under `lock`).
  private func take(_ chunk: [PositionedEntry]) {
    for entry in chunk {
      if skips(entry) { continue }
      sourcedEntries += 1
      sourcedBytes += entry.size
      shape(entry)
    }
  }

  // MARK: Read-ahead

  /// Read-ahead piece size: a GET that needs the source waits for at most one piece.
  static let readAheadPiece = 256 << 10

  /// True when a read-ahead should start now, with less than half of `readAheadBytes` ready
  /// (the caller then runs `readAhead()`, on another thread); marks one as running.
  func claimReadAhead() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    // Started below half the budget, then filled to all of it: one background task per many
    // batches, not one per GET.
    guard configuration.readAheadBytes > 0, !readingAhead, !released, sourceError == nil, !sourceFinished,
      readyBytes < configuration.readAheadBytes - configuration.readAheadBytes / 2
    else { return false }
    readingAhead = true
    return true
  }

  /// Builds entries ahead until `ready` holds `readAheadBytes` (plus at most one event's
  /// entries from a binlog source, which stops by size; an Entry dump's chunks are sized by the
  /// average entry), the source has nothing more for now, or it fails (the error is kept for the GET
  /// that reaches it). Reads in pieces, taking the source lock per piece.
  func readAhead() {
    while readAheadPiece() {}
    lock.lock()
    readingAhead = false
    lock.unlock()
  }

  /// One piece of the read-ahead; false when it should stop.
  private func readAheadPiece() -> Bool {
    sourceLock.lock()
    defer { sourceLock.unlock() }
    lock.lock()
    let room = configuration.readAheadBytes - readyBytes
    guard room > 0, !released, sourceError == nil else {
      lock.unlock()
      return false
    }
    let limit = Swift.min(room, Self.readAheadPiece)
    let want = chunkSize(items: 256, bytes: limit)
    lock.unlock()
    let chunk: [PositionedEntry]
    let finished: Bool
    do {
      chunk = try source.next(max: want, bytes: limit)
      finished = source.isFinished
    } catch {
      lock.lock()
      sourceError = error
      lock.unlock()
      return false
    }
    lock.lock()
    defer { lock.unlock() }
    sourceFinished = finished
    take(chunk)
    return !chunk.isEmpty && !finished
  }

  /// The server dropped this cursor; a queued read-ahead stops.
  func release() {
    lock.lock()
    released = true
    lock.unlock()
  }

  /// Bytes of the entries ready to send (built ahead or rolled back).
  var readyByteCount: Int {
    lock.lock()
    defer { lock.unlock() }
    return readyBytes
  }

  private func appendReady(_ entry: PositionedEntry) {
    ready.append(entry)
    readyBytes += entry.size
  }

  /// What Canal's transaction buffer and sink do between the parser and the store (§2.8).
  private func shape(_ entry: PositionedEntry) {
    switch entry.entryType {
    case .gtidlog, .heartbeat:
      return
    case .transactionbegin:
      guard configuration.suppressEmptyTransactions else { return appendReady(entry) }
      if let held = heldBegin { emptyGroup([held]) }
      heldBegin = entry
      groupHasRows = false
    case .rowdata:
      guard filter.passes(entry) else { return }
      if let held = heldBegin {
        appendReady(held)
        heldBegin = nil
      }
      appendReady(entry)
      // A non-DML entry (DDL, query) flushes Canal's transaction buffer: a new group begins.
      switch entry.eventType {
      case .insert, .update, .delete: groupHasRows = true
      default: groupHasRows = false
      }
    case .transactionend:
      if configuration.suppressEmptyTransactions && !groupHasRows {
        var group: [PositionedEntry] = []
        if let held = heldBegin { group.append(held) }
        group.append(entry)
        heldBegin = nil
        emptyGroup(group)
      } else {
        appendReady(entry)
      }
      groupHasRows = false
    default:
      appendReady(entry)
    }
  }

  /// An empty transaction passes only when its time is more than 5 s from the last one passed or
  /// after 8192 suppressed ones, so clients still see the position advance.
  private func emptyGroup(_ group: [PositionedEntry]) {
    let time = group[0].executeTime
    let (distance, overflow) = time.subtractingReportingOverflow(lastEmptyTransactionTime)
    if overflow || distance.magnitude > UInt64(Self.emptyTransactionInterval) {
      // passes
    } else {
      emptyTransactionCount += 1
      if emptyTransactionCount <= Self.emptyTransactionThreshold { return }
    }
    emptyTransactionCount = 0
    lastEmptyTransactionTime = time
    for entry in group { appendReady(entry) }
  }
}

/// A failure Canal reports as a Java exception from its meta manager or embedded server.
enum CursorError: Error {
  case serverException(String)
  case metaException(String)
}
