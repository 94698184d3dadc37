/// Tells whether the bytes at an offset look like an intact event, without a reader: used to
/// resynchronise after damage (`CorruptRegionScan`) and to tell a cut file from a damaged one
/// (`IncompleteTail`).
public struct IntactEventCheck: Sendable {
  /// The events carry CRC32 trailers: an intact event's trailer matches its bytes.
  public var crc32: Bool
  /// The file's events carry their end offset in `log_pos` (a server's own binlog; not relay
  /// logs, which carry the source's positions). MariaDB 11.4 writes 0 inside transactions.
  public var positionChain: Bool
  /// The common header length (19 in v4).
  public var headerLength: Int
  /// The largest event accepted (`ReaderOptions.maxEventSize`).
  public var maxEventSize: UInt64

  public init(crc32: Bool, positionChain: Bool, headerLength: Int = 19, maxEventSize: UInt64 = 1 << 30) {
    self.crc32 = crc32
    self.positionChain = positionChain
    self.headerLength = headerLength
    self.maxEventSize = maxEventSize
  }

  /// The check that fits a file: CRC32 when its format says so, the position chain when its
  /// Format_description at offset 4 ends where its `log_pos` says.
  public init(bytes: UnsafeRawBufferPointer, format: FormatDescription, maxEventSize: UInt64 = 1 << 30) {
    var chain = false
    if bytes.count >= 4 + 19 {
      let h = EventHeader(v4: UnsafeRawBufferPointer(rebasing: bytes[4..<23]))
      chain = h.type == .formatDescription && UInt64(h.nextPosition) == 4 + UInt64(h.eventSize)
    }
    self.init(
      crc32: format.checksum == .crc32, positionChain: chain, headerLength: Swift.max(19, format.headerLength),
      maxEventSize: maxEventSize)
  }

  /// A type code some server writes (a damaged region rarely has one in the right place).
  @inlinable public static func isDefined(_ type: UInt8) -> Bool {
    (1...42).contains(type) || (160...171).contains(type)
  }

  /// True when the header at `offset` is plausible: a defined type, a size within bounds and,
  /// with the chain, a `log_pos` of 0 or the event's end. Says nothing of the body.
  public func saneHeader(_ bytes: UnsafeRawBufferPointer, at offset: Int, size: Int) -> Bool {
    guard offset >= 4, offset + 19 <= bytes.count else { return false }
    guard IntactEventCheck.isDefined(bytes[offset + 4]) else { return false }
    guard size >= headerLength + (crc32 ? 4 : 0), UInt64(size) <= maxEventSize else { return false }
    if positionChain {
      let next = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 13, as: UInt32.self)))
      if next != 0 && next != UInt64(offset) + UInt64(size) { return false }
    }
    return true
  }

  /// The size of the intact event at `offset` (sane header, whole in the bytes, CRC32 valid
  /// when the events carry one), or nil.
  public func eventSize(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int? {
    guard offset >= 4, offset + 19 <= bytes.count else { return nil }
    let size = EventHeader.eventSize(in: bytes, at: offset)
    guard saneHeader(bytes, at: offset, size: size), size <= bytes.count - offset else { return nil }
    if crc32 {
      let n = size - 4
      let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + n, as: UInt32.self))
      guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])) == stored else { return nil }
    }
    return size
  }

  /// True when `count` intact events follow each other from `offset` (fewer when the bytes end
  /// exactly after the last of them): where a reader can pick up after damage.
  public func isResyncPoint(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int = 3) -> Bool {
    var p = offset
    for _ in 0..<count {
      guard let size = eventSize(bytes, at: p) else { return false }
      p += size
      if p == bytes.count { return true }
    }
    return true
  }
}
