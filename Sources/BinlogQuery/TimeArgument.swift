import BinlogFormat

/// A point in time as every time option takes it (`--start-datetime`, `--stop-datetime`,
/// `schema --at`, `serve --start-datetime`, `report`): what Sluice prints is read back.
///
/// - `2024-03-01T01:00:00Z`, `2024-03-01T03:00:00+02:00`, `2024-03-01 01:00:00.25-05:30`:
///   an instant (ISO-8601 with `Z` or an offset; the zone option does not apply);
/// - `2024-03-01 01:00:00[.ffffff]`, `2024-03-01T01:00`, `2024-03-01`: a wall-clock time in
///   the zone given (`--timezone`);
/// - `@1709254800`, `@1709254800.5`: epoch seconds.
///
/// Impossible dates and times (`2024-02-30`, `25:00`) are refused, never rolled over.
public enum TimeArgument {
  /// Microseconds since the epoch (negative before 1970).
  public static func epochMicros(_ text: String, zone: TimeZoneSpec) throws(BinlogError) -> Int64 {
    let t = text.trimmingSpaces
    if t.hasPrefix("@") { return try epochText(String(t.dropFirst()), original: text) }
    let (local, offset) = try splitOffset(t, original: text)
    let c: CivilDateTime
    do { c = try CivilDateTime(parsing: local) } catch { throw error.with(text: text) }
    let seconds: Int64
    if let offset {
      seconds = c.epochSecondsAsUTC - Int64(offset)
    } else {
      seconds = zone.epoch(ofLocal: c)
    }
    return seconds * 1_000_000 + Int64(c.micros)
  }

  /// As `epochMicros`, clamped to 0 for a time before 1970 (commit times are never earlier).
  public static func unsignedMicros(_ text: String, zone: TimeZoneSpec) throws(BinlogError) -> UInt64 {
    UInt64(max(0, try epochMicros(text, zone: zone)))
  }

  /// `@N[.f]` → microseconds.
  private static func epochText(_ s: String, original: String) throws(BinlogError) -> Int64 {
    let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }), whole.count <= 12,
      let secs = Int64(whole)
    else {
      throw BinlogError(.malformed, "invalid time '\(original)': after @ give epoch seconds, such as @1709254800")
    }
    var micros: Int64 = 0
    if parts.count == 2 {
      let f = parts[1]
      guard !f.isEmpty, f.count <= 6, f.allSatisfy({ $0.isASCII && $0.isNumber }), var v = Int64(f) else {
        throw BinlogError(.malformed, "invalid time '\(original)': the fraction of a second takes 1 to 6 digits")
      }
      for _ in f.count..<6 { v *= 10 }
      micros = v
    }
    return secs * 1_000_000 + micros
  }

  /// Splits a trailing `Z`, `+HH:MM`, `+HHMM` or `+HH` off a date-time (never off a bare date,
  /// whose `-` separate its fields); returns the rest and the offset in seconds east of UTC.
  private static func splitOffset(_ t: String, original: String) throws(BinlogError) -> (String, Int?) {
    let b = Array(t.utf8)
    // Only after the time part: "YYYY-MM-DD?HH" is at least 13 bytes.
    guard b.count > 13, b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20 else { return (t, nil) }
    if let last = b.last, last == 0x5A || last == 0x7A {
      return (String(decoding: b.dropLast(), as: UTF8.self), 0)
    }
    var i = b.count - 1
    while i > 13, b[i] != 0x2B, b[i] != 0x2D { i -= 1 }
    guard i > 13, b[i] == 0x2B || b[i] == 0x2D else { return (t, nil) }
    let sign = b[i] == 0x2D ? -1 : 1
    let digits = b[(i + 1)...].filter { $0 != 0x3A }
    guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
      throw BinlogError(.malformed, "invalid time '\(original)': a zone offset is written +HH:MM")
    }
    let v = digits.map { Int($0 - 0x30) }
    let h = v[0] * 10 + v[1]
    let m = digits.count == 4 ? v[2] * 10 + v[3] : 0
    guard h <= 14, m < 60 else {
      throw BinlogError(.malformed, "invalid time '\(original)': the zone offset must be within ±14:00")
    }
    var local = b[..<i]
    while let l = local.last, l == 0x20 { local = local.dropLast() }
    return (String(decoding: local, as: UTF8.self), sign * (h * 3600 + m * 60))
  }
}

extension BinlogError {
  /// The same error about the text the user typed (not the part that was parsed).
  func with(text: String) -> BinlogError {
    guard let r = message.firstRange(of: "'"), let e = message[r.upperBound...].firstRange(of: "'") else { return self }
    var copy = self
    copy.message = String(message[..<r.upperBound]) + text + String(message[e.lowerBound...])
    return copy
  }
}
