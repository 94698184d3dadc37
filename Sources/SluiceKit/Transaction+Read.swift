extension Transaction {
  /// The transactions of `path`: an NDJSON export (a file whose first byte is `{`), or binlogs (a
  /// file, a directory of them, a zstd archive).
  public static func read(path: String, options: Binlog.Options = Binlog.Options()) throws -> [Transaction] {
    if NDJSONChanges.isNDJSON(path: path) { return try NDJSONChanges.read(path: path) }
    return try Binlog(path, options: options).transactions()
  }
}

extension Comparison {
  /// Compares the transactions of two paths, each an NDJSON export or binlogs
  /// (`Transaction.read(path:options:)`).
  public init(expected: String, actual: String, options: Binlog.Options = Binlog.Options()) throws {
    self.init(
      expected: try Transaction.read(path: expected, options: options),
      actual: try Transaction.read(path: actual, options: options))
  }
}
