import BinlogFormat
import BinlogQuery

/// Pure text rules of canal-protocol.md §2.6 that do not need the row decoder.
public enum CanalValueText {
  /// Canal's text for a DECIMAL value, from its exact text with all `scale` fractional digits
  /// (`-?[0-9]+(\.[0-9]+)?`, e.g. `500.00` for DECIMAL(10,2)); `nil` for any other input.
  ///
  /// Canal rebuilds the value from MySQL's 9-digit groups and drops a trailing *partial* group
  /// (scale mod 9 digits) when it is zero, then prints with `BigDecimal.toPlainString`:
  /// `500.00` → `500.0` (issue #2081), `1.50` → `1.50`, `0.00` → `0.0`, `12.3400` → `12.3400`,
  /// DECIMAL(20,10) `1.5000000000` → `1.500000000`, DECIMAL(5,0) `7` → `7`. Leading zeros go,
  /// and a zero has no sign (`-0.00` → `0.0`: BigDecimal has no negative zero).
  public static func decimal(_ exactText: String) -> String? {
    var output: [UInt8] = []
    output.reserveCapacity(exactText.utf8.count + 2)
    guard appendDecimal(exactText, to: &output) else { return nil }
    return String(decoding: output, as: UTF8.self)
  }

  /// Appends `decimal(exactText)`; returns false (appending nothing) when the input is malformed.
  @discardableResult
  public static func appendDecimal(_ exactText: String, to output: inout [UInt8]) -> Bool {
    var text = exactText
    return text.withUTF8 { appendDecimal(utf8: UnsafeRawBufferPointer($0), to: &output) }
  }

  /// `appendDecimal` over the UTF-8 bytes of the exact text.
  @discardableResult
  public static func appendDecimal<O: ByteAppender>(utf8 text: UnsafeRawBufferPointer, to output: inout O)
    -> Bool
  {
    let zero = UInt8(ascii: "0")
    func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }
    var i = 0
    let negative = i < text.count && text[i] == UInt8(ascii: "-")
    if negative { i += 1 }
    let integerStart = i
    while i < text.count && isDigit(text[i]) { i += 1 }
    let integerEnd = i
    guard integerEnd > integerStart else { return false }
    var fractionStart = i
    var fractionEnd = i
    if i < text.count {
      guard text[i] == UInt8(ascii: ".") else { return false }
      i += 1
      fractionStart = i
      while i < text.count && isDigit(text[i]) { i += 1 }
      fractionEnd = i
      guard i == text.count, fractionEnd > fractionStart else { return false }
    }
    let scale = fractionEnd - fractionStart
    // Fraction digits that survive: the full 9-digit groups, plus the partial group unless zero.
    var keptEnd = fractionStart + scale / 9 * 9
    for j in keptEnd..<fractionEnd where text[j] != zero {
      keptEnd = fractionEnd
      break
    }
    var firstSignificant = integerStart
    while firstSignificant < integerEnd - 1 && text[firstSignificant] == zero {
      firstSignificant += 1
    }
    var isZero = true
    for j in firstSignificant..<integerEnd where text[j] != zero { isZero = false }
    for j in fractionStart..<keptEnd where text[j] != zero { isZero = false }

    if negative && !isZero { output.append(UInt8(ascii: "-")) }
    output.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[firstSignificant..<integerEnd]))
    if scale > 0 {
      output.append(UInt8(ascii: "."))
      if keptEnd > fractionStart {
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[fractionStart..<keptEnd]))
      } else {
        output.append(zero)
      }
    }
    return true
  }

  /// `appendDecimal(utf8:)` of a binary DECIMAL's exact text, written straight into `out`:
  /// `DecimalCodec.formatText` already writes no leading zeros and no sign for zero (which the
  /// dropped digits never change: they are zeros), so Canal's rule only drops the partial
  /// fraction group (scale mod 9 digits) when it is all zeros, and writes `0` for a fraction
  /// left empty.
  static func appendDecimal<O: ByteAppender>(
    _ b: UnsafeRawBufferPointer, precision: Int, scale: Int, into out: inout O
  ) throws(BinlogError) {
    var failure: BinlogError?
    // Sign, 65 digits and the point: 67 bytes, at offset 1 (byte 0 is formatText's sign slot).
    out.write(upTo: 68) { dst in
      let range: Range<Int>
      do throws(BinlogError) {
        range = try DecimalCodec.formatText(b, precision: precision, scale: scale, to: dst)
      } catch {
        failure = error
        return 0
      }
      var end = range.upperBound
      let partial = scale % 9
      if partial > 0 {
        var zeros = true
        for j in (end - partial)..<end where dst.load(fromByteOffset: j, as: UInt8.self) != UInt8(ascii: "0") {
          zeros = false
          break
        }
        if zeros {
          end -= partial
          if scale < 9 {
            // Nothing of the fraction is kept: `.0`.
            dst.storeBytes(of: UInt8(ascii: "0"), toByteOffset: end, as: UInt8.self)
            end += 1
          }
        }
      }
      let n = end - range.lowerBound
      if range.lowerBound > 0 { dst.copyMemory(from: dst + range.lowerBound, byteCount: n) }
      return n
    }
    if let failure { throw failure }
  }

  /// Bytes as Java's ISO-8859-1 decoding makes them: byte b → U+00bb. Canal renders BINARY,
  /// VARBINARY, BLOB and GEOMETRY values this way; on the wire (UTF-8) a byte ≥ 0x80 takes two.
  public static func latin1(_ bytes: UnsafeRawBufferPointer) -> String {
    var output: [UInt8] = []
    appendLatin1AsUTF8(bytes, to: &output)
    return String(decoding: output, as: UTF8.self)
  }

  /// `latin1(bytes)` for an array.
  public static func latin1(_ bytes: [UInt8]) -> String {
    bytes.withUnsafeBytes { latin1($0) }
  }

  /// Appends the UTF-8 encoding of `latin1(bytes)`.
  public static func appendLatin1AsUTF8<O: ByteAppender>(_ bytes: UnsafeRawBufferPointer, to output: inout O) {
    TextEncoding.appendLatin1AsUTF8(bytes, cp1252: false, into: &output)
  }

  /// Appends `text` as a quoted string of Canal's MySQL-JSON rendering: `"` and `\` escaped,
  /// LF/CR/TAB as `\n`/`\r`/`\t`, every other code point below U+0020 and U+007F…U+00A0 as
  /// `\u00xx` with lowercase hex (`\b` → `\u0008`), everything else raw (no `\/`).
  public static func appendJSONString(_ text: String, to output: inout [UInt8]) {
    var copy = text
    copy.withUTF8 { appendJSONString(utf8: UnsafeRawBufferPointer($0), to: &output) }
  }

  /// `appendJSONString` over valid UTF-8 bytes.
  public static func appendJSONString(utf8 text: UnsafeRawBufferPointer, to output: inout [UInt8]) {
    func appendUnicodeEscape(_ scalar: UInt8) {
      let hex: StaticString = "0123456789abcdef"
      output.append(contentsOf: [
        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
      ])
      output.append(hex.utf8Start[Int(scalar >> 4)])
      output.append(hex.utf8Start[Int(scalar & 0xF)])
    }
    output.append(UInt8(ascii: "\""))
    var i = 0
    while i < text.count {
      let b = text[i]
      i += 1
      switch b {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        output.append(UInt8(ascii: "\\"))
        output.append(b)
      case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
      case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
      case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
      case 0x00..<0x20, 0x7F:
        appendUnicodeEscape(b)
      case 0xC2 where i < text.count && text[i] >= 0x80 && text[i] <= 0xA0:
        // U+0080…U+00A0 are encoded C2 80…C2 A0.
        appendUnicodeEscape(text[i])
        i += 1
      default:
        output.append(b)
      }
    }
    output.append(UInt8(ascii: "\""))
  }
}

/// How Canal turns character data into text.
public enum CanalTextCharset: Sendable, Equatable {
  /// Canal's behaviour: every CHAR/VARCHAR/TEXT column, whatever its own charset, is decoded as
  /// UTF-8 (`canal.instance.connectionCharset`, default UTF-8); malformed bytes become U+FFFD.
  case canal
  /// Each column decoded with its own charset from the binlog's optional metadata (falls back to
  /// UTF-8 when unknown or undecodable). Not what Canal does; fixes its latin1/gbk mojibake.
  case column
}

/// Canal's text and sqlType of one non-NULL column value (canal-protocol.md §2.6).
extension CanalValueText {
  /// The rendered value of one column.
  public struct Rendered: Equatable, Sendable {
    public var sqlType: Int32
    public var text: String
  }

  /// Text and sqlType of `value` in a column described by `column` / `meta`. `value` must be
  /// neither `.null` nor `.absent`. `zone` renders TIMESTAMPs (Canal: the JVM's zone).
  public static func render(
    _ value: ColumnValue, column: ColumnInfo, meta: CanalColumnMeta, zone: TimeZoneSpec,
    charset: CanalTextCharset = .canal
  ) throws(BinlogError) -> Rendered {
    var out: [UInt8] = []
    var meta = meta
    let sqlType = try withUnsafePointer(to: &meta) { (m: UnsafePointer<CanalColumnMeta>) throws(BinlogError) in
      try append(
        value, type: column.type, mariaHires: column.mariaHires, meta: m, zone: zone, charset: charset, into: &out)
    }
    return Rendered(sqlType: sqlType, text: String(decoding: out, as: UTF8.self))
  }

  /// Appends the UTF-8 text of `value` in a column of binlog type `type` (`mariaHires`: MariaDB's
  /// pre-10.1 temporal format) described by `meta` (borrowed: no copy of its strings per value);
  /// returns its sqlType.
  static func append<O: ByteAppender>(
    _ value: ColumnValue, type: ColumnType, mariaHires: Bool, meta: UnsafePointer<CanalColumnMeta>,
    zone: TimeZoneSpec, charset: CanalTextCharset, into out: inout O
  ) throws(BinlogError) -> Int32 {
    switch value {
    case .absent, .null:
      return meta.pointee.nullSQLType
    case .int(let v):
      appendInt(v, into: &out)
      return signedSQLType(type)
    case .uint(let v):
      appendUInt(v, into: &out)
      // An unsigned value with the high bit set is one java.sql.Types size up (Canal reads it
      // signed, sees a negative number and widens).
      switch type {
      case .tiny: return v >= 0x80 ? CanalSQLType.smallint : CanalSQLType.tinyint
      case .short: return v >= 0x8000 ? CanalSQLType.integer : CanalSQLType.smallint
      case .int24: return CanalSQLType.integer
      case .long: return v >= 0x8000_0000 ? CanalSQLType.bigint : CanalSQLType.integer
      case .longlong: return v >= 0x8000_0000_0000_0000 ? CanalSQLType.decimal : CanalSQLType.bigint
      default: return signedSQLType(type)
      }
    case .float(let f):
      JavaNumberText.appendFloat(f, to: &out)
      return CanalSQLType.real
    case .double(let d):
      JavaNumberText.appendDouble(d, to: &out)
      return CanalSQLType.double
    case .decimal(let b, let p, let s):
      try appendDecimal(b, precision: p, scale: s, into: &out)
      return CanalSQLType.decimal
    case .string(let b, let collation):
      // Canal picks the path by the column's type text, not by the value.
      let binary: Bool
      switch type {
      case .string, .varchar, .varString: binary = meta.pointee.isBinary
      default: binary = !meta.pointee.isText
      }
      if binary {
        appendLatin1AsUTF8(b, to: &out)
        return CanalSQLType.blob
      }
      appendCharacters(b, collation: charset == .column ? collation : nil, into: &out)
      switch type {
      case .string: return CanalSQLType.char
      case .varchar, .varString: return CanalSQLType.varchar
      default: return CanalSQLType.clob
      }
    case .bytes(let b):
      if meta.pointee.isText {  // a TEXT column in the binary charset: Canal decodes by its type text
        appendCharacters(b, collation: nil, into: &out)
        return CanalSQLType.clob
      }
      appendLatin1AsUTF8(b, to: &out)
      return CanalSQLType.blob
    case .date(let y, let m, let d):
      appendPadded(y, 4, &out)
      out.append(UInt8(ascii: "-"))
      appendPadded(m, 2, &out)
      out.append(UInt8(ascii: "-"))
      appendPadded(d, 2, &out)
      return CanalSQLType.date
    case .time(let negative, let h, let m, let s, let us, let fsp):
      appendTime(
        negative: negative, hours: h, minutes: m, seconds: s, micros: us, fsp: fsp,
        oldFormat: type == .time && !mariaHires, into: &out)
      return CanalSQLType.time
    case .datetime(let y, let mo, let d, let h, let mi, let s, let us, let fsp):
      appendDateTime(y, mo, d, h, mi, s, micros: us, fsp: fsp, &out)
      return CanalSQLType.timestamp
    case .timestamp(let seconds, let us, let fsp):
      if seconds == 0 {
        appendASCII("0000-00-00 00:00:00", &out)
      } else {
        let c = CivilDateTime(epoch: seconds, offset: zone.offset(at: seconds))
        appendDateTime(c.year, c.month, c.day, c.hour, c.minute, c.second, micros: us, fsp: fsp, &out)
        return CanalSQLType.timestamp
      }
      appendFraction(us, fsp, &out)
      return CanalSQLType.timestamp
    case .year(let y):
      if y == 0 { appendASCII("0000", &out) } else { appendInt(Int64(y), into: &out) }
      return CanalSQLType.varchar
    case .bit(let v, _):
      appendUInt(v, into: &out)
      return CanalSQLType.bit
    case .enumIndex(let i):
      appendInt(Int64(i), into: &out)
      return CanalSQLType.integer
    case .setBits(let bits):
      appendUInt(bits, into: &out)
      return CanalSQLType.bit
    case .json(let b):
      if b.count > 0 {
        let doc = try JSONBinary.decode(b)
        var text: [UInt8] = []
        appendJSON(doc, into: &text)
        text.withUnsafeBytes { out.append(contentsOf: $0) }
      }
      return CanalSQLType.varchar
    case .jsonDiff(let b):
      var text: [UInt8] = []
      try appendJSONDiff(b, columnName: meta.pointee.name, into: &text)
      text.withUnsafeBytes { out.append(contentsOf: $0) }
      return CanalSQLType.varchar
    case .geometry(let b):
      appendLatin1AsUTF8(b, to: &out)
      return CanalSQLType.blob
    case .vector(let b):
      // MySQL 9 VECTOR is unknown to Canal 1.1.x (its type maps to OTHER); the bytes as binary.
      appendLatin1AsUTF8(b, to: &out)
      return CanalSQLType.other
    }
  }

  private static func signedSQLType(_ type: ColumnType) -> Int32 {
    switch type {
    case .tiny: return CanalSQLType.tinyint
    case .short: return CanalSQLType.smallint
    case .longlong: return CanalSQLType.bigint
    default: return CanalSQLType.integer
    }
  }

  /// Character data as text: with `collation` (per-column mode) through that charset, else as
  /// UTF-8 with malformed sequences replaced by U+FFFD (Java's `new String(bytes, UTF_8)`).
  static func appendCharacters<O: ByteAppender>(_ b: UnsafeRawBufferPointer, collation: UInt32?, into out: inout O) {
    if let collation {
      let cs = Charset(collation: collation)
      if cs != .binary {
        var text: [UInt8] = []
        if cs.appendUTF8(b, into: &text) {
          text.withUnsafeBytes { out.append(contentsOf: $0) }
          return
        }
      }
    }
    TextEncoding.appendUTF8Repairing(b, into: &out)
  }

  // MARK: - JSON

  /// A MySQL JSON document as Canal's `Json_Value.toJsonString` writes it: `{"k": v}`,
  /// `[a, b]`, doubles via Java `Double.toString`, DECIMAL opaques as Canal DECIMAL text,
  /// temporal opaques quoted with six fraction digits, other opaques as quoted text.
  public static func appendJSON(_ v: JSONValue, into out: inout [UInt8]) {
    switch v {
    case .null: appendASCII("null", &out)
    case .bool(let b): if b { appendASCII("true", &out) } else { appendASCII("false", &out) }
    case .int(let i): appendInt(i, into: &out)
    case .uint(let u): appendUInt(u, into: &out)
    case .double(let d): JavaNumberText.appendDouble(d, to: &out)
    case .string(let s): appendJSONString(s, to: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { appendASCII(", ", &out) }
        appendJSON(item, into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      for (i, m) in members.enumerated() {
        if i > 0 { appendASCII(", ", &out) }
        appendJSONString(m.key, to: &out)
        appendASCII(": ", &out)
        appendJSON(m.value, into: &out)
      }
      out.append(UInt8(ascii: "}"))
    case .decimal(let text):
      if !appendDecimal(text, to: &out) { out.append(contentsOf: text.utf8) }
    case .temporal(let t):
      out.append(UInt8(ascii: "\""))
      if t.packed == 0 {
        if t.kind == .time { appendASCII("00:00:00", &out) } else { appendASCII("0000-00-00 00:00:00", &out) }
      } else if t.kind == .time {
        if t.isNegative { out.append(UInt8(ascii: "-")) }
        appendHours(t.hour, fullFrom: 101, &out)  // Canal's JSON TIME keeps the old-TIME quirk
        out.append(UInt8(ascii: ":"))
        appendPadded(t.minute, 2, &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(t.second, 2, &out)
        appendFraction(t.microsecond, 6, &out)
      } else {
        appendDate(t.year, t.month, t.day, &out)
        out.append(UInt8(ascii: " "))
        appendClock(t.hour, t.minute, t.second, &out)
        appendFraction(t.microsecond, 6, &out)
      }
      out.append(UInt8(ascii: "\""))
    case .opaque(_, let bytes):
      let text = String(decoding: bytes, as: UTF8.self)
      appendJSONString(text, to: &out)
    }
  }

  /// A partial JSON update (PARTIAL_UPDATE_ROWS after image) as Canal prints it, e.g.
  /// `JSON_INSERT(JSON_REPLACE(col, '$.a', 2), '$.b', "x")`: functions in reverse order of the
  /// operations, consecutive equal operations merged; paths as ISO-8859-1 text.
  static func appendJSONDiff(_ b: UnsafeRawBufferPointer, columnName: String, into out: inout [UInt8]) throws(BinlogError) {
    let diffs = try JSONDiffCodec.parseBody(b)
    let names = diffs.map { d -> StaticString in
      switch d.operation {
      case .replace: return "JSON_REPLACE"
      case .insert: return d.path.utf8.last == UInt8(ascii: "]") ? "JSON_ARRAY_INSERT" : "JSON_INSERT"
      case .remove: return "JSON_REMOVE"
      }
    }
    func same(_ a: StaticString, _ b: StaticString) -> Bool { a.utf8Start == b.utf8Start }
    for i in stride(from: names.count - 1, through: 0, by: -1) where i == 0 || !same(names[i - 1], names[i]) {
      appendASCII(names[i], &out)
      out.append(UInt8(ascii: "("))
    }
    out.append(contentsOf: columnName.utf8)
    if diffs.isEmpty { return }
    appendASCII(", ", &out)
    for (i, d) in diffs.enumerated() {
      out.append(UInt8(ascii: "'"))
      var path = d.path
      path.withUTF8 { appendLatin1AsUTF8(UnsafeRawBufferPointer($0), to: &out) }
      out.append(UInt8(ascii: "'"))
      if d.operation != .remove, let value = d.value {
        appendASCII(", ", &out)
        appendJSON(value, into: &out)
      }
      if i == diffs.count - 1 {
        out.append(UInt8(ascii: ")"))
        break
      }
      if !same(names[i + 1], names[i]) { out.append(UInt8(ascii: ")")) }
      appendASCII(", ", &out)
    }
  }

  // MARK: - Statement text

  /// A statement's text decoded with the Query event's client charset (`Q_CHARSET_CODE`), as
  /// Canal does; UTF-8 when unknown or undecodable.
  static func statementText(_ bytes: [UInt8], clientCharset: UInt16?) -> String {
    bytes.withUnsafeBytes { b in
      if let c = clientCharset {
        let cs = Charset(collation: UInt32(c))
        switch cs {
        case .utf8mb4, .utf8mb3, .ascii, .binary: break
        default:
          var out: [UInt8] = []
          if cs.appendUTF8(b, into: &out) { return String(decoding: out, as: UTF8.self) }
        }
      }
      return String(decoding: b, as: UTF8.self)
    }
  }

  /// Java's `BigDecimal.toString()` of a DECIMAL (plain text as Canal's DECIMAL rule gives it),
  /// used for `SET @v := …` of a DECIMAL user variable: scientific notation when the adjusted
  /// exponent is below -6 (`1E-7`).
  static func bigDecimalToString(_ plain: String) -> String {
    var s = Substring(plain)
    var sign = ""
    if s.first == "-" {
      sign = "-"
      s = s.dropFirst()
    }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    let intPart = parts[0]
    let frac = parts.count > 1 ? parts[1] : ""
    let scale = frac.count
    var unscaled = String((intPart + frac).drop(while: { $0 == "0" }))
    if unscaled.isEmpty { unscaled = "0" }
    let adjusted = -scale + (unscaled.count - 1)
    if scale >= 0 && adjusted >= -6 { return plain }
    var out = sign + String(unscaled.first!)
    if unscaled.count > 1 { out += "." + unscaled.dropFirst() }
    return out + "E" + String(adjusted)
  }
}
