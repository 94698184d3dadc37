import BinlogFormat
import BinlogIndex

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
  public var startPosition: BinlogPosition?
  public var stopPosition: BinlogPosition?
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
  public func admits(_ t: TransactionRecord, in index: FileIndex, fileOrder: Int, startFileOrder: Int?, stopFileOrder: Int?)
    -> Bool
  {
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

/// What a filter needs per file to test block keys: which of the file's tables it selects.
public struct BlockPlan: Sendable {
  /// Per table of the file's index: selected by `--database`/`--table` (nil: no table filter).
  public var tableSelected: [Bool]?
  /// The file's MySQL GTID sources (block keys refer to them by number).
  public var gtidSources: [GTIDSet.TSID] = []
}

extension QueryFilter {
  public func blockPlan(for index: FileIndex) -> BlockPlan {
    var plan = BlockPlan(tableSelected: nil, gtidSources: index.gtidSources)
    if !databases.isEmpty || !tables.isEmpty {
      plan.tableSelected = index.tables.map { name in
        let dot = name.firstIndex(of: ".") ?? name.endIndex
        let tb = dot < name.endIndex ? String(name[name.index(after: dot)...]) : ""
        return matchesTable(database: String(name[..<dot]), table: tb)
      }
    }
    return plan
  }

  /// False when no transaction of a block with key `k` can pass `admits` (conservative).
  public func mayMatch(_ k: BlockKey, plan: BlockPlan, fileOrder: Int, startFileOrder: Int?, stopFileOrder: Int?) -> Bool {
    if let s = startMicros, k.maxCommit < s { return false }
    if let s = stopMicros, k.minCommit >= s { return false }
    if let sp = startPosition {
      let so = startFileOrder ?? 0
      if fileOrder == so && k.lastStart < sp.offset { return false }
    }
    if let sp = stopPosition, stopFileOrder == nil || fileOrder == stopFileOrder, k.firstStart >= sp.offset { return false }
    if !serverIDs.isEmpty && !serverIDs.contains(where: { $0 >= k.minServerID && $0 <= k.maxServerID }) { return false }
    if !threadIDs.isEmpty && !threadIDs.contains(where: { $0 >= k.minThreadID && $0 <= k.maxThreadID }) { return false }
    if !xids.isEmpty && !xids.contains(where: { $0 >= k.minXid && $0 <= k.maxXid }) { return false }
    if let inc = includeGTIDs, !k.flags.contains(.mixedGTIDs) {
      switch k.gtidKind {
      case 1:
        // MySQL: the block's one source must have an interval overlapping its range.
        guard let set = inc.mysql, Int(k.gtidA) < plan.gtidSources.count else { return false }
        let lo = Int64(bitPattern: k.gtidMin)
        let hi = Int64(bitPattern: k.gtidMax)
        if !set.intervals(for: plan.gtidSources[Int(k.gtidA)]).contains(where: { $0.lowerBound <= hi && $0.upperBound >= lo }) {
          return false
        }
      case 2:
        guard let m = inc.maria else { return false }
        let lo = k.gtidMin
        let hi = k.gtidMax
        if !m.elements.contains(where: {
          $0.domain == k.gtidA && ($0.server == nil || $0.server == k.gtidB) && $0.seqs.lowerBound <= hi
            && $0.seqs.upperBound >= lo
        }) {
          return false
        }
      default:
        return false
      }
    }
    if hasRowFilters && !k.flags.contains(.ddl) && !k.flags.contains(.statements) {
      if !types.isEmpty {
        let any =
          (types.contains(.insert) && k.flags.contains(.inserts)) || (types.contains(.update) && k.flags.contains(.updates))
          || (types.contains(.delete) && k.flags.contains(.deletes))
        if !any { return false }
      }
      if let sel = plan.tableSelected {
        var any = false
        for (i, s) in sel.enumerated() where s && k.mayTouch(table: UInt32(i)) {
          any = true
          break
        }
        if !any { return false }
      }
    }
    return true
  }
}
