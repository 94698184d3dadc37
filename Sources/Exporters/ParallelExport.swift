import BinlogFormat
import BinlogIO
import BinlogSchema
import CTextSIMD

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Any exporter run over one memory-mapped binlog on several threads, writing exactly the bytes
/// one pass writes.
///
/// The file is cut into chunks (`chunks(of:format:)`) at GTID events and, inside long
/// transactions, at rows events: the worker of a chunk that begins inside a transaction first
/// picks up the state a one-pass walk has there (`pickUp`). Workers take chunks in order; the
/// worker of the oldest unwritten chunk streams its output straight to the sink, the others keep
/// theirs in memory up to `maxBuffered` bytes and then wait for their turn: memory stays bounded
/// whatever the transaction sizes. Each worker has its own `SchemaTracker` that replays the DDL
/// of the chunks it skipped before it starts a chunk, so column names from DDL replay are the
/// same as in one pass.
public enum ParallelExport {
  /// Binlog bytes per chunk (cuts are at the first GTID or rows event at or after each step).
  /// Small enough that a chunk's output (up to ~2.5x its bytes as Canal entries) fits in
  /// `maxBuffered`: a worker that fills it waits for its turn instead of working.
  public static let defaultChunkSize = 1 << 20

  /// What a worker passes over (`Chunk.passed`, `Worker.passOver`) counts for the Canal client
  /// filter, its only reader, through the number of rows events modulo its transaction buffer
  /// (Canal's `canal.instance.transaction.size`, `EntryClientFilter.bufferSize`: a group is
  /// flushed every 1024 entries, and what else it holds then is the same). So `cut` keeps at
  /// most 1024 of them: a worker starting deep in a long transaction re-read all its rows
  /// events since the last Annotate_rows, touching (and faulting in) their pages again for
  /// every chunk.
  static let passedPeriod = 1024

  /// A part of the file one worker exports.
  public struct Chunk: Sendable, Equatable {
    /// The whole events it covers.
    public var range: Range<UInt64>
    /// When the chunk begins at a rows event inside a transaction: that transaction's first
    /// (GTID) event. nil: the chunk begins where a transaction does.
    public var transactionStart: UInt64?
    /// Its Format_description and Query events but BEGIN: what a worker that skips the chunk
    /// replays into its schema tracker (so no worker walks the whole file).
    public var schemaEvents: [UInt64] = []
    /// With `transactionStart`: the events before the chunk that `pickUp` gives the worker, in
    /// file order: the transaction's GTID (and BEGIN) and the last Table_map of each table id.
    public var context: [UInt64] = []
    /// With `transactionStart`: the rows events before the chunk since the transaction's last
    /// Annotate_rows or Rows_query event, that one first (`Worker.passOver`), less a multiple of
    /// `passedPeriod` rows events (1 to `passedPeriod` are left).
    public var passed: [UInt64] = []
    /// With `transactionStart`: the end of the transaction's Xid event.
    public var transactionEnd: UInt64?

    public init(range: Range<UInt64>, transactionStart: UInt64? = nil) {
      self.range = range
      self.transactionStart = transactionStart
    }
  }

  /// The chunks of a mapped v4 binlog, or nil when it cannot be cut safely (then export it in
  /// one pass, which also reports any damage): no FDE first, a second FDE, a type permutation,
  /// Transaction_payload events, event sizes that do not add up, or too few GTID events.
  ///
  /// A chunk begins at a GTID event, or at a rows event of a transaction that so far holds only
  /// what a worker can pick up without the events between (`pickUp`): its GTID, BEGIN,
  /// Table_map, Annotate_rows, Rows_query and rows events; and only when that transaction ends
  /// with an Xid in the file (no cut inside one left open, or ended by a COMMIT query).
  public static func chunks(of file: MappedFile, format: FormatDescription, chunkSize: Int = defaultChunkSize)
    -> [Chunk]?
  {
    var chunks: [Chunk] = []
    let rest = cut(file, format: format, chunkSize: chunkSize) {
      chunks.append($0)
      return true
    }
    guard rest == nil, chunks.count >= 2 else { return nil }
    return chunks
  }

  /// Whether `cut` can cut a file of this format at all (else nothing is handed out).
  public static func canCut(_ file: MappedFile, format: FormatDescription) -> Bool {
    format.typePermutation == nil && format.headerLength >= 19 && file.bytes.count > 4 + 19
      && EventType(file.bytes[8]) == .formatDescription
  }

  /// Walks the event headers of `file` and hands each chunk to `emit`, in file order, as soon as
  /// its end is known (the next cut is certain): the export can start on the first chunks while
  /// the walk goes on. nil when the whole file was cut. Otherwise the walk met something it
  /// cannot cut past (see `chunks(of:format:chunkSize:)`), or `emit` returned false: it returns
  /// the chunk it was in, from the last cut to the end of the file, not handed out.
  ///
  /// `keepPages`: the walk leaves the last pages it touched, up to that many bytes' worth, mapped
  /// (the workers of the chunks handed out read them next and give them back: not faulted in
  /// twice); 0: every page is given back behind the walk.
  @discardableResult
  public static func cut(
    _ file: MappedFile, format: FormatDescription, chunkSize: Int, keepPages: Int = 0, emit: (Chunk) -> Bool
  ) -> Chunk? {
    let bytes = file.bytes
    let h = format.headerLength
    guard canCut(file, format: format) else { return Chunk(range: 4..<UInt64(bytes.count)) }
    let crc = format.checksum == .crc32 ? 4 : 0
    let queryPostHeader = format.postHeaderLength(.query)
    var released = 0
    defer { if keepPages == 0 { file.dontNeed(offset: released, length: bytes.count - released) } }
    var pos = 4
    // The last cut, not handed out yet (its end is the next cut).
    var current = Chunk(range: 4..<4)
    var stopped = false
    var schemaEvents: [UInt64] = []
    // The chunk in progress, to the end of the file (what the walk cannot cut).
    func rest() -> Chunk {
      var c = current
      c.range = c.range.lowerBound..<UInt64(bytes.count)
      c.schemaEvents = schemaEvents
      return c
    }
    // Ends `current` at `next` (the next cut, now certain) and hands it out.
    func certain(_ next: Chunk) {
      if stopped { return }
      let end = next.range.lowerBound
      current.range = current.range.lowerBound..<end
      let n = schemaEvents.firstIndex { $0 >= end } ?? schemaEvents.count
      current.schemaEvents = Array(schemaEvents[..<n])
      schemaEvents.removeFirst(n)
      if !emit(current) { stopped = true }
      current = next
    }
    var next = 4 + chunkSize
    var formatEvents = 0
    // The GTID event of the transaction in progress while it can be cut at its rows events.
    var open: UInt64?
    // What a worker picks up at a cut inside `open` (`Chunk.context`, `Chunk.passed`).
    var opening: [UInt64] = []
    // The last Table_map of each table id in `open` (a few ids per transaction: a linear list,
    // not a dictionary hashed at every table map of the file).
    var maps: [(id: UInt64, at: UInt64)] = []
    var passed: [UInt64] = []
    let sixByteTableIDs = format.postHeaderLength(.tableMap) != 6
    // A MySQL GTID event just before: the transaction opens with the BEGIN query after it.
    var mysqlGTID: Int?
    // Cuts inside `open`, kept when its Xid comes.
    var pending: [Chunk] = []
    // Whether the last transaction was opened (BEGIN, or a MariaDB GTID that is not standalone)
    // and not yet ended by an Xid or a COMMIT: no cut at the next GTID event then (a one-pass
    // walk would still hold its open group there, e.g. Canal's client filter its BEGIN).
    var unended = false
    let base = bytes.baseAddress!
    while pos + 19 <= bytes.count && !stopped {
      // Each event's size is a load the next one waits on: fetch the headers ~4 KiB ahead now
      // (84% of this walk's time was that load).
      sluice_prefetch(base + Swift.min(pos + 4096, bytes.count - 1))
      let type = EventType(bytes[pos + 4])
      let size = EventHeader.eventSize(in: bytes, at: pos)
      guard size >= 19, size <= bytes.count - pos else { return rest() }
      if type == .formatDescription || type == .startV3 {
        formatEvents += 1
        if formatEvents > 1 { return rest() }
        schemaEvents.append(UInt64(pos))
      }
      if type == .transactionPayload { return rest() }
      let afterGTID = mysqlGTID
      mysqlGTID = nil
      switch type {
      case .mariaGTID, .gtid, .anonymousGTID, .gtidTagged:
        if let first = pending.first {
          // The transaction ended without an Xid: no cut inside it.
          next = Int(first.range.lowerBound)
          pending.removeAll()
        }
        if pos >= next && !unended {
          certain(Chunk(range: UInt64(pos)..<UInt64(pos)))
          next = pos + chunkSize
        }
        open = nil
        unended = false
        if type == .mariaGTID {
          // MariaDB: a GTID that is not FL_STANDALONE opens the transaction as BEGIN would.
          if size >= h + 13 && bytes[pos + h + 12] & 1 == 0 {
            unended = true
            open = UInt64(pos)
            opening.removeAll(keepingCapacity: true)
            opening.append(UInt64(pos))
            maps.removeAll(keepingCapacity: true)
            passed.removeAll(keepingCapacity: true)
          }
        } else {
          mysqlGTID = pos
        }
      case .query:
        open = nil
        var isBegin = false
        if queryPostHeader >= 13, size >= h + queryPostHeader + crc {
          // MySQL writes the BEGIN of a transaction as exactly "BEGIN", and the end of one on
          // non-transactional tables as "COMMIT".
          let body = pos + h
          let dbLength = Int(bytes[body + 8])
          let statusLength = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: body + 11, as: UInt16.self)))
          let q = body + queryPostHeader + statusLength + dbLength + 1
          let textLength = pos + size - crc - q
          isBegin =
            textLength == 5 && bytes[q] == 0x42 && bytes[q + 1] == 0x45 && bytes[q + 2] == 0x47
            && bytes[q + 3] == 0x49 && bytes[q + 4] == 0x4E
          if isBegin {
            unended = true
          } else if textLength == 6 && bytes[q] == 0x43 && bytes[q + 1] == 0x4F && bytes[q + 2] == 0x4D
            && bytes[q + 3] == 0x4D && bytes[q + 4] == 0x49 && bytes[q + 5] == 0x54
          {
            unended = false
          }
        }
        if isBegin, let g = afterGTID {
          open = UInt64(g)
          opening.removeAll(keepingCapacity: true)
          opening.append(UInt64(g))
          opening.append(UInt64(pos))
          maps.removeAll(keepingCapacity: true)
          passed.removeAll(keepingCapacity: true)
        }
        if !isBegin { schemaEvents.append(UInt64(pos)) }
      case .queryCompressed:
        open = nil
        schemaEvents.append(UInt64(pos))
      case .xid:
        unended = false
        for var cut in pending {
          cut.transactionEnd = UInt64(pos + size)
          certain(cut)
        }
        pending.removeAll()
        open = nil
      case .tableMap:
        if open != nil, size >= h + 6 {
          var id = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: pos + h, as: UInt32.self)))
          if sixByteTableIDs {
            id |= UInt64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: pos + h + 4, as: UInt16.self))) << 32
          }
          if let k = maps.firstIndex(where: { $0.id == id }) {
            maps[k].at = UInt64(pos)
          } else if maps.count < 256 {
            maps.append((id, UInt64(pos)))
          } else {
            open = nil  // a transaction over hundreds of tables is not cut inside
          }
        }
      case .annotateRows, .rowsQuery:
        // Canal makes a QUERY entry of it, which flushes its client buffer: the rows events
        // before it no longer count.
        if open != nil { passed = [UInt64(pos)] }
      default:
        if type.isRows {
          if let o = open {
            if pos >= next {
              var cut = Chunk(range: UInt64(pos)..<UInt64(pos), transactionStart: o)
              cut.context = opening + maps.map(\.at).sorted()
              cut.passed = passed
              pending.append(cut)
              next = pos + chunkSize
            }
            passed.append(UInt64(pos))
            if passed.count > 1 + passedPeriod {
              // Keep the first (the Annotate_rows or Rows_query, or a rows event), drop a period
              // of the rows events after it: at least one rows event is left.
              passed.removeSubrange(1...passedPeriod)
            }
          }
        } else {
          open = nil
        }
      }
      pos += size
      // Give back the pages behind the walk (the touched pages of a 1 GiB file would otherwise
      // all count in the process's memory), all but the last `keepPages` bytes' worth, in steps
      // of 4 MiB.
      if pos - released >= keepPages + (4 << 20) {
        let upTo = pos - keepPages
        file.dontNeed(offset: released, length: upTo - released)
        released = upTo & ~4095
      }
    }
    guard pos == bytes.count, !stopped else { return rest() }
    certain(Chunk(range: UInt64(bytes.count)..<UInt64(bytes.count)))
    return stopped ? rest() : nil
  }

  /// What a worker does with each walked event of its chunks (its exporter writes into the
  /// memory sink the worker was made with).
  public typealias Consume = (WalkedEvent, BinlogWalker<MappedBinlogReader>) throws -> Void

  /// One worker's handlers.
  public struct Worker {
    /// Every walked event of the worker's chunks, and the context events `pickUp` gives it.
    public var consume: Consume
    /// The transaction's last Annotate_rows or Rows_query event before a chunk that begins
    /// inside it and the rows events after that one, in order, which `consume` is not given
    /// (`Chunk.passed`): the Canal client filter counts the entries they make (the QUERY entry
    /// of an Annotate_rows or Rows_query flushes the filter, so what came before it does not
    /// count). nil: nothing to pass over.
    public var passOver: ((RawEvent) -> Void)?
    /// Called before each chunk, before `pickUp`: state a one-pass walk would not have there
    /// (what the worker's last chunk left of a transaction another worker finishes) is dropped.
    public var startChunk: (() -> Void)?

    public init(consume: @escaping Consume, passOver: ((RawEvent) -> Void)? = nil, startChunk: (() -> Void)? = nil) {
      self.consume = consume
      self.passOver = passOver
      self.startChunk = startChunk
    }
  }

  /// Makes worker `index`'s handlers, writing into `memory`, with its schema tracker.
  public typealias MakeWorker = (_ index: Int, _ memory: OutputSink, _ tracker: SchemaTracker?) -> Worker

  /// One worker thread's state: its exporter (writing into `memory`), schema tracker and reader,
  /// and the first chunk it has not seen (it replays the DDL of the chunks others exported).
  final class WorkerState {
    let memory: OutputSink
    let worker: Worker
    let tracker: SchemaTracker?
    let reader: MappedBinlogReader
    var trackerAt = 0
    /// Where the file's last transaction, with no commit yet, starts (shared by the workers).
    var openTail: OpenTail?

    init(memory: OutputSink, worker: Worker, tracker: SchemaTracker?, reader: MappedBinlogReader) {
      self.memory = memory
      self.worker = worker
      self.tracker = tracker
      self.reader = reader
    }
  }

  /// The chunks handed out so far, in file order: appended by the walk that cuts them
  /// (`cut`), read by the workers. Chunk `k` is given to a worker only once chunk `k + 1` is
  /// here or the list is complete (a worker looks at the next chunk's start).
  final class ChunkList: @unchecked Sendable {
    private let lock = PosixLock()
    private var chunks: [Chunk]

    init(_ chunks: [Chunk] = []) { self.chunks = chunks }

    var count: Int {
      lock.lock()
      defer { lock.unlock() }
      return chunks.count
    }

    func append(_ c: Chunk) {
      lock.lock()
      chunks.append(c)
      lock.unlock()
    }

    /// Chunk `k`, or nil past the last one.
    subscript(k: Int) -> Chunk? {
      lock.lock()
      defer { lock.unlock() }
      return k < chunks.count ? chunks[k] : nil
    }

    /// The mapped pages are given back below here (page-aligned), in file order.
    private var released: UInt64 = 0
    /// The pages of written chunks are given back `releaseStride` bytes at a time, not chunk
    /// by chunk: each madvise in a process running on two cores interrupts the other one (a TLB
    /// shootdown), and chunk-by-chunk releases, look-ahead re-releases and the walk's own were
    /// ~1,100 calls for the 279 MiB wide benchmark file (its one-pass export makes 158).
    static let releaseStride: UInt64 = 4 << 20

    /// A chunk ending at `end` is written (its turn is over: so are all chunks before it): gives
    /// back the pages below `end` once `releaseStride` bytes have built up.
    func written(upTo end: UInt64, file: MappedFile) {
      lock.lock()
      let from = released
      let go = end >= from + ChunkList.releaseStride
      if go { released = end & ~4095 }
      lock.unlock()
      if go { file.dontNeed(offset: Int(from), length: Int(end - from)) }
    }

    /// Gives back the pages of `range` below the release mark: a worker read them again (the
    /// events before its chunk, a look-ahead into chunks others wrote) after they were given
    /// back. Above the mark they go with the written chunks.
    func giveBackBehind(_ range: Range<UInt64>, file: MappedFile) {
      let mark = lock.withLock { released }
      let end = Swift.min(range.upperBound, mark)
      if end > range.lowerBound { file.dontNeed(offset: Int(range.lowerBound), length: Int(end - range.lowerBound)) }
    }

    /// Every chunk is written: gives back the pages not given back yet.
    func releaseAll(file: MappedFile) {
      let from = lock.withLock { released }
      file.dontNeed(offset: Int(from), length: file.count - Int(from))
      lock.withLock { released = UInt64(file.count) }
    }
  }

  /// Exports `file` (named `name` in the output) into `sink` with `threads` workers made by
  /// `makeWorker`, on an `OrderedWorkerPool` whose jobs are the chunks. `makeTracker(worker)`
  /// gives each worker its schema tracker (nil: no DDL replay). Throws the first error in file
  /// order, after writing everything before it, like the one-pass export. Each worker keeps up
  /// to `maxBuffered` bytes of output while it waits for its turn (2 MiB: with 4 MiB a two-thread
  /// Canal export of the 1 GiB narrow benchmark file peaked at 64-68 MiB, with 2 MiB at 57-61).
  public static func run(
    file: MappedFile, name: String, chunks: [Chunk], readerOptions: ReaderOptions,
    makeTracker: ((Int) -> SchemaTracker)?, sink: OutputSink, threads: Int = 2, maxBuffered: Int = 2 << 20,
    makeWorker: @escaping MakeWorker
  ) throws {
    let list = ChunkList(chunks)
    let pool = try makePool(
      file: file, name: name, list: list, readerOptions: readerOptions, makeTracker: makeTracker, sink: sink,
      threads: threads, maxBuffered: maxBuffered, makeWorker: makeWorker)
    for k in chunks.indices where !pool.submit(k) { break }
    defer { list.releaseAll(file: file) }
    try finish(pool)
  }

  /// The start of a transaction with no commit in the file (its end was cut, or is still being
  /// written): the chunk's walk stops before it, as the one-pass export does, and the caller
  /// prints the same note.
  public final class OpenTail: @unchecked Sendable {
    private let lock = PosixLock()
    private var value: UInt64?

    public init() {}

    /// The offset, once every worker is done.
    public var offset: UInt64? { lock.withLock { value } }

    func record(_ o: UInt64) { lock.withLock { value = Swift.min(value ?? .max, o) } }
  }

  /// Exports `file` as `run(file:name:chunks:…)` does, cutting it as the workers go: each chunk
  /// goes to the pool as soon as the walk that cuts it (`cut`) is past it, so no thread waits for
  /// a walk of the whole file first. What the walk cannot cut (see `chunks(of:format:chunkSize:)`)
  /// is one last chunk, to the end of the file, exported by one worker as in one pass. False,
  /// having written nothing, when the file does not make two chunks before that: export it in
  /// one pass.
  public static func run(
    file: MappedFile, name: String, format: FormatDescription, chunkSize: Int = defaultChunkSize,
    readerOptions: ReaderOptions, makeTracker: ((Int) -> SchemaTracker)?, sink: OutputSink, threads: Int = 2,
    maxBuffered: Int = 2 << 20, openTail: OpenTail? = nil, makeWorker: @escaping MakeWorker
  ) throws -> Bool {
    let list = ChunkList()
    var pool: OrderedWorkerPool<WorkerState, Int, Void, any Error>?
    var poolError: Error?
    var submitted = 0
    // Chunks before `count` go to the pool (chunk k once chunk k + 1 is cut: its worker looks
    // at the next start), the pool made when there are two chunks.
    func submitReady(upTo count: Int) -> Bool {
      if pool == nil {
        guard list.count >= 2 else { return true }
        do {
          pool = try makePool(
            file: file, name: name, list: list, readerOptions: readerOptions, makeTracker: makeTracker, sink: sink,
            threads: threads, maxBuffered: maxBuffered, openTail: openTail, makeWorker: makeWorker)
        } catch {
          poolError = error
          return false
        }
      }
      while submitted < count {
        guard pool!.submit(submitted) else { return false }
        submitted += 1
      }
      return true
    }
    // The walk keeps the pages of the chunks it handed out last mapped for their workers (the
    // pool takes at most 2 * threads chunks ahead of the oldest unwritten one), and the workers
    // give pages back as their chunks are written (`ChunkList.written`). With threads + 1
    // chunks kept, the walk gave back pages the workers had not read yet: a quarter of a
    // two-thread Canal export's page faults were the workers faulting them in again. Left to
    // the workers alone, the pages of a long transaction's look-ahead stayed mapped (30 MiB).
    let keep = (2 * Swift.max(1, threads) + 2) * chunkSize
    let rest = cut(file, format: format, chunkSize: chunkSize, keepPages: keep) {
      list.append($0)
      return submitReady(upTo: list.count - 1)
    }
    if let poolError { throw poolError }
    guard let pool else {
      // Nothing handed to a worker: the caller exports the file in one pass.
      file.dontNeed(offset: 0, length: file.count)
      return false
    }
    if let rest, submitted == list.count - 1 { list.append(rest) }
    _ = submitReady(upTo: list.count)
    defer { list.releaseAll(file: file) }
    try finish(pool)
    return true
  }

  static func makePool(
    file: MappedFile, name: String, list: ChunkList, readerOptions: ReaderOptions,
    makeTracker: ((Int) -> SchemaTracker)?, sink: OutputSink, threads: Int, maxBuffered: Int,
    openTail: OpenTail? = nil, makeWorker: @escaping MakeWorker
  ) throws -> OrderedWorkerPool<WorkerState, Int, Void, any Error> {
    var made = 0
    return try OrderedWorkerPool<WorkerState, Int, Void, any Error>(
      threads: Swift.max(1, threads), ahead: 2 * Swift.max(1, threads), keepsOutputs: false,
      makeWorker: { () throws -> WorkerState in
        let index = made
        made += 1
        let memory = OutputSink.memory()
        let tracker = makeTracker?(index)
        var reader = try MappedBinlogReader(file: file, name: name, options: readerOptions)
        // `export(chunk:)` gives back each chunk's pages when it is done with them.
        reader.givesBackPages = false
        try reader.loadFormat()
        let state = WorkerState(memory: memory, worker: makeWorker(index, memory, tracker), tracker: tracker, reader: reader)
        state.openTail = openTail
        return state
      },
      work: { state, k, turn in
        try export(chunk: k, of: list, file: file, name: name, state: state, sink: sink, turn: turn, maxBuffered: maxBuffered)
      })
  }

  static func finish(_ pool: OrderedWorkerPool<WorkerState, Int, Void, any Error>) throws {
    do {
      try pool.finish()
    } catch is OrderedTurns.Cancelled {
      // (only after another job's error, which finish() throws first)
    }
  }

  /// One job: exports chunk `k` into the worker's memory sink and writes it in its turn (as soon
  /// as it is the oldest unwritten chunk, or when its output reaches `maxBuffered`).
  static func export(
    chunk k: Int, of chunks: ChunkList, file: MappedFile, name: String, state: WorkerState, sink: OutputSink,
    turn: OrderedTurns.Turn, maxBuffered: Int
  ) throws {
    let consume = state.worker.consume
    let chunk = chunks[k]!
    state.memory.forward = nil
    let memory = state.memory
    if let tracker = state.tracker {
      // A damaged event here is reported by the worker that exports its chunk, in order.
      for j in state.trackerAt..<k {
        let events = chunks[j]!.schemaEvents
        if !events.isEmpty { try? replaySchema(file: file, name: name, events: events, into: tracker) }
      }
    }
    // The look-aheads past the end of this worker's chunks may fault in pages of the chunks it
    // skips after they were given back: give those back again.
    if k > state.trackerAt {
      chunks.giveBackBehind(chunks[state.trackerAt]!.range.lowerBound..<chunks[k - 1]!.range.upperBound, file: file)
    }
    state.trackerAt = k + 1
    let range = chunk.range
    var walker = BinlogWalker(source: state.reader)
    var chunkError: Error?
    do {
      // Offered to the sink at every 1 MiB captured (not at every event: each offer takes the lock).
      var offerAt = 1 << 20
      func visit(_ w: inout BinlogWalker<MappedBinlogReader>, _ ev: WalkedEvent) throws {
        try consume(ev, w)
        if memory.captured.count >= offerAt {
          try sink.append(captured: memory, in: turn, final: false, maxBuffered: maxBuffered)
          offerAt = memory.captured.count + (1 << 20)
        }
      }
      state.worker.startChunk?()
      if chunk.transactionStart != nil {
        // An error in the events picked up is reported first by the worker of their chunk.
        try pickUp(chunk, walker: &walker, worker: state.worker, memory: memory, chunks: chunks)
      }
      walker.source.seek(to: range.lowerBound)
      // In its turn, what the chunk's exporter flushes goes straight to the sink (after what it
      // captured before), not copied into memory first.
      memory.forward = { bytes in
        guard turn.isCurrent else { return false }
        try memory.drainCaptured(deciding: true) { try sink.append($0) }
        try sink.append(bytes)
        return true
      }
      if let end = chunk.transactionEnd {
        // The pre-scan saw its Xid: no look-ahead to its commit from every chunk inside it.
        walker.stopOffset = Swift.min(end, range.upperBound)
        try walker.run(visit)
      }
      walker.stopOffset = range.upperBound
      walker.completeTransactionsOnly = true
      if let after = chunks[k + 1], let start = after.transactionStart, let end = after.transactionEnd {
        // The chunk ends inside a transaction the pre-scan saw end: no look-ahead through it (a
        // long one's pages would all be faulted in again).
        walker.knownTransactionEnd = (start, end)
      }
      try walker.run(visit)
      if let o = walker.openTail { state.openTail?.record(o) }
    } catch let e as OrderedTurns.Cancelled {
      throw e
    } catch {
      chunkError = error
    }
    defer { memory.forward = nil }
    try memory.flush()
    try sink.append(captured: memory, in: turn, final: true, maxBuffered: maxBuffered)
    // Keep memory flat: the pages of written chunks are not read again (see MappedBinlogReader).
    chunks.written(upTo: range.upperBound, file: file)
    if let chunkError { throw chunkError }
  }

  /// Gives a worker the state a one-pass walk has at the start of `chunk`, a rows event inside
  /// a transaction, without the bytes between: the chunk's `context` events go through `walker`
  /// and `worker.consume`, their output dropped, and its `passed` events to `worker.passOver`.
  /// `chunks(of:format:)` cuts only where the transaction holds nothing else before the cut.
  static func pickUp(
    _ chunk: Chunk, walker: inout BinlogWalker<MappedBinlogReader>, worker: Worker, memory: OutputSink,
    chunks: ChunkList
  ) throws {
    walker.completeTransactionsOnly = false
    for o in chunk.context {
      walker.source.seek(to: o)
      walker.stopOffset = o + 1
      try walker.run { w, ev in try worker.consume(ev, w) }
      // The worker's reader does not give pages back (`givesBackPages`): the pages around the
      // event (fault-around maps up to 64 KiB) would stay in this process if already given back.
      let window = o & ~0xFFFF
      let end = Swift.min(chunk.range.lowerBound, walker.source.position + 0x10000)
      if end > window { chunks.giveBackBehind(window..<end, file: walker.source.file) }
    }
    // What the context events wrote belongs to the chunks before.
    try memory.flush()
    memory.drainCaptured { _ in }
    guard let passOver = worker.passOver, let first = chunk.passed.first else { return }
    let bytes = walker.source.file.bytes
    let format = walker.format
    let crc = format.checksum == .crc32 ? 4 : 0
    for o in chunk.passed {
      let p = Int(o)
      let size = EventHeader.eventSize(in: bytes, at: p)
      let b = UnsafeRawBufferPointer(rebasing: bytes[p..<(p + size)])
      passOver(RawEvent(offset: o, header: EventHeader(v4: b), bytes: b, headerLength: format.headerLength, checksumLength: crc))
    }
    // Pages of chunks already written: nobody else gives them back.
    chunks.giveBackBehind(first..<chunk.range.lowerBound, file: walker.source.file)
  }

  /// Feeds `tracker` what a one-pass walk would have: the Format_description and Query events
  /// (`Chunk.schemaEvents`) of a chunk another worker exports.
  static func replaySchema(file: MappedFile, name: String, events: [UInt64], into tracker: SchemaTracker) throws {
    var reader = try MappedBinlogReader(file: file, name: name, options: ReaderOptions(verifyChecksums: false))
    try reader.loadFormat()
    let format = reader.format
    for offset in events {
      reader.seek(to: offset)
      guard let raw = try reader.next() else { break }
      let body = try EventBody.decode(raw, format: format, file: name)
      tracker.consume(
        WalkedEvent(raw: raw, body: body, inPayload: false, payloadInnerOffset: 0, fileEndOffset: raw.endOffset),
        file: name)
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
      // Nothing to pass over: a row line takes its transaction's fields from the walker.
      return ParallelExport.Worker { ev, w in try exporter.consume(ev, walker: w) }
    }
  }
}
