import BinlogFormat

/// What a column of each SQL type looks like in a Table_map event, and whether a given Table_map
/// column can be that column.
public enum BinlogTypeMapping {
  /// The type code the column has in a Table_map (for STRING columns: the real type, as
  /// `ColumnInfo.type` gives it). Temporals give the MySQL 5.6+ codes (TIME2/DATETIME2/TIMESTAMP2).
  public static func expectedType(_ c: ColumnDefinition, flavor: FormatDescription.Flavor) -> ColumnType {
    switch c.dataType {
    case .tinyint: return .tiny
    case .smallint: return .short
    case .mediumint: return .int24
    case .int: return .long
    case .bigint: return .longlong
    case .decimal: return .newdecimal
    case .float: return .float
    case .double: return .double
    case .bit: return .bit
    case .date: return .date
    case .time: return .time2
    case .datetime: return .datetime2
    case .timestamp: return .timestamp2
    case .year: return .year
    case .char, .binary, .inet4, .inet6, .uuid: return .string
    case .varchar, .varbinary: return .varchar
    case .tinytext, .text, .mediumtext, .longtext, .tinyblob, .blob, .mediumblob, .longblob: return .blob
    case .enum: return .enumType
    case .set: return .setType
    case .json: return flavor == .mariadb ? .blob : .json
    case .geometry, .point, .linestring, .polygon, .multipoint, .multilinestring, .multipolygon, .geometrycollection:
      return .geometry
    case .vector: return .vector
    }
  }

  /// Bytes of a BLOB/TEXT column's length prefix (the Table_map metadata of BLOB columns).
  public static func blobPackLength(_ t: SQLDataType) -> Int? {
    switch t {
    case .tinytext, .tinyblob: return 1
    case .text, .blob: return 2
    case .mediumtext, .mediumblob: return 3
    case .longtext, .longblob, .json: return 4
    default: return nil
    }
  }

  /// Storage bytes of a SET with `n` members: 1, 2, 3, 4 or 8.
  public static func setPackLength(_ n: Int) -> Int {
    let len = (n + 7) / 8
    return len > 4 ? 8 : len
  }

  /// Bytes per character for a column's byte length: from the binlog's collation when it has one,
  /// else from the definition's charset.
  static func bytesPerChar(_ c: ColumnDefinition, _ info: ColumnInfo) -> Int? {
    if let id = info.collation, let cs = Collations.charset(ofCollationID: id) { return Collations.maxBytesPerChar(cs) }
    return c.charset.flatMap(Collations.maxBytesPerChar)
  }

  /// Why the Table_map column `info` cannot be the defined column `c`; nil when it can.
  public static func difference(_ c: ColumnDefinition, _ info: ColumnInfo, flavor: FormatDescription.Flavor) -> String? {
    if c.isHiddenForFunctionalIndex { return nil }
    let got = info.type
    func typeName(_ t: ColumnType) -> String { t.name }
    func wrongType() -> String { "binlog type \(describe(info))" }
    switch c.dataType {
    case .tinyint, .smallint, .mediumint, .int, .bigint:
      let want = expectedType(c, flavor: flavor)
      guard got == want else { return wrongType() }
      if let u = info.unsigned, u != c.unsigned { return "binlog says \(u ? "unsigned" : "signed")" }
      return nil
    case .decimal:
      if got == .decimal { return nil }  // pre-5.0 DECIMAL: no precision in the map
      guard got == .newdecimal else { return wrongType() }
      let p = c.precision ?? 10
      let s = c.scale ?? 0
      if info.precision != p || info.scale != s { return "binlog has DECIMAL(\(info.precision),\(info.scale))" }
      return nil
    case .float, .double:
      // REAL is FLOAT under REAL_AS_FLOAT; FLOAT(p) widths differ by server: accept either.
      return got == .float || got == .double ? nil : wrongType()
    case .bit:
      guard got == .bit else { return wrongType() }
      let n = c.length ?? 1
      return info.bitWidth == n ? nil : "binlog has BIT(\(info.bitWidth))"
    case .date:
      return got == .date || got == .newdate ? nil : wrongType()
    case .time, .datetime, .timestamp:
      let (new, old): (ColumnType, ColumnType) =
        c.dataType == .time ? (.time2, .time) : c.dataType == .datetime ? (.datetime2, .datetime) : (.timestamp2, .timestamp)
      if got == new { return info.fsp == c.fsp ? nil : "binlog has \(c.dataType.rawValue)(\(info.fsp))" }
      if got == old {
        if info.mariaHires { return Int(info.meta) == c.fsp ? nil : "binlog has \(c.dataType.rawValue)(\(info.meta))" }
        return nil
      }
      return wrongType()
    case .year:
      return got == .year ? nil : wrongType()
    case .char, .varchar:
      let want: ColumnType = c.dataType == .char ? .string : .varchar
      guard got == want || (want == .varchar && got == .varString) else { return wrongType() }
      return lengthDifference(c, info)
    case .binary, .varbinary:
      let want: ColumnType = c.dataType == .binary ? .string : .varchar
      guard got == want || (want == .varchar && got == .varString) else { return wrongType() }
      let n = c.length ?? 1
      return info.maxLength == n ? nil : "binlog has \(info.maxLength) bytes, \(c.dataType.rawValue)(\(n)) has \(n)"
    case .inet4, .inet6, .uuid:
      guard got == .string else { return wrongType() }
      let n = c.dataType == .inet4 ? 4 : 16
      return info.maxLength == n ? nil : "binlog has \(info.maxLength) bytes"
    case .tinytext, .text, .mediumtext, .longtext, .tinyblob, .blob, .mediumblob, .longblob:
      guard got == .blob || got == .tinyBlob || got == .mediumBlob || got == .longBlob else { return wrongType() }
      let want = blobPackLength(c.dataType)!
      return Int(info.meta) == want
        ? nil : "binlog has a \(info.meta)-byte length (\(blobName(Int(info.meta), text: c.dataType.isText)))"
    case .json:
      if got == .json { return nil }
      if got == .blob && Int(info.meta) == 4 { return nil }  // MariaDB: LONGTEXT
      return wrongType()
    case .enum:
      guard got == .enumType else { return wrongType() }
      let want = (c.values?.count ?? 0) > 255 ? 2 : 1
      if Int(info.meta) != want { return "binlog ENUM takes \(info.meta) bytes, \(c.values?.count ?? 0) labels take \(want)" }
      if let labels = info.enumValues, let mine = c.values, labels != mine { return "binlog has other ENUM labels" }
      return nil
    case .set:
      guard got == .setType else { return wrongType() }
      let want = setPackLength(c.values?.count ?? 0)
      if Int(info.meta) != want { return "binlog SET takes \(info.meta) bytes, \(c.values?.count ?? 0) members take \(want)" }
      if let labels = info.setValues, let mine = c.values, labels != mine { return "binlog has other SET members" }
      return nil
    case .geometry, .point, .linestring, .polygon, .multipoint, .multilinestring, .multipolygon, .geometrycollection:
      return got == .geometry ? nil : wrongType()
    case .vector:
      return got == .vector || got == .varchar || got == .string || got == .blob ? nil : wrongType()
    }
  }

  /// CHAR/VARCHAR byte length = characters × the charset's bytes per character.
  static func lengthDifference(_ c: ColumnDefinition, _ info: ColumnInfo) -> String? {
    let n = c.length ?? 1
    if let mb = bytesPerChar(c, info) {
      if info.maxLength == n * mb { return nil }
      // CHAR(n) in a multi-byte charset may be logged with its byte length capped (255 bytes
      // before MySQL 5.0.3 style); stay strict otherwise.
      return "binlog has \(info.maxLength) bytes, \(c.dataType.rawValue)(\(n)) in \(c.charset ?? "its charset") has \(n * mb)"
    }
    // Charset unknown: any 1–4 bytes per character.
    for mb in 1...4 where info.maxLength == n * mb { return nil }
    return "binlog has \(info.maxLength) bytes, more or less than \(c.dataType.rawValue)(\(n)) can hold"
  }

  static func blobName(_ pack: Int, text: Bool) -> String {
    let prefix = ["tiny", "", "medium", "long"]
    return (pack >= 1 && pack <= 4 ? prefix[pack - 1] : "?") + (text ? "text" : "blob")
  }

  /// `LONG`, `VARCHAR(80 bytes)`, `NEWDECIMAL(10,2)`...
  public static func describe(_ info: ColumnInfo) -> String {
    switch info.type {
    case .varchar, .varString, .string: return "\(info.type.name)(\(info.maxLength) bytes)"
    case .newdecimal: return "NEWDECIMAL(\(info.precision),\(info.scale))"
    case .bit: return "BIT(\(info.bitWidth))"
    case .blob, .tinyBlob, .mediumBlob, .longBlob: return "BLOB(\(info.meta)-byte length)"
    case .time2, .datetime2, .timestamp2: return "\(info.type.name)(\(info.fsp))"
    default: return info.type.name
    }
  }
}
