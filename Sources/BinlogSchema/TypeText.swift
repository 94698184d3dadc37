import BinlogFormat

/// How a server prints column types in SHOW CREATE TABLE / information_schema.COLUMNS.COLUMN_TYPE.
public enum TypeTextStyle: String, Sendable, Equatable {
  /// MySQL ≤ 8.0.18 (and 5.x, Percona, Aurora 5.7): `int(11)`, `year(4)`.
  case mysql57
  /// MySQL 8.0.19+: integer display widths dropped (`int`, `int unsigned`) except `tinyint(1)` and ZEROFILL; `year`.
  case mysql80
  /// MariaDB: `int(11)`, `year(4)`; JSON is `longtext`.
  case mariadb

  /// The style of the server that wrote a binlog (from its Format_description).
  public init(flavor: FormatDescription.Flavor, serverVersion: String) {
    if flavor == .mariadb {
      self = .mariadb
      return
    }
    let v = SQLLexer.versionNumber(serverVersion) ?? 0
    self = v >= 80019 ? .mysql80 : .mysql57
  }
}

/// Type texts and CREATE TABLE statements as the server would print them.
public enum TypeText {
  static func defaultIntegerWidth(_ t: SQLDataType, unsigned: Bool) -> Int {
    switch t {
    case .tinyint: return unsigned ? 3 : 4
    case .smallint: return unsigned ? 5 : 6
    case .mediumint: return unsigned ? 8 : 9
    case .int: return unsigned ? 10 : 11
    default: return 20
    }
  }

  /// `int(11) unsigned`, `varchar(20)`, `decimal(10,2)`, `enum('a','b')`, `datetime(3)`...
  public static func columnType(_ c: ColumnDefinition, style: TypeTextStyle) -> String {
    var s: String
    let t = c.dataType
    switch t {
    case .tinyint, .smallint, .mediumint, .int, .bigint:
      s = t.rawValue
      let width = c.length ?? defaultIntegerWidth(t, unsigned: c.unsigned)
      if style != .mysql80 || c.zerofill || (t == .tinyint && c.length == 1) {
        s += "(\(width))"
      }
    case .decimal:
      s = "decimal(\(c.precision ?? 10),\(c.scale ?? 0))"
    case .float, .double:
      s = t.rawValue
      if let p = c.precision, let d = c.scale { s += "(\(p),\(d))" }
    case .bit:
      s = "bit(\(c.length ?? 1))"
    case .time, .datetime, .timestamp:
      s = t.rawValue
      if c.fsp > 0 { s += "(\(c.fsp))" }
    case .year:
      s = style == .mysql80 ? "year" : "year(4)"
    case .char, .binary:
      s = "\(t.rawValue)(\(c.length ?? 1))"
    case .varchar, .varbinary:
      s = "\(t.rawValue)(\(c.length ?? 0))"
    case .enum, .set:
      s = t.rawValue + "(" + (c.values ?? []).map(quoteString).joined(separator: ",") + ")"
    case .geometrycollection:
      s = style == .mysql80 ? "geomcollection" : "geometrycollection"
    case .vector:
      s = "vector(\(c.length ?? 2048))"
    default:
      s = t.rawValue
    }
    if t.isNumeric {
      if c.unsigned { s += " unsigned" }
      if c.zerofill { s += " zerofill" }
    }
    return s
  }

  /// MySQL before 8.0.30 calls utf8mb3 `utf8` (and its collations `utf8_*`).
  static func charsetText(_ name: String, _ style: TypeTextStyle) -> String {
    guard style == .mysql57, name.hasPrefix("utf8mb3") else { return name }
    return "utf8" + name.dropFirst(7)
  }

  /// Tables as a script that `SchemaSnapshot` (and a server) reads back: per database a
  /// CREATE DATABASE IF NOT EXISTS and USE, then each table's CREATE TABLE. Uncertain tables get
  /// an `-- UNCERTAIN:` comment; tables whose columns are unknown are only named in a comment.
  public static func script(_ tables: [TableSchema], databases: [String: SchemaCatalog.Database] = [:]) -> String {
    var s = ""
    var currentDB: String?
    func oneLine(_ x: String) -> String { String(x.map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
    for t in tables.sorted(by: { ($0.database, $0.name) < ($1.database, $1.name) }) {
      if t.database != currentDB {
        currentDB = t.database
        if !s.isEmpty { s += "\n" }
        var create = "CREATE DATABASE IF NOT EXISTS " + quoteIdentifier(t.database)
        if let db = databases[t.database] {
          if let cs = db.charset { create += " DEFAULT CHARACTER SET " + charsetText(cs, t.style) }
          if let co = db.collation { create += " COLLATE " + charsetText(co, t.style) }
        }
        s += create + ";\nUSE " + quoteIdentifier(t.database) + ";\n"
      }
      s += "\n"
      if t.uncertain { s += "-- UNCERTAIN: " + oneLine(t.uncertainReason ?? "") + "\n" }
      if t.columns.isEmpty {
        s += "-- " + quoteIdentifier(t.name) + ": columns unknown\n"
      } else {
        s += createTable(t) + ";\n"
      }
    }
    return s
  }

  /// 'text' with quotes doubled and backslashes escaped, as SHOW CREATE TABLE writes literals.
  public static func quoteString(_ v: String) -> String {
    var out = "'"
    for ch in v {
      switch ch {
      case "'": out += "''"
      case "\\": out += "\\\\"
      default: out.append(ch)
      }
    }
    return out + "'"
  }

  /// `name` in backticks (backticks inside doubled).
  public static func quoteIdentifier(_ name: String) -> String {
    var out = "`"
    for ch in name {
      if ch == "`" { out += "``" } else { out.append(ch) }
    }
    return out + "`"
  }

  /// The table as a CREATE TABLE statement in SHOW CREATE TABLE's layout.
  public static func createTable(_ t: TableSchema, style: TypeTextStyle? = nil, qualified: Bool = false) -> String {
    let style = style ?? t.style
    var lines: [String] = []
    for c in t.columns where !c.isHiddenForFunctionalIndex {
      var l = "  " + quoteIdentifier(c.name) + " " + columnType(c, style: style)
      if c.dataType.isCharacter || c.dataType.isText {
        if let cs = c.charset, cs != t.defaultCharset.map(Collations.normalizeCharset) || c.isMariaJSON {
          l += " CHARACTER SET " + charsetText(cs, style)
        }
        if let co = c.collation, co != t.defaultCollation.map(Collations.normalizeCollation) || c.isMariaJSON {
          let flavor: FormatDescription.Flavor = style == .mariadb ? .mariadb : .mysql
          let implied = c.charset.map { Collations.defaultCollation(ofCharset: $0, flavor: flavor, mysql8: style == .mysql80) }
          if co != implied || c.isMariaJSON { l += " COLLATE " + charsetText(co, style) }
        }
      }
      if let g = c.generated {
        l += " GENERATED ALWAYS AS (" + g.expression + ") " + (g.stored ? "STORED" : "VIRTUAL")
      }
      if !c.nullable {
        l += " NOT NULL"
      } else if c.dataType == .timestamp {
        // Without explicit_defaults_for_timestamp a TIMESTAMP is NOT NULL unless it says NULL.
        l += " NULL"
      }
      if let d = c.defaultValue {
        l += " DEFAULT " + d
      } else if c.nullable && c.generated == nil && !c.dataType.isText && !c.dataType.isBlob && c.dataType != .json
        && !c.dataType.isSpatial
      {
        l += " DEFAULT NULL"
      }
      if let u = c.onUpdate { l += " ON UPDATE " + u }
      if c.autoIncrement { l += " AUTO_INCREMENT" }
      if c.invisible { l += style == .mariadb ? " INVISIBLE" : " /*!80023 INVISIBLE */" }
      if let cm = c.comment { l += " COMMENT " + quoteString(cm) }
      if c.isMariaJSON { l += " CHECK (json_valid(" + quoteIdentifier(c.name) + "))" }
      lines.append(l)
    }
    for idx in t.indexes {
      let parts = idx.parts.map { p -> String in
        var s = p.column.map(quoteIdentifier) ?? "(" + (p.expression ?? "") + ")"
        if let n = p.prefixLength { s += "(\(n))" }
        if p.descending { s += " DESC" }
        return s
      }.joined(separator: ",")
      let name = idx.name.map { quoteIdentifier($0) + " " } ?? ""
      switch idx.kind {
      case .primary: lines.append("  PRIMARY KEY (\(parts))")
      case .unique: lines.append("  UNIQUE KEY \(name)(\(parts))")
      case .index: lines.append("  KEY \(name)(\(parts))")
      case .fulltext: lines.append("  FULLTEXT KEY \(name)(\(parts))")
      case .spatial: lines.append("  SPATIAL KEY \(name)(\(parts))")
      case .foreignKey:
        let c = idx.name.map { "CONSTRAINT " + quoteIdentifier($0) + " " } ?? ""
        lines.append("  \(c)FOREIGN KEY (\(parts)) REFERENCES \(idx.references ?? "?")")
      }
    }
    let name = qualified ? quoteIdentifier(t.database) + "." + quoteIdentifier(t.name) : quoteIdentifier(t.name)
    var s = "CREATE TABLE \(name) (\n" + lines.joined(separator: ",\n") + "\n)"
    if let e = t.engine { s += " ENGINE=" + e }
    if let cs = t.defaultCharset { s += " DEFAULT CHARSET=" + charsetText(cs, style) }
    if let co = t.defaultCollation { s += " COLLATE=" + charsetText(co, style) }
    if let cm = t.comment { s += " COMMENT=" + quoteString(cm) }
    return s
  }
}
