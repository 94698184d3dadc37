import BinlogFormat

/// Character sets and collations by name and id: enough to resolve a column's byte length
/// (mbmaxlen) and to fill the collation id a Table_map would carry with FULL metadata.
public enum Collations {
  /// Bytes per character at most (mbmaxlen), by charset name.
  public static func maxBytesPerChar(_ charset: String) -> Int? {
    switch normalizeCharset(charset) {
    case "utf8mb4", "utf16", "utf16le", "utf32", "gb18030": return 4
    case "utf8mb3", "ujis", "eucjpms": return 3
    case "ucs2", "big5", "sjis", "euckr", "gb2312", "gbk", "cp932": return 2
    case "latin1", "latin2", "latin5", "latin7", "ascii", "binary", "dec8", "cp850", "hp8", "koi8r", "koi8u", "swe7",
      "hebrew", "tis620", "greek", "cp1250", "cp1251", "cp1256", "cp1257", "armscii8", "cp866", "keybcs2", "macce",
      "macroman", "cp852", "geostd8", "filename":
      return 1
    default: return nil
    }
  }

  /// `utf8` means utf8mb3 on every server this reads; names compare lower-case.
  public static func normalizeCharset(_ name: String) -> String {
    let l = name.lowercased()
    return l == "utf8" ? "utf8mb3" : l
  }

  /// Normalizes `utf8_*` collation names to `utf8mb3_*`.
  public static func normalizeCollation(_ name: String) -> String {
    let l = name.lowercased()
    if l.hasPrefix("utf8_") { return "utf8mb3_" + l.dropFirst(5) }
    return l
  }

  /// The charset a collation belongs to (`utf8mb4_0900_ai_ci` → utf8mb4, `binary` → binary).
  public static func charset(ofCollation name: String) -> String {
    let l = normalizeCollation(name)
    if l == "binary" { return "binary" }
    guard let u = l.firstIndex(of: "_") else { return l }
    return String(l[..<u])
  }

  /// The server's default collation for a charset.
  public static func defaultCollation(ofCharset charset: String, flavor: FormatDescription.Flavor, mysql8: Bool) -> String {
    let cs = normalizeCharset(charset)
    switch cs {
    case "utf8mb4": return flavor == .mysql && mysql8 ? "utf8mb4_0900_ai_ci" : "utf8mb4_general_ci"
    case "binary": return "binary"
    case "latin1", "dec8", "swe7": return cs + "_swedish_ci"
    case "big5", "gb2312", "gbk", "gb18030": return cs + "_chinese_ci"
    case "ujis", "sjis", "cp932", "eucjpms": return cs + "_japanese_ci"
    case "euckr": return "euckr_korean_ci"
    case "latin5": return "latin5_turkish_ci"
    case "tis620": return "tis620_thai_ci"
    default: return cs + "_general_ci"
    }
  }

  /// Collation id of a collation name, when known.
  public static func id(ofCollation name: String) -> UInt32? {
    byName[normalizeCollation(name)]
  }

  /// Collation name of an id, when known.
  public static func name(ofCollationID id: UInt32) -> String? {
    byID[id]
  }

  /// Charset name of a collation id.
  public static func charset(ofCollationID id: UInt32) -> String? {
    if let n = byID[id] { return charset(ofCollation: n) }
    let c = Charset(collation: id)
    if case .other = c { return nil }
    return c.name
  }

  static let table: [(UInt32, String)] = [
    (1, "big5_chinese_ci"), (2, "latin2_czech_cs"), (3, "dec8_swedish_ci"), (4, "cp850_general_ci"),
    (5, "latin1_german1_ci"), (6, "hp8_english_ci"), (7, "koi8r_general_ci"), (8, "latin1_swedish_ci"),
    (9, "latin2_general_ci"), (10, "swe7_swedish_ci"), (11, "ascii_general_ci"), (12, "ujis_japanese_ci"),
    (13, "sjis_japanese_ci"), (14, "cp1251_bulgarian_ci"), (15, "latin1_danish_ci"), (16, "hebrew_general_ci"),
    (18, "tis620_thai_ci"), (19, "euckr_korean_ci"), (20, "latin7_estonian_cs"), (21, "latin2_hungarian_ci"),
    (22, "koi8u_general_ci"), (23, "cp1251_ukrainian_ci"), (24, "gb2312_chinese_ci"), (25, "greek_general_ci"),
    (26, "cp1250_general_ci"), (27, "latin2_croatian_ci"), (28, "gbk_chinese_ci"), (29, "cp1257_lithuanian_ci"),
    (30, "latin5_turkish_ci"), (31, "latin1_german2_ci"), (32, "armscii8_general_ci"), (33, "utf8mb3_general_ci"),
    (34, "cp1250_czech_cs"), (35, "ucs2_general_ci"), (36, "cp866_general_ci"), (37, "keybcs2_general_ci"),
    (38, "macce_general_ci"), (39, "macroman_general_ci"), (40, "cp852_general_ci"), (41, "latin7_general_ci"),
    (42, "latin7_general_cs"), (43, "macce_bin"), (44, "cp1250_croatian_ci"), (45, "utf8mb4_general_ci"),
    (46, "utf8mb4_bin"), (47, "latin1_bin"), (48, "latin1_general_ci"), (49, "latin1_general_cs"),
    (50, "cp1251_bin"), (51, "cp1251_general_ci"), (52, "cp1251_general_cs"), (53, "macroman_bin"),
    (54, "utf16_general_ci"), (55, "utf16_bin"), (56, "utf16le_general_ci"), (57, "cp1256_general_ci"),
    (58, "cp1257_bin"), (59, "cp1257_general_ci"), (60, "utf32_general_ci"), (61, "utf32_bin"),
    (62, "utf16le_bin"), (63, "binary"), (64, "armscii8_bin"), (65, "ascii_bin"), (66, "cp1250_bin"),
    (67, "cp1256_bin"), (68, "cp866_bin"), (69, "dec8_bin"), (70, "greek_bin"), (71, "hebrew_bin"),
    (72, "hp8_bin"), (73, "keybcs2_bin"), (74, "koi8r_bin"), (75, "koi8u_bin"), (76, "utf8mb3_tolower_ci"),
    (77, "latin2_bin"), (78, "latin5_bin"), (79, "latin7_bin"), (80, "cp850_bin"), (81, "cp852_bin"),
    (82, "swe7_bin"), (83, "utf8mb3_bin"), (84, "big5_bin"), (85, "euckr_bin"), (86, "gb2312_bin"),
    (87, "gbk_bin"), (88, "sjis_bin"), (89, "tis620_bin"), (90, "ucs2_bin"), (91, "ujis_bin"),
    (92, "geostd8_general_ci"), (93, "geostd8_bin"), (94, "latin1_spanish_ci"), (95, "cp932_japanese_ci"),
    (96, "cp932_bin"), (97, "eucjpms_japanese_ci"), (98, "eucjpms_bin"), (99, "cp1250_polish_ci"),
    (101, "utf16_unicode_ci"), (128, "ucs2_unicode_ci"), (159, "ucs2_general_mysql500_ci"),
    (160, "utf32_unicode_ci"), (192, "utf8mb3_unicode_ci"), (223, "utf8mb3_general_mysql500_ci"),
    (224, "utf8mb4_unicode_ci"), (246, "utf8mb4_unicode_520_ci"), (214, "utf8mb3_unicode_520_ci"),
    (248, "gb18030_chinese_ci"), (249, "gb18030_bin"), (250, "gb18030_unicode_520_ci"),
    (255, "utf8mb4_0900_ai_ci"), (278, "utf8mb4_0900_as_cs"), (305, "utf8mb4_0900_as_ci"), (309, "utf8mb4_0900_bin"),
    (1057, "utf8mb3_general_nopad_ci"), (1069, "utf8mb4_general_nopad_ci"), (1070, "utf8mb4_nopad_bin"),
    (1107, "utf8mb3_nopad_bin"), (1071, "latin1_nopad_bin"), (1032, "latin1_swedish_nopad_ci"),
    (2304, "utf8mb4_uca1400_ai_ci"), (2305, "utf8mb4_uca1400_ai_cs"), (2306, "utf8mb4_uca1400_as_ci"),
    (2307, "utf8mb4_uca1400_as_cs"),
  ]
  static let byName: [String: UInt32] = {
    var d: [String: UInt32] = [:]
    for (id, n) in table { d[n] = id }
    return d
  }()
  static let byID: [UInt32: String] = {
    var d: [UInt32: String] = [:]
    for (id, n) in table { d[id] = n }
    return d
  }()
}
