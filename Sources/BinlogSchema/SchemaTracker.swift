import BinlogFormat

/// Follows a walk: applies each DDL Query event to the timeline at its position and gives every
/// Table_map the names, keys and types of the table at that moment. Hand it every walked event
/// (`consume`), then read table maps through `tableMap(_:)` instead of the walker's.
public final class SchemaTracker {
  public private(set) var timeline: SchemaTimeline
  /// Give names to tables marked uncertain anyway (when their column types agree).
  public var trustUncertain = false
  /// Called once per table definition that disagrees with the binlog.
  public var onMismatch: ((SchemaMismatch) -> Void)?
  /// Called for each schema statement that could not be modeled (or named unknown tables/columns).
  public var onIssue: ((SchemaTimeline.Record) -> Void)?

  /// Mismatches found, one per table definition.
  public private(set) var mismatches: [SchemaMismatch] = []
  /// Table_map events given names from the schema / left positional (no schema, uncertain, mismatch).
  public private(set) var enrichedMaps = 0
  public private(set) var positionalMaps = 0
  /// Table_map events that disagreed with the timeline, per table, in order of first disagreement.
  public var mismatchCounts: [MismatchCount] { mismatchOrder.map { mismatchByTable[$0]! } }
  private var mismatchByTable: [TableName: MismatchCount] = [:]

  /// Returns `mismatchCounts` and starts counting afresh (e.g. one file at a time).
  public func takeMismatchCounts() -> [MismatchCount] {
    defer {
      mismatchByTable = [:]
      mismatchOrder = []
    }
    return mismatchCounts
  }
  private var mismatchOrder: [TableName] = []

  /// One enriched map per table id (a class: a cache hit copies one reference).
  final class Cached {
    var version: Int
    var catalogVersion: Int
    let signature: [UInt32]
    let map: TableMapEvent
    let matched: Bool
    let mismatch: SchemaMismatch?
    init(version: Int, catalogVersion: Int, signature: [UInt32], map: TableMapEvent, matched: Bool, mismatch: SchemaMismatch?) {
      self.version = version
      self.catalogVersion = catalogVersion
      self.signature = signature
      self.map = map
      self.matched = matched
      self.mismatch = mismatch
    }
  }
  /// Enriched maps in force, by table id.
  private var current: [UInt64: TableMapEvent] = [:]
  private var cache: [UInt64: Cached] = [:]
  private var reportedMismatch: Set<Int> = []

  public init(timeline: SchemaTimeline = SchemaTimeline()) {
    self.timeline = timeline
  }

  /// Whether `consume` does anything with an event of this type (the body of a Format_description,
  /// Query or Table_map event): a feed calls it only then, with no call and no file name per
  /// rows event. (By the raw type: a look at the body's case copied the body first.)
  @inlinable public static func takes(_ type: EventType) -> Bool {
    switch type {
    case .formatDescription, .query, .queryCompressed, .tableMap: return true
    default: return false
    }
  }

  /// Takes one walked event: Format_description sets the server flavor, Query events apply their
  /// DDL at their position, Table_map events are enriched. `file` is the walker's `fileName`.
  public func consume(_ ev: WalkedEvent, file: String) {
    switch ev.body {
    case .formatDescription(let fd):
      timeline.adopt(fd)
    case .query(let q):
      applyQuery(q, at: BinlogPosition(baseName: cachedBaseName(file), offset: ev.raw.offset))
    case .tableMap(let map):
      current[map.tableID] = enrich(map, at: BinlogPosition(baseName: cachedBaseName(file), offset: ev.raw.offset))
    default:
      break
    }
  }

  /// Takes the server flavor and version from a Format_description (what `consume` does with one).
  public func adopt(_ format: FormatDescription) {
    timeline.adopt(format)
  }

  private var lastPath = ""
  private var lastBase = ""

  /// `binlogBaseName(path)`, computed once per file.
  private func cachedBaseName(_ path: String) -> String {
    if path != lastPath {
      lastPath = path
      lastBase = binlogBaseName(path)
    }
    return lastBase
  }

  /// Applies a Query event's statement at `position`.
  public func applyQuery(_ q: QueryEvent, at position: BinlogPosition) {
    guard DDLParser.mayChangeSchema(q.queryBytes) else { return }
    var env = SchemaCatalog.Environment()
    if let s = q.statusVars.collationServer { env.serverCollation = Collations.name(ofCollationID: UInt32(s)) }
    if let d = q.statusVars.charsetDatabase { env.databaseCollation = Collations.name(ofCollationID: UInt32(d)) }
    applyStatement(
      q.queryBytes, database: q.database, at: position, sqlMode: q.statusVars.sqlMode, environment: env,
      errorCode: q.errorCode)
  }

  /// Applies one statement's text at `position` (what `applyQuery` does with a Query event).
  public func applyStatement(
    _ sql: [UInt8], database: String, at position: BinlogPosition, sqlMode: UInt64? = nil,
    environment: SchemaCatalog.Environment = SchemaCatalog.Environment(), errorCode: UInt16 = 0
  ) {
    guard DDLParser.mayChangeSchema(sql) else { return }
    let record: SchemaTimeline.Record?
    if errorCode != 0 {
      // Logged although it failed part-way (non-transactional engines): its effect is unknown.
      let context = DDLParser.Context(
        database: database, flavor: timeline.flavor, serverVersion: timeline.serverVersion, sqlMode: sqlMode)
      let parsed = DDLParser.parse(sql, context: context)
      if case .other = parsed { return }
      record = timeline.apply(
        .unsupported(reason: "statement logged with error code \(errorCode)", tables: parsed.tables),
        sql: String(decoding: sql, as: UTF8.self), database: database, at: position, environment: environment)
    } else {
      record = timeline.apply(sql: sql, database: database, at: position, sqlMode: sqlMode, environment: environment)
    }
    if let record, onIssue != nil {
      if case .applied = record.outcome {} else { onIssue?(record) }
    }
  }

  /// Swaps in an advanced copy of the timeline (stored-statement replay).
  func replaceTimeline(_ t: SchemaTimeline) { timeline = t }

  /// The enriched Table_map in force for `tableID` (nil before its Table_map event).
  public func tableMap(_ tableID: UInt64) -> TableMapEvent? { current[tableID] }

  /// `map` with names, primary key, signedness, collations and ENUM/SET labels from the table's
  /// definition in force now; unchanged when the binlog already names the columns or the schema
  /// is unknown, uncertain or disagrees. Cached per table id and definition version.
  public func enrich(_ map: TableMapEvent, at position: BinlogPosition) -> TableMapEvent {
    if map.hasColumnNames { return oldTemporalWidths(map) }
    // Fast path: nothing in the catalog changed since this table id was last enriched.
    let catalogVersion = timeline.catalog.lastVersion
    if let c = cache[map.tableID], c.map.table == map.table, c.map.database == map.database, sameColumns(c.signature, map) {
      if c.catalogVersion == catalogVersion {
        count(c.matched, c.mismatch, at: position)
        return c.map
      }
      if timeline.table(TableName(map.database, map.table))?.version ?? 0 == c.version {
        c.catalogVersion = catalogVersion
        count(c.matched, c.mismatch, at: position)
        return c.map
      }
    }
    let schema = timeline.table(TableName(map.database, map.table))
    let version = schema?.version ?? 0
    let r = Reconciliation.make(
      map: map, schema: schema, position: position, flavor: timeline.flavor, trustUncertain: trustUncertain)
    var out = map
    if let cols = r.columns {
      out.columns = cols
      out.primaryKeyOrder = r.primaryKeyOrder
    }
    if let m = r.mismatch, !reportedMismatch.contains(m.schemaVersion) {
      reportedMismatch.insert(m.schemaVersion)
      mismatches.append(m)
      onMismatch?(m)
    }
    cache[map.tableID] = Cached(
      version: version, catalogVersion: catalogVersion, signature: signature(map), map: out, matched: r.status == .matched,
      mismatch: r.mismatch)
    count(r.status == .matched, r.mismatch, at: position)
    return out
  }

  /// MariaDB's old-format TIME/DATETIME/TIMESTAMP(n) (`mysql56_temporal_format=OFF`, or tables
  /// created before 10.1 and never rebuilt) are logged as types 11/12/7 with no precision, even
  /// with FULL metadata, yet each value stores n's fraction bytes: n comes from the definition in
  /// force (replayed DDL or `--schema`), matched by column name. `map` unchanged when it has no
  /// such column or the definition is unknown.
  func oldTemporalWidths(_ map: TableMapEvent) -> TableMapEvent {
    // (A loop over the fields, not `contains(where:)`: that copied every ColumnInfo, at every
    // table map of the file.)
    var hasOldTemporal = false
    map.columns.withUnsafeBufferPointer { cols in
      for i in cols.indices where Reconciliation.isOldTemporal(cols[i].type) && !cols[i].mariaHires {
        hasOldTemporal = true
        break
      }
    }
    guard hasOldTemporal, let schema = timeline.table(TableName(map.database, map.table))
    else { return map }
    var out = map
    for i in out.columns.indices where Reconciliation.isOldTemporal(out.columns[i].type) && !out.columns[i].mariaHires {
      guard let name = out.columns[i].name?.lowercased(),
        let d = schema.columns.first(where: { $0.name.lowercased() == name }), d.fsp > 0
      else { continue }
      out.columns[i].meta = UInt16(d.fsp)
      out.columns[i].mariaHires = true
    }
    return out
  }

  private func count(_ matched: Bool, _ mismatch: SchemaMismatch?, at position: BinlogPosition) {
    if matched { enrichedMaps += 1 } else { positionalMaps += 1 }
    guard let mismatch else { return }
    if mismatchByTable[mismatch.table] == nil {
      // A cached disagreement carries the position where it was found: report this one.
      var first = mismatch
      first.position = position
      mismatchOrder.append(mismatch.table)
      mismatchByTable[mismatch.table] = MismatchCount(table: mismatch.table, tableMaps: 0, first: first)
    }
    mismatchByTable[mismatch.table]!.tableMaps += 1
    mismatchByTable[mismatch.table]!.last = position
  }

  private func signature(_ map: TableMapEvent) -> [UInt32] {
    map.columns.map { UInt32($0.binlogType) << 24 | UInt32($0.type.rawValue) << 16 | UInt32($0.meta) }
  }

  private func sameColumns(_ sig: [UInt32], _ map: TableMapEvent) -> Bool {
    guard sig.count == map.columns.count else { return false }
    for (i, c) in map.columns.enumerated()
    where sig[i] != UInt32(c.binlogType) << 24 | UInt32(c.type.rawValue) << 16 | UInt32(c.meta) {
      return false
    }
    return true
  }
}
