/// MySQL's binary JSON format (`sql-common/json_binary.cc`), as stored in a JSON column.
///
/// A document is one type byte followed by the value. Objects and arrays ("containers") come in a
/// small form (2-byte counts and offsets) and a large form (4-byte): element count, byte size, then
/// for objects one key entry per member (key offset, 2-byte key length), then one value entry per
/// element (type byte, then the offset of the value or, for literals and 16-bit integers — and
/// 32-bit integers in the large form — the value itself "inlined"), then keys and values. Offsets
/// count from the start of the container (its element-count field). Scalars: literal (1 byte:
/// 0 null, 1 true, 2 false), little-endian integers, IEEE double, string (length in 7-bit groups,
/// low first, then UTF-8), opaque (MySQL field type byte, 7-bit-group length, bytes).
public enum JSONBinary {
  /// MySQL's `JSON_DOCUMENT_MAX_DEPTH`: containers nested deeper than this are rejected.
  public static let maxDepth = 100

  /// Decodes a MySQL binary JSON value as stored in a row image (after the 4-byte length prefix,
  /// which the caller strips). An empty buffer is JSON null: MySQL writes 0 bytes when NULL is
  /// forced into a NOT NULL JSON column (INSERT IGNORE, non-strict mode), and `parse_binary` reads
  /// that as the null literal.
  public static func decode(_ bytes: UnsafeRawBufferPointer) throws(BinlogError) -> JSONValue {
    guard !bytes.isEmpty else { return .null }
    var document = JSONBinaryDocument(bytes)
    return try document.decode(type: bytes[0], start: 1, end: bytes.count, depth: 0)
  }

  /// Fast path: appends compact RFC 8259 JSON (see `JSONValue.appendCompactJSON`) directly from
  /// the binary, without building a tree. On error `out` is left as it was.
  public static func appendCompactJSON(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8])
    throws(BinlogError)
  {
    try append(bytes, into: &out, mysqlLayout: false)
  }

  /// Fast path: appends MySQL's own text (see `JSONValue.appendMySQLText`) directly from the
  /// binary. On error `out` is left as it was.
  public static func appendMySQLText(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8])
    throws(BinlogError)
  {
    try append(bytes, into: &out, mysqlLayout: true)
  }

  private static func append(
    _ bytes: UnsafeRawBufferPointer, into out: inout [UInt8], mysqlLayout: Bool
  ) throws(BinlogError) {
    guard !bytes.isEmpty else {
      JSONText.appendASCII("null", into: &out)
      return
    }
    let mark = out.count
    out.reserveCapacity(mark + 2 * bytes.count + 16)
    var document = JSONBinaryDocument(bytes)
    do throws(BinlogError) {
      try document.write(
        type: bytes[0], start: 1, end: bytes.count, depth: 0, mysqlLayout: mysqlLayout, into: &out)
    } catch {
      out.removeSubrange(mark...)
      throw error
    }
  }
}

/// Type bytes of the binary format.
enum JSONBinaryType {
  static let smallObject: UInt8 = 0x00
  static let largeObject: UInt8 = 0x01
  static let smallArray: UInt8 = 0x02
  static let largeArray: UInt8 = 0x03
  static let literal: UInt8 = 0x04
  static let int16: UInt8 = 0x05
  static let uint16: UInt8 = 0x06
  static let int32: UInt8 = 0x07
  static let uint32: UInt8 = 0x08
  static let int64: UInt8 = 0x09
  static let uint64: UInt8 = 0x0A
  static let double: UInt8 = 0x0B
  static let string: UInt8 = 0x0C
  static let opaque: UInt8 = 0x0F

  static func isInlined(_ type: UInt8, large: Bool) -> Bool {
    switch type {
    case literal, int16, uint16: return true
    case int32, uint32: return large
    default: return false
    }
  }
}

/// A bounds-checked walk over one binary JSON document. All positions are offsets into `bytes`,
/// so every error can say where in the document it happened.
struct JSONBinaryDocument {
  let bytes: UnsafeRawBufferPointer
  /// Values left to visit. A well-formed document stores each value once and every value needs at
  /// least one byte, so more visits than bytes means entries share data; the budget stops a crafted
  /// document from expanding exponentially.
  var budget: Int

  init(_ bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
    self.budget = bytes.count + 1
  }

  /// An object or array header, validated as MySQL's `parse_array_or_object` does.
  struct Container {
    let start: Int
    let end: Int
    let count: Int
    let large: Bool
    let offsetSize: Int
    let keyEntrySize: Int
    let valueEntrySize: Int
    let keyEntriesStart: Int
    let valueEntriesStart: Int
    let headerEnd: Int

    /// `count` < 2^32 and entry sizes are at most 6, so nothing here overflows a 64-bit Int.
    init(start: Int, size: Int, count: Int, large: Bool, isObject: Bool) {
      self.start = start
      self.end = start + size
      self.count = count
      self.large = large
      offsetSize = large ? 4 : 2
      keyEntrySize = large ? 6 : 4
      valueEntrySize = large ? 5 : 3
      keyEntriesStart = start + 2 * offsetSize
      valueEntriesStart = keyEntriesStart + (isObject ? count * keyEntrySize : 0)
      headerEnd = valueEntriesStart + count * valueEntrySize
    }
  }

  /// A scalar, with strings and opaque data left in place.
  enum Scalar {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(Range<Int>)
    case opaque(fieldType: UInt8, Range<Int>)
  }

  func fail(_ message: String, at position: Int) -> BinlogError {
    BinlogError(.malformed, "JSON: \(message) at document byte \(position)")
  }

  func truncated(_ what: String, needs: Int, at position: Int, end: Int) -> BinlogError {
    BinlogError(
      .truncated,
      "JSON: \(what) needs \(needs) bytes at document byte \(position) but only \(max(0, end - position)) remain"
    )
  }

  /// A 2- or 4-byte little-endian offset or size.
  func readLE(_ position: Int, _ width: Int) -> Int {
    width == 2
      ? Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self)))
      : Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
  }

  func loadLE64(_ position: Int) -> UInt64 {
    UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
  }

  mutating func spend(at position: Int) throws(BinlogError) {
    budget -= 1
    if budget < 0 { throw fail("value entries overlap (more values than bytes)", at: position) }
  }

  func container(type: UInt8, start: Int, end: Int, depth: Int) throws(BinlogError) -> Container {
    guard depth < JSONBinary.maxDepth else {
      throw fail("document nested deeper than \(JSONBinary.maxDepth) levels", at: start)
    }
    let large = type == JSONBinaryType.largeObject || type == JSONBinaryType.largeArray
    let isObject = type == JSONBinaryType.smallObject || type == JSONBinaryType.largeObject
    let offsetSize = large ? 4 : 2
    let what = isObject ? "object header" : "array header"
    guard end - start >= 2 * offsetSize else {
      throw truncated(what, needs: 2 * offsetSize, at: start, end: end)
    }
    let count = readLE(start, offsetSize)
    let size = readLE(start + offsetSize, offsetSize)
    guard size <= end - start else {
      throw truncated(isObject ? "object" : "array", needs: size, at: start, end: end)
    }
    let c = Container(start: start, size: size, count: count, large: large, isObject: isObject)
    guard c.headerEnd <= c.end else {
      throw fail(
        "\(count) \(isObject ? "members" : "elements") do not fit in \(size) bytes", at: start)
    }
    return c
  }

  /// The byte range of key `i` of an object.
  func key(_ c: Container, _ i: Int) throws(BinlogError) -> Range<Int> {
    let entry = c.keyEntriesStart + i * c.keyEntrySize
    let offset = readLE(entry, c.offsetSize)
    let length = readLE(entry + c.offsetSize, 2)
    guard c.start + offset >= c.headerEnd, c.start + offset + length <= c.end else {
      throw fail("key \(i) (offset \(offset), length \(length)) lies outside its object", at: entry)
    }
    return (c.start + offset)..<(c.start + offset + length)
  }

  /// Type and byte range of element `i`; for an inlined value the range is the entry's value slot.
  func element(_ c: Container, _ i: Int) throws(BinlogError) -> (type: UInt8, start: Int, end: Int) {
    let entry = c.valueEntriesStart + i * c.valueEntrySize
    let type = bytes[entry]
    if JSONBinaryType.isInlined(type, large: c.large) {
      return (type, entry + 1, entry + c.valueEntrySize)
    }
    let offset = readLE(entry + 1, c.offsetSize)
    guard c.start + offset >= entry + c.valueEntrySize, c.start + offset < c.end else {
      throw fail("value \(i) offset \(offset) lies outside its container", at: entry)
    }
    return (type, c.start + offset, c.end)
  }

  /// MySQL's `read_variable_length`: up to 5 bytes of 7 bits, low bits first, at most UInt32.max.
  func variableLength(at position: Int, end: Int, _ what: String) throws(BinlogError) -> (
    value: Int, next: Int
  ) {
    var value = 0
    var i = 0
    while i < 5 {
      guard position + i < end else {
        throw truncated("\(what) length", needs: i + 1, at: position, end: end)
      }
      let b = bytes[position + i]
      value |= Int(b & 0x7F) << (7 * i)
      if b & 0x80 == 0 {
        guard value <= Int(UInt32.max) else {
          throw fail("\(what) length \(value) exceeds 4 GiB", at: position)
        }
        return (value, position + i + 1)
      }
      i += 1
    }
    throw fail("\(what) length runs over 5 bytes", at: position)
  }

  func scalar(type: UInt8, start: Int, end: Int) throws(BinlogError) -> Scalar {
    func need(_ n: Int, _ what: String) throws(BinlogError) {
      guard end - start >= n else { throw truncated(what, needs: n, at: start, end: end) }
    }
    switch type {
    case JSONBinaryType.literal:
      try need(1, "literal")
      switch bytes[start] {
      case 0: return .null
      case 1: return .bool(true)
      case 2: return .bool(false)
      default: throw fail("unknown literal 0x\(String(bytes[start], radix: 16))", at: start)
      }
    case JSONBinaryType.int16:
      try need(2, "int16")
      return .int(Int64(Int16(truncatingIfNeeded: readLE(start, 2))))
    case JSONBinaryType.uint16:
      try need(2, "uint16")
      return .uint(UInt64(readLE(start, 2)))
    case JSONBinaryType.int32:
      try need(4, "int32")
      return .int(Int64(Int32(truncatingIfNeeded: readLE(start, 4))))
    case JSONBinaryType.uint32:
      try need(4, "uint32")
      return .uint(UInt64(readLE(start, 4)))
    case JSONBinaryType.int64:
      try need(8, "int64")
      return .int(Int64(bitPattern: loadLE64(start)))
    case JSONBinaryType.uint64:
      try need(8, "uint64")
      return .uint(loadLE64(start))
    case JSONBinaryType.double:
      try need(8, "double")
      return .double(Double(bitPattern: loadLE64(start)))
    case JSONBinaryType.string:
      let (length, data) = try variableLength(at: start, end: end, "string")
      guard length <= end - data else {
        throw truncated("string", needs: length, at: data, end: end)
      }
      return .string(data..<(data + length))
    case JSONBinaryType.opaque:
      try need(1, "opaque type")
      let fieldType = bytes[start]
      let (length, data) = try variableLength(at: start + 1, end: end, "opaque")
      guard length <= end - data else {
        throw truncated("opaque value", needs: length, at: data, end: end)
      }
      return .opaque(fieldType: fieldType, data..<(data + length))
    default:
      throw fail("unknown value type 0x\(String(type, radix: 16))", at: start)
    }
  }

  func slice(_ r: Range<Int>) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: bytes[r])
  }

  func string(_ r: Range<Int>) -> String {
    String(decoding: slice(r), as: UTF8.self)
  }

  /// What an opaque value means to MySQL (`Json_wrapper::type()`): NEWDECIMAL and the temporal
  /// types get their own JSON types; everything else stays opaque.
  enum OpaqueMeaning {
    case decimal(precision: Int, scale: Int, Range<Int>)
    case temporal(JSONTemporal)
    case other
  }

  func opaqueMeaning(fieldType: UInt8, _ r: Range<Int>) throws(BinlogError) -> OpaqueMeaning {
    if fieldType == JSONText.typeNewDecimal {
      // Json_decimal: precision byte, scale byte, then decimal2bin of exactly that size.
      guard r.count >= 2 else {
        throw fail("DECIMAL opaque of \(r.count) bytes lacks precision and scale", at: r.lowerBound)
      }
      let precision = Int(bytes[r.lowerBound])
      let scale = Int(bytes[r.lowerBound + 1])
      let size = DecimalCodec.storageSize(precision: precision, scale: scale)
      guard size > 0, size == r.count - 2 else {
        throw fail(
          "DECIMAL(\(precision),\(scale)) opaque has \(r.count - 2) bytes, expected \(size)",
          at: r.lowerBound)
      }
      return .decimal(precision: precision, scale: scale, (r.lowerBound + 2)..<r.upperBound)
    }
    if let kind = JSONTemporal.Kind(rawValue: fieldType) {
      guard r.count == 8 else {
        throw fail(
          "temporal opaque (type \(fieldType)) has \(r.count) bytes, expected 8", at: r.lowerBound)
      }
      return .temporal(JSONTemporal(kind: kind, packed: Int64(bitPattern: loadLE64(r.lowerBound))))
    }
    return .other
  }

  func decimalText(precision: Int, scale: Int, _ r: Range<Int>, into out: inout [UInt8])
    throws(BinlogError)
  {
    do throws(BinlogError) {
      try DecimalCodec.appendText(slice(r), precision: precision, scale: scale, into: &out)
    } catch {
      throw fail("DECIMAL opaque: \(error.message)", at: r.lowerBound)
    }
  }

  mutating func decode(type: UInt8, start: Int, end: Int, depth: Int) throws(BinlogError)
    -> JSONValue
  {
    try spend(at: start)
    switch type {
    case JSONBinaryType.smallObject, JSONBinaryType.largeObject:
      let c = try container(type: type, start: start, end: end, depth: depth)
      var members: [(key: String, value: JSONValue)] = []
      members.reserveCapacity(c.count)
      for i in 0..<c.count {
        let k = try key(c, i)
        let e = try element(c, i)
        members.append(
          (string(k), try decode(type: e.type, start: e.start, end: e.end, depth: depth + 1)))
      }
      return .object(members)
    case JSONBinaryType.smallArray, JSONBinaryType.largeArray:
      let c = try container(type: type, start: start, end: end, depth: depth)
      var items: [JSONValue] = []
      items.reserveCapacity(c.count)
      for i in 0..<c.count {
        let e = try element(c, i)
        items.append(try decode(type: e.type, start: e.start, end: e.end, depth: depth + 1))
      }
      return .array(items)
    default:
      switch try scalar(type: type, start: start, end: end) {
      case .null: return .null
      case .bool(let b): return .bool(b)
      case .int(let v): return .int(v)
      case .uint(let v): return .uint(v)
      case .double(let d): return .double(d)
      case .string(let r): return .string(string(r))
      case .opaque(let fieldType, let r):
        switch try opaqueMeaning(fieldType: fieldType, r) {
        case .decimal(let precision, let scale, let digits):
          var text: [UInt8] = []
          try decimalText(precision: precision, scale: scale, digits, into: &text)
          return .decimal(String(decoding: text, as: UTF8.self))
        case .temporal(let t):
          return .temporal(t)
        case .other:
          return .opaque(fieldType: fieldType, bytes: Array(slice(r)))
        }
      }
    }
  }

  mutating func write(
    type: UInt8, start: Int, end: Int, depth: Int, mysqlLayout: Bool, into out: inout [UInt8]
  ) throws(BinlogError) {
    try spend(at: start)
    switch type {
    case JSONBinaryType.smallObject, JSONBinaryType.largeObject:
      let c = try container(type: type, start: start, end: end, depth: depth)
      out.append(UInt8(ascii: "{"))
      for i in 0..<c.count {
        if i > 0 { JSONText.appendSeparator(into: &out, spaced: mysqlLayout) }
        JSONText.appendQuoted(bytes: slice(try key(c, i)), into: &out)
        JSONText.appendColon(into: &out, spaced: mysqlLayout)
        let e = try element(c, i)
        try write(
          type: e.type, start: e.start, end: e.end, depth: depth + 1, mysqlLayout: mysqlLayout,
          into: &out)
      }
      out.append(UInt8(ascii: "}"))
    case JSONBinaryType.smallArray, JSONBinaryType.largeArray:
      let c = try container(type: type, start: start, end: end, depth: depth)
      out.append(UInt8(ascii: "["))
      for i in 0..<c.count {
        if i > 0 { JSONText.appendSeparator(into: &out, spaced: mysqlLayout) }
        let e = try element(c, i)
        try write(
          type: e.type, start: e.start, end: e.end, depth: depth + 1, mysqlLayout: mysqlLayout,
          into: &out)
      }
      out.append(UInt8(ascii: "]"))
    default:
      switch try scalar(type: type, start: start, end: end) {
      case .null: JSONText.appendASCII("null", into: &out)
      case .bool(let b): JSONText.appendASCII(b ? "true" : "false", into: &out)
      case .int(let v): JSONText.appendInt(v, into: &out)
      case .uint(let v): JSONText.appendUInt(v, into: &out)
      case .double(let d): JSONText.appendDouble(d, into: &out, strict: !mysqlLayout)
      case .string(let r): JSONText.appendQuoted(bytes: slice(r), into: &out)
      case .opaque(let fieldType, let r):
        switch try opaqueMeaning(fieldType: fieldType, r) {
        case .decimal(let precision, let scale, let digits):
          try decimalText(precision: precision, scale: scale, digits, into: &out)
        case .temporal(let t):
          out.append(UInt8(ascii: "\""))
          t.appendText(into: &out)
          out.append(UInt8(ascii: "\""))
        case .other:
          JSONText.appendOpaque(fieldType: fieldType, slice(r), into: &out)
        }
      }
    }
  }
}
