// Latin-1 (cp1252 and ISO-8859-1) and the server's legacy charset tables to UTF-8, without iconv.
import CTextSIMD

extension TextEncoding {
  /// UTF-8 of the bytes 0x80...0xFF in MySQL's latin1 (cp1252: 0x80...0x9F are the Windows
  /// characters, the 5 bytes it leaves undefined the C1 controls): the bytes in the low lanes,
  /// the length in the top byte.
  @usableFromInline static let cp1252UTF8: [UInt32] = latin1Table(cp1252: true)
  /// The same for ISO-8859-1 (every byte its own code point; Java's `ISO_8859_1`).
  @usableFromInline static let iso8859UTF8: [UInt32] = latin1Table(cp1252: false)

  /// `cp1252UTF8` and `iso8859UTF8` as four 128-byte tables (first, second, third UTF-8 byte,
  /// length): the lookup tables of the AVX-512 kernel (`sluice_latin1_utf8`).
  @usableFromInline static let cp1252Planes: [UInt8] = latin1Planes(cp1252UTF8)
  @usableFromInline static let iso8859Planes: [UInt8] = latin1Planes(iso8859UTF8)

  static func latin1Planes(_ high: [UInt32]) -> [UInt8] {
    var planes = [UInt8](repeating: 0, count: 512)
    for (c, u) in high.enumerated() {
      for k in 0..<4 { planes[128 &* k &+ c] = UInt8(truncatingIfNeeded: u >> (8 &* UInt32(k))) }
    }
    return planes
  }

  static func latin1Table(cp1252: Bool) -> [UInt32] {
    // The code points are those of the one-row table below (one list of cp1252's characters).
    let rows = latin1Rows(cp1252: cp1252)
    return (0x80...0xFF).map { (b: Int) -> UInt32 in
      let u = UInt32(rows[b])
      if u < 0x800 {
        return 2 << 24 | (0x80 | (u & 0x3F)) << 8 | (0xC0 | (u >> 6))
      }
      return 3 << 24 | (0x80 | (u & 0x3F)) << 16 | (0x80 | ((u >> 6) & 0x3F)) << 8 | (0xE0 | (u >> 12))
    }
  }

  /// How ASCII bytes are written inside a quoted literal.
  public enum Escaping: Sendable {
    case none
    /// As inside a JSON string (`writeEscapedASCII`).
    case json
    /// As inside a MySQL string literal (`writeSQLEscapedASCII`).
    case sql

    @usableFromInline var mode: Int32 {
      switch self {
      case .none: return 0
      case .json: return 1
      case .sql: return 2
      }
    }
  }

  /// Appends Latin-1 bytes as UTF-8: MySQL's latin1 (cp1252) when `cp1252`, else ISO-8859-1.
  /// `escaping` escapes the text as inside a JSON or SQL string. Eight bytes at a time with SSSE3
  /// shuffles where the CPU has AVX2, 16 at a time with AVX-512 (`CTextSIMD`), unless `scalar`
  /// (tests).
  @inlinable public static func appendLatin1AsUTF8<O: ByteAppender>(
    _ b: UnsafeRawBufferPointer, cp1252: Bool, escaping: Escaping = .none, scalar: Bool = false, into out: inout O
  ) {
    guard let p = b.baseAddress else { return }
    let n = b.count
    (cp1252 ? cp1252UTF8 : iso8859UTF8).withUnsafeBufferPointer { t in
      (cp1252 ? cp1252Planes : iso8859Planes).withUnsafeBufferPointer { planes in
        var i = 0
        while i < n {
          let end = Swift.min(n, i &+ chunk)
          out.write(upTo: (end &- i) &* 6 &+ 64) { d in
            let w = latin1Chunk(
              p + i, count: end &- i, high: t.baseAddress!, planes: planes.baseAddress!, cp1252: cp1252,
              escaping: escaping, scalar: scalar, into: d)
            i = end
            return w
          }
        }
      }
    }
  }

  /// `CTextSIMD`'s Latin-1 to UTF-8 of `p[0..<count]`: the bytes written.
  @usableFromInline static func latin1Chunk(
    _ p: UnsafeRawPointer, count: Int, high: UnsafePointer<UInt32>, planes: UnsafePointer<UInt8>, cp1252: Bool,
    escaping: Escaping, scalar: Bool, into d: UnsafeMutableRawPointer
  ) -> Int {
    sluice_latin1_utf8(
      p.assumingMemoryBound(to: UInt8.self), count, high, planes, cp1252 ? 1 : 0, escaping.mode, scalar ? 1 : 0,
      d.assumingMemoryBound(to: UInt8.self))
  }

  /// MySQL's latin1 (cp1252: 0x80...0x9F are the Windows characters, the 5 bytes it leaves
  /// undefined the C1 controls) as a one-row conversion table (`CharsetTable`'s layout).
  @usableFromInline static let cp1252Rows: [UInt16] = latin1Rows(cp1252: true)
  /// The same for ISO-8859-1 (every byte its own code point; Java's `ISO_8859_1`).
  @usableFromInline static let iso8859Rows: [UInt16] = latin1Rows(cp1252: false)

  static func latin1Rows(cp1252: Bool) -> [UInt16] {
    let high: [UInt16] = [
      0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
      0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
      0x0153, 0x9D, 0x017E, 0x0178,
    ]
    return (0...0xFF).map { (b: Int) -> UInt16 in cp1252 && b >= 0x80 && b < 0xA0 ? high[b - 0x80] : UInt16(b) }
  }

  /// `CTextSIMD`'s table transcoding of the characters starting in `p[from..<to]` (`n` bytes in
  /// all): where it stopped (-1 at bytes without a character) and the bytes written.
  @usableFromInline static func tableTranscode(
    _ p: UnsafeRawPointer, from: Int, to end: Int, _ n: Int, rows: UnsafePointer<UInt16>, escaping: Escaping,
    asciiIdentity: Bool, scalar: Bool, into d: UnsafeMutableRawPointer
  ) -> (next: Int, written: Int) {
    var next = 0
    let flags = (asciiIdentity ? SLUICE_TABLE_ASCII : 0) | (scalar ? SLUICE_TABLE_SCALAR : 0)
    let w = sluice_table_transcode(
      p.assumingMemoryBound(to: UInt8.self), from, end, n, rows, escaping.mode, flags,
      d.assumingMemoryBound(to: UInt8.self), &next)
    return (next, w)
  }

  /// Appends the text of `b` in a charset given by its conversion table (`CharsetTable`'s rows;
  /// `asciiIdentity` when its bytes below 0x80 are themselves) as UTF-8, escaped as `escaping`
  /// says; false, appending nothing, at the first byte sequence the table has no character for.
  /// ASCII runs go 32 bytes at a time (AVX2) unless `scalar` (tests).
  @inlinable public static func appendTranscoded<O: ByteAppender>(
    _ b: UnsafeRawBufferPointer, rows: UnsafePointer<UInt16>, asciiIdentity: Bool, escaping: Escaping,
    scalar: Bool = false, into out: inout O
  ) -> Bool {
    guard let p = b.baseAddress else { return true }
    // A character starting before a chunk's end may run 3 bytes past it; 32-byte stores need slack.
    return appendChunks(of: b.count, slack: 32, removingFrom: out.count, into: &out) { from, end, d in
      tableTranscode(
        p, from: from, to: end, b.count, rows: rows, escaping: escaping, asciiIdentity: asciiIdentity, scalar: scalar,
        into: d)
    }
  }
}
