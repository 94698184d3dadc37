/// Where a change or transaction was read: a binlog file and offset, or a line of an NDJSON file.
public struct Location: Sendable, Equatable, CustomStringConvertible {
  /// The binlog's name (`binlog.000001`) or the NDJSON file's path.
  public var file: String
  /// Byte offset of the event in the binlog (nil for NDJSON).
  public var offset: UInt64?
  /// 1-based line of the NDJSON file (nil for a binlog).
  public var line: Int?

  public init(file: String, offset: UInt64? = nil, line: Int? = nil) {
    self.file = file
    self.offset = offset
    self.line = line
  }

  /// `binlog.000001:1234` or `golden.ndjson line 12`.
  public var description: String {
    if let offset { return "\(file):\(offset)" }
    if let line { return "\(file) line \(line)" }
    return file
  }
}

/// One inserted, updated or deleted row.
public struct RowChange: Sendable, Equatable {
  public enum Kind: String, Sendable {
    case insert, update, delete
  }

  public var kind: Kind
  public var database: String
  public var table: String
  /// The primary key's column names, in key order (empty when the binlog and schema know none).
  public var primaryKey: [String]
  /// The row before the change (updates and deletes).
  public var before: Row?
  /// The row after the change (inserts and updates).
  public var after: Row?
  public var location: Location

  public init(
    kind: Kind, database: String, table: String, primaryKey: [String], before: Row?, after: Row?, location: Location
  ) {
    self.kind = kind
    self.database = database
    self.table = table
    self.primaryKey = primaryKey
    self.before = before
    self.after = after
    self.location = location
  }

  /// The row as the change leaves it (inserts, updates) or as it was (deletes).
  public var row: Row { after ?? before ?? Row([]) }

  /// `db.table`.
  public var qualifiedTable: String { database + "." + table }

  /// Columns of an update whose after value differs from the before value (as the NDJSON
  /// `changed` list).
  public var changedColumns: [String] {
    guard kind == .update, let after else { return [] }
    return after.columns.filter { c in before?[c.name].map { $0 != c.value } ?? true }.map(\.name)
  }

  /// The primary key's values (from the before image of updates and deletes, where MINIMAL
  /// images keep them), nil when a key column is missing.
  public var keyValues: [Value]? {
    let image = kind == .insert ? after : before
    guard let image, !primaryKey.isEmpty else { return nil }
    var out: [Value] = []
    for k in primaryKey {
      guard let v = image[k] else { return nil }
      out.append(v)
    }
    return out
  }

  public static func == (a: RowChange, b: RowChange) -> Bool {
    a.kind == b.kind && a.database == b.database && a.table == b.table && a.primaryKey == b.primaryKey
      && a.before == b.before && a.after == b.after
  }
}

/// A DDL statement or a statement-based query (anything but BEGIN/COMMIT/ROLLBACK).
public struct Statement: Sendable, Equatable {
  /// The default database the statement ran in.
  public var database: String
  public var sql: String
  /// CREATE, ALTER, DROP, RENAME or TRUNCATE (NDJSON type `ddl`; other statements are `query`).
  public var isDDL: Bool
  public var location: Location

  public init(database: String, sql: String, isDDL: Bool, location: Location) {
    self.database = database
    self.sql = sql
    self.isDDL = isDDL
    self.location = location
  }

  public static func == (a: Statement, b: Statement) -> Bool {
    a.database == b.database && a.sql == b.sql && a.isDDL == b.isDDL
  }
}

/// One change of a transaction, in binlog order.
public enum Change: Sendable, Equatable {
  case row(RowChange)
  case statement(Statement)

  public var location: Location {
    switch self {
    case .row(let r): return r.location
    case .statement(let s): return s.location
    }
  }
}
