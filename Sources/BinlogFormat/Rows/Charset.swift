/// The character sets Sluice decodes, by MySQL/MariaDB collation id.
public enum Charset: Sendable, Equatable {
  case utf8mb4, utf8mb3, latin1, ascii, binary, ucs2, utf16, utf16le, utf32
  /// A legacy charset decoded with the server's conversion table (sjis, gbk, cp1250, ...).
  case legacy(LegacyTable)
  /// A charset the server tables do not cover: gb18030 (MySQL 8) goes through iconv; any other
  /// is kept when it happens to be valid UTF-8.
  case other(UInt32)

  public init(collation id: UInt32) {
    // MariaDB NO PAD collations are their PAD counterpart + 1024.
    let c = (id >= 1024 && id < 2048) ? id - 1024 : id
    switch c {
    case 5, 8, 15, 31, 47, 48, 49, 94: self = .latin1
    case 33, 76, 83, 192...215, 223: self = .utf8mb3
    case 45, 46, 224...247, 255...323: self = .utf8mb4
    case 11, 65: self = .ascii
    case 63: self = .binary
    case 35, 90, 128...151, 159: self = .ucs2
    case 54, 55, 101...124, 327: self = .utf16
    case 56, 62: self = .utf16le
    case 60, 61, 160...183: self = .utf32
    case 2048...4095: self = .utf8mb4  // MariaDB UCA 14.0.0 collations (utf8mb3/utf8mb4 family)
    default:
      if let t = CharsetTable.unmanaged(forCollation: c) {
        self = .legacy(LegacyTable(t))
      } else {
        self = .other(id)
      }
    }
  }

  public var name: String {
    switch self {
    case .utf8mb4: return "utf8mb4"
    case .utf8mb3: return "utf8mb3"
    case .latin1: return "latin1"
    case .ascii: return "ascii"
    case .binary: return "binary"
    case .ucs2: return "ucs2"
    case .utf16: return "utf16"
    case .utf16le: return "utf16le"
    case .utf32: return "utf32"
    case .legacy(let t): return t.table.name
    case .other(let id): return CharsetIconv.iconvName(collation: id) ?? "collation \(id)"
    }
  }

  /// Windows-1252 code points for 0x80...0x9F (MySQL's latin1 is cp1252; the 5 undefined
  /// bytes map to the C1 controls as MySQL does).
  static let cp1252High: [UInt32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
    0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
    0x0153, 0x9D, 0x017E, 0x0178,
  ]

  /// Appends the text of `bytes` in this charset as UTF-8. Returns false (appending nothing)
  /// when the bytes are not valid in it or it is binary/unknown and not valid UTF-8.
  public func appendUTF8(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
    switch self {
    case .utf8mb4, .utf8mb3, .ascii:
      if Charset.isValidUTF8(bytes) {
        out.append(contentsOf: bytes)
        return true
      }
      return false
    case .legacy(let t):
      return t.withTable { $0.appendUTF8(bytes, into: &out) }
    case .other(let id):
      if let name = CharsetIconv.iconvName(collation: id) {
        return CharsetIconv.appendUTF8(bytes, from: name, into: &out)
      }
      if Charset.isValidUTF8(bytes) {
        out.append(contentsOf: bytes)
        return true
      }
      return false
    case .binary:
      return false
    case .latin1:
      TextEncoding.appendLatin1AsUTF8(bytes, cp1252: true, into: &out)
      return true
    case .ucs2, .utf16, .utf16le:
      guard bytes.count % 2 == 0 else { return false }
      let mark = out.count
      var i = 0
      let le = self == .utf16le
      while i < bytes.count {
        let u = le ? UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 : UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
        i += 2
        if u >= 0xD800 && u < 0xDC00 && self != .ucs2 {
          guard i + 1 < bytes.count else {
            out.removeSubrange(mark...)
            return false
          }
          let l = le ? UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 : UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
          guard l >= 0xDC00 && l < 0xE000 else {
            out.removeSubrange(mark...)
            return false
          }
          i += 2
          Charset.appendScalar(0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00), &out)
        } else if u >= 0xD800 && u < 0xE000 {
          out.removeSubrange(mark...)
          return false
        } else {
          Charset.appendScalar(u, &out)
        }
      }
      return true
    case .utf32:
      guard bytes.count % 4 == 0 else { return false }
      let mark = out.count
      var i = 0
      while i < bytes.count {
        let u = UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
        i += 4
        if u > 0x10FFFF || (u >= 0xD800 && u < 0xE000) {
          out.removeSubrange(mark...)
          return false
        }
        Charset.appendScalar(u, &out)
      }
      return true
    }
  }

  @inlinable public static func appendScalar(_ u: UInt32, _ out: inout [UInt8]) {
    if u < 0x80 {
      out.append(UInt8(u))
    } else if u < 0x800 {
      out.append(UInt8(0xC0 | (u >> 6)))
      out.append(UInt8(0x80 | (u & 0x3F)))
    } else if u < 0x10000 {
      out.append(UInt8(0xE0 | (u >> 12)))
      out.append(UInt8(0x80 | ((u >> 6) & 0x3F)))
      out.append(UInt8(0x80 | (u & 0x3F)))
    } else {
      out.append(UInt8(0xF0 | (u >> 18)))
      out.append(UInt8(0x80 | ((u >> 12) & 0x3F)))
      out.append(UInt8(0x80 | ((u >> 6) & 0x3F)))
      out.append(UInt8(0x80 | (u & 0x3F)))
    }
  }

  /// Strict UTF-8 validation (no overlongs, no surrogates): `TextEncoding.isValidUTF8`.
  @inlinable public static func isValidUTF8(_ b: UnsafeRawBufferPointer) -> Bool {
    TextEncoding.isValidUTF8(b)
  }
}

/// A legacy charset's table, held without a reference count (see
/// `CharsetTable.unmanaged(forCollation:)`): the tables are made once and never freed.
public struct LegacyTable: Sendable, Equatable {
  @usableFromInline let ref: Unmanaged<CharsetTable>

  init(_ ref: Unmanaged<CharsetTable>) { self.ref = ref }
  public init(_ table: CharsetTable) { ref = .passUnretained(table) }

  /// The table (a counted reference: for what does not run per value).
  public var table: CharsetTable { ref.takeUnretainedValue() }

  /// Runs `body` with the table, without counting a reference to it.
  @inlinable public func withTable<R>(_ body: (CharsetTable) throws -> R) rethrows -> R {
    try ref._withUnsafeGuaranteedRef(body)
  }

  public static func == (a: LegacyTable, b: LegacyTable) -> Bool { a.ref.toOpaque() == b.ref.toOpaque() }
}
