import BinlogFormat
import BinlogQuery

/// The direct path `CanalExporter` takes for the entries of most events (rows, Annotate_rows,
/// BEGIN, Xid): `prepare…Entry` decodes the event and sizes its entry, which is the entry `map`
/// returns (with `encodeRowsDirectly`) byte for byte; `appendPreparedEntry` then writes it,
/// framed, straight into the output, without a `MappedEntry`, `CanalHeader` or RowChange array.
extension EntryMapper {
  /// `CanalExporter`'s path for a rows event: decodes the rows of the entry `map` would make
  /// (with `encodeRowsDirectly`) and sizes it, for `appendPreparedEntry` to write straight
  /// into the output. Throws what `map` throws.
  func prepareRowsEntry<S: EventSource>(_ ev: WalkedEvent, _ rows: RowsEvent, _ walker: BinlogWalker<S>) throws {
    let (table, meta) = try rowsTable(ev, rows, walker)
    try prepareRows(ev, rows, table, meta, walker)
    preparedStore = .rows
    prepareHeader(
      ev, walker, schema: table.database, table: table.table, type: Self.eventType(rows), rowsCount: rowEncoder.rowCount)
  }

  /// The same for an Annotate_rows event whose statement is valid UTF-8 (the QUERY entry `map`
  /// makes of it, written from the statement's bytes); false (nothing prepared) otherwise.
  func prepareAnnotateEntry<S: EventSource>(_ ev: WalkedEvent, _ a: AnnotateRowsEvent, _ walker: BinlogWalker<S>) -> Bool {
    guard TextEncoding.isValidUTF8(a.statement) else { return false }
    preparedStore = .statement(a.statement)
    prepareHeader(ev, walker, schema: "", table: "", type: .query, rowsCount: 0)
    return true
  }

  /// The same for a Query event whose text is exactly `BEGIN` (what `map` makes a
  /// TRANSACTIONBEGIN of); false (nothing prepared) for any other statement.
  func prepareBeginEntry<S: EventSource>(_ ev: WalkedEvent, _ q: QueryEvent, _ walker: BinlogWalker<S>) -> Bool {
    guard q.queryBytes.count == 5,
      CanalValueText.statementText(q.queryBytes, clientCharset: q.statusVars.clientCharset) == "BEGIN"
    else { return false }
    preparedStore = .begin(threadID: Int64(q.threadID))
    prepareHeader(ev, walker, schema: "", table: "", type: nil, rowsCount: 0)
    return true
  }

  /// The same for an Xid event (TRANSACTIONEND).
  func prepareXidEntry<S: EventSource>(_ ev: WalkedEvent, _ x: XidEvent, _ walker: BinlogWalker<S>) {
    preparedStore = .end(transactionID: Int64(bitPattern: x.xid))
    prepareHeader(ev, walker, schema: "", table: "", type: nil, rowsCount: 0)
  }

  private func prepareHeader<S: EventSource>(
    _ ev: WalkedEvent, _ walker: BinlogWalker<S>, schema: String, table: String, type: CanalEventType?, rowsCount: Int
  ) {
    if options.gtidMode {
      // The GTID set and props: through the message (rare; the direct header has neither).
      var field: [UInt8] = []
      let h = header(ev, walker, schema: schema, table: table, eventType: type, rowsCount: rowsCount)
      EntryEncoding.appendHeaderField(h, &field)
      preparedHeader = .field(field)
    } else {
      preparedHeader = .direct(
        DirectEntryHeader(
          logfileName: fileBaseName(walker.fileName), logfileOffset: Int64(ev.raw.offset),
          serverID: Int64(ev.raw.header.serverID), executeTime: Int64(ev.raw.header.timestamp) * 1000,
          schemaName: schema, tableName: table, eventLength: Int64(ev.fileEndOffset - ev.raw.offset),
          eventType: type, rowsCount: rowsCount))
    }
  }

  /// The entry type and serialized size of the prepared store value.
  private var preparedStoreShape: (entryType: CanalEntryType, size: Int) {
    switch preparedStore {
    case .rows: return (.rowdata, rowEncoder.size)
    case .statement(let statement):
      // The RowChange of a QUERY entry: eventType and sql.
      let n = statement.count
      return (
        .rowdata,
        1 + EntryEncoding.intSize(Int64(CanalEventType.query.rawValue))
          + (n == 0 ? 0 : 1 + EntryEncoding.varintSize(UInt64(n)) + n)
      )
    case .begin(let threadID):
      return (.transactionbegin, threadID == 0 ? 0 : 1 + EntryEncoding.intSize(threadID))
    case .end(let id):
      return (.transactionend, 2 + Self.signedDigits(id))
    }
  }

  /// The length of `String(v)`.
  private static func signedDigits(_ v: Int64) -> Int {
    CanalValueText.decimalDigits(v.magnitude) + (v < 0 ? 1 : 0)
  }

  /// Appends the entry `prepareRowsEntry` or `prepareAnnotateEntry` prepared with its varint length in front, the bytes
  /// `MappedEntry.appendFramedEntry` appends for it: one reservation, no intermediate copy.
  func appendPreparedEntry<O: ByteAppender>(into out: inout O) {
    let (entryType, storeSize) = preparedStoreShape
    var headerFieldSize: Int
    var headerBodySize = 0
    switch preparedHeader {
    case .direct(let h):
      headerBodySize = h.bodySize
      headerFieldSize = 1 + EntryEncoding.varintSize(UInt64(headerBodySize)) + headerBodySize
    case .field(let f):
      headerFieldSize = f.count
    }
    let entrySize =
      headerFieldSize + 1 + EntryEncoding.intSize(Int64(entryType.rawValue))
      + (storeSize == 0 ? 0 : 1 + EntryEncoding.varintSize(UInt64(storeSize)) + storeSize)
    let total = EntryEncoding.varintSize(UInt64(entrySize)) + entrySize
    out.write(upTo: total) { start in
      var w = ProtobufWriter(start)
      w.varint(UInt64(entrySize))
      switch preparedHeader {
      case .direct(let h):
        w.byte(0x0A)
        w.varint(UInt64(headerBodySize))
        h.write(&w)
      case .field(let f):
        f.withUnsafeBytes { w.bytes($0) }
      }
      w.byte(0x10)
      w.int(Int64(entryType.rawValue))
      if storeSize > 0 {
        w.byte(0x1A)
        w.varint(UInt64(storeSize))
        switch preparedStore {
        case .rows:
          let rowChangeStart = w.position
          rowEncoder.write(to: rowChangeStart)
          w = ProtobufWriter(rowChangeStart + storeSize)
        case .statement(let statement):
          w.byte(0x10)
          w.int(Int64(CanalEventType.query.rawValue))
          if !statement.isEmpty { w.field(0x5A, statement) }
        case .begin(let threadID):
          w.byte(0x20)
          w.int(threadID)
        case .end(let id):
          let digits = storeSize - 2
          w.bytes(0x12, UInt8(digits))
          if id < 0 { w.byte(UInt8(ascii: "-")) }
          CanalValueText.writeDigits(id.magnitude, count: CanalValueText.decimalDigits(id.magnitude), to: w.position)
          w.skip(CanalValueText.decimalDigits(id.magnitude))
        }
      }
      return w.finish(from: start, expecting: total)
    }
  }
}
