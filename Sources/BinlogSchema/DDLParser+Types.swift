/// Data types: every spelling MySQL and MariaDB accept, resolved to the stored type.
extension DDLParser {
  /// The type part of a column definition.
  mutating func dataType(name: String) throws(Failure) -> ColumnDefinition {
    guard token.kind == .word else { throw fail("expected a data type, found \(describe(token))") }
    let word = token.text.uppercased()
    advance()
    func column(_ t: SQLDataType) -> ColumnDefinition { ColumnDefinition(name: name, dataType: t) }
    var c: ColumnDefinition
    switch word {
    case "BIT":
      c = column(.bit)
      c.length = try optionalLength()
    case "TINYINT", "INT1":
      c = column(.tinyint)
      c.length = try optionalLength()
    case "SMALLINT", "INT2":
      c = column(.smallint)
      c.length = try optionalLength()
    case "MEDIUMINT", "INT3", "MIDDLEINT":
      c = column(.mediumint)
      c.length = try optionalLength()
    case "INT", "INTEGER", "INT4":
      c = column(.int)
      c.length = try optionalLength()
    case "BIGINT", "INT8":
      c = column(.bigint)
      c.length = try optionalLength()
    case "BOOL", "BOOLEAN":
      c = column(.tinyint)
      c.length = 1
    case "SERIAL":
      c = column(.bigint)
      c.unsigned = true
      c.nullable = false
      c.autoIncrement = true
      serialPending = true
    case "DECIMAL", "DEC", "NUMERIC", "FIXED", "NUMBER":
      c = column(.decimal)
      if let (m, d) = try optionalPrecision() {
        c.precision = m
        c.scale = d ?? 0
      } else {
        c.precision = 10
        c.scale = 0
      }
    case "FLOAT", "FLOAT4":
      c = column(.float)
      if let (m, d) = try optionalPrecision() {
        if let d {
          c.precision = m
          c.scale = d
        } else if m > 24 {
          // FLOAT(p) picks the storage by precision bits: above 24 it is a DOUBLE.
          c.dataType = .double
        }
      }
    case "FLOAT8", "DOUBLE", "REAL":
      if word == "DOUBLE" { _ = accept("PRECISION") }
      let asFloat = word == "REAL" && (context.sqlMode ?? 0) & Context.modeRealAsFloat != 0
      c = column(asFloat ? .float : .double)
      if let (m, d) = try optionalPrecision() {
        c.precision = m
        c.scale = d
      }
    case "DATE":
      c = column(.date)
    case "TIME":
      c = column(.time)
      c.fsp = try optionalLength() ?? 0
    case "DATETIME":
      c = column(.datetime)
      c.fsp = try optionalLength() ?? 0
    case "TIMESTAMP":
      c = column(.timestamp)
      c.fsp = try optionalLength() ?? 0
    case "YEAR":
      c = column(.year)
      _ = try optionalLength()
    case "CHAR", "CHARACTER":
      if accept("VARYING") {
        c = column(.varchar)
        c.length = try requiredLength()
      } else {
        c = column(.char)
        c.length = try optionalLength() ?? 1
        if accept("BYTE") { c.dataType = .binary }
      }
    case "NCHAR", "NATIONAL", "NVARCHAR":
      var varying = word == "NVARCHAR"
      if word == "NATIONAL" {
        if accept("VARCHAR") || accept("VARCHARACTER") {
          varying = true
        } else {
          guard accept("CHAR") || accept("CHARACTER") else { throw fail("expected CHAR after NATIONAL") }
        }
      }
      if accept("VARYING") || accept("VARCHAR") || accept("VARCHARACTER") { varying = true }
      c = column(varying ? .varchar : .char)
      c.length = varying ? try requiredLength() : (try optionalLength() ?? 1)
      c.charset = "utf8mb3"
    case "VARCHAR", "VARCHARACTER", "VARCHAR2":
      c = column(.varchar)
      c.length = try requiredLength()
    case "BINARY":
      c = column(.binary)
      c.length = try optionalLength() ?? 1
    case "VARBINARY", "RAW":
      c = column(.varbinary)
      c.length = try requiredLength()
    case "TINYBLOB": c = column(.tinyblob)
    case "BLOB":
      c = column(.blob)
      c.length = try optionalLength()
    case "MEDIUMBLOB": c = column(.mediumblob)
    case "LONGBLOB": c = column(.longblob)
    case "TINYTEXT": c = column(.tinytext)
    case "TEXT":
      c = column(.text)
      c.length = try optionalLength()
    case "MEDIUMTEXT": c = column(.mediumtext)
    case "LONGTEXT", "CLOB": c = column(.longtext)
    case "LONG":
      if accept("VARBINARY") {
        c = column(.mediumblob)
      } else {
        if !(accept("VARCHAR") || accept("VARCHARACTER")) {
          if accept("CHAR") || accept("CHARACTER") { try expect("VARYING") }
        }
        c = column(.mediumtext)
      }
    case "ENUM", "SET":
      c = column(word == "ENUM" ? .enum : .set)
      try expectPunct("(")
      var values: [String] = []
      repeat {
        values.append(try stringLiteral())
      } while acceptPunct(",")
      try expectPunct(")")
      c.values = values
    case "JSON":
      if context.flavor == .mariadb {
        // MariaDB's JSON is LONGTEXT with a json_valid() check, binary collation.
        c = column(.longtext)
        c.isMariaJSON = true
        c.charset = "utf8mb4"
        c.collation = "utf8mb4_bin"
      } else {
        c = column(.json)
      }
    case "GEOMETRY": c = column(.geometry)
    case "POINT": c = column(.point)
    case "LINESTRING": c = column(.linestring)
    case "POLYGON": c = column(.polygon)
    case "MULTIPOINT": c = column(.multipoint)
    case "MULTILINESTRING": c = column(.multilinestring)
    case "MULTIPOLYGON": c = column(.multipolygon)
    case "GEOMETRYCOLLECTION", "GEOMCOLLECTION": c = column(.geometrycollection)
    case "INET4": c = column(.inet4)
    case "INET6": c = column(.inet6)
    case "UUID": c = column(.uuid)
    case "VECTOR":
      c = column(.vector)
      c.length = try optionalLength() ?? 2048
    default:
      throw Failure(message: "unknown data type \(word)", offset: tokens[pos - 1].range.lowerBound)
    }
    return c
  }

  mutating func optionalLength() throws(Failure) -> Int? {
    guard acceptPunct("(") else { return nil }
    let v = try integer()
    try expectPunct(")")
    return v
  }

  mutating func requiredLength() throws(Failure) -> Int {
    guard let v = try optionalLength() else { throw fail("expected a length, found \(describe(token))") }
    return v
  }

  /// (M) or (M,D).
  mutating func optionalPrecision() throws(Failure) -> (Int, Int?)? {
    guard acceptPunct("(") else { return nil }
    let m = try integer()
    var d: Int?
    if acceptPunct(",") { d = try integer() }
    try expectPunct(")")
    return (m, d)
  }
}
