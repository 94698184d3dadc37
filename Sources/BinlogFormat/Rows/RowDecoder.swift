/// Decodes the row images of a rows event against its table map, one row at a time, into
/// reusable buffers (no allocation per row or per value; none per event either when one
/// decoder is `reset` for each event).
public struct RowDecoder {
  public private(set) var table: TableMapEvent
  public private(set) var event: RowsEvent
  private var cursor: ByteCursor
  /// Values of the current row's before image (indexed by column; `.absent` when not present).
  public private(set) var before: [ColumnValue]
  /// Values of the current row's after image.
  public private(set) var after: [ColumnValue]
  /// For partial JSON updates: true for after-image JSON columns that carry a diff.
  public private(set) var partialJSON: [Bool]
  /// Number of rows decoded so far.
  public private(set) var rowIndex = 0
  private var columnCount: Int
  /// `table.columns` as the value decoders see them (kept while the table map is the same).
  private var codecs: [ColumnCodec]

  public init(event: RowsEvent, table: TableMapEvent) throws(BinlogError) {
    try RowDecoder.check(event, table)
    self.event = event
    self.table = table
    columnCount = event.columnCount
    cursor = ByteCursor(event.rows)
    before = [ColumnValue](repeating: .absent, count: columnCount)
    after = [ColumnValue](repeating: .absent, count: columnCount)
    partialJSON = [Bool](repeating: false, count: columnCount)
    codecs = table.columnCodecs
  }

  private static func check(_ event: RowsEvent, _ table: TableMapEvent) throws(BinlogError) {
    guard event.columnCount <= table.columns.count else {
      throw BinlogError(
        .malformed,
        "rows event has \(event.columnCount) columns but table map of \(table.database).\(table.table) has \(table.columns.count)"
      )
    }
  }

  /// Starts over on another rows event, reusing this decoder's buffers (and its column
  /// decoders when `table` is the same table map as before).
  public mutating func reset(event: RowsEvent, table: TableMapEvent) throws(BinlogError) {
    try RowDecoder.check(event, table)
    let sameColumns =
      table.columns.count == self.table.columns.count
      && table.columns.withUnsafeBufferPointer { a in
        self.table.columns.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
      }
    if !sameColumns { codecs = table.columnCodecs }
    self.event = event
    self.table = table
    columnCount = event.columnCount
    cursor = ByteCursor(event.rows)
    rowIndex = 0
    if before.count != columnCount {
      // Tables of different widths take turns in most transactions: keep the memory.
      before.removeAll(keepingCapacity: true)
      before.append(contentsOf: repeatElement(.absent, count: columnCount))
      after.removeAll(keepingCapacity: true)
      after.append(contentsOf: repeatElement(.absent, count: columnCount))
      partialJSON.removeAll(keepingCapacity: true)
      partialJSON.append(contentsOf: repeatElement(false, count: columnCount))
    } else {
      for i in 0..<columnCount {
        before[i] = .absent
        after[i] = .absent
        partialJSON[i] = false
      }
    }
  }

  /// Offset in the event of the next unread row byte (for error messages).
  public var offsetInEvent: Int { event.rowsOffsetInEvent + cursor.position }

  /// Decodes the next row into `before`/`after`. Returns false when the event has no more rows.
  public mutating func next() throws(BinlogError) -> Bool {
    if cursor.isAtEnd { return false }
    let start = cursor.position
    switch event.kind {
    case .write:
      var a = RowDecoder.take(&after)
      defer { after = a }
      try readImage(into: &a, present: event.columnsBefore, partial: false)
    case .delete:
      var b = RowDecoder.take(&before)
      defer { before = b }
      try readImage(into: &b, present: event.columnsBefore, partial: false)
    case .update:
      var b = RowDecoder.take(&before)
      defer { before = b }
      try readImage(into: &b, present: event.columnsBefore, partial: false)
      var a = RowDecoder.take(&after)
      defer { after = a }
      try readImage(into: &a, present: event.columnsAfter, partial: event.isPartialUpdate)
    }
    // A row always has bytes (at least its null bitmap): with no column present the event's
    // bytes would be an endless run of empty rows.
    if cursor.position == start {
      throw BinlogError(
        .malformed, "row \(rowIndex + 1) of \(table.database).\(table.table) takes no bytes: the event's column bitmap is empty")
    }
    rowIndex += 1
    return true
  }

  /// Lends the current row's before and after images (indexed by column) to `body`.
  /// `mutating` only so that a caller's decoder is borrowed in place, never copied (a copy
  /// retains every array and string the decoder holds).
  @inlinable public mutating func withImages<R>(
    _ body: (UnsafeBufferPointer<ColumnValue>, UnsafeBufferPointer<ColumnValue>) throws -> R
  ) rethrows -> R {
    try before.withUnsafeBufferPointer { b in try after.withUnsafeBufferPointer { a in try body(b, a) } }
  }

  /// Moves an array out of `self` so it can be filled without overlapping access (no copy).
  private static func take(_ a: inout [ColumnValue]) -> [ColumnValue] {
    var out: [ColumnValue] = []
    swap(&out, &a)
    return out
  }

  private mutating func readImage(into values: inout [ColumnValue], present: ColumnBitmap, partial: Bool) throws(BinlogError) {
    if event.isPartialUpdate {
      for i in 0..<columnCount { partialJSON[i] = false }
    }
    if partial {
      // Partial_update_rows after image: value_options (packed int), then when PARTIAL_JSON_UPDATES
      // is set a bitmap with one bit per JSON column of the table (MySQL 8.0 binlog_row_value_options).
      let options = try cursor.lengthEncoded("value options") ?? 0
      if options & 1 != 0 {
        var jsonCols = 0
        for i in 0..<columnCount where codecs[i].type == .json { jsonCols += 1 }
        let bits = try cursor.bytes((jsonCols + 7) / 8, "partial JSON bitmap")
        var k = 0
        for i in 0..<columnCount where codecs[i].type == .json {
          partialJSON[i] = bits[k >> 3] & (1 << UInt8(k & 7)) != 0
          k += 1
        }
      }
    }
    var presentCount = 0
    for i in 0..<columnCount where present[i] { presentCount += 1 }
    let nulls = try cursor.bytes((presentCount + 7) / 8, "row null bitmap")
    var k = 0
    var failedColumn = -1
    let n = columnCount
    let checkPartial = event.isPartialUpdate
    // Trivial column descriptions and the value slots through buffer pointers: no retain,
    // release or uniqueness check per value.
    do throws(BinlogError) {
      try codecs.withUnsafeBufferPointer { (cols: UnsafeBufferPointer<ColumnCodec>) throws(BinlogError) in
        try values.withUnsafeMutableBufferPointer { (out: inout UnsafeMutableBufferPointer<ColumnValue>) throws(BinlogError) in
          for i in 0..<n {
            guard present[i] else {
              out[i] = .absent
              continue
            }
            if nulls[k >> 3] & (1 << UInt8(k & 7)) != 0 {
              out[i] = .null
            } else {
              failedColumn = i
              if checkPartial && partialJSON[i] {
                let len = Int(try cursor.uint(Int(cols[i].meta), "JSON diff length"))
                out[i] = .jsonDiff(try cursor.bytes(len, "JSON diff"))
              } else {
                out[i] = try ValueDecoder.decode(cols[i], &cursor)
              }
            }
            k += 1
          }
        }
      }
    } catch {
      let i = failedColumn
      guard i >= 0 else { throw error }
      let col = table.columns[i]
      var e = error
      let colName = col.name ?? "@\(i + 1)"
      e.message =
        "row \(rowIndex + 1), column \(colName) (\(col.type.name)) of \(table.database).\(table.table): \(e.message)"
      e.innerOffset = event.rowsOffsetInEvent + cursor.position
      throw e
    }
  }
}
