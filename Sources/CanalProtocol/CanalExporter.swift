import BinlogFormat
import BinlogIO
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
  private var filter = EntryClientFilter<MappedEntry>(entryOf: { $0 })
  private var delivered: [MappedEntry] = []
  private var scratch: [UInt8] = []
  public private(set) var entriesWritten: UInt64 = 0

  public init(sink: OutputSink, options: CanalOptions = CanalOptions()) {
    self.sink = sink
    self.options = options
    self.mapper = EntryMapper(options: options)
    mapper.encodeRowsDirectly = true
  }

  /// Maps one walked event and writes the entries a client would receive now.
  public func consume<S: EventSource>(_ ev: WalkedEvent, walker: BinlogWalker<S>) throws {
    guard let mapped = try mapper.map(ev, walker: walker) else { return }
    guard options.forClients else {
      try write(mapped)
      return
    }
    delivered.removeAll(keepingCapacity: true)
    filter.add(mapped, into: &delivered)
    for m in delivered { try write(m) }
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
    var h = CanalHeader()
    h.eventType = raw.type.isRows ? .insert : .query
    h.executeTime = Int64(raw.header.timestamp) * 1000
    delivered.removeAll(keepingCapacity: true)
    filter.add(MappedEntry(header: h, entryType: .rowdata, store: .none), into: &delivered)
    delivered.removeAll(keepingCapacity: true)
  }

  private func write(_ m: MappedEntry) throws {
    try m.appendFramedEntry(to: &sink.buffer, scratch: &scratch)
    entriesWritten += 1
    try sink.maybeFlush()
  }

  /// A `ParallelExport` worker's client filter: each empty transaction is written into the
  /// worker's memory sink as a conditional span, kept or dropped by `throttle` when the span is
  /// drained in output order (so the decision has the state of every earlier transaction, as in
  /// one pass). A group that cannot be written is dropped (the same error surfaces on the next
  /// entry).
  func deferEmptyTransactions(to throttle: SharedEmptyTransactionThrottle) {
    let sink = self.sink
    sink.keepSpan = { throttle.lets($0) }
    filter.deferEmptyGroup = { [unowned self] time, group in
      let start = sink.streamOffset
      for m in group {
        // No flush inside the span: its bytes reach the sink's capture together.
        guard (try? m.appendFramedEntry(to: &sink.buffer, scratch: &self.scratch)) != nil else { return }
        self.entriesWritten += 1
      }
      sink.markConditional(from: start, key: time)
    }
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
          tracker?.consume(ev, file: w.fileName)
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
