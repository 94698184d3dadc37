/// A fully decoded event body. Decoding allocates (strings, arrays); scan paths that only
/// need a field or two read it from `RawEvent` directly instead.
public enum EventBody {
  case formatDescription(FormatDescription)
  case startV3(FormatDescription)
  case query(QueryEvent)
  case executeLoadQuery(ExecuteLoadQueryEvent)
  case stop
  case rotate(RotateEvent)
  case intvar(IntvarEvent)
  case rand(RandEvent)
  case userVar(UserVarEvent)
  case xid(XidEvent)
  case incident(IncidentEvent)
  case heartbeat(HeartbeatEvent)
  case rowsQuery(String)
  case tableMap(TableMapEvent)
  case rows(RowsEvent)
  case gtid(GTIDEvent)
  case gtidTagged(GTIDTaggedEvent)
  case previousGTIDs(PreviousGTIDsEvent)
  case transactionContext(TransactionContextEvent)
  case viewChange(ViewChangeEvent)
  case xaPrepare(XAPrepareEvent)
  case transactionPayload(TransactionPayloadEvent)
  case loadBlock(LoadBlockEvent)
  case deleteFile(fileID: UInt32)
  case annotateRows(AnnotateRowsEvent)
  case binlogCheckpoint(String)
  case mariaGTID(MariaGTIDEvent)
  case mariaGTIDList(MariaGTIDListEvent)
  case startEncryption(StartEncryptionEvent)
  /// Event types kept as raw bytes (old load-data family, unknown and ignorable types).
  case raw

  /// Decodes `event` with the format description in force. Errors carry the file, offset and type.
  /// (`file` is only evaluated for an error: a walker's name getter per event was a retain and
  /// release of the name each time.)
  public static func decode(
    _ event: RawEvent, format: FormatDescription, file: @autoclosure () -> String
  ) throws(BinlogError) -> EventBody {
    do {
      return try decodeUnwrapped(event, format: format)
    } catch {
      var e = error
      // Body decoders count from the body start; errors count from the event start.
      if let io = e.innerOffset, event.type != .formatDescription { e.innerOffset = io + event.headerLength }
      throw e.with(file: file(), offset: event.offset, eventType: event.type)
    }
  }

  static func decodeUnwrapped(_ event: RawEvent, format: FormatDescription) throws(BinlogError) -> EventBody {
    switch event.type {
    case .formatDescription: return .formatDescription(try FormatDescription(event: event.bytes, headerLength: 19))
    case .startV3: return .startV3(format)
    case .query, .queryCompressed: return .query(try QueryEvent(event: event, format: format))
    case .executeLoadQuery: return .executeLoadQuery(try ExecuteLoadQueryEvent(event: event, format: format))
    case .stop: return .stop
    case .rotate: return .rotate(try RotateEvent(event: event, format: format))
    case .intvar: return .intvar(try IntvarEvent(event: event))
    case .rand: return .rand(try RandEvent(event: event))
    case .userVar: return .userVar(try UserVarEvent(event: event))
    case .xid: return .xid(try XidEvent(event: event))
    case .incident: return .incident(try IncidentEvent(event: event))
    case .heartbeat: return .heartbeat(HeartbeatEvent(event: event))
    case .rowsQuery:
      var c = ByteCursor(event.body)
      _ = try c.u8("length byte")  // a 1-byte length that overflows for long statements: ignored
      return .rowsQuery(String(decoding: c.rest(), as: UTF8.self))
    case .tableMap: return .tableMap(try TableMapEvent(event: event, format: format))
    case .gtid, .anonymousGTID: return .gtid(try GTIDEvent(parsing: event.body, type: event.type))
    case .gtidTagged: return .gtidTagged(try GTIDTaggedEvent(parsing: event.body))
    case .previousGTIDs: return .previousGTIDs(try PreviousGTIDsEvent(parsing: event.body))
    case .transactionContext: return .transactionContext(try TransactionContextEvent(event: event))
    case .viewChange: return .viewChange(try ViewChangeEvent(event: event))
    case .xaPrepare: return .xaPrepare(try XAPrepareEvent(event: event))
    case .transactionPayload: return .transactionPayload(try TransactionPayloadEvent(event: event))
    case .beginLoadQuery, .appendBlock: return .loadBlock(try LoadBlockEvent(event: event))
    case .deleteFile:
      var c = ByteCursor(event.body)
      return .deleteFile(fileID: try c.u32("file id"))
    case .annotateRows: return .annotateRows(AnnotateRowsEvent(statement: event.body))
    case .binlogCheckpoint:
      var c = ByteCursor(event.body)
      let n = Int(try c.u32("file name length"))
      return .binlogCheckpoint(try c.string(n, "file name"))
    case .mariaGTID: return .mariaGTID(try MariaGTIDEvent(parsing: event.body, serverID: event.header.serverID))
    case .mariaGTIDList: return .mariaGTIDList(try MariaGTIDListEvent(parsing: event.body))
    case .startEncryption: return .startEncryption(try StartEncryptionEvent(event: event))
    default:
      if event.type.isRows { return .rows(try RowsEvent(event: event, format: format)) }
      return .raw
    }
  }
}
