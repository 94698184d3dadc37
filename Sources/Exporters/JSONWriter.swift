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
    if b.count <= directLimit {
      var high: UInt64 = 0
      out.write(upTo: b.count &* 6 &+ 2) { writeQuoted(b, to: $0, high: &high) }
      return
    }
    out.append(0x22)
    appendEscaped(b, into: &out)
    out.append(0x22)
  }

  /// Strings up to this length are escaped straight into the output (which reserves 6 bytes
  /// per input byte for them); longer ones in runs.
  @usableFromInline static let directLimit = 1 << 14

  /// Writes `b` as a JSON string literal at `dst` (room for `6 * b.count + 2` bytes) and returns
  /// its length; ORs every input byte into `high` (so the caller sees non-ASCII text).
  @inlinable static func writeQuoted(_ b: UnsafeRawBufferPointer, to dst: UnsafeMutableRawPointer, high: inout UInt64) -> Int {
    let n = b.count
    var i = 0
    var o = 1
    var h: UInt64 = 0
    dst.storeBytes(of: 0x22, as: UInt8.self)
    while i &+ 8 <= n {
      let w = b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      h |= w
      if !wordNeedsEscape(UInt64(littleEndian: w)) {
        (dst + o).storeBytes(of: w, as: UInt64.self)
        o &+= 8
        i &+= 8
        continue
      }
      let end = i &+ 8
      while i < end {
        o &+= writeEscapedByte(b[i], to: dst + o)
        i &+= 1
      }
    }
    while i < n {
      let c = b[i]
      h |= UInt64(c)
      o &+= writeEscapedByte(c, to: dst + o)
      i &+= 1
    }
    (dst + o).storeBytes(of: 0x22, as: UInt8.self)
    high |= h
    return o &+ 1
  }

  /// Writes `c` as it appears inside a JSON string (1, 2 or 6 bytes) and returns how many.
  @inlinable @inline(__always) static func writeEscapedByte(_ c: UInt8, to p: UnsafeMutableRawPointer) -> Int {
    if c >= 0x20 && c != 0x22 && c != 0x5C {
      p.storeBytes(of: c, as: UInt8.self)
      return 1
    }
    let short: UInt8
    switch c {
    case 0x22: short = 0x22
    case 0x5C: short = 0x5C
    case 0x0A: short = 0x6E
    case 0x0D: short = 0x72
    case 0x09: short = 0x74
    case 0x08: short = 0x62
    case 0x0C: short = 0x66
    default: short = 0
    }
    p.storeBytes(of: 0x5C, as: UInt8.self)
    if short != 0 {
      p.storeBytes(of: short, toByteOffset: 1, as: UInt8.self)
      return 2
    }
    let hex: StaticString = "0123456789abcdef"
    p.storeBytes(of: 0x75, toByteOffset: 1, as: UInt8.self)
    p.storeBytes(of: 0x30, toByteOffset: 2, as: UInt8.self)
    p.storeBytes(of: 0x30, toByteOffset: 3, as: UInt8.self)
    p.storeBytes(of: hex.utf8Start[Int(c >> 4)], toByteOffset: 4, as: UInt8.self)
    p.storeBytes(of: hex.utf8Start[Int(c & 15)], toByteOffset: 5, as: UInt8.self)
    return 6
  }

  /// True when one of the 8 bytes of `w` must be escaped in a JSON string (a control
  /// character, `"` or `\\`); exact, no false positives (the classic "has zero byte" bit tricks).
  @inlinable @inline(__always) static func wordNeedsEscape(_ w: UInt64) -> Bool {
    let lo: UInt64 = 0x0101_0101_0101_0101
    let hi: UInt64 = 0x8080_8080_8080_8080
    let control = (w &- 0x20 &* lo) & ~w & hi
    let q = w ^ (0x22 &* lo)
    let quote = (q &- lo) & ~q & hi
    let bs = w ^ (0x5C &* lo)
    let backslash = (bs &- lo) & ~bs & hi
    return (control | quote | backslash) != 0
  }

  @inlinable public static func appendEscaped<O: ByteAppender>(_ b: UnsafeRawBufferPointer, into out: inout O) {
    var runStart = 0
    let n = b.count
    var i = 0
    while i < n {
      // Skip 8 clean bytes at a time (most text needs no escaping at all).
      if i &+ 8 <= n, !wordNeedsEscape(UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))) {
        i &+= 8
        continue
      }
      let c = b[i]
      if c >= 0x20 && c != 0x22 && c != 0x5C {
        i += 1
        continue
      }
      if runStart < i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[runStart..<i])) }
      switch c {
      case 0x22: out.append(0x5C); out.append(0x22)
      case 0x5C: out.append(0x5C); out.append(0x5C)
      case 0x0A: out.append(0x5C); out.append(0x6E)
      case 0x0D: out.append(0x5C); out.append(0x72)
      case 0x09: out.append(0x5C); out.append(0x74)
      case 0x08: out.append(0x5C); out.append(0x62)
      case 0x0C: out.append(0x5C); out.append(0x66)
      default:
        let hex: StaticString = "0123456789abcdef"
        out.append(0x5C)
        out.append(0x75)
        out.append(0x30)
        out.append(0x30)
        out.append(hex.utf8Start[Int(c >> 4)])
        out.append(hex.utf8Start[Int(c & 15)])
      }
      i += 1
      runStart = i
    }
    if runStart < n { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[runStart..<n])) }
  }

  /// Appends `b` as a JSON string literal when it is valid UTF-8 and returns true; returns false
  /// (appending nothing) otherwise. ASCII text without characters to escape, the common case,
  /// is checked 8 bytes at a time and copied in one piece.
  @inlinable public static func appendStringIfValidUTF8<O: ByteAppender>(_ b: UnsafeRawBufferPointer, into out: inout O) -> Bool {
    if b.count <= directLimit {
      // Escape and copy in one pass; validate only text with non-ASCII bytes, and take the
      // copy back in the rare case it is not UTF-8.
      var high: UInt64 = 0
      var written = 0
      out.write(upTo: b.count &* 6 &+ 2) { p in
        written = writeQuoted(b, to: p, high: &high)
        return written
      }
      if high & 0x8080_8080_8080_8080 != 0 && !Charset.isValidUTF8(b) {
        out.removeLast(written)
        return false
      }
      return true
    }
    guard Charset.isValidUTF8(b) else { return false }
    out.append(0x22)
    appendEscaped(b, into: &out)
    out.append(0x22)
    return true
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

  @usableFromInline static let base64Alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

  /// Base64 of `b` (zero-padded to `padTo` bytes), encoded 48 input bytes at a time into a stack
  /// buffer and appended in pieces.
  @inlinable public static func appendBase64<O: ByteAppender>(_ b: UnsafeRawBufferPointer, padTo: Int = 0, into out: inout O) {
    let total = Swift.max(b.count, padTo)
    let n = b.count
    let a = base64Alphabet.utf8Start
    var tmp: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &tmp) { t in
      var i = 0
      var k = 0
      while i &+ 3 <= total {
        let v: UInt32
        if i &+ 3 <= n {
          v = UInt32(b[i]) << 16 | UInt32(b[i &+ 1]) << 8 | UInt32(b[i &+ 2])
        } else {
          v = (i < n ? UInt32(b[i]) << 16 : 0) | (i &+ 1 < n ? UInt32(b[i &+ 1]) << 8 : 0)
        }
        t[k] = a[Int(v >> 18)]
        t[k &+ 1] = a[Int((v >> 12) & 63)]
        t[k &+ 2] = a[Int((v >> 6) & 63)]
        t[k &+ 3] = a[Int(v & 63)]
        k &+= 4
        i &+= 3
        if k == 64 {
          out.append(contentsOf: UnsafeRawBufferPointer(t))
          k = 0
        }
      }
      let rem = total &- i
      if rem > 0 {
        let b0 = i < n ? UInt32(b[i]) : 0
        let b1 = rem == 2 && i &+ 1 < n ? UInt32(b[i &+ 1]) : 0
        let v = b0 << 16 | b1 << 8
        t[k] = a[Int(v >> 18)]
        t[k &+ 1] = a[Int((v >> 12) & 63)]
        t[k &+ 2] = rem == 2 ? a[Int((v >> 6) & 63)] : 0x3D
        t[k &+ 3] = 0x3D
        k &+= 4
      }
      if k > 0 { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: t[0..<k])) }
    }
  }
}
