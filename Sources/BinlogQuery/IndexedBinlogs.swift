import BinlogFormat
import BinlogIO
import BinlogIndex

/// An ordered set of binlog files with their indexes: the unit `query` and `stats` work on.
public struct IndexedBinlogs {
  public struct File {
    public var path: String
    public var name: String
    public var index: FileIndex
    public var indexOutcome: IndexStore.Outcome
    public var indexNote: String?
    public var size: UInt64
  }

  public var files: [File]
  /// Gaps and overlaps found in the Rotate chain.
  public var warnings: [String]
  /// Bytes of binlog read to build or extend indexes.
  public var indexBytesRead: UInt64

  /// Opens `paths` (already expanded from directories) as one stream ordered by name with
  /// numeric suffixes compared as numbers, checked against each file's Rotate target.
  /// `useIndex`: read sidecar indexes when present and fresh (otherwise scan, in memory).
  /// `persist`: write built or extended indexes.
  /// `verifyingBlocksOf`: instead of checking every block of every index on load, check only the
  /// blocks this filter's query may decode (before the first output, so a damaged one is still
  /// rebuilt, with a warning, as on a full load); the other blocks are checked if decoded.
  public static func open(
    paths: [String], indexDir: String?, useIndex: Bool, persist: Bool, options: ReaderOptions = ReaderOptions(),
    verifyingBlocksOf filter: QueryFilter? = nil
  ) throws(BinlogError) -> IndexedBinlogs {
    let ordered = paths.sorted { BinlogPosition.naturalLess(originalBinlogName($0), originalBinlogName($1)) }
    var files: [File] = []
    var read: UInt64 = 0
    var warnings: [String] = []
    for p in ordered {
      let r: IndexStore.Result
      if useIndex {
        r = try IndexStore.load(
          path: p, indexDir: indexDir, persist: persist, options: options, verifyBlocks: filter == nil)
      } else {
        let (idx, n) = try IndexStore.build(path: p, options: options)
        r = IndexStore.Result(index: idx, outcome: .inMemory, note: nil, bytesRead: n)
      }
      read += r.bytesRead
      if let w = r.warning { warnings.append(w) }
      if let n = r.index.incompleteTailNotice { warnings.append(n) }
      files.append(
        File(
          path: p, name: originalBinlogName(p), index: r.index, indexOutcome: r.outcome, indexNote: r.note,
          size: r.index.binlogSize))
    }
    if let filter {
      var damaged: Set<Int> = []
      try IndexedBinlogs(files: files, warnings: [], indexBytesRead: 0).forEachPlannedBlock(filter) { i, block in
        let index = files[i].index
        if !index.blocksVerified && !damaged.contains(i) && (try? index.verifyBlock(block)) == nil { damaged.insert(i) }
      }
      for i in damaged.sorted() {
        // Loaded again with every block checked: the damage is reported and the index rebuilt.
        let r = try IndexStore.load(path: files[i].path, indexDir: indexDir, persist: persist, options: options)
        read += r.bytesRead
        if let w = r.warning { warnings.append(w) }
        files[i].index = r.index
        files[i].indexOutcome = r.outcome
        files[i].indexNote = r.note
      }
    }
    for i in 0..<files.count {
      let f = files[i]
      let next = i + 1 < files.count ? files[i + 1].name : nil
      if let target = f.index.rotateTo {
        if let next, target != next {
          warnings.append("gap: \(f.name) rotates to \(target), but the next file of the archive is \(next)")
        }
      } else if next != nil {
        warnings.append("\(f.name) does not end with a Rotate event (the server stopped or crashed), \(next!) follows")
      }
      if i > 0 {
        let prev = files[i - 1]
        if let pl = prev.index.transactions.last?.gtid, let fp = f.index.transactions.first?.gtid,
          case .mysql(let a) = pl, case .mysql(let b) = fp, a.sid == b.sid, a.tag == b.tag, b.gno <= a.gno
        {
          warnings.append("overlap: \(f.name) starts with \(b), at or before \(prev.name)'s last \(a)")
        }
        if let pl = prev.index.transactions.last?.gtid, let fp = f.index.transactions.first?.gtid,
          case .mariadb(let a) = pl, case .mariadb(let b) = fp, a.domain == b.domain, b.seq <= a.seq
        {
          warnings.append("overlap: \(f.name) starts with \(b), at or before \(prev.name)'s last \(a)")
        }
      }
    }
    return IndexedBinlogs(files: files, warnings: warnings, indexBytesRead: read)
  }

  init(files: [File], warnings: [String], indexBytesRead: UInt64) {
    self.files = files
    self.warnings = warnings
    self.indexBytesRead = indexBytesRead
  }

  /// One file with an index already built (following a file as it grows, `QueryFollower`).
  public init(path: String, index: FileIndex, outcome: IndexStore.Outcome = .inMemory) {
    files = [
      File(
        path: path, name: originalBinlogName(path), index: index, indexOutcome: outcome, indexNote: nil,
        size: index.binlogSize)
    ]
    warnings = []
    indexBytesRead = 0
  }

  public var totalSize: UInt64 { files.reduce(0) { $0 + $1.size } }

  /// Order of the file named in a position (`binlog.000042:4`), by base name.
  public func fileOrder(of position: BinlogPosition?) throws(BinlogError) -> Int? {
    guard let position else { return nil }
    guard position.namesFile else { return 0 }
    let f = position.file
    let want = originalBinlogName(f)
    guard let i = files.firstIndex(where: { $0.name == want }) else {
      throw BinlogError(.malformed, "position names \(f), which is not in the archive")
    }
    return i
  }

  /// Transactions that pass the index-level filters, in archive order.
  public func candidates(_ filter: QueryFilter) throws -> [(file: Int, record: TransactionRecord)] {
    var out: [(Int, TransactionRecord)] = []
    try forEachCandidate(filter) { i, t in out.append((i, t)) }
    return out
  }

  /// Visits the transactions that pass the index-level filters, in archive order, decoding only
  /// the index blocks whose keys (time, position, ids, GTID and table summaries) can match.
  public func forEachCandidate(_ filter: QueryFilter, _ visit: (Int, TransactionRecord) throws -> Void) throws {
    let so = try fileOrder(of: filter.startPosition)
    let eo = filter.stopPosition?.namesFile != true ? nil : try fileOrder(of: filter.stopPosition)
    for (i, f) in files.enumerated() {
      if let so, i < so { continue }
      if let eo, i > eo { continue }
      try f.index.forEachRecord(where: blockFilter(filter, file: i, start: so, stop: eo)) { t in
        if filter.admits(t, in: f.index, fileOrder: i, startFileOrder: so, stopFileOrder: eo) { try visit(i, t) }
        return true
      }
    }
  }

  /// Which blocks of file `i`'s index `forEachCandidate` decodes.
  private func blockFilter(_ filter: QueryFilter, file i: Int, start so: Int?, stop eo: Int?) -> (BlockKey) -> Bool {
    let plan = filter.blockPlan(for: files[i].index)
    return { filter.mayMatch($0, plan: plan, fileOrder: i, startFileOrder: so, stopFileOrder: eo) }
  }

  /// Visits (file, block) for every index block `forEachCandidate(filter)` decodes.
  func forEachPlannedBlock(_ filter: QueryFilter, _ visit: (Int, Int) throws(BinlogError) -> Void) throws(BinlogError) {
    let so = try fileOrder(of: filter.startPosition)
    let eo = filter.stopPosition?.namesFile != true ? nil : try fileOrder(of: filter.stopPosition)
    for (i, f) in files.enumerated() {
      if let so, i < so { continue }
      if let eo, i > eo { continue }
      let mayMatch = blockFilter(filter, file: i, start: so, stop: eo)
      for (b, k) in f.index.blockKeys.enumerated() where mayMatch(k) { try visit(i, b) }
    }
  }
}

/// The name a file stands for in the archive: an archive's original name (`binlog.000002.zst`
/// is `binlog.000002`); positions and Rotate events name the binlog.
