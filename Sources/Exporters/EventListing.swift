import BinlogFormat
import BinlogQuery

/// `sluice events`: one line per event, like mysqlbinlog's `# at N` listing.
public final class EventListing {
  public enum Format: String, Sendable, CaseIterable { case text, ndjson }
  public let sink: OutputSink
  public let format: Format
  public var startPosition: UInt64 = 0
  public var stopPosition: UInt64 = .max
  public private(set) var listed = 0

  public init(sink: OutputSink, format: Format) {
    self.sink = sink
    self.format = format
  }

  /// One-line description of an event body.
  public static func summary<S: EventSource>(_ ev: WalkedEvent, _ walker: BinlogWalker<S>) -> String {
    switch ev.body {
    case .formatDescription(let f):
      return "server \(f.serverVersion), binlog v\(f.binlogVersion), checksum \(f.checksum.rawValue)"
    case .startV3(let f):
      return "server \(f.serverVersion), binlog v\(f.binlogVersion)"
    case .query(let q):
      return "thread \(q.threadID) db `\(q.database)`: \(oneLine(q.queryBytes))"
    case .executeLoadQuery(let e):
      return "thread \(e.query.threadID) file_id \(e.fileID) db `\(e.query.database)`: \(oneLine(e.query.queryBytes))"
    case .stop: return "stop"
    case .rotate(let r): return "rotate to \(r.nextFile):\(r.position)"
    case .intvar(let i): return "\(i.kindName)=\(i.value)"
    case .rand(let r): return "rand_seed1=\(r.seed1) rand_seed2=\(r.seed2)"
    case .userVar(let u): return "@`\(u.name)`=\(u.valueText)"
    case .xid(let x): return "xid=\(x.xid) COMMIT"
    case .incident(let i): return "incident \(i.incident): \(i.message)"
    case .heartbeat(let h): return "heartbeat \(h.logFile)"
    case .rowsQuery(let q): return "rows query: \(oneLine(Array(q.utf8)))"
    case .tableMap(let t):
      return "table_id \(t.tableID) → `\(t.database)`.`\(t.table)` (\(t.columns.count) columns)"
    case .rows(let r):
      let name = walker.tableMaps[r.tableID].map { "`\($0.database)`.`\($0.table)`" } ?? "?"
      var n = 0
      var err = ""
      if let t = walker.tableMaps[r.tableID], var d = try? RowDecoder(event: r, table: t) {
        do {
          while try d.next() { n += 1 }
        } catch { err = " (row decode error: \(error.message))" }
      }
      let flags = r.flags & RowsEvent.flagStatementEnd != 0 ? " STMT_END_F" : ""
      return "table_id \(r.tableID) \(name) \(r.kind.rawValue) rows=\(n)\(flags)\(err)"
    case .gtid(let g):
      let clock = g.logicalClock.map { " last_committed=\($0.lastCommitted) sequence_number=\($0.sequenceNumber)" } ?? ""
      let ts = g.immediateCommitTimestamp.map { " immediate_commit_timestamp=\($0)" } ?? ""
      return (g.gtid.map { "GTID \($0)" } ?? "ANONYMOUS") + clock + ts
    case .gtidTagged(let t):
      let g = t.event
      let clock = g.logicalClock.map { " last_committed=\($0.lastCommitted) sequence_number=\($0.sequenceNumber)" } ?? ""
      return (g.gtid.map { "GTID \($0)" } ?? "ANONYMOUS") + clock
    case .previousGTIDs(let p):
      return "previous GTIDs [\(p.gtids.text(.compact))]"
    case .transactionContext(let t): return "transaction context server \(t.serverUUID) thread \(t.threadID)"
    case .viewChange(let v): return "view change \(v.viewID) seq \(v.sequenceNumber)"
    case .xaPrepare(let x): return "XA PREPARE \(x.xidText)\(x.onePhase ? " ONE PHASE" : "")"
    case .transactionPayload(let p):
      return "compression \(p.compression.name), payload \(p.payloadSize) bytes, uncompressed \(p.uncompressedSize) bytes"
    case .loadBlock(let l): return "file_id \(l.fileID) block \(l.dataLength) bytes"
    case .deleteFile(let id): return "delete file_id \(id)"
    case .annotateRows(let a): return "annotate: \(oneLine(Array(a.text.utf8)))"
    case .binlogCheckpoint(let f): return "checkpoint \(f)"
    case .mariaGTID(let g):
      var s = "GTID \(g.gtid)"
      if g.flags.contains(.standalone) { s += " standalone" }
      if let c = g.commitID { s += " cid=\(c)" }
      if g.flags.contains(.preparedXA) { s += " XA PREPARE" }
      if g.flags.contains(.completedXA) { s += " XA COMPLETE" }
      return s
    case .mariaGTIDList(let l): return "GTID list [\(l.gtids.map { $0.description }.joined(separator: ","))]"
    case .startEncryption(let e): return "start encryption scheme \(e.scheme) key version \(e.keyVersion)"
    case .raw:
      let ign = ev.raw.header.flags & EventHeader.flagIgnorable != 0 ? " (ignorable)" : ""
      return "\(ev.raw.bytes.count) bytes\(ign)"
    }
  }

  package static func oneLine(_ b: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(b.count)
    var lastSpace = false
    for c in b {
      if c == 0x0A || c == 0x0D || c == 0x09 {
        if !lastSpace { out.append(0x20) }
        lastSpace = true
      } else {
        out.append(c)
        lastSpace = c == 0x20
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The summary of the event being listed as NDJSON, reused.
  private var summaryBytes: [UInt8] = []

  /// Reused for counting the rows of every rows event.
  private var rowDecoder: RowDecoder?

  /// The rows of a rows event, counted by decoding them (a decode error ends the count).
  private func countRows(_ r: RowsEvent, _ t: TableMapEvent) -> (Int, BinlogError?) {
    var d: RowDecoder
    if var existing = rowDecoder {
      rowDecoder = nil
      do { try existing.reset(event: r, table: t) } catch { return (0, nil) }
      d = existing
    } else {
      do { d = try RowDecoder(event: r, table: t) } catch { return (0, nil) }
    }
    defer { rowDecoder = d }
    var n = 0
    do {
      while try d.next() { n += 1 }
    } catch {
      return (n, error)
    }
    return (n, nil)
  }

  /// Appends `text` as it would print through a String (invalid UTF-8 becomes U+FFFD).
  private static func appendText(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    if Charset.isValidUTF8(b) {
      out.append(contentsOf: b)
    } else {
      out.append(contentsOf: String(decoding: b, as: UTF8.self).utf8)
    }
  }

  /// `oneLine` written straight into `out` (no String per event): runs without a line break or
  /// tab are copied whole, invalid UTF-8 becomes U+FFFD as through a String.
  package static func appendOneLine(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    let start = out.count
    out.reserveCapacity(start + b.count)
    var run = 0
    var lastSpace = false
    let n = b.count
    var i = 0
    while i < n {
      // Eight bytes at a time to the next LF, CR or tab (statements are long, breaks rare).
      if i &+ 8 <= n {
        let w = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        let m = Self.lineBreakMask(w)
        if m == 0 {
          i &+= 8
          continue
        }
        i &+= m.trailingZeroBitCount >> 3
      }
      let at = i
      let c = b[at]
      i &+= 1
      guard c == 0x0A || c == 0x0D || c == 0x09 else { continue }
      if at > run {
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[run..<at]))
        lastSpace = b[at - 1] == 0x20
      }
      if !lastSpace { out.append(0x20) }
      lastSpace = true
      run = at + 1
    }
    if run < b.count { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[run...])) }
    let valid = out.withUnsafeBytes { Charset.isValidUTF8(UnsafeRawBufferPointer(rebasing: $0[start...])) }
    if !valid {
      let text = String(decoding: out[start...], as: UTF8.self)
      out.removeSubrange(start...)
      out.append(contentsOf: text.utf8)
    }
  }

  /// The high bit of every byte of `w` that is LF, CR or tab (the lowest flagged lane is exact).
  @inline(__always) private static func lineBreakMask(_ w: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    @inline(__always) func eq(_ c: UInt64) -> UInt64 {
      let x = w ^ (c &* ones)
      return (x &- ones) & ~x & highs
    }
    return eq(0x0A) | eq(0x0D) | eq(0x09)
  }

  private static func appendOneLine(_ b: [UInt8], into out: inout [UInt8]) {
    b.withUnsafeBytes { appendOneLine($0, into: &out) }
  }

  private static func appendString(_ s: String, into out: inout [UInt8]) {
    var s = s
    s.withUTF8 { out.append(contentsOf: $0) }
  }

  private static func pad(_ out: inout [UInt8], lineStart: Int, to column: Int) {
    let n = Swift.max(1, column - (out.count - lineStart))
    for _ in 0..<n { out.append(0x20) }
  }

  /// The summary of the most frequent events written as bytes (the same text as `summary`);
  /// false for the others.
  private func appendSummary<S: EventSource>(_ ev: WalkedEvent, _ walker: BinlogWalker<S>, into out: inout [UInt8]) -> Bool {
    switch ev.body {
    case .rows(let r):
      JSONWriter.appendRaw("table_id ", into: &out)
      JSONWriter.appendUInt(r.tableID, into: &out)
      out.append(0x20)
      let t = walker.tableMaps[r.tableID]
      if let t {
        out.append(0x60)
        EventListing.appendString(t.database, into: &out)
        JSONWriter.appendRaw("`.`", into: &out)
        EventListing.appendString(t.table, into: &out)
        out.append(0x60)
      } else {
        out.append(0x3F)
      }
      out.append(0x20)
      JSONWriter.appendRaw(r.kind == .write ? "insert" : r.kind == .update ? "update" : "delete", into: &out)
      JSONWriter.appendRaw(" rows=", into: &out)
      var n = 0
      var err: BinlogError?
      if let t { (n, err) = countRows(r, t) }
      JSONWriter.appendUInt(UInt64(n), into: &out)
      if r.flags & RowsEvent.flagStatementEnd != 0 { JSONWriter.appendRaw(" STMT_END_F", into: &out) }
      if let err { EventListing.appendString(" (row decode error: \(err.message))", into: &out) }
      return true
    case .tableMap(let t):
      JSONWriter.appendRaw("table_id ", into: &out)
      JSONWriter.appendUInt(t.tableID, into: &out)
      JSONWriter.appendRaw(" \u{2192} `", into: &out)
      EventListing.appendString(t.database, into: &out)
      JSONWriter.appendRaw("`.`", into: &out)
      EventListing.appendString(t.table, into: &out)
      JSONWriter.appendRaw("` (", into: &out)
      JSONWriter.appendUInt(UInt64(t.columns.count), into: &out)
      JSONWriter.appendRaw(" columns)", into: &out)
      return true
    case .xid(let x):
      JSONWriter.appendRaw("xid=", into: &out)
      JSONWriter.appendUInt(x.xid, into: &out)
      JSONWriter.appendRaw(" COMMIT", into: &out)
      return true
    case .annotateRows(let a):
      JSONWriter.appendRaw("annotate: ", into: &out)
      EventListing.appendOneLine(a.statement, into: &out)
      return true
    case .query(let q):
      JSONWriter.appendRaw("thread ", into: &out)
      JSONWriter.appendUInt(UInt64(q.threadID), into: &out)
      JSONWriter.appendRaw(" db `", into: &out)
      EventListing.appendString(q.database, into: &out)
      JSONWriter.appendRaw("`: ", into: &out)
      EventListing.appendOneLine(q.queryBytes, into: &out)
      return true
    default:
      return false
    }
  }

  public func consume<S: EventSource>(_ ev: WalkedEvent, walker: BinlogWalker<S>) throws {
    let start = ev.raw.offset
    if start < startPosition || start >= stopPosition { return }
    let end = ev.inPayload ? ev.fileEndOffset : ev.raw.endOffset
    switch format {
    case .text:
      var out = sink.buffer
      sink.buffer = []
      let lineStart = out.count
      JSONWriter.appendUInt(start, into: &out)
      EventListing.pad(&out, lineStart: lineStart, to: 11)
      JSONWriter.appendUInt(end, into: &out)
      EventListing.pad(&out, lineStart: lineStart, to: 22)
      if ev.inPayload { out.append(0x2B) }
      EventListing.appendString(ev.raw.type.name, into: &out)
      EventListing.pad(&out, lineStart: lineStart, to: 48)
      let ts = Int64(ev.raw.header.timestamp)
      if ts == 0 {
        JSONWriter.appendRaw("1970-01-01T00:00:00Z", into: &out)
      } else {
        TemporalText.appendTimestampISO(seconds: ts, micros: 0, fsp: 0, zone: .utc, into: &out)
      }
      out.append(0x20)
      out.append(0x20)
      JSONWriter.appendUInt(UInt64(ev.raw.header.serverID), into: &out)
      out.append(0x20)
      out.append(0x20)
      if !appendSummary(ev, walker, into: &out) {
        EventListing.appendString(EventListing.summary(ev, walker), into: &out)
      }
      out.append(0x0A)
      sink.buffer = out
      try sink.maybeFlush()
    case .ndjson:
      // The summary's text, then written as a JSON string (escaped without a String between).
      summaryBytes.removeAll(keepingCapacity: true)
      if !appendSummary(ev, walker, into: &summaryBytes) {
        summaryBytes.append(contentsOf: EventListing.summary(ev, walker).utf8)
      }
      var out = sink.buffer
      sink.buffer = []
      JSONWriter.appendRaw("{\"file\":", into: &out)
      JSONWriter.appendString(binlogBaseName(walker.fileName), into: &out)
      JSONWriter.appendRaw(",\"pos\":", into: &out)
      JSONWriter.appendUInt(start, into: &out)
      JSONWriter.appendRaw(",\"end\":", into: &out)
      JSONWriter.appendUInt(end, into: &out)
      JSONWriter.appendRaw(",\"type\":", into: &out)
      JSONWriter.appendString(ev.raw.type.name, into: &out)
      JSONWriter.appendRaw(",\"type_code\":", into: &out)
      JSONWriter.appendUInt(UInt64(ev.raw.type.rawValue), into: &out)
      if ev.inPayload { JSONWriter.appendRaw(",\"in_payload\":true", into: &out) }
      JSONWriter.appendRaw(",\"ts\":", into: &out)
      JSONWriter.appendUInt(UInt64(ev.raw.header.timestamp), into: &out)
      JSONWriter.appendRaw(",\"server_id\":", into: &out)
      JSONWriter.appendUInt(UInt64(ev.raw.header.serverID), into: &out)
      JSONWriter.appendRaw(",\"size\":", into: &out)
      JSONWriter.appendUInt(UInt64(ev.raw.bytes.count), into: &out)
      JSONWriter.appendRaw(",\"flags\":", into: &out)
      JSONWriter.appendUInt(UInt64(ev.raw.header.flags), into: &out)
      JSONWriter.appendRaw(",\"summary\":", into: &out)
      summaryBytes.withUnsafeBytes { JSONWriter.appendStringBytes($0, into: &out) }
      if summaryBytes.capacity > 4 << 20 { summaryBytes = [] }  // one huge statement keeps no buffer
      JSONWriter.appendRaw("}\n", into: &out)
      sink.buffer = out
      try sink.maybeFlush()
    }
    listed += 1
  }
}
