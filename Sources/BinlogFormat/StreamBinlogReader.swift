#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads events from a file descriptor that cannot be mapped (stdin, a pipe), through one
/// reusable buffer that grows only to the largest event seen. Each event is valid until the
/// next call to `next()`.
public final class StreamBinlogReader: EventSource {
  public let fd: Int32
  public var framer: EventFramer
  public private(set) var position: UInt64 = 0
  private var buffer: UnsafeMutableRawPointer
  private var capacity: Int
  private var start = 0  // first unconsumed byte in buffer
  private var end = 0  // one past last valid byte
  private var eof = false

  public var name: String { framer.name }
  public var format: FormatDescription { framer.format }

  public init(fd: Int32, name: String = "-", options: ReaderOptions = ReaderOptions()) throws(BinlogError) {
    self.fd = fd
    framer = EventFramer(name: name, options: options)
    capacity = 1 << 20
    buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    try fill(4)
    if end - start == 0 {
      throw BinlogError(.notABinlog, "empty input (0 bytes): not a binlog", file: name, offset: 0)
    }
    let b = UnsafeRawBufferPointer(start: buffer + start, count: end - start)
    if b.count < 4 || !zip(b.prefix(4), binlogMagic).allSatisfy({ $0 == $1 }) {
      throw BinlogError(.notABinlog, "Not a valid binary log: bad magic bytes", file: name, offset: 0)
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
        (buffer).copyMemory(from: buffer + start, byteCount: end - start)
      }
      end -= start
      start = 0
    }
    while end - start < n {
      let r = read(fd, buffer + end, capacity - end)
      if r < 0 {
        if errno == EINTR { continue }
        throw BinlogError(.io, "read error: \(String(cString: strerror(errno)))", file: name, offset: position)
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
    if available == 0 { return nil }
    if available < need {
      throw BinlogError(
        .truncated, "only \(available) bytes left where a \(need)-byte event header should be: input truncated",
        file: name, offset: position)
    }
    let hb = UnsafeRawBufferPointer(start: buffer + start, count: need)
    let header = need == 13 ? EventHeader(v1: hb) : EventHeader(v4: hb)
    let size = Int(header.eventSize)
    if size <= (1 << 30) { try fill(size) }
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
