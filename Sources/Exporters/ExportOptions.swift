import BinlogFormat

/// Options shared by the row exporters.
public struct ExportOptions: Sendable {
  /// Zone TIMESTAMP values are rendered in.
  public var zone: TimeZoneSpec = .utc
  /// Emit a line per DDL / statement Query event.
  public var includeQueries = true
  /// `export --stable`: lines without the fields that change when a fixture is recorded again
  /// (file, offsets, times, server id, GTID, xid, thread id), numbered by transaction instead
  /// (`NDJSONExporter+Stable.swift`). One pass only: the numbers count from the first line.
  public var stable = false
  public init() {}
}
