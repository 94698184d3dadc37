import CZlib

/// A legacy charset (sjis, gbk, big5, cp1250, koi8r, ...) decoded with the server's own conversion
/// table: the tables in `CharsetTableData.swift` were generated from a live MariaDB by
/// `scripts/generate-charset-tables.sh` (`CONVERT(code USING utf8mb4)` for every code), so a value
/// reads as the server's `SELECT CONVERT(col USING utf8mb4)` returns it, where iconv's tables differ
/// (sjis 0x815F is U+005C for the server, U+FF3C for iconv).
public final class CharsetTable: Sendable, Equatable {
  /// The server's charset name (`sjis`, `cp1250`).
  public let name: String
  /// Bytes per character at most (the server's Maxlen).
  public let maxBytesPerCharacter: Int
  /// Rows of 256 entries: 0xFFFF not a character, 0xD800 + k a lead byte (next byte in row k),
  /// else the BMP scalar. Row 0 is the first byte of a character.
  let rows: [UInt16]

  init(name: String, maxBytesPerCharacter: Int, rows: [UInt16]) {
    self.name = name
    self.maxBytesPerCharacter = maxBytesPerCharacter
    self.rows = rows
  }

  public static func == (a: CharsetTable, b: CharsetTable) -> Bool { a === b }

  /// The table of a collation id (MariaDB and MySQL number the legacy charsets' collations alike;
  /// MariaDB NO PAD ones are id + 1024), nil for Unicode, binary and unknown ids.
  public static func forCollation(_ id: UInt32) -> CharsetTable? {
    byCollation[id]
  }

  /// The table of a charset name, nil when the server has none (Unicode charsets, binary, gb18030).
  public static func named(_ name: String) -> CharsetTable? {
    byName[name]
  }

  static let byName: [String: CharsetTable] = {
    var d: [String: CharsetTable] = [:]
    for (name, t) in CharsetTableData.tables {
      guard let rows = inflate(t.data, bytes: t.bytes) else { continue }
      d[name] = CharsetTable(name: name, maxBytesPerCharacter: t.maxlen, rows: rows)
    }
    return d
  }()

  static let byCollation: [UInt32: CharsetTable] = {
    var d: [UInt32: CharsetTable] = [:]
    for (id, name) in CharsetTableData.collations {
      if let t = byName[name] { d[id] = t }
    }
    return d
  }()

  /// Appends the UTF-8 form of `bytes`; false (appending nothing) at the first byte sequence the
  /// server's table has no character for (the server would print `?` there).
  public func appendUTF8(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
    let n = bytes.count
    guard n > 0 else { return true }
    let mark = out.count
    // Every table entry is a BMP scalar: at most 3 UTF-8 bytes per input byte. Written through
    // a pointer into that room, then trimmed (not appended byte by byte).
    out.append(contentsOf: repeatElement(0, count: 3 &* n))
    var end = mark
    let ok: Bool = rows.withUnsafeBufferPointer { t in
      out.withUnsafeMutableBufferPointer { o in
        let d = o.baseAddress!
        var w = mark
        var i = 0
        while i < n {
          var e = t[Int(bytes[i])]
          i &+= 1
          while e >= 0xD800 && e < 0xE000 {
            guard i < n else { return false }
            e = t[Int(e &- 0xD800) << 8 | Int(bytes[i])]
            i &+= 1
          }
          if e < 0x80 {
            d[w] = UInt8(truncatingIfNeeded: e)
            w &+= 1
          } else if e < 0x800 {
            d[w] = UInt8(truncatingIfNeeded: 0xC0 | (e >> 6))
            d[w &+ 1] = UInt8(truncatingIfNeeded: 0x80 | (e & 0x3F))
            w &+= 2
          } else {
            if e == 0xFFFF { return false }
            d[w] = UInt8(truncatingIfNeeded: 0xE0 | (e >> 12))
            d[w &+ 1] = UInt8(truncatingIfNeeded: 0x80 | ((e >> 6) & 0x3F))
            d[w &+ 2] = UInt8(truncatingIfNeeded: 0x80 | (e & 0x3F))
            w &+= 3
          }
        }
        end = w
        return true
      }
    }
    out.removeLast(out.count &- (ok ? end : mark))
    return ok
  }

  /// Base64 text → zlib stream → little-endian UInt16 rows; nil when the data is damaged.
  static func inflate(_ text: StaticString, bytes: Int) -> [UInt16]? {
    var packed: [UInt8] = []
    packed.reserveCapacity(text.utf8CodeUnitCount * 3 / 4)
    var acc: UInt32 = 0
    var bits = 0
    text.withUTF8Buffer { b in
      for c in b {
        let v: UInt32
        switch c {
        case 0x41...0x5A: v = UInt32(c - 0x41)
        case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
        case 0x30...0x39: v = UInt32(c - 0x30 + 52)
        case 0x2B: v = 62
        case 0x2F: v = 63
        default: continue
        }
        acc = acc << 6 | v
        bits += 6
        if bits >= 8 {
          bits -= 8
          packed.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
        }
      }
    }
    var raw = [UInt8](repeating: 0, count: bytes)
    var rawCount = uLongf(bytes)
    let rc = raw.withUnsafeMutableBufferPointer { dst in
      packed.withUnsafeBufferPointer { src in
        uncompress(dst.baseAddress, &rawCount, src.baseAddress, uLong(src.count))
      }
    }
    guard rc == Z_OK, Int(rawCount) == bytes, bytes % 512 == 0 else { return nil }
    var rows = [UInt16](repeating: 0, count: bytes / 2)
    for k in 0..<rows.count {
      rows[k] = UInt16(raw[2 * k]) | UInt16(raw[2 * k + 1]) << 8
    }
    return rows
  }
}
