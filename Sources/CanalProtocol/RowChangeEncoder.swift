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
    var count = 0
    var failure: BinlogError?
    try meta.columns.withUnsafeBufferPointer { (metas: UnsafeBufferPointer<CanalColumnMeta>) throws(BinlogError) in
      try table.columns.withUnsafeBufferPointer { (cols: UnsafeBufferPointer<ColumnInfo>) throws(BinlogError) in
        while try decoder.next() {
          count += 1
          let before = decoder.before
          let after = decoder.after
          EntryEncoding.appendDelimited(0x62, expected: 1000, &out) { out in
            do throws(BinlogError) {
              switch rows.kind {
              case .write:
                try image(after, tag: 0x12, isAfter: true, hasBefore: false, metas, cols, zone, charset, &out)
              case .delete:
                try image(before, tag: 0x0A, isAfter: false, hasBefore: false, metas, cols, zone, charset, &out)
              case .update:
                try image(before, tag: 0x0A, isAfter: false, hasBefore: false, metas, cols, zone, charset, &out)
                try image(after, tag: 0x12, isAfter: true, hasBefore: true, metas, cols, zone, charset, &out)
              }
            } catch {
              failure = error
            }
          }
          if let failure { throw failure }
        }
      }
    }
    return (out, count)
  }

  /// One image's columns. A before image also records its texts for the after image's `updated`.
  private mutating func image(
    _ values: [ColumnValue], tag: UInt8, isAfter: Bool, hasBefore: Bool, _ metas: UnsafeBufferPointer<CanalColumnMeta>,
    _ cols: UnsafeBufferPointer<ColumnInfo>, _ zone: TimeZoneSpec, _ charset: CanalTextCharset, _ out: inout [UInt8]
  ) throws(BinlogError) {
    if !isAfter { beforeText.removeAll(keepingCapacity: true) }
    for i in 0..<values.count {
      let v = values[i]
      if !isAfter { beforeState[i] = 0 }
      if v.isAbsent { continue }
      let m = metas.baseAddress! + i
      let isNull = v.isNull
      var sqlType = m.pointee.nullSQLType
      text.removeAll(keepingCapacity: true)
      if !isNull {
        sqlType = try CanalValueText.append(
          v, column: cols[i], meta: m.pointee, zone: zone, charset: charset, into: &text)
        // The mapper stores String(decoding: text): invalid UTF-8 becomes U+FFFD.
        let valid = text.withUnsafeBytes { Charset.isValidUTF8($0) }
        if !valid { text = Array(String(decoding: text, as: UTF8.self).utf8) }
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
      let textBytes = text
      EntryEncoding.appendDelimited(tag, expected: 100, &out) { out in
        if i != 0 { EntryEncoding.appendInt(0x08, Int64(i), &out) }
        if sqlType != 0 { EntryEncoding.appendInt(0x10, Int64(sqlType), &out) }
        EntryEncoding.appendString(0x1A, m.pointee.name, &out)
        if m.pointee.isKey {
          out.append(0x20)
          out.append(1)
        }
        if updated {
          out.append(0x28)
          out.append(1)
        }
        out.append(0x30)
        out.append(isNull ? 1 : 0)
        if !isNull && !textBytes.isEmpty {
          out.append(0x42)
          EntryEncoding.appendVarint(UInt64(textBytes.count), &out)
          out.append(contentsOf: textBytes)
        }
        EntryEncoding.appendString(0x52, m.pointee.mysqlType, &out)
      }
    }
  }

  /// The after text (in `text`) equals the before text of column `i`, as Strings compare.
  private func sameText(_ i: Int) -> Bool {
    let b = beforeText[beforeStart[i]..<beforeEnd[i]]
    if b.elementsEqual(text) { return true }
    // Different bytes are different Strings unless non-ASCII text is canonically equivalent.
    if b.allSatisfy({ $0 < 0x80 }) && text.allSatisfy({ $0 < 0x80 }) { return false }
    return String(decoding: b, as: UTF8.self) == String(decoding: text, as: UTF8.self)
  }
}
