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
  @usableFromInline let rows: [UInt16]
  /// A copy of `rows` the transcoder reads: an array read through `withUnsafeBufferPointer` is a
  /// retain and release of its storage per call, which every thread makes on the same object.
  @usableFromInline nonisolated(unsafe) let rowsBase: UnsafePointer<UInt16>
  /// Row 0 maps every byte below 0x80 to itself (not so for swe7, for one).
  @usableFromInline let asciiIdentity: Bool

  init(name: String, maxBytesPerCharacter: Int, rows: [UInt16]) {
    self.name = name
    self.maxBytesPerCharacter = maxBytesPerCharacter
    self.rows = rows
    let base = UnsafeMutablePointer<UInt16>.allocate(capacity: Swift.max(1, rows.count))
    rows.withUnsafeBufferPointer { if let b = $0.baseAddress { base.initialize(from: b, count: rows.count) } }
    rowsBase = UnsafePointer(base)
    asciiIdentity = rows.count >= 256 && (0..<128).allSatisfy { rows[$0] == UInt16($0) }
  }

  deinit { UnsafeMutablePointer(mutating: rowsBase).deallocate() }

  public static func == (a: CharsetTable, b: CharsetTable) -> Bool { a === b }

  /// The table of a collation id (MariaDB and MySQL number the legacy charsets' collations alike;
  /// MariaDB NO PAD ones are id + 1024), nil for Unicode, binary and unknown ids.
  public static func forCollation(_ id: UInt32) -> CharsetTable? {
    unmanaged(forCollation: id)?.takeUnretainedValue()
  }

  /// The same, without a reference count: `Charset(collation:)` runs for every text value, on
  /// every thread, and a count kept on one shared table moves its cache line between the cores
  /// (retains and releases of the tables were ~4% of a two-thread NDJSON export of the wide
  /// benchmark file). The tables are made once and never freed.
  static func unmanaged(forCollation id: UInt32) -> Unmanaged<CharsetTable>? {
    // An array, not a dictionary.
    guard id < UInt32(byCollation.count) else { return nil }
    switch byCollation[Int(id)] {
    case .none: return nil
    case .table(let x): return x
    case .multiByte(let k): return multiByteUnmanaged(k)
    }
  }

  /// The table of a charset name, nil when the server has none (Unicode charsets, binary, gb18030).
  public static func named(_ name: String) -> CharsetTable? {
    if let k = multiByteNames.firstIndex(of: name) { return multiByte(k) }
    return byName[name]
  }

  /// The multi-byte charsets: 97% of the tables' data (~280 KB of base64 to inflate into ~440 KB
  /// of rows, about 3 ms), so each is inflated on first use, not at the first legacy value or name
  /// lookup of every run (a query or report over a file with one latin2 column paid for all).
  static let multiByteNames = ["big5", "cp932", "eucjpms", "euckr", "gb2312", "gbk", "sjis", "ujis"]
  private static let big5 = make("big5")
  private static let cp932 = make("cp932")
  private static let eucjpms = make("eucjpms")
  private static let euckr = make("euckr")
  private static let gb2312 = make("gb2312")
  private static let gbk = make("gbk")
  private static let sjis = make("sjis")
  private static let ujis = make("ujis")
  private static let big5U = big5.map(Unmanaged.passUnretained)
  private static let cp932U = cp932.map(Unmanaged.passUnretained)
  private static let eucjpmsU = eucjpms.map(Unmanaged.passUnretained)
  private static let euckrU = euckr.map(Unmanaged.passUnretained)
  private static let gb2312U = gb2312.map(Unmanaged.passUnretained)
  private static let gbkU = gbk.map(Unmanaged.passUnretained)
  private static let sjisU = sjis.map(Unmanaged.passUnretained)
  private static let ujisU = ujis.map(Unmanaged.passUnretained)

  /// `multiByte(k)` without a reference count (see `unmanaged(forCollation:)`).
  private static func multiByteUnmanaged(_ k: Int) -> Unmanaged<CharsetTable>? {
    switch k {
    case 0: return big5U
    case 1: return cp932U
    case 2: return eucjpmsU
    case 3: return euckrU
    case 4: return gb2312U
    case 5: return gbkU
    case 6: return sjisU
    default: return ujisU
    }
  }

  /// `multiByteNames[k]`'s table (each a lazily made global: made once, safely across threads).
  private static func multiByte(_ k: Int) -> CharsetTable? {
    switch k {
    case 0: return big5
    case 1: return cp932
    case 2: return eucjpms
    case 3: return euckr
    case 4: return gb2312
    case 5: return gbk
    case 6: return sjis
    default: return ujis
    }
  }

  private static func make(_ name: String) -> CharsetTable? {
    guard let t = CharsetTableData.tables[name], let rows = inflate(t.data, bytes: t.bytes) else { return nil }
    return CharsetTable(name: name, maxBytesPerCharacter: t.maxlen, rows: rows)
  }

  /// The single-byte tables (512 bytes of rows each), made together.
  static let byName: [String: CharsetTable] = {
    var d: [String: CharsetTable] = [:]
    for (name, _) in CharsetTableData.tables where !multiByteNames.contains(name) {
      if let t = make(name) { d[name] = t }
    }
    return d
  }()

  enum Slot {
    case none
    case table(Unmanaged<CharsetTable>)
    case multiByte(Int)
  }

  static let byCollation: [Slot] = {
    let ids = CharsetTableData.collations
    var a = [Slot](repeating: .none, count: Int(ids.map(\.0).max() ?? 0) + 1)
    for (id, name) in ids {
      if let k = multiByteNames.firstIndex(of: name) {
        a[Int(id)] = .multiByte(k)
      } else if let t = byName[name] {
        a[Int(id)] = .table(.passUnretained(t))
      }
    }
    return a
  }()

  /// Appends the UTF-8 form of `bytes`; false (appending nothing) at the first byte sequence the
  /// server's table has no character for (the server would print `?` there).
  public func appendUTF8(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
    appendUTF8(bytes, escaping: .none, into: &out)
  }

  /// The same, escaped as inside a JSON string or a SQL literal when `escaping` says so: the
  /// ASCII runs of an ASCII-compatible charset are copied (escaped) 32 bytes at a time.
  @inlinable public func appendUTF8<O: ByteAppender>(
    _ bytes: UnsafeRawBufferPointer, escaping: TextEncoding.Escaping, into out: inout O
  ) -> Bool {
    TextEncoding.appendTranscoded(bytes, rows: rowsBase, asciiIdentity: asciiIdentity, escaping: escaping, into: &out)
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
