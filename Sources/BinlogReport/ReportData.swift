import BinlogFormat
import BinlogIndex
import BinlogQuery

/// What `sluice report` shows, gathered from the files' indexes in one pass over their
/// transaction records (no binlog byte is read when the indexes exist): totals, a bucketed
/// timeline (per minute, or per second for short windows) with per-table, per-type, per-server
/// and per-GTID-domain counts in every bucket, and, per bucket, its largest and longest
/// transactions, so that a narrower time range (the page's brush) can be summed from buckets.
public struct ReportData {
  /// Rows of one table in one bucket (or in the whole report).
  public struct TableCounts {
    public var inserts: UInt64 = 0
    public var updates: UInt64 = 0
    public var deletes: UInt64 = 0
    public var bytes: UInt64 = 0
    public var transactions: UInt64 = 0
    public var rows: UInt64 { inserts + updates + deletes }

    mutating func add(_ t: TableTouch) {
      inserts += UInt64(t.inserts)
      updates += UInt64(t.updates)
      deletes += UInt64(t.deletes)
      bytes += t.bytes
      transactions += 1
    }
  }

  /// A transaction the report lists, with where it is.
  public struct Transaction {
    /// Index into `files`.
    public var file: Int
    public var record: TransactionRecord
    public var duration: Int64 { Swift.max(0, record.commitSeconds - Int64(record.firstTimestamp)) }
  }

  public struct Bucket {
    /// Start of the bucket (epoch seconds, a multiple of `bucketSeconds`).
    public var start: Int64
    public var transactions: UInt64 = 0
    public var rows: UInt64 = 0
    public var bytes: UInt64 = 0
    public var inserts: UInt64 = 0
    public var updates: UInt64 = 0
    public var deletes: UInt64 = 0
    public var ddl: UInt64 = 0
    /// By global table number (`tableNames`).
    public var tables: [UInt32: TableCounts] = [:]
    public var servers: [UInt32: UInt64] = [:]
    /// By `domainNames` number.
    public var domains: [Int: UInt64] = [:]
    /// The bucket's largest (rows, bytes) and longest transactions, as indexes into `listed`.
    public var top: [Int] = []
    var byRows: TopTransactions
    var byBytes: TopTransactions
    var byDuration: TopTransactions
  }

  /// A DDL transaction with its statements' text (from the index's DDL section).
  public struct DDL {
    public var transaction: Int
    public var statements: [DDLStatementRecord]
  }

  public var files: ReportFiles
  public var window: ReportWindow
  public var top: Int
  public var bucketSeconds: Int64
  public var buckets: [Bucket] = []
  public var tableNames: [String] = []
  public var domainNames: [String] = []
  public var tableTotals: [TableCounts] = []
  /// Every transaction the report lists (top lists, bucket tops, DDL), in archive order.
  public var listed: [Transaction] = []
  public var largestByRows: [Int] = []
  public var largestByBytes: [Int] = []
  public var longest: [Int] = []
  public var ddl: [DDL] = []
  /// DDL transactions beyond those listed (`ReportData.maxDDL`).
  public var ddlLeftOut = 0
  public var transactions: UInt64 = 0
  public var rows: UInt64 = 0
  public var inserts: UInt64 = 0
  public var updates: UInt64 = 0
  public var deletes: UInt64 = 0
  public var bytes: UInt64 = 0
  public var firstCommitMicros: UInt64?
  public var lastCommitMicros: UInt64?
  /// Per-file transaction counts and time ranges inside the window.
  public var fileTransactions: [UInt64] = []
  public var fileFirstCommit: [UInt64?] = []
  public var fileLastCommit: [UInt64?] = []

  public static let maxDDL = 5000
  /// Windows up to this long are bucketed per second, longer ones per minute.
  public static let perSecondSpan: Int64 = 15 * 60

  /// Reads every transaction record of `files` committed inside `window`. `top`: how many
  /// transactions the top lists hold (overall and per bucket).
  public init(files: ReportFiles, window: ReportWindow, top: Int) throws(BinlogError) {
    self.files = files
    self.window = window
    self.top = top
    bucketSeconds = ReportData.bucketSize(files: files, window: window)
    try collect()
  }

  /// One second when the commits inside the window span at most `perSecondSpan` (read from the
  /// block keys, before any record is decoded), else one minute.
  static func bucketSize(files: ReportFiles, window: ReportWindow) -> Int64 {
    var lo = UInt64.max
    var hi: UInt64 = 0
    for e in files.entries {
      guard let idx = e.index else { continue }
      for k in idx.blockKeys where k.recordCount > 0 && window.mayOverlap(min: k.minCommit, max: k.maxCommit) {
        lo = Swift.min(lo, Swift.max(k.minCommit, window.startMicros ?? 0))
        hi = Swift.max(hi, Swift.min(k.maxCommit, window.stopMicros.map { $0 - 1 } ?? .max))
      }
    }
    guard lo <= hi else { return 60 }
    return Int64((hi - lo) / 1_000_000) <= perSecondSpan ? 1 : 60
  }

  private mutating func collect() throws(BinlogError) {
    var tableIDs: [String: UInt32] = [:]
    var domainIDs: [String: Int] = [:]
    var bucketAt: [Int64: Int] = [:]
    var overallRows = TopTransactions(top, .rows)
    var overallBytes = TopTransactions(top, .bytes)
    var overallDuration = TopTransactions(top, .duration)
    var ddlRefs: [Transaction] = []
    // Per bucket fewer when there are many buckets (the page stays a few MB for a month).
    let perBucket = Swift.max(3, Swift.min(top, 20000 / Swift.max(1, expectedBuckets())))
    var current = -1
    var currentStart = Int64.min
    var buffer: [UInt8] = []
    for (fi, e) in files.entries.enumerated() {
      fileTransactions.append(0)
      fileFirstCommit.append(nil)
      fileLastCommit.append(nil)
      guard let idx = e.index else { continue }
      // The file's table numbers in the report's.
      var global: [UInt32] = []
      global.reserveCapacity(idx.tables.count)
      for name in idx.tables {
        if let g = tableIDs[name] {
          global.append(g)
        } else {
          let g = UInt32(tableNames.count)
          tableNames.append(name)
          tableTotals.append(TableCounts())
          tableIDs[name] = g
          global.append(g)
        }
      }
      var sourceDomain: [Int] = []
      for s in idx.gtidSources {
        let name = s.description
        if let d = domainIDs[name] {
          sourceDomain.append(d)
        } else {
          domainIDs[name] = domainNames.count
          sourceDomain.append(domainNames.count)
          domainNames.append(name)
        }
      }
      func domain(_ g: GTID?) -> Int {
        let name: String
        switch g {
        case .mysql(let m)?:
          if let i = idx.gtidSources.firstIndex(of: m.tsid) { return sourceDomain[i] }
          name = m.tsid.description
        case .mariadb(let m)?: name = "domain \(m.domain)"
        case nil: name = "anonymous"
        }
        if let d = domainIDs[name] { return d }
        domainIDs[name] = domainNames.count
        domainNames.append(name)
        return domainNames.count - 1
      }
      for (bi, k) in idx.blockKeys.enumerated() where window.mayOverlap(min: k.minCommit, max: k.maxCommit) {
        try idx.decodeBlock(bi, into: &buffer)
        for r in 0..<Int(k.recordCount) {
          let t = try idx.record(in: buffer, key: k, at: r)
          guard window.contains(t.commitMicros) else { continue }
          let rowCount = t.rowCount
          let size = t.byteCount
          transactions += 1
          rows += rowCount
          bytes += size
          fileTransactions[fi] += 1
          if fileFirstCommit[fi] == nil || t.commitMicros < fileFirstCommit[fi]! { fileFirstCommit[fi] = t.commitMicros }
          if fileLastCommit[fi] == nil || t.commitMicros > fileLastCommit[fi]! { fileLastCommit[fi] = t.commitMicros }
          if firstCommitMicros == nil || t.commitMicros < firstCommitMicros! { firstCommitMicros = t.commitMicros }
          if lastCommitMicros == nil || t.commitMicros > lastCommitMicros! { lastCommitMicros = t.commitMicros }
          let s = t.commitSeconds
          let bstart = s - ((s % bucketSeconds) + bucketSeconds) % bucketSeconds
          if bstart != currentStart {
            if let b = bucketAt[bstart] {
              current = b
            } else {
              current = buckets.count
              bucketAt[bstart] = current
              buckets.append(
                Bucket(
                  start: bstart, byRows: TopTransactions(perBucket, .rows), byBytes: TopTransactions(perBucket, .bytes),
                  byDuration: TopTransactions(perBucket, .duration)))
            }
            currentStart = bstart
          }
          buckets[current].transactions += 1
          buckets[current].rows += rowCount
          buckets[current].bytes += size
          for touch in t.tables {
            let g = global[Int(touch.table)]
            tableTotals[Int(g)].add(touch)
            buckets[current].tables[g, default: TableCounts()].add(touch)
            buckets[current].inserts += UInt64(touch.inserts)
            buckets[current].updates += UInt64(touch.updates)
            buckets[current].deletes += UInt64(touch.deletes)
          }
          buckets[current].servers[t.serverID, default: 0] += 1
          buckets[current].domains[domain(t.gtid), default: 0] += 1
          let ref = Transaction(file: fi, record: t)
          buckets[current].byRows.offer(ref)
          buckets[current].byBytes.offer(ref)
          buckets[current].byDuration.offer(ref)
          overallRows.offer(ref)
          overallBytes.offer(ref)
          overallDuration.offer(ref)
          if t.hasDDL {
            buckets[current].ddl += 1
            if ddlRefs.count < ReportData.maxDDL { ddlRefs.append(ref) } else { ddlLeftOut += 1 }
          }
        }
      }
    }
    for b in buckets {
      inserts += b.inserts
      updates += b.updates
      deletes += b.deletes
    }
    // The listed transactions, each once, in archive order.
    var all: [Transaction] = ddlRefs
    for b in buckets { all += b.byRows.items + b.byBytes.items + b.byDuration.items }
    all += overallRows.items + overallBytes.items + overallDuration.items
    all.sort { ($0.file, $0.record.start) < ($1.file, $1.record.start) }
    var position: [Key: Int] = [:]
    for t in all where position[Key(t)] == nil {
      position[Key(t)] = listed.count
      listed.append(t)
    }
    for i in buckets.indices {
      var seen = Set<Int>()
      var top: [Int] = []
      for t in buckets[i].byRows.items + buckets[i].byBytes.items + buckets[i].byDuration.items {
        let p = position[Key(t)]!
        if seen.insert(p).inserted { top.append(p) }
      }
      buckets[i].top = top
      // The lists were only needed to choose `top`.
      buckets[i].byRows = TopTransactions(0, .rows)
      buckets[i].byBytes = TopTransactions(0, .bytes)
      buckets[i].byDuration = TopTransactions(0, .duration)
    }
    buckets.sort { $0.start < $1.start }
    largestByRows = overallRows.items.map { position[Key($0)]! }
    largestByBytes = overallBytes.items.map { position[Key($0)]! }
    longest = overallDuration.items.map { position[Key($0)]! }
    try attachDDL(ddlRefs.map { position[Key($0)]! })
  }

  private struct Key: Hashable {
    var file: Int
    var start: UInt64
    init(_ t: Transaction) {
      file = t.file
      start = t.record.start
    }
  }

  /// How many buckets the window is likely to have (for sizing the per-bucket lists).
  private func expectedBuckets() -> Int {
    var lo = UInt64.max
    var hi: UInt64 = 0
    for e in files.entries {
      guard let idx = e.index else { continue }
      for k in idx.blockKeys where k.recordCount > 0 && window.mayOverlap(min: k.minCommit, max: k.maxCommit) {
        lo = Swift.min(lo, k.minCommit)
        hi = Swift.max(hi, k.maxCommit)
      }
    }
    guard lo <= hi else { return 1 }
    return Int((hi - lo) / 1_000_000 / UInt64(bucketSeconds)) + 1
  }

  /// Joins each DDL transaction with the statements the index stored inside its byte range.
  private mutating func attachDDL(_ refs: [Int]) throws(BinlogError) {
    var statementsOf: [Int: [DDLStatementRecord]] = [:]
    for fi in Set(refs.map { listed[$0].file }) {
      guard let idx = files.entries[fi].index else { continue }
      statementsOf[fi] = try idx.ddlStatements
    }
    for i in refs {
      let t = listed[i]
      let all = statementsOf[t.file] ?? []
      // Statements are in file order: find the first at or after the transaction's start.
      var lo = 0
      var hi = all.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if all[mid].offset < t.record.start { lo = mid + 1 } else { hi = mid }
      }
      var mine: [DDLStatementRecord] = []
      while lo < all.count && all[lo].offset < t.record.end {
        mine.append(all[lo])
        lo += 1
      }
      ddl.append(DDL(transaction: i, statements: mine))
    }
  }
}

/// The best `limit` transactions by one measure, ties to the earlier one.
struct TopTransactions {
  enum Measure { case rows, bytes, duration }
  let limit: Int
  let measure: Measure
  private(set) var items: [ReportData.Transaction] = []

  init(_ limit: Int, _ measure: Measure) {
    self.limit = limit
    self.measure = measure
  }

  @inline(__always) func value(_ t: ReportData.Transaction) -> UInt64 {
    switch measure {
    case .rows: return t.record.rowCount
    case .bytes: return t.record.byteCount
    case .duration: return UInt64(t.duration)
    }
  }

  mutating func offer(_ x: ReportData.Transaction) {
    guard limit > 0 else { return }
    let v = value(x)
    // Long transactions: only those that lasted at least a second are worth listing.
    if measure == .duration && v == 0 { return }
    if items.count == limit, let last = items.last, v <= value(last) { return }
    var i = items.count
    while i > 0 && v > value(items[i - 1]) { i -= 1 }
    items.insert(x, at: i)
    if items.count > limit { items.removeLast() }
  }
}
