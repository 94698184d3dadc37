/// ALTER TABLE applied to a table definition.
extension SchemaCatalog {
  mutating func alterTable(_ name: TableName, _ actions: [AlterAction], environment: Environment, into change: inout Change) {
    guard var t = table(name) else {
      // The statement succeeded on the server, so the table existed: we just never saw it.
      let changesColumns = actions.contains { if case .noEffect = $0 { return false } else { return true } }
      if changesColumns {
        change.problems.append("ALTER TABLE \(name): the table is not known")
      }
      return
    }
    let originalKey = TableName(t.database, t.name)
    var problems: [String] = []
    for action in actions {
      if let p = apply(action, to: &t, environment: environment) { problems.append(p) }
    }
    if !problems.isEmpty {
      t.uncertain = true
      t.uncertainReason = "ALTER TABLE: " + problems.joined(separator: "; ")
      change.problems.append("ALTER TABLE \(name): " + problems.joined(separator: "; "))
    }
    if TableName(t.database, t.name) != originalKey {
      remove(originalKey, into: &change)
    }
    store(t, into: &change)
  }

  /// Applies one specification; returns a problem when the table does not look as the
  /// statement expects (which means our definition was already wrong).
  func apply(_ action: AlterAction, to t: inout TableSchema, environment: Environment) -> String? {
    switch action {
    case .addColumn(let def, let position, let ifNotExists):
      if t.columnIndex(def.name) != nil {
        return ifNotExists ? nil : "adds column \(def.name), which exists"
      }
      let c = finalize(def, in: t)
      return insert(c, at: position, into: &t)
    case .dropColumn(let name, let ifExists):
      guard let i = t.columnIndex(name) else { return ifExists ? nil : "drops column \(name), which is not known" }
      let real = t.columns[i].name
      t.columns.remove(at: i)
      // The server removes the column from every key; a key left empty goes.
      for k in t.indexes.indices.reversed() {
        t.indexes[k].parts.removeAll { $0.column?.lowercased() == real.lowercased() }
        if t.indexes[k].parts.isEmpty { t.indexes.remove(at: k) }
      }
      return nil
    case .modifyColumn(let def, let position, let ifExists):
      guard let i = t.columnIndex(def.name) else { return ifExists ? nil : "modifies column \(def.name), which is not known" }
      var c = finalize(def, in: t)
      c.name = t.columns[i].name
      if isPrimaryKeyColumn(c.name, t) { c.nullable = false }
      t.columns[i] = c
      if let position {
        t.columns.remove(at: i)
        return insert(c, at: position, into: &t)
      }
      return nil
    case .changeColumn(let from, let def, let position, let ifExists):
      guard let i = t.columnIndex(from) else { return ifExists ? nil : "changes column \(from), which is not known" }
      if let j = t.columnIndex(def.name), j != i { return "renames column \(from) to \(def.name), which exists" }
      let old = t.columns[i].name
      var c = finalize(def, in: t)
      if isPrimaryKeyColumn(old, t) { c.nullable = false }
      t.columns[i] = c
      renameInKeys(old, c.name, &t)
      if let position {
        t.columns.remove(at: i)
        return insert(c, at: position, into: &t)
      }
      return nil
    case .renameColumn(let from, let to, let ifExists):
      guard let i = t.columnIndex(from) else { return ifExists ? nil : "renames column \(from), which is not known" }
      let old = t.columns[i].name
      t.columns[i].name = to
      renameInKeys(old, to, &t)
      return nil
    case .setDefault(let name, let value, let ifExists):
      guard let i = t.columnIndex(name) else { return ifExists ? nil : "alters column \(name), which is not known" }
      t.columns[i].defaultValue = value
      return nil
    case .setVisibility(let name, let invisible, let ifExists):
      guard let i = t.columnIndex(name) else { return ifExists ? nil : "alters column \(name), which is not known" }
      t.columns[i].invisible = invisible
      return nil
    case .addIndex(let index, let ifNotExists):
      return addIndex(index, to: &t, ifNotExists: ifNotExists)
    case .dropPrimaryKey:
      guard let k = t.indexes.firstIndex(where: { $0.kind == .primary }) else { return "drops a PRIMARY KEY it does not have" }
      t.indexes.remove(at: k)
      return nil
    case .dropIndex(let name, let ifExists):
      if name.uppercased() == "PRIMARY" { return apply(.dropPrimaryKey, to: &t, environment: environment) }
      guard let k = t.indexes.firstIndex(where: { $0.name?.lowercased() == name.lowercased() }) else {
        return ifExists ? nil : "drops key \(name), which is not known"
      }
      let prefix = "!hidden!" + (t.indexes[k].name ?? "") + "!"
      t.indexes.remove(at: k)
      t.columns.removeAll { $0.isHiddenForFunctionalIndex && $0.name.hasPrefix(prefix) }
      return nil
    case .renameIndex(let from, let to):
      guard let k = t.indexes.firstIndex(where: { $0.name?.lowercased() == from.lowercased() }) else {
        return "renames key \(from), which is not known"
      }
      let old = "!hidden!" + from + "!"
      for i in t.columns.indices where t.columns[i].isHiddenForFunctionalIndex && t.columns[i].name.hasPrefix(old) {
        t.columns[i].name = "!hidden!" + to + "!" + t.columns[i].name.dropFirst(old.count)
      }
      t.indexes[k].name = to
      return nil
    case .rename(let to):
      t.database = to.database
      t.name = to.name
      return nil
    case .convertCharset(let charset, let collation):
      convert(&t, charset: charset, collation: collation, environment: environment)
      return nil
    case .options(let o):
      if let e = o.engine { t.engine = e }
      if let c = o.comment { t.comment = c }
      if o.charset != nil || o.collation != nil {
        (t.defaultCharset, t.defaultCollation) = tableDefaults(o, db: t.database, environment)
      }
      return nil
    case .noEffect:
      return nil
    }
  }

  func isPrimaryKeyColumn(_ name: String, _ t: TableSchema) -> Bool {
    t.indexes.first(where: { $0.kind == .primary })?.parts.contains { $0.column?.lowercased() == name.lowercased() } ?? false
  }

  func insert(_ c: ColumnDefinition, at position: ColumnPosition?, into t: inout TableSchema) -> String? {
    switch position {
    case nil:
      t.columns.append(c)
    case .first:
      t.columns.insert(c, at: 0)
    case .after(let name):
      guard let j = t.columnIndex(name) else {
        t.columns.append(c)
        return "puts column \(c.name) after \(name), which is not known"
      }
      t.columns.insert(c, at: j + 1)
    }
    return nil
  }

  func renameInKeys(_ old: String, _ new: String, _ t: inout TableSchema) {
    let l = old.lowercased()
    for k in t.indexes.indices {
      for p in t.indexes[k].parts.indices where t.indexes[k].parts[p].column?.lowercased() == l {
        t.indexes[k].parts[p].column = new
      }
    }
  }

  /// CONVERT TO CHARACTER SET: every character column takes the charset; a TEXT column grows to
  /// the smallest TEXT type that still holds as many characters (MySQL and MariaDB both do this).
  func convert(_ t: inout TableSchema, charset: String?, collation: String?, environment: Environment) {
    var options = TableOptions()
    options.charset = charset
    options.collation = collation
    let (cs, co) =
      charset == nil && collation == nil
      ? databaseDefaults(t.database, environment) : tableDefaults(options, db: t.database, environment)
    guard let cs else { return }
    t.defaultCharset = cs
    t.defaultCollation = co
    let newMax = Collations.maxBytesPerChar(cs) ?? 4
    for i in t.columns.indices where t.columns[i].dataType.isCharacter || t.columns[i].dataType.isText {
      if t.columns[i].isMariaJSON { continue }
      let oldMax = t.columns[i].charset.flatMap(Collations.maxBytesPerChar) ?? 1
      var c = t.columns[i]
      if c.dataType.isText && newMax > oldMax {
        let capacity: Int
        switch c.dataType {
        case .tinytext: capacity = 255
        case .text: capacity = 65535
        case .mediumtext: capacity = 16_777_215
        default: capacity = Int(UInt32.max)
        }
        let needed = capacity / oldMax * newMax
        if needed > 16_777_215 {
          c.dataType = .longtext
        } else if needed > 65535 {
          c.dataType = .mediumtext
        } else if needed > 255 {
          c.dataType = .text
        }
      }
      c.charset = cs
      c.collation = co
      if cs == "binary" {
        c.collation = nil
        c.charset = nil
        switch c.dataType {
        case .char: c.dataType = .binary
        case .varchar: c.dataType = .varbinary
        case .tinytext: c.dataType = .tinyblob
        case .text: c.dataType = .blob
        case .mediumtext: c.dataType = .mediumblob
        case .longtext: c.dataType = .longblob
        default:
          c.charset = "binary"
          c.collation = "binary"
        }
      }
      t.columns[i] = c
    }
  }
}
