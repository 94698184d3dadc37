import BinlogFormat

/// One schema statement as an index stores it: where its Query event starts, when, in which
/// default database, and its text. Replaying a list of them in archive order rebuilds the schema
/// timeline without reading the binlogs again (`SchemaTimeline.replay`), so a query or export
/// that starts in the middle of an archive knows the schema there (`SchemaTracker(resumingAt:)`).
public struct StoredDDL: Sendable, Equatable {
  public var position: BinlogPosition
  public var timestamp: UInt32
  /// The Query event's default database (`USE` context); may be empty.
  public var database: String
  /// The statement text as logged.
  public var sql: [UInt8]
  /// The event's sql_mode (ANSI_QUOTES changes how `"x"` parses), when stored.
  public var sqlMode: UInt64?
  /// Server/database default collations from the event's status variables, when stored.
  public var environment: SchemaCatalog.Environment

  public init(
    position: BinlogPosition, timestamp: UInt32 = 0, database: String, sql: [UInt8], sqlMode: UInt64? = nil,
    environment: SchemaCatalog.Environment = SchemaCatalog.Environment()
  ) {
    self.position = position
    self.timestamp = timestamp
    self.database = database
    self.sql = sql
    self.sqlMode = sqlMode
    self.environment = environment
  }

  public init(file: String, offset: UInt64, timestamp: UInt32 = 0, database: String, sql: String) {
    self.init(
      position: BinlogPosition(file: file, offset: offset), timestamp: timestamp, database: database, sql: Array(sql.utf8))
  }
}

extension SchemaTimeline {
  /// A timeline for binlogs written by the server of `format`: flavor, version (for versioned
  /// comments) and the type-text style of SHOW CREATE TABLE.
  public init(format: FormatDescription) {
    self.init()
    adopt(format)
  }

  /// Applies stored statements in archive order, each at its own position, up to (not including)
  /// `end` when given. `fileOrder` names the archive's files in order (base names); without it,
  /// files order by name, digit runs as numbers (`binlog.000009` < `binlog.000010`). Returns how
  /// many statements were applied; the rest (from the first at or after `end`) are left for a
  /// later call, so `replay(list[applied...], ...)` advances the same timeline further.
  @discardableResult
  public mutating func replay<S: Sequence<StoredDDL>>(
    _ statements: S, before end: BinlogPosition? = nil, fileOrder: [String]? = nil
  ) -> Int {
    let order = fileOrder.map { Dictionary($0.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a }) }
    func atOrAfter(_ p: BinlogPosition, _ e: BinlogPosition) -> Bool {
      if p.file == e.file { return p.offset >= e.offset }
      if let order, let a = order[p.file], let b = order[e.file] { return a > b }
      return e < p
    }
    var applied = 0
    for s in statements {
      if let end, atOrAfter(s.position, end) { break }
      apply(sql: s.sql, database: s.database, at: s.position, sqlMode: s.sqlMode, environment: s.environment)
      applied += 1
    }
    return applied
  }
}

extension SchemaTracker {
  /// A tracker for a walk that starts at `start` instead of the first file: the snapshot (or an
  /// empty timeline) with every stored statement before `start` applied. Feed it the walked events
  /// from `start` on, as usual; statements before `start` are not applied twice because the walk
  /// never sees them. `format`: the Format_description of the file `start` is in (a walk that
  /// seeks may not deliver it as an event).
  public convenience init<S: Sequence<StoredDDL>>(
    resumingAt start: BinlogPosition, statements: S, snapshot: SchemaTimeline? = nil, format: FormatDescription? = nil,
    fileOrder: [String]? = nil
  ) {
    var timeline = snapshot ?? SchemaTimeline()
    if let format { timeline.adopt(format) }
    timeline.replay(statements, before: start, fileOrder: fileOrder)
    self.init(timeline: timeline)
  }
}

extension SchemaTracker {
  /// Applies stored statements before `end` to the tracker's timeline (see
  /// `SchemaTimeline.replay`); returns how many were applied.
  @discardableResult
  public func replay<S: Sequence<StoredDDL>>(
    _ statements: S, before end: BinlogPosition?, fileOrder: [String]? = nil
  ) -> Int {
    var t = timeline
    let n = t.replay(statements, before: end, fileOrder: fileOrder)
    replaceTimeline(t)
    return n
  }
}
