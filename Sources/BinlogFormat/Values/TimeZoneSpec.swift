#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A time zone for rendering TIMESTAMPs and reading `--start-datetime`: UTC, a fixed offset
/// (`+08:00`), or an IANA name (`Asia/Shanghai`) resolved through the system's tzdata.
public struct TimeZoneSpec: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    case utc
    case fixed(seconds: Int)
    case named(String)
  }
  public var kind: Kind
  public static let utc = TimeZoneSpec(kind: .utc)

  public init(kind: Kind) { self.kind = kind }

  public init(parsing text: String) throws {
    let t = text.trimmingSpaces
    if t.isEmpty || t.uppercased() == "UTC" || t.uppercased() == "Z" || t == "+00:00" || t.uppercased() == "GMT" {
      kind = .utc
      return
    }
    if let f = t.first, f == "+" || f == "-" {
      let sign = f == "-" ? -1 : 1
      let digits = t.dropFirst().split(separator: ":")
      guard digits.count >= 1, digits.count <= 2, let h = Int(digits[0]), h <= 14,
        let m = digits.count == 2 ? Int(digits[1]) : 0, m < 60
      else {
        throw BinlogError(.malformed, "invalid time zone offset '\(text)' (expected +HH:MM)")
      }
      kind = .fixed(seconds: sign * (h * 3600 + m * 60))
      return
    }
    // An IANA zone: check that tzdata knows it.
    let path = "/usr/share/zoneinfo/" + t
    guard !t.contains(".."), access(path, R_OK) == 0 else {
      throw BinlogError(.malformed, "unknown time zone '\(text)' (use UTC, +HH:MM or an IANA name like Asia/Shanghai)")
    }
    kind = .named(t)
  }

  /// Seconds east of UTC at the instant `epoch`.
  public func offset(at epoch: Int64) -> Int {
    switch kind {
    case .utc: return 0
    case .fixed(let s): return s
    case .named(let name): return TimeZoneSpec.namedOffset(name, epoch)
    }
  }

  /// Epoch seconds of a wall-clock time in this zone (for parsing `--start-datetime`).
  public func epoch(ofLocal c: CivilDateTime) -> Int64 {
    let naive = c.epochSecondsAsUTC
    switch kind {
    case .utc: return naive
    case .fixed(let s): return naive - Int64(s)
    case .named:
      // Two passes settle DST transitions well enough for a filter bound.
      var guess = naive - Int64(offset(at: naive))
      guess = naive - Int64(offset(at: guess))
      return guess
    }
  }

  nonisolated(unsafe) static var lock = pthread_mutex_t()
  nonisolated(unsafe) static var lockReady = false
  nonisolated(unsafe) static var cache: [String: [(Int64, Int)]] = [:]

  static func namedOffset(_ name: String, _ epoch: Int64) -> Int {
    if !lockReady {
      pthread_mutex_init(&lock, nil)
      lockReady = true
    }
    pthread_mutex_lock(&lock)
    defer { pthread_mutex_unlock(&lock) }
    let old = getenv("TZ").map { String(cString: $0) }
    setenv("TZ", name, 1)
    tzset()
    var t = time_t(epoch)
    var tmv = tm()
    localtime_r(&t, &tmv)
    if let old { setenv("TZ", old, 1) } else { unsetenv("TZ") }
    tzset()
    return Int(tmv.tm_gmtoff)
  }

  public var name: String {
    switch kind {
    case .utc: return "UTC"
    case .fixed(let s):
      let a = abs(s)
      let h = a / 3600
      let m = (a % 3600) / 60
      return (s < 0 ? "-" : "+") + (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    case .named(let n): return n
    }
  }
}

/// A proleptic-Gregorian date and time with no zone.
public struct CivilDateTime: Sendable, Equatable {
  public var year, month, day, hour, minute, second: Int
  public var micros: Int

  public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, micros: Int = 0) {
    self.year = year
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
    self.micros = micros
  }

  /// From epoch seconds (UTC, plus `offset` seconds).
  public init(epoch: Int64, offset: Int = 0) {
    let t = epoch + Int64(offset)
    var days = t / 86400
    var rem = t % 86400
    if rem < 0 {
      rem += 86400
      days -= 1
    }
    let (y, m, d) = CivilDateTime.civil(fromDays: days)
    self.init(year: y, month: m, day: d, hour: Int(rem / 3600), minute: Int((rem % 3600) / 60), second: Int(rem % 60))
  }

  public var epochSecondsAsUTC: Int64 {
    CivilDateTime.days(year: year, month: month, day: day) * 86400 + Int64(hour * 3600 + minute * 60 + second)
  }

  /// Days since 1970-01-01 (Howard Hinnant's algorithm).
  public static func days(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = Int64((month + 9) % 12)
    let doy = (153 * mp + 2) / 5 + Int64(day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }

  public static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
  }

  /// Parses `YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]` (also with `T`), as mysqlbinlog's --start-datetime.
  public init(parsing text: String) throws(BinlogError) {
    let s = Array(text.trimmingSpaces.utf8)
    var i = 0
    func num(_ maxDigits: Int) -> Int? {
      var v = 0
      var n = 0
      while i < s.count, n < maxDigits, s[i] >= 48, s[i] <= 57 {
        v = v * 10 + Int(s[i] - 48)
        i += 1
        n += 1
      }
      return n == 0 ? nil : v
    }
    func sep(_ allowed: [UInt8]) -> Bool {
      if i < s.count, allowed.contains(s[i]) {
        i += 1
        return true
      }
      return false
    }
    let bad = BinlogError(
      .malformed,
      "invalid datetime '\(text)' (expected YYYY-MM-DD HH:MM:SS[.ffffff], an ISO-8601 time with Z or +HH:MM, or @EPOCH)")
    guard let y = num(4), sep([45, 47]), let mo = num(2), sep([45, 47]), let d = num(2) else { throw bad }
    var h = 0
    var mi = 0
    var se = 0
    var us = 0
    if sep([32, 84]) {
      guard let hh = num(2) else { throw bad }
      h = hh
      if sep([58]) {
        guard let mm = num(2) else { throw bad }
        mi = mm
        if sep([58]) {
          guard let ss = num(2) else { throw bad }
          se = ss
          if sep([46]) {
            let start = i
            guard var f = num(6) else { throw bad }
            for _ in 0..<(6 - (i - start)) { f *= 10 }
            us = f
          }
        }
      }
    }
    guard i == s.count else { throw bad }
    func refuse(_ why: String) -> BinlogError { BinlogError(.malformed, "invalid datetime '\(text)': \(why)") }
    guard (1...12).contains(mo) else { throw refuse("month \(mo) does not exist") }
    let last = CivilDateTime.daysIn(month: mo, year: y)
    guard (1...last).contains(d) else { throw refuse("\(CivilDateTime.monthNames[mo - 1]) \(y) has \(last) days") }
    guard h < 24 else { throw refuse("hour \(h) is past 23") }
    guard mi < 60 else { throw refuse("minute \(mi) is past 59") }
    guard se < 60 else { throw refuse("second \(se) is past 59") }
    self.init(year: y, month: mo, day: d, hour: h, minute: mi, second: se, micros: us)
  }
}

extension CivilDateTime {
  static let monthNames = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
  ]

  /// Days of `month` (1...12) in the proleptic Gregorian calendar.
  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}

extension String {
  /// The text without leading and trailing spaces, tabs and newlines.
  package var trimmingSpaces: String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" || f == "\n" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" || l == "\n" { s = s.dropLast() }
    return String(s)
  }
}
