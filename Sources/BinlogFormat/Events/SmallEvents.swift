/// Rotate_event (4): the next file's name and the position to start at in it.
public struct RotateEvent: Sendable {
  public var position: UInt64
  public var nextFile: String
  public init(event: RawEvent, format: FormatDescription) throws(BinlogError) {
    var c = ByteCursor(event.body)
    position = format.postHeaderLength(.rotate) >= 8 ? try c.u64("position") : 4
    nextFile = String(decoding: c.rest(), as: UTF8.self)
  }
}

/// Intvar_event (5): LAST_INSERT_ID (1) or INSERT_ID (2) for statement-based replay.
public struct IntvarEvent: Sendable {
  public var kind: UInt8
  public var value: UInt64
  public var kindName: String { kind == 1 ? "LAST_INSERT_ID" : kind == 2 ? "INSERT_ID" : "INVALID_INT" }
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    kind = try c.u8("intvar type")
    value = try c.u64("intvar value")
  }
}

/// Rand_event (13): the two RAND() seeds.
public struct RandEvent: Sendable {
  public var seed1: UInt64
  public var seed2: UInt64
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    seed1 = try c.u64("seed1")
    seed2 = try c.u64("seed2")
  }
}

/// Xid_event (16): the commit of an XA-capable (InnoDB) transaction.
public struct XidEvent: Sendable {
  public var xid: UInt64
  public init(event: RawEvent) throws(BinlogError) {
    let b = event.body
    guard b.count == 8 else {
      throw BinlogError(.malformed, "Xid body is \(b.count) bytes, expected 8", innerOffset: 0)
    }
    var c = ByteCursor(b)
    xid = try c.u64("xid")
  }
}

/// User_var_event (14): a user variable set for statement-based replay.
public struct UserVarEvent: Sendable {
  public var name: String
  public var isNull: Bool
  /// 0 STRING, 1 REAL, 2 INT, 3 ROW, 4 DECIMAL (Item_result).
  public var valueType: UInt8
  public var charset: UInt32
  public var value: [UInt8]
  public var flags: UInt8?

  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    let nameLen = Int(try c.u32("name length"))
    name = try c.string(nameLen, "name")
    isNull = try c.u8("is-null flag") != 0
    valueType = 0
    charset = 0
    value = []
    if !isNull {
      valueType = try c.u8("value type")
      charset = try c.u32("charset")
      let n = Int(try c.u32("value length"))
      value = Array(try c.bytes(n, "value"))
      if !c.isAtEnd { flags = try c.u8("flags") }
    }
  }

  /// The value as mysqlbinlog prints it in `SET @name := value`.
  public var valueText: String {
    if isNull { return "NULL" }
    switch valueType {
    case 1:
      guard value.count == 8 else { return "?" }
      let bits = value.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
      return "\(Double(bitPattern: bits))"
    case 2:
      var v: UInt64 = 0
      for (i, b) in value.prefix(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
      if let flags, flags & 1 != 0 { return "\(v)" }
      return "\(Int64(bitPattern: v))"
    case 4:
      guard value.count >= 2 else { return "?" }
      let precision = Int(value[0])
      let scale = Int(value[1])
      var out: [UInt8] = []
      let ok: Bool = value.withUnsafeBytes { b in
        do {
          try DecimalCodec.appendText(
            UnsafeRawBufferPointer(rebasing: b[2...]), precision: precision, scale: scale, into: &out)
          return true
        } catch { return false }
      }
      return ok ? String(decoding: out, as: UTF8.self) : "?"
    default:
      return "'" + String(decoding: value, as: UTF8.self) + "'"
    }
  }
}

/// Incident_event (26).
public struct IncidentEvent: Sendable {
  public var incident: UInt16
  public var message: String
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    incident = try c.u16("incident type")
    if c.isAtEnd {
      message = ""
    } else {
      let n = Int(try c.u8("message length"))
      message = try c.string(n, "message")
    }
  }
}

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

/// XA_prepare_log_event (38).
public struct XAPrepareEvent: Sendable {
  public var onePhase: Bool
  public var formatID: Int32
  public var gtrid: [UInt8]
  public var bqual: [UInt8]
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    onePhase = try c.u8("one-phase flag") != 0
    formatID = Int32(bitPattern: try c.u32("format id"))
    let g = Int(try c.u32("gtrid length"))
    let b = Int(try c.u32("bqual length"))
    guard g <= 64, b <= 64 else { throw BinlogError(.malformed, "XID lengths \(g)/\(b) exceed 64") }
    gtrid = Array(try c.bytes(g, "gtrid"))
    bqual = Array(try c.bytes(b, "bqual"))
  }
  /// `X'gtrid',X'bqual',formatID` as MySQL prints XIDs.
  public var xidText: String { "X'\(hexString(gtrid))',X'\(hexString(bqual))',\(formatID)" }
}

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

/// Heartbeat (27): the master's current file name (network only, but some relay logs keep it).
public struct HeartbeatEvent: Sendable {
  public var logFile: String
  public init(event: RawEvent) {
    logFile = String(decoding: event.body, as: UTF8.self)
  }
}

/// MariaDB Start_encryption (164): everything after it is encrypted.
public struct StartEncryptionEvent: Sendable {
  public var scheme: UInt8
  public var keyVersion: UInt32
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    scheme = try c.u8("scheme")
    keyVersion = try c.u32("key version")
  }
}

@usableFromInline func hexString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
  let digits: [UInt8] = Array("0123456789abcdef".utf8)
  var out: [UInt8] = []
  out.reserveCapacity(bytes.count * 2)
  for b in bytes {
    out.append(digits[Int(b >> 4)])
    out.append(digits[Int(b & 15)])
  }
  return String(decoding: out, as: UTF8.self)
}
