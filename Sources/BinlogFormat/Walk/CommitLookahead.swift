/// Finds how a transaction ends by hopping over event headers ahead of it, so a streaming
/// exporter can put the xid on row lines without buffering the transaction. One walk for every
/// source that can look ahead: a mapped file, or a seekable archive's frames.
public enum CommitLookahead {
  /// The xid of the open (BEGIN..) transaction whose next event starts at `offset`, or nil when
  /// it ends without one (COMMIT query, rollback, next GTID, end of input) or the bytes are
  /// malformed. A statement outside BEGIN/COMMIT carries its own xid (status variable), if any.
  public static func xid(in bytes: UnsafeRawBufferPointer, from offset: Int, format: FormatDescription, file: String) -> UInt64? {
    var mapped = MappedLookahead(bytes: bytes)
    return xid(in: &mapped, from: UInt64(offset), format: format, file: file)
  }

  /// The same walk over any `LookaheadBytes`.
  public static func xid<Bytes: LookaheadBytes>(
    in bytes: inout Bytes, from offset: UInt64, format: FormatDescription, file: String
  ) -> UInt64? {
    let total = bytes.totalCount
    var pos = offset
    let h = format.headerLength
    let crc = format.checksum == .crc32 ? 4 : 0
    var steps = 0
    while pos + UInt64(h) <= total && steps < 10_000_000 {
      steps += 1
      guard let hb = bytes.bytes(at: pos, count: 19) else { return nil }
      let header = EventHeader(v4: hb)
      let size = Int(header.eventSize)
      guard size >= h, pos + UInt64(size) <= total else { return nil }
      switch header.type {
      case .xid:
        guard size - h - crc >= 8, let b = bytes.bytes(at: pos + UInt64(h), count: 8) else { return nil }
        return UInt64(littleEndian: b.loadUnaligned(as: UInt64.self))
      case .gtid, .anonymousGTID, .gtidTagged, .mariaGTID, .rotate, .stop, .formatDescription:
        if steps > 1 { return nil }
      case .query, .queryCompressed:
        guard let b = bytes.bytes(at: pos, count: size) else { return nil }
        let raw = RawEvent(offset: pos, header: header, bytes: b, headerLength: h, checksumLength: crc)
        if let q = try? QueryEvent(event: raw, format: format) {
          switch QueryKind.classify(q.queryBytes) {
          case .commit, .rollback, .xaPrepare: return q.statusVars.xid
          default: break  // BEGIN, SAVEPOINT, statements of the transaction
          }
        }
      case .transactionPayload:
        guard let b = bytes.bytes(at: pos, count: size) else { return nil }
        let raw = RawEvent(offset: pos, header: header, bytes: b, headerLength: h, checksumLength: crc)
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
      pos += UInt64(size)
    }
    return nil
  }
}

/// Random access to a binlog's bytes for looking ahead of a reader.
public protocol LookaheadBytes {
  /// Size of the whole binlog.
  var totalCount: UInt64 { get }
  /// `count` bytes at `offset`, valid until the next call; nil when they cannot be read.
  mutating func bytes(at offset: UInt64, count: Int) -> UnsafeRawBufferPointer?
}

/// A mapped binlog's bytes, looked at in place.
public struct MappedLookahead: LookaheadBytes {
  public let bytes: UnsafeRawBufferPointer
  /// With a mapping: the pages walked past beyond `releasedUpTo` are given back as the walk goes.
  private let pages: (any PageReleasing)?
  private var releasedUpTo: UInt64

  public init(bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
    pages = nil
    releasedUpTo = .max
  }

  /// Over mapped `bytes`, giving back to `pages` (their mapping) every 4 MiB it has walked past
  /// beyond `keep`: the walk over a long transaction ahead of a reader would otherwise fault the
  /// whole transaction in.
  public init(bytes: UnsafeRawBufferPointer, releasing pages: any PageReleasing, keepingUpTo keep: UInt64) {
    self.bytes = bytes
    self.pages = pages
    releasedUpTo = keep
  }

  public var totalCount: UInt64 { UInt64(bytes.count) }

  public mutating func bytes(at offset: UInt64, count: Int) -> UnsafeRawBufferPointer? {
    guard offset + UInt64(count) <= UInt64(bytes.count) else { return nil }
    if let pages, offset >= releasedUpTo &+ (4 << 20) {
      pages.dontNeed(offset: Int(releasedUpTo), length: Int(offset - releasedUpTo))
      releasedUpTo = offset
    }
    return UnsafeRawBufferPointer(rebasing: bytes[Int(offset)..<(Int(offset) + count)])
  }
}

/// Whether the transaction starting at an offset ends within the bytes there are: a file still
/// being written (or cut at an event boundary) ends with one that has no commit yet.
public enum TransactionEnd: Sendable, Equatable {
  /// It ends; the next transaction (or the file's closing events) starts at `next`.
  case complete(next: UInt64)
  /// The bytes end, at an event boundary, before its commit.
  case incomplete
  /// The bytes end inside one of its events (a file being written, or cut mid-event).
  case cutMidEvent
  /// The bytes there are not well-formed events: the reader will report it.
  case malformed
}

extension CommitLookahead {
  /// How the transaction whose first event starts at `offset` ends, by the rules of
  /// `BinlogWalker.track`: an Xid, COMMIT/ROLLBACK/XA PREPARE, a statement or a STMT_END rows
  /// event outside BEGIN, a Transaction_payload, or the next GTID/Rotate/Stop/Format_description.
  ///
  /// `growing` (a file being followed): an event that runs past the end is one the server is
  /// still writing (`cutMidEvent`), without the checks that tell a cut file from a damaged size
  /// field (they need the log_pos chain or the bytes after it, which are not written yet).
  ///
  /// `pages`: the mapping of `bytes`, whose pages the walk gives back every 4 MiB it walks past
  /// (a long transaction ahead of the reader would otherwise be faulted in whole).
  ///
  /// `maxEventSize`: with `growing`, an event that runs past the end and declares more than this
  /// is not one being written but a damaged size field (`malformed`, for the reader to report).
  public static func transactionEnd(
    in bytes: UnsafeRawBufferPointer, from offset: UInt64, format: FormatDescription, growing: Bool = false,
    pages: (any PageReleasing)? = nil, maxEventSize: UInt64 = .max
  ) -> TransactionEnd {
    let total = UInt64(bytes.count)
    var pos = offset
    var releasedUpTo = offset
    let h = format.headerLength
    let crc = format.checksum == .crc32 ? 4 : 0
    var inBegin = false
    var first = true
    while true {
      if pos == total { return .incomplete }
      guard pos + 19 <= total else { return .cutMidEvent }
      let header = EventHeader(v4: UnsafeRawBufferPointer(rebasing: bytes[Int(pos)..<Int(pos + 19)]))
      let size = Int(header.eventSize)
      guard size >= h else { return .malformed }
      if pos + UInt64(size) > total {
        // Cut short, or a damaged size field mid-file (which the reader is to report).
        if growing { return UInt64(size) > maxEventSize ? .malformed : .cutMidEvent }
        let check = IntactEventCheck(bytes: bytes, format: format)
        return IncompleteTail.isCut(bytes, at: Int(pos), crc32: check.crc32, positionChain: check.positionChain)
          ? .cutMidEvent : .malformed
      }
      let end = pos + UInt64(size)
      switch header.type {
      case .xid, .xaPrepare, .transactionPayload:
        return .complete(next: end)
      case .gtid, .anonymousGTID, .gtidTagged, .mariaGTID:
        if !first { return .complete(next: pos) }
        // MariaDB: a GTID that is not FL_STANDALONE opens the transaction as BEGIN would.
        if header.type == .mariaGTID, size >= h + 13, bytes[Int(pos) + h + 12] & 1 == 0 { inBegin = true }
      case .rotate, .stop, .formatDescription, .previousGTIDs, .mariaGTIDList, .binlogCheckpoint:
        return .complete(next: first ? end : pos)
      case .query, .queryCompressed:
        let b = UnsafeRawBufferPointer(rebasing: bytes[Int(pos)..<Int(end)])
        let raw = RawEvent(offset: pos, header: header, bytes: b, headerLength: h, checksumLength: crc)
        guard let q = try? QueryEvent(event: raw, format: format) else { return .malformed }
        switch QueryKind.classify(q.queryBytes) {
        case .begin, .xaStart: inBegin = true
        case .commit, .rollback, .xaPrepare: return .complete(next: end)
        case .savepoint, .xaEnd: break
        default: if !inBegin { return .complete(next: end) }
        }
      case .writeRowsV1, .updateRowsV1, .deleteRowsV1, .writeRowsV2, .updateRowsV2, .deleteRowsV2,
        .partialUpdateRows, .writeRowsCompressedV1, .updateRowsCompressedV1, .deleteRowsCompressedV1,
        .writeRowsCompressed, .updateRowsCompressed, .deleteRowsCompressed, .preGAWriteRows, .preGAUpdateRows,
        .preGADeleteRows:
        // Outside BEGIN (non-transactional tables), a statement ends with its STMT_END_F rows event.
        let idLength = format.postHeaderLength(header.type) == 6 ? 4 : 6
        if !inBegin, size >= h + idLength + 2 {
          let flags = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: Int(pos) + h + idLength, as: UInt16.self))
          if flags & RowsEvent.flagStatementEnd != 0 { return .complete(next: end) }
        }
      default: break
      }
      first = false
      pos = end
      if let pages, pos >= releasedUpTo &+ (4 << 20) {
        pages.dontNeed(offset: Int(releasedUpTo), length: Int(pos - releasedUpTo))
        releasedUpTo = pos
      }
    }
  }
}
