import BinlogFormat

/// The filters as the command line gives them, as text: one definition that `query`, `export`
/// and SluiceKit build their `QueryFilter` from, so a filter means the same everywhere.
public struct FilterArguments: Sendable, Equatable {
  public var databases: [String] = []
  /// `--table`: `table` or `db.table` with globs; a value may hold several, comma-separated.
  public var tables: [String] = []
  /// Times as `TimeArgument` reads them; wall-clock times in `zone`.
  public var startDatetime: String?
  public var stopDatetime: String?
  public var startPosition: String?
  public var stopPosition: String?
  public var includeGTIDs: String?
  public var excludeGTIDs: String?
  /// `insert`, `update`, `delete`, `ddl`; a value may hold several, comma-separated.
  public var types: [String] = []
  public var serverIDs: [UInt32] = []
  public var threadIDs: [UInt32] = []
  public var xids: [UInt64] = []
  /// `col=value[,col=value]`.
  public var primaryKey: String?

  public init() {}

  /// True when no filter is given (every transaction passes).
  public var isEmpty: Bool { self == FilterArguments() }

  /// The filter, or the one-sentence reason the text cannot be one.
  public func filter(zone: TimeZoneSpec) throws(BinlogError) -> QueryFilter {
    var f = QueryFilter()
    f.databases = databases
    f.tables = tables.flatMap { $0.split(separator: ",").map { TablePattern(parsing: String($0)) } }
    if let s = startDatetime { f.startMicros = try TimeArgument.unsignedMicros(s, zone: zone) }
    if let s = stopDatetime { f.stopMicros = try TimeArgument.unsignedMicros(s, zone: zone) }
    if let a = f.startMicros, let b = f.stopMicros, b <= a {
      throw BinlogError(
        .malformed, "--stop-datetime \(stopDatetime!) is not after --start-datetime \(startDatetime!): the window is empty")
    }
    do {
      if let p = startPosition { f.startPosition = try BinlogPosition(argument: p) }
      if let p = stopPosition { f.stopPosition = try BinlogPosition(argument: p) }
      if let g = includeGTIDs { f.includeGTIDs = try GTIDFilter(parsing: g) }
      if let g = excludeGTIDs { f.excludeGTIDs = try GTIDFilter(parsing: g) }
    } catch let e as BinlogError {
      throw e
    } catch {
      throw BinlogError(.malformed, "\(error)")
    }
    for t in types.flatMap({ $0.split(separator: ",") }) {
      guard let c = ChangeType(rawValue: t.lowercased()) else {
        throw BinlogError(.malformed, "unknown --type '\(t)' (insert, update, delete, ddl)")
      }
      f.types.insert(c)
    }
    f.serverIDs = Set(serverIDs)
    f.threadIDs = Set(threadIDs)
    f.xids = Set(xids)
    if let primaryKey {
      for part in primaryKey.split(separator: ",") {
        guard let eq = part.firstIndex(of: "="), eq != part.startIndex else {
          throw BinlogError(.malformed, "--pk wants col=value, got '\(part)'")
        }
        var value = part[part.index(after: eq)...]
        // A value quoted as in SQL ('abc', "abc") stands for the text inside the quotes.
        if value.count >= 2, let q = value.first, q == "'" || q == "\"", value.last == q {
          value = value.dropFirst().dropLast()
        }
        f.primaryKey.append((String(part[..<eq]), String(value)))
      }
    }
    return f
  }
}
