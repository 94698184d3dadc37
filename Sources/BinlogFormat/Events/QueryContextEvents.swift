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
