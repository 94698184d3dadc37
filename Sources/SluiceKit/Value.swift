import BinlogSchema
import Exporters

/// One column value, as `sluice export --format ndjson` encodes it (README "Value mapping"),
/// typed by its JSON form.
///
/// Integers are ``int(_:)`` (``uint(_:)`` above `Int64.max`), FLOAT and DOUBLE ``double(_:)``;
/// DECIMAL is a ``string(_:)`` with the column's scale (`"-10.55"`), and so are dates and times
/// (`"2024-03-01 00:00:00"`, TIMESTAMP as UTC `"2024-03-01T00:00:00Z"` unless another zone is
/// asked for), ENUM and SET labels and text in any character set. Binary strings, INET/UUID record
/// bytes and geometry are ``bytes(_:)``; a MySQL JSON document is ``json(_:)`` (its compact
/// text). A value read back from an NDJSON file is the same value as the one decoded from the
/// binlog that file was exported from.
public enum Value: Sendable, CustomStringConvertible {
  case null
  case int(Int64)
  case uint(UInt64)
  case double(Double)
  case string(String)
  case bytes([UInt8])
  /// A JSON document (MySQL's JSON type) as compact JSON text. MariaDB's JSON is text: a
  /// ``string(_:)``.
  case json(String)

  /// The value as an NDJSON export writes it.
  public var description: String { jsonText }

  /// The value as JSON text: what `sluice export --format ndjson` writes for it.
  public var jsonText: String {
    switch self {
    case .null: return "null"
    case .int(let v): return String(v)
    case .uint(let v): return String(v)
    case .double(let d):
      var out: [UInt8] = []
      JSONWriter.appendDouble(d, into: &out)
      return String(decoding: out, as: UTF8.self)
    case .string(let s):
      var out: [UInt8] = []
      JSONWriter.appendString(s, into: &out)
      return String(decoding: out, as: UTF8.self)
    case .bytes(let b):
      var out: [UInt8] = []
      JSONWriter.appendRaw("{\"base64\":\"", into: &out)
      b.withUnsafeBytes { JSONWriter.appendBase64($0, into: &out) }
      JSONWriter.appendRaw("\"}", into: &out)
      return String(decoding: out, as: UTF8.self)
    case .json(let text): return text
    }
  }

  /// The text `sluice query --pk` compares with: a string without its quotes, anything else as
  /// JSON.
  public var keyText: String {
    if case .string(let s) = self { return s }
    return jsonText
  }

  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// An integer value (nil for any other).
  public var int: Int64? {
    switch self {
    case .int(let v): return v
    case .uint(let v): return Int64(exactly: v)
    default: return nil
    }
  }

  /// A number as a `Double` (integers converted).
  public var double: Double? {
    switch self {
    case .int(let v): return Double(v)
    case .uint(let v): return Double(v)
    case .double(let d): return d
    default: return nil
    }
  }

  public var string: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  public var bytes: [UInt8]? {
    if case .bytes(let b) = self { return b }
    return nil
  }
}

extension Value: Equatable {
  /// Numbers are equal when their values are (`1` equals `1.0`); other values when their JSON
  /// text is.
  public static func == (a: Value, b: Value) -> Bool {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x == y
    case (.uint(let x), .uint(let y)): return x == y
    case (.double(let x), .double(let y)): return x == y
    case (.int(let x), .uint(let y)), (.uint(let y), .int(let x)): return x >= 0 && UInt64(x) == y
    case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y && Int64(exactly: y) == x
    case (.uint(let x), .double(let y)), (.double(let y), .uint(let x)): return Double(x) == y && UInt64(exactly: y) == x
    case (.null, .null): return true
    case (.string(let x), .string(let y)): return x == y
    case (.bytes(let x), .bytes(let y)): return x == y
    case (.json(let x), .json(let y)): return x == y
    default: return a.jsonText == b.jsonText
    }
  }
}

extension Value: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
  ExpressibleByNilLiteral
{
  public init(integerLiteral v: Int64) { self = .int(v) }
  public init(floatLiteral v: Double) { self = .double(v) }
  public init(stringLiteral v: String) { self = .string(v) }
  public init(nilLiteral: ()) { self = .null }
}

extension Value {
  /// The value of one parsed JSON value of an NDJSON line.
  init(_ node: TabularText.JSON) {
    switch node {
    case .null: self = .null
    case .number(let t):
      if let v = Int64(t) {
        self = .int(v)
      } else if let v = UInt64(t) {
        self = .uint(v)
      } else {
        self = .double(Double(t) ?? .nan)
      }
    case .string(let s): self = .string(s)
    case .object(let members) where members.count == 1 && members[0].0 == "base64":
      if case .string(let s) = members[0].1, let b = Base64.decode(s) {
        self = .bytes(b)
      } else {
        self = .json(Value.compactText(node))
      }
    default: self = .json(Value.compactText(node))
    }
  }

  /// Compact JSON text of a parsed value (members in their order, numbers as written).
  static func compactText(_ node: TabularText.JSON) -> String {
    var out: [UInt8] = []
    appendCompact(node, into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  private static func appendCompact(_ node: TabularText.JSON, into out: inout [UInt8]) {
    switch node {
    case .null: JSONWriter.appendRaw("null", into: &out)
    case .bool(let b): b ? JSONWriter.appendRaw("true", into: &out) : JSONWriter.appendRaw("false", into: &out)
    case .number(let t): out.append(contentsOf: t.utf8)
    case .string(let s): JSONWriter.appendString(s, into: &out)
    case .array(let items):
      out.append(0x5B)
      for (i, item) in items.enumerated() {
        if i > 0 { out.append(0x2C) }
        appendCompact(item, into: &out)
      }
      out.append(0x5D)
    case .object(let members):
      out.append(0x7B)
      for (i, m) in members.enumerated() {
        if i > 0 { out.append(0x2C) }
        JSONWriter.appendString(m.0, into: &out)
        out.append(0x3A)
        appendCompact(m.1, into: &out)
      }
      out.append(0x7D)
    }
  }
}

/// RFC 4648 base64 decoding (the NDJSON `{"base64": …}` form of binary values).
enum Base64 {
  static func decode(_ s: String) -> [UInt8]? {
    var out: [UInt8] = []
    var acc: UInt32 = 0
    var bits = 0
    for c in s.utf8 {
      let v: UInt32
      switch c {
      case 0x41...0x5A: v = UInt32(c - 0x41)
      case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
      case 0x30...0x39: v = UInt32(c - 0x30 + 52)
      case 0x2B: v = 62
      case 0x2F: v = 63
      case 0x3D: continue
      default: return nil
      }
      acc = acc << 6 | v
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
      }
    }
    return out
  }
}
