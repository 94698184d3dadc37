/// Readers for the tabular exports a schema snapshot may come as: CSV/TSV and JSON (the JSON
/// reader also reads NDJSON exports back, for `SluiceKit`).
public enum TabularText {
  /// A JSON value (just what information_schema exports need).
  public indirect enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool {
      switch (a, b) {
      case (.null, .null): return true
      case (.bool(let x), .bool(let y)): return x == y
      case (.number(let x), .number(let y)), (.string(let x), .string(let y)): return x == y
      case (.array(let x), .array(let y)): return x == y
      case (.object(let x), .object(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
      default: return false
      }
    }

    /// Scalar as text (nil for null, arrays and objects).
    public var text: String? {
      switch self {
      case .string(let s), .number(let s): return s
      case .bool(let b): return b ? "1" : "0"
      default: return nil
      }
    }
  }

  public struct ParseError: Error, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
  }

  /// Parses one JSON document, or NDJSON (one document per line) as an array.
  public static func parseJSON(_ b: [UInt8]) throws(ParseError) -> JSON {
    var p = JSONReader(b: b)
    p.space()
    var docs: [JSON] = []
    while p.i < b.count {
      docs.append(try p.value())
      p.space()
    }
    if docs.count == 1 { return docs[0] }
    return .array(docs)
  }

  struct JSONReader {
    let b: [UInt8]
    var i = 0

    mutating func space() {
      while i < b.count && (b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09) { i += 1 }
    }

    func error(_ m: String) -> ParseError { ParseError(message: m, offset: i) }

    mutating func literal(_ w: String, _ v: JSON) throws(ParseError) -> JSON {
      let u = Array(w.utf8)
      guard i + u.count <= b.count, b[i..<(i + u.count)].elementsEqual(u) else { throw error("invalid literal") }
      i += u.count
      return v
    }

    mutating func value() throws(ParseError) -> JSON {
      space()
      guard i < b.count else { throw error("unexpected end of JSON") }
      switch b[i] {
      case 0x7B:
        i += 1
        var members: [(String, JSON)] = []
        space()
        if i < b.count && b[i] == 0x7D {
          i += 1
          return .object(members)
        }
        while true {
          space()
          guard i < b.count && b[i] == 0x22 else { throw error("expected a key") }
          let k = try string()
          space()
          guard i < b.count && b[i] == 0x3A else { throw error("expected ':'") }
          i += 1
          members.append((k, try value()))
          space()
          guard i < b.count else { throw error("unterminated object") }
          if b[i] == 0x2C {
            i += 1
            continue
          }
          if b[i] == 0x7D {
            i += 1
            return .object(members)
          }
          throw error("expected ',' or '}'")
        }
      case 0x5B:
        i += 1
        var items: [JSON] = []
        space()
        if i < b.count && b[i] == 0x5D {
          i += 1
          return .array(items)
        }
        while true {
          items.append(try value())
          space()
          guard i < b.count else { throw error("unterminated array") }
          if b[i] == 0x2C {
            i += 1
            continue
          }
          if b[i] == 0x5D {
            i += 1
            return .array(items)
          }
          throw error("expected ',' or ']'")
        }
      case 0x22: return .string(try string())
      case 0x74: return try literal("true", .bool(true))
      case 0x66: return try literal("false", .bool(false))
      case 0x6E: return try literal("null", .null)
      default:
        let s = i
        while i < b.count, b[i] == 0x2D || b[i] == 0x2B || b[i] == 0x2E || b[i] | 0x20 == 0x65 || (b[i] >= 0x30 && b[i] <= 0x39) {
          i += 1
        }
        guard i > s else { throw error("unexpected character") }
        return .number(String(decoding: b[s..<i], as: UTF8.self))
      }
    }

    mutating func string() throws(ParseError) -> String {
      i += 1
      var out: [UInt8] = []
      while i < b.count {
        let c = b[i]
        if c == 0x22 {
          i += 1
          return String(decoding: out, as: UTF8.self)
        }
        if c == 0x5C, i + 1 < b.count {
          let e = b[i + 1]
          i += 2
          switch e {
          case 0x6E: out.append(0x0A)
          case 0x74: out.append(0x09)
          case 0x72: out.append(0x0D)
          case 0x62: out.append(0x08)
          case 0x66: out.append(0x0C)
          case 0x75:
            var u = try hex4()
            if u >= 0xD800 && u < 0xDC00, i + 1 < b.count, b[i] == 0x5C, b[i + 1] == 0x75 {
              i += 2
              let lo = try hex4()
              u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
            }
            if let scalar = Unicode.Scalar(u) { out.append(contentsOf: Array(String(Character(scalar)).utf8)) }
          default: out.append(e)
          }
          continue
        }
        out.append(c)
        i += 1
      }
      throw error("unterminated string")
    }

    mutating func hex4() throws(ParseError) -> UInt32 {
      guard i + 4 <= b.count else { throw error("short \\u escape") }
      var v: UInt32 = 0
      for _ in 0..<4 {
        let c = b[i]
        let d: UInt32
        switch c {
        case 0x30...0x39: d = UInt32(c - 0x30)
        case 0x61...0x66: d = UInt32(c - 0x61 + 10)
        case 0x41...0x46: d = UInt32(c - 0x41 + 10)
        default: throw error("bad \\u escape")
        }
        v = v << 4 | d
        i += 1
      }
      return v
    }
  }

  /// Rows of CSV (RFC 4180 quoting) or of the mysql client's tab-separated batch output
  /// (backslash escapes, NULL as `NULL` or `\N`). nil fields are SQL NULL.
  static func parseDelimited(_ b: [UInt8]) -> [[String?]] {
    let firstLine = b.prefix(while: { $0 != 0x0A })
    let tab = firstLine.contains(0x09)
    let sep: UInt8 = tab ? 0x09 : (firstLine.contains(0x3B) && !firstLine.contains(0x2C) ? 0x3B : 0x2C)
    var rows: [[String?]] = []
    var row: [String?] = []
    var field: [UInt8] = []
    var quoted = false
    var wasQuoted = false
    var i = 0
    func endField() {
      let s = String(decoding: field, as: UTF8.self)
      if !wasQuoted && (s == "\\N" || (tab && s == "NULL")) {
        row.append(nil)
      } else {
        row.append(s)
      }
      field.removeAll(keepingCapacity: true)
      wasQuoted = false
    }
    while i < b.count {
      let c = b[i]
      if quoted {
        if c == 0x22 {
          if i + 1 < b.count && b[i + 1] == 0x22 {
            field.append(0x22)
            i += 2
            continue
          }
          quoted = false
        } else {
          field.append(c)
        }
        i += 1
        continue
      }
      if c == 0x22 && field.isEmpty && !tab {
        quoted = true
        wasQuoted = true
      } else if c == 0x5C && tab && i + 1 < b.count {
        let e = b[i + 1]
        switch e {
        case 0x6E: field.append(0x0A)
        case 0x74: field.append(0x09)
        case 0x30: field.append(0)
        case 0x4E: field.append(contentsOf: [0x5C, 0x4E])
        default: field.append(e)
        }
        i += 1
      } else if c == sep {
        endField()
      } else if c == 0x0A {
        endField()
        if !(row.count == 1 && row[0] == "") { rows.append(row) }
        row = []
      } else if c != 0x0D {
        field.append(c)
      }
      i += 1
    }
    if !field.isEmpty || !row.isEmpty {
      endField()
      rows.append(row)
    }
    return rows
  }
}
