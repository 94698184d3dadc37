/// A binlog event type code (byte 4 of the v4 header). Unknown codes are kept, not rejected.
public struct EventType: RawRepresentable, Hashable, Sendable, Comparable {
  public var rawValue: UInt8
  @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
  @inlinable public init(_ raw: UInt8) { self.rawValue = raw }
  public static func < (a: EventType, b: EventType) -> Bool { a.rawValue < b.rawValue }

  public static let unknown = EventType(0)
  public static let startV3 = EventType(1)
  public static let query = EventType(2)
  public static let stop = EventType(3)
  public static let rotate = EventType(4)
  public static let intvar = EventType(5)
  public static let load = EventType(6)
  public static let slave = EventType(7)
  public static let createFile = EventType(8)
  public static let appendBlock = EventType(9)
  public static let execLoad = EventType(10)
  public static let deleteFile = EventType(11)
  public static let newLoad = EventType(12)
  public static let rand = EventType(13)
  public static let userVar = EventType(14)
  public static let formatDescription = EventType(15)
  public static let xid = EventType(16)
  public static let beginLoadQuery = EventType(17)
  public static let executeLoadQuery = EventType(18)
  public static let tableMap = EventType(19)
  public static let preGAWriteRows = EventType(20)
  public static let preGAUpdateRows = EventType(21)
  public static let preGADeleteRows = EventType(22)
  public static let writeRowsV1 = EventType(23)
  public static let updateRowsV1 = EventType(24)
  public static let deleteRowsV1 = EventType(25)
  public static let incident = EventType(26)
  public static let heartbeat = EventType(27)
  public static let ignorable = EventType(28)
  public static let rowsQuery = EventType(29)
  public static let writeRowsV2 = EventType(30)
  public static let updateRowsV2 = EventType(31)
  public static let deleteRowsV2 = EventType(32)
  public static let gtid = EventType(33)
  public static let anonymousGTID = EventType(34)
  public static let previousGTIDs = EventType(35)
  public static let transactionContext = EventType(36)
  public static let viewChange = EventType(37)
  public static let xaPrepare = EventType(38)
  public static let partialUpdateRows = EventType(39)
  public static let transactionPayload = EventType(40)
  public static let heartbeatV2 = EventType(41)
  public static let gtidTagged = EventType(42)
  // MariaDB
  public static let annotateRows = EventType(160)
  public static let binlogCheckpoint = EventType(161)
  public static let mariaGTID = EventType(162)
  public static let mariaGTIDList = EventType(163)
  public static let startEncryption = EventType(164)
  public static let queryCompressed = EventType(165)
  public static let writeRowsCompressedV1 = EventType(166)
  public static let updateRowsCompressedV1 = EventType(167)
  public static let deleteRowsCompressedV1 = EventType(168)
  public static let writeRowsCompressed = EventType(169)
  public static let updateRowsCompressed = EventType(170)
  public static let deleteRowsCompressed = EventType(171)

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
