import BinlogFormat
import BinlogIO
import BinlogSchema
import Exporters

/// `sluice export --format canal`: Canal `Entry` messages, each serialized and preceded by its
/// length as a varint (protobuf's delimited framing, `EntryFraming`), exactly as a Canal client
/// would receive them (or, with `forClients = false`, as Canal's parser produces them).
///
/// Use it like `NDJSONExporter`: call `consume` for every walked event of every file, in order,
/// then `finish()`.
public final class CanalExporter {
  public let sink: OutputSink
  public let options: CanalOptions
  public let mapper: EntryMapper
  /// An entry in the client filter: what the filter reads, and where its serialized frame is in
  /// `held` while the filter holds it back (`heldRanges[id]`).
  private struct HeldEntry {
    var kind: EntryClientFilter<HeldEntry>.Kind
    var id: Int
  }
  private var filter = EntryClientFilter<HeldEntry>(kindOf: { $0.kind })
  private var delivered: [HeldEntry] = []
  private var held = RawTextBuffer(capacity: 4096)
  private var heldRanges: [Range<Int>] = []
  private var scratch: [UInt8] = []
  /// Empty transactions the filter handed over instead of deciding on them (a parallel worker,
  /// `deferEmptyTransactions`): written by `deliver` as conditional spans.
  private var deferredGroups: [(time: Int64, group: [HeldEntry])] = []
  public private(set) var entriesWritten: UInt64 = 0

  public init(sink: OutputSink, options: CanalOptions = CanalOptions()) {
    self.sink = sink
    self.options = options
    self.mapper = EntryMapper(options: options)
    mapper.encodeRowsDirectly = true
  }

  deinit { held.deallocate() }

  /// Maps one walked event and writes the entries a client would receive now.
  ///
  /// Inlined into its callers (a parallel worker's closure, the `EventConsumer` entry): called,
  /// it was handed a copy of the walker, ~470 bytes per event.
  @inline(__always)
  public func consume<S: EventSource>(_ ev: WalkedEvent, walker: BinlogWalker<S>) throws {
    // Rows, Annotate_rows, BEGIN and Xid straight into the output buffer, without a
    // MappedEntry: decoded and sized first (an error leaves the output as it was), then written
    // in one piece.
    var direct: (CanalEntryType, CanalEventType)?
    switch ev.body {
    case .rows(let rows):
      try mapper.prepareRowsEntry(ev, rows, walker)
      direct = (.rowdata, .insert)
    case .annotateRows(let a):
      if mapper.prepareAnnotateEntry(ev, a, walker) { direct = (.rowdata, .query) }
    case .query(let q):
      if mapper.prepareBeginEntry(ev, q, walker) { direct = (.transactionbegin, .compatibleproto2) }
    case .xid(let x):
      mapper.prepareXidEntry(ev, x, walker)
      direct = (.transactionend, .compatibleproto2)
    default: break
    }
    if let (entryType, eventType) = direct {
      let kind = EntryClientFilter<HeldEntry>.Kind(
        entryType: entryType, eventType: eventType, executeTime: Int64(ev.raw.header.timestamp) * 1000)
      try deliver(kind) { mapper.appendPreparedEntry(into: &$0) }
      return
    }
    guard let mapped = try mapper.map(ev, walker: walker) else { return }
    try deliver(.init(mapped)) { try mapped.appendFramedEntry(to: &$0, scratch: &scratch) }
  }

  /// Passes an entry through the client filter (`forClients`) and writes what it releases:
  /// frames it held back from `held`, this one by `write` into the output (or into `held` when
  /// the filter holds it back).
  private func deliver(
    _ kind: EntryClientFilter<HeldEntry>.Kind, _ write: (inout RawTextBuffer) throws -> Void
  ) throws {
    guard options.forClients else {
      try sink.withText { try write(&$0) }
      entriesWritten += 1
      try sink.maybeFlush()
      return
    }
    let id = heldRanges.count
    delivered.removeAll(keepingCapacity: true)
    filter.add(HeldEntry(kind: kind, id: id), into: &delivered)
    var wroteThis = false
    // `entries` into the output: this one by `write`, the others from their held frames.
    func emit(_ entries: [HeldEntry]) throws {
      try sink.withText { out in
        for d in entries {
          if d.id == id {
            try write(&out)
            wroteThis = true
          } else {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: held.bytes[heldRanges[d.id]]))
          }
        }
      }
      entriesWritten += UInt64(entries.count)
    }
    if !deferredGroups.isEmpty {
      // Before anything the filter let through now: a group is deferred when it is flushed, which
      // happens before the entry that flushes it is delivered.
      for (time, group) in deferredGroups {
        let start = sink.streamOffset
        try emit(group)
        // No flush since `start`: the span's bytes reach the memory sink's capture together.
        sink.markConditional(from: start, key: time)
      }
      deferredGroups.removeAll(keepingCapacity: true)
    }
    if !delivered.isEmpty { try emit(delivered) }
    switch kind.entryType {
    case .transactionbegin, .rowdata, .transactionend:
      if !wroteThis && filter.hasPending {
        let start = held.count
        try write(&held)
        heldRanges.append(start..<held.count)
      }
    default: break  // never held
    }
    if !filter.hasPending {
      held.removeAll()
      heldRanges.removeAll(keepingCapacity: true)
    }
    try sink.maybeFlush()
  }

  /// Flushes the output. A trailing BEGIN whose transaction never ended stays undelivered, as in
  /// Canal (its buffer waits for more).
  public func finish() throws {
    try sink.flush()
  }

  /// Feeds the client filter the one ROWDATA entry Canal makes of a rows (DML), Annotate_rows
  /// or Rows_query (QUERY) event, without mapping the event, and writes nothing: a
  /// `ParallelExport` worker that picks up a transaction mid-way needs the filter's state there,
  /// not the entries, which the chunks before wrote.
  func passOver(_ raw: RawEvent) {
    guard options.forClients else { return }
    let kind = EntryClientFilter<HeldEntry>.Kind(
      entryType: .rowdata, eventType: raw.type.isRows ? .insert : .query,
      executeTime: Int64(raw.header.timestamp) * 1000)
    delivered.removeAll(keepingCapacity: true)
    filter.add(HeldEntry(kind: kind, id: -1), into: &delivered)
    delivered.removeAll(keepingCapacity: true)
    deferredGroups.removeAll(keepingCapacity: true)
    if !filter.hasPending {
      held.removeAll()
      heldRanges.removeAll(keepingCapacity: true)
    }
  }

  /// A `ParallelExport` worker's client filter: each empty transaction is written into the
  /// worker's memory sink as a conditional span, kept or dropped by `throttle` when the span is
  /// drained in output order (so the decision has the state of every earlier transaction, as in
  /// one pass).
  func deferEmptyTransactions(to throttle: SharedEmptyTransactionThrottle) {
    sink.keepSpan = { throttle.lets($0) }
    filter.deferEmptyGroup = { [unowned self] time, group in self.deferredGroups.append((time, group)) }
  }

  /// Forgets the client filter's current group (a `ParallelExport` worker starting a chunk: what
  /// it held belongs to a transaction another worker finishes).
  func startChunk() {
    filter.reset()
  }
}

/// One `EmptyTransactionThrottle` for all the workers of a parallel export, asked only by the
/// job whose turn it is to write (in output order).
final class SharedEmptyTransactionThrottle: @unchecked Sendable {
  private let lock = PosixLock()
  private var throttle = EmptyTransactionThrottle()

  func lets(_ t: Int64) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return throttle.lets(t)
  }
}

extension CanalExporter {
  /// A `ParallelExport` worker: the Canal entries of its chunks into `memory`, the columns named
  /// by its `tracker` (fed every event, as the one-pass export feeds its tracker). Not for
  /// `gtidMode`: each header then carries the executed GTID set of everything before it. With
  /// `forClients`, the client filter lets an empty transaction through by the time and count of
  /// those it dropped since the last one let through, state from every earlier transaction: the
  /// workers write each empty transaction as a conditional span of their output, decided by one
  /// shared throttle as the spans are written in file order (`deferEmptyTransactions`).
  public static func parallelWorker(options: CanalOptions) -> ParallelExport.MakeWorker {
    precondition(!options.gtidMode, "gtidMode headers depend on every earlier chunk")
    let throttle = SharedEmptyTransactionThrottle()
    return { _, memory, tracker in
      let exporter = CanalExporter(sink: memory, options: options)
      if let tracker { exporter.mapper.tableMapSource = { id, _ in tracker.tableMap(id) } }
      if options.forClients { exporter.deferEmptyTransactions(to: throttle) }
      return ParallelExport.Worker(
        consume: { ev, w in
          if let tracker, SchemaTracker.takes(ev.raw.type) { tracker.consume(ev, file: w.fileName) }
          try exporter.consume(ev, walker: w)
        },
        passOver: { exporter.passOver($0) },
        startChunk: { exporter.startChunk() })
    }
  }
}

extension CanalExporter: EventConsumer {
  public func consume(_ ev: WalkedEvent, walker: BinlogWalker<BinlogInput>) throws {
    func generic<S: EventSource>(_ w: BinlogWalker<S>) throws { try consume(ev, walker: w) }
    try generic(walker)
  }
}
