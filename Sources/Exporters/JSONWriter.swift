import BinlogFormat

/// Hand-written JSON output into a byte buffer (measured 8x faster than JSONEncoder).
public enum JSONWriter {

  /// Appends `s` as a JSON string literal (quotes included), escaping as RFC 8259 requires.
  @inlinable public static func appendString(_ s: String, into out: inout [UInt8]) {
    var s = s
    s.withUTF8 { appendStringBytes(UnsafeRawBufferPointer($0), into: &out) }
  }

  /// Appends already-valid UTF-8 bytes as a JSON string literal.
  @inlinable public static func appendStringBytes(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    out.append(0x22)
    appendEscaped(b, into: &out)
    out.append(0x22)
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

  @inlinable public static func appendEscaped(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) {
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
  @inlinable public static func appendStringIfValidUTF8(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
    let n = b.count
    var i = 0
    var clean = true
    while i &+ 8 <= n {
      let w = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
      if w & 0x8080_8080_8080_8080 != 0 || wordNeedsEscape(w) {
        clean = false
        break
      }
      i &+= 8
    }
    if clean {
      while i < n {
        let c = b[i]
        if c >= 0x80 || c < 0x20 || c == 0x22 || c == 0x5C {
          clean = false
          break
        }
        i &+= 1
      }
    }
    if clean {
      out.append(0x22)
      out.append(contentsOf: b)
      out.append(0x22)
      return true
    }
    guard Charset.isValidUTF8(b) else { return false }
    appendStringBytes(b, into: &out)
    return true
  }

  @inlinable public static func appendKey(_ key: StaticString, into out: inout [UInt8]) {
    out.append(0x22)
    out.append(contentsOf: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    out.append(0x22)
    out.append(0x3A)
  }

  @inlinable public static func appendRaw(_ s: StaticString, into out: inout [UInt8]) {
    out.append(contentsOf: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
  }

  @inlinable public static func appendInt(_ v: Int64, into out: inout [UInt8]) {
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

  @inlinable public static func appendUInt(_ v: UInt64, into out: inout [UInt8]) {
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
  @inlinable public static func appendPadded(_ v: Int, width: Int, into out: inout [UInt8]) {
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
  public static func appendDouble(_ v: Double, into out: inout [UInt8]) {
    if !v.isFinite {
      appendRaw("null", into: &out)
      return
    }
    if v == v.rounded(), abs(v) < 1e15 {
      appendInt(Int64(v), into: &out)
      if v == 0 && v.sign == .minus { /* -0 prints as 0 */  }
      return
    }
    var s = v.description
    s.withUTF8 { out.append(contentsOf: $0) }
  }

  public static func appendFloat(_ v: Float, into out: inout [UInt8]) {
    if !v.isFinite {
      appendRaw("null", into: &out)
      return
    }
    if v == v.rounded(), abs(v) < 1e7 {
      appendInt(Int64(v), into: &out)
      return
    }
    var s = v.description
    s.withUTF8 { out.append(contentsOf: $0) }
  }

  static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  public static func appendBase64(_ b: UnsafeRawBufferPointer, padTo: Int = 0, into out: inout [UInt8]) {
    let total = Swift.max(b.count, padTo)
    @inline(__always) func byte(_ i: Int) -> UInt32 { i < b.count ? UInt32(b[i]) : 0 }
    var i = 0
    let a = base64Alphabet
    while i + 3 <= total {
      let v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2)
      out.append(a[Int(v >> 18)])
      out.append(a[Int((v >> 12) & 63)])
      out.append(a[Int((v >> 6) & 63)])
      out.append(a[Int(v & 63)])
      i += 3
    }
    let rem = total - i
    if rem == 1 {
      let v = byte(i) << 16
      out.append(a[Int(v >> 18)])
      out.append(a[Int((v >> 12) & 63)])
      out.append(0x3D)
      out.append(0x3D)
    } else if rem == 2 {
      let v = byte(i) << 16 | byte(i + 1) << 8
      out.append(a[Int(v >> 18)])
      out.append(a[Int((v >> 12) & 63)])
      out.append(a[Int((v >> 6) & 63)])
      out.append(0x3D)
    }
  }
}
