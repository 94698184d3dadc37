import BinlogFormat
import BinlogSchema
import CanalProtocol

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why `CanalDestination.serving` refused a destination.
public enum ServedDestinationError: Error, CustomStringConvertible, Sendable {
  /// An input that cannot be opened for reading.
  case unreadable(path: String, destination: String)
  /// Inputs and options that cannot go together (a usage error).
  case invalid(String)

  public var description: String {
    switch self {
    case .unreadable(let path, let destination): "cannot read \(path) (destination '\(destination)')"
    case .invalid(let why): why
    }
  }
}

/// How `sluice serve` turns each destination's inputs into Entries.
public struct ServedDestinationSettings: Sendable {
  /// Canal mapping of binlog inputs (time zone of TIMESTAMP values).
  public var mapping = CanalOptions()
  public var readerOptions = ReaderOptions()
  /// Where every client of the destination begins.
  public var start = CanalStartPoint()
  /// Name columns by DDL replay (`SchemaTimeline.seeded` from the destination's first file).
  public var replaysDDL = true
  /// The schema in force before the first file.
  public var schemaSnapshot: String?
  /// Serve what the server appends to the last file, and the files it rotates into.
  public var follow = false
  /// Warnings about the snapshot ("warning: ...").
  public var report: @Sendable (String) -> Void = { _ in }

  public init() {}
}

extension CanalDestination {
  /// The destination serving `paths` (binlog files and archives, or Entry dumps: one kind), its
  /// entry stream opened afresh for each client identity. Directories must be expanded already.
  public static func serving(name: String, paths: [String], settings: ServedDestinationSettings) throws
    -> CanalDestination
  {
    for path in paths where access(path, R_OK) != 0 {
      throw ServedDestinationError.unreadable(path: path, destination: name)
    }
    var schema: SchemaTimeline?
    if settings.replaysDDL {
      let report = settings.report
      schema = try SchemaTimeline.seeded(
        firstFile: paths.first, readerOptions: settings.readerOptions, snapshot: settings.schemaSnapshot,
        onIssue: { report("warning: \($0)") }
      ).timeline
    }
    let start = settings.start
    let kinds = try paths.map { (p) throws(BinlogError) in try ServedInputKind.of(path: p) }
    if settings.follow && kinds.contains(where: { $0 != .binlog }) {
      throw ServedDestinationError.invalid(
        "destination '\(name)': --follow serves binlog files as the server writes them, not Entry dumps")
    }
    if !kinds.contains(.binlog) {
      guard start.includeGTIDs == nil && start.excludeGTIDs == nil else {
        throw ServedDestinationError.invalid(
          "destination '\(name)': --include-gtids/--exclude-gtids need binlog inputs (Entry dumps carry no GTIDs)"
        )
      }
      return CanalDestination(name: name) {
        let dump = CanalEntryDumpStreamSource(paths: paths)
        return start.isEverything ? dump : CanalStartGatedSource(dump, start: start)
      }
    }
    guard !kinds.contains(.entryDump) else {
      throw ServedDestinationError.invalid(
        "destination '\(name)' mixes binlogs and Entry dumps (\(paths[kinds.firstIndex(of: .entryDump)!])); give one kind"
      )
    }
    try start.validate(paths: paths, readerOptions: settings.readerOptions)
    let (mapping, readerOptions, follow) = (settings.mapping, settings.readerOptions, settings.follow)
    return CanalDestination(name: name) { [schema] in
      try CanalBinlogEntrySource(
        paths: paths, options: mapping, readerOptions: readerOptions, start: start, schema: schema, follow: follow)
    }
  }
}
