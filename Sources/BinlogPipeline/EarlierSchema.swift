import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogQuery
import BinlogSchema

/// The DDL of the binlogs that come before a file in its own directory: where a binlog read on
/// its own (one file of an archive, a window) gets its column names when it has none of its own
/// (`binlog_row_metadata=MINIMAL`) and its tables were created in earlier files.
public enum EarlierSchema {
  public struct Found: Sendable {
    /// The statements, in archive order, positioned in their own files.
    public var statements: [StoredDDL]
    /// The earlier files read (names), in order.
    public var files: [String]
    public var directory: String
    /// Files whose DDL came from a saved index (the rest were indexed in memory).
    public var fromIndexes: Int

    /// Where the names came from, in one sentence for stderr.
    public var sentence: String {
      let list = files.count <= 3 ? files.joined(separator: ", ") : "\(files.first!) … \(files.last!)"
      let how = fromIndexes == files.count ? "their indexes" : fromIndexes == 0 ? "a scan of them" : "their indexes and a scan"
      return
        "column names from the DDL of \(files.count) earlier binlog\(files.count == 1 ? "" : "s") in \(directory) (\(list)), read through \(how): \(statements.count) statements"
    }
  }

  /// True when the first Table_map of `path` names its columns, false when it does not, nil when
  /// the file has no Table_map (or cannot be read) before `limit` bytes.
  public static func namesColumns(_ path: String, options: ReaderOptions, limit: UInt64 = 64 << 20) -> Bool? {
    guard let input = try? BinlogInput(path: path, options: options) else { return nil }
    var found: Bool?
    var walker = BinlogWalker(source: input)
    struct Enough: Error {}
    _ = try? walker.run { _, ev in
      if case .tableMap(let m) = ev.body {
        found = m.columns.contains { $0.name != nil }
        throw Enough()
      }
      if ev.raw.offset > limit { throw Enough() }
    }
    return found
  }

  /// The stored DDL of the binlogs of `path`'s directory that sort before it (through their
  /// saved indexes when fresh, else indexed in memory; nothing is written), or nil when there
  /// are none or they hold no DDL.
  public static func before(_ path: String, indexDir: String? = nil, options: ReaderOptions) -> Found? {
    guard path != "-" else { return nil }
    let slash = path.lastIndex(of: "/")
    let dir = slash.map { String(path[..<$0]) } ?? "."
    let me = originalBinlogName(path)
    guard let listing = try? BinlogDirectory.listing(of: dir.isEmpty ? "/" : dir) else { return nil }
    var found = Found(statements: [], files: [], directory: dir, fromIndexes: 0)
    for f in listing.files {
      let name = originalBinlogName(f)
      guard BinlogPosition.naturalLess(name, me) else { continue }
      guard let r = try? IndexStore.load(path: f, indexDir: indexDir, persist: false, options: options),
        let ddl = try? r.index.ddlStatements
      else { continue }
      found.files.append(name)
      if r.outcome == .loaded || r.outcome == .extended { found.fromIndexes += 1 }
      found.statements += ddl.map {
        StoredDDL(
          position: BinlogPosition(file: name, offset: $0.offset), timestamp: $0.timestamp, database: $0.database,
          sql: Array($0.sql.utf8))
      }
    }
    return found.statements.isEmpty ? nil : found
  }

  /// For the inputs of one run: when the first names no columns, the DDL before it in its
  /// directory (what `SchemaTimeline.seeded(earlier:)` replays when no `--schema` is given).
  public static func earlierDDL(inputs: [String], indexDir: String? = nil, options: ReaderOptions) -> EarlierDDL? {
    // Only a regular file can be read twice: a pipe's bytes would be gone for the export.
    guard let first = inputs.first, isRegularFile(first), namesColumns(first, options: options) == false,
      let found = before(first, indexDir: indexDir, options: options)
    else { return nil }
    return EarlierDDL(statements: found.statements, files: found.files, note: found.sentence)
  }
}
