import BinlogFormat
import BinlogQuery

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A rows event straight to the serialized Canal `RowChange` (the bytes
/// `EntryEncoding.appendRowChange` writes for the `CanalRowChange` the mapper would build),
/// without a `CanalColumn` and a `String` per value: the Canal export's hot path.
///
/// Each column is `index`, `sqlType`, `name`, `isKey`, `updated`, `isNull` (always written: the
/// mapper sets the oneof), `value` (omitted when empty or NULL) and `mysqlType`. `updated`
/// follows `CanalValueText.isUpdated`: the before image's column of the same index, both NULL or
/// equal text (String equality, so canonically equivalent text counts as equal).
///
/// A row is written in two walks: the first renders every value's text into one reused buffer
/// and sizes each column message, the second writes the row's length and then the columns, so
/// nothing is moved to patch a length. The name (+ `isKey`) and `mysqlType` fields of each
/// column are serialized once per table map.
struct RowChangeEncoder {
  /// Text of the current row's values, before image then after image, and per column slot
  /// (`i` for the before image, `n + i` for the after image): where its text is, its sqlType,
  /// its state (0 absent, 1 NULL, 2 value) and whether it is `updated`.
  private var rowText: [UInt8] = []
  private var slotStart: [Int] = []
  private var slotEnd: [Int] = []
  private var slotSQLType: [Int32] = []
  private var slotState: [UInt8] = []
  private var slotUpdated: [Bool] = []
  private var slotLength: [Int] = []
  /// The RowChange being written; handed out as the event's bytes (and reused when the caller
  /// has dropped them by the next event).
  private var out: [UInt8] = []
  /// The constant fields of each table's columns, serialized once per table id: `name`
  /// (+ `isKey`) and `mysqlType`, at `start[2i]..<start[2i+1]` and `start[2i+1]..<start[2i+2]`
  /// of `bytes`.
  private struct Fields {
    var of: [CanalColumnMeta]
    var bytes: [UInt8] = []
    var start: [Int] = [0]
  }
  private var fieldsByTable: [UInt64: Fields] = [:]

  /// Encodes every row of `rows`; returns the RowChange bytes and the number of rows.
  mutating func encode(
    _ rows: RowsEvent, _ decoder: inout RowDecoder, table: TableMapEvent, meta: CanalTableMeta,
    type: CanalEventType, zone: TimeZoneSpec, charset: CanalTextCharset
  ) throws(BinlogError) -> (bytes: [UInt8], rows: Int) {
    var out = self.out
    self.out = []
    out.removeAll(keepingCapacity: true)
    if rows.tableID != 0 { EntryEncoding.appendInt(0x08, Int64(rows.tableID), &out) }
    EntryEncoding.appendInt(0x10, Int64(type.rawValue), &out)
    out.append(0x50)  // isDdl = false, set
    out.append(0)
    let n = rows.columnCount
    if slotStart.count < 2 * n {
      slotStart = [Int](repeating: 0, count: 2 * n)
      slotEnd = slotStart
      slotLength = slotStart
      slotSQLType = [Int32](repeating: 0, count: 2 * n)
      slotState = [UInt8](repeating: 0, count: 2 * n)
      slotUpdated = [Bool](repeating: false, count: 2 * n)
    }
    // EntryMapper caches the meta per table id, so this compares one array with itself: O(1).
    var cached = fieldsByTable[rows.tableID]
    if cached == nil || cached!.of != meta.columns {
      if fieldsByTable.count >= 4096 { fieldsByTable.removeAll() }
      cached = Self.serializeFields(meta.columns)
      fieldsByTable[rows.tableID] = cached
    }
    var count = 0
    let fields = cached!.bytes
    let fieldStart = cached!.start
    try meta.columns.withUnsafeBufferPointer { (metas: UnsafeBufferPointer<CanalColumnMeta>) throws(BinlogError) in
      try table.columns.withUnsafeBufferPointer { (cols: UnsafeBufferPointer<ColumnInfo>) throws(BinlogError) in
        try fields.withUnsafeBufferPointer { (f: UnsafeBufferPointer<UInt8>) throws(BinlogError) in
          try fieldStart.withUnsafeBufferPointer { (fs: UnsafeBufferPointer<Int>) throws(BinlogError) in
            let c = Columns(metas: metas, cols: cols, fields: UnsafeRawBufferPointer(f), fieldStart: fs)
            while try decoder.next() {
              count += 1
              rowText.removeAll(keepingCapacity: true)
              var rowLength = 0
              switch rows.kind {
              case .write:
                rowLength += try render(decoder.after, slot: n, isAfter: true, hasBefore: false, n, c, zone, charset)
              case .delete:
                rowLength += try render(decoder.before, slot: 0, isAfter: false, hasBefore: false, n, c, zone, charset)
              case .update:
                rowLength += try render(decoder.before, slot: 0, isAfter: false, hasBefore: false, n, c, zone, charset)
                rowLength += try render(decoder.after, slot: n, isAfter: true, hasBefore: true, n, c, zone, charset)
              }
              out.append(0x62)
              EntryEncoding.appendVarint(UInt64(rowLength), &out)
              if rows.kind != .write { write(decoder.before.count, slot: 0, tag: 0x0A, c, &out) }
              if rows.kind != .delete { write(decoder.after.count, slot: n, tag: 0x12, c, &out) }
            }
          }
        }
      }
    }
    self.out = out
    return (out, count)
  }

  /// Borrowed views of one table's column metadata for the per-row loop.
  private struct Columns {
    let metas: UnsafeBufferPointer<CanalColumnMeta>
    let cols: UnsafeBufferPointer<ColumnInfo>
    let fields: UnsafeRawBufferPointer
    let fieldStart: UnsafeBufferPointer<Int>

    @inline(__always) func nameAndKey(_ i: Int) -> UnsafeRawBufferPointer {
      UnsafeRawBufferPointer(rebasing: fields[fieldStart[2 * i]..<fieldStart[2 * i + 1]])
    }
    @inline(__always) func mysqlType(_ i: Int) -> UnsafeRawBufferPointer {
      UnsafeRawBufferPointer(rebasing: fields[fieldStart[2 * i + 1]..<fieldStart[2 * i + 2]])
    }
  }

  private static func serializeFields(_ metas: [CanalColumnMeta]) -> Fields {
    var f = Fields(of: metas)
    for m in metas {
      EntryEncoding.appendString(0x1A, m.name, &f.bytes)
      if m.isKey {
        f.bytes.append(0x20)
        f.bytes.append(1)
      }
      f.start.append(f.bytes.count)
      EntryEncoding.appendString(0x52, m.mysqlType, &f.bytes)
      f.start.append(f.bytes.count)
    }
    return f
  }

  /// Renders one image's values into `rowText` (slots `slot..<slot + values.count`) and returns
  /// the bytes its column messages take in the row (tags and lengths included).
  private mutating func render(
    _ values: [ColumnValue], slot: Int, isAfter: Bool, hasBefore: Bool, _ n: Int, _ c: Columns,
    _ zone: TimeZoneSpec, _ charset: CanalTextCharset
  ) throws(BinlogError) -> Int {
    var total = 0
    for i in 0..<values.count {
      let v = values[i]
      let s = slot + i
      if v.isAbsent {
        slotState[s] = 0
        continue
      }
      let m = c.metas.baseAddress! + i
      let isNull = v.isNull
      var sqlType = m.pointee.nullSQLType
      let start = rowText.count
      if !isNull {
        sqlType = try CanalValueText.append(
          v, column: c.cols[i], meta: m.pointee, zone: zone, charset: charset, into: &rowText)
        // The mapper stores String(decoding: text): invalid UTF-8 becomes U+FFFD. Character data
        // is already valid here (CanalValueText decodes it so); a JSON document's strings may not be.
        if v.mayHoldInvalidUTF8 {
          let valid = rowText.withUnsafeBytes { TextEncoding.isValidUTF8(UnsafeRawBufferPointer(rebasing: $0[start...])) }
          if !valid {
            let bad = Array(rowText[start...])
            rowText.removeSubrange(start...)
            bad.withUnsafeBytes { TextEncoding.appendUTF8Repairing($0, into: &rowText) }
          }
        }
      }
      slotStart[s] = start
      slotEnd[s] = rowText.count
      slotState[s] = isNull ? 1 : 2
      slotSQLType[s] = sqlType
      var updated = false
      if isAfter {
        updated = true
        if hasBefore {
          switch slotState[i] {
          case 1: if isNull { updated = false }
          case 2: if !isNull && sameText(i, s) { updated = false }
          default: break
          }
        }
      }
      slotUpdated[s] = updated
      let textCount = rowText.count - start
      var length = c.nameAndKey(i).count + c.mysqlType(i).count + 2
      if i != 0 { length += 1 + EntryEncoding.varintSize(UInt64(i)) }
      if sqlType != 0 { length += 1 + EntryEncoding.intSize(Int64(sqlType)) }
      if updated { length += 2 }
      if !isNull && textCount > 0 { length += 1 + EntryEncoding.varintSize(UInt64(textCount)) + textCount }
      slotLength[s] = length
      total += 1 + EntryEncoding.varintSize(UInt64(length)) + length
    }
    return total
  }

  /// Writes the column messages of one image rendered by `render`.
  private func write(_ count: Int, slot: Int, tag: UInt8, _ c: Columns, _ out: inout [UInt8]) {
    rowText.withUnsafeBytes { text in
      for i in 0..<count {
        let s = slot + i
        let state = slotState[s]
        if state == 0 { continue }
        let isNull = state == 1
        let sqlType = slotSQLType[s]
        out.append(tag)
        EntryEncoding.appendVarint(UInt64(slotLength[s]), &out)
        if i != 0 { EntryEncoding.appendInt(0x08, Int64(i), &out) }
        if sqlType != 0 { EntryEncoding.appendInt(0x10, Int64(sqlType), &out) }
        out.append(contentsOf: c.nameAndKey(i))
        if slotUpdated[s] {
          out.append(0x28)
          out.append(1)
        }
        out.append(0x30)
        out.append(isNull ? 1 : 0)
        let textCount = slotEnd[s] - slotStart[s]
        if !isNull && textCount > 0 {
          out.append(0x42)
          EntryEncoding.appendVarint(UInt64(textCount), &out)
          out.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[slotStart[s]..<slotEnd[s]]))
        }
        out.append(contentsOf: c.mysqlType(i))
      }
    }
  }

  /// The text of slot `a` (before image, column i) equals that of slot `b` as Canal's Java
  /// `String.equals` compares them: code unit for code unit, which for the valid UTF-8 both
  /// slots hold is byte for byte (no canonical equivalence: "é" and "e\u{301}" differ).
  private func sameText(_ a: Int, _ b: Int) -> Bool {
    rowText.withUnsafeBytes { r in
      RowChangeEncoder.sameText(
        UnsafeRawBufferPointer(rebasing: r[slotStart[a]..<slotEnd[a]]),
        UnsafeRawBufferPointer(rebasing: r[slotStart[b]..<slotEnd[b]]))
    }
  }

  /// Java's `String.equals` over two valid UTF-8 texts.
  static func sameText(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool {
    x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
  }
}

extension ColumnValue {
  /// Whether Canal's text of this value may be malformed UTF-8 after `CanalValueText.append`:
  /// JSON documents (their strings are not validated on the way); character data and binary
  /// (Latin-1-widened) text is valid by construction.
  fileprivate var mayHoldInvalidUTF8: Bool {
    switch self {
    case .json, .jsonDiff: return true
    default: return false
    }
  }
}
