/// Reader for MySQL 8.3+'s serialization format (`libs/mysql/serialization`), used by
/// GTID_TAGGED_LOG_EVENT.
///
/// A message is `version-id`, `size`, `last_non_ignorable_field_id`, then `field_id value` pairs in
/// ascending id order; optional fields are simply absent. Every integer above is a varint:
/// the number of trailing one bits of the first byte, plus one, is the total byte count (1–9); the
/// value is the first byte shifted right by that count, OR the following bytes (little-endian)
/// shifted left by `8 - count` (by 0 when count is 9). Signed integers are zigzag-like: the low bit
/// is the sign, the rest is `x` or `-(x+1)`. `size` counts the whole message from its first byte.
/// Fixed arrays (a UUID) are their elements one varint each; strings are a varint length and bytes.
struct SerializationCursor {
  var cursor: ByteCursor

  init(_ cursor: ByteCursor) { self.cursor = cursor }

  var position: Int { cursor.position }

  /// The next varint as an unsigned 64-bit value.
  mutating func varUInt(_ what: @autoclosure () -> String) throws(BinlogError) -> UInt64 {
    let first = try cursor.u8(what())
    let count = (~first).trailingZeroBitCount + 1
    if count == 1 { return UInt64(first >> 1) }
    let restBytes = try cursor.bytes(count - 1, what())
    var rest: UInt64 = 0
    for i in stride(from: restBytes.count - 1, through: 0, by: -1) { rest = (rest << 8) | UInt64(restBytes[i]) }
    if count == 9 { return rest }
    return UInt64(first >> UInt8(count)) | (rest << UInt64(8 - count))
  }

  /// A varint that must fit `max` (MySQL rejects values wider than the field's C type).
  mutating func varUInt(max: UInt64, _ what: @autoclosure () -> String) throws(BinlogError) -> UInt64 {
    let start = cursor.position
    let v = try varUInt(what())
    guard v <= max else {
      throw BinlogError(.malformed, "\(what()) value \(v) does not fit its field (max \(max))", innerOffset: start)
    }
    return v
  }

  /// A signed varint: low bit is the sign.
  mutating func varInt(_ what: @autoclosure () -> String) throws(BinlogError) -> Int64 {
    let u = try varUInt(what())
    let magnitude = u >> 1
    return Int64(bitPattern: (u & 1) == 0 ? magnitude : ~magnitude)
  }

  /// Consumes the id of field `id` if it is the next thing in the message; false if the field is
  /// absent (the message ended, or the next field has another id), as MySQL's decoder decides.
  mutating func field(_ id: UInt64) -> Bool {
    var probe = self
    guard !probe.cursor.isAtEnd, (try? probe.varUInt("field id")) == id else { return false }
    self = probe
    return true
  }
}
