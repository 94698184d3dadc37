import BinlogFormat
import BinlogIO
import BinlogSchema
import CanalProtocol
import NIOCore

/// One entry of a `CanalEntryStream`, with where it came from.
public struct CanalStreamEntry: Sendable {
  /// The buffer that holds the Entry as a `Messages` field (tag 2, its length, the serialized
  /// Entry) at `fieldRange`, with the fields of the entries built with it (`nextEntries` fills
  /// one buffer per call): a batch reply writes entries built together in one piece. The
  /// serialized Entry is byte for byte what SwiftProtobuf writes for `entry`, written by the
  /// exporter's direct encoding (`MappedEntry.appendFramedEntry`).
  public var chunk: ByteBuffer
  public var fieldRange: Range<Int>
  /// Length of the serialized Entry (the end of its field).
  public var size: Int
  /// The Entry's `Messages` field.
  public var field: ByteBuffer { chunk.getSlice(at: fieldRange.lowerBound, length: fieldRange.count)! }
  /// The serialized Entry: what the server sends.
  public var bytes: [UInt8] { Array(field.readableBytesView.suffix(size)) }
  /// The entry before serialization (header, type, store value; a rows event's RowChange is
  /// already encoded, `MappedEntry.Store.encodedRowChange`).
  public var mapped: MappedEntry
  /// The input path the event was read from (as given to the stream).
  public var path: String
  /// Start of the event (for events inside a Transaction_payload: of the payload event); equals
  /// `entry.header.logfileName` / `logfileOffset`.
  public var position: BinlogPosition
  /// Where reading continues after this event (its end in the file).
  public var next: BinlogPosition
  /// True when this event ends its transaction (Xid, COMMIT, XA END, a DDL or other statement
  /// outside a transaction): `next` is then a clean restart point, the cursor Canal would keep
  /// after acknowledging this entry.
  public var endsTransaction: Bool

  /// The Entry decoded from `bytes`, for inspection (the server never builds it). Empty if the
  /// bytes do not decode, which would be an encoder bug that the byte-identity tests catch.
  public var entry: CanalEntry { (try? CanalEntry(serializedBytes: bytes)) ?? CanalEntry() }
}

/// Canal entries of a list of binlog files read as one stream, pulled a batch at a time (for the
/// Canal server): `nextEntries(max:bytes:)` maps only as many events as it needs, so memory stays
/// bounded by the batch (plus at most one event's entries: a compressed transaction's are
/// produced together). Entries are what a client receives unless `options.forClients` is false.
/// Rows events are encoded as `export --format canal` encodes them (`EntryMapper.encodeRowsDirectly`),
/// with no Column messages.
public final class CanalEntryStream {
  /// The files read, in order; with `follow`, the files the last one rotated into are appended.
  public private(set) var paths: [String]
  /// Follow the last file as the server writes it (`serve --follow`): whole transactions only,
  /// an empty batch while nothing new is complete, then on into the file a Rotate names
  /// (`BinlogFollower` does the same for a blocking reader). The stream is then never at its end.
  public let follow: Bool
  /// How the current file's last event so far names the next file (with `follow`).
  private var rotateTo: String?
  /// The base name of the file being read (per event otherwise).
  private var cachedPath = ""
  private var cachedBase = ""
  /// The next file, when the server started it while the followed file's tail stayed incomplete.
  private var abandonedFor: String?
  private var stopped = false
  public let options: CanalOptions
  public let readerOptions: ReaderOptions
  /// The mapper (set `tableMapSource` / `tableMetaProvider` on it before reading).
  public let mapper: EntryMapper
  private var filter = EntryClientFilter<CanalStreamEntry>(entryOf: { $0.mapped })
  private var fileIndex = 0
  private var walker: BinlogWalker<BinlogInput>?
  private var queue: [CanalStreamEntry] = []
  private var queueHead = 0
  /// Serialized bytes of `queue[queueHead...]`.
  private var queuedBytes = 0
  private var wanted = 0
  private var wantedBytes = Int.max
  private var readPosition: BinlogPosition
  /// Working space for entries written through a copy (not rows events).
  private var scratch: [UInt8] = []
  /// Where entries' fields are written, one after the other (unless `options.forClients`, whose
  /// filter may hold entries back: a buffer each). Handed to them (sealed) when `nextEntries`
  /// returns or it is full, then never written again: one buffer per read instead of one per
  /// entry, and the fields of a batch lie side by side.
  private var arena = ByteBuffer()
  /// Queue indices of the entries written into `arena` since it was last sealed.
  private var unsealed: [Int] = []
  /// An arena's size when the read asks for more (or for no limit).
  static let arenaSize = 256 << 10
  /// Which entries are kept, asked with the walker's transaction state and the event's position
  /// for every mapped event; nil keeps all. Set before reading; table maps and GTID state still
  /// advance through what it drops.
  public var eventFilter: ((TransactionState, BinlogPosition) -> Bool)?
  /// Fed every event before it is mapped (DDL replay for names and keys); point the mapper's
  /// `tableMapSource` at it.
  public var schema: SchemaTracker?

  private struct Pause: Error {}

  /// Opens the stream at the start of `paths[0]`, or at `start` (a file among `paths`, matched
  /// by base name or path, and an event boundary in it; 0 and 4 mean the file's start).
  public init(
    paths: [String], options: CanalOptions = CanalOptions(), readerOptions: ReaderOptions = ReaderOptions(),
    start: BinlogPosition? = nil, follow: Bool = false
  ) throws {
    self.paths = paths
    self.follow = follow
    self.options = options
    self.readerOptions = readerOptions
    self.mapper = EntryMapper(options: options)
    mapper.encodeRowsDirectly = true
    readPosition = BinlogPosition(file: paths.first.map(binlogBaseName) ?? "", offset: 4)
    if let start { try seek(to: start) }
  }

  /// Where reading continues: the event after the last one mapped.
  public var position: BinlogPosition { readPosition }

  /// True when every file has been read and every entry handed out.
  public var isAtEnd: Bool { !follow && fileIndex >= paths.count && queueHead >= queue.count }

  /// The next entries, at most `max`, and no more once their serialized bytes reach `bytes`
  /// (at least one unless the input is exhausted; an empty array means the end of the last file,
  /// or, when following, that nothing more is complete yet).
  public func nextEntries(max: Int, bytes: Int = .max) throws -> [CanalStreamEntry] {
    let limit = Swift.max(1, max)
    let byteLimit = Swift.max(1, bytes)
    while queue.count - queueHead < limit && queuedBytes < byteLimit && fileIndex < paths.count {
      if try !fill(limit, bytes: byteLimit) { break }  // following: nothing more is complete yet
    }
    sealArena()
    var end = queueHead
    var taken = 0
    while end < queue.count && end - queueHead < limit && taken < byteLimit {
      taken += queue[end].size
      end += 1
    }
    let batch = Array(queue[queueHead..<end])
    queueHead = end
    queuedBytes -= taken
    if queueHead == queue.count {
      queue.removeAll(keepingCapacity: true)
      queueHead = 0
      queuedBytes = 0
    }
    return batch
  }

  /// Moves to `position` and drops everything queued; the next entries start there. Table maps
  /// and transaction state start afresh, so `position` should be a transaction boundary (an
  /// entry's `next` with `endsTransaction`, or a file start).
  public func seek(to position: BinlogPosition) throws {
    guard let i = paths.firstIndex(where: { $0 == position.file || binlogBaseName($0) == position.file }) else {
      throw BinlogError(.io, "\(position.file) is not one of the stream's files", file: position.file)
    }
    fileIndex = i
    walker = nil
    queue.removeAll()
    arena = ByteBuffer()
    unsealed.removeAll()
    queueHead = 0
    queuedBytes = 0
    filter.reset()
    mapper.reset()
    rotateTo = nil
    stopped = false
    abandonedFor = nil
    var w = try makeWalker(i)
    if position.offset > 4 { try w.source.seek(to: position.offset) }
    walker = w
    readPosition = BinlogPosition(file: binlogBaseName(paths[i]), offset: Swift.max(4, position.offset))
  }

  /// The walker over `paths[i]`; with `follow`, the last file is opened to grow and walked by
  /// whole transactions, waiting at a partial last event.
  private func makeWalker(_ i: Int) throws -> BinlogWalker<BinlogInput> {
    let following = follow && i == paths.count - 1
    let input =
      following
      ? try BinlogInput(following: paths[i], options: readerOptions) : try BinlogInput(path: paths[i], options: readerOptions)
    var w = BinlogWalker(source: input)
    if following {
      w.completeTransactionsOnly = true
      w.waitsForPartialEvents = true
    }
    return w
  }

  /// Maps events of the current file until `limit` entries or `bytes` bytes are queued or the
  /// file ends. False when following and nothing more is complete yet (the caller answers with
  /// what it has).
  private func fill(_ limit: Int, bytes: Int) throws -> Bool {
    let following = follow && fileIndex == paths.count - 1
    if walker == nil {
      if following && !BinlogFollower.fileHasStarted(paths[fileIndex]) { return false }
      walker = try makeWalker(fileIndex)
      rotateTo = nil
      stopped = false
      readPosition = BinlogPosition(file: binlogBaseName(paths[fileIndex]), offset: 4)
    }
    var w = walker!
    walker = nil
    wanted = limit
    wantedBytes = bytes
    do {
      try w.run { w, ev in try self.handle(ev, w) }
    } catch is Pause {
      walker = w
      return true
    } catch var e as BinlogError where abandonedFor != nil {
      e.message += " (the server has already started \(binlogBaseName(abandonedFor!)), so this file will not grow)"
      throw e
    }
    if following {
      let source = w.source
      let atEnd = w.openTail == nil && source.position >= UInt64(source.mappedBytes?.count ?? 0)
      if atEnd, let next = BinlogFollower.nextFile(after: paths[fileIndex], rotateTo: rotateTo, stopped: stopped) {
        // The file ended with a Rotate (or Stop): on into the next one, when it is there.
        paths.append(next)
        fileIndex += 1
        readPosition = BinlogPosition(file: binlogBaseName(next), offset: 4)
        return true
      }
      let stuck = w.openTail != nil
      if let tail = w.openTail {
        if source.position != tail { try source.seek(to: tail) }
        w.clearOpenTail()
      }
      var grew = try source.refreshSize()
      if !grew && stuck, let next = BinlogFollower.nextNumbered(paths[fileIndex]), BinlogFollower.fileHasStarted(next) {
        // As `BinlogFollower`: with the next file started, this one's partial event or
        // uncommitted transaction will never be completed. Its tail is read once more as a file
        // that is not followed (a partial event is then an error), then the next file. (Looked
        // at again first: the server may have written the last bytes before creating the next.)
        grew = try source.refreshSize()
        if !grew {
          w.waitsForPartialEvents = false
          paths.append(next)
          abandonedFor = next
        }
      }
      walker = w
      return grew || abandonedFor != nil
    }
    // The file is done.
    abandonedFor = nil
    fileIndex += 1
    if fileIndex < paths.count {
      readPosition = BinlogPosition(file: binlogBaseName(paths[fileIndex]), offset: 4)
    }
    return true
  }

  /// Hands the arena to the entries written into it; the next entry starts a new one.
  private func sealArena() {
    guard !unsealed.isEmpty else { return }
    let chunk = arena
    arena = ByteBuffer()
    for i in unsealed { queue[i].chunk = chunk }
    unsealed.removeAll(keepingCapacity: true)
  }

  private func handle(_ ev: WalkedEvent, _ w: BinlogWalker<BinlogInput>) throws {
    if w.fileName != cachedPath {
      cachedPath = w.fileName
      cachedBase = binlogBaseName(w.fileName)
    }
    let file = cachedBase
    if !ev.inPayload {
      readPosition = BinlogPosition(baseName: file, offset: ev.fileEndOffset)
      if follow {
        switch ev.body {
        case .rotate(let r): (rotateTo, stopped) = (r.nextFile, false)
        case .stop: (rotateTo, stopped) = (nil, true)
        default: (rotateTo, stopped) = (nil, false)
        }
      }
    }
    schema?.consume(ev, file: w.fileName)
    if let mapped = try mapper.map(ev, walker: w),
      eventFilter.map({ $0(w.transaction, BinlogPosition(baseName: file, offset: ev.raw.offset)) }) ?? true
    {
      var capacity = 512
      if case .encodedRowChange(let b) = mapped.store { capacity += b.count }
      let position = BinlogPosition(baseName: file, offset: ev.raw.offset)
      let next = BinlogPosition(baseName: file, offset: ev.fileEndOffset)
      let before = queue.count
      if options.forClients || mapped.entryType == .gtidlog || mapped.entryType == .heartbeat {
        // The Entry's field in a buffer of its own (the encoded RowChange copied once); GTIDLOG
        // and HEARTBEAT entries, which the server never sends, stay out of the arena so that the
        // fields around them lie side by side.
        var writer = EntryFieldWriter(capacity: capacity)
        try mapped.appendFramedEntry(to: &writer, scratch: &scratch)
        let (chunk, range, size) = writer.finish()
        let item = CanalStreamEntry(
          chunk: chunk, fieldRange: range, size: size, mapped: mapped, path: paths[fileIndex], position: position,
          next: next, endsTransaction: w.transaction.ended)
        if options.forClients {
          filter.add(item, into: &queue)
        } else {
          queue.append(item)
        }
      } else {
        // After the fields before it in the arena (the encoded RowChange copied once).
        if arena.writableBytes < capacity {
          sealArena()
          arena = ByteBufferAllocator().buffer(capacity: Swift.max(capacity, Swift.min(Self.arenaSize, wantedBytes)))
        }
        // The writer's buffer is the only reference to the arena while it writes (else the
        // first write would copy it).
        var taken = ByteBuffer()
        swap(&taken, &arena)
        var writer = EntryFieldWriter(appendingTo: consume taken)
        do {
          try mapped.appendFramedEntry(to: &writer, scratch: &scratch)
        } catch {
          arena = writer.abandon()
          throw error
        }
        let (chunk, range, size) = writer.finish()
        arena = chunk
        // The chunk is set when the arena is sealed.
        queue.append(
          CanalStreamEntry(
            chunk: ByteBuffer(), fieldRange: range, size: size, mapped: mapped, path: paths[fileIndex],
            position: position, next: next, endsTransaction: w.transaction.ended))
        unsealed.append(queue.count - 1)
      }
      for i in before..<queue.count { queuedBytes += queue[i].size }
    }
    // Pause between top-level events only: a Transaction_payload's inner events are expanded
    // inside the walker and cannot be resumed halfway.
    if (queue.count - queueHead >= wanted || queuedBytes >= wantedBytes) && !ev.inPayload {
      if case .transactionPayload = ev.body { return }
      throw Pause()
    }
  }
}
