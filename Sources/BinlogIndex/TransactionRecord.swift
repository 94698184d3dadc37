import BinlogFormat

/// Row counts of one table within one transaction.
public struct TableTouch: Sendable, Equatable {
  /// Index into the file index's table-name list.
  public var table: UInt32
  public var inserts: UInt32
  public var updates: UInt32
  public var deletes: UInt32
  /// Bytes of the rows events for this table.
  public var bytes: UInt64

  public init(table: UInt32, inserts: UInt32 = 0, updates: UInt32 = 0, deletes: UInt32 = 0, bytes: UInt64 = 0) {
    self.table = table
    self.inserts = inserts
    self.updates = updates
    self.deletes = deletes
    self.bytes = bytes
  }
}

/// One transaction (or standalone statement) of a binlog file, as the index records it.
public struct TransactionRecord: Sendable, Equatable {
  /// Offset of the first event (GTID, BEGIN, or the statement).
  public var start: UInt64
  /// Offset just past the commit event.
  public var end: UInt64
  /// Timestamp of the first event (seconds).
  public var firstTimestamp: UInt32
  /// Commit time in microseconds since the epoch: MySQL 8's immediate_commit_timestamp when
  /// present, else the commit event's timestamp.
  public var commitMicros: UInt64
  public var serverID: UInt32
  public var threadID: UInt32?
  public var xid: UInt64?
  public var gtid: GTID?
  /// Tables touched by rows events, with counts.
  public var tables: [TableTouch]
  /// True when the transaction holds a DDL statement.
  public var hasDDL: Bool
  /// True when it holds other (statement-based) queries.
  public var hasStatements: Bool

  public init(start: UInt64) {
    self.start = start
    end = start
    firstTimestamp = 0
    commitMicros = 0
    serverID = 0
    threadID = nil
    xid = nil
    gtid = nil
    tables = []
    hasDDL = false
    hasStatements = false
  }

  public var commitSeconds: Int64 { Int64(commitMicros / 1_000_000) }
  public var rowCount: UInt64 { tables.reduce(0) { $0 + UInt64($1.inserts) + UInt64($1.updates) + UInt64($1.deletes) } }
  public var byteCount: UInt64 { end - start }
}
