/// MySQL's binary DECIMAL (NEWDECIMAL, type 246), as written in row images, USER_VAR events and
/// JSON opaque values (`strings/decimal.cc`, `decimal2bin`/`bin2decimal`).
///
/// Layout: the integer digits and the fraction digits are each cut into groups of 9 decimal
/// digits. A full group is a big-endian 4-byte integer; a partial group of `n` digits takes
/// `[0,1,1,2,2,3,3,4,4,4][n]` bytes. The partial integer group comes first (the most significant
/// digits), the partial fraction group last. The sign is the top bit of the first byte, inverted:
/// set means positive. A negative value additionally has every byte inverted.
public enum DecimalCodec {
  /// Largest precision MySQL accepts (`DECIMAL_MAX_PRECISION`).
  public static let maxPrecision = 65
  /// Largest scale MySQL accepts (`DECIMAL_MAX_SCALE`).
  public static let maxScale = 30

  /// True when `DECIMAL(precision, scale)` is a definition MySQL can store.
  @inlinable public static func isValid(precision: Int, scale: Int) -> Bool {
    precision >= 1 && precision <= maxPrecision && scale >= 0 && scale <= maxScale
      && scale <= precision
  }

  /// Bytes a group of `digits` (0...9) decimal digits takes (MySQL's `dig2bytes`).
  @inlinable static func bytesForDigits(_ digits: Int) -> Int {
    digits == 9 ? 4 : (digits + 1) / 2
  }

  /// Bytes a DECIMAL(precision, scale) occupies in a row image (MySQL's `decimal_bin_size`).
  /// Returns 0 when the definition is not valid (see `isValid`); the caller should reject the column.
  @inlinable public static func storageSize(precision: Int, scale: Int) -> Int {
    guard isValid(precision: precision, scale: scale) else { return 0 }
    let intg = precision - scale
    return (intg / 9) * 4 + bytesForDigits(intg % 9) + (scale / 9) * 4 + bytesForDigits(scale % 9)
  }

  /// Appends the exact text of a binary DECIMAL as UTF-8 into `out`: `-10.55`, `0.0123`, `0.00`.
  /// The fraction always has exactly `scale` digits, the integer part has no leading zeros (but at
  /// least one digit), and zero is never written with a minus sign. Only the first
  /// `storageSize(precision:scale:)` bytes are read; fewer bytes, an invalid definition or a digit
  /// group out of range (MySQL's `bin2decimal` rejects those too) throw, leaving `out` unchanged.
  @inlinable public static func appendText<O: ByteAppender>(
    _ bytes: UnsafeRawBufferPointer, precision: Int, scale: Int, into out: inout O
  ) throws(BinlogError) {
    // Sign, 65 digits and the point fit in 72 bytes.
    var tmp: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
    let n = try withUnsafeMutableBytes(of: &tmp) { (t: UnsafeMutableRawBufferPointer) throws(BinlogError) -> Int in
      try formatText(bytes, precision: precision, scale: scale, to: t.baseAddress!)
    }
    withUnsafeBytes(of: &tmp) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
  }

  /// Writes the text `appendText` appends at `dst` (room for 67 bytes) and returns its length.
  @usableFromInline static func formatText(
    _ bytes: UnsafeRawBufferPointer, precision: Int, scale: Int, to dst: UnsafeMutableRawPointer
  ) throws(BinlogError) -> Int {
    guard isValid(precision: precision, scale: scale) else {
      throw BinlogError(.malformed, "invalid DECIMAL(\(precision),\(scale)) definition")
    }
    let size = storageSize(precision: precision, scale: scale)
    guard bytes.count >= size else {
      throw BinlogError(
        .truncated,
        "DECIMAL(\(precision),\(scale)) needs \(size) bytes but only \(bytes.count) remain")
    }
    let intg = precision - scale
    let leadingDigits = intg % 9
    let integerGroups = intg / 9 + (leadingDigits > 0 ? 1 : 0)
    let trailingDigits = scale % 9
    let groupCount = integerGroups + scale / 9 + (trailingDigits > 0 ? 1 : 0)
    let negative = bytes[0] & 0x80 == 0
    let invert: UInt8 = negative ? 0xFF : 0x00
    func digitsOfGroup(_ g: Int) -> Int {
      if g == 0 && leadingDigits > 0 { return leadingDigits }
      if g == groupCount - 1 && g >= integerGroups && trailingDigits > 0 { return trailingDigits }
      return 9
    }

    // At most 1 + 7 integer groups (65 digits) and 3 + 1 fraction groups (30 digits).
    return try withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 12) { values throws(BinlogError) -> Int in
      // Pass 1: read and check every group (big-endian, sign bit flipped, inverted if negative).
      var isZero = true
      var position = 0
      for g in 0..<groupCount {
        let digits = digitsOfGroup(g)
        let width = bytesForDigits(digits)
        var value: UInt32 = 0
        for i in position..<(position + width) {
          value = value << 8 | UInt32(bytes[i] ^ invert ^ (i == 0 ? 0x80 : 0))
        }
        guard value < powerOf10(digits) else {
          throw BinlogError(
            .malformed,
            "DECIMAL digit group \(value) at byte \(position) has more than \(digits) digits")
        }
        if value != 0 { isZero = false }
        values[g] = value
        position += width
      }

      // Pass 2: write the text (at most sign, 65 digits and the point) and append it at once.
      do {
        let buffer = UnsafeMutableBufferPointer(start: dst.assumingMemoryBound(to: UInt8.self), count: 2 + maxPrecision)
        var p = 0
        if negative && !isZero {
          buffer[p] = UInt8(ascii: "-")
          p += 1
        }
        var wroteDigit = false
        for g in 0..<integerGroups {
          if wroteDigit {
            writeDigits(values[g], width: digitsOfGroup(g), into: buffer, at: &p)
          } else if values[g] != 0 {
            writeDigits(values[g], width: digitCount(values[g]), into: buffer, at: &p)
            wroteDigit = true
          }
        }
        if !wroteDigit {
          buffer[p] = UInt8(ascii: "0")
          p += 1
        }
        if scale > 0 {
          buffer[p] = UInt8(ascii: ".")
          p += 1
          for g in integerGroups..<groupCount {
            writeDigits(values[g], width: digitsOfGroup(g), into: buffer, at: &p)
          }
        }
        return p
      }
    }
  }

  /// The exact text of a binary DECIMAL as a `String` (see `appendText`).
  public static func text(_ bytes: UnsafeRawBufferPointer, precision: Int, scale: Int)
    throws(BinlogError) -> String
  {
    var out: [UInt8] = []
    try appendText(bytes, precision: precision, scale: scale, into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  @inlinable static func powerOf10(_ n: Int) -> UInt32 {
    var p: UInt32 = 1
    for _ in 0..<n { p &*= 10 }
    return p
  }

  static func digitCount(_ value: UInt32) -> Int {
    var n = 1
    var rest = value / 10
    while rest > 0 {
      n += 1
      rest /= 10
    }
    return n
  }

  /// Writes `value` as exactly `width` digits (zero-padded) at `p`, advancing `p`.
  static func writeDigits(
    _ value: UInt32, width: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at p: inout Int
  ) {
    var rest = value
    var i = p + width - 1
    while i >= p {
      buffer[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
      rest /= 10
      i -= 1
    }
    p += width
  }
}
