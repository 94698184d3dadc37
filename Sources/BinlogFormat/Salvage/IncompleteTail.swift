/// Tells a binlog whose last event is cut short (a file still being written, or cut by a crash)
/// from one whose event size field is damaged mid-file: both make an event "run past the end".
public enum IncompleteTail {
  /// How far past the short event a checksummed file is searched for a later intact event.
  package static let searchWindow = 64 << 20

  /// True when the event whose header is at `offset` can be the cut end of the file: its
  /// header is whole enough to give a size that runs past the end, and plausible (a defined
  /// type; with a position chain, a `log_pos` of 0 or its own end), and, when events carry
  /// CRC32s, no intact event (sane header, CRC32 valid) starts in the bytes after its header
  /// (there would be one after a damaged size field: the events that follow it).
  public static func isCut(_ bytes: UnsafeRawBufferPointer, at offset: Int, crc32: Bool, positionChain: Bool = false) -> Bool {
    guard offset >= 4, offset <= bytes.count else { return false }
    if offset + 19 <= bytes.count {
      let size = EventHeader.eventSize(in: bytes, at: offset)
      let check = IntactEventCheck(crc32: crc32, positionChain: positionChain)
      if !check.saneHeader(bytes, at: offset, size: size) { return false }
    }
    if !crc32 { return true }
    let end = Swift.min(bytes.count, offset + searchWindow)
    var p = offset + 19
    while p + 19 + 4 <= end {
      let size = EventHeader.eventSize(in: bytes, at: p)
      if size >= 23, size <= bytes.count - p, bytes[p + 4] != 0 {
        let n = size - 4
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: p + n, as: UInt32.self))
        if CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[p..<(p + n)])) == stored { return false }
      }
      p += 1
    }
    return true
  }
}
