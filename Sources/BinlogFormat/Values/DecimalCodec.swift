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
    let range = try withUnsafeMutableBytes(of: &tmp) { (t: UnsafeMutableRawBufferPointer) throws(BinlogError) -> Range<Int> in
      try formatText(bytes, precision: precision, scale: scale, to: t.baseAddress!)
    }
    withUnsafeBytes(of: &tmp) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[range])) }
  }

  /// Writes the text `appendText` appends into `dst` (room for 68 bytes) in one pass over the
  /// digit groups, and returns where in `dst` it is (byte 0 is kept for the sign).
  public static func formatText(
    _ bytes: UnsafeRawBufferPointer, precision: Int, scale: Int, to dst: UnsafeMutableRawPointer
  ) throws(BinlogError) -> Range<Int> {
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
    let negative = bytes[0] & 0x80 == 0
    let invert: UInt8 = negative ? 0xFF : 0x00
    var position = 0
    var o = 1
    var isZero = true
    var wroteDigit = false

    /// The next group of `digits` digits (big-endian, sign bit flipped, inverted if negative).
    func group(_ digits: Int) throws(BinlogError) -> UInt32 {
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
      position += width
      if value != 0 { isZero = false }
      return value
    }
    // Integer part: the partial group (most significant digits) first, no leading zeros.
    for g in 0..<(intg / 9 + (intg % 9 > 0 ? 1 : 0)) {
      let digits = g == 0 && intg % 9 > 0 ? intg % 9 : 9
      let v = try group(digits)
      if wroteDigit {
        writeDigits(v, width: digits, to: dst, at: &o)
      } else if v != 0 {
        writeDigits(v, width: digitCount(v), to: dst, at: &o)
        wroteDigit = true
      }
    }
    if !wroteDigit {
      dst.storeBytes(of: UInt8(ascii: "0"), toByteOffset: o, as: UInt8.self)
      o += 1
    }
    if scale > 0 {
      dst.storeBytes(of: UInt8(ascii: "."), toByteOffset: o, as: UInt8.self)
      o += 1
      // Fraction: full groups, then the partial group (least significant digits) last.
      for g in 0..<(scale / 9 + (scale % 9 > 0 ? 1 : 0)) {
        let digits = g == scale / 9 ? scale % 9 : 9
        writeDigits(try group(digits), width: digits, to: dst, at: &o)
      }
    }
    if negative && !isZero {
      dst.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
      return 0..<o
    }
    return 1..<o
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

  @usableFromInline static func digitCount(_ value: UInt32) -> Int {
    var n = 1
    var rest = value / 10
    while rest > 0 {
      n += 1
      rest /= 10
    }
    return n
  }

  /// Writes `value` as exactly `width` digits (zero-padded) at `dst + p`, advancing `p`.
  @usableFromInline static func writeDigits(_ value: UInt32, width: Int, to dst: UnsafeMutableRawPointer, at p: inout Int) {
    var rest = value
    var i = p + width - 1
    while i >= p {
      dst.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10), toByteOffset: i, as: UInt8.self)
      rest /= 10
      i -= 1
    }
    p += width
  }
}
