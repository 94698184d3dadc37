/// What a Canal server does to the parser's entries before any client sees them
/// (canal-protocol.md §2.8): its transaction buffer (`EventTransactionBuffer`) and sink
/// (`EntryEventSink`).
///
/// * Only TRANSACTIONBEGIN, ROWDATA, TRANSACTIONEND and HEARTBEAT enter the buffer; GTIDLOG is
///   dropped there and HEARTBEAT later in the sink.
/// * The buffer flushes a group before a BEGIN, after an END, after a non-DML ROWDATA (DDL,
///   QUERY, XA) and when it holds `bufferSize` entries. A flushed group without ROWDATA is an
///   "empty transaction": the sink drops it unless its first entry's executeTime is more than
///   5 s away from the last empty group it let through, or 8192 have been dropped since.
///
/// Groups with rows are passed on as soon as their first ROWDATA arrives (Canal holds them until
/// the flush; the order is the same), so memory stays bounded by one pending BEGIN/END pair.
/// `Element` is whatever the caller carries along with the entry (e.g. its file position).
public struct EntryClientFilter<Element> {
  /// Canal's `canal.instance.transaction.size`.
  public var bufferSize = 1024
  /// `emptyTransactionInterval` (ms) and `emptyTransctionThresold` of Canal's sink.
  public var emptyTransactionInterval: Int64 = 5000
  public var emptyTransactionThreshold: Int64 = 8192

  /// What the filter reads of an entry.
  public struct Kind: Sendable {
    public var entryType: CanalEntryType
    /// The header's event type (`.compatibleproto2` when unset).
    public var eventType: CanalEventType
    /// The header's executeTime (ms).
    public var executeTime: Int64

    public init(entryType: CanalEntryType, eventType: CanalEventType, executeTime: Int64) {
      self.entryType = entryType
      self.eventType = eventType
      self.executeTime = executeTime
    }

    public init(_ entry: MappedEntry) {
      self.init(entryType: entry.entryType, eventType: entry.header.eventType, executeTime: entry.header.executeTime)
    }
  }

  private let kindOf: (Element) -> Kind
  private var pending: [Element] = []
  private var groupHasRows = false
  private var bufferCount = 0
  private var throttle = EmptyTransactionThrottle()
  /// When set, each flushed group without rows goes here with its first entry's executeTime,
  /// instead of through the filter's own throttle: a `ParallelExport` worker writes it as a
  /// conditional span that the shared throttle decides on in output order.
  public var deferEmptyGroup: ((Int64, [Element]) -> Void)?

  public init(entryOf: @escaping (Element) -> MappedEntry) {
    kindOf = { Kind(entryOf($0)) }
  }

  /// A filter over elements that say what they are without a `MappedEntry` (e.g. entries
  /// already serialized).
  public init(kindOf: @escaping (Element) -> Kind) {
    self.kindOf = kindOf
  }

  /// Whether entries wait for the rest of their group (a BEGIN, an END of an empty transaction).
  public var hasPending: Bool { !pending.isEmpty }

  /// Feeds one entry; appends to `out` whatever a client would receive now.
  public mutating func add(_ element: Element, into out: inout [Element]) {
    let entry = kindOf(element)
    switch entry.entryType {
    case .transactionbegin:
      flush(into: &out)
      put(element, entry, into: &out)
    case .transactionend:
      put(element, entry, into: &out)
      flush(into: &out)
    case .rowdata:
      put(element, entry, into: &out)
      let t = entry.eventType
      if t != .insert && t != .update && t != .delete { flush(into: &out) }
    case .heartbeat:
      // Flushed as a group of its own; the sink's heartbeat handler then removes it.
      flush(into: &out)
    default:
      break  // GTIDLOG never enters the buffer
    }
  }

  /// Forgets the current group (after a seek).
  public mutating func reset() {
    pending = []
    groupHasRows = false
    bufferCount = 0
  }

  private mutating func put(_ element: Element, _ entry: Kind, into out: inout [Element]) {
    if bufferCount == bufferSize { flush(into: &out) }
    bufferCount += 1
    if groupHasRows {
      out.append(element)
    } else if entry.entryType == .rowdata {
      groupHasRows = true
      out.append(contentsOf: pending)
      pending.removeAll(keepingCapacity: true)
      out.append(element)
    } else {
      pending.append(element)
    }
  }

  private mutating func flush(into out: inout [Element]) {
    if !groupHasRows, let first = pending.first {
      let t = kindOf(first).executeTime
      if let deferEmptyGroup {
        deferEmptyGroup(t, pending)
      } else {
        throttle.interval = emptyTransactionInterval
        throttle.threshold = emptyTransactionThreshold
        if throttle.lets(t) { out.append(contentsOf: pending) }
      }
    }
    pending.removeAll(keepingCapacity: true)
    groupHasRows = false
    bufferCount = 0
  }
}

/// The sink's throttle of empty transactions (canal-protocol.md §2.8): one is let through when
/// its time is more than `interval` ms from the last one let through, or when more than
/// `threshold` were dropped since.
public struct EmptyTransactionThrottle: Sendable {
  public var interval: Int64 = 5000
  public var threshold: Int64 = 8192
  private var lastEmptyTimestamp: Int64 = 0
  private var emptyCount: Int64 = 0

  public init() {}

  /// Whether the empty transaction whose first entry has executeTime `t` is let through.
  public mutating func lets(_ t: Int64) -> Bool {
    // Canal's `||` short-circuits: the counter only moves when the time test fails.
    var pass = abs(t - lastEmptyTimestamp) > interval
    if !pass {
      emptyCount += 1
      pass = emptyCount > threshold
    }
    if pass {
      emptyCount = 0
      lastEmptyTimestamp = t
    }
    return pass
  }
}
