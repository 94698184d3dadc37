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
