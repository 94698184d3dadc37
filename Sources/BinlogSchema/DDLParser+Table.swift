/// CREATE TABLE: column definitions, data types, keys and table options.
extension DDLParser {
  mutating func createTable(orReplace: Bool) throws(Failure) -> DDLStatement {
    let ifNotExists = try ifNotExistsClause()
    let table = try tableName()
    touchedTables = [table]
    // CREATE TABLE t LIKE s / CREATE TABLE t (LIKE s)
    if accept("LIKE") {
      let source = try tableName()
      return .createTableLike(table: table, source: source, ifNotExists: ifNotExists, orReplace: orReplace)
    }
    if token.isPunct("(") && peek().isWord("LIKE") {
      pos += 2
      let source = try tableName()
      try expectPunct(")")
      return .createTableLike(table: table, source: source, ifNotExists: ifNotExists, orReplace: orReplace)
    }
    var create = CreateTable(table: table)
    create.ifNotExists = ifNotExists
    create.orReplace = orReplace
    // A '(' that opens a SELECT is a query, not a column list.
    if token.isPunct("(") && !(peek().isWord("SELECT") || peek().isWord("WITH") || peek().isWord("VALUES")) {
      advance()
      repeat {
        try tableElement(into: &create)
      } while acceptPunct(",")
      try expectPunct(")")
    }
    try tableOptions(into: &create)
    create.systemVersioned = systemVersioned
    if create.columns.isEmpty && create.selectClause == nil {
      throw fail("CREATE TABLE without columns")
    }
    return .createTable(create)
  }

  /// One element of the CREATE TABLE list: a column or a key/constraint.
  mutating func tableElement(into create: inout CreateTable) throws(Failure) {
    if let index = try indexDefinition() {
      if let index = index.index { create.indexes.append(index) }
      return
    }
    if token.isWord("PERIOD") && peek().isWord("FOR") {
      // MariaDB application-time / system-time period: no column of its own.
      pos += 2
      _ = try identifier()
      _ = try parenthesized()
      return
    }
    let (column, inline) = try columnDefinition()
    create.columns.append(column)
    create.indexes.append(contentsOf: inline)
  }

  /// Parses a key or constraint when one starts here; nil when the element is a column.
  /// The inner `index` is nil for CHECK constraints, which change nothing we track.
  mutating func indexDefinition() throws(Failure) -> (index: IndexDefinition?, ifNotExists: Bool)? {
    let start = pos
    var symbol: String?
    if accept("CONSTRAINT") {
      if atIdentifier && !(token.isWord("PRIMARY") || token.isWord("UNIQUE") || token.isWord("FOREIGN") || token.isWord("CHECK"))
      {
        symbol = try identifier()
      }
    }
    if accept("PRIMARY") {
      try expect("KEY")
      // Old servers accept (and ignore) a name: PRIMARY KEY Name (Name).
      if atIdentifier && !token.isWord("USING") && !token.isWord("TYPE") { _ = try identifier() }
      try skipIndexType()
      let parts = try keyParts()
      try skipIndexOptions()
      return (IndexDefinition(kind: .primary, name: nil, parts: parts), false)
    }
    var kind: IndexDefinition.Kind?
    if accept("UNIQUE") {
      kind = .unique
      _ = accept("INDEX") || accept("KEY")
    } else if accept("FULLTEXT") {
      kind = .fulltext
      _ = accept("INDEX") || accept("KEY")
    } else if accept("SPATIAL") {
      kind = .spatial
      _ = accept("INDEX") || accept("KEY")
    } else if token.isWord("INDEX") || token.isWord("KEY") {
      // `key` cannot name a column unquoted, so INDEX/KEY here always starts a key.
      advance()
      kind = .index
    } else if accept("FOREIGN") {
      try expect("KEY")
      let ifNotExists = try ifNotExistsClause()
      var name = symbol
      if atIdentifier && !token.isPunct("(") { name = try identifier() }
      let parts = try keyParts()
      var references: String?
      if accept("REFERENCES") {
        let s = pos
        try skipReferences()
        references = text(from: s, to: pos)
      }
      return (IndexDefinition(kind: .foreignKey, name: name, parts: parts, references: references), ifNotExists)
    } else if accept("CHECK") {
      _ = try parenthesized()
      _ = accept("ENFORCED") || accept("NOT", "ENFORCED")
      return (nil, false)
    } else {
      if symbol != nil { throw fail("expected a constraint after CONSTRAINT") }
      pos = start
      return nil
    }
    let ifNotExists = try ifNotExistsClause()
    var name = symbol
    if atIdentifier && !token.isWord("USING") && !token.isWord("TYPE") { name = try identifier("index name") }
    try skipIndexType()
    let parts = try keyParts()
    try skipIndexOptions()
    return (IndexDefinition(kind: kind!, name: name, parts: parts), ifNotExists)
  }

  mutating func skipIndexType() throws(Failure) {
    if accept("USING") || accept("TYPE") { _ = try identifier("index type") }
  }

  /// (col [(len)] [ASC|DESC], (expr) [ASC|DESC], ...)
  mutating func keyParts() throws(Failure) -> [IndexDefinition.Part] {
    try expectPunct("(")
    var parts: [IndexDefinition.Part] = []
    repeat {
      if token.isPunct("(") {
        let expr = try parenthesized()
        var p = IndexDefinition.Part(column: nil, expression: expr)
        if accept("DESC") { p.descending = true } else { _ = accept("ASC") }
        parts.append(p)
        continue
      }
      var p = IndexDefinition.Part(column: try identifier("key column"))
      if acceptPunct("(") {
        p.prefixLength = try integer()
        try expectPunct(")")
      }
      if accept("DESC") { p.descending = true } else { _ = accept("ASC") }
      parts.append(p)
    } while acceptPunct(",")
    try expectPunct(")")
    return parts
  }

  mutating func skipIndexOptions() throws(Failure) {
    while true {
      if accept("KEY_BLOCK_SIZE") || accept("ENGINE_ATTRIBUTE") || accept("SECONDARY_ENGINE_ATTRIBUTE") || accept("CLUSTERING") {
        optionalEquals()
        _ = try nameValue()
      } else if accept("USING") || accept("TYPE") {
        _ = try identifier()
      } else if accept("WITH") {
        try expect("PARSER")
        _ = try identifier()
      } else if accept("COMMENT") {
        _ = try stringLiteral()
      } else if accept("VISIBLE") || accept("INVISIBLE") || accept("IGNORED") || accept("NOT", "IGNORED") {
        continue
      } else {
        return
      }
    }
  }

  /// REFERENCES tbl (cols) [MATCH ...] [ON DELETE|UPDATE action]...
  mutating func skipReferences() throws(Failure) {
    _ = try tableName()
    if token.isPunct("(") { _ = try parenthesized() }
    while true {
      if accept("MATCH") {
        _ = try identifier()
      } else if accept("ON") {
        guard accept("DELETE") || accept("UPDATE") else { throw fail("expected DELETE or UPDATE after ON") }
        if accept("SET") {
          guard accept("NULL") || accept("DEFAULT") else { throw fail("expected NULL or DEFAULT after SET") }
        } else if accept("NO") {
          try expect("ACTION")
        } else if !(accept("RESTRICT") || accept("CASCADE")) {
          throw fail("unknown referential action \(describe(token))")
        }
      } else {
        return
      }
    }
  }

  // MARK: Columns

  /// `name type [attributes]`; returns the column and any inline PRIMARY KEY/UNIQUE it declares.
  mutating func columnDefinition() throws(Failure) -> (ColumnDefinition, [IndexDefinition]) {
    let name = try identifier("column name")
    var column = try dataType(name: name)
    var indexes: [IndexDefinition] = []
    if column.dataType == .bigint && serialPending {
      serialPending = false
      indexes.append(IndexDefinition(kind: .unique, name: nil, parts: [.init(column: name)]))
    }
    try columnAttributes(&column, indexes: &indexes)
    return (column, indexes)
  }

  /// Column attributes until ',' ')' FIRST AFTER or the end.
  mutating func columnAttributes(_ column: inout ColumnDefinition, indexes: inout [IndexDefinition]) throws(Failure) {
    var binaryCollation = false
    while !atEnd && !token.isPunct(",") && !token.isPunct(")") && !token.isWord("FIRST") && !token.isWord("AFTER") {
      if accept("NOT") {
        try expect("NULL")
        column.nullable = false
      } else if accept("NULL") {
        column.nullable = true
      } else if accept("DEFAULT") {
        column.defaultValue = try defaultValue()
      } else if accept("ON") {
        try expect("UPDATE")
        column.onUpdate = try defaultValue()
      } else if accept("AUTO_INCREMENT") {
        column.autoIncrement = true
      } else if accept("UNIQUE") {
        _ = accept("KEY")
        indexes.append(IndexDefinition(kind: .unique, name: nil, parts: [.init(column: column.name)]))
      } else if accept("PRIMARY") {
        try expect("KEY")
        column.nullable = false
        indexes.append(IndexDefinition(kind: .primary, name: nil, parts: [.init(column: column.name)]))
      } else if accept("KEY") {
        column.nullable = false
        indexes.append(IndexDefinition(kind: .primary, name: nil, parts: [.init(column: column.name)]))
      } else if accept("COMMENT") {
        column.comment = try stringLiteral()
      } else if accept("COLLATE") {
        optionalEquals()
        column.collation = try nameValue().lowercased()
      } else if accept("CHARACTER", "SET") || accept("CHARSET") || accept("CHAR", "SET") {
        optionalEquals()
        column.charset = try nameValue().lowercased()
      } else if accept("BINARY") {
        binaryCollation = true
      } else if accept("ASCII") {
        column.charset = "latin1"
      } else if accept("UNICODE") {
        column.charset = "ucs2"
      } else if accept("BYTE") {
        column.charset = "binary"
      } else if accept("UNSIGNED") {
        column.unsigned = true
      } else if accept("SIGNED") {
        continue
      } else if accept("ZEROFILL") {
        column.zerofill = true
        column.unsigned = true
      } else if accept("COLUMN_FORMAT") || accept("STORAGE") {
        _ = try identifier()
      } else if accept("COMPRESSED") {
        if acceptPunct("=") { _ = try nameValue() }
      } else if accept("ENGINE_ATTRIBUTE") || accept("SECONDARY_ENGINE_ATTRIBUTE") || accept("REF_SYSTEM_ID") {
        optionalEquals()
        _ = try nameValue()
      } else if accept("SRID") {
        column.srid = try integer()
      } else if accept("GENERATED") {
        try expect("ALWAYS")
        try expect("AS")
        try generatedClause(&column)
      } else if accept("AS") {
        try generatedClause(&column)
      } else if accept("VIRTUAL") {
        column.generated?.stored = false
      } else if accept("STORED") || accept("PERSISTENT") {
        column.generated?.stored = true
      } else if accept("VISIBLE") {
        column.invisible = false
      } else if accept("INVISIBLE") {
        column.invisible = true
      } else if accept("REFERENCES") {
        try skipReferences()
      } else if accept("CONSTRAINT") {
        if !token.isWord("CHECK") { _ = try identifier() }
        try expect("CHECK")
        _ = try parenthesized()
        _ = accept("ENFORCED") || accept("NOT", "ENFORCED")
      } else if accept("CHECK") {
        _ = try parenthesized()
        _ = accept("ENFORCED") || accept("NOT", "ENFORCED")
      } else if accept("SERIAL") {
        try expect("DEFAULT")
        try expect("VALUE")
        column.autoIncrement = true
        column.nullable = false
        indexes.append(IndexDefinition(kind: .unique, name: nil, parts: [.init(column: column.name)]))
      } else if accept("WITH") || accept("WITHOUT") {
        try expect("SYSTEM")
        try expect("VERSIONING")
      } else if accept("NOT", "SECONDARY") {
        continue
      } else {
        throw fail("unknown column attribute \(describe(token))")
      }
    }
    if binaryCollation {
      // CHAR(n) BINARY: the binary collation of the column's charset, resolved when created.
      column.collation = column.charset.map { $0 + "_bin" } ?? "_bin"
    }
  }

  /// After GENERATED ALWAYS AS / AS: (expr) or ROW START / ROW END (MariaDB system versioning).
  mutating func generatedClause(_ column: inout ColumnDefinition) throws(Failure) {
    if accept("ROW") {
      guard accept("START") || accept("END") else { throw fail("expected START or END after AS ROW") }
      let which = tokens[pos - 1].text.uppercased()
      column.generated = .init(expression: "ROW \(which)", stored: true)
      return
    }
    let expr = try parenthesized()
    column.generated = .init(expression: expr, stored: false)
  }

  /// The DEFAULT / ON UPDATE value as source text.
  mutating func defaultValue() throws(Failure) -> String {
    let s = pos
    if token.isPunct("(") {
      _ = try parenthesized()
      return text(from: s, to: pos)
    }
    if token.isPunct("-") || token.isPunct("+") { advance() }
    switch token.kind {
    case .string, .number, .doubleQuoted:
      advance()
      while token.kind == .string { advance() }
      if accept("COLLATE") { _ = try nameValue() }
      return text(from: s, to: pos)
    case .word:
      advance()
      // A function call (CURRENT_TIMESTAMP(3), NOW(), uuid()).
      if token.isPunct("(") { _ = try parenthesized() }
      return text(from: s, to: pos)
    default:
      throw fail("expected a default value, found \(describe(token))")
    }
  }

  // MARK: Table options

  mutating func tableOptions(into create: inout CreateTable) throws(Failure) {
    while !atEnd {
      if acceptPunct(",") { continue }
      // The query of CREATE TABLE ... [IGNORE|REPLACE] [AS] SELECT / TABLE / VALUES.
      if token.isWord("AS") || token.isWord("SELECT") || token.isWord("IGNORE") || token.isWord("REPLACE")
        || (token.isWord("WITH") && !peek().isWord("SYSTEM")) || token.isWord("TABLE") || token.isWord("VALUES")
        || token.isPunct("(")
      {
        create.selectClause = rest()
        return
      }
      if token.isWord("PARTITION") && peek().isWord("BY") {
        // Partitioning changes no column; a query may follow the partition list.
        var depth = 0
        while !atEnd {
          if token.isPunct("(") { depth += 1 }
          if token.isPunct(")") { depth -= 1 }
          if depth == 0 && (token.isWord("AS") || token.isWord("SELECT") || token.isWord("IGNORE") || token.isWord("REPLACE")) {
            create.selectClause = rest()
            return
          }
          advance()
        }
        return
      }
      if let option = try tableOption() {
        merge(option, into: &create.options)
      }
    }
  }

  func merge(_ o: TableOptions, into options: inout TableOptions) {
    if let e = o.engine { options.engine = e }
    if let c = o.charset { options.charset = c }
    if let c = o.collation { options.collation = c }
    if let c = o.comment { options.comment = c }
  }

  /// One table option; returns the options it sets that matter (charset, collation, engine, comment).
  mutating func tableOption() throws(Failure) -> TableOptions? {
    var o = TableOptions()
    _ = accept("DEFAULT")
    if accept("CHARACTER", "SET") || accept("CHARSET") || accept("CHAR", "SET") {
      optionalEquals()
      let v = try nameValue().lowercased()
      o.charset = v == "default" ? nil : v
      return o
    }
    if accept("COLLATE") {
      optionalEquals()
      let v = try nameValue().lowercased()
      o.collation = v == "default" ? nil : v
      return o
    }
    if accept("ENGINE") || accept("TYPE") {
      optionalEquals()
      o.engine = try nameValue()
      return o
    }
    if accept("COMMENT") {
      optionalEquals()
      o.comment = try stringLiteral()
      return o
    }
    if accept("START", "TRANSACTION") { return nil }
    if accept("WITH", "SYSTEM") {
      try expect("VERSIONING")
      systemVersioned = true
      return nil
    }
    if accept("DATA") || accept("INDEX") {
      try expect("DIRECTORY")
      optionalEquals()
      _ = try stringLiteral()
      return nil
    }
    if accept("UNION") {
      optionalEquals()
      _ = try parenthesized()
      return nil
    }
    if accept("TABLESPACE") {
      optionalEquals()
      _ = try nameValue()
      if accept("STORAGE") { _ = try identifier() }
      return nil
    }
    if accept("STORAGE") {
      _ = try identifier()
      return nil
    }
    // Generic `NAME [=] value` options (AUTO_INCREMENT, ROW_FORMAT, KEY_BLOCK_SIZE, STATS_*,
    // PAGE_CHECKSUM, TRANSACTIONAL, ENCRYPTION, SEQUENCE, ...).
    guard token.kind == .word else { throw fail("unexpected \(describe(token)) in table options") }
    advance()
    optionalEquals()
    _ = try nameValue()
    return nil
  }
}
