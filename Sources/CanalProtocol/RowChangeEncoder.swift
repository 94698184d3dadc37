#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import BinlogFormat
import BinlogQuery

/// A rows event straight to the serialized Canal `RowChange` (the bytes
/// `EntryEncoding.appendRowChange` writes for the `CanalRowChange` the mapper would build),
/// without a `CanalColumn` and a `String` per value: the Canal export's hot path.
///
/// Each column is `index`, `sqlType`, `name`, `isKey`, `updated`, `isNull` (always written: the
/// mapper sets the oneof), `value` (omitted when empty or NULL) and `mysqlType`. `updated`
/// follows `CanalValueText.isUpdated`: the before image's column of the same index, both NULL or
/// equal text (String equality, so canonically equivalent text counts as equal).
struct RowChangeEncoder {
  /// Text of the current row's before-image values, and where each column's text is.
  private var beforeText: [UInt8] = []
  private var beforeStart: [Int] = []
  private var beforeEnd: [Int] = []
  /// 0 absent, 1 NULL, 2 value.
  private var beforeState: [UInt8] = []
  private var text: [UInt8] = []
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
    var out: [UInt8] = []
    out.reserveCapacity(rows.rows.count * 3 + 64)
    if rows.tableID != 0 { EntryEncoding.appendInt(0x08, Int64(rows.tableID), &out) }
    EntryEncoding.appendInt(0x10, Int64(type.rawValue), &out)
    out.append(0x50)  // isDdl = false, set
    out.append(0)
    let n = rows.columnCount
    if beforeStart.count < n {
      beforeStart = [Int](repeating: 0, count: n)
      beforeEnd = [Int](repeating: 0, count: n)
      beforeState = [UInt8](repeating: 0, count: n)
    }
    // EntryMapper caches the meta per table id, so this compares one array with itself: O(1).
    var cached = fieldsByTable[rows.tableID]
    if cached == nil || cached!.of != meta.columns {
      if fieldsByTable.count >= 4096 { fieldsByTable.removeAll() }
      cached = Self.serializeFields(meta.columns)
      fieldsByTable[rows.tableID] = cached
    }
    var count = 0
    var failure: BinlogError?
    let fields = cached!.bytes
    let fieldStart = cached!.start
    try meta.columns.withUnsafeBufferPointer { (metas: UnsafeBufferPointer<CanalColumnMeta>) throws(BinlogError) in
      try table.columns.withUnsafeBufferPointer { (cols: UnsafeBufferPointer<ColumnInfo>) throws(BinlogError) in
        try fields.withUnsafeBufferPointer { (f: UnsafeBufferPointer<UInt8>) throws(BinlogError) in
          try fieldStart.withUnsafeBufferPointer { (fs: UnsafeBufferPointer<Int>) throws(BinlogError) in
            let c = Columns(metas: metas, cols: cols, fields: UnsafeRawBufferPointer(f), fieldStart: fs)
            while try decoder.next() {
              count += 1
              EntryEncoding.appendDelimited(0x62, expected: 1000, &out) { out in
                do throws(BinlogError) {
                  switch rows.kind {
                  case .write:
                    try image(decoder.after, tag: 0x12, isAfter: true, hasBefore: false, c, zone, charset, &out)
                  case .delete:
                    try image(decoder.before, tag: 0x0A, isAfter: false, hasBefore: false, c, zone, charset, &out)
                  case .update:
                    try image(decoder.before, tag: 0x0A, isAfter: false, hasBefore: false, c, zone, charset, &out)
                    try image(decoder.after, tag: 0x12, isAfter: true, hasBefore: true, c, zone, charset, &out)
                  }
                } catch {
                  failure = error
                }
              }
              if let failure { throw failure }
            }
          }
        }
      }
    }
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

  /// One image's columns. A before image also records its texts for the after image's `updated`.
  private mutating func image(
    _ values: [ColumnValue], tag: UInt8, isAfter: Bool, hasBefore: Bool, _ c: Columns,
    _ zone: TimeZoneSpec, _ charset: CanalTextCharset, _ out: inout [UInt8]
  ) throws(BinlogError) {
    if !isAfter { beforeText.removeAll(keepingCapacity: true) }
    for i in 0..<values.count {
      let v = values[i]
      if !isAfter { beforeState[i] = 0 }
      if v.isAbsent { continue }
      let m = c.metas.baseAddress! + i
      let isNull = v.isNull
      var sqlType = m.pointee.nullSQLType
      text.removeAll(keepingCapacity: true)
      if !isNull {
        sqlType = try CanalValueText.append(
          v, column: c.cols[i], meta: m.pointee, zone: zone, charset: charset, into: &text)
        // The mapper stores String(decoding: text): invalid UTF-8 becomes U+FFFD. Only decoded
        // character data can be invalid; numbers, times and Latin-1-widened bytes never are.
        if v.mayHoldInvalidUTF8 {
          let valid = text.withUnsafeBytes { Charset.isValidUTF8($0) }
          if !valid { text = Array(String(decoding: text, as: UTF8.self).utf8) }
        }
      }
      var updated = false
      if isAfter {
        updated = true
        if hasBefore {
          switch beforeState[i] {
          case 1: if isNull { updated = false }
          case 2: if !isNull && sameText(i) { updated = false }
          default: break
          }
        }
      } else {
        beforeState[i] = isNull ? 1 : 2
        beforeStart[i] = beforeText.count
        beforeText.append(contentsOf: text)
        beforeEnd[i] = beforeText.count
      }
      // The column message, its length computed first (no patching).
      let nameAndKey = c.nameAndKey(i)
      let mysqlType = c.mysqlType(i)
      let hasValue = !isNull && !text.isEmpty
      var length = nameAndKey.count + mysqlType.count + 2
      if i != 0 { length += 1 + EntryEncoding.varintSize(UInt64(i)) }
      if sqlType != 0 { length += 1 + EntryEncoding.intSize(Int64(sqlType)) }
      if updated { length += 2 }
      if hasValue { length += 1 + EntryEncoding.varintSize(UInt64(text.count)) + text.count }
      out.append(tag)
      EntryEncoding.appendVarint(UInt64(length), &out)
      if i != 0 { EntryEncoding.appendInt(0x08, Int64(i), &out) }
      if sqlType != 0 { EntryEncoding.appendInt(0x10, Int64(sqlType), &out) }
      out.append(contentsOf: nameAndKey)
      if updated {
        out.append(0x28)
        out.append(1)
      }
      out.append(0x30)
      out.append(isNull ? 1 : 0)
      if hasValue {
        out.append(0x42)
        EntryEncoding.appendVarint(UInt64(text.count), &out)
        text.withUnsafeBytes { out.append(contentsOf: $0) }
      }
      out.append(contentsOf: mysqlType)
    }
  }

  /// The after text (in `text`) equals the before text of column `i`, as Strings compare.
  private func sameText(_ i: Int) -> Bool {
    let s = beforeStart[i]
    let e = beforeEnd[i]
    let equalBytes = beforeText.withUnsafeBytes { b in
      text.withUnsafeBytes { t in e - s == t.count && (t.count == 0 || memcmp(b.baseAddress! + s, t.baseAddress!, t.count) == 0) }
    }
    if equalBytes { return true }
    let b = beforeText[s..<e]
    // Different bytes are different Strings unless non-ASCII text is canonically equivalent.
    if b.allSatisfy({ $0 < 0x80 }) && text.allSatisfy({ $0 < 0x80 }) { return false }
    return String(decoding: b, as: UTF8.self) == String(decoding: text, as: UTF8.self)
  }
}

extension ColumnValue {
  /// Whether Canal's text of this value comes from character data (which may not be UTF-8).
  fileprivate var mayHoldInvalidUTF8: Bool {
    switch self {
    case .string, .bytes, .json, .jsonDiff: return true
    default: return false
    }
  }
}
