/// What is known about the transaction an event belongs to, accumulated while walking.
public struct TransactionState: Sendable {
  /// Offset of the transaction's first event (GTID, BEGIN, or the statement itself).
  public var startOffset: UInt64 = 0
  public var gtid: GTID?
  /// MySQL logical clock (from the GTID event).
  public var lastCommitted: Int64?
  public var sequenceNumber: Int64?
  /// MySQL 8 immediate_commit_timestamp, microseconds since the epoch.
  public var commitTimestampMicros: UInt64?
  public var threadID: UInt32?
  public var xid: UInt64?
  public var serverID: UInt32 = 0
  /// Timestamp of the first event of the transaction.
  public var firstTimestamp: UInt32 = 0
  /// Inside BEGIN ... COMMIT (or a MariaDB non-standalone GTID group).
  public var open = false
  /// The commit (Xid/COMMIT/ROLLBACK or the end of a standalone statement) was seen.
  public var ended = false

  public init() {}
}

extension TransactionState {
  /// Refuses a GTID or BEGIN that would start a transaction while this one is still open (or,
  /// for a GTID, right after another GTID): a duplicated or spliced event. A server never
  /// writes one, and reading on would invent an empty transaction.
  public func refuseNestedStart(_ raw: RawEvent, isGTID: Bool, file: @autoclosure () -> String) throws(BinlogError) {
    guard !ended, open || (isGTID && gtid != nil) else { return }
    throw BinlogError(
      .malformed,
      "\(isGTID ? "GTID event" : "BEGIN") inside the transaction that began at \(startOffset), which has no commit yet (a duplicated or spliced event)",
      file: file(), offset: raw.offset, eventType: raw.type)
  }
}
