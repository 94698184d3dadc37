import BinlogFormat

/// The row-level half of a `QueryFilter`: tests on one decoded change (what `query --rows` keeps),
/// for readers that walk transactions themselves.
extension QueryFilter {
  /// `--type` for a row change.
  public func admitsRow(_ type: ChangeType) -> Bool {
    types.isEmpty || types.contains(type)
  }

  /// `--database`, `--table`, `--type` and `--pk` for a statement (DDL or statement-based query)
  /// in `database`: a `--pk` filter never matches a statement; a table pattern matches a
  /// statement that names the table (approximate for DDL).
  public func admitsStatement(database: String, sql: [UInt8]) -> Bool {
    if !primaryKey.isEmpty { return false }
    let ddl = StatementKind.isDDL(sql)
    if !types.isEmpty && !(ddl && types.contains(.ddl)) { return false }
    if !databases.isEmpty && !databases.contains(where: { Glob.match($0, database) }) { return false }
    if !tables.isEmpty {
      let text = String(decoding: sql.filter { $0 != 0x60 }, as: UTF8.self)
      return tables.contains { p in
        (p.database == nil || Glob.match(p.database!, database) || text.contains(p.database! + "."))
          && (p.table.contains("*") || p.table.contains("?") || text.contains(p.table))
      }
    }
    return true
  }

  /// `--pk col=value,...` on one row image: every named column is present and `text(column)`,
  /// its value as the NDJSON output writes it without the quotes of a string, equals the value.
  public func keyMatches(_ text: (String) -> String?) -> Bool {
    for (column, want) in primaryKey {
      guard let have = text(column), have == want else { return false }
    }
    return true
  }
}
