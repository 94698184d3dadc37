import BinlogFormat
import BinlogQuery

/// Which transactions and changes to read: `sluice query`'s filters (time, position, GTID, table,
/// type, ids, `--pk`), built with the same texts the command line takes.
///
/// Filters combine with AND; repeated values of one filter combine with OR. Time, position,
/// GTID and id filters select whole transactions; table, type and key filters select the
/// changes of a transaction (as `query --rows`), and a transaction without a matching change is
/// left out.
///
/// ```swift
/// let filter = try BinlogFilter()
///   .tables("sluice_types.ints")
///   .types(.update)
///   .primaryKey("id", "3")
///   .committed(from: "2024-03-01 00:00:00", until: "2024-03-01 01:00:00")
/// ```
public struct BinlogFilter: Sendable {
  /// The filter itself, as `sluice query` holds it: every field can be set here directly.
  public var query = QueryFilter()
  /// Keep all changes of a transaction that has a matching change (default: only the matching
  /// changes).
  public var wholeTransactions = false

  public init() {}

  public init(_ query: QueryFilter) {
    self.query = query
  }

  /// `--table`: `table` or `db.table`, with `*` and `?` globs.
  public func tables(_ patterns: String...) -> BinlogFilter {
    var f = self
    f.query.tables += patterns.map { TablePattern(parsing: $0) }
    return f
  }

  /// `--database` (globs).
  public func databases(_ names: String...) -> BinlogFilter {
    var f = self
    f.query.databases += names
    return f
  }

  /// `--type`: insert, update, delete, ddl.
  public func types(_ types: ChangeType...) -> BinlogFilter {
    var f = self
    f.query.types.formUnion(types)
    return f
  }

  /// `--pk col=value`: rows whose before or after image has `value` in `column` (the value as
  /// the NDJSON output writes it, without the quotes of a string). Repeat for a composite key.
  public func primaryKey(_ column: String, _ value: String) -> BinlogFilter {
    var f = self
    f.query.primaryKey.append((column, value))
    return f
  }

  /// `--start-datetime` / `--stop-datetime` (`YYYY-MM-DD HH:MM:SS[.f]` in `zone`: UTC, `+HH:MM`
  /// or an IANA name; `2024-03-01T01:00:00Z` or with an offset; `@EPOCH`): transactions
  /// committed at or after `from` and before `until`.
  public func committed(from: String? = nil, until: String? = nil, zone: String = "UTC") throws -> BinlogFilter {
    var f = self
    let z = try TimeZoneSpec(parsing: zone)
    if let from { f.query.startMicros = try TimeArgument.unsignedMicros(from, zone: z) }
    if let until { f.query.stopMicros = try TimeArgument.unsignedMicros(until, zone: z) }
    return f
  }

  /// `--start-position` / `--stop-position` (`N` or `FILE:N`): transactions that start at or
  /// after `from` and before `until`.
  public func positions(from: String? = nil, until: String? = nil) throws -> BinlogFilter {
    var f = self
    if let from { f.query.startPosition = try BinlogPosition(argument: from) }
    if let until { f.query.stopPosition = try BinlogPosition(argument: until) }
    return f
  }

  /// `--include-gtids` / `--exclude-gtids`: a MySQL GTID set (`uuid:1-5`) or a MariaDB list
  /// (`0-1-5,0-1-7..9`).
  public func gtids(including: String? = nil, excluding: String? = nil) throws -> BinlogFilter {
    var f = self
    if let including { f.query.includeGTIDs = try GTIDFilter(parsing: including) }
    if let excluding { f.query.excludeGTIDs = try GTIDFilter(parsing: excluding) }
    return f
  }

  /// Keep every change of a transaction that has a matching change.
  public func wholeTransactions(_ on: Bool = true) -> BinlogFilter {
    var f = self
    f.wholeTransactions = on
    return f
  }
}
