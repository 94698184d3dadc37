/// SQL column data types as MySQL/MariaDB store them (aliases already resolved: INTEGER → int,
/// BOOL → tinyint(1), REAL → double, NUMERIC → decimal, LONG VARCHAR → mediumtext...).
public enum SQLDataType: String, Sendable, Hashable, CaseIterable {
  case tinyint, smallint, mediumint, int, bigint
  case decimal, float, double
  case bit
  case date, time, datetime, timestamp, year
  case char, varchar, binary, varbinary
  case tinytext, text, mediumtext, longtext
  case tinyblob, blob, mediumblob, longblob
  case `enum`, set
  case json
  case geometry, point, linestring, polygon, multipoint, multilinestring, multipolygon, geometrycollection
  /// MariaDB 10.5+/10.10+ binary-string types.
  case inet4, inet6, uuid
  /// MySQL 9 / MariaDB 11.7 VECTOR(n).
  case vector

  public var isInteger: Bool {
    switch self {
    case .tinyint, .smallint, .mediumint, .int, .bigint: return true
    default: return false
    }
  }
  public var isNumeric: Bool { isInteger || self == .decimal || self == .float || self == .double }
  /// CHAR/VARCHAR/TEXT: types with a character set (BINARY/VARBINARY/BLOB are binary strings).
  public var isCharacter: Bool {
    switch self {
    case .char, .varchar, .tinytext, .text, .mediumtext, .longtext, .enum, .set: return true
    default: return false
    }
  }
  public var isText: Bool {
    switch self {
    case .tinytext, .text, .mediumtext, .longtext: return true
    default: return false
    }
  }
  public var isBlob: Bool {
    switch self {
    case .tinyblob, .blob, .mediumblob, .longblob: return true
    default: return false
    }
  }
  public var isSpatial: Bool {
    switch self {
    case .geometry, .point, .linestring, .polygon, .multipoint, .multilinestring, .multipolygon, .geometrycollection:
      return true
    default: return false
    }
  }
  public var isTemporalWithFraction: Bool { self == .time || self == .datetime || self == .timestamp }
}

/// One column of a table, as its CREATE TABLE (or an information_schema row) defines it.
public struct ColumnDefinition: Sendable, Equatable {
  public var name: String
  public var dataType: SQLDataType
  /// CHAR/VARCHAR/BINARY/VARBINARY length in characters/bytes, BIT width, TEXT(n)/BLOB(n) as
  /// written, integer display width as written, VECTOR dimensions. nil when not written.
  public var length: Int?
  /// DECIMAL/FLOAT/DOUBLE precision M (DECIMAL defaults to 10 when not written).
  public var precision: Int?
  /// DECIMAL/FLOAT/DOUBLE scale D.
  public var scale: Int?
  /// Fractional-second digits of TIME/DATETIME/TIMESTAMP (0 when not written).
  public var fsp: Int = 0
  public var unsigned = false
  public var zerofill = false
  /// Character set and collation: as written on the column, or resolved from the table's default
  /// when the table is created (nil for non-character types, or when nothing says).
  public var charset: String?
  public var collation: String?
  public var nullable = true
  /// The DEFAULT clause as SQL text (`'US'`, `NULL`, `CURRENT_TIMESTAMP(3)`, `(a + 1)`); nil: none.
  public var defaultValue: String?
  /// ON UPDATE clause as SQL text (`CURRENT_TIMESTAMP(3)`).
  public var onUpdate: String?
  public var autoIncrement = false
  /// Generated column expression and kind.
  public var generated: Generated?
  public var invisible = false
  public var comment: String?
  /// ENUM labels or SET members, in declaration order.
  public var values: [String]?
  /// SRID attribute of a spatial column (MySQL 8).
  public var srid: Int?
  /// True for MariaDB's JSON alias (stored as LONGTEXT).
  public var isMariaJSON = false
  /// MySQL 8.0.13+: the hidden generated column behind a functional key part
  /// (`!hidden!index!part!0`). Its type follows the expression, which is not modeled.
  public var isHiddenForFunctionalIndex = false

  public struct Generated: Sendable, Equatable {
    public var expression: String
    /// STORED (MySQL) / PERSISTENT (MariaDB); VIRTUAL otherwise.
    public var stored: Bool
    public init(expression: String, stored: Bool) {
      self.expression = expression
      self.stored = stored
    }
  }

  public init(name: String, dataType: SQLDataType) {
    self.name = name
    self.dataType = dataType
  }

  /// ENUM labels (nil for other types).
  public var enumValues: [String]? { dataType == .enum ? values : nil }
  /// SET members (nil for other types).
  public var setValues: [String]? { dataType == .set ? values : nil }
  /// True when the column's bytes are a binary string (BINARY, VARBINARY, BLOB, CHARACTER SET binary).
  public var isBinaryString: Bool {
    switch dataType {
    case .binary, .varbinary, .tinyblob, .blob, .mediumblob, .longblob, .inet4, .inet6, .uuid: return true
    default: return dataType.isCharacter && charset == "binary"
    }
  }

  /// The type as `SHOW CREATE TABLE` prints it in the given server's conventions (`int(11) unsigned`).
  public func columnType(_ style: TypeTextStyle) -> String { TypeText.columnType(self, style: style) }
}

/// An index or key over a table's columns.
public struct IndexDefinition: Sendable, Equatable {
  public enum Kind: String, Sendable {
    case primary, unique, index, fulltext, spatial, foreignKey
  }
  public struct Part: Sendable, Equatable {
    /// Column name (nil for a functional key part).
    public var column: String?
    /// Prefix length: `name(10)`.
    public var prefixLength: Int?
    public var descending = false
    /// Expression text of a functional key part `((expr))`.
    public var expression: String?
    public init(column: String?, prefixLength: Int? = nil, descending: Bool = false, expression: String? = nil) {
      self.column = column
      self.prefixLength = prefixLength
      self.descending = descending
      self.expression = expression
    }
  }
  public var kind: Kind
  /// Index name; the primary key's is always nil. Unnamed keys are named by the server after
  /// their first column (see `SchemaCatalog`).
  public var name: String?
  public var parts: [Part]
  /// FOREIGN KEY ... REFERENCES target, kept for printing.
  public var references: String?

  public init(kind: Kind, name: String?, parts: [Part], references: String? = nil) {
    self.kind = kind
    self.name = name
    self.parts = parts
    self.references = references
  }

  public var columnNames: [String] { parts.compactMap(\.column) }
}

/// A table's definition at one point in the binlog.
public struct TableSchema: Sendable, Equatable {
  public var database: String
  public var name: String
  public var columns: [ColumnDefinition]
  public var indexes: [IndexDefinition] = []
  public var engine: String?
  public var defaultCharset: String?
  public var defaultCollation: String?
  public var comment: String?
  /// True when a statement that touched this table could not be modeled: its columns may be wrong.
  public var uncertain = false
  public var uncertainReason: String?
  /// Monotonic version assigned by the timeline on every change (for caches).
  public var version = 0
  /// The style its type texts follow (from the server that wrote the binlog or dump).
  public var style: TypeTextStyle = .mysql57

  public init(database: String, name: String, columns: [ColumnDefinition]) {
    self.database = database
    self.name = name
    self.columns = columns
  }

  /// Column `i`'s type as this table's server prints it (`int(11) unsigned`).
  public func typeText(_ i: Int) -> String { columns[i].columnType(style) }

  /// Index of the column named `name` (column names compare case-insensitively, as in MySQL).
  public func columnIndex(_ name: String) -> Int? {
    if let i = columns.firstIndex(where: { $0.name == name }) { return i }
    let l = name.lowercased()
    return columns.firstIndex(where: { $0.name.lowercased() == l })
  }

  /// The declared PRIMARY KEY's column positions, in key order.
  public var declaredPrimaryKey: [Int] {
    guard let pk = indexes.first(where: { $0.kind == .primary }) else { return [] }
    return pk.parts.compactMap { $0.column.flatMap(columnIndex) }
  }

  /// The key the server treats as primary: the PRIMARY KEY, else the first UNIQUE key whose
  /// columns are all NOT NULL and not prefixes (MySQL and MariaDB both promote it; FULL metadata
  /// reports it as the primary key). Column positions in key order.
  public var primaryKey: [Int] {
    let declared = declaredPrimaryKey
    if !declared.isEmpty { return declared }
    for idx in indexes where idx.kind == .unique {
      var cols: [Int] = []
      var ok = !idx.parts.isEmpty
      for p in idx.parts {
        guard let name = p.column, let i = columnIndex(name), !columns[i].nullable else {
          ok = false
          break
        }
        if let prefix = p.prefixLength, !TableSchema.prefixCoversWholeColumn(prefix, columns[i]) {
          ok = false
          break
        }
        cols.append(i)
      }
      if ok { return cols }
    }
    return []
  }

  /// Primary-key column names in key order.
  public var primaryKeyNames: [String] { primaryKey.map { columns[$0].name } }

  /// Prefix lengths of the primary key's parts (0 when the whole column), in key order.
  public var primaryKeyPrefixes: [Int] {
    if let pk = indexes.first(where: { $0.kind == .primary }) {
      return pk.parts.filter { $0.column.flatMap(columnIndex) != nil }.map { $0.prefixLength ?? 0 }
    }
    return primaryKey.map { _ in 0 }
  }

  static func prefixCoversWholeColumn(_ prefix: Int, _ c: ColumnDefinition) -> Bool {
    switch c.dataType {
    case .char, .varchar, .binary, .varbinary: return c.length.map { prefix >= $0 } ?? false
    default: return false
    }
  }
}

/// A table named with its database. Database and table names compare exactly (Linux servers with
/// lower_case_table_names=0); lookups fall back to a case-insensitive match.
public struct TableName: Sendable, Hashable, CustomStringConvertible {
  public var database: String
  public var name: String
  public init(_ database: String, _ name: String) {
    self.database = database
    self.name = name
  }
  public var description: String { "`\(database)`.`\(name)`" }
}
