import BinlogFormat

/// What Canal's table-meta cache would know about one column (canal-protocol.md §2.7), derived
/// from the binlog alone: the Table_map column type and metadata plus the optional metadata of
/// `binlog_row_metadata=FULL` (names, primary key, signedness, charsets, ENUM/SET labels).
///
/// Canal itself asks the live server (`SHOW CREATE TABLE`); an offline converter cannot, so:
///
/// * `name`: the column name from the binlog, or `@1`…`@N` (mysqlbinlog's convention, as
///   Sluice's NDJSON uses) when the binlog has no names; `CanalTableMeta.hasColumnNames` says
///   which, and the mapper warns once per table.
/// * `isKey`: the binlog's primary key (SIMPLE_PRIMARY_KEY / PRIMARY_KEY_WITH_PREFIX); false
///   for every column without FULL metadata.
/// * `mysqlType`: `SHOW CREATE TABLE`'s type text rebuilt from what the binlog says, see
///   `CanalColumnType`.
public struct CanalColumnMeta: Sendable, Equatable {
  public var name: String
  public var isKey: Bool
  public var mysqlType: String
  /// Canal's "binary" test: the type text contains "binary" (BINARY/VARBINARY).
  public var isBinary: Bool
  /// Canal's CLOB test: the type text is exactly tinytext/text/mediumtext/longtext.
  public var isText: Bool
  /// The java.sql.Types number Canal reports for a NULL value of this column.
  public var nullSQLType: Int32

  public init(name: String, isKey: Bool, mysqlType: String, isBinary: Bool, isText: Bool, nullSQLType: Int32) {
    self.name = name
    self.isKey = isKey
    self.mysqlType = mysqlType
    self.isBinary = isBinary
    self.isText = isText
    self.nullSQLType = nullSQLType
  }

  /// A column described by its name, key flag and `SHOW CREATE TABLE` type text; the binary/TEXT
  /// tests and the NULL sqlType follow from the type text and the binlog column, as in Canal.
  public init(name: String, isKey: Bool, mysqlType: String, column: ColumnInfo) {
    let lower = mysqlType.lowercased()
    let isBinary = lower.contains("binary")
    let isText = ["tinytext", "text", "mediumtext", "longtext"].contains(lower)
    self.init(
      name: name, isKey: isKey, mysqlType: mysqlType, isBinary: isBinary, isText: isText,
      nullSQLType: CanalSQLType.forNull(column, isBinary: isBinary, isText: isText))
  }
}

/// The per-column Canal metadata of one table map.
public struct CanalTableMeta: Sendable {
  public var database: String
  public var table: String
  public var columns: [CanalColumnMeta]
  /// False when the binlog had no column names (positional `@N` names were used).
  public var hasColumnNames: Bool

  public init(database: String, table: String, columns: [CanalColumnMeta], hasColumnNames: Bool = true) {
    self.database = database
    self.table = table
    self.columns = columns
    self.hasColumnNames = hasColumnNames
  }

  /// The metadata the binlog itself gives for `map` (see `CanalColumnMeta`).
  public init(_ map: TableMapEvent, serverVersion: String, integerDisplayWidths: Bool? = nil) {
    database = map.database
    table = map.table
    hasColumnNames = map.hasColumnNames
    let widths = integerDisplayWidths ?? CanalColumnType.printsIntegerDisplayWidths(serverVersion: serverVersion)
    let yearWidth = CanalColumnType.printsYearWidth(serverVersion: serverVersion)
    columns = map.columns.enumerated().map { i, col in
      CanalColumnMeta(
        name: col.name ?? "@\(i + 1)", isKey: col.isPrimaryKey,
        mysqlType: CanalColumnType.text(col, integerDisplayWidths: widths, yearWidth: yearWidth), column: col)
    }
  }
}

/// `java.sql.Types` numbers Canal uses (canal-protocol.md §2.6).
public enum CanalSQLType {
  public static let bit: Int32 = -7
  public static let tinyint: Int32 = -6
  public static let bigint: Int32 = -5
  public static let binary: Int32 = -2
  public static let char: Int32 = 1
  public static let decimal: Int32 = 3
  public static let integer: Int32 = 4
  public static let smallint: Int32 = 5
  public static let real: Int32 = 7
  public static let double: Int32 = 8
  public static let varchar: Int32 = 12
  public static let date: Int32 = 91
  public static let time: Int32 = 92
  public static let timestamp: Int32 = 93
  public static let other: Int32 = 1111
  public static let blob: Int32 = 2004
  public static let clob: Int32 = 2005

  /// The sqlType of a NULL value: Canal's type mapping with no value-dependent bump; SET, BLOB,
  /// BINARY, VARBINARY and GEOMETRY become BLOB (TEXT columns CLOB); JSON is OTHER.
  static func forNull(_ col: ColumnInfo, isBinary: Bool, isText: Bool) -> Int32 {
    switch col.type {
    case .tiny: return tinyint
    case .short: return smallint
    case .int24, .long, .enumType: return integer
    case .longlong: return bigint
    case .newdecimal, .decimal: return decimal
    case .float: return real
    case .double: return double
    case .bit: return bit
    case .timestamp, .timestamp2, .datetime, .datetime2: return timestamp
    case .time, .time2: return time
    case .date, .newdate: return date
    case .year: return varchar
    case .setType, .geometry: return blob
    case .blob, .tinyBlob, .mediumBlob, .longBlob: return isText ? clob : blob
    case .varchar, .varString: return isBinary ? blob : varchar
    case .string: return isBinary ? blob : char
    default: return other  // JSON, VECTOR and anything Canal does not map
    }
  }
}

/// The column type text Canal reads from `SHOW CREATE TABLE` (`FieldMeta.columnType`), rebuilt
/// from the binlog: type name, `(args)` without spaces, ` unsigned`. What the binlog cannot say
/// (documented gaps): custom integer display widths and ZEROFILL (`int(8) unsigned zerofill`
/// prints as `int(10) unsigned`), `tinyint(1)` for BOOL, `float(7,3)`/`double(10,2)` precision,
/// MariaDB's INET4/INET6/UUID (they look like `binary(4)`/`binary(16)`), MariaDB JSON (it is
/// `longtext` in the binlog, as it is to Canal), and lengths of CHAR/VARCHAR columns whose
/// charset the binlog does not give (printed in bytes).
public enum CanalColumnType {
  /// MySQL 8.0.19+ dropped integer display widths from SHOW CREATE TABLE; MariaDB and older
  /// MySQL print them.
  public static func printsIntegerDisplayWidths(serverVersion: String) -> Bool {
    if serverVersion.contains("MariaDB") { return true }
    guard let v = version(serverVersion) else { return true }
    return v < (8, 0, 19)
  }

  /// YEAR prints as `year(4)` on MariaDB and MySQL before 8.0.19, `year` after.
  public static func printsYearWidth(serverVersion: String) -> Bool {
    printsIntegerDisplayWidths(serverVersion: serverVersion)
  }

  static func version(_ s: String) -> (Int, Int, Int)? {
    let parts = s.split(whereSeparator: { !$0.isNumber }).prefix(3).compactMap { Int($0) }
    guard parts.count == 3 else { return nil }
    return (parts[0], parts[1], parts[2])
  }

  /// The type text for one column.
  public static func text(_ col: ColumnInfo, integerDisplayWidths: Bool, yearWidth: Bool) -> String {
    let unsigned = col.unsigned ?? false
    func integer(_ name: String, signedWidth: Int, unsignedWidth: Int) -> String {
      var s = name
      if integerDisplayWidths { s += "(\(unsigned ? unsignedWidth : signedWidth))" }
      if unsigned { s += " unsigned" }
      return s
    }
    func fsp(_ name: String) -> String {
      let n = col.type == .time2 || col.type == .datetime2 || col.type == .timestamp2 || col.mariaHires ? col.fsp : 0
      return n > 0 ? "\(name)(\(n))" : name
    }
    switch col.type {
    case .tiny: return integer("tinyint", signedWidth: 4, unsignedWidth: 3)
    case .short: return integer("smallint", signedWidth: 6, unsignedWidth: 5)
    case .int24: return integer("mediumint", signedWidth: 9, unsignedWidth: 8)
    case .long: return integer("int", signedWidth: 11, unsignedWidth: 10)
    case .longlong: return integer("bigint", signedWidth: 20, unsignedWidth: 20)
    case .newdecimal, .decimal: return "decimal(\(col.precision),\(col.scale))" + (unsigned ? " unsigned" : "")
    case .float: return "float" + (unsigned ? " unsigned" : "")
    case .double: return "double" + (unsigned ? " unsigned" : "")
    case .bit: return "bit(\(col.bitWidth))"
    case .date, .newdate: return "date"
    case .time, .time2: return fsp("time")
    case .datetime, .datetime2: return fsp("datetime")
    case .timestamp, .timestamp2: return fsp("timestamp")
    case .year: return yearWidth ? "year(4)" : "year"
    case .varchar, .varString:
      if col.collation == 63 { return "varbinary(\(col.maxLength))" }
      return "varchar(\(characters(col)))"
    case .string:
      if col.collation == 63 { return "binary(\(col.maxLength))" }
      return "char(\(characters(col)))"
    case .blob, .tinyBlob, .mediumBlob, .longBlob:
      let size = ["tiny", "", "medium", "long"][max(0, min(3, Int(col.meta) - 1))]
      return size + (col.collation == 63 ? "blob" : "text")
    case .enumType: return labelled("enum", col.enumValues)
    case .setType: return labelled("set", col.setValues)
    case .json: return "json"
    case .geometry:
      let names = [
        "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
        "geometrycollection",
      ]
      if let g = col.geometryType, g < names.count { return names[Int(g)] }
      return "geometry"
    case .vector:
      if let d = col.vectorDimensions { return "vector(\(d))" }
      return "vector"
    default:
      return col.type.name.lowercased()
    }
  }

  /// `enum('a','b')`: labels as SQL string literals (a quote doubled), or the bare name when the
  /// binlog has no labels.
  static func labelled(_ name: String, _ labels: [String]?) -> String {
    guard let labels else { return name }
    let quoted = labels.map { label in
      "'" + label.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
    }
    return name + "(" + quoted.joined(separator: ",") + ")"
  }

  /// Declared length of a CHAR/VARCHAR column in characters: the binlog gives bytes (length ×
  /// the charset's maximum bytes per character).
  static func characters(_ col: ColumnInfo) -> Int {
    guard let c = col.collation else { return col.maxLength }
    let m = maxBytesPerCharacter(Charset(collation: c))
    return m > 1 ? col.maxLength / m : col.maxLength
  }

  static func maxBytesPerCharacter(_ charset: Charset) -> Int {
    switch charset {
    case .utf8mb4, .utf16, .utf16le, .utf32: return 4
    case .utf8mb3: return 3
    case .ucs2: return 2
    case .latin1, .ascii, .binary: return 1
    case .legacy(let t): return t.table.maxBytesPerCharacter
    case .other:
      return charset.name == "GB18030" ? 4 : 1
    }
  }
}
