import BinlogFormat
import BinlogQuery

/// The NDJSON value mapping (README "Value mapping"): exact numbers, DECIMAL as string,
/// temporal literals, TIMESTAMP as ISO-8601 in the chosen zone, binary as {"base64": ...}.
public enum NDJSONValue {
  public static func append(_ v: ColumnValue, column col: ColumnInfo, zone: TimeZoneSpec, into out: inout [UInt8])
    throws(BinlogError)
  {
    var scratch: [UInt8] = []
    try withUnsafePointer(to: col) { (p: UnsafePointer<ColumnInfo>) throws(BinlogError) in
      try append(v, columnAt: p, zone: zone, scratch: &scratch, into: &out)
    }
  }

  /// `append(_:column:zone:into:)` with the column borrowed in place: the hot path reads the one
  /// or two fields it needs instead of copying (and retaining) a whole `ColumnInfo` per value.
  /// `scratch` holds the text of the rare values formatted into an array first (JSON documents,
  /// other charsets), reused from value to value.
  static func append<O: ByteAppender>(
    _ v: ColumnValue, columnAt colp: UnsafePointer<ColumnInfo>, zone: TimeZoneSpec, scratch: inout [UInt8],
    into out: inout O
  ) throws(BinlogError) {
    switch v {
    case .absent, .null:
      JSONWriter.appendRaw("null", into: &out)
    case .int(let x):
      JSONWriter.appendInt(x, into: &out)
    case .uint(let x):
      JSONWriter.appendUInt(x, into: &out)
    case .float(let f):
      JSONWriter.appendFloat(f, into: &out)
    case .double(let d):
      JSONWriter.appendDouble(d, into: &out)
    case .decimal(let b, let p, let s):
      out.append(0x22)
      try DecimalCodec.appendText(b, precision: p, scale: s, into: &out)
      out.append(0x22)
    case .string(let b, let collation):
      let charset = collation.map(Charset.init(collation:)) ?? .utf8mb4
      switch charset {
      case .utf8mb4, .utf8mb3, .ascii:
        if !JSONWriter.appendStringIfValidUTF8(b, into: &out) { appendBinary(b, padTo: 0, into: &out) }
      default:
        appendText(b, charset: charset, column: colp.pointee, scratch: &scratch, into: &out)
      }
    case .bytes(let b):
      appendBinary(b, padTo: colp.pointee.type == .string ? colp.pointee.maxLength : 0, into: &out)
    case .date(let y, let m, let d):
      out.append(0x22)
      TemporalText.appendDate(year: y, month: m, day: d, into: &out)
      out.append(0x22)
    case .time(let neg, let h, let m, let s, let us, let fsp):
      out.append(0x22)
      TemporalText.appendTime(negative: neg, hours: h, minutes: m, seconds: s, micros: us, fsp: fsp, into: &out)
      out.append(0x22)
    case .datetime(let y, let mo, let d, let h, let mi, let s, let us, let fsp):
      out.append(0x22)
      TemporalText.appendDateTime(
        year: y, month: mo, day: d, hour: h, minute: mi, second: s, micros: us, fsp: fsp, into: &out)
      out.append(0x22)
    case .timestamp(let secs, let us, let fsp):
      out.append(0x22)
      TemporalText.appendTimestampISO(seconds: secs, micros: us, fsp: fsp, zone: zone, into: &out)
      out.append(0x22)
    case .year(let y):
      JSONWriter.appendInt(Int64(y), into: &out)
    case .bit(let x, _):
      JSONWriter.appendUInt(x, into: &out)
    case .enumIndex(let i):
      if let labels = colp.pointee.enumValues {
        if i >= 1 && i <= labels.count {
          JSONWriter.appendString(labels[i - 1], into: &out)
        } else {
          JSONWriter.appendRaw("\"\"", into: &out)
        }
      } else {
        JSONWriter.appendInt(Int64(i), into: &out)
      }
    case .setBits(let bits):
      if let labels = colp.pointee.setValues {
        out.append(0x22)
        var first = true
        for (k, label) in labels.enumerated() where k < 64 && bits & (1 << UInt64(k)) != 0 {
          if !first { out.append(0x2C) }
          first = false
          var l = label
          l.withUTF8 { JSONWriter.appendEscaped(UnsafeRawBufferPointer($0), into: &out) }
        }
        out.append(0x22)
      } else {
        JSONWriter.appendUInt(bits, into: &out)
      }
    case .json(let b):
      scratch.removeAll(keepingCapacity: true)
      try JSONBinary.appendCompactJSON(b, into: &scratch)
      scratch.withUnsafeBytes { appendJSONDocument($0, into: &out) }
    case .jsonDiff(let b):
      // Only reached when no before image was available to apply the diff to.
      JSONWriter.appendRaw("{\"json_diff\":", into: &out)
      scratch.removeAll(keepingCapacity: true)
      try appendDiffList(b, into: &scratch)
      scratch.withUnsafeBytes { out.append(contentsOf: $0) }
      out.append(0x7D)
    case .geometry(let b):
      appendBinary(b, padTo: 0, into: &out)
    case .vector(let b):
      out.append(0x5B)
      var i = 0
      while i + 4 <= b.count {
        if i > 0 { out.append(0x2C) }
        let bits = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))
        JSONWriter.appendFloat(Float(bitPattern: bits), into: &out)
        i += 4
      }
      out.append(0x5D)
    }
  }

  /// A JSON column's document (its compact text `doc`) as NDJSON writes it: the document itself,
  /// except that the document `null` is `{"json":null}`, and a document that is an object whose
  /// only member is `json` or `json_diff` is wrapped the same way (`{"json":{"json":1}}`). So
  /// `null` is always SQL NULL, `{"json_diff":[…]}` always a partial update without its document,
  /// and `{"json":X}` always the document X.
  public static func appendJSONDocument<O: ByteAppender>(_ doc: UnsafeRawBufferPointer, into out: inout O) {
    if isWrapped(doc) {
      JSONWriter.appendRaw("{\"json\":", into: &out)
      out.append(contentsOf: doc)
      out.append(0x7D)
    } else {
      out.append(contentsOf: doc)
    }
  }

  /// True for `null` and for `{"json":…}` / `{"json_diff":…}` with no other member.
  static func isWrapped(_ doc: UnsafeRawBufferPointer) -> Bool {
    let n = doc.count
    if n == 4 { return doc[0] == 0x6E && doc[1] == 0x75 && doc[2] == 0x6C && doc[3] == 0x6C }
    let json: [UInt8] = Array(#"{"json"#.utf8)
    guard n > 9, doc[n - 1] == 0x7D else { return false }
    for k in 0..<json.count where doc[k] != json[k] { return false }
    var i: Int
    if doc[6] == 0x22 && doc[7] == 0x3A {
      i = 8  // {"json":
    } else if n > 14 && Array(doc[6..<13]) == Array(#"_diff":"#.utf8) {
      i = 13  // {"json_diff":
    } else {
      return false
    }
    // One member: no ',' at depth 0 after the value starts (strings skipped, escapes honoured).
    var depth = 0
    var inString = false
    while i < n - 1 {
      let c = doc[i]
      if inString {
        if c == 0x5C { i += 1 } else if c == 0x22 { inString = false }
      } else {
        switch c {
        case 0x22: inString = true
        case 0x7B, 0x5B: depth += 1
        case 0x7D, 0x5D: depth -= 1
        case 0x2C where depth == 0: return false
        default: break
        }
      }
      i += 1
    }
    return true
  }

  /// `[{"op":"replace","path":"$.a","value":1}, ...]` for a partial JSON update's diff vector.
  public static func appendDiffList(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) throws(BinlogError) {
    let diffs = try JSONDiffCodec.parseBody(b)
    out.append(0x5B)
    for (k, d) in diffs.enumerated() {
      if k > 0 { out.append(0x2C) }
      JSONWriter.appendRaw("{\"op\":\"", into: &out)
      switch d.operation {
      case .replace: JSONWriter.appendRaw("replace", into: &out)
      case .insert: JSONWriter.appendRaw("insert", into: &out)
      case .remove: JSONWriter.appendRaw("remove", into: &out)
      }
      JSONWriter.appendRaw("\",\"path\":", into: &out)
      JSONWriter.appendString(d.path, into: &out)
      if let value = d.value {
        JSONWriter.appendRaw(",\"value\":", into: &out)
        value.appendCompactJSON(into: &out)
      }
      out.append(0x7D)
    }
    out.append(0x5D)
  }

  /// Text in its charset as a JSON string, or `{"base64": ...}` when it is not decodable.
  @inlinable public static func appendText(
    _ b: UnsafeRawBufferPointer, charset: Charset, column: ColumnInfo, into out: inout [UInt8]
  ) {
    var scratch: [UInt8] = []
    appendText(b, charset: charset, column: column, scratch: &scratch, into: &out)
  }

  @inlinable static func appendText<O: ByteAppender>(
    _ b: UnsafeRawBufferPointer, charset: Charset, column: ColumnInfo, scratch: inout [UInt8], into out: inout O
  ) {
    switch charset {
    case .utf8mb4, .utf8mb3, .ascii:
      if JSONWriter.appendStringIfValidUTF8(b, into: &out) { return }
    case .binary:
      appendBinary(b, padTo: column.type == .string ? column.maxLength : 0, into: &out)
      return
    case .latin1:
      // Every byte is a character: transcoded and escaped straight into `out`.
      out.append(0x22)
      TextEncoding.appendLatin1AsUTF8(b, cp1252: true, escaping: .json, into: &out)
      out.append(0x22)
      return
    case .legacy(let table):
      // Transcoded and escaped straight into `out` (rolled back when a byte has no character).
      out.append(0x22)
      if table.withTable({ $0.appendUTF8(b, escaping: .json, into: &out) }) {
        out.append(0x22)
        return
      }
      out.removeLast(1)
    default:
      // Transcoded through `scratch`, then escaped into `out`.
      scratch.removeAll(keepingCapacity: true)
      if charset.appendUTF8(b, into: &scratch) {
        scratch.withUnsafeBytes { JSONWriter.appendStringBytes($0, into: &out) }
        return
      }
    }
    appendBinary(b, padTo: 0, into: &out)
  }

  /// `{"base64":"..."}`, BINARY(n) padded back to n bytes with 0x00 (MariaDB strips them).
  @inlinable public static func appendBinary<O: ByteAppender>(_ b: UnsafeRawBufferPointer, padTo: Int, into out: inout O) {
    JSONWriter.appendRaw("{\"base64\":\"", into: &out)
    JSONWriter.appendBase64(b, padTo: padTo, into: &out)
    JSONWriter.appendRaw("\"}", into: &out)
  }
}
