/// One logical change to a JSON column, as MySQL 8.0 logs it in a PARTIAL_UPDATE_ROWS event when
/// `binlog_row_value_options=PARTIAL_JSON` and the column was updated with JSON_SET, JSON_REPLACE
/// or JSON_REMOVE of itself (`sql/json_diff.cc`, `Json_diff::write_binary`).
public struct JSONDiff: Equatable, Sendable {
  public enum Operation: UInt8, Sendable {
    case replace = 0
    case insert = 1
    case remove = 2
  }

  public var operation: Operation
  /// A MySQL JSON path without wildcards, as MySQL wrote it: `$.age`, `$.a[1].b`, `$."key with space"`.
  public var path: String
  /// The new value; nil for `.remove`.
  public var value: JSONValue?

  public init(operation: Operation, path: String, value: JSONValue? = nil) {
    self.operation = operation
    self.path = path
    self.value = value
  }
}

/// Reads and applies the diff vector of one JSON column.
///
/// Binary layout (`Json_diff_vector::write_binary`): a 4-byte little-endian length `L`, then `L`
/// bytes of diffs, each: operation byte (0 replace, 1 insert, 2 remove), path length as a packed
/// integer (`net_store_length`), path text, and unless the operation is remove, value length as a
/// packed integer and the value in binary JSON.
public enum JSONDiffCodec {
  /// Parses the diff list of one JSON column in a PARTIAL_UPDATE_ROWS after image.
  ///
  /// The caller passes exactly the column's bytes in the row: the 4-byte length prefix (the JSON
  /// column's usual length field, whose width is the column metadata, 4 in every MySQL version)
  /// followed by that many bytes of diffs. This is the whole value of a JSON column whose bit is
  /// set in the after image's partial-JSON bitmap. A length that disagrees with the buffer throws.
  public static func parse(_ bytes: UnsafeRawBufferPointer) throws(BinlogError) -> [JSONDiff] {
    var cursor = ByteCursor(bytes)
    let length = Int(try cursor.u32("JSON diff vector length"))
    guard length == cursor.remaining else {
      throw BinlogError(
        .malformed,
        "JSON diff vector length \(length) does not match the \(cursor.remaining) bytes after it")
    }
    return try parseBody(cursor.rest())
  }

  /// Parses diffs without the 4-byte length prefix (for a caller that has already consumed it).
  public static func parseBody(_ bytes: UnsafeRawBufferPointer) throws(BinlogError) -> [JSONDiff] {
    var cursor = ByteCursor(bytes)
    var diffs: [JSONDiff] = []
    while !cursor.isAtEnd {
      let at = cursor.position
      let code = try cursor.u8("JSON diff operation")
      guard let operation = JSONDiff.Operation(rawValue: code) else {
        throw BinlogError(.malformed, "JSON diff at byte \(at) has unknown operation \(code)")
      }
      let pathLength = try cursor.lengthEncodedCount("JSON diff path length")
      let path = try cursor.string(pathLength, "JSON diff path")
      do throws(BinlogError) {
        _ = try JSONPath(parsing: path)
      } catch {
        throw BinlogError(.malformed, "JSON diff at byte \(at): \(error.message)")
      }
      var value: JSONValue? = nil
      if operation != .remove {
        let valueLength = try cursor.lengthEncodedCount("JSON diff value length")
        let valueBytes = try cursor.bytes(valueLength, "JSON diff value")
        do throws(BinlogError) {
          value = try JSONBinary.decode(valueBytes)
        } catch {
          throw BinlogError(error.kind, "JSON diff at byte \(at) for \(path): \(error.message)")
        }
      }
      diffs.append(JSONDiff(operation: operation, path: path, value: value))
    }
    return diffs
  }

  /// Applies diffs in order to a document and returns the resulting full document, with MySQL's
  /// semantics (`apply_json_diffs`): replace needs the path to exist; insert needs the parent to
  /// exist and an object key to be new (it is placed in MySQL's key order: shorter keys first,
  /// then bytewise) or inserts into an array at the index (clamped to the end); remove needs the
  /// path to exist. Paths with no legs, wildcards or ranges are rejected, as MySQL rejects them.
  public static func apply(_ diffs: [JSONDiff], to doc: JSONValue) throws(BinlogError) -> JSONValue {
    var result = doc
    for diff in diffs {
      let path = try JSONPath(parsing: diff.path)
      guard !path.legs.isEmpty else {
        throw BinlogError(.malformed, "JSON diff path \(diff.path) addresses the whole document")
      }
      if diff.operation != .remove && diff.value == nil {
        throw BinlogError(.malformed, "JSON diff \(diff.operation) at \(diff.path) has no value")
      }
      try apply(diff, path.legs[...], to: &result)
    }
    return result
  }

  private static func apply(
    _ diff: JSONDiff, _ legs: ArraySlice<JSONPath.Leg>, to node: inout JSONValue
  ) throws(BinlogError) {
    let leg = legs[legs.startIndex]
    if legs.count == 1 {
      try change(&node, lastLeg: leg, diff)
      return
    }
    // Walk one leg down. The node is set to null while its child is changed so that the
    // container's storage stays uniquely referenced and is mutated in place.
    switch (node, leg) {
    case (.array(var items), .index(let index, let fromEnd)):
      guard let i = position(of: index, fromEnd: fromEnd, count: items.count) else {
        throw notFound(diff)
      }
      node = .null
      defer { node = .array(items) }
      try apply(diff, legs.dropFirst(), to: &items[i])
    case (.object(var members), .member(let name)):
      guard let i = members.firstIndex(where: { $0.key == name }) else { throw notFound(diff) }
      node = .null
      defer { node = .object(members) }
      try apply(diff, legs.dropFirst(), to: &members[i].value)
    default:
      throw notFound(diff)
    }
  }

  /// Applies the operation to `parent`, the container the path's last leg points into.
  private static func change(_ parent: inout JSONValue, lastLeg: JSONPath.Leg, _ diff: JSONDiff)
    throws(BinlogError)
  {
    switch (parent, lastLeg) {
    case (.array(var items), .index(let index, let fromEnd)):
      let target = position(of: index, fromEnd: fromEnd, count: items.count)
      parent = .null
      defer { parent = .array(items) }
      switch diff.operation {
      case .replace:
        guard let i = target, let value = diff.value else { throw notFound(diff) }
        items[i] = value
      case .insert:
        guard let value = diff.value else { throw notFound(diff) }
        // Json_array_index: an index past the end inserts at the end; last-N counts from the
        // last element and clamps to 0.
        let at =
          fromEnd ? (index < items.count ? items.count - index - 1 : 0) : min(index, items.count)
        items.insert(value, at: at)
      case .remove:
        guard let i = target else { throw notFound(diff) }
        items.remove(at: i)
      }
    case (.object(var members), .member(let name)):
      let existing = members.firstIndex(where: { $0.key == name })
      parent = .null
      defer { parent = .object(members) }
      switch diff.operation {
      case .replace:
        guard let i = existing, let value = diff.value else { throw notFound(diff) }
        members[i].value = value
      case .insert:
        guard existing == nil else {
          throw BinlogError(.malformed, "JSON diff insert at \(diff.path): the key already exists")
        }
        guard let value = diff.value else { throw notFound(diff) }
        let at = members.firstIndex(where: { mysqlKeyOrder(name, $0.key) }) ?? members.count
        members.insert((name, value), at: at)
      case .remove:
        guard let i = existing else { throw notFound(diff) }
        members.remove(at: i)
      }
    default:
      throw notFound(diff)
    }
  }

  /// The element an array leg selects, or nil when it is out of bounds.
  private static func position(of index: Int, fromEnd: Bool, count: Int) -> Int? {
    guard index < count else { return nil }
    return fromEnd ? count - index - 1 : index
  }

  /// MySQL's `Json_key_comparator`: shorter keys first, then bytewise.
  static func mysqlKeyOrder(_ a: String, _ b: String) -> Bool {
    let x = a.utf8
    let y = b.utf8
    if x.count != y.count { return x.count < y.count }
    return x.lexicographicallyPrecedes(y)
  }

  private static func notFound(_ diff: JSONDiff) -> BinlogError {
    BinlogError(
      .malformed,
      "JSON diff \(diff.operation) at \(diff.path): the path does not exist in the document")
  }
}

/// A parsed MySQL JSON path (`sql-common/json_path.cc`) restricted to what diffs use: `$`, then
/// member legs (`.name`, `."quoted name"`) and array legs (`[3]`, `[last]`, `[last-2]`), with
/// optional whitespace between tokens.
struct JSONPath {
  enum Leg: Equatable {
    case member(String)
    case index(Int, fromEnd: Bool)
  }

  var legs: [Leg] = []

  init(parsing text: String) throws(BinlogError) {
    var scanner = Scanner(Array(text.utf8), text: text)
    scanner.skipWhitespace()
    guard scanner.take(UInt8(ascii: "$")) else { throw scanner.error("must start with $") }
    while true {
      scanner.skipWhitespace()
      guard let c = scanner.peek() else { break }
      switch c {
      case UInt8(ascii: "."):
        scanner.position += 1
        scanner.skipWhitespace()
        legs.append(.member(try scanner.memberName()))
      case UInt8(ascii: "["):
        scanner.position += 1
        legs.append(try scanner.arrayIndex())
      default:
        throw scanner.error("unexpected character '\(Unicode.Scalar(c))'")
      }
    }
  }

  struct Scanner {
    let bytes: [UInt8]
    let text: String
    var position = 0

    init(_ bytes: [UInt8], text: String) {
      self.bytes = bytes
      self.text = text
    }

    func error(_ message: String) -> BinlogError {
      BinlogError(.malformed, "JSON path \"\(text)\": \(message) at character \(position)")
    }

    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func take(_ c: UInt8) -> Bool {
      guard peek() == c else { return false }
      position += 1
      return true
    }

    static func isWhitespace(_ c: UInt8) -> Bool {
      c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C
    }

    mutating func skipWhitespace() {
      while let c = peek(), Scanner.isWhitespace(c) { position += 1 }
    }

    /// A quoted member name (a JSON string) or an unquoted one, which ends at whitespace, '.',
    /// '[' or '*' and may itself contain JSON escapes.
    mutating func memberName() throws(BinlogError) -> String {
      guard let first = peek() else { throw error("member name expected") }
      if first == UInt8(ascii: "*") { throw error("wildcards cannot appear in a JSON diff path") }
      if first == UInt8(ascii: "\"") {
        position += 1
        return try unescape(until: UInt8(ascii: "\""))
      }
      let name = try unescape(until: nil)
      guard !name.isEmpty else { throw error("member name expected") }
      return name
    }

    /// Reads string contents up to the closing quote (consumed) or, unquoted, up to a terminator.
    mutating func unescape(until quote: UInt8?) throws(BinlogError) -> String {
      var out: [UInt8] = []
      while true {
        guard let c = peek() else {
          if quote != nil { throw error("unterminated quoted member name") }
          break
        }
        if let quote, c == quote {
          position += 1
          break
        }
        if quote == nil
          && (Scanner.isWhitespace(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "[")
            || c == UInt8(ascii: "*"))
        {
          break
        }
        position += 1
        guard c == UInt8(ascii: "\\") else {
          out.append(c)
          continue
        }
        guard let e = peek() else { throw error("unfinished escape") }
        position += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by \uDC00-\uDFFF.
            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")) else {
              throw error("lone surrogate")
            }
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("lone surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
          out.append(contentsOf: String(Character(u)).utf8)
        default:
          throw error("invalid escape \\\(Unicode.Scalar(e))")
        }
      }
      return String(decoding: out, as: UTF8.self)
    }

    mutating func hex4() throws(BinlogError) -> UInt32 {
      var v: UInt32 = 0
      for _ in 0..<4 {
        guard let c = peek(), let d = Scanner.hexValue(c) else { throw error("invalid \\u escape") }
        v = v << 4 | d
        position += 1
      }
      return v
    }

    static func hexValue(_ c: UInt8) -> UInt32? {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
      default: return nil
      }
    }

    /// After '[': `N`, `last` or `last-N`, then ']'.
    mutating func arrayIndex() throws(BinlogError) -> Leg {
      skipWhitespace()
      var fromEnd = false
      var index = 0
      if bytes[position...].starts(with: Array("last".utf8)) {
        position += 4
        fromEnd = true
        skipWhitespace()
        if take(UInt8(ascii: "-")) {
          skipWhitespace()
          index = try number()
        }
      } else if peek() == UInt8(ascii: "*") {
        throw error("wildcards cannot appear in a JSON diff path")
      } else {
        index = try number()
      }
      skipWhitespace()
      guard take(UInt8(ascii: "]")) else {
        throw error("']' expected (ranges cannot appear in a JSON diff path)")
      }
      return .index(index, fromEnd: fromEnd)
    }

    mutating func number() throws(BinlogError) -> Int {
      let start = position
      var v = 0
      while let c = peek(), c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(Int(c - UInt8(ascii: "0")))
        guard !o1 && !o2 && s <= Int(UInt32.max) else { throw error("array index too large") }
        v = s
        position += 1
      }
      guard position > start else { throw error("array index expected") }
      return v
    }
  }
}
