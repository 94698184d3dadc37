/// One transaction (or statement outside one) and its changes, in binlog order.
public struct Transaction: Sendable {
  /// 1-based position among the transactions of the input that hold changes (row changes or
  /// statements): the `tx` of `sluice export --stable`. Filters do not renumber.
  public var number: Int
  /// Where it starts: its first event in a binlog, its first line in an NDJSON file.
  public var location: Location
  /// Offset just past its commit event (binlogs).
  public var end: UInt64?
  /// `0-1-42` (MariaDB) or `uuid:42` (MySQL).
  public var gtid: String?
  public var xid: UInt64?
  public var serverID: UInt32?
  public var threadID: UInt32?
  /// Commit time in microseconds since the epoch (MySQL 8's immediate_commit_timestamp, else
  /// the commit event's time).
  public var commitMicros: UInt64?
  public var changes: [Change]

  public init(number: Int, location: Location, changes: [Change] = []) {
    self.number = number
    self.location = location
    self.changes = changes
  }

  /// The row changes, without the statements.
  public var rowChanges: [RowChange] {
    changes.compactMap {
      if case .row(let r) = $0 { return r }
      return nil
    }
  }

  public var statements: [Statement] {
    changes.compactMap {
      if case .statement(let s) = $0 { return s }
      return nil
    }
  }
}
