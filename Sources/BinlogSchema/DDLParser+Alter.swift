/// ALTER TABLE and ALTER DATABASE.
extension DDLParser {
  mutating func alter() throws(Failure) -> DDLStatement {
    _ = accept("ONLINE") || accept("OFFLINE")
    _ = accept("IGNORE")
    if accept("DATABASE") || accept("SCHEMA") {
      return try alterDatabase()
    }
    guard accept("TABLE") else { return .other }
    _ = try ifExistsClause()
    let table = try tableName()
    touchedTables = [table]
    if accept("WAIT") { _ = try integer() } else { _ = accept("NOWAIT") }
    var actions: [AlterAction] = []
    while !atEnd {
      try alterSpecification(into: &actions)
      // Specifications are comma-separated; table options may also follow one another.
      _ = acceptPunct(",")
    }
    return .alterTable(table: table, actions: actions)
  }

  mutating func alterDatabase() throws(Failure) -> DDLStatement {
    var name = context.database
    let optionWords = ["DEFAULT", "CHARACTER", "CHARSET", "CHAR", "COLLATE", "ENCRYPTION", "READ", "COMMENT", "UPGRADE"]
    if atIdentifier && !optionWords.contains(where: { token.isWord($0) }) {
      name = try identifier("database name")
    }
    let (charset, collation) = try databaseOptions()
    return .alterDatabase(name: name, charset: charset, collation: collation)
  }

  /// The options of CREATE/ALTER DATABASE to the end of the statement: the default character
  /// set and collation (lowercased); COMMENT, ENCRYPTION and READ ONLY values are skipped.
  mutating func databaseOptions() throws(Failure) -> (charset: String?, collation: String?) {
    var charset: String?
    var collation: String?
    while !atEnd {
      _ = accept("DEFAULT")
      if accept("CHARACTER", "SET") || accept("CHARSET") || accept("CHAR", "SET") {
        optionalEquals()
        charset = try nameValue().lowercased()
      } else if accept("COLLATE") {
        optionalEquals()
        collation = try nameValue().lowercased()
      } else if accept("COMMENT") || accept("ENCRYPTION") || accept("READ") {
        _ = accept("ONLY")  // READ ONLY [=] {DEFAULT | 0 | 1}
        optionalEquals()
        _ = try nameValue()
      } else {
        advance()
      }
    }
    return (charset, collation)
  }

  mutating func columnPosition() throws(Failure) -> ColumnPosition? {
    if accept("FIRST") { return .first }
    if accept("AFTER") { return .after(try identifier("column name")) }
    return nil
  }

  /// Consumes the rest of the statement as a specification with no effect on columns.
  mutating func noEffectRest(_ from: Int) -> AlterAction {
    _ = rest()
    return .noEffect(text(from: from, to: pos))
  }

  mutating func alterSpecification(into actions: inout [AlterAction]) throws(Failure) {
    let start = pos
    if accept("ADD") {
      if token.isWord("PARTITION") {
        actions.append(noEffectRest(start))
        return
      }
      if token.isWord("SYSTEM") && peek().isWord("VERSIONING") {
        throw fail("ADD SYSTEM VERSIONING adds hidden row_start/row_end columns")
      }
      if token.isWord("PERIOD") && peek().isWord("FOR") {
        pos += 2
        _ = try identifier()
        _ = try parenthesized()
        actions.append(.noEffect(text(from: start, to: pos)))
        return
      }
      if let (index, ifNotExists) = try indexDefinition() {
        if let index {
          actions.append(.addIndex(index, ifNotExists: ifNotExists))
        } else {
          actions.append(.noEffect(text(from: start, to: pos)))
        }
        return
      }
      _ = accept("COLUMN")
      let ifNotExists = try ifNotExistsClause()
      if acceptPunct("(") {
        // ADD (col def, col def, [key def]...)
        repeat {
          if let (index, _) = try indexDefinition() {
            if let index { actions.append(.addIndex(index, ifNotExists: false)) }
            continue
          }
          let (column, inline) = try columnDefinition()
          actions.append(.addColumn(column, position: nil, ifNotExists: ifNotExists))
          for i in inline { actions.append(.addIndex(i, ifNotExists: false)) }
        } while acceptPunct(",")
        try expectPunct(")")
        return
      }
      let (column, inline) = try columnDefinition()
      let position = try columnPosition()
      actions.append(.addColumn(column, position: position, ifNotExists: ifNotExists))
      for i in inline { actions.append(.addIndex(i, ifNotExists: false)) }
      return
    }
    if accept("DROP") {
      if accept("PRIMARY") {
        try expect("KEY")
        actions.append(.dropPrimaryKey)
        return
      }
      if accept("INDEX") || accept("KEY") {
        let ifExists = try ifExistsClause()
        actions.append(.dropIndex(try identifier("index name"), ifExists: ifExists))
        return
      }
      if accept("FOREIGN") {
        try expect("KEY")
        _ = try ifExistsClause()
        _ = try identifier()
        actions.append(.noEffect(text(from: start, to: pos)))
        return
      }
      if accept("CHECK") {
        _ = try ifExistsClause()
        _ = try identifier()
        actions.append(.noEffect(text(from: start, to: pos)))
        return
      }
      if accept("CONSTRAINT") {
        // MySQL 8.0.19+/MariaDB: drops a CHECK, FOREIGN KEY or UNIQUE constraint by name.
        _ = try ifExistsClause()
        actions.append(.dropIndex(try identifier(), ifExists: true))
        return
      }
      if token.isWord("PARTITION") {
        actions.append(noEffectRest(start))
        return
      }
      if token.isWord("SYSTEM") && peek().isWord("VERSIONING") {
        throw fail("DROP SYSTEM VERSIONING removes hidden columns")
      }
      if token.isWord("PERIOD") && peek().isWord("FOR") {
        pos += 2
        _ = try identifier()
        actions.append(.noEffect(text(from: start, to: pos)))
        return
      }
      _ = accept("COLUMN")
      let ifExists = try ifExistsClause()
      let name = try identifier("column name")
      _ = accept("RESTRICT") || accept("CASCADE")
      actions.append(.dropColumn(name, ifExists: ifExists))
      return
    }
    if accept("MODIFY") {
      _ = accept("COLUMN")
      let ifExists = try ifExistsClause()
      let (column, inline) = try columnDefinition()
      let position = try columnPosition()
      actions.append(.modifyColumn(column, position: position, ifExists: ifExists))
      for i in inline { actions.append(.addIndex(i, ifNotExists: false)) }
      return
    }
    if accept("CHANGE") {
      _ = accept("COLUMN")
      let ifExists = try ifExistsClause()
      let old = try identifier("column name")
      let (column, inline) = try columnDefinition()
      let position = try columnPosition()
      actions.append(.changeColumn(from: old, column, position: position, ifExists: ifExists))
      for i in inline { actions.append(.addIndex(i, ifNotExists: false)) }
      return
    }
    if accept("ALTER") {
      if accept("INDEX") || accept("KEY") {
        _ = try identifier()
        _ = accept("VISIBLE") || accept("INVISIBLE") || accept("IGNORED") || accept("NOT", "IGNORED")
        actions.append(.noEffect(text(from: start, to: pos)))
        return
      }
      if accept("CHECK") || accept("CONSTRAINT") {
        _ = try identifier()
        _ = accept("ENFORCED") || accept("NOT", "ENFORCED")
        actions.append(.noEffect(text(from: start, to: pos)))
        return
      }
      _ = accept("COLUMN")
      let ifExists = try ifExistsClause()
      let name = try identifier("column name")
      if accept("SET") {
        if accept("DEFAULT") {
          actions.append(.setDefault(column: name, value: try defaultValue(), ifExists: ifExists))
        } else if accept("VISIBLE") {
          actions.append(.setVisibility(column: name, invisible: false, ifExists: ifExists))
        } else if accept("INVISIBLE") {
          actions.append(.setVisibility(column: name, invisible: true, ifExists: ifExists))
        } else {
          throw fail("expected DEFAULT, VISIBLE or INVISIBLE after SET")
        }
        return
      }
      if accept("DROP") {
        try expect("DEFAULT")
        actions.append(.setDefault(column: name, value: nil, ifExists: ifExists))
        return
      }
      throw fail("unknown ALTER COLUMN action \(describe(token))")
    }
    if accept("RENAME") {
      if accept("COLUMN") {
        let ifExists = try ifExistsClause()
        let from = try identifier("column name")
        try expect("TO")
        actions.append(.renameColumn(from: from, to: try identifier("column name"), ifExists: ifExists))
        return
      }
      if accept("INDEX") || accept("KEY") {
        let from = try identifier("index name")
        try expect("TO")
        actions.append(.renameIndex(from: from, to: try identifier("index name")))
        return
      }
      if !(accept("TO") || accept("AS")) { optionalEquals() }
      let to = try tableName()
      touchedTables.append(to)
      actions.append(.rename(to: to))
      return
    }
    if accept("CONVERT") {
      try expect("TO")
      guard accept("CHARACTER", "SET") || accept("CHARSET") || accept("CHAR", "SET") else {
        throw fail("expected CHARACTER SET after CONVERT TO")
      }
      optionalEquals()
      var charset: String? = try nameValue().lowercased()
      if charset == "default" { charset = nil }
      var collation: String?
      if accept("COLLATE") {
        optionalEquals()
        collation = try nameValue().lowercased()
      }
      actions.append(.convertCharset(charset: charset, collation: collation))
      return
    }
    if accept("ALGORITHM") || accept("LOCK") {
      optionalEquals()
      _ = try nameValue()
      actions.append(.noEffect(text(from: start, to: pos)))
      return
    }
    if accept("FORCE") || accept("ENABLE", "KEYS") || accept("DISABLE", "KEYS") || accept("DISCARD", "TABLESPACE")
      || accept("IMPORT", "TABLESPACE") || accept("WITH", "VALIDATION") || accept("WITHOUT", "VALIDATION")
      || accept("SECONDARY_LOAD") || accept("SECONDARY_UNLOAD")
    {
      actions.append(.noEffect(text(from: start, to: pos)))
      return
    }
    if token.isWord("ORDER") || token.isWord("PARTITION") || token.isWord("REMOVE") || token.isWord("UPGRADE")
      || (peek().isWord("PARTITION")
        && [
          "TRUNCATE", "COALESCE", "REORGANIZE", "EXCHANGE", "ANALYZE", "CHECK",
          "OPTIMIZE", "REBUILD", "REPAIR", "DISCARD", "IMPORT",
        ].contains(where: { token.isWord($0) }))
    {
      actions.append(noEffectRest(start))
      return
    }
    if let options = try tableOption() {
      actions.append(.options(options))
    } else {
      if systemVersioned { throw fail("WITH SYSTEM VERSIONING adds hidden row_start/row_end columns") }
      actions.append(.noEffect(text(from: start, to: pos)))
    }
  }
}
