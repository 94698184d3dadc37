import BinlogFormat

/// Canal's temporal and integer text, written by digit pairs into any `ByteAppender`.
extension CanalValueText {
  // MARK: - Temporal text

  /// TIME as Canal prints it: `[-]HH:MM:SS[.f]`; hours of 100 and more in full. The old
  /// (pre-5.6.4) TIME format prints the full hours only above 100, so 100 prints as `00`.
  static func appendTime<O: ByteAppender>(
    negative: Bool, hours: Int, minutes: Int, seconds: Int, micros: Int, fsp: Int, oldFormat: Bool,
    into out: inout O
  ) {
    if oldFormat && hours == 0 && minutes == 0 && seconds == 0 {
      appendASCII("00:00:00", &out)
      return
    }
    if negative { out.append(UInt8(ascii: "-")) }
    appendHours(hours, fullFrom: oldFormat ? 101 : 100, &out)
    out.append(UInt8(ascii: ":"))
    appendPadded(minutes, 2, &out)
    out.append(UInt8(ascii: ":"))
    appendPadded(seconds, 2, &out)
    appendFraction(micros, fsp, &out)
  }

  /// Canal's `appendNumber2` keeps only the last two digits; larger hours print in full from
  /// `fullFrom` on.
  static func appendHours<O: ByteAppender>(_ h: Int, fullFrom: Int, _ out: inout O) {
    if h >= fullFrom {
      appendInt(Int64(h), into: &out)
    } else {
      appendPadded(h % 100, 2, &out)
    }
  }

  static func appendDate<O: ByteAppender>(_ y: Int, _ m: Int, _ d: Int, _ out: inout O) {
    appendPadded(y, 4, &out)
    out.append(UInt8(ascii: "-"))
    appendPadded(m, 2, &out)
    out.append(UInt8(ascii: "-"))
    appendPadded(d, 2, &out)
  }

  /// `appendDate`, a space, `appendClock` and `appendFraction`; in one write when every part
  /// is in its usual range (years 0…9999, two-digit fields, fsp ≤ 6).
  static func appendDateTime<O: ByteAppender>(
    _ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, micros: Int, fsp: Int, _ out: inout O
  ) {
    guard
      y >= 0 && y <= 9999 && mo >= 0 && mo < 100 && d >= 0 && d < 100 && h >= 0 && h < 100 && mi >= 0 && mi < 100
        && s >= 0 && s < 100 && micros >= 0 && micros < 1_000_000 && fsp >= 0 && fsp <= 6
    else {
      appendDate(y, mo, d, &out)
      out.append(UInt8(ascii: " "))
      appendClock(h, mi, s, &out)
      appendFraction(micros, fsp, &out)
      return
    }
    let n = fsp > 0 ? 20 + fsp : 19
    out.write(upTo: 26) { p in
      writeDigits(UInt64(y), count: 4, to: p)
      p.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 4, as: UInt8.self)
      writeDigits(UInt64(mo), count: 2, to: p + 5)
      p.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 7, as: UInt8.self)
      writeDigits(UInt64(d), count: 2, to: p + 8)
      p.storeBytes(of: UInt8(ascii: " "), toByteOffset: 10, as: UInt8.self)
      writeDigits(UInt64(h), count: 2, to: p + 11)
      p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: 13, as: UInt8.self)
      writeDigits(UInt64(mi), count: 2, to: p + 14)
      p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: 16, as: UInt8.self)
      writeDigits(UInt64(s), count: 2, to: p + 17)
      if fsp > 0 {
        // All six digits are written; only the first fsp are kept.
        p.storeBytes(of: UInt8(ascii: "."), toByteOffset: 19, as: UInt8.self)
        writeDigits(UInt64(micros), count: 6, to: p + 20)
      }
      return n
    }
  }

  static func appendClock<O: ByteAppender>(_ h: Int, _ m: Int, _ s: Int, _ out: inout O) {
    appendPadded(h, 2, &out)
    out.append(UInt8(ascii: ":"))
    appendPadded(m, 2, &out)
    out.append(UInt8(ascii: ":"))
    appendPadded(s, 2, &out)
  }

  /// `.` and the first `fsp` digits of the 6-digit microsecond value (nothing when fsp is 0).
  static func appendFraction<O: ByteAppender>(_ micros: Int, _ fsp: Int, _ out: inout O) {
    guard fsp > 0 else { return }
    out.append(UInt8(ascii: "."))
    var div = 100_000
    for _ in 0..<min(fsp, 6) {
      out.append(UInt8(ascii: "0") &+ UInt8((micros / div) % 10))
      div /= 10
    }
  }

  // MARK: - Numbers

  static func appendInt<O: ByteAppender>(_ v: Int64, into out: inout O) {
    if v < 0 { out.append(UInt8(ascii: "-")) }
    appendUInt(v.magnitude, into: &out)
  }

  static func appendUInt<O: ByteAppender>(_ v: UInt64, into out: inout O) {
    let n = decimalDigits(v)
    out.write(upTo: n) { p in
      writeDigits(v, count: n, to: p)
      return n
    }
  }

  /// `v` with at least `width` digits (zero-padded); negative numbers keep their sign first.
  static func appendPadded<O: ByteAppender>(_ v: Int, _ width: Int, _ out: inout O) {
    if v < 0 { out.append(UInt8(ascii: "-")) }
    let m = UInt64(v.magnitude)
    let n = decimalDigits(m)
    let total = Swift.max(n, width)
    out.write(upTo: total) { p in
      var i = 0
      while i < total &- n {
        p.storeBytes(of: UInt8(ascii: "0"), toByteOffset: i, as: UInt8.self)
        i &+= 1
      }
      writeDigits(m, count: n, to: p + (total &- n))
      return total
    }
  }

  /// The number of decimal digits of `v` (1 for 0).
  @inline(__always) static func decimalDigits(_ v: UInt64) -> Int {
    var n = 1
    var x = v
    while x >= 100 {
      x /= 100
      n &+= 2
    }
    return x >= 10 ? n &+ 1 : n
  }

  /// Writes the `count` digits of `v` at `p`, two at a time from the end.
  @inline(__always) static func writeDigits(_ v: UInt64, count: Int, to p: UnsafeMutableRawPointer) {
    digitPairs.withUTF8Buffer { pairs in
      let table = UnsafeRawPointer(pairs.baseAddress!)
      var i = count
      var rest = v
      while i >= 2 {
        let k = Int(truncatingIfNeeded: rest % 100) &* 2
        rest /= 100
        i &-= 2
        p.storeBytes(of: table.loadUnaligned(fromByteOffset: k, as: UInt16.self), toByteOffset: i, as: UInt16.self)
      }
      if i == 1 { p.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest), as: UInt8.self) }
    }
  }

  private static let digitPairs: StaticString =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

  static func appendASCII<O: ByteAppender>(_ s: StaticString, _ out: inout O) {
    s.withUTF8Buffer { out.append(contentsOf: UnsafeRawBufferPointer($0)) }
  }
}
