import BinlogFormat

/// The definitions of every known table at one moment, and how DDL changes them.
public struct SchemaCatalog: Sendable {
  public struct Database: Sendable, Equatable {
    public var charset: String?
    public var collation: String?
    public init(charset: String? = nil, collation: String? = nil) {
      self.charset = charset
      self.collation = collation
    }
  }

  /// Server defaults a statement ran with (from the Query event's status variables).
  public struct Environment: Sendable, Equatable {
    /// collation_server (the server's default for databases without one).
    public var serverCollation: String?
    /// The current database's default collation (Q_CHARSET_DATABASE), when the event carries it.
    public var databaseCollation: String?
    public init(serverCollation: String? = nil, databaseCollation: String? = nil) {
      self.serverCollation = serverCollation
      self.databaseCollation = databaseCollation
    }
  }

  /// What one statement did.
  public struct Change: Sendable {
    /// Tables whose definition changed, with the new definition (nil: dropped or renamed away).
    public var tables: [(name: TableName, schema: TableSchema?)] = []
    /// Problems: the statement names a table or column the catalog does not know. Each affected
    /// table is left uncertain.
    public var problems: [String] = []
  }

  public private(set) var databases: [String: Database] = [:]
  public private(set) var tables: [TableName: TableSchema] = [:]
  public var flavor: FormatDescription.Flavor
  public var style: TypeTextStyle
  /// Databases whose every table the catalog knows: created in the binlog, dropped, or described
  /// by a snapshot. A CREATE TABLE IF NOT EXISTS elsewhere may have met an existing table.
  public private(set) var completeDatabases: Set<String> = []
  /// Tables known not to exist: dropped or renamed away.
  private var absent: Set<TableName> = []

  /// Declares that the catalog knows every table of `database` (a snapshot covers it).
  public mutating func markComplete(_ database: String) {
    completeDatabases.insert(database)
  }

  /// True when `name` cannot exist unless the catalog has it.
  public func knownAbsent(_ name: TableName) -> Bool {
    table(name) == nil && (completeDatabases.contains(name.database) || absent.contains(name))
  }

  /// Last version handed out; every change to a table (and every drop) takes a new one.
  public private(set) var lastVersion = 0

  public init(flavor: FormatDescription.Flavor = .mysql, style: TypeTextStyle = .mysql57) {
    self.flavor = flavor
    self.style = style
  }

  /// The table named `name`: exact match, else the only case-insensitive match.
  public func table(_ name: TableName) -> TableSchema? {
    if let t = tables[name] { return t }
    return tables[resolve(name)]
  }

  /// The catalog key for `name` (a case-insensitive match when there is exactly one).
  func resolve(_ name: TableName) -> TableName {
    if tables[name] != nil { return name }
    let db = name.database.lowercased()
    let n = name.name.lowercased()
    var found: TableName?
    for k in tables.keys where k.database.lowercased() == db && k.name.lowercased() == n {
      if found != nil { return name }
      found = k
    }
    return found ?? name
  }

  /// Adds or replaces a table (seeding from a snapshot). Returns the stored version.
  @discardableResult
  public mutating func put(_ table: TableSchema) -> TableSchema {
    var t = table
    lastVersion += 1
    t.version = lastVersion
    tables[TableName(t.database, t.name)] = t
    if databases[t.database] == nil { databases[t.database] = Database() }
    return t
  }

  public mutating func setDatabase(_ name: String, _ db: Database) {
    databases[name] = db
  }

  mutating func remove(_ name: TableName, into change: inout Change) {
    let key = resolve(name)
    absent.insert(name)
    absent.insert(key)
    if tables.removeValue(forKey: key) != nil {
      lastVersion += 1
      change.tables.append((key, nil))
    }
  }

  mutating func store(_ t: TableSchema, into change: inout Change) {
    absent.remove(TableName(t.database, t.name))
    let stored = put(t)
    change.tables.append((TableName(t.database, t.name), stored))
  }

  mutating func markUncertain(_ name: TableName, _ reason: String, into change: inout Change) {
    if var t = table(name) {
      if t.uncertain && t.uncertainReason == reason { return }
      t.uncertain = true
      t.uncertainReason = reason
      store(t, into: &change)
    } else {
      var t = TableSchema(database: name.database, name: name.name, columns: [])
      t.uncertain = true
      t.uncertainReason = reason
      t.style = style
      store(t, into: &change)
    }
  }

  // MARK: - Applying statements

  /// Applies one parsed statement.
  public mutating func apply(_ statement: DDLStatement, environment: Environment = Environment()) -> Change {
    var change = Change()
    switch statement {
    case .createDatabase(let name, let ifNotExists, let orReplace, let charset, let collation):
      if databases[name] != nil && ifNotExists && !orReplace { break }
      if orReplace { dropDatabaseTables(name, into: &change) }
      // Without IF NOT EXISTS the database is new: every table it gets is in the binlog.
      if !ifNotExists || orReplace { completeDatabases.insert(name) }
      databases[name] = Database(
        charset: charset.map(Collations.normalizeCharset), collation: collation.map(Collations.normalizeCollation))
    case .alterDatabase(let name, let charset, let collation):
      var db = databases[name] ?? Database()
      if let charset {
        db.charset = Collations.normalizeCharset(charset)
        db.collation = nil
      }
      if let collation { db.collation = Collations.normalizeCollation(collation) }
      databases[name] = db
    case .dropDatabase(let name, _):
      dropDatabaseTables(name, into: &change)
      databases[name] = nil
      completeDatabases.insert(name)
    case .createTable(let create):
      if create.ifNotExists && !create.orReplace && table(create.table) != nil { break }
      var t = newTable(create, environment: environment)
      if let select = create.selectClause {
        t.uncertain = true
        t.uncertainReason = "CREATE TABLE ... \(Self.clip(select)): the query's columns are not known"
      } else if create.ifNotExists && !create.orReplace && !knownAbsent(create.table) {
        t.uncertain = true
        t.uncertainReason = Self.mayHaveExisted
      }
      if create.orReplace { remove(create.table, into: &change) }
      store(t, into: &change)
    case .createTableLike(let name, let source, let ifNotExists, let orReplace):
      if ifNotExists && !orReplace && table(name) != nil { break }
      if var t = table(source) {
        t.database = name.database
        t.name = name.name
        if ifNotExists && !orReplace && !knownAbsent(name) {
          t.uncertain = true
          t.uncertainReason = Self.mayHaveExisted
        }
        store(t, into: &change)
      } else {
        change.problems.append("CREATE TABLE \(name) LIKE \(source): \(source) is not known")
        markUncertain(name, "created LIKE \(source), which is not known", into: &change)
      }
    case .alterTable(let name, let actions):
      alterTable(name, actions, environment: environment, into: &change)
    case .renameTables(let pairs):
      for p in pairs {
        if var t = table(p.from) {
          remove(p.from, into: &change)
          t.database = p.to.database
          t.name = p.to.name
          store(t, into: &change)
        } else {
          change.problems.append("RENAME TABLE \(p.from) TO \(p.to): \(p.from) is not known")
          remove(p.to, into: &change)
        }
      }
    case .dropTables(let names, _):
      for n in names { remove(n, into: &change) }
    case .truncate:
      break
    case .createIndex(let name, let index, let ifNotExists, _):
      alterTable(name, [.addIndex(index, ifNotExists: ifNotExists)], environment: environment, into: &change)
    case .dropIndex(let name, let index, let ifExists):
      alterTable(name, [.dropIndex(index, ifExists: ifExists)], environment: environment, into: &change)
    case .createSequence(let name, let ifNotExists, let orReplace):
      if ifNotExists && !orReplace && table(name) != nil { break }
      var t = sequenceTable(name)
      if ifNotExists && !orReplace && !knownAbsent(name) {
        t.uncertain = true
        t.uncertainReason = Self.mayHaveExisted
      }
      store(t, into: &change)
    case .use:
      break
    case .unsupported(let reason, let names):
      for n in names { markUncertain(n, reason, into: &change) }
    case .other:
      break
    }
    return change
  }

  mutating func dropDatabaseTables(_ name: String, into change: inout Change) {
    for k in tables.keys.sorted(by: { $0.name < $1.name }) where k.database == name {
      remove(k, into: &change)
    }
  }

  static let mayHaveExisted =
    "CREATE ... IF NOT EXISTS of a table not seen before: it may already have existed with another definition (give a schema snapshot)"

  static func clip(_ s: String) -> String {
    s.count > 60 ? String(s.prefix(57)) + "..." : s
  }

  // MARK: Building tables

  /// Default charset and collation for new tables of database `db`.
  func databaseDefaults(_ db: String, _ env: Environment) -> (charset: String?, collation: String?) {
    if let d = databases[db], d.charset != nil || d.collation != nil {
      let cs = d.charset ?? d.collation.map(Collations.charset(ofCollation:))
      return (cs, d.collation ?? cs.map(defaultCollation))
    }
    if let c = env.databaseCollation ?? env.serverCollation {
      return (Collations.charset(ofCollation: c), c)
    }
    return (nil, nil)
  }

  func defaultCollation(_ charset: String) -> String {
    Collations.defaultCollation(ofCharset: charset, flavor: flavor, mysql8: style == .mysql80)
  }

  /// Resolves a table's default charset/collation from its options and its database.
  func tableDefaults(_ options: TableOptions, db: String, _ env: Environment) -> (charset: String?, collation: String?) {
    if let co = options.collation.map(Collations.normalizeCollation) {
      return (options.charset.map(Collations.normalizeCharset) ?? Collations.charset(ofCollation: co), co)
    }
    if let cs = options.charset.map(Collations.normalizeCharset) {
      return (cs, defaultCollation(cs))
    }
    return databaseDefaults(db, env)
  }

  func newTable(_ create: CreateTable, environment: Environment) -> TableSchema {
    var t = TableSchema(database: create.table.database, name: create.table.name, columns: [])
    t.style = style
    t.engine = create.options.engine
    t.comment = create.options.comment
    (t.defaultCharset, t.defaultCollation) = tableDefaults(create.options, db: t.database, environment)
    t.columns = create.columns.map { finalize($0, in: t) }
    if create.systemVersioned && !t.columns.contains(where: { $0.generated?.expression == "ROW START" }) {
      for n in ["row_start", "row_end"] {
        var c = ColumnDefinition(name: n, dataType: .timestamp)
        c.fsp = 6
        c.nullable = false
        c.invisible = true
        c.generated = .init(expression: n == "row_start" ? "ROW START" : "ROW END", stored: true)
        t.columns.append(c)
      }
    }
    for idx in create.indexes { _ = addIndex(idx, to: &t) }
    return t
  }

  /// Fills what the server derives when the column is created: charset and collation from the
  /// table default, binary charsets turned into binary types, TEXT(n)/BLOB(n) resolved.
  func finalize(_ column: ColumnDefinition, in t: TableSchema) -> ColumnDefinition {
    var c = column
    if c.dataType.isCharacter || c.dataType.isText {
      if c.collation == "_bin" {
        let cs = c.charset ?? t.defaultCharset
        c.collation = cs.map { $0 == "binary" ? "binary" : Collations.normalizeCharset($0) + "_bin" }
      }
      if let co = c.collation {
        c.collation = Collations.normalizeCollation(co)
        if c.charset == nil { c.charset = Collations.charset(ofCollation: co) }
      }
      if let cs = c.charset {
        c.charset = Collations.normalizeCharset(cs)
        if c.collation == nil {
          if let tco = t.defaultCollation, Collations.charset(ofCollation: tco) == c.charset {
            c.collation = tco
          } else {
            c.collation = c.charset == "binary" ? "binary" : defaultCollation(c.charset!)
          }
        }
      } else {
        c.charset = t.defaultCharset
        c.collation = t.defaultCollation
      }
      if c.charset == "binary" {
        switch c.dataType {
        case .char: c.dataType = .binary
        case .varchar: c.dataType = .varbinary
        case .tinytext: c.dataType = .tinyblob
        case .text: c.dataType = .blob
        case .mediumtext: c.dataType = .mediumblob
        case .longtext: c.dataType = .longblob
        default: break
        }
        if !c.dataType.isCharacter {
          c.charset = nil
          c.collation = nil
        }
      }
    }
    if c.dataType == .text || c.dataType == .blob, let n = c.length {
      let bytes = c.dataType == .text ? n * (c.charset.flatMap(Collations.maxBytesPerChar) ?? 1) : n
      let text = c.dataType == .text
      if bytes < 256 {
        c.dataType = text ? .tinytext : .tinyblob
      } else if bytes < 65536 {
        c.dataType = text ? .text : .blob
      } else if bytes < 1 << 24 {
        c.dataType = text ? .mediumtext : .mediumblob
      } else {
        c.dataType = text ? .longtext : .longblob
      }
      c.length = nil
    }
    if !c.dataType.isCharacter && !c.dataType.isText {
      c.charset = nil
      c.collation = nil
    }
    return c
  }

  /// Adds a key to `t`: names an unnamed one as the server does (after its first column) and
  /// makes primary-key columns NOT NULL. Returns a problem, if any.
  func addIndex(_ index: IndexDefinition, to t: inout TableSchema, ifNotExists: Bool = false) -> String? {
    var idx = index
    if idx.kind == .primary {
      if t.indexes.contains(where: { $0.kind == .primary }) {
        return ifNotExists ? nil : "adds a second PRIMARY KEY"
      }
      idx.name = nil
      for p in idx.parts {
        if let n = p.column, let i = t.columnIndex(n) { t.columns[i].nullable = false }
      }
      // The primary key is listed first, as SHOW CREATE TABLE prints it.
      t.indexes.insert(idx, at: 0)
      return nil
    }
    if let n = idx.name, t.indexes.contains(where: { $0.name?.lowercased() == n.lowercased() }) {
      return ifNotExists ? nil : "adds key \(n), which exists"
    }
    if idx.name == nil {
      let base = idx.parts.first?.column ?? "functional_index"
      var name = base
      var k = 2
      while t.indexes.contains(where: { $0.name?.lowercased() == name.lowercased() }) {
        name = "\(base)_\(k)"
        k += 1
      }
      idx.name = name
    }
    for p in idx.parts {
      if let n = p.column, t.columnIndex(n) == nil, idx.kind != .foreignKey {
        return "key \(idx.name ?? "") names column \(n), which is not known"
      }
    }
    t.indexes.append(idx)
    if flavor == .mysql {
      // MySQL implements each functional key part with a hidden virtual column at the end.
      for (k, p) in idx.parts.enumerated() where p.expression != nil {
        var c = ColumnDefinition(name: "!hidden!\(idx.name ?? "")!\(k)!0", dataType: .bigint)
        c.generated = .init(expression: p.expression!, stored: false)
        c.invisible = true
        c.isHiddenForFunctionalIndex = true
        t.columns.append(c)
      }
    }
    return nil
  }

  /// MariaDB SEQUENCE tables (10.3+): fixed columns, one row.
  func sequenceTable(_ name: TableName) -> TableSchema {
    var t = TableSchema(database: name.database, name: name.name, columns: [])
    t.style = style
    func col(_ n: String, _ type: SQLDataType, width: Int, unsigned: Bool = false) -> ColumnDefinition {
      var c = ColumnDefinition(name: n, dataType: type)
      c.length = width
      c.unsigned = unsigned
      c.nullable = false
      return c
    }
    t.columns = [
      col("next_not_cached_value", .bigint, width: 21), col("minimum_value", .bigint, width: 21),
      col("maximum_value", .bigint, width: 21), col("start_value", .bigint, width: 21),
      col("increment", .bigint, width: 21), col("cache_size", .bigint, width: 21, unsigned: true),
      col("cycle_option", .tinyint, width: 1, unsigned: true), col("cycle_count", .bigint, width: 21),
    ]
    t.engine = "InnoDB"
    return t
  }
}
