/// Where `sluice serve` starts its clients: a binlog position, a time, GTID sets.
import BinlogFormat
import BinlogIO
import BinlogQuery
import CanalProtocol

/// A start point for every client of a destination, in mysqlbinlog's terms.
///
/// - `position`: entries whose event starts at or after `FILE:N` (or `N` in the first file);
///   files before `FILE` are not read at all.
/// - `startMillis`: serving begins with the first transaction (or statement outside one) whose
///   first entry's `executeTime` (its event timestamp) is at or after this time; everything after
///   it is served, as when a Canal instance is started at a timestamp.
/// - `includeGTIDs` / `excludeGTIDs`: only transactions whose GTID is in (not in) the set. Binlog
///   inputs only: Entry dumps do not carry GTIDs unless written in GTID mode.
public struct CanalStartPoint: Sendable {
  public var position: BinlogPosition?
  public var startMillis: Int64?
  public var includeGTIDs: GTIDFilter?
  public var excludeGTIDs: GTIDFilter?

  public init(
    position: BinlogPosition? = nil, startMillis: Int64? = nil, includeGTIDs: GTIDFilter? = nil,
    excludeGTIDs: GTIDFilter? = nil
  ) {
    self.position = position
    self.startMillis = startMillis
    self.includeGTIDs = includeGTIDs
    self.excludeGTIDs = excludeGTIDs
  }

  /// True when it starts at the beginning and serves everything.
  public var isEverything: Bool {
    position == nil && startMillis == nil && includeGTIDs == nil && excludeGTIDs == nil
  }

  /// Whether a transaction with this GTID is served (GTID sets only).
  public func admits(gtid: GTID?) -> Bool {
    if let includeGTIDs, !includeGTIDs.contains(gtid) { return false }
    if let excludeGTIDs, excludeGTIDs.contains(gtid) { return false }
    return true
  }

  /// The first of `paths` that can hold served entries: the `position` file, or, for a start
  /// time, the last file created (Format_description timestamp) at or before it — a file whose
  /// successor was created before the start time holds only earlier events, since the server
  /// rotates after writing them. Reads one event per file, not the files.
  public func firstFile(of paths: [String], readerOptions: ReaderOptions) throws -> Int {
    var first = 0
    if let position, position.namesFile {
      let file = position.file
      // Clients see a binlog's own name in every Entry header, also when it is served from
      // its archive (`binlog.000002.zst`): accept either name.
      let want = ZstdBinlog.originalName(file)
      guard
        let i = paths.firstIndex(where: {
          binlogBaseName($0) == file || originalBinlogName($0) == want
        })
      else {
        throw BinlogError(
          .io, "--start-position names \(file), which is not among the inputs", file: file)
      }
      first = i
    }
    if let startMillis {
      let seconds = startMillis / 1000
      while first + 1 < paths.count {
        let input = try BinlogInput(path: paths[first + 1], options: readerOptions)
        guard let ev = try input.next(), Int64(ev.header.timestamp) < seconds,
          ev.header.timestamp != 0
        else { break }
        first += 1
      }
    }
    return first
  }

  /// Refuses at start-up, not at a client's first subscribe, a position whose file is not
  /// among `paths` or whose offset is past that file's end.
  public func validate(paths: [String], readerOptions: ReaderOptions) throws {
    guard let position, !paths.isEmpty else { return }
    let i = try firstFile(of: paths, readerOptions: readerOptions)
    let input = try BinlogInput(path: paths[i], options: readerOptions)
    if let size = input.size, position.offset > size {
      throw BinlogError(
        .badPosition, "--start-position \(position.offset) is past the end of \(input.name) (\(size) bytes)",
        file: paths[i])
    }
  }
}

/// A start point applied to binlog events as they are mapped, with the walker's knowledge of
/// transactions: the position gate per event, the time gate at the first event of each
/// transaction (its first event's timestamp), GTID sets per transaction.
public final class CanalStartFilter {
  public let point: CanalStartPoint
  private let positionFile: String
  /// The same file's archive name (the stream may name a file served from its archive so).
  private let positionArchive: String
  private var positionReached: Bool
  private var timeReached: Bool
  private var currentStart: (file: String, offset: UInt64)?
  private var currentAdmitted = true

  /// `firstFile`: the base name of the first file read (where a bare `N` position points).
  public init(_ point: CanalStartPoint, firstFile: String) {
    self.point = point
    positionFile = ZstdBinlog.originalName(point.position.flatMap { $0.namesFile ? $0.file : nil } ?? firstFile)
    positionArchive = positionFile + ".zst"
    positionReached = point.position == nil
    timeReached = point.startMillis == nil
  }

  public func admits(_ transaction: TransactionState, at position: BinlogPosition) -> Bool {
    if !positionReached, let target = point.position {
      let inFile = position.file == positionFile || position.file == positionArchive
      positionReached = inFile ? position.offset >= target.offset : true
      if !positionReached { return false }
    }
    // A new transaction (or statement outside one) starts: decide for all of its events.
    // Events outside any transaction (a GTID list, say) carry no GTID of their own.
    guard transaction.startOffset != 0 else { return timeReached && point.admits(gtid: nil) }
    let start = (position.file, transaction.startOffset)
    if currentStart == nil || currentStart! != start {
      currentStart = start
      if !timeReached, let startMillis = point.startMillis,
        Int64(transaction.firstTimestamp) * 1000 >= startMillis
      {
        timeReached = true
      }
      currentAdmitted = timeReached && point.admits(gtid: transaction.gtid)
    }
    return currentAdmitted
  }
}

/// Drops the entries before a start point's position and time, as they stream past.
///
/// Works on served entries alone (their header's log position, entry type and executeTime), so
/// binlog inputs and Entry dumps share it. Once passed, a start point stays passed.
public struct CanalStartGate: Sendable {
  public let point: CanalStartPoint
  private var positionReached: Bool
  private var timeReached: Bool
  private var inTransaction = false
  private var firstJournal: String?

  public init(_ point: CanalStartPoint) {
    self.point = point
    positionReached = point.position == nil
    timeReached = point.startMillis == nil
  }

  /// True when `entry` is served.
  public mutating func admits(_ entry: PositionedEntry) -> Bool {
    if !positionReached, let target = point.position {
      let journal = entry.position.file
      if firstJournal == nil { firstJournal = journal }
      let file = target.namesFile ? ZstdBinlog.originalName(target.file) : firstJournal!
      if journal == file {
        positionReached = entry.position.offset >= target.offset
      } else {
        positionReached = BinlogPosition.naturalLess(file, journal)
      }
    }
    let startsUnit: Bool
    switch entry.entryType {
    case .transactionbegin:
      inTransaction = true
      startsUnit = true
    case .transactionend:
      defer { inTransaction = false }
      startsUnit = false
    default:
      startsUnit = !inTransaction
    }
    if !positionReached { return false }
    if !timeReached, let start = point.startMillis {
      guard startsUnit, entry.executeTime >= start else { return false }
      timeReached = true
    }
    return true
  }
}

/// Any entry source behind a start gate.
public final class CanalStartGatedSource: CanalEntrySource {
  public let base: any CanalEntrySource
  private var gate: CanalStartGate

  public init(_ base: any CanalEntrySource, start: CanalStartPoint) {
    self.base = base
    self.gate = CanalStartGate(start)
  }

  public func next(max: Int) throws -> [PositionedEntry] {
    while true {
      let batch = try base.next(max: max)
      let kept = batch.filter { gate.admits($0) }
      // Skipped entries are not a pause: read on until something is served or nothing is left.
      if !kept.isEmpty || batch.isEmpty || base.isFinished { return kept }
    }
  }

  public var isFinished: Bool { base.isFinished }
}
