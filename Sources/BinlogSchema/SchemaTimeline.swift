import BinlogFormat

/// The schema of every table as of every binlog position: a snapshot (optional) at the start,
/// then the DDL of the binlog applied at the positions of its Query events.
public struct SchemaTimeline: Sendable {
  /// One definition of a table, in force from `position` (exclusive) on; nil schema: dropped.
  public struct Version: Sendable {
    public var position: BinlogPosition
    public var schema: TableSchema?
  }

  /// One schema statement applied to the timeline.
  public struct Record: Sendable {
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
      /// Modeled; the tables it changed.
      case applied([TableName])
      /// Recognised as a schema change but not modeled: the tables it names are now uncertain.
      case unsupported(String)
      /// Modeled, but the statement names tables or columns the timeline does not know.
      case problems([String])

      public var description: String {
        switch self {
        case .applied(let tables): return "applied to " + tables.map(\.description).joined(separator: ", ")
        case .unsupported(let why): return why
        case .problems(let ps): return ps.joined(separator: "; ")
        }
      }
    }
    public var position: BinlogPosition
    public var database: String
    public var sql: String
    public var outcome: Outcome
    /// What the statement was parsed and applied with: replaying `sql` with these at `position`
    /// on a timeline with the same seeds rebuilds the same schema (how an index can store it).
    public var sqlMode: UInt64?
    public var environment: SchemaCatalog.Environment

    /// One sentence for a person about a statement that was not applied cleanly (warnings).
    public var issueDescription: String {
      switch outcome {
      case .applied(let tables):
        return "\(position): schema statement applied to \(tables.map(\.description).joined(separator: ", "))"
      case .unsupported(let why):
        return
          "\(position): schema statement not modeled (\(why)): the tables it names keep the binlog's types and @N names until their next DDL"
      case .problems(let ps):
        return
          "\(position): schema statement names what the schema does not have (\(ps.joined(separator: "; "))): columns there may keep the binlog's types and @N names"
      }
    }
  }

  public private(set) var catalog: SchemaCatalog
  /// Definitions of each table in the order they were applied.
  public private(set) var history: [TableName: [Version]] = [:]
  /// Every schema-changing statement applied, in order (snapshot statements at `.start`).
  public private(set) var records: [Record] = []
  /// Server version as MMmmpp, for versioned comments.
  public var serverVersion: Int?
  /// File names in the order their events were applied (positions compare by this order).
  public private(set) var fileOrder: [String: Int] = [:]

  public init(flavor: FormatDescription.Flavor = .mysql, style: TypeTextStyle = .mysql57) {
    catalog = SchemaCatalog(flavor: flavor, style: style)
  }

  public var flavor: FormatDescription.Flavor {
    get { catalog.flavor }
    set { catalog.flavor = newValue }
  }
  public var style: TypeTextStyle {
    get { catalog.style }
    set { catalog.style = newValue }
  }

  /// Takes the server flavor, version and type-text style from a binlog's Format_description.
  public mutating func adopt(_ format: FormatDescription) {
    catalog.flavor = format.flavor
    catalog.style = TypeTextStyle(flavor: format.flavor, serverVersion: format.serverVersion)
    serverVersion = SQLLexer.versionNumber(format.serverVersion)
  }

  /// Statements whose outcome was `.unsupported` or `.problems`.
  public var issues: [Record] {
    records.filter { if case .applied = $0.outcome { return false } else { return true } }
  }

  // MARK: - Applying

  /// Parses and applies one statement (a Query event's text) at `position`. Returns the record
  /// when the statement changed the schema or could not be modeled; nil for anything else.
  @discardableResult
  public mutating func apply(
    sql: [UInt8], database: String, at position: BinlogPosition, sqlMode: UInt64? = nil,
    environment: SchemaCatalog.Environment = SchemaCatalog.Environment()
  ) -> Record? {
    guard DDLParser.mayChangeSchema(sql) else { return nil }
    let context = DDLParser.Context(database: database, flavor: catalog.flavor, serverVersion: serverVersion, sqlMode: sqlMode)
    let statement = DDLParser.parse(sql, context: context)
    guard
      var r = apply(
        statement, sql: String(decoding: sql, as: UTF8.self), database: database, at: position, environment: environment)
    else {
      return nil
    }
    r.sqlMode = sqlMode
    records[records.count - 1].sqlMode = sqlMode
    return r
  }

  /// Applies a parsed statement at `position`.
  @discardableResult
  public mutating func apply(
    _ statement: DDLStatement, sql: String, database: String, at position: BinlogPosition,
    environment: SchemaCatalog.Environment = SchemaCatalog.Environment()
  ) -> Record? {
    switch statement {
    case .other, .use: return nil
    default: break
    }
    note(position.file)
    let change = catalog.apply(statement, environment: environment)
    if position.file.isEmpty {
      // A snapshot statement: the snapshot describes these databases completely.
      if case .createDatabase(let name, _, _, _, _) = statement { catalog.markComplete(name) }
      for (name, _) in change.tables { catalog.markComplete(name.database) }
    }
    for (name, schema) in change.tables {
      history[name, default: []].append(Version(position: position, schema: schema))
    }
    let outcome: Record.Outcome
    if case .unsupported(let reason, _) = statement {
      outcome = .unsupported(reason)
    } else if !change.problems.isEmpty {
      outcome = .problems(change.problems)
    } else {
      outcome = .applied(change.tables.map(\.name))
    }
    let record = Record(
      position: position, database: database, sql: sql, outcome: outcome, sqlMode: nil, environment: environment)
    records.append(record)
    return record
  }

  /// Adds a table definition from a snapshot, in force from the start of the archive.
  public mutating func seed(_ table: TableSchema) {
    let stored = catalog.put(table)
    catalog.markComplete(table.database)
    history[TableName(table.database, table.name), default: []].append(Version(position: .start, schema: stored))
  }

  /// Records a database's defaults from a snapshot.
  public mutating func seedDatabase(_ name: String, charset: String?, collation: String?) {
    catalog.setDatabase(
      name, .init(charset: charset.map(Collations.normalizeCharset), collation: collation.map(Collations.normalizeCollation)))
  }

  mutating func note(_ file: String) {
    if !file.isEmpty && fileOrder[file] == nil { fileOrder[file] = fileOrder.count }
  }

  /// True when `a` comes before `b`: files in the order they were applied, then by name.
  public func precedes(_ a: BinlogPosition, _ b: BinlogPosition) -> Bool {
    if a.file != b.file {
      if a.file.isEmpty { return true }
      if b.file.isEmpty { return false }
      if let x = fileOrder[a.file], let y = fileOrder[b.file] { return x < y }
      return a < b
    }
    return a.offset < b.offset
  }

  // MARK: - Asking

  /// The table's definition after everything applied so far.
  public func table(_ name: TableName) -> TableSchema? { catalog.table(name) }

  /// The table's definition at `position`: after every statement that starts before it.
  public func table(_ name: TableName, at position: BinlogPosition) -> TableSchema? {
    guard let versions = history[name] ?? history[caseInsensitiveKey(name)] else { return nil }
    for v in versions.reversed() where precedes(v.position, position) {
      return v.schema
    }
    return nil
  }

  /// Every table that exists at `position`, ordered by database and name.
  public func tables(at position: BinlogPosition) -> [TableSchema] {
    var out: [TableSchema] = []
    for (_, versions) in history {
      if let v = versions.last(where: { precedes($0.position, position) }), let s = v.schema { out.append(s) }
    }
    return out.sorted { ($0.database, $0.name) < ($1.database, $1.name) }
  }

  func caseInsensitiveKey(_ name: TableName) -> TableName {
    let db = name.database.lowercased()
    let n = name.name.lowercased()
    let matches = history.keys.filter { $0.database.lowercased() == db && $0.name.lowercased() == n }
    return matches.count == 1 ? matches[0] : name
  }

  /// Compares a Table_map with the table's definition at `position` and, when they agree, gives
  /// the map's columns with names, keys, signedness, collations and ENUM/SET labels filled.
  public func reconcile(_ map: TableMapEvent, at position: BinlogPosition) -> Reconciliation {
    let name = TableName(map.database, map.table)
    return Reconciliation.make(map: map, schema: table(name, at: position), position: position, flavor: catalog.flavor)
  }
}
