/// Finds how a transaction ends by hopping over event headers ahead of it, so a streaming
/// exporter can put the xid on row lines without buffering the transaction.
public enum CommitLookahead {
  /// The xid of the transaction whose next event starts at `offset`, or nil when it ends
  /// without one (COMMIT query, rollback, next GTID, end of input) or the bytes are malformed.
  public static func xid(in bytes: UnsafeRawBufferPointer, from offset: Int, format: FormatDescription, file: String) -> UInt64? {
    var pos = offset
    let h = format.headerLength
    let crc = format.checksum == .crc32 ? 4 : 0
    var steps = 0
    // Whether the transaction is explicit (BEGIN, or a MariaDB GTID that is not standalone);
    // outside one, a statement's rows end with its STMT_END_F rows event, with no xid.
    var explicit = false
    while pos + h <= bytes.count && steps < 10_000_000 {
      steps += 1
      let type = EventType(bytes[pos + 4])
      let size = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: pos + 9, as: UInt32.self)))
      guard size >= h, pos + size <= bytes.count else { return nil }
      switch type {
      case .xid:
        guard size - h - crc >= 8 else { return nil }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: pos + h, as: UInt64.self))
      case .mariaGTID:
        if steps > 1 { return nil }
        // Body: seq_no (8), domain (4), flags (1); FL_STANDALONE = 1.
        if size - h >= 13 { explicit = bytes[pos + h + 12] & 1 == 0 }
      case .gtid, .anonymousGTID, .gtidTagged, .rotate, .stop, .formatDescription:
        if steps > 1 { return nil }
      case .query, .queryCompressed:
        let raw = RawEvent(
          offset: UInt64(pos), header: EventHeader(v4: UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + 19)])),
          bytes: UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + size)]), headerLength: h, checksumLength: crc)
        if let q = try? QueryEvent(event: raw, format: format) {
          switch QueryKind.classify(q.queryBytes) {
          case .commit, .rollback, .xaPrepare: return q.statusVars.xid
          case .begin: explicit = true
          case .savepoint: break
          default:
            if steps == 1 { return q.statusVars.xid }  // a standalone statement
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
      default:
        if !explicit, type.rowsKind != nil {
          let tableIDLength = format.postHeaderLength(type) == 6 ? 4 : 6
          guard size - h >= tableIDLength + 2 else { return nil }
          let flags = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: pos + h + tableIDLength, as: UInt16.self))
          if flags & RowsEvent.flagStatementEnd != 0 { return nil }
        }
      }
      pos += size
    }
    return nil
  }
}
