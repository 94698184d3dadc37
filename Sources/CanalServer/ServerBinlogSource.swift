/// Binlog files served directly: `CanalEntryStream` adapted to `CanalEntrySource`.
import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogSchema
import CanalProtocol

/// The entries Canal's parser would produce from binlog files, read a batch at a time.
///
/// Open the stream with `options.forClients = false`: the server removes GTIDLOG/HEARTBEAT
/// entries and empty transactions itself, after each client's table filter (as Canal's parser
/// filters before its sink suppresses the transactions left empty).
public final class CanalBinlogEntrySource: CanalEntrySource {
  public let stream: CanalEntryStream

  public init(stream: CanalEntryStream) {
    self.stream = stream
  }

  /// A source over `paths` from their start, with the given mapping options (`forClients` is
  /// turned off, see above).
  public convenience init(paths: [String], options: CanalOptions, readerOptions: ReaderOptions, follow: Bool = false)
    throws
  {
    var options = options
    options.forClients = false
    self.init(
      stream: try CanalEntryStream(paths: paths, options: options, readerOptions: readerOptions, follow: follow))
  }

  /// A source over `paths` that serves from `start` on: reading begins at the start point's
  /// first file (`CanalStartPoint.firstFile`); position, time and GTID sets are applied per
  /// event with the walker's transaction state (`CanalStartFilter`).
  ///
  /// `follow`: the last file is followed as the server writes it (`CanalEntryStream.follow`).
  ///
  /// `schema`: a timeline (a `--schema` snapshot, or empty) to name columns by DDL replay as
  /// `export` does; the DDL of files skipped before the start point comes from their indexes
  /// (read when fresh, else built in memory).
  public convenience init(
    paths: [String], options: CanalOptions, readerOptions: ReaderOptions, start: CanalStartPoint,
    schema: SchemaTimeline? = nil, indexDir: String? = nil, follow: Bool = false
  ) throws {
    var options = options
    options.forClients = false
    let first = try start.firstFile(of: paths, readerOptions: readerOptions)
    // Within the first file, the index says which transaction the start point is in: reading
    // begins there instead of at the file's start (an index is read when fresh, else built in
    // memory, which only sizes rows and is several times faster than mapping them).
    var seekTo: UInt64 = 4
    var firstIndex: FileIndex?
    if start.position != nil || start.startMillis != nil, !paths.isEmpty {
      let index = try IndexStore.load(path: paths[first], indexDir: indexDir, persist: false, options: readerOptions).index
      firstIndex = index
      try index.forEachRecord { r in
        if let p = start.position, p.file != nil || first == 0 {
          if r.end > p.offset {
            seekTo = r.start
            return false
          }
        } else if let ms = start.startMillis, Int64(r.firstTimestamp) * 1000 >= ms {
          seekTo = r.start
          return false
        }
        return true
      }
    }
    let stream = try CanalEntryStream(
      paths: paths, options: options, readerOptions: readerOptions,
      start: first > 0 || seekTo > 4 ? BinlogPosition(file: paths[first], offset: seekTo) : nil,
      follow: follow)
    if var timeline = schema {
      if let p = paths.first, let input = try? BinlogInput(path: p, options: readerOptions),
        (try? input.next()) != nil
      {
        timeline.adopt(input.format)
      }
      for (k, p) in paths[...first].enumerated() {
        if k == first && seekTo <= 4 { break }
        let index =
          try (k == first ? firstIndex : nil)
          ?? IndexStore.load(path: p, indexDir: indexDir, persist: false, options: readerOptions).index
        let name = binlogBaseName(p)
        timeline.replay(
          try index.ddlStatements.filter { k < first || $0.offset < seekTo }.map {
            StoredDDL(
              position: BinlogPosition(file: name, offset: $0.offset), timestamp: $0.timestamp,
              database: $0.database, sql: Array($0.sql.utf8))
          })
      }
      let tracker = SchemaTracker(timeline: timeline)
      stream.schema = tracker
      stream.mapper.tableMapSource = { id, _ in tracker.tableMap(id) }
    }
    if !start.isEverything {
      let filter = CanalStartFilter(start, firstFile: binlogBaseName(paths[first]))
      stream.eventFilter = { filter.admits($0, at: $1) }
    }
    self.init(stream: stream)
  }

  public func next(max: Int) throws -> [PositionedEntry] {
    try stream.nextEntries(max: max).map(PositionedEntry.init)
  }

  /// Stops mapping once the entries' bytes reach `bytes` (between events).
  public func next(max: Int, bytes: Int) throws -> [PositionedEntry] {
    try stream.nextEntries(max: max, bytes: bytes).map(PositionedEntry.init)
  }

  public var isFinished: Bool { stream.isAtEnd }
}
