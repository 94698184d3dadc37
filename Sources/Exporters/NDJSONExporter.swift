import BinlogFormat
import BinlogIO
import BinlogQuery
import BinlogSchema

#if canImport(Glibc)
  import Glibc
#endif

/// Writes one JSON object per row change and per DDL/statement (README "NDJSON output").
public final class NDJSONExporter {
  public let sink: OutputSink
  public var options: ExportOptions
  /// Transaction start offset the looked-ahead xid belongs to.
  private var lookaheadStart: UInt64 = .max
  private var lookaheadFile = ""
  private var lookaheadXid: UInt64?
  /// The part of every line that is the same for all rows of one event.
  private var prefix = RawTextBuffer(capacity: 1024)
  /// Text formatted into an array first (JSON documents, other charsets), reused.
  private var scratch: [UInt8] = []
  /// Lines go out when this many bytes are buffered.
  private let flushSize = 1 << 20
  private var cachedFileName = ""
  private var cachedBaseName: [UInt8] = []
  /// `"gtid":` value text of the transaction in progress, rendered once per transaction.
  private var cachedGTID: GTID?
  private var cachedGTIDText: [UInt8] = []
  /// `"time":` text of the last event timestamp.
  private var cachedTime: UInt32 = 0
  private var cachedTimeText: [UInt8] = []
  var stableNumbering = StableNumbering()
  /// Per table id: the table's constant JSON text (names, keys), while its table map is unchanged.
  private var tableTexts: [UInt64: TableJSONText] = [:]
  /// A row decoder per table id, reused for its rows events: its value buffers and column
  /// decoders fit the table, so no event allocates (tables alternate within transactions).
  private var decoders: [UInt64: RowDecoder] = [:]
  /// Offline schema (DDL replay, `--schema` dumps): names, keys and labels for tables whose
  /// binlog has no optional metadata.
  public var schema: SchemaTracker?
  /// Whether `consume` feeds events to `schema` (off when the caller feeds it, as `query` does).
  public var feedsSchema = true
  /// When set, only rows for which it returns true are written (query `--rows`, `--pk`).
  public var rowFilter: ((RowDecoder, TableMapEvent) -> Bool)?
  /// Bytes written at the start of every line (the text form of `query` indents its lines).
  public var linePrefix: [UInt8] = []
  public private(set) var rowsWritten: UInt64 = 0
  public private(set) var statementsWritten: UInt64 = 0

  public init(sink: OutputSink, options: ExportOptions = ExportOptions()) {
    self.sink = sink
    self.options = options
  }

  deinit { prefix.deallocate() }

  /// The xid of the walker's current transaction: known, or looked up ahead in a mapped file.
  func transactionXid<S: EventSource>(_ ev: WalkedEvent, _ walker: BinlogWalker<S>, fileName: String) -> UInt64? {
    let state = walker.transaction
    if let x = state.xid { return x }
    // Rows outside BEGIN/COMMIT (non-transactional tables) commit with their statement: no xid.
    if !state.open && !ev.inPayload { return nil }
    if lookaheadStart == state.startOffset && lookaheadFile == fileName { return lookaheadXid }
    lookaheadStart = state.startOffset
    lookaheadFile = fileName
    lookaheadXid = nil
    // Start after the transaction's first event, or at this event when later (nothing before it
    // ends the open transaction; a parallel worker may hold only this part of it); for a
    // payload, from the payload event itself.
    var start = ev.inPayload ? ev.raw.offset : state.startOffset
    if !ev.inPayload, let size = walker.source.eventSize(at: start) { start = Swift.max(start + UInt64(size), ev.raw.offset) }
    lookaheadXid = walker.source.lookaheadXid(from: start)
    return lookaheadXid
  }

  private func appendCommon<S: EventSource, O: ByteAppender>(
    _ ev: WalkedEvent, _ walker: BinlogWalker<S>, fileName: String, xid: UInt64?, into out: inout O
  ) {
    let state = walker.transaction
    if !linePrefix.isEmpty { linePrefix.withUnsafeBytes { out.append(contentsOf: $0) } }
    if options.stable { return appendStableCommon(state, fileName: fileName, into: &out) }
    JSONWriter.appendRaw("{\"file\":", into: &out)
    if cachedFileName != fileName {
      cachedFileName = fileName
      cachedBaseName = Array(binlogBaseName(fileName).utf8)
    }
    JSONWriter.appendRaw("\"", into: &out)
    cachedBaseName.withUnsafeBytes { JSONWriter.appendEscaped($0, into: &out) }
    JSONWriter.appendRaw("\"", into: &out)
    JSONWriter.appendRaw(",\"pos\":", into: &out)
    JSONWriter.appendUInt(ev.raw.offset, into: &out)
    JSONWriter.appendRaw(",\"end\":", into: &out)
    JSONWriter.appendUInt(ev.fileEndOffset, into: &out)
    JSONWriter.appendRaw(",\"ts\":", into: &out)
    JSONWriter.appendUInt(UInt64(ev.raw.header.timestamp), into: &out)
    JSONWriter.appendRaw(",\"time\":\"", into: &out)
    let ts = ev.raw.header.timestamp
    if cachedTimeText.isEmpty || cachedTime != ts {
      // Consecutive events mostly share their second: format it once.
      cachedTime = ts
      cachedTimeText.removeAll(keepingCapacity: true)
      if ts == 0 {
        JSONWriter.appendRaw("1970-01-01T00:00:00Z", into: &cachedTimeText)
      } else {
        TemporalText.appendTimestampISO(seconds: Int64(ts), micros: 0, fsp: 0, zone: .utc, into: &cachedTimeText)
      }
    }
    cachedTimeText.withUnsafeBytes { out.append(contentsOf: $0) }
    JSONWriter.appendRaw("\",\"server_id\":", into: &out)
    JSONWriter.appendUInt(UInt64(ev.raw.header.serverID), into: &out)
    JSONWriter.appendRaw(",\"gtid\":", into: &out)
    if let g = state.gtid {
      if cachedGTID != g {
        cachedGTID = g
        cachedGTIDText.removeAll(keepingCapacity: true)
        JSONWriter.appendString(g.description, into: &cachedGTIDText)
      }
      cachedGTIDText.withUnsafeBytes { out.append(contentsOf: $0) }
    } else {
      JSONWriter.appendRaw("null", into: &out)
    }
    JSONWriter.appendRaw(",\"xid\":", into: &out)
    if let xid { JSONWriter.appendUInt(xid, into: &out) } else { JSONWriter.appendRaw("null", into: &out) }
    JSONWriter.appendRaw(",\"thread_id\":", into: &out)
    if let t = state.threadID { JSONWriter.appendUInt(UInt64(t), into: &out) } else { JSONWriter.appendRaw("null", into: &out) }
  }

  /// Handles one walked event; writes lines for rows events and DDL/statement queries.
  // Specialized for the sources the CLI walks: the generic entry point otherwise looks up the
  // walker's type metadata on every event (callers are in other modules).
  @_specialize(where S == BinlogInput)
  @_specialize(where S == MappedBinlogReader)
  public func consume<S: EventSource>(_ ev: WalkedEvent, walker: BinlogWalker<S>) throws {
    // Read once: the source's name is a computed property behind a class and an optional.
    let fileName = walker.fileName
    if feedsSchema { schema?.consume(ev, file: fileName) }
    switch ev.body {
    case .rows(let rows):
      try writeRows(ev, rows, walker, fileName: fileName)
    case .query(let q):
      guard options.includeQueries else { return }
      let kind = QueryKind.classify(q.queryBytes)
      switch kind {
      case .begin, .commit, .rollback: return
      default: break
      }
      let xid = q.statusVars.xid ?? walker.transaction.xid
      try sink.withText { out in
        appendCommon(ev, walker, fileName: fileName, xid: xid, into: &out)
        JSONWriter.appendRaw(",\"db\":", into: &out)
        JSONWriter.appendString(q.database, into: &out)
        JSONWriter.appendRaw(",\"type\":", into: &out)
        JSONWriter.appendRaw(StatementKind.isDDL(q.queryBytes) ? "\"ddl\"" : "\"query\"", into: &out)
        JSONWriter.appendRaw(",\"sql\":", into: &out)
        appendSQLText(q.queryBytes, into: &out)
        JSONWriter.appendRaw("}\n", into: &out)
        if out.count >= flushSize { try sink.flush(&out) }
      }
      statementsWritten += 1
    default:
      return
    }
  }

  private func appendSQLText<O: ByteAppender>(_ b: [UInt8], into out: inout O) {
    b.withUnsafeBytes { raw in
      if Charset.isValidUTF8(raw) {
        JSONWriter.appendStringBytes(raw, into: &out)
      } else {
        var tmp: [UInt8] = []
        _ = Charset.latin1.appendUTF8(raw, into: &tmp)
        tmp.withUnsafeBytes { JSONWriter.appendStringBytes($0, into: &out) }
      }
    }
  }

  /// The constant text of `table`, from the cache while its table map is the same.
  private func tableText(_ table: TableMapEvent) -> TableJSONText {
    if let t = tableTexts[table.tableID], t.matches(table) { return t }
    let t = TableJSONText(table)
    tableTexts[table.tableID] = t
    return t
  }

  private func writeRows<S: EventSource>(
    _ ev: WalkedEvent, _ rows: RowsEvent, _ walker: BinlogWalker<S>, fileName: String
  ) throws {
    guard let table = schema?.tableMap(rows.tableID) ?? walker.tableMaps[rows.tableID] else {
      throw BinlogError(
        .malformed, "rows event for table id \(rows.tableID) has no preceding Table_map",
        file: fileName, offset: ev.raw.offset, eventType: ev.raw.type)
    }
    let text = tableText(table)
    let xid = transactionXid(ev, walker, fileName: fileName)
    // The part of every line that is the same for all rows of this event.
    var prefix = self.prefix
    prefix.removeAll()
    appendCommon(ev, walker, fileName: fileName, xid: xid, into: &prefix)
    text.head.withUnsafeBytes { prefix.append(contentsOf: $0) }
    JSONWriter.appendRaw(",\"type\":\"", into: &prefix)
    JSONWriter.appendRaw(rows.kind == .write ? "insert" : rows.kind == .update ? "update" : "delete", into: &prefix)
    prefix.append(0x22)
    text.keyList.withUnsafeBytes { prefix.append(contentsOf: $0) }
    JSONWriter.appendRaw(",\"before\":", into: &prefix)
    if rows.kind == .write { JSONWriter.appendRaw("null,\"after\":", into: &prefix) }
    self.prefix = prefix

    // Moved out of the cache, not copied (a copy retains every array and string it holds).
    var decoder: RowDecoder
    do {
      var slot = decoders.removeValue(forKey: rows.tableID)
      if slot == nil {
        slot = try RowDecoder(event: rows, table: table)
      } else {
        try slot!.reset(event: rows, table: table)
      }
      decoder = slot.take()!
    } catch {
      throw error.with(file: fileName, offset: ev.raw.offset, eventType: ev.raw.type)
    }
    defer {
      if decoders.count >= 64 { decoders.removeAll() }
      decoders[rows.tableID] = decoder
    }
    let kind = rows.kind
    let isPartial = rows.isPartialUpdate
    let columnCount = rows.columnCount
    let zone = options.zone
    var scratch = self.scratch
    self.scratch = []
    let rowFilter = self.rowFilter
    // Counted here, not in the property: a class property costs an exclusivity check per row.
    var written: UInt64 = 0
    defer {
      self.scratch = scratch
      rowsWritten += written
    }
    let prefixBytes = prefix.bytes
    do {
      try sink.withText { out in
        do {
          try table.columns.withUnsafeBufferPointer { cols in
            while try decoder.next() {
              if let rowFilter, !rowFilter(decoder, table) { continue }
              out.append(contentsOf: prefixBytes)
              try decoder.withImages { before, after in
                if kind != .write {
                  try appendImage(before, text, cols, before: before, isAfter: false, zone: zone, scratch: &scratch, into: &out)
                  JSONWriter.appendRaw(",\"after\":", into: &out)
                }
                if kind == .delete {
                  JSONWriter.appendRaw("null", into: &out)
                } else {
                  try appendImage(after, text, cols, before: before, isAfter: true, zone: zone, scratch: &scratch, into: &out)
                }
                if kind == .update {
                  JSONWriter.appendRaw(",\"changed\":[", into: &out)
                  var first = true
                  for i in 0..<columnCount {
                    let a = after[i]
                    if a.isAbsent { continue }
                    if ColumnValueComparison.same(before[i], a) { continue }
                    if !first { out.append(0x2C) }
                    first = false
                    text.appendName(i, into: &out)
                  }
                  out.append(0x5D)
                  if isPartial {
                    var first = true
                    for i in 0..<columnCount {
                      guard case .jsonDiff(let diff) = after[i] else { continue }
                      JSONWriter.appendRaw(first ? ",\"json_diff\":{" : ",", into: &out)
                      first = false
                      text.appendName(i, into: &out)
                      out.append(0x3A)
                      scratch.removeAll(keepingCapacity: true)
                      try NDJSONValue.appendDiffList(diff, into: &scratch)
                      scratch.withUnsafeBytes { out.append(contentsOf: $0) }
                    }
                    if !first { out.append(0x7D) }
                  }
                }
              }
              JSONWriter.appendRaw("}\n", into: &out)
              written += 1
              if out.count >= flushSize { try sink.flush(&out) }
            }
          }
        }
      }
    } catch let e as BinlogError {
      throw e.with(file: fileName, offset: ev.raw.offset, eventType: ev.raw.type)
    }
  }

  private func appendImage(
    _ values: UnsafeBufferPointer<ColumnValue>, _ text: TableJSONText, _ cols: UnsafeBufferPointer<ColumnInfo>,
    before: UnsafeBufferPointer<ColumnValue>, isAfter: Bool, zone: TimeZoneSpec, scratch: inout [UInt8],
    into out: inout RawTextBuffer
  ) throws {
    out.append(0x7B)
    var first = true
    do {
      for i in 0..<values.count {
        let v = values[i]
        if v.isAbsent { continue }
        if !first { out.append(0x2C) }
        first = false
        text.appendKey(i, into: &out)
        if isAfter, case .jsonDiff(let diffBytes) = v, case .json(let beforeDoc) = before[i] {
          let doc = try JSONBinary.decode(beforeDoc)
          let diffs = try JSONDiffCodec.parseBody(diffBytes)
          scratch.removeAll(keepingCapacity: true)
          try JSONDiffCodec.apply(diffs, to: doc).appendCompactJSON(into: &scratch)
          scratch.withUnsafeBytes { NDJSONValue.appendJSONDocument($0, into: &out) }
        } else {
          try NDJSONValue.append(v, columnAt: cols.baseAddress! + i, zone: zone, scratch: &scratch, into: &out)
        }
      }
    }
    out.append(0x7D)
  }
}

/// The JSON text of one table map that every line of its rows repeats: `,"db":…,"table":…`,
/// `,"pk":[…]` (and `,"positional":true`), and each column's name as a JSON string. Kept per
/// table id while the table map is the same (same column array, names and key).
final class TableJSONText {
  /// The columns of the last table map found the same (`matches`): a rows event of that map then
  /// compares one array reference, not every column (each parallel export chunk decodes its
  /// table maps anew, and once a new map matched by value the old array never matched by reference).
  private(set) var columns: [ColumnInfo]
  let database: String
  let table: String
  let primaryKey: [Int]
  /// `,"db":"…","table":"…"`
  let head: [UInt8]
  /// `,"pk":[…]` plus `,"positional":true` without column names.
  let keyList: [UInt8]
  /// Column i's `"name":` is `keys[keyStart[i]..<keyStart[i + 1]]`: raw copies of the arrays,
  /// read per value without retains or bounds checks.
  let keyBytes: UnsafeMutableRawBufferPointer
  let keyStart: UnsafeMutableBufferPointer<Int>

  init(_ t: TableMapEvent) {
    columns = t.columns
    database = t.database
    table = t.table
    primaryKey = t.primaryKey
    var keys: [UInt8] = []
    var starts: [Int] = [0]
    for (i, c) in t.columns.enumerated() {
      if let n = c.name {
        JSONWriter.appendString(n, into: &keys)
      } else {
        JSONWriter.appendRaw("\"@", into: &keys)
        JSONWriter.appendUInt(UInt64(i + 1), into: &keys)
        keys.append(0x22)
      }
      keys.append(0x3A)
      starts.append(keys.count)
    }
    let kb = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(1, keys.count), alignment: 8)
    keys.withUnsafeBytes { kb.copyMemory(from: $0) }
    keyBytes = kb
    let ks = UnsafeMutableBufferPointer<Int>.allocate(capacity: starts.count)
    _ = ks.initialize(from: starts)
    keyStart = ks
    var head: [UInt8] = []
    JSONWriter.appendRaw(",\"db\":", into: &head)
    JSONWriter.appendString(t.database, into: &head)
    JSONWriter.appendRaw(",\"table\":", into: &head)
    JSONWriter.appendString(t.table, into: &head)
    self.head = head
    var list: [UInt8] = []
    JSONWriter.appendRaw(",\"pk\":[", into: &list)
    for (k, i) in t.primaryKey.enumerated() {
      if k > 0 { list.append(0x2C) }
      list.append(contentsOf: keys[starts[i]..<(starts[i + 1] - 1)])
    }
    list.append(0x5D)
    if !t.hasColumnNames { JSONWriter.appendRaw(",\"positional\":true", into: &list) }
    keyList = list
  }

  deinit {
    keyBytes.deallocate()
    keyStart.deallocate()
  }

  /// True when `t` is the table map this text was made from (or an identical one).
  func matches(_ t: TableMapEvent) -> Bool {
    // (Array == compares the storage first: O(1) for the map this text last matched.)
    guard t.columns == columns, t.database == database, t.table == table, t.primaryKey == primaryKey else {
      return false
    }
    columns = t.columns
    return true
  }

  /// `"name":` of column `i`.
  @inline(__always) func appendKey<O: ByteAppender>(_ i: Int, into out: inout O) {
    let s = keyStart[i]
    out.append(contentsOf: UnsafeRawBufferPointer(start: keyBytes.baseAddress! + s, count: keyStart[i &+ 1] &- s))
  }

  /// `"name"` of column `i`.
  func appendName<O: ByteAppender>(_ i: Int, into out: inout O) {
    let s = keyStart[i]
    out.append(contentsOf: UnsafeRawBufferPointer(start: keyBytes.baseAddress! + s, count: keyStart[i &+ 1] &- s &- 1))
  }
}

/// Equality of two decoded values by their stored bytes (for the `changed` list).
public enum ColumnValueComparison {
  /// One `memcmp` (an update rewrites 10-100 KB texts; a byte-wise sequence compare was ~5% of
  /// the NDJSON export of the wide benchmark file).
  @inline(__always) static func sameBytes(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool {
    x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
  }

  public static func same(_ a: ColumnValue, _ b: ColumnValue) -> Bool {
    switch (a, b) {
    case (.null, .null), (.absent, .absent): return true
    case (.int(let x), .int(let y)): return x == y
    case (.uint(let x), .uint(let y)): return x == y
    case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
    case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
    case (.decimal(let x, _, _), .decimal(let y, _, _)): return sameBytes(x, y)
    case (.string(let x, _), .string(let y, _)): return sameBytes(x, y)
    case (.bytes(let x), .bytes(let y)): return sameBytes(x, y)
    case (.json(let x), .json(let y)): return sameBytes(x, y)
    case (.geometry(let x), .geometry(let y)): return sameBytes(x, y)
    case (.vector(let x), .vector(let y)): return sameBytes(x, y)
    case (.date(let a1, let a2, let a3), .date(let b1, let b2, let b3)): return a1 == b1 && a2 == b2 && a3 == b3
    case (.time(let a1, let a2, let a3, let a4, let a5, _), .time(let b1, let b2, let b3, let b4, let b5, _)):
      return a1 == b1 && a2 == b2 && a3 == b3 && a4 == b4 && a5 == b5
    case (
      .datetime(let a1, let a2, let a3, let a4, let a5, let a6, let a7, _),
      .datetime(let b1, let b2, let b3, let b4, let b5, let b6, let b7, _)
    ):
      return a1 == b1 && a2 == b2 && a3 == b3 && a4 == b4 && a5 == b5 && a6 == b6 && a7 == b7
    case (.timestamp(let a1, let a2, _), .timestamp(let b1, let b2, _)): return a1 == b1 && a2 == b2
    case (.year(let x), .year(let y)): return x == y
    case (.bit(let x, _), .bit(let y, _)): return x == y
    case (.enumIndex(let x), .enumIndex(let y)): return x == y
    case (.setBits(let x), .setBits(let y)): return x == y
    default: return false
    }
  }
}
