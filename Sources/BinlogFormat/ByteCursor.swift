/// A bounds-checked, little-endian reader over a borrowed byte range.
///
/// Every read checks the remaining length first and throws `BinlogError.truncated`
/// instead of reading past the end; sub-ranges are handed out as slices of the same
/// memory, never copied. The cursor does not own its bytes: the caller keeps them alive.
public struct ByteCursor {
  public let buffer: UnsafeRawBufferPointer
  public var position: Int

  @inlinable public init(_ buffer: UnsafeRawBufferPointer, position: Int = 0) {
    self.buffer = buffer
    self.position = position
  }

  @inlinable public var remaining: Int { buffer.count - position }
  @inlinable public var isAtEnd: Bool { position >= buffer.count }

  @inlinable public func need(_ n: Int, _ what: @autoclosure () -> String) throws(BinlogError) {
    if n < 0 || n > buffer.count - position {
      throw BinlogError(
        .truncated,
        "\(what()) needs \(n) bytes but only \(Swift.max(0, buffer.count - position)) remain",
        innerOffset: position)
    }
  }

  @inlinable public mutating func skip(_ n: Int, _ what: @autoclosure () -> String = "field") throws(BinlogError) {
    try need(n, what())
    position += n
  }

  @inlinable public mutating func u8(_ what: @autoclosure () -> String = "byte") throws(BinlogError) -> UInt8 {
    try need(1, what())
    defer { position += 1 }
    return buffer[position]
  }

  @inlinable public mutating func uint(
    _ width: Int, _ what: @autoclosure () -> String = "integer"
  ) throws(BinlogError) -> UInt64 {
    try need(width, what())
    defer { position += width }
    return ByteCursor.loadLE(buffer, position, width)
  }

  @inlinable public mutating func u16(_ what: @autoclosure () -> String = "uint16") throws(BinlogError) -> UInt16 {
    try need(2, what())
    defer { position += 2 }
    return UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt16.self))
  }

  @inlinable public mutating func u32(_ what: @autoclosure () -> String = "uint32") throws(BinlogError) -> UInt32 {
    try need(4, what())
    defer { position += 4 }
    return UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt32.self))
  }

  @inlinable public mutating func u64(_ what: @autoclosure () -> String = "uint64") throws(BinlogError) -> UInt64 {
    try need(8, what())
    defer { position += 8 }
    return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt64.self))
  }

  /// Big-endian unsigned integer of 1...8 bytes (DECIMAL, DATETIME2, TIME2 use big-endian).
  @inlinable public mutating func uintBE(
    _ width: Int, _ what: @autoclosure () -> String = "integer"
  ) throws(BinlogError) -> UInt64 {
    try need(width, what())
    var v: UInt64 = 0
    for i in 0..<width { v = (v << 8) | UInt64(buffer[position + i]) }
    position += width
    return v
  }

  /// MySQL length-encoded integer (packed integer). Returns nil for the NULL marker 0xFB.
  @inlinable public mutating func lengthEncoded(_ what: @autoclosure () -> String = "packed integer") throws(BinlogError)
    -> UInt64?
  {
    let first = try u8(what())
    switch first {
    case 0..<251: return UInt64(first)
    case 251: return nil
    case 252: return try uint(2, what())
    case 253: return try uint(3, what())
    case 254: return try uint(8, what())
    default:
      throw BinlogError(.malformed, "\(what()) has invalid first byte 0xff", innerOffset: position - 1)
    }
  }

  /// A length-encoded integer that must fit a byte count of this buffer.
  @inlinable public mutating func lengthEncodedCount(_ what: @autoclosure () -> String = "length") throws(BinlogError) -> Int {
    let start = position
    guard let v = try lengthEncoded(what()) else {
      throw BinlogError(.malformed, "\(what()) is NULL", innerOffset: start)
    }
    guard v <= UInt64(Int32.max) else {
      throw BinlogError(.malformed, "\(what()) \(v) is implausibly large", innerOffset: start)
    }
    return Int(v)
  }

  /// The next `n` bytes as a slice of the same memory.
  @inlinable public mutating func bytes(_ n: Int, _ what: @autoclosure () -> String = "bytes") throws(BinlogError)
    -> UnsafeRawBufferPointer
  {
    try need(n, what())
    defer { position += n }
    return UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)])
  }

  /// Everything from the current position to the end.
  @inlinable public mutating func rest() -> UnsafeRawBufferPointer {
    defer { position = buffer.count }
    return UnsafeRawBufferPointer(rebasing: buffer[position..<buffer.count])
  }

  /// A cursor over the next `n` bytes, advancing this one past them.
  @inlinable public mutating func subCursor(_ n: Int, _ what: @autoclosure () -> String = "block") throws(BinlogError)
    -> ByteCursor
  {
    ByteCursor(try bytes(n, what()))
  }

  @inlinable public mutating func string(_ n: Int, _ what: @autoclosure () -> String = "string") throws(BinlogError) -> String {
    String(decoding: try bytes(n, what()), as: UTF8.self)
  }

  /// A string that ends at the first NUL or at `n` bytes, consuming exactly `n` bytes.
  @inlinable public mutating func fixedString(_ n: Int, _ what: @autoclosure () -> String = "string") throws(BinlogError)
    -> String
  {
    let b = try bytes(n, what())
    let end = b.firstIndex(of: 0) ?? b.count
    return String(decoding: UnsafeRawBufferPointer(rebasing: b[0..<end]), as: UTF8.self)
  }

  @inlinable static func loadLE(_ b: UnsafeRawBufferPointer, _ at: Int, _ width: Int) -> UInt64 {
    var v: UInt64 = 0
    var i = width - 1
    while i >= 0 {
      v = (v << 8) | UInt64(b[at + i])
      i -= 1
    }
    return v
  }
}
