import BinlogFormat
import BinlogQuery

/// SQL literals for decoded values, exact on replay into MySQL/MariaDB with the session the SQL
/// exporter's header sets (`time_zone = '+00:00'`, utf8mb4 client charset).
public enum SQLValue {
  /// Appends `v` as a literal for column `col`. Returns false when the value has no exact SQL
  /// literal (a partial JSON diff without its before image, an infinite float). `scratch` holds
  /// a JSON document's text before it is quoted (reused: no allocation per value).
  public static func append(
    _ v: ColumnValue, column col: ColumnInfo, scratch: inout [UInt8], into out: inout [UInt8]
  ) throws(BinlogError) -> Bool {
    switch v {
    case .absent, .null:
      appendRaw("NULL", into: &out)
    case .int(let x):
      JSONWriter.appendInt(x, into: &out)
    case .uint(let x):
      JSONWriter.appendUInt(x, into: &out)
    case .float(let f):
      guard f.isFinite else { return false }
      // Swift prints the shortest text that reads back as the same Float. Negative zero as a
      // float literal: `-0.0` would be the DECIMAL 0.0 negated, which is 0.
      appendRaw(f == 0 && f.sign == .minus ? "-0e0" : f.description, into: &out)
    case .double(let d):
      guard d.isFinite else { return false }
      appendRaw(d == 0 && d.sign == .minus ? "-0e0" : d.description, into: &out)
    case .decimal(let b, let p, let s):
      try DecimalCodec.appendText(b, precision: p, scale: s, into: &out)
    case .string(let b, let collation):
      appendText(b, charset: collation.map(Charset.init(collation:)) ?? .utf8mb4, into: &out)
    case .bytes(let b), .geometry(let b), .vector(let b):
      // Geometry travels in the server's internal format (SRID + WKB), which a geometry column
      // accepts as a binary string.
      appendHex(b, into: &out)
    case .date(let y, let m, let d):
      out.append(0x27)
      TemporalText.appendDate(year: y, month: m, day: d, into: &out)
      out.append(0x27)
    case .time(let neg, let h, let m, let s, let us, let fsp):
      out.append(0x27)
      TemporalText.appendTime(negative: neg, hours: h, minutes: m, seconds: s, micros: us, fsp: fsp, into: &out)
      out.append(0x27)
    case .datetime(let y, let mo, let d, let h, let mi, let s, let us, let fsp):
      out.append(0x27)
      TemporalText.appendDateTime(
        year: y, month: mo, day: d, hour: h, minute: mi, second: s, micros: us, fsp: fsp, into: &out)
      out.append(0x27)
    case .timestamp(let secs, let us, let fsp):
      out.append(0x27)
      if secs == 0 && us == 0 {
        appendRaw("0000-00-00 00:00:00", into: &out)
      } else {
        TemporalText.appendTimestampLocal(seconds: secs, micros: us, fsp: fsp, zone: .utc, into: &out)
      }
      out.append(0x27)
    case .year(let y):
      JSONWriter.appendInt(Int64(y), into: &out)
    case .bit(let x, _):
      JSONWriter.appendUInt(x, into: &out)
    case .enumIndex(let i):
      // The index is exact whatever the labels' charset; ENUM columns take it as a number.
      JSONWriter.appendInt(Int64(i), into: &out)
    case .setBits(let bits):
      JSONWriter.appendUInt(bits, into: &out)
    case .json(let b):
      scratch.removeAll(keepingCapacity: true)
      try JSONBinary.appendCompactJSON(b, into: &scratch)
      scratch.withUnsafeBytes { appendQuoted($0, into: &out) }
    case .jsonDiff:
      return false
    }
    return true
  }

  @inlinable static func appendRaw(_ s: String, into out: inout [UInt8]) {
    out.append(contentsOf: s.utf8)
  }

  /// Text of a column in its charset, so that a replay stores the same bytes on any server (the
  /// output sets `NAMES utf8mb4` for row statements): utf8mb3/utf8mb4/ascii text and latin1 (whose
  /// 256 bytes and their characters map one to one) as quoted utf8mb4 literals; any other charset
  /// as its bytes with the charset's introducer, `_sjis X'815F'` (several sjis codes are the same
  /// character, so text would not say which bytes to store); bytes not valid in the charset, and
  /// binary, as a hex literal (stored as they are).
  static func appendText(_ b: UnsafeRawBufferPointer, charset: Charset, into out: inout [UInt8]) {
    switch charset {
    case .utf8mb4, .utf8mb3, .ascii:
      if Charset.isValidUTF8(b) {
        appendQuoted(b, into: &out)
        return
      }
    case .binary:
      appendHex(b, into: &out)
      return
    case .latin1:
      out.append(0x27)
      TextEncoding.appendLatin1AsUTF8(b, cp1252: true, escaping: .sql, into: &out)
      out.append(0x27)
      return
    case .other where charset.name != "GB18030":
      // An unknown charset whose bytes happen to be UTF-8: as before, the text.
      var tmp: [UInt8] = []
      if charset.appendUTF8(b, into: &tmp) {
        tmp.withUnsafeBytes { appendQuoted($0, into: &out) }
        return
      }
    case .legacy, .ucs2, .utf16, .utf16le, .utf32, .other:
      // Only whether the bytes are valid in the charset matters here: they are converted at the
      // end of `out` (no buffer of their own) and taken back.
      let mark = out.count
      let valid = charset.appendUTF8(b, into: &out)
      out.removeLast(out.count - mark)
      if valid {
        if !b.isEmpty {
          out.append(0x5F)
          // The introducer in lower case (`_sjis`), byte by byte: no String per value.
          for c in charset.name.utf8 { out.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c) }
          out.append(0x20)
        }
        appendHex(b, into: &out)
        return
      }
    }
    appendHex(b, into: &out)
  }

  /// `'...'` with MySQL's escapes (backslash, quote, NUL, newline, return, Ctrl-Z).
  static func appendQuoted(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    out.append(0x27)
    TextEncoding.appendSQLEscaped(b, into: &out)
    out.append(0x27)
  }

  /// `X'0A1B…'`, or `''` for no bytes.
  static func appendHex(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    if b.isEmpty {
      out += [0x27, 0x27]
      return
    }
    out.append(0x58)
    out.append(0x27)
    TextEncoding.appendHex(b, upper: true, into: &out)
    out.append(0x27)
  }

  @inline(__always) static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x37 + v }

  /// `` `name` `` with backquotes doubled.
  static func appendIdentifier(_ name: String, into out: inout [UInt8]) {
    out.append(0x60)
    var name = name
    name.withUTF8 { b in
      if !b.contains(0x60) {
        out.append(contentsOf: b)
        return
      }
      for c in b {
        if c == 0x60 { out.append(0x60) }
        out.append(c)
      }
    }
    out.append(0x60)
  }
}
