import BinlogFormat

/// What `export` and `query` write: one list, so both commands write every format.
public enum OutputFormat: String, CaseIterable, Sendable {
  /// A header line per transaction, then its changes as indented NDJSON (`query`'s default).
  case text
  case ndjson
  /// Varint-delimited Canal Entry protobuf messages.
  case canal
  /// Canal flat-message JSON, one message per line.
  case canalJSON = "canal-json"
  /// SQL that replays the changes, or with flashback undoes them.
  case sql
  /// The transactions' bytes as a binlog file.
  case binlog

  public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
