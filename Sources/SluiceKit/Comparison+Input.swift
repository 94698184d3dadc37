extension Comparison {
  /// One side of a comparison (`sluice diff`): a golden NDJSON file (`NDJSONChanges`, told by
  /// its content) or binlogs read with `options`. Without `statements`, DDL and other statements
  /// are left out and transactions left empty dropped. The binlog read's warnings go to `warning`.
  public static func transactions(
    at path: String, options: Binlog.Options, statements: Bool = true, warning: (String) -> Void = { _ in }
  ) throws -> [Transaction] {
    var txs: [Transaction]
    if NDJSONChanges.isNDJSON(path: path) {
      txs = try NDJSONChanges.read(path: path)
    } else {
      let binlog = try Binlog(path, options: options)
      txs = try binlog.transactions()
      for w in binlog.warnings { warning(w) }
    }
    if !statements {
      txs = txs.compactMap { t in
        var t = t
        t.changes.removeAll { if case .statement = $0 { return true } else { return false } }
        return t.changes.isEmpty ? nil : t
      }
    }
    return txs
  }
}
