/// GTID_LOG_EVENT (33), ANONYMOUS_GTID_LOG_EVENT (34) and, through `GTIDTaggedEvent`,
/// GTID_TAGGED_LOG_EVENT (42): the first event of every transaction on MySQL 5.6+.
///
/// Body layout of types 33/34 (all little-endian; each group after the first is present only if
/// the server wrote it, so the event length says which fields exist):
///
///     +0   1  flags                 bit 0: may contain statement-based (SBR) events
///     +1  16  sid (server UUID)     all zero for anonymous
///     +17  8  gno                   0 for anonymous, else 1...Int64.max-1
///     --- end of MySQL 5.6 events (25 bytes)
///     +25  1  lt_type               2 = logical clock; other values (5.7.4-) end the event
///     +26  8  last_committed
///     +34  8  sequence_number
///     --- end of MySQL 5.7 events (42 bytes)
///     +42  7  immediate_commit_timestamp, µs since the epoch; bit 55 set = original follows
///     +49  7  original_commit_timestamp (only if bit 55 was set; else equal to immediate)
///     ..  1-9 transaction_length (packed integer), bytes of the whole transaction incl. this event
///     ..   4  immediate_server_version; bit 31 set = original follows (e.g. 80031)
///     ..   4  original_server_version (only if bit 31 was set; else equal to immediate)
///     ..   8  commit_group_ticket (binlog group-commit ticket; written only when one was assigned)
///
/// MySQL 8.0.1+ writes the timestamps, 8.0.2+ the transaction length, 8.0.14+ the server versions;
/// MySQL reads each group only if bytes remain, and so does this decoder. Fields the event does not
/// carry are nil.
public struct GTIDEvent: Hashable, Sendable {
  /// The logical-clock pair used by the multi-threaded applier (MySQL 5.7+).
  public struct LogicalClock: Hashable, Sendable {
    /// `sequence_number` of the last transaction this one may not run in parallel with.
    public var lastCommitted: Int64
    /// This transaction's logical timestamp, unique within the binlog file.
    public var sequenceNumber: Int64

    public init(lastCommitted: Int64, sequenceNumber: Int64) {
      self.lastCommitted = lastCommitted
      self.sequenceNumber = sequenceNumber
    }
  }

  /// The raw GTID flags byte.
  public var flags: UInt8
  public var sid: UUID128
  /// The tag of a GTID_TAGGED event (lowercase), nil for types 33/34.
  public var tag: String?
  /// 0 for an anonymous transaction.
  public var gno: Int64
  public var logicalClock: LogicalClock?
  /// Commit time on the server that wrote this binlog, microseconds since the Unix epoch.
  public var immediateCommitTimestamp: UInt64?
  /// Commit time on the server where the transaction originated, microseconds since the epoch.
  public var originalCommitTimestamp: UInt64?
  /// Size in bytes of the whole transaction as logged, this event included.
  public var transactionLength: UInt64?
  /// Version of the server that wrote this binlog, as `major*10000 + minor*100 + patch`.
  public var immediateServerVersion: UInt32?
  /// Version of the server where the transaction originated.
  public var originalServerVersion: UInt32?
  /// Binlog group-commit ticket, when the server wrote one.
  public var commitGroupTicket: UInt64?

  /// Bit 0 of `flags` (`FLAG_MAY_HAVE_SBR`, the "commit flag" of older docs): the transaction may
  /// contain statement-based events. Always set by 5.6, 5.7.0–5.7.18 and 8.0.0–8.0.1.
  public var mayHaveStatementEvents: Bool { flags & 1 != 0 }

  /// True for an ANONYMOUS_GTID event (gno 0).
  public var isAnonymous: Bool { gno == 0 }

  /// The GTID, or nil for an anonymous transaction.
  public var gtid: MySQLGTID? { isAnonymous ? nil : MySQLGTID(sid: sid, tag: tag, gno: gno) }

  public init(
    flags: UInt8, sid: UUID128, tag: String? = nil, gno: Int64, logicalClock: LogicalClock? = nil,
    immediateCommitTimestamp: UInt64? = nil, originalCommitTimestamp: UInt64? = nil,
    transactionLength: UInt64? = nil, immediateServerVersion: UInt32? = nil,
    originalServerVersion: UInt32? = nil, commitGroupTicket: UInt64? = nil
  ) {
    self.flags = flags
    self.sid = sid
    self.tag = tag
    self.gno = gno
    self.logicalClock = logicalClock
    self.immediateCommitTimestamp = immediateCommitTimestamp
    self.originalCommitTimestamp = originalCommitTimestamp
    self.transactionLength = transactionLength
    self.immediateServerVersion = immediateServerVersion
    self.originalServerVersion = originalServerVersion
    self.commitGroupTicket = commitGroupTicket
  }

  /// Decodes the body of a GTID (33) or ANONYMOUS_GTID (34) event: the bytes after the common
  /// header, without the CRC32 trailer.
  public init(parsing body: UnsafeRawBufferPointer) throws(BinlogError) {
    var c = ByteCursor(body)
    flags = try c.u8("GTID flags")
    sid = try UUID128(reading: &c)
    let gnoAt = c.position
    gno = Int64(bitPattern: try c.u64("GNO"))
    // MySQL: GTID events need 1 <= gno < GNO_END (Int64.max), anonymous ones gno == 0.
    guard gno >= 0, gno <= MySQLGTID.maxGNO else {
      throw BinlogError(.malformed, "GTID event has invalid GNO \(gno)", innerOffset: gnoAt)
    }
    guard !c.isAtEnd else { return }
    // 5.7.4 and earlier wrote a different lt_type and shorter clocks; MySQL ignores the rest then.
    guard try c.u8("logical clock type") == 2 else { return }
    logicalClock = LogicalClock(
      lastCommitted: Int64(bitPattern: try c.u64("last_committed")),
      sequenceNumber: Int64(bitPattern: try c.u64("sequence_number")))

    guard c.remaining >= 7 else { return }
    let immediate = try c.uint(7, "immediate_commit_timestamp")
    if immediate & (1 << 55) != 0 {
      immediateCommitTimestamp = immediate & ~(1 << 55)
      originalCommitTimestamp = try c.uint(7, "original_commit_timestamp")
    } else {
      immediateCommitTimestamp = immediate
      originalCommitTimestamp = immediate
    }

    guard !c.isAtEnd else { return }
    let lengthAt = c.position
    guard let length = try c.lengthEncoded("transaction_length") else {
      throw BinlogError(.malformed, "GTID event transaction_length is NULL (0xfb)", innerOffset: lengthAt)
    }
    transactionLength = length

    guard c.remaining >= 4 else { return }
    let server = try c.u32("immediate_server_version")
    if server & (1 << 31) != 0 {
      immediateServerVersion = server & ~(1 << 31)
      originalServerVersion = try c.u32("original_server_version")
    } else {
      immediateServerVersion = server
      originalServerVersion = server
    }

    guard c.remaining >= 8 else { return }
    commitGroupTicket = try c.u64("commit_group_ticket")
  }

  /// Decodes a GTID-family body by event type: 33 and 34 with `init(parsing:)`, 42 with
  /// `GTIDTaggedEvent`. Also checks what only the type tells: a GTID event needs a GNO of 1 or
  /// more, an ANONYMOUS_GTID event a GNO of 0 (MySQL rejects both otherwise). Any other type is
  /// `.unsupported`.
  public init(parsing body: UnsafeRawBufferPointer, type: EventType) throws(BinlogError) {
    switch type {
    case .gtid, .anonymousGTID:
      try self.init(parsing: body)
      guard (type == .anonymousGTID) == (gno == 0) else {
        throw BinlogError(.malformed, "\(type.name) event has invalid GNO \(gno)", eventType: type, innerOffset: 17)
      }
    case .gtidTagged: self = try GTIDTaggedEvent(parsing: body).event
    default:
      throw BinlogError(.unsupported, "event type \(type.name) is not a MySQL GTID event", eventType: type)
    }
  }
}
