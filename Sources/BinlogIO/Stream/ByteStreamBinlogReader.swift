import BinlogFormat

/// Reads events front to back from a `DecompressedByteStream`: stdin, pipes, `.gz` files and
/// zstd files without a seek table (`zstd binlog.000001`, or any archive piped in; several
/// frames and skippable frames are fine). Bytes that are neither zstd nor gzip pass through, so
/// a pipe can carry a plain or a compressed binlog. Events are views into one `ByteWindow` that
/// grows only to the largest event seen; each is valid until the next call to `next()`.
public final class ByteStreamBinlogReader: EventSource {
  public let bytes: DecompressedByteStream
  public var framer: EventFramer
  public private(set) var position: UInt64 = 0
  private var window = ByteWindow(capacity: 1 << 20)
  /// Bytes read from the stream ahead of `window` to look for a transaction's xid (see
  /// `lookaheadXid`); `fill` takes them before reading the stream again.
  private var ahead = ByteWindow(capacity: 16)
  /// Scratch for a looked-at range that spans `window` and `ahead`.
  private var straddle = ByteWindow(capacity: 64)
  private var eof = false
  /// Type of the event `next()` returned last.
  private var lastType: EventType?
  /// Raised by the byte stream; thrown once the bytes before it are used up.
  private var pendingError: BinlogError?

  public var name: String { framer.name }
  public var format: FormatDescription { framer.format }
  public var checksumsVerified: Int { framer.checksumsVerified }

  /// `name` names the events (the original binlog's name); errors about the compressed bytes
  /// carry the stream's own name.
  public init(bytes: DecompressedByteStream, name: String, options: ReaderOptions = ReaderOptions()) throws(BinlogError) {
    self.bytes = bytes
    framer = EventFramer(name: name, options: options)
    try fill(4)
    let decompressed = bytes.compression == .none ? "" : " after \(bytes.compression.rawValue) decompression"
    if window.available == 0 {
      if let e = pendingError { throw e }
      throw BinlogError(.notABinlog, "empty input (0 bytes\(decompressed)): not a binlog", file: bytes.name, offset: 0)
    }
    let b = window.bytes(window.available)
    if b.count < 4 || !zip(b.prefix(4), binlogMagic).allSatisfy({ $0 == $1 }) {
      throw BinlogError(.notABinlog, "Not a valid binary log: bad magic bytes\(decompressed)", file: bytes.name, offset: 0)
    }
    window.consume(4)
    position = 4
  }

  /// Reads `input` (a mapped file, or a descriptor such as stdin), decompressing it when it is
  /// zstd or gzip. `name` names the events; `streamName` (default: `name`) the input in errors
  /// about its compressed bytes.
  public convenience init(
    input: DecompressedByteStream.Input, name: String, streamName: String? = nil, options: ReaderOptions = ReaderOptions()
  ) throws(BinlogError) {
    try self.init(bytes: DecompressedByteStream(input: input, name: streamName ?? name), name: name, options: options)
  }

  /// Makes at least `n` bytes available, unless the input ends (or breaks) first.
  private func fill(_ n: Int) throws(BinlogError) {
    if eof && ahead.available == 0 { return }
    try window.fill(n) { (free) throws(BinlogError) -> Int in
      if ahead.available > 0 {
        let k = Swift.min(free.count, ahead.available)
        free.baseAddress!.copyMemory(from: ahead.bytes(k).baseAddress!, byteCount: k)
        ahead.consume(k)
        return k
      }
      return readStream(into: free)
    }
  }

  /// Reads the stream (0 at its end, or after an error, which waits in `pendingError`).
  private func readStream(into free: UnsafeMutableRawBufferPointer) -> Int {
    if eof { return 0 }
    var r = 0
    do throws(BinlogError) {
      r = try bytes.read(into: free)
    } catch {
      pendingError = error
    }
    if r == 0 { eof = true }
    return r
  }

  /// Most bytes read ahead of the reader to find one xid: a transaction whose commit is further
  /// away than this in a stream gets no xid (a mapped file or an archive has no such limit).
  public static let lookaheadLimit = 32 << 20

  /// `count` bytes at stream offset `offset`, from the bytes still in the window (including the
  /// events just handed out) or read ahead of it; nil before them, past the end, or beyond
  /// `lookaheadLimit`. Valid until the next call or `next()`.
  fileprivate func peek(at offset: UInt64, count: Int) -> UnsafeRawBufferPointer? {
    let windowStart = position - UInt64(window.retained)
    let aheadStart = position + UInt64(window.available)
    guard offset >= windowStart else { return nil }
    let end = offset + UInt64(count)
    if end <= aheadStart {
      return window.bytes(relative: Int(Int64(bitPattern: offset &- position)), count: count)
    }
    // Read far enough ahead.
    let needAhead = Int(end - aheadStart)
    if needAhead > Self.lookaheadLimit { return nil }
    if ahead.available < needAhead {
      try? ahead.fill(needAhead) { free in readStream(into: free) }
      if ahead.available < needAhead { return nil }
    }
    if offset >= aheadStart {
      return ahead.bytes(relative: Int(offset - aheadStart), count: count)
    }
    // The range starts in the window and ends ahead of it.
    let first = Int(aheadStart - offset)
    let head = window.bytes(relative: Int(Int64(bitPattern: offset &- position)), count: first)
    let tail = ahead.bytes(relative: 0, count: count - first)
    straddle.consume(straddle.available)
    var parts = [head, tail][...]
    try? straddle.fill(count) { free in
      guard let part = parts.popFirst() else { return 0 }
      free.baseAddress!.copyMemory(from: part.baseAddress!, byteCount: part.count)
      return part.count
    }
    return straddle.bytes(count)
  }

  public func next() throws(BinlogError) -> RawEvent? {
    let need = framer.headerNeed
    try fill(need)
    let available = window.available
    if available == 0 {
      if let e = pendingError { throw e }
      return nil
    }
    if available < need {
      if let e = pendingError { throw e }
      throw BinlogError(
        .truncated, "only \(available) bytes left where a \(need)-byte event header should be: input truncated",
        file: name, offset: position)
    }
    let hb = window.bytes(need)
    let header = need == 13 ? EventHeader(v1: hb) : EventHeader(v4: hb)
    let size = Int(header.eventSize)
    if UInt64(size) <= framer.options.maxEventSize { try fill(size) }
    if window.available < size, let e = pendingError { throw e }
    let sz = try framer.eventSize(header: header, offset: position, available: window.available)
    let ev: RawEvent
    do {
      ev = try framer.accept(offset: position, header: header, bytes: window.bytes(sz))
    } catch {
      // Framing is intact after a checksum mismatch: step over the event (see MappedBinlogReader).
      if error.kind == .checksumMismatch {
        window.consume(sz)
        position += UInt64(sz)
      }
      throw error
    }
    window.consume(sz)
    position += UInt64(sz)
    lastType = header.type
    return ev
  }
}

extension ByteStreamBinlogReader: CompressedBinlogSource {
  public var bytesTouched: UInt64 { position }
  public var originalSize: UInt64? { nil }
  public var isSeekable: Bool { false }

  public func seek(to offset: UInt64) throws(BinlogError) {
    if bytes.compression == .zstd {
      throw BinlogError(
        .unsupported, "cannot seek in a zstd stream without a seek table; 'sluice archive' writes seekable archives",
        file: name)
    }
    throw BinlogError(.unsupported, "cannot seek in a stream; positions apply to files and seekable archives", file: name)
  }

  /// The xid of the transaction whose next event is at `offset`, read ahead of the stream
  /// (`CommitLookahead`) within `lookaheadLimit`; the bytes read stay queued for `next()`. An
  /// offset whose bytes already left the window is taken as the reader's position (the events
  /// between are the transaction's own), except for a compressed payload, whose xid is inside it.
  public func lookaheadXid(from offset: UInt64) -> UInt64? {
    var from = offset
    if offset < position - UInt64(window.retained) {
      if lastType == .transactionPayload { return nil }
      from = position
    }
    var look = StreamLookahead(reader: self)
    return CommitLookahead.xid(in: &look, from: from, format: framer.format, file: name)
  }
  public func eventSize(at offset: UInt64) -> Int? { nil }
}

/// A stream's bytes for `CommitLookahead`: what the reader still holds, and more read ahead.
private struct StreamLookahead: LookaheadBytes {
  let reader: ByteStreamBinlogReader
  var totalCount: UInt64 { .max }
  mutating func bytes(at offset: UInt64, count: Int) -> UnsafeRawBufferPointer? { reader.peek(at: offset, count: count) }
}
