import BinlogFormat
import BinlogIO

/// Cuts a binlog into the byte ranges that become the archive's frames: each frame ends at the
/// first transaction boundary past `frameSize`, so a transaction usually sits whole in one
/// frame and a reader seeking to it decompresses one frame. A transaction bigger than
/// `frameSize * 3/2` is cut between two of its events. Frames never split an event. After a
/// framing error (a truncated or corrupt file) the rest is cut every `frameSize` bytes, so any
/// file still archives byte for byte.
///
/// A transaction boundary is the start of a GTID event, or the end of an event that closes a
/// transaction (Xid, COMMIT, ROLLBACK, XA PREPARE, a compressed Transaction_payload) or is one
/// by itself (DDL, and anything outside a transaction: format description, rotate...).
public struct FramePlanner {
  public let frameSize: Int
  /// Past this size a frame is cut at the next event boundary, inside a transaction if need be.
  public let hardLimit: Int
  /// Frames cut at a transaction boundary, between events of a transaction, and blindly (after
  /// a framing error), for the report.
  public private(set) var transactionCuts = 0
  public private(set) var eventCuts = 0
  public private(set) var blindCuts = 0
  /// Where event framing stopped being possible, if it did.
  public private(set) var framingStoppedAt: Int?

  private let bytes: UnsafeRawBufferPointer
  private var reader: MappedBinlogReader?
  /// Start of the next frame.
  private var frameStart = 0
  /// Start of the next event not yet read.
  private var eventStart = 4
  /// True when a transaction boundary lies at `eventStart` from what came before.
  private var boundaryBefore = true
  /// Inside BEGIN...COMMIT, or a MariaDB GTID group that ends with a COMMIT or Xid.
  private var inTransaction = false
  /// After a GTID whose group is a single statement (MySQL GTID + DDL, MariaDB standalone).
  private var awaitingStatement = false

  /// `file` is the binlog to archive; `name` is used in errors.
  public init(file: MappedFile, name: String, frameSize: Int) {
    bytes = file.bytes
    self.frameSize = Swift.max(1, frameSize)
    hardLimit = self.frameSize + self.frameSize / 2
    reader = try? MappedBinlogReader(file: file, name: name, options: ReaderOptions(verifyChecksums: false))
    if reader == nil { framingStoppedAt = 0 }
  }

  /// The byte range of the next frame, or nil when the whole file is planned.
  public mutating func nextFrame() -> Range<Int>? {
    let n = bytes.count
    let start = frameStart
    guard start < n else { return nil }
    while true {
      if framingStoppedAt != nil || eventStart >= n {
        let end = Swift.min(n, Swift.max(eventStart, start + frameSize))
        if end < n { blindCuts += 1 }
        frameStart = end
        return start..<end
      }
      let length = eventStart - start
      if length > 0 {
        let isBoundary = boundaryBefore || startsTransaction(at: eventStart)
        if length >= frameSize && isBoundary {
          transactionCuts += 1
          frameStart = eventStart
          return start..<eventStart
        }
        // Keep a frame within the seek table's 32-bit size field whatever the event sizes.
        if length >= hardLimit || length + peekSize(at: eventStart) > Int(UInt32.max) {
          eventCuts += 1
          frameStart = eventStart
          return start..<eventStart
        }
      }
      advance()
    }
  }

  /// Reads the event at `eventStart` and updates the transaction state.
  private mutating func advance() {
    let at = eventStart
    let event: RawEvent?
    do {
      event = try reader!.next()
    } catch {
      framingStoppedAt = at
      return
    }
    guard let ev = event else {
      eventStart = bytes.count
      return
    }
    eventStart = Int(ev.endOffset)
    boundaryBefore = boundaryAfter(ev)
  }

  private func startsTransaction(at offset: Int) -> Bool {
    guard offset + 5 <= bytes.count else { return false }
    switch EventType(bytes[offset + 4]) {
    case .gtid, .anonymousGTID, .gtidTagged, .mariaGTID: return true
    default: return false
    }
  }

  private func peekSize(at offset: Int) -> Int {
    guard offset + 13 <= bytes.count else { return 0 }
    return EventHeader.eventSize(in: bytes, at: offset)
  }

  /// Whether the offset after `ev` is a transaction boundary; updates the state.
  private mutating func boundaryAfter(_ ev: RawEvent) -> Bool {
    switch ev.type {
    case .gtid, .anonymousGTID, .gtidTagged:
      inTransaction = false
      awaitingStatement = true
      return false
    case .mariaGTID:
      // flags2 follows seq_no (8) and domain_id (4); FL_STANDALONE = 1: no COMMIT/Xid follows.
      let body = ev.body
      let standalone = body.count > 12 && body[12] & 0x01 != 0
      inTransaction = !standalone
      awaitingStatement = standalone
      return false
    case .xid, .xaPrepare, .transactionPayload:
      inTransaction = false
      awaitingStatement = false
      return true
    case .query, .queryCompressed:
      let kind: QueryKind
      if let q = try? QueryEvent(event: ev, format: reader!.format) {
        kind = QueryKind.classify(q.queryBytes)
      } else {
        kind = .other
      }
      switch kind {
      case .begin, .xaStart:
        inTransaction = true
        awaitingStatement = false
        return false
      case .commit, .rollback, .xaPrepare:
        inTransaction = false
        awaitingStatement = false
        return true
      default:
        if inTransaction { return false }
        awaitingStatement = false
        return true
      }
    default:
      return !inTransaction && !awaitingStatement
    }
  }
}
