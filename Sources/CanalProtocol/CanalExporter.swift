import BinlogFormat
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
    if case .rows(let rows) = ev.body {
      // Rows straight into the output buffer: decoded and sized first (errors leave the output
      // as it was), then whatever the client filter releases before it, then the entry.
      try mapper.prepareRowsEntry(ev, rows, walker)
      if options.forClients {
        delivered.removeAll(keepingCapacity: true)
        filter.addDML(into: &delivered)
        for m in delivered { try write(m) }
      }
      sink.withText { mapper.appendPreparedRowsEntry(into: &$0) }
      entriesWritten += 1
      try sink.maybeFlush()
      return
    }
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
    try sink.withText { try m.appendFramedEntry(to: &$0, scratch: &scratch) }
    entriesWritten += 1
    try sink.maybeFlush()
  }
}

extension CanalExporter {
  /// A `ParallelExport` worker: the Canal entries of its chunks into `memory`, the columns named
  /// by its `tracker` (fed every event, as the one-pass export feeds its tracker). Not for
  /// `gtidMode`: each header then carries the executed GTID set of everything before it; nor
  /// for `forClients`: the client filter lets an empty transaction through by the time and count
  /// of those it dropped since the last one let through, state from every earlier transaction
  /// that a worker starting mid-file does not have (its output depended on which worker took
  /// which chunk).
  public static func parallelWorker(options: CanalOptions) -> ParallelExport.MakeWorker {
    precondition(!options.gtidMode && !options.forClients, "a parallel Canal export is raw Entries without GTID sets")
    precondition(!options.gtidMode, "gtidMode headers depend on every earlier chunk")
    return { _, memory, tracker in
      let exporter = CanalExporter(sink: memory, options: options)
      if let tracker { exporter.mapper.tableMapSource = { id, _ in tracker.tableMap(id) } }
      return ParallelExport.Worker(
        consume: { ev, w in
          tracker?.consume(ev, file: w.fileName)
          try exporter.consume(ev, walker: w)
        },
        passOver: { exporter.passOver($0) })
    }
  }
}

extension CanalExporter: EventConsumer {
  public func consume(_ ev: WalkedEvent, walker: BinlogWalker<BinlogInput>) throws {
    func generic<S: EventSource>(_ w: BinlogWalker<S>) throws { try consume(ev, walker: w) }
    try generic(walker)
  }
}
