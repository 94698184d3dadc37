import BinlogFormat
import BinlogIndex
import BinlogQuery
import BinlogSchema

/// `sluice stats`: activity per table, largest and longest transactions, a per-minute timeline,
/// DDL, and counts per server id / GTID domain — all from the index.
public struct StatsReport {
  public struct TableStats {
    public var name: String
    public var inserts: UInt64 = 0
    public var updates: UInt64 = 0
    public var deletes: UInt64 = 0
    public var bytes: UInt64 = 0
  }
  public struct TxRef {
    public var file: String
    public var record: TransactionRecord
  }

  public var tables: [TableStats] = []
  public var largestByRows: [TxRef] = []
  public var largestByBytes: [TxRef] = []
  public var longest: [TxRef] = []
  /// (minute start epoch seconds, transactions, rows)
  public var timeline: [(minute: Int64, transactions: Int, rows: UInt64)] = []
  public var ddl: [TxRef] = []
  /// Every DDL statement the indexes stored, with its text, in archive order.
  public var ddlStatements: [(file: String, statement: DDLStatementRecord)] = []
  public var perServer: [(UInt32, Int)] = []
  public var perDomain: [(String, Int)] = []
  public var transactions = 0
  public var rows: UInt64 = 0
  public var files = 0
  public var bytes: UInt64 = 0
  /// Table_maps that disagreed with the replayed schema, per table (nil: not audited).
  public var schemaMismatches: [MismatchCount]?

  public init(archive: IndexedBinlogs, top: Int) {
    files = archive.files.count
    bytes = archive.totalSize
    var byTable: [String: TableStats] = [:]
    func duration(_ t: TransactionRecord) -> Int64 { Swift.max(0, t.commitSeconds - Int64(t.firstTimestamp)) }
    // Only the top `top` of each list are kept, so memory does not grow with the archive.
    var byRows = TopList<TxRef>(limit: top) { ($0.record.rowCount, $1.record.start) > ($1.record.rowCount, $0.record.start) }
    var byBytes = TopList<TxRef>(limit: top) { ($0.record.byteCount, $1.record.start) > ($1.record.byteCount, $0.record.start) }
    var byDuration = TopList<TxRef>(limit: top) {
      (duration($0.record), $1.record.start) > (duration($1.record), $0.record.start)
    }
    var minutes: [Int64: (Int, UInt64)] = [:]
    var servers: [UInt32: Int] = [:]
    var domains: [String: Int] = [:]
    for f in archive.files {
      for t in f.index.transactions {
        transactions += 1
        rows += t.rowCount
        let ref = TxRef(file: f.name, record: t)
        byRows.offer(ref)
        byBytes.offer(ref)
        byDuration.offer(ref)
        for touch in t.tables {
          let name = f.index.tables[Int(touch.table)]
          var s = byTable[name] ?? TableStats(name: name)
          s.inserts += UInt64(touch.inserts)
          s.updates += UInt64(touch.updates)
          s.deletes += UInt64(touch.deletes)
          s.bytes += touch.bytes
          byTable[name] = s
        }
        let minute = t.commitSeconds - t.commitSeconds % 60
        let m = minutes[minute] ?? (0, 0)
        minutes[minute] = (m.0 + 1, m.1 + t.rowCount)
        servers[t.serverID, default: 0] += 1
        switch t.gtid {
        case .mysql(let g)?: domains[g.tsid.description, default: 0] += 1
        case .mariadb(let g)?: domains["domain \(g.domain)", default: 0] += 1
        case nil: domains["anonymous", default: 0] += 1
        }
        if t.hasDDL { ddl.append(ref) }
      }
      // An index whose DDL section does not read still lists the DDL transactions above.
      if let statements = try? f.index.ddlStatements { ddlStatements += statements.map { (f.name, $0) } }
    }
    tables = byTable.values.sorted {
      ($0.inserts + $0.updates + $0.deletes, $0.name) > ($1.inserts + $1.updates + $1.deletes, $1.name)
    }
    largestByRows = byRows.items
    largestByBytes = byBytes.items
    longest = byDuration.items
    timeline = minutes.keys.sorted().map { ($0, minutes[$0]!.0, minutes[$0]!.1) }
    perServer = servers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    perDomain = domains.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }

  static let bars: [String] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

  public func text(width: Int = 60) -> String {
    var s = "files: \(files), \(bytes) bytes, \(transactions) transactions, \(rows) rows\n\n"
    s += "per table (inserts / updates / deletes / bytes):\n"
    for t in tables {
      s +=
        "  \(t.name.padding(30))\(t.inserts.description.leftPad(10))\(t.updates.description.leftPad(10))\(t.deletes.description.leftPad(10))\(t.bytes.description.leftPad(14))\n"
    }
    func tx(_ r: TxRef) -> String {
      var x = "\(r.file):\(r.record.start)-\(r.record.end) rows \(r.record.rowCount) bytes \(r.record.byteCount)"
      x += " commit \(TemporalText.isoUTC(r.record.commitSeconds))"
      if let g = r.record.gtid { x += " gtid \(g)" }
      return x
    }
    s += "\nlargest transactions by rows:\n"
    for r in largestByRows { s += "  \(tx(r))\n" }
    s += "\nlargest transactions by bytes:\n"
    for r in largestByBytes { s += "  \(tx(r))\n" }
    s += "\nlongest transactions (first event to commit):\n"
    for r in longest { s += "  \(Swift.max(0, r.record.commitSeconds - Int64(r.record.firstTimestamp)))s  \(tx(r))\n" }
    if !timeline.isEmpty {
      s += "\nactivity per minute (transactions):\n"
      let maxT = timeline.map { $0.transactions }.max() ?? 1
      // Group into at most `width` buckets so the sparkline fits a terminal line.
      let first = timeline.first!.minute
      let last = timeline.last!.minute
      let span = Swift.max(1, (last - first) / 60 + 1)
      let per = Swift.max(1, Int((span + Int64(width) - 1) / Int64(width)))
      var buckets = [Int](repeating: 0, count: Int((span + Int64(per) - 1) / Int64(per)))
      for m in timeline { buckets[Int((m.minute - first) / 60) / per] += m.transactions }
      let peak = Swift.max(1, buckets.max() ?? 1)
      s += "  " + buckets.map { StatsReport.bars[$0 == 0 ? 0 : 1 + ($0 * 7) / peak] }.joined() + "\n"
      s += "  \(TemporalText.isoUTC(first)) … \(TemporalText.isoUTC(last + 59)), \(per) min per column, peak \(maxT)/min\n"
      let busiest = timeline.sorted { ($0.transactions, $1.minute) > ($1.transactions, $0.minute) }.prefix(5)
      for m in busiest { s += "  \(TemporalText.isoUTC(m.minute))  \(m.transactions) transactions, \(m.rows) rows\n" }
    }
    if !ddlStatements.isEmpty {
      s += "\nDDL:\n"
      for (file, d) in ddlStatements {
        // One line: runs of white space as one space.
        var sql = ""
        for c in d.sql where !(c.isWhitespace && (sql.last ?? " ") == " ") { sql.append(c.isWhitespace ? " " : c) }
        if sql.count > 200 { sql = String(sql.prefix(199)) + "…" }
        s +=
          "  \(TemporalText.isoUTC(Int64(d.timestamp)))  \(file):\(d.offset)  \(d.database.isEmpty ? "" : d.database + ": ")\(sql)\n"
      }
    } else if !ddl.isEmpty {
      s += "\nDDL:\n"
      for r in ddl {
        s +=
          "  \(TemporalText.isoUTC(r.record.commitSeconds))  \(r.file):\(r.record.start)\(r.record.gtid.map { " gtid \($0)" } ?? "")\n"
      }
    }
    s += "\nper server id:\n"
    for (id, n) in perServer { s += "  \(id): \(n) transactions\n" }
    s += "\nper GTID source / domain:\n"
    for (d, n) in perDomain { s += "  \(d): \(n) transactions\n" }
    if let m = schemaMismatches { s += "\n" + SchemaMismatchText.text(m) }
    return s
  }

  public func json() -> String {
    var o: [UInt8] = []
    func raw(_ s: String) { o.append(contentsOf: Array(s.utf8)) }
    func str(_ s: String) { JSONWriter.appendString(s, into: &o) }
    func txJSON(_ r: TxRef) {
      raw("{\"file\":")
      str(r.file)
      raw(",\"start\":\(r.record.start),\"end\":\(r.record.end),\"rows\":\(r.record.rowCount),\"bytes\":\(r.record.byteCount)")
      raw(",\"first_ts\":\(r.record.firstTimestamp),\"commit_us\":\(r.record.commitMicros),\"gtid\":")
      if let g = r.record.gtid { str(g.description) } else { raw("null") }
      raw("}")
    }
    func list(_ name: String, _ items: [TxRef]) {
      raw(",\"\(name)\":[")
      for (i, r) in items.enumerated() {
        if i > 0 { raw(",") }
        txJSON(r)
      }
      raw("]")
    }
    raw("{\"files\":\(files),\"bytes\":\(bytes),\"transactions\":\(transactions),\"rows\":\(rows),\"tables\":[")
    for (i, t) in tables.enumerated() {
      if i > 0 { raw(",") }
      raw("{\"table\":")
      str(t.name)
      raw(",\"inserts\":\(t.inserts),\"updates\":\(t.updates),\"deletes\":\(t.deletes),\"bytes\":\(t.bytes)}")
    }
    raw("]")
    list("largest_by_rows", largestByRows)
    list("largest_by_bytes", largestByBytes)
    list("longest", longest)
    list("ddl", ddl)
    raw(",\"ddl_statements\":[")
    for (i, (file, d)) in ddlStatements.enumerated() {
      if i > 0 { raw(",") }
      raw("{\"file\":")
      str(file)
      raw(",\"offset\":\(d.offset),\"ts\":\(d.timestamp),\"time\":\"\(TemporalText.isoUTC(Int64(d.timestamp)))\",\"db\":")
      str(d.database)
      raw(",\"sql\":")
      str(d.sql)
      raw("}")
    }
    raw("]")
    raw(",\"per_minute\":[")
    for (i, m) in timeline.enumerated() {
      if i > 0 { raw(",") }
      raw("{\"minute\":\(m.minute),\"transactions\":\(m.transactions),\"rows\":\(m.rows)}")
    }
    raw("],\"per_server_id\":{")
    for (i, (id, n)) in perServer.enumerated() { raw("\(i > 0 ? "," : "")\"\(id)\":\(n)") }
    raw("},\"per_gtid_source\":{")
    for (i, (d, n)) in perDomain.enumerated() {
      if i > 0 { raw(",") }
      str(d)
      raw(":\(n)")
    }
    raw("}")
    if let m = schemaMismatches {
      raw(",\"schema_mismatches\":")
      SchemaMismatchText.appendJSON(m, into: &o)
    }
    raw("}\n")
    return String(decoding: o, as: UTF8.self)
  }
}

extension String {
  func padding(_ n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
  func leftPad(_ n: Int) -> String { count >= n ? " " + self : String(repeating: " ", count: n - count) + self }
}

/// The best `limit` items under `better`, in order; equal items keep their arrival order.
struct TopList<T> {
  let limit: Int
  let better: (T, T) -> Bool
  private(set) var items: [T] = []

  init(limit: Int, better: @escaping (T, T) -> Bool) {
    self.limit = limit
    self.better = better
  }

  mutating func offer(_ x: T) {
    guard limit > 0 else { return }
    if items.count == limit, let last = items.last, !better(x, last) { return }
    var i = items.count
    while i > 0 && better(x, items[i - 1]) { i -= 1 }
    items.insert(x, at: i)
    if items.count > limit { items.removeLast() }
  }
}
