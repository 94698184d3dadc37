/// A binlog event type code (byte 4 of the v4 header). Unknown codes are kept, not rejected.
public struct EventType: RawRepresentable, Hashable, Sendable, Comparable {
  public var rawValue: UInt8
  @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
  @inlinable public init(_ raw: UInt8) { self.rawValue = raw }
  public static func < (a: EventType, b: EventType) -> Bool { a.rawValue < b.rawValue }

  @inlinable public static var unknown: EventType { EventType(0) }
  @inlinable public static var startV3: EventType { EventType(1) }
  @inlinable public static var query: EventType { EventType(2) }
  @inlinable public static var stop: EventType { EventType(3) }
  @inlinable public static var rotate: EventType { EventType(4) }
  @inlinable public static var intvar: EventType { EventType(5) }
  @inlinable public static var load: EventType { EventType(6) }
  @inlinable public static var slave: EventType { EventType(7) }
  @inlinable public static var createFile: EventType { EventType(8) }
  @inlinable public static var appendBlock: EventType { EventType(9) }
  @inlinable public static var execLoad: EventType { EventType(10) }
  @inlinable public static var deleteFile: EventType { EventType(11) }
  @inlinable public static var newLoad: EventType { EventType(12) }
  @inlinable public static var rand: EventType { EventType(13) }
  @inlinable public static var userVar: EventType { EventType(14) }
  @inlinable public static var formatDescription: EventType { EventType(15) }
  @inlinable public static var xid: EventType { EventType(16) }
  @inlinable public static var beginLoadQuery: EventType { EventType(17) }
  @inlinable public static var executeLoadQuery: EventType { EventType(18) }
  @inlinable public static var tableMap: EventType { EventType(19) }
  @inlinable public static var preGAWriteRows: EventType { EventType(20) }
  @inlinable public static var preGAUpdateRows: EventType { EventType(21) }
  @inlinable public static var preGADeleteRows: EventType { EventType(22) }
  @inlinable public static var writeRowsV1: EventType { EventType(23) }
  @inlinable public static var updateRowsV1: EventType { EventType(24) }
  @inlinable public static var deleteRowsV1: EventType { EventType(25) }
  @inlinable public static var incident: EventType { EventType(26) }
  @inlinable public static var heartbeat: EventType { EventType(27) }
  @inlinable public static var ignorable: EventType { EventType(28) }
  @inlinable public static var rowsQuery: EventType { EventType(29) }
  @inlinable public static var writeRowsV2: EventType { EventType(30) }
  @inlinable public static var updateRowsV2: EventType { EventType(31) }
  @inlinable public static var deleteRowsV2: EventType { EventType(32) }
  @inlinable public static var gtid: EventType { EventType(33) }
  @inlinable public static var anonymousGTID: EventType { EventType(34) }
  @inlinable public static var previousGTIDs: EventType { EventType(35) }
  @inlinable public static var transactionContext: EventType { EventType(36) }
  @inlinable public static var viewChange: EventType { EventType(37) }
  @inlinable public static var xaPrepare: EventType { EventType(38) }
  @inlinable public static var partialUpdateRows: EventType { EventType(39) }
  @inlinable public static var transactionPayload: EventType { EventType(40) }
  @inlinable public static var heartbeatV2: EventType { EventType(41) }
  @inlinable public static var gtidTagged: EventType { EventType(42) }
  // MariaDB
  @inlinable public static var annotateRows: EventType { EventType(160) }
  @inlinable public static var binlogCheckpoint: EventType { EventType(161) }
  @inlinable public static var mariaGTID: EventType { EventType(162) }
  @inlinable public static var mariaGTIDList: EventType { EventType(163) }
  @inlinable public static var startEncryption: EventType { EventType(164) }
  @inlinable public static var queryCompressed: EventType { EventType(165) }
  @inlinable public static var writeRowsCompressedV1: EventType { EventType(166) }
  @inlinable public static var updateRowsCompressedV1: EventType { EventType(167) }
  @inlinable public static var deleteRowsCompressedV1: EventType { EventType(168) }
  @inlinable public static var writeRowsCompressed: EventType { EventType(169) }
  @inlinable public static var updateRowsCompressed: EventType { EventType(170) }
  @inlinable public static var deleteRowsCompressed: EventType { EventType(171) }

  /// The name mysqlbinlog and the MySQL/MariaDB sources use, without the `_event` suffix.
  public var name: String {
    switch rawValue {
    case 0: return "Unknown"
    case 1: return "Start_v3"
    case 2: return "Query"
    case 3: return "Stop"
    case 4: return "Rotate"
    case 5: return "Intvar"
    case 6: return "Load"
    case 7: return "Slave"
    case 8: return "Create_file"
    case 9: return "Append_block"
    case 10: return "Exec_load"
    case 11: return "Delete_file"
    case 12: return "New_load"
    case 13: return "Rand"
    case 14: return "User_var"
    case 15: return "Format_desc"
    case 16: return "Xid"
    case 17: return "Begin_load_query"
    case 18: return "Execute_load_query"
    case 19: return "Table_map"
    case 20: return "Write_rows_v0"
    case 21: return "Update_rows_v0"
    case 22: return "Delete_rows_v0"
    case 23: return "Write_rows_v1"
    case 24: return "Update_rows_v1"
    case 25: return "Delete_rows_v1"
    case 26: return "Incident"
    case 27: return "Heartbeat"
    case 28: return "Ignorable"
    case 29: return "Rows_query"
    case 30: return "Write_rows"
    case 31: return "Update_rows"
    case 32: return "Delete_rows"
    case 33: return "Gtid"
    case 34: return "Anonymous_Gtid"
    case 35: return "Previous_gtids"
    case 36: return "Transaction_context"
    case 37: return "View_change"
    case 38: return "XA_prepare"
    case 39: return "Update_rows_partial"
    case 40: return "Transaction_payload"
    case 41: return "Heartbeat_v2"
    case 42: return "Gtid_tagged"
    case 160: return "Annotate_rows"
    case 161: return "Binlog_checkpoint"
    case 162: return "Gtid_mariadb"
    case 163: return "Gtid_list"
    case 164: return "Start_encryption"
    case 165: return "Query_compressed"
    case 166: return "Write_rows_compressed_v1"
    case 167: return "Update_rows_compressed_v1"
    case 168: return "Delete_rows_compressed_v1"
    case 169: return "Write_rows_compressed"
    case 170: return "Update_rows_compressed"
    case 171: return "Delete_rows_compressed"
    default: return "Unknown_\(rawValue)"
    }
  }

  /// True for the events that describe the file rather than carry its data: Start_v3,
  /// Format_description, Rotate, Stop, Previous_gtids, Gtid_list, Binlog_checkpoint,
  /// Start_encryption and heartbeats. Their timestamps are the file's creation or the server's
  /// shutdown (a Format_description written at restart can be years from the data).
  @inlinable public var describesFile: Bool {
    switch rawValue {
    case 1, 3, 4, 15, 27, 35, 41, 161, 163, 164: return true
    default: return false
    }
  }

  /// True for every rows event (v0, v1, v2, partial, MariaDB compressed).
  @inlinable public var isRows: Bool {
    (20...25).contains(rawValue) || (30...32).contains(rawValue) || rawValue == 39
      || (166...171).contains(rawValue)
  }

  /// The row operation of a rows event.
  public var rowsKind: RowsKind? {
    switch rawValue {
    case 20, 23, 30, 166, 169: return .write
    case 21, 24, 31, 167, 170, 39: return .update
    case 22, 25, 32, 168, 171: return .delete
    default: return nil
    }
  }

  /// Rows event format version: 0 (pre-GA 5.1), 1, or 2 (has the extra-data block).
  public var rowsVersion: Int {
    switch rawValue {
    case 20...22: return 0
    case 23...25, 166...168: return 1
    default: return 2
    }
  }

  /// MariaDB compressed query/rows events (zlib body).
  @inlinable public var isMariaCompressed: Bool { (165...171).contains(rawValue) }

  public var isGTID: Bool { rawValue == 33 || rawValue == 34 || rawValue == 42 || rawValue == 162 }
}

public enum RowsKind: String, Sendable {
  case write = "insert"
  case update = "update"
  case delete = "delete"
}
