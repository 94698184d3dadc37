/// Transaction_context (36, group replication certification info).
public struct TransactionContextEvent: Sendable {
  public var serverUUID: String
  public var threadID: UInt32
  public var gtidSpecified: Bool
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    let n = Int(try c.u8("server uuid length"))
    threadID = try c.u32("thread id")
    gtidSpecified = try c.u8("gtid specified") != 0
    try c.skip(12, "set lengths")
    serverUUID = try c.string(n, "server uuid")
  }
}

/// View_change (37, group replication).
public struct ViewChangeEvent: Sendable {
  public var viewID: String
  public var sequenceNumber: UInt64
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    viewID = try c.fixedString(40, "view id")
    sequenceNumber = try c.u64("sequence number")
  }
}
