/// A stretch of a binlog that `--skip-corrupt` did not read: from the first event of the
/// transaction the damage fell in to the first event of the next whole transaction after it.
public struct SkippedRange: Sendable, Equatable, CustomStringConvertible {
  /// The binlog's name, as in errors.
  public var file: String
  /// First byte not read (the damaged transaction's first event).
  public var start: UInt64
  /// First byte read again (the next whole transaction, the file's closing events, or its end).
  public var end: UInt64
  /// The first event that failed to frame or verify.
  public var damageAt: UInt64
  /// Why it failed (the reader's error there).
  public var reason: String

  public init(file: String, start: UInt64, end: UInt64, damageAt: UInt64, reason: String) {
    self.file = file
    self.start = start
    self.end = end
    self.damageAt = damageAt
    self.reason = reason
  }

  /// `FILE:START-END`.
  public var description: String { "\(file):\(start)-\(end)" }
}

/// Finds the damaged regions of a mapped binlog before it is read with `--skip-corrupt`: walks
/// the events with the reader's own framing and checks; after an event that fails, picks up at
/// the next offset where three intact events follow each other (`IntactEventCheck`: sane header,
/// CRC32 valid, or, without CRC32s, the `log_pos` chain holding); and widens each damaged region
/// to whole transactions, so that no transaction is read in part.
public enum CorruptRegionScan {
  public static func scan(_ bytes: UnsafeRawBufferPointer, name: String, options: ReaderOptions) throws(BinlogError)
    -> [SkippedRange]
  {
    var framer = EventFramer(name: name, options: options)
    var ranges: [SkippedRange] = []
    let count = bytes.count
    var at = 4
    // The first event of the transaction in progress (where a damaged region would start).
    var txStart = 4
    var open = false
    var sawGTID = false
    var check: IntactEventCheck?
    // A damaged region whose end (the next transaction boundary) is being looked for.
    var pending: (start: Int, damage: Int, reason: String)?
    while at < count {
      let raw: RawEvent
      do throws(BinlogError) {
        let need = framer.headerNeed
        if count - at < need {
          throw BinlogError(
            .truncated, "only \(count - at) bytes left where an event header should be", file: name, offset: UInt64(at))
        }
        let hb = UnsafeRawBufferPointer(rebasing: bytes[at..<(at + need)])
        let header = need == 13 ? EventHeader(v1: hb) : EventHeader(v4: hb)
        let size = try framer.eventSize(header: header, offset: UInt64(at), available: count - at)
        raw = try framer.accept(
          offset: UInt64(at), header: header, bytes: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + size)]))
        if check == nil && framer.haveFormat {
          check = IntactEventCheck(bytes: bytes, format: framer.format, maxEventSize: options.maxEventSize)
        }
        if let c = check, !c.crc32, c.positionChain, header.nextPosition != 0, Int(header.nextPosition) != at + size {
          throw BinlogError(
            .malformed, "log_pos \(header.nextPosition) is not the event's end (\(at + size))", file: name,
            offset: UInt64(at), eventType: header.type)
        }
      } catch {
        // Nothing can be read without the Format_description.
        guard framer.haveFormat, at > 4, let c = check else { throw error }
        if pending == nil { pending = (txStart, at, error.message) }
        var p = at + 1
        while p < count && !c.isResyncPoint(bytes, at: p) { p += 1 }
        at = p
        open = true
        continue
      }
      let end = at + raw.bytes.count
      let kind = Kind(raw, format: framer.format)
      if let p = pending {
        // Back in step: the region ends at the next transaction boundary.
        var boundary: Int?
        switch kind {
        case .gtid, .closing: boundary = at
        case .begin where !sawGTID: boundary = at
        case .commit, .payload: boundary = end
        default: break
        }
        guard let b = boundary else {
          at = end
          continue
        }
        ranges.append(
          SkippedRange(file: name, start: UInt64(p.start), end: UInt64(b), damageAt: UInt64(p.damage), reason: p.reason))
        pending = nil
        txStart = b
        open = false
        if b == end {
          at = end
          continue
        }
      }
      switch kind {
      case .gtid(let opens):
        txStart = at
        sawGTID = true
        open = opens
      case .begin: open = true
      case .commit, .payload:
        txStart = end
        open = false
      case .statement, .statementEnd:
        if !open { txStart = end }
      case .closing:
        if txStart == at { txStart = end }
      case .other: break
      }
      at = end
    }
    if let p = pending {
      ranges.append(
        SkippedRange(file: name, start: UInt64(p.start), end: UInt64(count), damageAt: UInt64(p.damage), reason: p.reason))
    }
    return ranges
  }

  /// What an event means for the transaction boundaries (as `BinlogWalker.track` sees them).
  enum Kind {
    case gtid(opens: Bool)
    case begin
    case commit
    case payload
    case statement
    case statementEnd
    case closing
    case other

    init(_ raw: RawEvent, format: FormatDescription) {
      switch raw.type {
      case .gtid, .anonymousGTID, .gtidTagged: self = .gtid(opens: false)
      case .mariaGTID:
        // Not FL_STANDALONE: the GTID opens the transaction as BEGIN would.
        let b = raw.body
        self = .gtid(opens: b.count >= 13 && b[12] & 1 == 0)
      case .xid, .xaPrepare: self = .commit
      case .transactionPayload: self = .payload
      case .rotate, .stop, .formatDescription, .previousGTIDs, .mariaGTIDList, .binlogCheckpoint, .startEncryption:
        self = .closing
      case .query, .queryCompressed:
        guard let q = try? QueryEvent(event: raw, format: format) else {
          self = .other
          return
        }
        switch QueryKind.classify(q.queryBytes) {
        case .begin, .xaStart: self = .begin
        case .commit, .rollback, .xaPrepare: self = .commit
        case .savepoint, .xaEnd: self = .other
        default: self = .statement
        }
      default:
        if raw.type.isRows, raw.body.count >= 8 {
          let idLength = format.postHeaderLength(raw.type) == 6 ? 4 : 6
          let flags = UInt16(raw.body[idLength]) | UInt16(raw.body[idLength + 1]) << 8
          self = flags & RowsEvent.flagStatementEnd != 0 ? .statementEnd : .other
        } else {
          self = .other
        }
      }
    }
  }
}
