/// Begin_load_query (17), Append_block (9): a chunk of a LOAD DATA file.
public struct LoadBlockEvent: Sendable {
  public var fileID: UInt32
  public var dataLength: Int
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    fileID = try c.u32("file id")
    dataLength = c.remaining
  }
}

/// Execute_load_query (18): a LOAD DATA statement whose file came in Begin_load_query blocks.
public struct ExecuteLoadQueryEvent: Sendable {
  public var query: QueryEvent
  public var fileID: UInt32
  public var startPosition: UInt32
  public var endPosition: UInt32
  public var duplicateHandling: UInt8
  public init(event: RawEvent, format: FormatDescription) throws(BinlogError) {
    query = try QueryEvent(event: event, format: format)
    var c = ByteCursor(event.body, position: 13)
    fileID = try c.u32("file id")
    startPosition = try c.u32("start position")
    endPosition = try c.u32("end position")
    duplicateHandling = try c.u8("duplicate handling")
  }
}
