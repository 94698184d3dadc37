/// Reads events front to back from a `DecompressedByteStream` (stdin, a pipe, a `.gz` file):
/// the same framing as `StreamBinlogReader`, through one reusable buffer that grows only to
/// the largest event seen. Each event is valid until the next call to `next()`.
public final class ByteStreamBinlogReader: EventSource {
  public let bytes: DecompressedByteStream
  public var framer: EventFramer
  public private(set) var position: UInt64 = 0
  private var buffer: UnsafeMutableRawPointer
  private var capacity: Int
  private var start = 0
  private var end = 0
  private var eof = false
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
    capacity = 1 << 20
    buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    try fill(4)
    let decompressed = bytes.compression == .none ? "" : " after \(bytes.compression.rawValue) decompression"
    if end - start == 0 {
      if let e = pendingError { throw e }
      throw BinlogError(.notABinlog, "empty input (0 bytes\(decompressed)): not a binlog", file: bytes.name, offset: 0)
    }
    let b = UnsafeRawBufferPointer(start: buffer + start, count: end - start)
    if b.count < 4 || !zip(b.prefix(4), binlogMagic).allSatisfy({ $0 == $1 }) {
      throw BinlogError(.notABinlog, "Not a valid binary log: bad magic bytes\(decompressed)", file: bytes.name, offset: 0)
    }
    start += 4
    position = 4
  }

  deinit { buffer.deallocate() }

  /// Makes at least `n` bytes available from `start`, unless the input ends first.
  private func fill(_ n: Int) throws(BinlogError) {
    if end - start >= n || eof { return }
    if n > capacity - start {
      if n > capacity {
        var newCap = capacity
        while newCap < n { newCap *= 2 }
        let nb = UnsafeMutableRawPointer.allocate(byteCount: newCap, alignment: 16)
        nb.copyMemory(from: buffer + start, byteCount: end - start)
        buffer.deallocate()
        buffer = nb
        capacity = newCap
      } else {
        buffer.copyMemory(from: buffer + start, byteCount: end - start)
      }
      end -= start
      start = 0
    }
    while end - start < n {
      let r: Int
      do {
        r = try bytes.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
      } catch {
        pendingError = error
        eof = true
        return
      }
      if r == 0 {
        eof = true
        return
      }
      end += r
    }
  }

  public func next() throws(BinlogError) -> RawEvent? {
    let need = framer.headerNeed
    try fill(need)
    let available = end - start
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
    let hb = UnsafeRawBufferPointer(start: buffer + start, count: need)
    let header = need == 13 ? EventHeader(v1: hb) : EventHeader(v4: hb)
    let size = Int(header.eventSize)
    if size <= (1 << 30) { try fill(size) }
    if end - start < size, let e = pendingError { throw e }
    let sz = try framer.eventSize(header: header, offset: position, available: end - start)
    let bytes = UnsafeRawBufferPointer(start: buffer + start, count: sz)
    let ev: RawEvent
    do {
      ev = try framer.accept(offset: position, header: header, bytes: bytes)
    } catch {
      // Framing is intact after a checksum mismatch: step over the event (see MappedBinlogReader).
      if error.kind == .checksumMismatch {
        start += sz
        position += UInt64(sz)
      }
      throw error
    }
    start += sz
    position += UInt64(sz)
    return ev
  }
}

extension ByteStreamBinlogReader: CompressedBinlogSource {
  public var bytesTouched: UInt64 { position }
  public var originalSize: UInt64? { nil }
  public var isSeekable: Bool { false }

  public func seek(to offset: UInt64) throws(BinlogError) {
    throw BinlogError(.unsupported, "cannot seek in a stream; positions apply to files and seekable archives", file: name)
  }

  public func lookaheadXid(from offset: UInt64) -> UInt64? { nil }
  public func eventSize(at offset: UInt64) -> Int? { nil }
}
