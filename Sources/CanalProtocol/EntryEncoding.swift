import BinlogFormat

/// A direct protobuf encoder for the Entry messages the mapper builds, byte for byte what
/// SwiftProtobuf writes (proto3: fields in tag order, zero scalars and empty strings omitted,
/// one-member oneofs written whenever set; canal-protocol.md §1.4), without its generic visitor
/// passes: a RowChange is sized and written in one walk per nesting level. About half of the
/// Canal export time went to the generic serializer.
enum EntryEncoding {
  // MARK: sizes

  @inline(__always) static func varintSize(_ v: UInt64) -> Int {
    var n = 1
    var x = v >> 7
    while x != 0 {
      n += 1
      x >>= 7
    }
    return n
  }

  /// int32/int64/enum fields: negative values are 10-byte two's-complement varints.
  @inline(__always) static func intSize(_ v: Int64) -> Int { varintSize(UInt64(bitPattern: v)) }

  @inline(__always) static func stringFieldSize(_ s: String) -> Int {
    let n = s.utf8.count
    return n == 0 ? 0 : 1 + varintSize(UInt64(n)) + n
  }

  static func pairSize(_ p: CanalPair) -> Int {
    stringFieldSize(p.key) + stringFieldSize(p.value)
  }

  static func pairsSize(_ pairs: [CanalPair]) -> Int {
    var n = 0
    for p in pairs {
      let s = pairSize(p)
      n += 1 + varintSize(UInt64(s)) + s
    }
    return n
  }

  static func columnSize(_ c: CanalColumn) -> Int {
    var n = 0
    if c.index != 0 { n += 1 + intSize(Int64(c.index)) }
    if c.sqlType != 0 { n += 1 + intSize(Int64(c.sqlType)) }
    n += stringFieldSize(c.name)
    if c.isKey { n += 2 }
    if c.updated { n += 2 }
    if c.isNullPresent != nil { n += 2 }
    n += pairsSize(c.props)
    n += stringFieldSize(c.value)
    if c.length != 0 { n += 1 + intSize(Int64(c.length)) }
    n += stringFieldSize(c.mysqlType)
    return n
  }

  static func columnsSize(_ columns: [CanalColumn]) -> Int {
    var n = 0
    for c in columns {
      let s = columnSize(c)
      n += 1 + varintSize(UInt64(s)) + s
    }
    return n
  }

  static func rowDataSize(_ r: CanalRowData) -> Int {
    columnsSize(r.beforeColumns) + columnsSize(r.afterColumns) + pairsSize(r.props)
  }

  static func rowChangeSize(_ r: CanalRowChange) -> Int {
    var n = 0
    if r.tableID != 0 { n += 1 + intSize(r.tableID) }
    if let e = r.eventTypePresent, case .eventType(let t) = e { n += 1 + intSize(Int64(t.rawValue)) }
    if r.isDdlPresent != nil { n += 2 }
    n += stringFieldSize(r.sql)
    for d in r.rowDatas {
      let s = rowDataSize(d)
      n += 1 + varintSize(UInt64(s)) + s
    }
    n += pairsSize(r.props)
    n += stringFieldSize(r.ddlSchemaName)
    return n
  }

  // MARK: writing

  @inline(__always) static func appendVarint(_ v: UInt64, _ out: inout [UInt8]) {
    var x = v
    while x >= 0x80 {
      out.append(UInt8(truncatingIfNeeded: x) | 0x80)
      x >>= 7
    }
    out.append(UInt8(x))
  }

  @inline(__always) static func appendInt(_ tag: UInt8, _ v: Int64, _ out: inout [UInt8]) {
    out.append(tag)
    appendVarint(UInt64(bitPattern: v), &out)
  }

  @inline(__always) static func appendString(_ tag: UInt8, _ s: String, _ out: inout [UInt8]) {
    let n = s.utf8.count
    guard n > 0 else { return }
    out.append(tag)
    appendVarint(UInt64(n), &out)
    if s.utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil {
      out.append(contentsOf: s.utf8)
    }
  }

  /// An Entry's `header` field (tag 1), byte for byte what SwiftProtobuf serializes for `h`
  /// (fields in number order; proto3 scalars only when not default; a set oneof always), with
  /// no intermediate message or array. Unknown fields are not written (the mapper sets none).
  static func appendHeaderField(_ h: CanalHeader, _ out: inout [UInt8]) {
    appendDelimited(0x0A, expected: 100, &out) { out in
      if case .version(let v)? = h.versionPresent { appendInt(0x08, Int64(v), &out) }
      appendString(0x12, h.logfileName, &out)
      if h.logfileOffset != 0 { appendInt(0x18, h.logfileOffset, &out) }
      if h.serverID != 0 { appendInt(0x20, h.serverID, &out) }
      appendString(0x2A, h.serverenCode, &out)
      if h.executeTime != 0 { appendInt(0x30, h.executeTime, &out) }
      if case .sourceType(let t)? = h.sourceTypePresent { appendInt(0x38, Int64(t.rawValue), &out) }
      appendString(0x42, h.schemaName, &out)
      appendString(0x4A, h.tableName, &out)
      if h.eventLength != 0 { appendInt(0x50, h.eventLength, &out) }
      if case .eventType(let t)? = h.eventTypePresent { appendInt(0x58, Int64(t.rawValue), &out) }
      appendPairs(0x62, h.props, &out)
      appendString(0x6A, h.gtid, &out)
    }
  }

  static func appendPairs(_ tag: UInt8, _ pairs: [CanalPair], _ out: inout [UInt8]) {
    for p in pairs {
      out.append(tag)
      appendVarint(UInt64(pairSize(p)), &out)
      appendString(0x0A, p.key, &out)
      appendString(0x12, p.value, &out)
    }
  }

  /// Appends `tag`, a length varint and what `body` appends, the length patched in afterwards
  /// (sized for `expected` bytes first; moved when the varint is longer or shorter): one pass
  /// over a message instead of sizing each nested message before writing it.
  @inline(__always) static func appendDelimited(
    _ tag: UInt8, expected: Int, _ out: inout [UInt8], _ body: (inout [UInt8]) -> Void
  ) {
    out.append(tag)
    let lengthAt = out.count
    let reserved = varintSize(UInt64(expected))
    for _ in 0..<reserved { out.append(0) }
    let start = out.count
    body(&out)
    let length = out.count - start
    let needed = varintSize(UInt64(length))
    if needed > reserved {
      out.insert(contentsOf: repeatElement(0, count: needed - reserved), at: start)
    } else if needed < reserved {
      out.removeSubrange(lengthAt..<(lengthAt + reserved - needed))
    }
    out.withUnsafeMutableBufferPointer { b in
      var x = UInt64(length)
      var i = lengthAt
      while x >= 0x80 {
        b[i] = UInt8(truncatingIfNeeded: x) | 0x80
        x >>= 7
        i += 1
      }
      b[i] = UInt8(x)
    }
  }

  static func appendColumns(_ tag: UInt8, _ columns: [CanalColumn], _ out: inout [UInt8]) {
    // Through a pointer, not `for c in columns`: no copy (retains and releases) of each column.
    columns.withUnsafeBufferPointer { cols in
      for i in cols.indices {
        appendDelimited(tag, expected: 100, &out) { appendColumn(cols.baseAddress! + i, &$0) }
      }
    }
  }

  static func appendColumn(_ c: UnsafePointer<CanalColumn>, _ out: inout [UInt8]) {
    if c.pointee.index != 0 { appendInt(0x08, Int64(c.pointee.index), &out) }
    if c.pointee.sqlType != 0 { appendInt(0x10, Int64(c.pointee.sqlType), &out) }
    appendString(0x1A, c.pointee.name, &out)
    if c.pointee.isKey { out.append(contentsOf: [0x20, 1]) }
    if c.pointee.updated { out.append(contentsOf: [0x28, 1]) }
    if let present = c.pointee.isNullPresent, case .isNull(let v) = present { out.append(contentsOf: [0x30, v ? 1 : 0]) }
    if !c.pointee.props.isEmpty { appendPairs(0x3A, c.pointee.props, &out) }
    appendString(0x42, c.pointee.value, &out)
    if c.pointee.length != 0 { appendInt(0x48, Int64(c.pointee.length), &out) }
    appendString(0x52, c.pointee.mysqlType, &out)
  }

  /// A varint into any byte buffer.
  @inline(__always) static func appendVarint<O: ByteAppender>(_ v: UInt64, into out: inout O) {
    out.write(upTo: 10) { p in
      var w = ProtobufWriter(p)
      w.varint(v)
      return w.position - p
    }
  }

  static func transactionBeginSize(_ b: CanalTransactionBegin) -> Int {
    var n = 0
    if b.executeTime != 0 { n += 1 + intSize(b.executeTime) }
    n += stringFieldSize(b.transactionID)
    n += pairsSize(b.props)
    if b.threadID != 0 { n += 1 + intSize(b.threadID) }
    return n
  }

  /// Appends the serialized TransactionBegin (no length prefix).
  static func appendTransactionBegin(_ b: CanalTransactionBegin, _ out: inout [UInt8]) {
    if b.executeTime != 0 { appendInt(0x08, b.executeTime, &out) }
    appendString(0x12, b.transactionID, &out)
    appendPairs(0x1A, b.props, &out)
    if b.threadID != 0 { appendInt(0x20, b.threadID, &out) }
  }

  static func transactionEndSize(_ e: CanalTransactionEnd) -> Int {
    var n = 0
    if e.executeTime != 0 { n += 1 + intSize(e.executeTime) }
    n += stringFieldSize(e.transactionID)
    n += pairsSize(e.props)
    return n
  }

  /// Appends the serialized TransactionEnd (no length prefix).
  static func appendTransactionEnd(_ e: CanalTransactionEnd, _ out: inout [UInt8]) {
    if e.executeTime != 0 { appendInt(0x08, e.executeTime, &out) }
    appendString(0x12, e.transactionID, &out)
    appendPairs(0x1A, e.props, &out)
  }

  /// Appends the serialized RowChange (no length prefix).
  static func appendRowChange(_ r: CanalRowChange, _ out: inout [UInt8]) {
    if r.tableID != 0 { appendInt(0x08, r.tableID, &out) }
    if let e = r.eventTypePresent, case .eventType(let t) = e { appendInt(0x10, Int64(t.rawValue), &out) }
    if let d = r.isDdlPresent, case .isDdl(let v) = d { out.append(contentsOf: [0x50, v ? 1 : 0]) }
    appendString(0x5A, r.sql, &out)
    let rowDatas = r.rowDatas
    for k in rowDatas.indices {
      appendDelimited(0x62, expected: 1000, &out) { out in
        appendColumns(0x0A, rowDatas[k].beforeColumns, &out)
        appendColumns(0x12, rowDatas[k].afterColumns, &out)
        appendPairs(0x1A, rowDatas[k].props, &out)
      }
    }
    appendPairs(0x6A, r.props, &out)
    appendString(0x72, r.ddlSchemaName, &out)
  }
}
