import CZstd

/// Transaction_payload_event (40, MySQL 8.0.20+ binlog_transaction_compression): a header of
/// type-length-value fields, then the (usually zstd-compressed) inner events of one transaction.
public struct TransactionPayloadEvent {
  public enum Compression: Sendable, Equatable {
    case zstd
    case none
    case other(UInt64)
    public var name: String {
      switch self {
      case .zstd: return "ZSTD"
      case .none: return "NONE"
      case .other(let v): return "UNKNOWN(\(v))"
      }
    }
  }
  public var compression: Compression = .zstd
  public var uncompressedSize: UInt64 = 0
  public var payloadSize: UInt64 = 0
  /// The payload bytes (a view into the event).
  public var payload: UnsafeRawBufferPointer

  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    var declaredSize: UInt64?
    while true {
      let type = try c.lengthEncoded("payload header field type") ?? 0
      if type == 0 { break }  // OTW_PAYLOAD_HEADER_END_MARK
      let len = try c.lengthEncodedCount("payload header field length")
      var f = try c.subCursor(len, "payload header field \(type)")
      // Values are packed integers themselves (net_store_length).
      let v = try f.lengthEncoded("payload header field \(type) value") ?? 0
      switch type {
      case 1: declaredSize = v
      case 2: compression = v == 0 ? .zstd : v == 255 ? .none : .other(v)
      case 3: uncompressedSize = v
      default: break
      }
    }
    payload = c.rest()
    payloadSize = declaredSize ?? UInt64(payload.count)
    if let declaredSize, declaredSize != UInt64(payload.count) {
      throw BinlogError(
        .malformed, "payload size field says \(declaredSize) bytes but \(payload.count) follow the header")
    }
  }
}

/// Streams the inner events of a Transaction_payload one at a time, decompressing into a
/// `ByteWindow` that grows only to the largest inner event (never the whole transaction).
public final class PayloadEventReader {
  private let compression: TransactionPayloadEvent.Compression
  private let outer: RawEvent
  private let format: FormatDescription
  private let fileName: String
  private var dctx: OpaquePointer?
  private var input: ZSTD_inBuffer
  private var window = ByteWindow(capacity: 256 * 1024)
  private var streamDone = false
  /// The largest inner event accepted, and the payload's declared uncompressed size (0: none).
  private let maxEventSize: UInt64
  private let declaredSize: UInt64
  /// Offset of the next inner event within the uncompressed payload.
  public private(set) var innerOffset: UInt64 = 0
  /// Total uncompressed bytes produced so far.
  public private(set) var produced: UInt64 = 0

  public init(
    payload: TransactionPayloadEvent, outer: RawEvent, format: FormatDescription, fileName: String,
    maxEventSize: UInt64 = 1 << 30
  ) throws(BinlogError) {
    self.compression = payload.compression
    self.maxEventSize = maxEventSize
    self.declaredSize = payload.uncompressedSize
    self.outer = outer
    self.format = format
    self.fileName = fileName
    input = ZSTD_inBuffer(src: payload.payload.baseAddress, size: payload.payload.count, pos: 0)
    switch compression {
    case .zstd:
      guard let d = ZSTD_createDCtx() else { throw BinlogError(.io, "cannot create a zstd decompression context") }
      dctx = d
    case .none:
      dctx = nil
    case .other(let v):
      throw BinlogError(
        .unsupported, "unknown transaction payload compression type \(v)", file: fileName, offset: outer.offset,
        eventType: outer.type)
    }
  }

  deinit {
    if let dctx { ZSTD_freeDCtx(dctx) }
  }

  private func fail(_ msg: String) -> BinlogError {
    BinlogError(.malformed, msg, file: fileName, offset: outer.offset, eventType: outer.type)
  }

  /// Ensures `n` bytes are available in the window, decompressing more as needed.
  private func fill(_ n: Int) throws(BinlogError) {
    if streamDone { return }
    try window.fill(n) { (free) throws(BinlogError) -> Int in
      while !streamDone {
        let k = try produce(into: free)
        if k > 0 { return k }
      }
      return 0
    }
  }

  /// Decompresses (or copies) the next bytes of the payload into `free`; 0 when nothing came
  /// out this time, with `streamDone` set at the end of the payload.
  private func produce(into free: UnsafeMutableRawBufferPointer) throws(BinlogError) -> Int {
    guard let dctx else {
      let take = Swift.min(free.count, input.size - input.pos)
      if take == 0 {
        streamDone = true
        return 0
      }
      free.baseAddress!.copyMemory(from: input.src! + input.pos, byteCount: take)
      input.pos += take
      produced += UInt64(take)
      return take
    }
    var out = ZSTD_outBuffer(dst: free.baseAddress, size: free.count, pos: 0)
    let before = input.pos
    let rc = ZSTD_decompressStream(dctx, &out, &input)
    if ZSTD_isError(rc) != 0 {
      throw fail("zstd payload is corrupt: \(String(cString: ZSTD_getErrorName(rc)))")
    }
    produced += UInt64(out.pos)
    if rc == 0 && input.pos == input.size { streamDone = true }
    if out.pos == 0 && input.pos == before && input.pos == input.size {
      if rc != 0 { throw fail("zstd payload ends before its frame does (truncated)") }
      streamDone = true
    }
    return out.pos
  }

  /// The next inner event, or nil at the end of the payload. Inner events carry no checksum;
  /// their bytes are valid until the next call.
  public func next() throws(BinlogError) -> RawEvent? {
    try fill(19)
    let available = window.available
    if available == 0 { return nil }
    if available < 19 { throw fail("payload ends inside an inner event header (\(available) bytes left)") }
    let header = EventHeader(v4: window.bytes(19))
    let size = Int(header.eventSize)
    guard size >= 19 else { throw fail("inner event at payload offset \(innerOffset) has size \(size)") }
    // Checked before any byte of it is decompressed: a few KiB of zstd can claim gigabytes.
    guard UInt64(size) <= maxEventSize else {
      throw fail(
        "inner \(header.type.name) event at payload offset \(innerOffset) claims \(size) bytes, more than --max-event-size (\(maxEventSize) bytes)"
      )
    }
    if declaredSize > 0 && UInt64(size) > declaredSize - Swift.min(declaredSize, innerOffset) {
      throw fail(
        "inner \(header.type.name) event at payload offset \(innerOffset) claims \(size) bytes, past the payload's declared uncompressed size (\(declaredSize) bytes)"
      )
    }
    try fill(size)
    guard window.available >= size else {
      throw fail("payload ends inside an inner \(header.type.name) event at payload offset \(innerOffset)")
    }
    let ev = RawEvent(offset: outer.offset, header: header, bytes: window.bytes(size), headerLength: 19, checksumLength: 0)
    window.consume(size)
    innerOffset += UInt64(size)
    return ev
  }
}
