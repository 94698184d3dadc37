/// One decoded column value. Variable-length payloads are views into the event bytes (valid
/// as long as the event's bytes are); nothing is copied or formatted until an exporter asks.
public enum ColumnValue {
  /// Column not present in this row image (MINIMAL/NOBLOB row images).
  case absent
  case null
  case int(Int64)
  case uint(UInt64)
  case float(Float)
  case double(Double)
  /// Binary DECIMAL, formatted exactly on demand.
  case decimal(UnsafeRawBufferPointer, precision: Int, scale: Int)
  /// Character data with its collation id (nil when the binlog does not say).
  case string(UnsafeRawBufferPointer, collation: UInt32?)
  /// Binary data (BINARY/VARBINARY/BLOB, binary collation), BINARY(n) not yet padded.
  case bytes(UnsafeRawBufferPointer)
  case date(year: Int, month: Int, day: Int)
  case time(negative: Bool, hours: Int, minutes: Int, seconds: Int, micros: Int, fsp: Int)
  case datetime(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, micros: Int, fsp: Int)
  /// Seconds since the epoch (UTC); 0 with micros 0 is MySQL's zero TIMESTAMP.
  case timestamp(seconds: Int64, micros: Int, fsp: Int)
  case year(Int)
  case bit(UInt64, width: Int)
  /// 1-based ENUM index (0 = the empty "invalid" value).
  case enumIndex(Int)
  case setBits(UInt64)
  /// MySQL binary JSON.
  case json(UnsafeRawBufferPointer)
  /// A partial JSON update (diff vector) from a Partial_update_rows after image.
  case jsonDiff(UnsafeRawBufferPointer)
  /// GEOMETRY: 4-byte SRID + WKB.
  case geometry(UnsafeRawBufferPointer)
  /// VECTOR: little-endian float32 elements.
  case vector(UnsafeRawBufferPointer)

  @inlinable public var isNull: Bool {
    if case .null = self { return true }
    return false
  }
  @inlinable public var isAbsent: Bool {
    if case .absent = self { return true }
    return false
  }
}
