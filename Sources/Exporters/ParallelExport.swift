import BinlogFormat
import BinlogSchema

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Any exporter run over one memory-mapped binlog on several threads, writing exactly the bytes
/// one pass writes.
///
/// The file is cut into chunks at GTID events (`chunks(of:format:)`: each begins a transaction,
/// so no transaction state crosses a cut). Workers take chunks in order; the
/// worker of the oldest unwritten chunk streams its output straight to the sink, the others keep
/// theirs in memory up to `maxBuffered` bytes and then wait for their turn: memory stays bounded
/// whatever the transaction sizes. Each worker has its own `SchemaTracker` that replays the DDL
/// of the chunks it skipped before it starts a chunk, so column names from DDL replay are the
/// same as in one pass.
public enum ParallelExport {
  /// Binlog bytes per chunk (cuts are at the first GTID event at or after each step).
  public static let defaultChunkSize = 4 << 20

  /// The chunks of a mapped v4 binlog, or nil when it cannot be cut safely (then export it in
  /// one pass, which also reports any damage): no FDE first, a second FDE, a type permutation,
  /// Transaction_payload events, event sizes that do not add up, or too few GTID events.
  public static func chunks(of file: MappedFile, format: FormatDescription, chunkSize: Int = defaultChunkSize)
    -> [Range<UInt64>]?
  {
    let bytes = file.bytes
    guard format.typePermutation == nil, format.headerLength >= 19, bytes.count > 4 + 19 else { return nil }
    // The walk touches nearly every page: give them back as it goes (memory stays flat).
    var released = 0
    defer { file.dontNeed(offset: released, length: bytes.count - released) }
    var pos = 4
    var cuts: [Int] = [4]
    var next = 4 + chunkSize
    var formatEvents = 0
    while pos + 19 <= bytes.count {
      let type = EventType(bytes[pos + 4])
      let size = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: pos + 9, as: UInt32.self)))
      guard size >= 19, size <= bytes.count - pos else { return nil }
      if pos == 4 && type != .formatDescription { return nil }
      if type == .formatDescription || type == .startV3 {
        formatEvents += 1
        if formatEvents > 1 { return nil }
      }
      if type == .transactionPayload { return nil }
      if pos >= next && (type == .mariaGTID || type == .gtid || type == .anonymousGTID || type == .gtidTagged) {
        cuts.append(pos)
        next = pos + chunkSize
      }
      pos += size
      if pos - released >= 4 << 20 {
        file.dontNeed(offset: released, length: pos - released)
        released = pos & ~4095
      }
    }
    guard pos == bytes.count, cuts.count >= 2 else { return nil }
    cuts.append(bytes.count)
    return (0..<(cuts.count - 1)).map { UInt64(cuts[$0])..<UInt64(cuts[$0 + 1]) }
  }

  /// What a worker does with each walked event of its chunks (its exporter writes into the
  /// memory sink the worker was made with).
  public typealias Consume = (WalkedEvent, BinlogWalker<MappedBinlogReader>) throws -> Void

  /// Makes worker `index`'s event handler, writing into `memory`, with its schema tracker.
  public typealias MakeWorker = (_ index: Int, _ memory: OutputSink, _ tracker: SchemaTracker?) -> Consume

  /// Where the workers meet: which chunk is written next, which is taken next, the first error.
  class Coordinator: @unchecked Sendable {
    let condition = PosixCondition()
    var head = 0
    var nextChunk = 0
    var failed: Error?
    var running = 0
  }

  struct Cancelled: Error {}

  /// Exports `file` (named `name` in the output) into `sink` with `threads` workers made by
  /// `makeWorker`. `makeTracker(worker)` gives each worker its schema tracker (nil: no DDL
  /// replay). Throws the first error in file order, after writing everything before it, like
  /// the one-pass export.
  public static func run(
    file: MappedFile, name: String, chunks: [Range<UInt64>], readerOptions: ReaderOptions,
    makeTracker: ((Int) -> SchemaTracker)?, sink: OutputSink, threads: Int = 2, maxBuffered: Int = 4 << 20,
    makeWorker: @escaping MakeWorker
  ) throws {
    let c = Coordinator()
    // Everything the threads share; the coordinator's lock orders all access to the sink.
    final class Job: @unchecked Sendable {
      let trackers: [SchemaTracker?]
      let sink: OutputSink
      let makeWorker: MakeWorker
      init(trackers: [SchemaTracker?], sink: OutputSink, makeWorker: @escaping MakeWorker) {
        self.trackers = trackers
        self.sink = sink
        self.makeWorker = makeWorker
      }
    }
    let job = Job(trackers: (0..<threads).map { makeTracker?($0) }, sink: sink, makeWorker: makeWorker)
    c.running = threads
    for t in 0..<threads {
      PosixThread.start(stackSize: 8 << 20) {
        do {
          let memory = OutputSink.memory()
          let consume = job.makeWorker(t, memory, job.trackers[t])
          try work(
            file: file, name: name, chunks: chunks, readerOptions: readerOptions, tracker: job.trackers[t],
            memory: memory, consume: consume, sink: job.sink, coordinator: c, maxBuffered: maxBuffered)
        } catch is Cancelled {
        } catch {
          c.condition.lock()
          if c.failed == nil { c.failed = error }
          c.condition.broadcast()
          c.condition.unlock()
        }
        c.condition.lock()
        c.running -= 1
        c.condition.broadcast()
        c.condition.unlock()
      }
    }
    c.condition.lock()
    while c.running > 0 { c.condition.wait() }
    let failed = c.failed
    c.condition.unlock()
    if let failed { throw failed }
  }

  /// One worker: takes chunks until none is left, exports each, writes it in its turn.
  static func work(
    file: MappedFile, name: String, chunks: [Range<UInt64>], readerOptions: ReaderOptions, tracker: SchemaTracker?,
    memory: OutputSink, consume: Consume, sink: OutputSink, coordinator c: Coordinator, maxBuffered: Int
  ) throws {
    var reader = try MappedBinlogReader(file: file, name: name, options: readerOptions)
    try reader.loadFormat()
    var trackerAt = 0
    while true {
      c.condition.lock()
      if c.failed != nil {
        c.condition.unlock()
        throw Cancelled()
      }
      let k = c.nextChunk
      c.nextChunk += 1
      c.condition.unlock()
      if k >= chunks.count { break }
      if let tracker {
        // A damaged event here is reported by the worker that exports its chunk, in order.
        for j in trackerAt..<k {
          try? replaySchema(file: file, name: name, range: chunks[j], into: tracker)
          file.dontNeed(offset: Int(chunks[j].lowerBound), length: chunks[j].count)
        }
      }
      trackerAt = k + 1
      reader.seek(to: chunks[k].lowerBound)
      var walker = BinlogWalker(source: reader)
      walker.stopOffset = chunks[k].upperBound
      walker.completeTransactionsOnly = true
      var chunkError: Error?
      do {
        try walker.run { w, ev in
          try consume(ev, w)
          if memory.captured.count >= 1 << 20 {
            try deliver(k, memory, sink, c, final: false, maxBuffered: maxBuffered)
          }
        }
      } catch is Cancelled {
        throw Cancelled()
      } catch {
        chunkError = error
      }
      // Keep memory flat: this chunk's mapped pages are not read again (see MappedBinlogReader).
      file.dontNeed(offset: Int(chunks[k].lowerBound), length: chunks[k].count)
      try memory.flush()
      try deliver(k, memory, sink, c, final: true, maxBuffered: maxBuffered)
      if let chunkError { throw chunkError }
      c.condition.lock()
      c.head += 1
      c.condition.broadcast()
      c.condition.unlock()
    }
  }

  /// Writes chunk `k`'s captured output when it is the oldest unwritten chunk; otherwise keeps
  /// it, or waits for its turn when it is large (`maxBuffered`) or the chunk is complete.
  static func deliver(
    _ k: Int, _ memory: OutputSink, _ sink: OutputSink, _ c: Coordinator, final: Bool, maxBuffered: Int
  ) throws {
    c.condition.lock()
    if !final && c.head != k && memory.captured.count < maxBuffered {
      c.condition.unlock()
      return
    }
    while c.head != k && c.failed == nil { c.condition.wait() }
    let cancelled = c.head != k
    c.condition.unlock()
    if cancelled { throw Cancelled() }
    // Only the worker of the head chunk writes to the sink.
    try memory.drainCaptured { try sink.append($0) }
  }

  /// Feeds `tracker` what a one-pass walk would have: the Format_description and Query events
  /// of a chunk another worker exports.
  static func replaySchema(file: MappedFile, name: String, range: Range<UInt64>, into tracker: SchemaTracker) throws {
    var reader = try MappedBinlogReader(file: file, name: name, options: ReaderOptions(verifyChecksums: false))
    try reader.loadFormat()
    reader.seek(to: range.lowerBound)
    let format = reader.format
    while reader.position < range.upperBound, let raw = try reader.next() {
      switch raw.type {
      case .query, .queryCompressed, .formatDescription:
        let body = try EventBody.decode(raw, format: format, file: name)
        tracker.consume(
          WalkedEvent(raw: raw, body: body, inPayload: false, payloadInnerOffset: 0, fileEndOffset: raw.endOffset),
          file: name)
      default:
        break
      }
    }
  }
}

extension ParallelExport {
  /// A reader with its format loaded when `path` is a regular, uncompressed binlog file (the
  /// only input the parallel export takes), else nil. Never opens `-`, pipes or devices: their
  /// bytes would be consumed.
  public static func mappedBinlog(path: String, options: ReaderOptions) -> MappedBinlogReader? {
    guard path != "-" else { return nil }
    var st = stat()
    guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
    guard let input = try? BinlogInput(path: path, options: options), var mapped = input.mapped else { return nil }
    guard (try? mapped.loadFormat()) != nil else { return nil }
    return mapped
  }

  /// Processors this process may run on.
  public static var processorCount: Int { PosixThread.processorCount }

  /// Lets each distinct message through once, from any thread (the workers' trackers report
  /// the same replayed DDL warnings).
  public final class OnceFilter: @unchecked Sendable {
    private let lock = PosixLock()
    private var seen: Set<String> = []
    public init() {}
    public func first(_ message: String) -> Bool {
      lock.lock()
      defer { lock.unlock() }
      return seen.insert(message).inserted
    }
  }
}

extension NDJSONExporter {
  /// A `ParallelExport` worker: the NDJSON lines of its chunks into `memory`, the columns named
  /// by its `tracker` (which the exporter feeds itself, as in one pass).
  public static func parallelWorker(options: ExportOptions) -> ParallelExport.MakeWorker {
    return { _, memory, tracker in
      let exporter = NDJSONExporter(sink: memory, options: options)
      exporter.schema = tracker
      return { ev, w in try exporter.consume(ev, walker: w) }
    }
  }
}
