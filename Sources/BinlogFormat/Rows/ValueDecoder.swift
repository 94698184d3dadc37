/// Decoders for one column value in a row image, by column type.
public enum ValueDecoder {
  @inlinable static func lengthPrefixed(_ width: Int, _ c: inout ByteCursor) throws(BinlogError) -> UnsafeRawBufferPointer {
    guard width >= 1 && width <= 4 else {
      throw BinlogError(.malformed, "invalid length-prefix width \(width)")
    }
    let n = Int(try c.uint(width, "length prefix"))
    return try c.bytes(n, "value of \(n) bytes")
  }

  /// Fractional seconds of a TIME2/DATETIME2/TIMESTAMP2 value, in microseconds.
  @inlinable static func fraction(_ fsp: Int, _ c: inout ByteCursor) throws(BinlogError) -> Int {
    switch fsp {
    case 1, 2: return Int(try c.uintBE(1, "fraction")) * 10_000
    case 3, 4: return Int(try c.uintBE(2, "fraction")) * 100
    case 5, 6: return Int(try c.uintBE(3, "fraction"))
    default: return 0
    }
  }

  public static func decode(_ col: ColumnInfo, _ c: inout ByteCursor) throws(BinlogError) -> ColumnValue {
    try decode(ColumnCodec(col), &c)
  }

  /// Decodes one value of the column `col` describes at the cursor.
  /// Inlined into the row loop: the value is built in its slot, not returned through a copy.
  @inline(__always)
  public static func decode(_ col: ColumnCodec, _ c: inout ByteCursor) throws(BinlogError) -> ColumnValue {
    let unsigned = col.unsigned
    switch col.type {
    case .tiny:
      let v = try c.u8()
      return unsigned ? .uint(UInt64(v)) : .int(Int64(Int8(bitPattern: v)))
    case .short:
      let v = try c.u16()
      return unsigned ? .uint(UInt64(v)) : .int(Int64(Int16(bitPattern: v)))
    case .int24:
      let v = UInt32(try c.uint(3))
      if unsigned { return .uint(UInt64(v)) }
      return .int(Int64(Int32(bitPattern: v << 8) >> 8))
    case .long:
      let v = try c.u32()
      return unsigned ? .uint(UInt64(v)) : .int(Int64(Int32(bitPattern: v)))
    case .longlong:
      let v = try c.u64()
      return unsigned ? .uint(v) : .int(Int64(bitPattern: v))
    case .float:
      return .float(Float(bitPattern: try c.u32()))
    case .double:
      return .double(Double(bitPattern: try c.u64()))
    case .newdecimal:
      let p = col.precision
      let s = col.scale
      guard p >= 1 && p <= 65 && s <= p else {
        throw BinlogError(.malformed, "invalid DECIMAL(\(p),\(s)) metadata")
      }
      return .decimal(try c.bytes(DecimalCodec.storageSize(precision: p, scale: s), "DECIMAL"), precision: p, scale: s)
    case .year:
      let v = Int(try c.u8())
      return .year(v == 0 ? 0 : v + 1900)
    case .date, .newdate:
      let v = Int(try c.uint(3))
      return .date(year: v >> 9, month: (v >> 5) & 15, day: v & 31)
    case .time where col.mariaHires, .datetime where col.mariaHires, .timestamp where col.mariaHires:
      return try mariaHires(col, &c)
    case .time:
      // Old TIME: signed HHMMSS as a 3-byte integer.
      let raw = Int32(bitPattern: UInt32(try c.uint(3)) << 8) >> 8
      let neg = raw < 0
      let a = Int(raw.magnitude)
      return .time(negative: neg, hours: a / 10000, minutes: (a / 100) % 100, seconds: a % 100, micros: 0, fsp: 0)
    case .time2:
      return try time2(col.fsp, &c)
    case .datetime:
      // Old DATETIME: YYYYMMDDHHMMSS as an 8-byte integer.
      let raw = try c.u64()
      guard raw <= 99_991_231_235_959 else { throw BinlogError(.malformed, "DATETIME value \(raw) is out of range") }
      let v = Int(raw)
      let d = v / 1_000_000
      let t = v % 1_000_000
      return .datetime(
        year: d / 10000, month: (d / 100) % 100, day: d % 100, hour: t / 10000, minute: (t / 100) % 100,
        second: t % 100, micros: 0, fsp: 0)
    case .datetime2:
      let fsp = col.fsp
      let packed = Int64(try c.uintBE(5, "DATETIME2")) - 0x80_0000_0000
      // The server sets the sign bit on every DATETIME2 it writes.
      guard packed >= 0 else { throw BinlogError(.malformed, "DATETIME2 value has no sign bit (negative)") }
      let ymd = packed >> 17
      let ym = ymd >> 5
      let hms = packed & ((1 << 17) - 1)
      let micros = try fraction(fsp, &c)
      return .datetime(
        year: Int(ym / 13), month: Int(ym % 13), day: Int(ymd & 31), hour: Int(hms >> 12),
        minute: Int((hms >> 6) & 63), second: Int(hms & 63), micros: micros, fsp: fsp)
    case .timestamp:
      return .timestamp(seconds: Int64(try c.u32()), micros: 0, fsp: 0)
    case .timestamp2:
      let secs = Int64(try c.uintBE(4, "TIMESTAMP2"))
      let micros = try fraction(col.fsp, &c)
      return .timestamp(seconds: secs, micros: micros, fsp: col.fsp)
    case .varchar, .varString:
      let b = try lengthPrefixed(col.maxLength > 255 ? 2 : 1, &c)
      return stringOrBytes(b, col)
    case .string:
      let b = try lengthPrefixed(col.maxLength > 255 ? 2 : 1, &c)
      return stringOrBytes(b, col)
    case .enumType:
      let w = Int(col.meta)
      guard w == 1 || w == 2 else { throw BinlogError(.malformed, "ENUM pack length \(w)") }
      return .enumIndex(Int(try c.uint(w, "ENUM")))
    case .setType:
      let w = Int(col.meta)
      guard w >= 1 && w <= 8 else { throw BinlogError(.malformed, "SET pack length \(w)") }
      return .setBits(try c.uint(w, "SET"))
    case .bit:
      let width = col.bitWidth
      let n = (width + 7) / 8
      guard n <= 8 else { throw BinlogError(.malformed, "BIT width \(width)") }
      return .bit(try c.uintBE(n, "BIT"), width: width)
    case .blob, .tinyBlob, .mediumBlob, .longBlob:
      let b = try lengthPrefixed(Int(col.meta), &c)
      return stringOrBytes(b, col)
    case .json:
      return .json(try lengthPrefixed(Int(col.meta), &c))
    case .geometry:
      return .geometry(try lengthPrefixed(Int(col.meta), &c))
    case .vector:
      return .vector(try lengthPrefixed(Int(col.meta), &c))
    case .decimal:
      throw BinlogError(.unsupported, "pre-5.0 DECIMAL columns are not in row events")
    case .null:
      return .null
    default:
      throw BinlogError(.unsupported, "column type \(col.type.name) (\(col.binlogType)) cannot be decoded")
    }
  }

  @inlinable static func stringOrBytes(_ b: UnsafeRawBufferPointer, _ col: ColumnCodec) -> ColumnValue {
    if col.hasCollation && col.collationID == 63 { return .bytes(b) }
    return .string(b, collation: col.collation)
  }

  /// MariaDB hires temporal formats (Field_*_hires): big-endian, fraction scaled by 10^(6-n).
  static func mariaHires(_ col: ColumnCodec, _ c: inout ByteCursor) throws(BinlogError) -> ColumnValue {
    let dec = Swift.min(6, Int(col.meta))
    let secPartBytes = [0, 1, 1, 2, 2, 3, 3][dec]
    var shift: Int64 = 1
    for _ in dec..<6 { shift *= 10 }
    switch col.type {
    case .timestamp:
      let secs = Int64(try c.uintBE(4, "TIMESTAMP"))
      let frac = secPartBytes > 0 ? Int64(try c.uintBE(secPartBytes, "TIMESTAMP fraction")) : 0
      return .timestamp(seconds: secs, micros: Int(frac * shift), fsp: dec)
    case .datetime:
      let width = [5, 6, 6, 7, 7, 7, 8][dec]
      let packed = try c.uintBE(width, "DATETIME")
      // Valid values (years up to 9999) are far below this; a damaged one must not trap.
      guard packed <= UInt64(Int64.max) / UInt64(shift) else {
        throw BinlogError(.malformed, "DATETIME(\(dec)) value \(packed) is out of range")
      }
      var t = Int64(packed) * shift
      let micros = Int(t % 1_000_000)
      t /= 1_000_000
      let second = Int(t % 60)
      t /= 60
      let minute = Int(t % 60)
      t /= 60
      let hour = Int(t % 24)
      t /= 24
      let day = Int(t % 32)
      t /= 32
      return .datetime(
        year: Int(t / 13), month: Int(t % 13), day: day, hour: hour, minute: minute, second: second, micros: micros,
        fsp: dec)
    default:
      let width = [3, 4, 4, 5, 5, 5, 6][dec]
      let stored = Int64(try c.uintBE(width, "TIME"))
      var pow: Int64 = 1
      for _ in 0..<dec { pow *= 10 }
      var v = (stored - 3_020_400 * pow) * shift
      let neg = v < 0
      if neg { v = -v }
      let micros = Int(v % 1_000_000)
      let secs = v / 1_000_000
      return .time(
        negative: neg, hours: Int(secs / 3600), minutes: Int((secs / 60) % 60), seconds: Int(secs % 60), micros: micros,
        fsp: dec)
    }
  }

  static func time2(_ fsp: Int, _ c: inout ByteCursor) throws(BinlogError) -> ColumnValue {
    // MySQL 5.6 TIME2: packed big-endian, offset so that the encoded value is non-negative.
    var packed: Int64
    switch fsp {
    case 1, 2:
      var intPart = Int64(try c.uintBE(3, "TIME2")) - 0x80_0000
      var frac = Int64(try c.uintBE(1, "TIME2 fraction"))  // unsigned: negatives store 0x100 - frac
      if intPart < 0 && frac != 0 {
        intPart += 1
        frac -= 0x100
      }
      packed = (intPart << 24) + frac * 10_000
    case 3, 4:
      var intPart = Int64(try c.uintBE(3, "TIME2")) - 0x80_0000
      var frac = Int64(try c.uintBE(2, "TIME2 fraction"))
      if intPart < 0 && frac != 0 {
        intPart += 1
        frac -= 0x10000
      }
      packed = (intPart << 24) + frac * 100
    case 5, 6:
      packed = Int64(try c.uintBE(6, "TIME2")) - 0x8000_0000_0000
    default:
      packed = (Int64(try c.uintBE(3, "TIME2")) - 0x80_0000) << 24
    }
    let neg = packed < 0
    if neg { packed = -packed }
    let hms = packed >> 24
    let micros = Int(packed & 0xFF_FFFF)
    return .time(
      negative: neg, hours: Int((hms >> 12) & 0x3FF), minutes: Int((hms >> 6) & 0x3F), seconds: Int(hms & 0x3F),
      micros: micros, fsp: fsp)
  }
}
