import BinlogFormat
import BinlogQuery

/// Text forms of temporal values, shared by every exporter.
public enum TemporalText {
  @inlinable static func appendFraction<O: ByteAppender>(_ micros: Int, fsp: Int, into out: inout O) {
    guard fsp > 0 else { return }
    // `.` and at most 6 digits (a larger fsp in damaged metadata is cut to 6) in one append.
    let digits = Swift.min(fsp, 6)
    var tmp: UInt64 = 0
    withUnsafeMutableBytes(of: &tmp) { t in
      t[0] = 0x2E
      var div = 100_000
      for k in 0..<digits {
        t[k &+ 1] = 0x30 &+ UInt8(truncatingIfNeeded: (micros / div) % 10)
        div /= 10
      }
      out.append(contentsOf: UnsafeRawBufferPointer(rebasing: t[0..<(digits &+ 1)]))
    }
  }

  /// Writes `v` (0...99) as two digits at `p`.
  @inlinable @inline(__always) static func put2(_ v: Int, _ p: UnsafeMutableRawBufferPointer, _ at: Int) {
    let pairs = JSONWriter.digitPairs.utf8Start
    p[at] = pairs[2 &* v]
    p[at &+ 1] = pairs[2 &* v &+ 1]
  }

  /// `YYYY-MM-DD HH:MM:SS` (or its first 10 bytes) in one append when every part has its usual
  /// width; false (appending nothing) otherwise.
  @inlinable static func appendFixed<O: ByteAppender>(
    year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, separator: UInt8, withClock: Bool,
    into out: inout O
  ) -> Bool {
    guard year >= 0 && year <= 9999 && month >= 0 && month <= 99 && day >= 0 && day <= 99 else { return false }
    if withClock {
      guard hour >= 0 && hour <= 99 && minute >= 0 && minute <= 99 && second >= 0 && second <= 99 else { return false }
    }
    var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
    withUnsafeMutableBytes(of: &tmp) { t in
      put2(year / 100, t, 0)
      put2(year % 100, t, 2)
      t[4] = 0x2D
      put2(month, t, 5)
      t[7] = 0x2D
      put2(day, t, 8)
      if withClock {
        t[10] = separator
        put2(hour, t, 11)
        t[13] = 0x3A
        put2(minute, t, 14)
        t[16] = 0x3A
        put2(second, t, 17)
      }
      out.append(contentsOf: UnsafeRawBufferPointer(rebasing: t[0..<(withClock ? 19 : 10)]))
    }
    return true
  }

  /// `YYYY-MM-DD`
  @inlinable public static func appendDate<O: ByteAppender>(year: Int, month: Int, day: Int, into out: inout O) {
    if appendFixed(year: year, month: month, day: day, hour: 0, minute: 0, second: 0, separator: 0, withClock: false, into: &out)
    {
      return
    }
    JSONWriter.appendPadded(year, width: 4, into: &out)
    out.append(0x2D)
    JSONWriter.appendPadded(month, width: 2, into: &out)
    out.append(0x2D)
    JSONWriter.appendPadded(day, width: 2, into: &out)
  }

  /// `HH:MM:SS[.ffffff]`
  @inlinable public static func appendClock<O: ByteAppender>(
    hour: Int, minute: Int, second: Int, micros: Int, fsp: Int, into out: inout O
  ) {
    JSONWriter.appendPadded(hour, width: 2, into: &out)
    out.append(0x3A)
    JSONWriter.appendPadded(minute, width: 2, into: &out)
    out.append(0x3A)
    JSONWriter.appendPadded(second, width: 2, into: &out)
    appendFraction(micros, fsp: fsp, into: &out)
  }

  /// `[-]HH:MM:SS[.ffffff]`, hours may exceed 24 (MySQL TIME range is ±838:59:59).
  @inlinable public static func appendTime<O: ByteAppender>(
    negative: Bool, hours: Int, minutes: Int, seconds: Int, micros: Int, fsp: Int, into out: inout O
  ) {
    if negative { out.append(0x2D) }
    appendClock(hour: hours, minute: minutes, second: seconds, micros: micros, fsp: fsp, into: &out)
  }

  /// `YYYY-MM-DD HH:MM:SS[.ffffff]`
  @inlinable public static func appendDateTime<O: ByteAppender>(
    year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, micros: Int, fsp: Int, into out: inout O
  ) {
    if appendFixed(
      year: year, month: month, day: day, hour: hour, minute: minute, second: second, separator: 0x20, withClock: true,
      into: &out)
    {
      appendFraction(micros, fsp: fsp, into: &out)
      return
    }
    appendDate(year: year, month: month, day: day, into: &out)
    out.append(0x20)
    appendClock(hour: hour, minute: minute, second: second, micros: micros, fsp: fsp, into: &out)
  }

  /// ISO-8601 in `zone`: `2024-03-01T08:00:00.123Z` for UTC, `...+08:00` otherwise.
  /// MySQL's zero TIMESTAMP (0 seconds) is rendered `0000-00-00 00:00:00`.
  @inlinable public static func appendTimestampISO<O: ByteAppender>(
    seconds: Int64, micros: Int, fsp: Int, zone: TimeZoneSpec, into out: inout O
  ) {
    if seconds == 0 && micros == 0 {
      JSONWriter.appendRaw("0000-00-00 00:00:00", into: &out)
      appendFraction(0, fsp: fsp, into: &out)
      return
    }
    let off = zone.offset(at: seconds)
    let c = CivilDateTime(epoch: seconds, offset: off)
    if appendFixed(
      year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second, separator: 0x54,
      withClock: true, into: &out)
    {
      appendFraction(micros, fsp: fsp, into: &out)
    } else {
      appendDate(year: c.year, month: c.month, day: c.day, into: &out)
      out.append(0x54)
      appendClock(hour: c.hour, minute: c.minute, second: c.second, micros: micros, fsp: fsp, into: &out)
    }
    if off == 0 {
      out.append(0x5A)
    } else {
      let a = abs(off)
      out.append(off < 0 ? 0x2D : 0x2B)
      JSONWriter.appendPadded(a / 3600, width: 2, into: &out)
      out.append(0x3A)
      JSONWriter.appendPadded((a % 3600) / 60, width: 2, into: &out)
    }
  }

  /// `YYYY-MM-DD HH:MM:SS[.ffffff]` in `zone` (SQL literal / Canal style).
  @inlinable public static func appendTimestampLocal<O: ByteAppender>(
    seconds: Int64, micros: Int, fsp: Int, zone: TimeZoneSpec, into out: inout O
  ) {
    if seconds == 0 && micros == 0 {
      JSONWriter.appendRaw("0000-00-00 00:00:00", into: &out)
      appendFraction(0, fsp: fsp, into: &out)
      return
    }
    let c = CivilDateTime(epoch: seconds, offset: zone.offset(at: seconds))
    appendDateTime(
      year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second, micros: micros,
      fsp: fsp, into: &out)
  }

  /// ISO-8601 UTC for an event timestamp in seconds.
  public static func isoUTC(_ seconds: Int64) -> String {
    var out: [UInt8] = []
    appendTimestampISO(seconds: seconds, micros: 0, fsp: 0, zone: .utc, into: &out)
    if seconds == 0 { return "1970-01-01T00:00:00Z" }
    return String(decoding: out, as: UTF8.self)
  }
}
