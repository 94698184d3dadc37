import BinlogFormat

/// A Table_map whose columns disagree with the schema timeline.
public struct SchemaMismatch: Sendable, CustomStringConvertible, Equatable {
  public var position: BinlogPosition
  public var table: TableName
  /// Version of the definition that disagreed (the next DDL on the table gives a new one).
  public var schemaVersion: Int
  public var binlogColumns: Int
  public var schemaColumns: Int
  /// What differs, one entry per column (at most a few) or for the column count.
  public var differences: [String]

  public var description: String {
    "\(position): \(table): the binlog's table map disagrees with the schema (" + differences.joined(separator: "; ")
      + "); using binlog types and @N names until the next DDL on this table"
  }
}

/// How many Table_map events of one table disagreed with the timeline (for `info` and `stats`).
public struct MismatchCount: Sendable, Equatable {
  public var table: TableName
  /// Table_map events that disagreed (every one, not one per definition).
  public var tableMaps: Int
  /// The first disagreement: its file:offset and what differed.
  public var first: SchemaMismatch
  /// The last Table_map that disagreed.
  public var last: BinlogPosition?
}

/// The outcome of comparing one Table_map with the timeline.
public struct Reconciliation: Sendable {
  public enum Status: Sendable, Equatable {
    /// The schema agrees with the map: `columns` carry its names, keys and types.
    case matched
    /// The map already has column names (binlog_row_metadata=FULL): nothing to add.
    case binlogHasNames
    /// No definition of the table at that position.
    case unknownTable
    /// A statement touching the table could not be modeled: names may be wrong, so none are given.
    case uncertain(String)
    /// Column count or types disagree: see `mismatch`.
    case mismatch
  }

  public var status: Status
  public var schema: TableSchema?
  /// The map's columns with name, isPrimaryKey/primaryKeyPrefix, unsigned, collation, ENUM/SET
  /// labels and visibility filled from the schema (only when `.matched`). Values the binlog
  /// already carries are kept.
  public var columns: [ColumnInfo]?
  /// Primary-key column indexes in key order (when `.matched`).
  public var primaryKeyOrder: [Int] = []
  public var mismatch: SchemaMismatch?

  /// Compares `map` with `schema` (the table's definition at `position`).
  public static func make(
    map: TableMapEvent, schema: TableSchema?, position: BinlogPosition, flavor: FormatDescription.Flavor,
    trustUncertain: Bool = false
  ) -> Reconciliation {
    if map.hasColumnNames { return Reconciliation(status: .binlogHasNames, schema: schema) }
    guard let schema else { return Reconciliation(status: .unknownTable) }
    if schema.uncertain && !trustUncertain {
      return Reconciliation(status: .uncertain(schema.uncertainReason ?? "uncertain"), schema: schema)
    }
    var defs = schema.columns
    // Hidden functional-index columns may or may not be in the map (servers differ).
    let hidden = defs.filter(\.isHiddenForFunctionalIndex).count
    if hidden > 0 && map.columns.count == defs.count - hidden {
      defs.removeAll(where: \.isHiddenForFunctionalIndex)
    }
    // Key positions by name: the columns may have changed above.
    var pk = schema.primaryKeyNames.compactMap { n in defs.firstIndex { $0.name == n } }
    var prefixes = schema.primaryKeyPrefixes
    // MySQL 8.0.30+ sql_generate_invisible_primary_key: the server adds `my_row_id` first when a
    // table is created without a primary key; the logged CREATE TABLE may not show it.
    if flavor == .mysql, map.columns.count == defs.count + 1, pk.isEmpty, map.columns.first?.type == .longlong,
      !defs.contains(where: { $0.name.lowercased() == "my_row_id" })
    {
      var gipk = ColumnDefinition(name: "my_row_id", dataType: .bigint)
      gipk.unsigned = true
      gipk.nullable = false
      gipk.autoIncrement = true
      gipk.invisible = true
      defs.insert(gipk, at: 0)
      pk = [0]
      prefixes = [0]
      if differences(defs, map, flavor).isEmpty {
        var s = schema
        s.columns = defs
        return matched(map, s, defs, pk: pk, prefixes: prefixes, flavor: flavor)
      }
      defs.removeFirst()
      pk = []
    }
    let diffs = differences(defs, map, flavor)
    if !diffs.isEmpty {
      let m = SchemaMismatch(
        position: position, table: TableName(map.database, map.table), schemaVersion: schema.version,
        binlogColumns: map.columns.count, schemaColumns: defs.count, differences: diffs)
      return Reconciliation(status: .mismatch, schema: schema, mismatch: m)
    }
    return matched(map, schema, defs, pk: pk, prefixes: prefixes, flavor: flavor)
  }

  static func differences(_ defs: [ColumnDefinition], _ map: TableMapEvent, _ flavor: FormatDescription.Flavor) -> [String] {
    var out: [String] = []
    if defs.count != map.columns.count {
      out.append("binlog has \(map.columns.count) columns, schema has \(defs.count)")
    }
    var shown = 0
    for i in 0..<min(defs.count, map.columns.count) {
      if let d = BinlogTypeMapping.difference(defs[i], map.columns[i], flavor: flavor) {
        if shown < 3 {
          out.append("column \(i + 1) `\(defs[i].name)` \(defs[i].columnType(.mysql57)): \(d)")
        }
        shown += 1
      }
    }
    if shown > 3 { out.append("\(shown - 3) more columns differ") }
    return out
  }

  static func matched(
    _ map: TableMapEvent, _ schema: TableSchema, _ defs: [ColumnDefinition], pk: [Int], prefixes: [Int],
    flavor: FormatDescription.Flavor
  ) -> Reconciliation {
    var cols = map.columns
    for i in cols.indices {
      let d = defs[i]
      cols[i].name = d.name
      if cols[i].unsigned == nil && (d.dataType.isNumeric) { cols[i].unsigned = d.unsigned }
      if cols[i].collation == nil, let co = fillCollation(d, cols[i]) { cols[i].collation = co }
      if d.dataType == .enum && cols[i].enumValues == nil { cols[i].enumValues = d.values }
      if d.dataType == .set && cols[i].setValues == nil { cols[i].setValues = d.values }
      // MariaDB 5.3–10.0 hires TIME/DATETIME/TIMESTAMP(n) (mysql56_temporal_format=OFF): 10.0's
      // Table_map gives the old type code without the precision byte, yet the row stores the
      // fraction. Only the definition knows n.
      if d.fsp > 0 && !cols[i].mariaHires && isOldTemporal(cols[i].type) {
        cols[i].meta = UInt16(d.fsp)
        cols[i].mariaHires = true
      }
      // As FULL metadata would say: MySQL 8.0.23+ logs COLUMN_VISIBILITY, MariaDB has no such field.
      if d.invisible && flavor == .mysql { cols[i].visible = false }
    }
    var order = map.primaryKeyOrder
    if order.isEmpty {
      order = pk
      for (k, i) in pk.enumerated() where i < cols.count {
        cols[i].isPrimaryKey = true
        cols[i].primaryKeyPrefix = UInt32(k < prefixes.count ? prefixes[k] : 0)
      }
    }
    return Reconciliation(status: .matched, schema: schema, columns: cols, primaryKeyOrder: order)
  }

  static func isOldTemporal(_ t: ColumnType) -> Bool { t == .timestamp || t == .datetime || t == .time }

  /// The collation id to fill for a column the binlog gives none for. For CHAR/VARCHAR the
  /// byte length must agree with the charset, so a guessed charset is never filled in wrongly.
  static func fillCollation(_ d: ColumnDefinition, _ info: ColumnInfo) -> UInt32? {
    guard d.dataType.isCharacter || d.dataType.isText else {
      return d.isBinaryString && info.isCharacter ? 63 : nil
    }
    guard let cs = d.charset else { return nil }
    if d.dataType == .char || d.dataType == .varchar, let mb = Collations.maxBytesPerChar(cs) {
      guard info.maxLength == (d.length ?? 1) * mb else { return nil }
    }
    if let co = d.collation, let id = Collations.id(ofCollation: co) { return id }
    if cs == "binary" { return 63 }
    return Collations.id(ofCollation: Collations.defaultCollation(ofCharset: cs, flavor: .mariadb, mysql8: false))
  }
}
