import BinlogFormat

/// Writes protobuf bytes into memory reserved beforehand for exactly the message being written:
/// a store and a pointer bump per byte, no capacity or uniqueness check. The writers size what
/// they write first (`EntryEncoding.varintSize`/`intSize`), reserve it, then write, and check
/// at the end that the size was right (`finish(expecting:)`).
struct ProtobufWriter {
  private(set) var position: UnsafeMutableRawPointer

  init(_ start: UnsafeMutableRawPointer) { position = start }

  @inline(__always) mutating func byte(_ b: UInt8) {
    position.storeBytes(of: b, as: UInt8.self)
    position += 1
  }

  /// Two bytes at once (a tag and a one-byte value).
  @inline(__always) mutating func bytes(_ a: UInt8, _ b: UInt8) {
    position.storeBytes(of: UInt16(a) | UInt16(b) << 8, as: UInt16.self)
    position += 2
  }

  @inline(__always) mutating func varint(_ v: UInt64) {
    var x = v
    while x >= 0x80 {
      byte(UInt8(truncatingIfNeeded: x) | 0x80)
      x >>= 7
    }
    byte(UInt8(x))
  }

  @inline(__always) mutating func ascii(_ s: StaticString) {
    s.withUTF8Buffer { bytes(UnsafeRawBufferPointer($0)) }
  }

  /// Moves past `n` bytes written at `position` by other code.
  @inline(__always) mutating func skip(_ n: Int) { position += n }

  /// int32/int64/enum values: negative ones are 10-byte two's-complement varints.
  @inline(__always) mutating func int(_ v: Int64) { varint(UInt64(bitPattern: v)) }

  @inline(__always) mutating func bytes(_ b: UnsafeRawBufferPointer) {
    let n = b.count
    guard n > 0, let src = b.baseAddress else { return }
    // Names, type texts and short values: overlapping word copies instead of a memmove call.
    RawTextBuffer.copy(src, n, to: position)
    position += n
  }

  /// A length-delimited field: `tag`, the length, the bytes (written even when empty).
  @inline(__always) mutating func field(_ tag: UInt8, _ b: UnsafeRawBufferPointer) {
    byte(tag)
    varint(UInt64(b.count))
    bytes(b)
  }

  /// A string field, omitted when empty (proto3).
  @inline(__always) mutating func string(_ tag: UInt8, _ s: String) {
    if s.isEmpty { return }
    var s = s
    s.withUTF8 { field(tag, UnsafeRawBufferPointer($0)) }
  }

  /// Traps when the bytes written from `start` are not `expected`: a sizing bug would otherwise
  /// write past the reserved memory or leave garbage in it.
  func finish(from start: UnsafeMutableRawPointer, expecting expected: Int) -> Int {
    let written = position - start
    precondition(written == expected, "protobuf writer: sized \(expected) bytes, wrote \(written)")
    return written
  }
}
