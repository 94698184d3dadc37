import ArgumentParser
import BinlogFormat
import BinlogQuery
import Exporters

/// The filters `query` and `export` share: one definition, parsed by `FilterArguments` in
/// BinlogQuery, so a filter means the same in both.
struct FilterOptions: ParsableArguments {
  @Option(name: [.customShort("d"), .customLong("database")], help: "Database name (glob); repeatable.")
  var databases: [String] = []

  @Option(name: .customLong("table"), help: "Table as table or db.table, with * and ? globs; repeatable or comma-separated.")
  var tables: [String] = []

  @Option(
    name: .customLong("start-datetime"),
    help:
      "Transactions committed at or after this time: 'YYYY-MM-DD HH:MM:SS[.f]' in --timezone, 2024-03-01T01:00:00Z or with +HH:MM, or @EPOCH."
  )
  var startDatetime: String?

  @Option(name: .customLong("stop-datetime"), help: "Transactions committed before this time (same forms).")
  var stopDatetime: String?

  @Option(help: "Time zone of wall-clock times given and of TIMESTAMP values written: UTC (default), +HH:MM or an IANA name.")
  var timezone: String = "UTC"

  @Option(name: .customLong("start-position"), help: "Transactions starting at or after N or FILE:N.")
  var startPosition: String?

  @Option(name: .customLong("stop-position"), help: "Transactions starting before N or FILE:N.")
  var stopPosition: String?

  @Option(name: .customLong("include-gtids"), help: "MySQL GTID set (uuid[:tag]:1-5,...) or MariaDB list (0-1-5,0-1-7..9).")
  var includeGTIDs: String?

  @Option(name: .customLong("exclude-gtids"), help: "GTIDs to leave out (same syntax).")
  var excludeGTIDs: String?

  @Option(name: .customLong("type"), help: "Change types: insert,update,delete,ddl.")
  var types: [String] = []

  @Option(name: .customLong("server-id"), help: "Server id; repeatable.")
  var serverIDs: [UInt32] = []

  @Option(name: .customLong("thread-id"), help: "Thread (connection) id; repeatable.")
  var threadIDs: [UInt32] = []

  @Option(name: .customLong("xid"), help: "Transaction xid; repeatable.")
  var xids: [UInt64] = []

  @Option(
    name: .customLong("pk"), help: "Follow one row: 'col=value[,col=value]' (values as in the NDJSON output; 'quoted' or bare).")
  var pk: String?

  @Flag(help: "Output only the matching rows and statements instead of whole transactions.")
  var rows = false

  var arguments: FilterArguments {
    var a = FilterArguments()
    a.databases = databases
    a.tables = tables
    a.startDatetime = startDatetime
    a.stopDatetime = stopDatetime
    a.startPosition = startPosition
    a.stopPosition = stopPosition
    a.includeGTIDs = includeGTIDs
    a.excludeGTIDs = excludeGTIDs
    a.types = types
    a.serverIDs = serverIDs
    a.threadIDs = threadIDs
    a.xids = xids
    a.primaryKey = pk
    return a
  }

  /// True when a filter (or --rows) asks for less than everything.
  var isFiltering: Bool { !arguments.isEmpty || rows }

  func validate() throws {
    do { _ = try resolved() } catch { throw ValidationError(sentence(error)) }
  }

  func resolved() throws -> (filter: QueryFilter, zone: TimeZoneSpec) {
    let zone = try TimeZoneSpec(parsing: timezone)
    return (try arguments.filter(zone: zone), zone)
  }
}

/// A thrown error as one sentence (BinlogError's message, not Swift's debug text).
func sentence(_ error: Error) -> String {
  if let e = error as? BinlogError { return e.description }
  if let e = error as? ValidationError { return e.message }
  return "\(error)"
}
