/// A decoded MySQL JSON document (`sql-common/json_dom.h` types), with object members kept in the
/// order they were stored. MySQL stores members sorted by key length, then by key bytes.
public indirect enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  /// INT16/INT32/INT64 in the binary format.
  case int(Int64)
  /// UINT16/UINT32/UINT64 in the binary format.
  case uint(UInt64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  /// Members in stored order.
  case object([(key: String, value: JSONValue)])
  /// An opaque NEWDECIMAL (MySQL's J_DECIMAL): its exact text, e.g. `123.456`, `9.00`.
  case decimal(String)
  /// An opaque DATE, TIME, DATETIME or TIMESTAMP (MySQL's J_DATE … J_TIMESTAMP).
  case temporal(JSONTemporal)
  /// Any other opaque value: the MySQL column type (`enum_field_types`) and the raw bytes.
  case opaque(fieldType: UInt8, bytes: [UInt8])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.uint(let x), .uint(let y)): return x == y
    case (.double(let x), .double(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      guard x.count == y.count else { return false }
      for i in x.indices where x[i].key != y[i].key || x[i].value != y[i].value { return false }
      return true
    case (.decimal(let x), .decimal(let y)): return x == y
    case (.temporal(let x), .temporal(let y)): return x == y
    case (.opaque(let t1, let b1), .opaque(let t2, let b2)): return t1 == t2 && b1 == b2
    default: return false
    }
  }

  /// The member named `key` of an object, or nil.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first(where: { $0.key == key })?.value
  }

  /// Appends the text MySQL itself prints for this value (`SELECT json_col`, `CAST(… AS CHAR)`,
  /// `Json_wrapper::to_string`): `{"a": 1, "b": [1, 2]}` with ", " and ": " separators, doubles as
  /// `my_gcvt` prints them plus ".0" when that has no point or exponent, DECIMAL opaques as bare
  /// numbers (`123.456`), DATE/TIME/DATETIME/TIMESTAMP quoted with 6 fractional digits, VAR_STRING
  /// opaques as strings, and other opaques as `"base64:typeN:…"`.
  public func appendMySQLText(into out: inout [UInt8]) {
    append(into: &out, mysqlLayout: true)
  }

  /// Appends strict RFC 8259 JSON with no spaces, for nesting in NDJSON. Same as the MySQL text
  /// except: no spaces after ',' and ':', and a non-finite double (which MySQL never stores) is
  /// `null`. DECIMAL opaques are JSON numbers with their exact digits (`123.456`), as MySQL prints
  /// them: a reader that wants every digit must parse numbers as decimals.
  public func appendCompactJSON(into out: inout [UInt8]) {
    append(into: &out, mysqlLayout: false)
  }

  /// The MySQL text as a `String` (see `appendMySQLText`).
  public var mysqlText: String {
    var out: [UInt8] = []
    appendMySQLText(into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// The compact JSON as a `String` (see `appendCompactJSON`).
  public var compactJSON: String {
    var out: [UInt8] = []
    appendCompactJSON(into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  private func append(into out: inout [UInt8], mysqlLayout: Bool) {
    switch self {
    case .null: JSONText.appendASCII("null", into: &out)
    case .bool(let b): JSONText.appendASCII(b ? "true" : "false", into: &out)
    case .int(let v): JSONText.appendInt(v, into: &out)
    case .uint(let v): JSONText.appendUInt(v, into: &out)
    case .double(let d): JSONText.appendDouble(d, into: &out, strict: !mysqlLayout)
    case .string(let s): JSONText.appendQuoted(s, into: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { JSONText.appendSeparator(into: &out, spaced: mysqlLayout) }
        item.append(into: &out, mysqlLayout: mysqlLayout)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      for (i, member) in members.enumerated() {
        if i > 0 { JSONText.appendSeparator(into: &out, spaced: mysqlLayout) }
        JSONText.appendQuoted(member.key, into: &out)
        JSONText.appendColon(into: &out, spaced: mysqlLayout)
        member.value.append(into: &out, mysqlLayout: mysqlLayout)
      }
      out.append(UInt8(ascii: "}"))
    case .decimal(let text):
      // A JSON number with the DECIMAL's exact digits, as MySQL prints it (issue 17).
      JSONText.appendASCII(text, into: &out)
    case .temporal(let t):
      out.append(UInt8(ascii: "\""))
      t.appendText(into: &out)
      out.append(UInt8(ascii: "\""))
    case .opaque(let fieldType, let bytes):
      bytes.withUnsafeBytes { JSONText.appendOpaque(fieldType: fieldType, $0, into: &out) }
    }
  }
}

/// A DATE, TIME, DATETIME or TIMESTAMP stored in a JSON document as an opaque value: MySQL's packed
/// 8-byte integer (`TIME_to_longlong_packed`, little-endian in the document).
public struct JSONTemporal: Equatable, Sendable {
  /// The MySQL column type (`enum_field_types`) the opaque value carries.
  public enum Kind: UInt8, Sendable {
    case timestamp = 7
    case date = 10
    case time = 11
    case datetime = 12
  }

  public var kind: Kind
  /// The packed value: for DATE/DATETIME/TIMESTAMP `((year*13+month)<<5|day)<<17 | hour<<12 |
  /// minute<<6 | second`, shifted left 24 bits plus microseconds; for TIME `(hour<<12 | minute<<6 |
  /// second) << 24 + microseconds`; negated for negative values.
  public var packed: Int64

  public init(kind: Kind, packed: Int64) {
    self.kind = kind
    self.packed = packed
  }

  public var isNegative: Bool { packed < 0 }
  private var magnitude: UInt64 { packed.magnitude }
  private var integerPart: UInt64 { magnitude >> 24 }
  public var microsecond: Int { Int(magnitude & 0xFF_FFFF) }

  // ymd = integerPart >> 17; ym = ymd >> 5 = integerPart >> 22.
  public var year: Int { kind == .time ? 0 : Int((integerPart >> 22) / 13) }
  public var month: Int { kind == .time ? 0 : Int((integerPart >> 22) % 13) }
  public var day: Int { kind == .time ? 0 : Int((integerPart >> 17) & 31) }
  /// For TIME the hour may exceed 23 (up to 838 in valid values; 10 bits are stored).
  public var hour: Int {
    kind == .time ? Int((integerPart >> 12) & 0x3FF) : Int((integerPart & 0x1FFFF) >> 12)
  }
  public var minute: Int { Int((integerPart >> 6) & 63) }
  public var second: Int { Int(integerPart & 63) }

  /// MySQL's `my_TIME_to_str(t, 6)`: `2012-03-18`, `2012-03-18 11:30:45.000000`,
  /// `-87:31:46.654321`.
  public func appendText(into out: inout [UInt8]) {
    switch kind {
    case .date:
      appendDate(into: &out)
    case .datetime, .timestamp:
      appendDate(into: &out)
      out.append(UInt8(ascii: " "))
      appendClock(hour: hour, into: &out)
    case .time:
      if isNegative { out.append(UInt8(ascii: "-")) }
      appendClock(hour: hour, into: &out)
    }
  }

  public var text: String {
    var out: [UInt8] = []
    appendText(into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  private func appendDate(into out: inout [UInt8]) {
    JSONText.appendPadded(UInt64(year), width: 4, into: &out)
    out.append(UInt8(ascii: "-"))
    JSONText.appendPadded(UInt64(month), width: 2, into: &out)
    out.append(UInt8(ascii: "-"))
    JSONText.appendPadded(UInt64(day), width: 2, into: &out)
  }

  private func appendClock(hour: Int, into out: inout [UInt8]) {
    JSONText.appendPadded(UInt64(hour), width: 2, into: &out)
    out.append(UInt8(ascii: ":"))
    JSONText.appendPadded(UInt64(minute), width: 2, into: &out)
    out.append(UInt8(ascii: ":"))
    JSONText.appendPadded(UInt64(second), width: 2, into: &out)
    out.append(UInt8(ascii: "."))
    JSONText.appendPadded(UInt64(microsecond), width: 6, into: &out)
  }
}

/// Text pieces shared by `JSONValue` and the `JSONBinary` fast path, so both print alike.
enum JSONText {
  /// MySQL's `enum_field_types` codes that JSON opaques give meaning to.
  static let typeNewDecimal: UInt8 = 246
  static let typeVarString: UInt8 = 253

  static func appendASCII(_ s: StaticString, into out: inout [UInt8]) {
    s.withUTF8Buffer { out.append(contentsOf: $0) }
  }

  static func appendASCII(_ s: String, into out: inout [UInt8]) {
    out.append(contentsOf: s.utf8)
  }

  static func appendSeparator(into out: inout [UInt8], spaced: Bool) {
    out.append(UInt8(ascii: ","))
    if spaced { out.append(UInt8(ascii: " ")) }
  }

  static func appendColon(into out: inout [UInt8], spaced: Bool) {
    out.append(UInt8(ascii: ":"))
    if spaced { out.append(UInt8(ascii: " ")) }
  }

  static func appendInt(_ v: Int64, into out: inout [UInt8]) {
    if v < 0 { out.append(UInt8(ascii: "-")) }
    appendUInt(v.magnitude, into: &out)
  }

  static func appendUInt(_ v: UInt64, into out: inout [UInt8]) {
    appendPadded(v, width: 1, into: &out)
  }

  /// `v` in decimal with at least `width` (at most 20) digits, zero-padded on the left.
  static func appendPadded(_ v: UInt64, width: Int, into out: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
      var i = buffer.count
      var rest = v
      repeat {
        i -= 1
        buffer[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
        rest /= 10
      } while rest > 0
      while buffer.count - i < width && i > 0 {
        i -= 1
        buffer[i] = UInt8(ascii: "0")
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[i...]))
    }
  }

  /// A quoted JSON string with MySQL's escaping (`double_quote` in json_dom.cc), which is also
  /// exactly what RFC 8259 requires: `"` and `\`, and control characters below 0x20 (`\b \t \n \f
  /// \r`, others as `\u00XX`). Everything else, non-ASCII included, is copied as UTF-8.
  static func appendQuoted(_ s: String, into out: inout [UInt8]) {
    var s = s
    s.withUTF8 { appendQuotedValidUTF8(UnsafeRawBufferPointer($0), into: &out) }
  }

  /// As `appendQuoted(String)`, for raw bytes from a document; ill-formed UTF-8 is replaced by
  /// U+FFFD exactly as `String(decoding:as:)` does, so the tree and the fast path agree.
  static func appendQuoted(bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    var ascii = true
    for b in bytes where b >= 0x80 {
      ascii = false
      break
    }
    if ascii {
      appendQuotedValidUTF8(bytes, into: &out)
    } else {
      appendQuoted(String(decoding: bytes, as: UTF8.self), into: &out)
    }
  }

  /// Copies raw bytes in one go (`append(contentsOf:)` on a raw buffer goes byte by byte).
  @inline(__always)
  static func appendBytes(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    out.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
  }

  private static func appendQuotedValidUTF8(
    _ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]
  ) {
    out.append(UInt8(ascii: "\""))
    let chars = bytes.assumingMemoryBound(to: UInt8.self)
    var start = 0
    var i = 0
    while i < chars.count {
      let b = chars[i]
      i += 1
      guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
      if start < i - 1 {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: chars[start..<(i - 1)]))
      }
      start = i
      out.append(UInt8(ascii: "\\"))
      switch b {
      case 0x08: out.append(UInt8(ascii: "b"))
      case 0x09: out.append(UInt8(ascii: "t"))
      case 0x0A: out.append(UInt8(ascii: "n"))
      case 0x0C: out.append(UInt8(ascii: "f"))
      case 0x0D: out.append(UInt8(ascii: "r"))
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
      default:
        appendASCII("u00", into: &out)
        out.append(hexDigits[Int(b >> 4)])
        out.append(hexDigits[Int(b & 0xF)])
      }
    }
    if start < chars.count {
      out.append(contentsOf: UnsafeBufferPointer(rebasing: chars[start...]))
    }
    out.append(UInt8(ascii: "\""))
  }

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  /// An opaque value that is neither DECIMAL nor a temporal: MySQL prints VAR_STRING opaques as
  /// plain strings and everything else as `"base64:type<N>:<base64>"`, where MySQL's encoder
  /// (`mysys/base64.cc`) puts a newline after every 76 characters (escaped as `\n`).
  static func appendOpaque(
    fieldType: UInt8, _ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]
  ) {
    if fieldType == typeVarString {
      appendQuoted(bytes: bytes, into: &out)
      return
    }
    out.append(UInt8(ascii: "\""))
    appendASCII("base64:type", into: &out)
    appendUInt(UInt64(fieldType), into: &out)
    out.append(UInt8(ascii: ":"))
    appendBase64(bytes, into: &out)
    out.append(UInt8(ascii: "\""))
  }

  private static let base64Alphabet: [UInt8] = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  /// MySQL's `base64_encode`, with the line breaks already escaped for a JSON string.
  static func appendBase64(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    var i = 0
    var lineLength = 0
    while i < bytes.count {
      if lineLength == 76 {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "n"))
        lineLength = 0
      }
      let b0 = UInt32(bytes[i])
      let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
      let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
      let chunk = b0 << 16 | b1 << 8 | b2
      out.append(base64Alphabet[Int(chunk >> 18 & 63)])
      out.append(base64Alphabet[Int(chunk >> 12 & 63)])
      out.append(i + 1 < bytes.count ? base64Alphabet[Int(chunk >> 6 & 63)] : UInt8(ascii: "="))
      out.append(i + 2 < bytes.count ? base64Alphabet[Int(chunk & 63)] : UInt8(ascii: "="))
      i += 3
      lineLength += 4
    }
  }

  /// A double as MySQL's JSON printer writes it: `my_gcvt(d, MY_GCVT_ARG_DOUBLE, 34)` (the
  /// shortest digits that read back as `d`, in 'f' format when the decimal exponent is in
  /// -14...15 and in 'e' format without '+' or leading exponent zeros otherwise), then ".0" when
  /// the result has neither '.' nor 'e'. Examples: 1.0, 0.5, 1e20, 1.5e-15, 0.00000015, -0.0.
  /// Non-finite values (never stored by MySQL) print as MySQL's dtoa overflow "0.0", or as
  /// `null` when `strict`.
  static func appendDouble(_ d: Double, into out: inout [UInt8], strict: Bool) {
    guard d.isFinite else {
      appendASCII(strict ? "null" : "0.0", into: &out)
      return
    }
    // Swift's description gives the shortest round-trip digits, as dtoa mode 4 with 34 digits does.
    var digits: [UInt8] = []
    digits.reserveCapacity(17)
    var pointPosition = -1
    var exponent = 0
    var exponentNegative = false
    var inExponent = false
    var sawDigitInExponent = false
    for c in d.magnitude.description.utf8 {
      if inExponent {
        if c == UInt8(ascii: "-") {
          exponentNegative = true
        } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
          exponent = exponent * 10 + Int(c - UInt8(ascii: "0"))
          sawDigitInExponent = true
        }
      } else if c == UInt8(ascii: ".") {
        pointPosition = digits.count
      } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
        inExponent = true
      } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
        digits.append(c)
      }
    }
    if pointPosition < 0 { pointPosition = digits.count }
    if sawDigitInExponent && exponentNegative { exponent = -exponent }
    // Value = 0.<digits> × 10^decpt after dropping leading and trailing zeros.
    var decpt = pointPosition + exponent
    var first = 0
    while first < digits.count - 1 && digits[first] == UInt8(ascii: "0") {
      first += 1
      decpt -= 1
    }
    var last = digits.count
    while last > first + 1 && digits[last - 1] == UInt8(ascii: "0") { last -= 1 }
    // dtoa writes zero as the digit "0" with the point after it.
    if last - first == 1 && digits[first] == UInt8(ascii: "0") { decpt = 1 }
    let len = last - first
    let negative = d.sign == .minus

    let width = negative ? 33 : 34
    let fLength = decpt <= 0 ? len - decpt + 2 : (decpt < len ? len + 1 : decpt)
    let haveSpace = fLength <= width
    let exponentLength =
      1 + (decpt >= 101 || decpt <= -99 ? 1 : 0) + (decpt >= 11 || decpt <= -9 ? 1 : 0)
    let forceE = decpt <= 0 && width <= 2 - decpt && width >= 3 + exponentLength
    let fitsF =
      haveSpace
      || (decpt <= width && (decpt >= -1 || (decpt == -2 && (len > 1 || !forceE))) && !forceE)
    let useF = fitsF && (!haveSpace || (decpt >= -14 && (decpt <= 15 || len > decpt)))

    if negative { out.append(UInt8(ascii: "-")) }
    if useF {
      var sawPoint = false
      if decpt <= 0 {
        appendASCII("0.", into: &out)
        sawPoint = true
        for _ in 0 ..< -decpt { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: digits[first..<last])
      } else {
        for i in 0..<len {
          out.append(digits[first + i])
          if i + 1 == decpt && i + 1 < len {
            out.append(UInt8(ascii: "."))
            sawPoint = true
          }
        }
        if decpt > len { for _ in 0..<(decpt - len) { out.append(UInt8(ascii: "0")) } }
      }
      if !sawPoint { appendASCII(".0", into: &out) }
    } else {
      out.append(digits[first])
      if len > 1 {
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: digits[(first + 1)..<last])
      }
      out.append(UInt8(ascii: "e"))
      let e = decpt - 1
      if e < 0 { out.append(UInt8(ascii: "-")) }
      appendUInt(UInt64(e.magnitude), into: &out)
    }
  }
}
