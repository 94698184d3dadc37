import BinlogFormat
import BinlogIndex
import Exporters

/// The report as one JSON document: what `--format json` prints and what the HTML page embeds
/// and draws. Totals, `tables`, `per_minute`, `per_server_id` and `per_gtid_source` have the
/// shape and values of `sluice stats --format json` over the same transactions.
public struct ReportJSON {
  public static let version = 1

  var o: [UInt8] = []
  let data: ReportData
  let commands: ReportCommands
  let inputs: [String]

  /// The JSON text of `data` (`inputs`: the files and directories as given, for the commands).
  public static func render(_ data: ReportData, inputs: [String], generatedAt: Int64?) -> [UInt8] {
    var w = ReportJSON(data: data, commands: ReportCommands(inputs: inputs, window: data.window), inputs: inputs)
    w.document(generatedAt: generatedAt)
    return w.o
  }

  private mutating func raw(_ s: String) { o.append(contentsOf: s.utf8) }
  private mutating func str(_ s: String) { JSONWriter.appendString(s, into: &o) }
  private mutating func key(_ k: String) {
    if let last = o.last, last != UInt8(ascii: "{"), last != UInt8(ascii: "[") { o.append(UInt8(ascii: ",")) }
    str(k)
    o.append(UInt8(ascii: ":"))
  }
  /// An integer's digits straight into the output (no `String` per number).
  private mutating func int<T: BinaryInteger>(_ v: T) {
    if v < 0 {
      o.append(UInt8(ascii: "-"))
      JSONWriter.appendUInt(UInt64(v.magnitude), into: &o)
    } else {
      JSONWriter.appendUInt(UInt64(v), into: &o)
    }
  }
  private mutating func num<T: BinaryInteger>(_ k: String, _ v: T) {
    key(k)
    int(v)
  }
  private mutating func optNum<T: BinaryInteger>(_ k: String, _ v: T?) {
    key(k)
    if let v { int(v) } else { raw("null") }
  }
  private mutating func text(_ k: String, _ v: String?) {
    key(k)
    if let v { str(v) } else { raw("null") }
  }
  private mutating func comma(_ i: Int) { if i > 0 { o.append(UInt8(ascii: ",")) } }

  private mutating func document(generatedAt: Int64?) {
    raw("{")
    num("report_version", ReportJSON.version)
    key("inputs")
    raw("[")
    for (i, p) in inputs.enumerated() {
      comma(i)
      str(p)
    }
    raw("]")
    optNum("generated_at", generatedAt)
    num("top", data.top)
    window()
    num("files", data.files.entries.filter { $0.index != nil }.count)
    num("bytes", data.files.entries.reduce(UInt64(0)) { $0 + ($1.index?.binlogSize ?? 0) })
    num("transactions", data.transactions)
    num("rows", data.rows)
    num("inserts", data.inserts)
    num("updates", data.updates)
    num("deletes", data.deletes)
    num("transaction_bytes", data.bytes)
    num("ddl_count", data.ddl.count + data.ddlLeftOut)
    tables()
    key("transactions_listed")
    raw("[")
    for (i, t) in data.listed.enumerated() {
      comma(i)
      transaction(t)
    }
    raw("]")
    indexList("largest_by_rows", data.largestByRows)
    indexList("largest_by_bytes", data.largestByBytes)
    indexList("longest", data.longest)
    ddl()
    perMinute()
    perServerAndSource()
    timeline()
    fileStatus()
    key("warnings")
    raw("[")
    for (i, w) in data.files.warnings.enumerated() {
      comma(i)
      str(w)
    }
    raw("]")
    key("commands")
    raw("{")
    text("inputs", commands.inputs)
    text(
      "timezone_option",
      data.window.zoneName.uppercased() == "UTC" ? "" : " --timezone \(ReportCommands.quote(data.window.zoneName))")
    raw("}}\n")
  }

  private mutating func window() {
    key("window")
    raw("{")
    optNum("start", data.window.startMicros.map { $0 / 1_000_000 })
    optNum("stop", data.window.stopMicros.map { $0 / 1_000_000 })
    text("timezone", data.window.zoneName)
    let at = Int64((data.firstCommitMicros ?? 0) / 1_000_000)
    num("utc_offset", data.window.zone.offset(at: at))
    optNum("first_commit_us", data.firstCommitMicros)
    optNum("last_commit_us", data.lastCommitMicros)
    raw("}")
  }

  /// The range of whole seconds the report covers, for the commands over all of it.
  private var span: (Int64, Int64) {
    let from = data.window.startMicros.map { Int64($0 / 1_000_000) } ?? Int64((data.firstCommitMicros ?? 0) / 1_000_000)
    let to =
      data.window.stopMicros.map { Int64(($0 + 999_999) / 1_000_000) } ?? Int64((data.lastCommitMicros ?? 0) / 1_000_000) + 1
    return (from, to)
  }

  private mutating func tables() {
    // Ordered as `stats` orders them: by row changes, then by name (descending, as stats).
    let order = data.tableNames.indices.filter { data.tableTotals[$0].transactions > 0 }.sorted {
      (data.tableTotals[$0].rows, data.tableNames[$0]) > (data.tableTotals[$1].rows, data.tableNames[$1])
    }
    let (from, to) = span
    key("tables")
    raw("[")
    for (i, t) in order.enumerated() {
      comma(i)
      let c = data.tableTotals[t]
      raw("{")
      text("table", data.tableNames[t])
      num("inserts", c.inserts)
      num("updates", c.updates)
      num("deletes", c.deletes)
      num("bytes", c.bytes)
      num("transactions", c.transactions)
      text("show", commands.showTable(data.tableNames[t], from: from, to: to))
      text("undo", commands.undoTable(data.tableNames[t], from: from, to: to))
      raw("}")
    }
    raw("]")
  }

  private mutating func transaction(_ t: ReportData.Transaction) {
    let r = t.record
    let file = data.files.entries[t.file].name
    raw("{")
    text("file", file)
    num("start", r.start)
    num("end", r.end)
    num("rows", r.rowCount)
    num("bytes", r.byteCount)
    num("first_ts", r.firstTimestamp)
    num("commit_us", r.commitMicros)
    num("duration", t.duration)
    text("gtid", r.gtid?.description)
    num("server_id", r.serverID)
    optNum("thread_id", r.threadID)
    optNum("xid", r.xid)
    key("ddl")
    raw(r.hasDDL ? "true" : "false")
    key("tables")
    raw("[")
    let idx = data.files.entries[t.file].index!
    for (i, touch) in r.tables.enumerated() {
      comma(i)
      raw("{")
      text("table", idx.tables[Int(touch.table)])
      num("inserts", touch.inserts)
      num("updates", touch.updates)
      num("deletes", touch.deletes)
      num("bytes", touch.bytes)
      raw("}")
    }
    raw("]")
    text("show", commands.show(r, file: file))
    // DDL cannot be undone by row images; statement-only transactions have none.
    text("undo", r.rowCount > 0 ? commands.undo(r, file: file) : nil)
    raw("}")
  }

  private mutating func indexList(_ name: String, _ list: [Int]) {
    key(name)
    raw("[")
    for (i, v) in list.enumerated() {
      comma(i)
      int(v)
    }
    raw("]")
  }

  private mutating func ddl() {
    key("ddl")
    raw("[")
    for (i, d) in data.ddl.enumerated() {
      comma(i)
      raw("{")
      num("transaction", d.transaction)
      key("statements")
      raw("[")
      for (j, s) in d.statements.enumerated() {
        comma(j)
        raw("{")
        num("offset", s.offset)
        num("timestamp", s.timestamp)
        text("database", s.database)
        text("sql", s.sql)
        raw("}")
      }
      raw("]}")
    }
    raw("]")
    num("ddl_left_out", data.ddlLeftOut)
  }

  private mutating func perMinute() {
    var minutes: [(Int64, UInt64, UInt64)] = []
    for b in data.buckets {
      let m = b.start - ((b.start % 60) + 60) % 60
      if let last = minutes.last, last.0 == m {
        minutes[minutes.count - 1].1 += b.transactions
        minutes[minutes.count - 1].2 += b.rows
      } else {
        minutes.append((m, b.transactions, b.rows))
      }
    }
    key("per_minute")
    raw("[")
    for (i, m) in minutes.enumerated() {
      comma(i)
      raw("{\"minute\":\(m.0),\"transactions\":\(m.1),\"rows\":\(m.2)}")
    }
    raw("]")
  }

  private mutating func perServerAndSource() {
    var servers: [UInt32: UInt64] = [:]
    var domains: [Int: UInt64] = [:]
    for b in data.buckets {
      for (k, v) in b.servers { servers[k, default: 0] += v }
      for (k, v) in b.domains { domains[k, default: 0] += v }
    }
    key("per_server_id")
    raw("{")
    for (i, (id, n)) in servers.sorted(by: { $0.key < $1.key }).enumerated() {
      comma(i)
      raw("\"\(id)\":\(n)")
    }
    raw("}")
    key("per_gtid_source")
    raw("{")
    for (i, (name, n)) in domains.map({ (data.domainNames[$0.key], $0.value) }).sorted(by: { $0.0 < $1.0 }).enumerated() {
      comma(i)
      str(name)
      raw(":\(n)")
    }
    raw("}")
  }

  private mutating func timeline() {
    key("timeline")
    raw("{")
    num("bucket_seconds", data.bucketSeconds)
    key("table_names")
    raw("[")
    for (i, n) in data.tableNames.enumerated() {
      comma(i)
      str(n)
    }
    raw("]")
    key("domain_names")
    raw("[")
    for (i, n) in data.domainNames.enumerated() {
      comma(i)
      str(n)
    }
    raw("]")
    key("buckets")
    raw("[")
    for (i, b) in data.buckets.enumerated() {
      comma(i)
      raw("{\"t\":\(b.start),\"transactions\":\(b.transactions),\"rows\":\(b.rows),\"bytes\":\(b.bytes)")
      raw(",\"inserts\":\(b.inserts),\"updates\":\(b.updates),\"deletes\":\(b.deletes),\"ddl\":\(b.ddl),\"tables\":[")
      for (j, (g, c)) in b.tables.sorted(by: { $0.key < $1.key }).enumerated() {
        comma(j)
        raw("[\(g),\(c.inserts),\(c.updates),\(c.deletes),\(c.bytes),\(c.transactions)]")
      }
      raw("],\"servers\":[")
      for (j, (id, n)) in b.servers.sorted(by: { $0.key < $1.key }).enumerated() {
        comma(j)
        raw("[\(id),\(n)]")
      }
      raw("],\"domains\":[")
      for (j, (d, n)) in b.domains.sorted(by: { $0.key < $1.key }).enumerated() {
        comma(j)
        raw("[\(d),\(n)]")
      }
      raw("],\"top\":[")
      for (j, t) in b.top.enumerated() {
        comma(j)
        int(t)
      }
      raw("]}")
    }
    raw("]}")
  }

  private mutating func fileStatus() {
    key("file_status")
    raw("[")
    for (i, e) in data.files.entries.enumerated() {
      comma(i)
      raw("{")
      text("file", e.name)
      text("path", e.path)
      if let idx = e.index {
        num("size", idx.binlogSize)
        num("source_size", idx.sourceSize)
        key("archive")
        raw(idx.isArchive ? "true" : "false")
        num("indexed_end", idx.indexedEnd)
        num("trailing_bytes", idx.binlogSize - Swift.min(idx.binlogSize, idx.indexedEnd))
        num("events", idx.eventCount)
        num("transactions", idx.transactionCount)
        num("transactions_in_window", data.fileTransactions[i])
        optNum("first_commit_us", data.fileFirstCommit[i])
        optNum("last_commit_us", data.fileLastCommit[i])
        num("first_ts", idx.firstTimestamp)
        num("last_ts", idx.lastTimestamp)
        let format = idx.formatEvent.withUnsafeBytes { try? FormatDescription(event: $0, headerLength: 19) }
        text("server_version", format?.serverVersion)
        text("checksum", format.map { $0.checksum.rawValue })
        key("checksums_verified")
        raw(e.checksumsVerifiedNow.map { $0 ? "true" : "false" } ?? "null")
        text("index", e.outcome?.rawValue)
        text("index_note", e.indexNote)
        text("rotate_to", idx.rotateTo)
        text("previous_gtids", idx.previousGTIDs)
      }
      key("damage")
      if let d = e.damage {
        raw("{")
        text("message", d.description)
        optNum("offset", d.offset)
        text("event_type", d.eventType.map { "\($0)" })
        raw("}")
      } else {
        raw("null")
      }
      raw("}")
    }
    raw("]")
  }
}
