/// A statement as the DDL parser understands it. Names are already resolved against the
/// statement's current database.
public enum DDLStatement: Sendable, Equatable {
  case createDatabase(name: String, ifNotExists: Bool, orReplace: Bool, charset: String?, collation: String?)
  /// ALTER DATABASE/SCHEMA [name] CHARACTER SET/COLLATE: only the defaults for new tables change.
  case alterDatabase(name: String, charset: String?, collation: String?)
  case dropDatabase(name: String, ifExists: Bool)
  case createTable(CreateTable)
  case createTableLike(table: TableName, source: TableName, ifNotExists: Bool, orReplace: Bool)
  case alterTable(table: TableName, actions: [AlterAction])
  case renameTables([RenamePair])
  case dropTables([TableName], ifExists: Bool)
  case truncate(TableName)
  case createIndex(table: TableName, index: IndexDefinition, ifNotExists: Bool, orReplace: Bool)
  case dropIndex(table: TableName, name: String, ifExists: Bool)
  /// MariaDB CREATE SEQUENCE: a table with the fixed sequence columns.
  case createSequence(table: TableName, ifNotExists: Bool, orReplace: Bool)
  case use(String)
  /// A schema change the parser recognised but cannot model. The tables it names become uncertain.
  case unsupported(reason: String, tables: [TableName])
  /// Not a schema change of a base table (DML, GRANT, SET, views, triggers, temporary tables...).
  case other

  public struct RenamePair: Sendable, Equatable {
    public var from: TableName
    public var to: TableName
    public init(from: TableName, to: TableName) {
      self.from = from
      self.to = to
    }
  }

  /// The tables the statement changes (for reports).
  public var tables: [TableName] {
    switch self {
    case .createTable(let c): return [c.table]
    case .createTableLike(let t, _, _, _): return [t]
    case .alterTable(let t, let actions):
      var out = [t]
      for case .rename(let to) in actions { out.append(to) }
      return out
    case .renameTables(let pairs): return pairs.flatMap { [$0.from, $0.to] }
    case .dropTables(let ts, _): return ts
    case .truncate(let t): return [t]
    case .createIndex(let t, _, _, _), .dropIndex(let t, _, _): return [t]
    case .createSequence(let t, _, _): return [t]
    case .unsupported(_, let ts): return ts
    default: return []
    }
  }
}

/// CREATE TABLE with a column list.
public struct CreateTable: Sendable, Equatable {
  public var table: TableName
  public var ifNotExists = false
  public var orReplace = false
  public var columns: [ColumnDefinition] = []
  public var indexes: [IndexDefinition] = []
  public var options = TableOptions()
  /// `... [AS] SELECT` / `... TABLE t` follows: the select adds columns the statement does not
  /// list, so the result is uncertain (ROW-format binlogs log the resulting column list instead).
  public var selectClause: String?
  /// MariaDB WITH SYSTEM VERSIONING: implicit invisible row_start/row_end columns are added.
  public var systemVersioned = false

  public init(table: TableName) { self.table = table }
}

/// The table options that matter for the schema.
public struct TableOptions: Sendable, Equatable {
  public var engine: String?
  public var charset: String?
  public var collation: String?
  public var comment: String?
  public init() {}
}

/// Where ADD/MODIFY/CHANGE COLUMN puts the column.
public enum ColumnPosition: Sendable, Equatable {
  case first
  case after(String)
}

/// One ALTER TABLE specification.
public enum AlterAction: Sendable, Equatable {
  case addColumn(ColumnDefinition, position: ColumnPosition?, ifNotExists: Bool)
  case dropColumn(String, ifExists: Bool)
  case modifyColumn(ColumnDefinition, position: ColumnPosition?, ifExists: Bool)
  case changeColumn(from: String, ColumnDefinition, position: ColumnPosition?, ifExists: Bool)
  case renameColumn(from: String, to: String, ifExists: Bool)
  /// ALTER COLUMN c SET DEFAULT x (nil: DROP DEFAULT)
  case setDefault(column: String, value: String?, ifExists: Bool)
  /// ALTER COLUMN c SET VISIBLE / SET INVISIBLE
  case setVisibility(column: String, invisible: Bool, ifExists: Bool)
  case addIndex(IndexDefinition, ifNotExists: Bool)
  case dropPrimaryKey
  case dropIndex(String, ifExists: Bool)
  case renameIndex(from: String, to: String)
  case rename(to: TableName)
  /// CONVERT TO CHARACTER SET: every character column changes charset (and TEXT may grow).
  case convertCharset(charset: String?, collation: String?)
  /// Table options: [DEFAULT] CHARSET/COLLATE (new columns only), ENGINE, COMMENT.
  case options(TableOptions)
  /// A specification with no effect on columns or keys (ALGORITHM=, LOCK=, FORCE, partitions,
  /// CHECK constraints, foreign keys, ORDER BY, ENABLE KEYS...), kept for reports.
  case noEffect(String)
}
