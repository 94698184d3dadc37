import BinlogFormat
import BinlogQuery
import BinlogSchema

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A set of binlog files read as one stream: files, directories of them, and zstd archives
/// (`sluice archive` output, plain `.zst`), ordered by name as `sluice query` orders them.
///
/// ```swift
/// let binlog = try Binlog("Fixtures/mariadb-10.11")
/// for tx in try binlog.transactions(BinlogFilter().tables("sluice_types.ints")) {
///   for change in tx.rowChanges { print(change.kind, change.row) }
/// }
/// ```
///
/// Column names come from the binlog's FULL metadata when it has them, else from replaying the
/// DDL the binlog holds (and a schema snapshot, when given), as `sluice export` names them.
public final class Binlog {
  public struct Options: Sendable {
    /// Zone TIMESTAMP values are written in: `UTC`, `+HH:MM` or an IANA name.
    public var timeZone = "UTC"
    /// A schema snapshot for binlogs without column names (`mysqldump --no-data` output, `SHOW
    /// CREATE TABLE` text, information_schema.COLUMNS as CSV or JSON; a file or a directory):
    /// `sluice export --schema`.
    public var schemaSnapshot: String?
    /// Replay the binlog's DDL to name columns (off: `@1`, `@2`, … where the binlog has no
    /// names, as `--no-schema`).
    public var replaysDDL = true
    /// Verify CRC32 event checksums.
    public var verifiesChecksums = true

    public init() {}
  }

  /// The binlog files, in stream order.
  public var files: [String] { archive.files.map(\.path) }
  public let options: Options
  /// Notes on the input (a binlog present both plain and archived, gaps in the Rotate chain,
  /// schema statements DDL replay could not model, tables whose definition disagrees with the
  /// binlog), each once.
  public private(set) var warnings: [String] = []
  private var warned: Set<String> = []

  let archive: IndexedBinlogs
  let zone: TimeZoneSpec
  let readerOptions: ReaderOptions

  /// Opens one binlog file, a directory of them or a zstd archive.
  public convenience init(_ path: String, options: Options = Options()) throws {
    try self.init(paths: [path], options: options)
  }

  /// Opens binlog files, directories and archives as one stream.
  public init(paths: [String], options: Options = Options()) throws {
    self.options = options
    zone = try TimeZoneSpec(parsing: options.timeZone)
    readerOptions = ReaderOptions(verifyChecksums: options.verifiesChecksums)
    var expanded: [String] = []
    var notes: [String] = []
    for p in paths {
      var st = stat()
      if stat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
        let listing = try BinlogDirectory.listing(of: p)
        notes += listing.notes
        expanded += listing.files
      } else {
        expanded.append(p)
      }
    }
    guard !expanded.isEmpty else { throw BinlogError(.io, "no binlog files", file: paths.first) }
    archive = try IndexedBinlogs.open(paths: expanded, indexDir: nil, useIndex: true, persist: false, options: readerOptions)
    for n in notes + archive.warnings { warn(n) }
  }

  func warn(_ line: String) {
    if warned.insert(line).inserted { warnings.append(line) }
  }

  /// The transactions that pass `filter`, in binlog order, each with its changes.
  public func transactions(_ filter: BinlogFilter = BinlogFilter()) throws -> [Transaction] {
    var out: [Transaction] = []
    try forEachTransaction(filter) { out.append($0) }
    return out
  }

  /// The row changes that pass `filter`, in binlog order.
  public func rowChanges(_ filter: BinlogFilter = BinlogFilter()) throws -> [RowChange] {
    var out: [RowChange] = []
    try forEachTransaction(filter) { out += $0.rowChanges }
    return out
  }

  /// Visits the transactions that pass `filter` one at a time (memory stays bounded by one
  /// transaction).
  public func forEachTransaction(_ filter: BinlogFilter = BinlogFilter(), _ body: (Transaction) throws -> Void) throws {
    var reader = TransactionReader(binlog: self, filter: filter, schema: try makeSchema())
    try reader.run(body)
  }

  /// The DDL-replay schema, seeded as `sluice export` seeds it: the first file's server flavor and
  /// version, then the snapshot.
  private func makeSchema() throws -> SchemaTracker? {
    guard options.replaysDDL else { return nil }
    let (timeline, _) = try SchemaTimeline.seeded(
      firstFile: archive.files.first?.path, readerOptions: readerOptions, snapshot: options.schemaSnapshot,
      onIssue: { warn($0) })
    let tracker = SchemaTracker(timeline: timeline)
    tracker.onMismatch = { [weak self] m in self?.warn("\(m)") }
    tracker.onIssue = { [weak self] r in self?.warn(r.issueDescription) }
    return tracker
  }
}
