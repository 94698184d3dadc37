/// Finds how a transaction ends by hopping over event headers ahead of it, so a streaming
/// exporter can put the xid on row lines without buffering the transaction.
public enum CommitLookahead {
  /// The xid of the open (BEGIN..) transaction whose next event starts at `offset`, or nil when
  /// it ends without one (COMMIT query, rollback, next GTID, end of input) or the bytes are
  /// malformed. A statement outside BEGIN/COMMIT carries its own xid (status variable), if any.
  public static func xid(in bytes: UnsafeRawBufferPointer, from offset: Int, format: FormatDescription, file: String) -> UInt64? {
    var pos = offset
    let h = format.headerLength
    let crc = format.checksum == .crc32 ? 4 : 0
    var steps = 0
    while pos + h <= bytes.count && steps < 10_000_000 {
      steps += 1
      let type = EventType(bytes[pos + 4])
      let size = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: pos + 9, as: UInt32.self)))
      guard size >= h, pos + size <= bytes.count else { return nil }
      switch type {
      case .xid:
        guard size - h - crc >= 8 else { return nil }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: pos + h, as: UInt64.self))
      case .gtid, .anonymousGTID, .gtidTagged, .mariaGTID, .rotate, .stop, .formatDescription:
        if steps > 1 { return nil }
      case .query, .queryCompressed:
        let raw = RawEvent(
          offset: UInt64(pos), header: EventHeader(v4: UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + 19)])),
          bytes: UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + size)]), headerLength: h, checksumLength: crc)
        if let q = try? QueryEvent(event: raw, format: format) {
          switch QueryKind.classify(q.queryBytes) {
          case .commit, .rollback, .xaPrepare: return q.statusVars.xid
          default: break  // BEGIN, SAVEPOINT, statements of the transaction
          }
        }
      case .transactionPayload:
        let raw = RawEvent(
          offset: UInt64(pos), header: EventHeader(v4: UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + 19)])),
          bytes: UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + size)]), headerLength: h, checksumLength: crc)
        guard let p = try? TransactionPayloadEvent(event: raw),
          let r = try? PayloadEventReader(payload: p, outer: raw, format: format, fileName: file)
        else { return nil }
        while let inner = try? r.next() {
          if inner.type == .xid, inner.body.count >= 8 {
            return UInt64(littleEndian: inner.body.loadUnaligned(as: UInt64.self))
          }
        }
        return nil
      default: break
      }
      pos += size
    }
    return nil
  }
}
