import BinlogFormat
import BinlogIndex

/// A binlog position: an offset, optionally in a named file (`binlog.000042:1234`).
public struct FilePosition: Sendable, Equatable {
  public var file: String?
  public var offset: UInt64

  public init(file: String?, offset: UInt64) {
    self.file = file
    self.offset = offset
  }

  /// Parses `N` or `FILE:N`.
  public init(parsing text: String) throws {
    if let colon = text.lastIndex(of: ":") {
      let f = String(text[..<colon])
      guard let n = UInt64(text[text.index(after: colon)...]), !f.isEmpty else {
        throw BinlogError(.malformed, "invalid position '\(text)' (expected N or FILE:N)")
      }
      file = f
      offset = n
    } else {
      guard let n = UInt64(text) else { throw BinlogError(.malformed, "invalid position '\(text)' (expected N or FILE:N)") }
      file = nil
      offset = n
    }
  }
}

/// The change kinds `--type` selects.
public enum ChangeType: String, Sendable, CaseIterable {
  case insert, update, delete, ddl
}

/// A `db.table` pattern with `*` and `?` wildcards; a bare `table` matches in any database.
public struct TablePattern: Sendable, Equatable {
  public var database: String?
  public var table: String

  public init(parsing text: String) {
    let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
    if parts.count == 2 {
      database = parts[0].replacingBackticks
      table = parts[1].replacingBackticks
    } else {
      database = nil
      table = text.replacingBackticks
    }
  }

  public func matches(database db: String, table t: String) -> Bool {
    if let database, !Glob.match(database, db) { return false }
    return Glob.match(table, t)
  }
}

/// Shell-style `*`/`?` matching, case-sensitive like MySQL table names on Linux.
public enum Glob {
  public static func match(_ pattern: String, _ text: String) -> Bool {
    let p = Array(pattern.utf8)
    let t = Array(text.utf8)
    var pi = 0
    var ti = 0
    var starP = -1
    var starT = 0
    while ti < t.count {
      if pi < p.count, p[pi] == UInt8(ascii: "?") || p[pi] == t[ti] {
        pi += 1
        ti += 1
      } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
        starP = pi
        starT = ti
        pi += 1
      } else if starP >= 0 {
        pi = starP + 1
        starT += 1
        ti = starT
      } else {
        return false
      }
    }
    while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
    return pi == p.count
  }
}

extension String {
  var replacingBackticks: String { filter { $0 != "`" } }
}

/// GTID filter of either flavor: a MySQL GTID set (with tags) or a MariaDB domain-server-seq list.
public struct GTIDFilter: Sendable {
  public var mysql: GTIDSet?
  public var maria: MariaGTIDFilter?

  /// MySQL GTID-set syntax when the text has ':', else MariaDB `d-s-n[..n]` lists.
  public init(parsing text: String) throws {
    if text.contains(":") {
      mysql = try GTIDSet(parsing: text)
    } else {
      maria = try MariaGTIDFilter(parsing: text)
    }
  }

  public func contains(_ g: GTID?) -> Bool {
    switch g {
    case .mysql(let m)?: return mysql?.contains(m) ?? false
    case .mariadb(let m)?: return maria?.contains(m) ?? false
    case nil: return false
    }
  }
}

/// Everything `sluice query` can filter on. Filters combine with AND; repeated values of one
/// filter combine with OR.
public struct QueryFilter: Sendable {
  public var databases: [String] = []
  public var tables: [TablePattern] = []
  /// Commit time bounds in microseconds since the epoch: start inclusive, stop exclusive.
  public var startMicros: UInt64?
  public var stopMicros: UInt64?
  public var startPosition: FilePosition?
  public var stopPosition: FilePosition?
  public var includeGTIDs: GTIDFilter?
  public var excludeGTIDs: GTIDFilter?
  public var types: Set<ChangeType> = []
  public var serverIDs: Set<UInt32> = []
  public var threadIDs: Set<UInt32> = []
  public var xids: Set<UInt64> = []
  /// `--pk col=value[,col=value]`: follow one row.
  public var primaryKey: [(column: String, value: String)] = []

  public init() {}

  /// True when some filter looks inside transactions (tables, types, key values).
  public var hasRowFilters: Bool {
    !databases.isEmpty || !tables.isEmpty || !types.isEmpty || !primaryKey.isEmpty
  }

  public func matchesTable(database db: String, table t: String) -> Bool {
    if !databases.isEmpty && !databases.contains(where: { Glob.match($0, db) }) { return false }
    if !tables.isEmpty && !tables.contains(where: { $0.matches(database: db, table: t) }) { return false }
    return true
  }

  /// Transaction-level test on an index record. Conservative for what only decoding can tell
  /// (statements' tables, key values): such transactions stay candidates.
  public func admits(_ t: TransactionRecord, in index: FileIndex, fileOrder: Int, startFileOrder: Int?, stopFileOrder: Int?) -> Bool {
    if let s = startMicros, t.commitMicros < s { return false }
    if let s = stopMicros, t.commitMicros >= s { return false }
    if let sp = startPosition {
      let so = startFileOrder ?? 0
      if fileOrder < so || (fileOrder == so && t.start < sp.offset) { return false }
    }
    if let sp = stopPosition {
      let so = stopFileOrder ?? Int.max
      if fileOrder > so || (fileOrder == so && t.start >= sp.offset) { return false }
      if stopFileOrder == nil && t.start >= sp.offset { return false }
    }
    if let inc = includeGTIDs, !inc.contains(t.gtid) { return false }
    if let exc = excludeGTIDs, exc.contains(t.gtid) { return false }
    if !serverIDs.isEmpty && !serverIDs.contains(t.serverID) { return false }
    if !threadIDs.isEmpty && !(t.threadID.map { threadIDs.contains($0) } ?? false) { return false }
    if !xids.isEmpty && !(t.xid.map { xids.contains($0) } ?? false) { return false }
    if hasRowFilters {
      if t.hasDDL || t.hasStatements {
        // Statements' targets are only known by decoding: keep.
        if types.isEmpty || types.contains(.ddl) || !primaryKey.isEmpty { return true }
      }
      var any = false
      for touch in t.tables {
        let name = index.tables[Int(touch.table)]
        let dot = name.firstIndex(of: ".") ?? name.endIndex
        let db = String(name[..<dot])
        let tb = dot < name.endIndex ? String(name[name.index(after: dot)...]) : ""
        if !matchesTable(database: db, table: tb) { continue }
        if types.isEmpty
          || (types.contains(.insert) && touch.inserts > 0)
          || (types.contains(.update) && touch.updates > 0)
          || (types.contains(.delete) && touch.deletes > 0)
        {
          any = true
          break
        }
      }
      if !any { return false }
    }
    return true
  }
}
