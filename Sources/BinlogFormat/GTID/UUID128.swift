/// A 16-byte UUID as MySQL stores a server UUID (the SID of a GTID): raw bytes, no version semantics.
///
/// Ordering is byte-wise (MySQL compares `Uuid` with `memcmp`), which is also the order of the
/// lowercase text form. The text form is `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lowercase.
public struct UUID128: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Bytes 0...7, big-endian, so that comparing `(high, low)` compares the bytes in order.
  public var high: UInt64
  /// Bytes 8...15, big-endian.
  public var low: UInt64

  /// The all-zero UUID (the SID of an ANONYMOUS_GTID event).
  public static let zero = UUID128(high: 0, low: 0)

  @inlinable public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// A UUID from exactly 16 bytes; nil for any other count.
  public init?(bytes: some Collection<UInt8>) {
    guard bytes.count == 16 else { return nil }
    var h: UInt64 = 0
    var l: UInt64 = 0
    for (i, b) in bytes.enumerated() {
      if i < 8 { h = (h << 8) | UInt64(b) } else { l = (l << 8) | UInt64(b) }
    }
    self.init(high: h, low: l)
  }

  /// Reads the next 16 bytes of `cursor` as a UUID.
  @inlinable public init(reading cursor: inout ByteCursor) throws(BinlogError) {
    let b = try cursor.bytes(16, "UUID")
    var h: UInt64 = 0
    var l: UInt64 = 0
    for i in 0..<8 { h = (h << 8) | UInt64(b[i]) }
    for i in 8..<16 { l = (l << 8) | UInt64(b[i]) }
    self.init(high: h, low: l)
  }

  /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, the same without dashes (32 hex digits), or the
  /// dashed form in braces; hex digits in any case. Returns nil for anything else.
  public init?(_ text: some StringProtocol) {
    var utf8 = Array(text.utf8)
    if utf8.count == 38, utf8.first == UInt8(ascii: "{"), utf8.last == UInt8(ascii: "}") {
      utf8 = Array(utf8[1..<37])
    }
    guard let parsed = UUID128.parse(utf8[...]) else { return nil }
    self = parsed
  }

  /// Like `init?(_:)`, but throws a `.malformed` error naming the text.
  public init(parsing text: some StringProtocol) throws(BinlogError) {
    guard let u = UUID128(text) else {
      throw BinlogError(.malformed, "invalid UUID \"\(text)\": expected 32 hex digits, optionally as 8-4-4-4-12")
    }
    self = u
  }

  /// Parses exactly 36 dashed or 32 undashed hex characters.
  static func parse(_ s: ArraySlice<UInt8>) -> UUID128? {
    let dashed: Bool
    switch s.count {
    case 36: dashed = true
    case 32: dashed = false
    default: return nil
    }
    var h: UInt64 = 0
    var l: UInt64 = 0
    var nibbles = 0
    for (offset, c) in s.enumerated() {
      if dashed && (offset == 8 || offset == 13 || offset == 18 || offset == 23) {
        guard c == UInt8(ascii: "-") else { return nil }
        continue
      }
      guard let v = hexValue(c) else { return nil }
      if nibbles < 16 { h = (h << 4) | UInt64(v) } else { l = (l << 4) | UInt64(v) }
      nibbles += 1
    }
    return UUID128(high: h, low: l)
  }

  @inlinable static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
    default: return nil
    }
  }

  /// The 16 bytes in storage order.
  public var bytes: [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(16)
    for i in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> UInt64(i))) }
    for i in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt64(i))) }
    return out
  }

  /// Lowercase `8-4-4-4-12`, as MySQL prints it.
  public var description: String {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(36)
    var nibble = 0
    for word in [high, low] {
      for shift in stride(from: 60, through: 0, by: -4) {
        if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 { out.append(UInt8(ascii: "-")) }
        out.append(digits[Int((word >> UInt64(shift)) & 0xf)])
        nibble += 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  public static func < (a: UUID128, b: UUID128) -> Bool {
    a.high != b.high ? a.high < b.high : a.low < b.low
  }
}
