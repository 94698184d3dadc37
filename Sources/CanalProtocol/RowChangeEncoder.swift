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
/// An event is written in two walks: `prepare` decodes every row, renders every value's text
/// into one reused buffer and sizes each column, row and the whole RowChange (`size`); `write`
/// then writes exactly `size` bytes, so the caller can put the Entry's length prefixes first and
/// the RowChange straight into its output, with nothing moved to patch a length. The name
/// (+ `isKey`) and `mysqlType` fields of each column are serialized once per table map.
final class RowChangeEncoder {
  /// One column of one row image: where its text is, the bytes of its Column message, its
  /// sqlType, its state (0 absent, 1 NULL, 2 value) and whether it is `updated`.
  private struct Slot {
    var start = 0
    var end = 0
    var length = 0
    var sqlType: Int32 = 0
    var state: UInt8 = 0
    var updated = false
  }

  /// Text of the prepared event's values, row by row, before image then after image.
  private var text = RawTextBuffer(capacity: 1 << 16)
  /// The column slots of the prepared rows: `perRow` per row (`n` per image, before image first).
  private var slots: UnsafeMutablePointer<Slot>
  private var slotCapacity = 0
  /// The byte length of each prepared row's RowData message.
  private var rowLengths: UnsafeMutablePointer<Int>
  private var rowCapacity = 0

  /// The prepared event.
  private var tableID: UInt64 = 0
  private var eventType: CanalEventType = .insert
  private var kind: RowsKind = .write
  private var columnCount = 0
  private var perRow = 0
  /// Rows and serialized bytes of the prepared RowChange.
  private(set) var rowCount = 0
  private(set) var size = 0

  /// The constant fields of each table's columns, serialized once per table id: `name`
  /// (+ `isKey`) and `mysqlType`, at `start[2i]..<start[2i+1]` and `start[2i+1]..<start[2i+2]`
  /// of `bytes`.
  private struct Fields {
    var of: [CanalColumnMeta]
    var bytes: [UInt8] = []
    var start: [Int] = [0]
  }
  private var fieldsByTable: [UInt64: Fields] = [:]
  private var fields = Fields(of: [])

  init() {
    slotCapacity = 256
    slots = .allocate(capacity: slotCapacity)
    rowCapacity = 64
    rowLengths = .allocate(capacity: rowCapacity)
  }

  deinit {
    text.deallocate()
    slots.deallocate()
    rowLengths.deallocate()
  }

  /// Decodes and renders every row of `rows` and sizes the RowChange: `rowCount` and `size`
  /// describe it afterwards, and `write` writes it (before the next `prepare`).
  func prepare(
    _ rows: RowsEvent, _ decoder: inout RowDecoder, table: TableMapEvent, meta: CanalTableMeta,
    type: CanalEventType, zone: TimeZoneSpec, charset: CanalTextCharset
  ) throws(BinlogError) {
    tableID = rows.tableID
    eventType = type
    kind = rows.kind
    let n = rows.columnCount
    columnCount = n
    perRow = kind == .update ? 2 * n : n
    rowCount = 0
    size = 0
    var total = 2  // isDdl = false, set
    if tableID != 0 { total += 1 + EntryEncoding.varintSize(tableID) }
    total += 1 + EntryEncoding.intSize(Int64(type.rawValue))
    // EntryMapper caches the meta per table id, so this compares one array with itself: O(1).
    if fields.of != meta.columns {
      if let cached = fieldsByTable[rows.tableID], cached.of == meta.columns {
        fields = cached
      } else {
        if fieldsByTable.count >= 4096 { fieldsByTable.removeAll() }
        fields = Self.serializeFields(meta.columns)
        fieldsByTable[rows.tableID] = fields
      }
    }
    // The text buffer and the slot pointers are moved into locals for the loop: no exclusivity
    // check or reload per value.
    var text = self.text
    text.removeAll()
    defer { self.text = text }
    var count = 0
    let fields = self.fields
    try meta.columns.withUnsafeBufferPointer { (metas: UnsafeBufferPointer<CanalColumnMeta>) throws(BinlogError) in
      try table.columns.withUnsafeBufferPointer { (cols: UnsafeBufferPointer<ColumnInfo>) throws(BinlogError) in
        try fields.bytes.withUnsafeBufferPointer { (f: UnsafeBufferPointer<UInt8>) throws(BinlogError) in
          try fields.start.withUnsafeBufferPointer { (fs: UnsafeBufferPointer<Int>) throws(BinlogError) in
            let c = Columns(metas: metas, cols: cols, fields: UnsafeRawBufferPointer(f), fieldStart: fs)
            while try decoder.next() {
              reserveRows(count + 1)
              let base = slots + count * perRow
              var rowLength = 0
              switch kind {
              case .write:
                rowLength = try Self.render(decoder.after, base, before: nil, isAfter: true, c, zone, charset, &text)
              case .delete:
                rowLength = try Self.render(decoder.before, base, before: nil, isAfter: false, c, zone, charset, &text)
              case .update:
                rowLength = try Self.render(decoder.before, base, before: nil, isAfter: false, c, zone, charset, &text)
                rowLength += try Self.render(decoder.after, base + n, before: base, isAfter: true, c, zone, charset, &text)
              }
              rowLengths[count] = rowLength
              total += 1 + EntryEncoding.varintSize(UInt64(rowLength)) + rowLength
              count += 1
            }
          }
        }
      }
    }
    rowCount = count
    size = total
  }

  /// Room for the slots and lengths of `rows` rows.
  private func reserveRows(_ rows: Int) {
    if rows > rowCapacity {
      let bigger = UnsafeMutablePointer<Int>.allocate(capacity: 2 * rows)
      bigger.update(from: rowLengths, count: rowCapacity)
      rowLengths.deallocate()
      rowLengths = bigger
      rowCapacity = 2 * rows
    }
    let needed = rows * perRow
    if needed > slotCapacity {
      let bigger = UnsafeMutablePointer<Slot>.allocate(capacity: 2 * needed)
      bigger.update(from: slots, count: slotCapacity)
      slots.deallocate()
      slots = bigger
      slotCapacity = 2 * needed
    }
  }

  /// Writes the prepared RowChange (`size` bytes) at `start`; returns `size`.
  @discardableResult
  func write(to start: UnsafeMutableRawPointer) -> Int {
    var w = ProtobufWriter(start)
    if tableID != 0 {
      w.byte(0x08)
      w.varint(tableID)
    }
    w.byte(0x10)
    w.int(Int64(eventType.rawValue))
    w.bytes(0x50, 0)
    let n = columnCount
    let text = self.text.bytes
    fields.bytes.withUnsafeBytes { f in
      fields.start.withUnsafeBufferPointer { fs in
        let c = Columns(
          metas: UnsafeBufferPointer(start: nil, count: 0), cols: UnsafeBufferPointer(start: nil, count: 0), fields: f,
          fieldStart: fs)
        for r in 0..<rowCount {
          w.byte(0x62)
          w.varint(UInt64(rowLengths[r]))
          let base = slots + r * perRow
          switch kind {
          case .write: Self.write(base, n, tag: 0x12, c, text, &w)
          case .delete: Self.write(base, n, tag: 0x0A, c, text, &w)
          case .update:
            Self.write(base, n, tag: 0x0A, c, text, &w)
            Self.write(base + n, n, tag: 0x12, c, text, &w)
          }
        }
      }
    }
    return w.finish(from: start, expecting: size)
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

  /// Renders one image's values into `text` and `slots`; returns the bytes its column messages
  /// take in the row (tags and lengths included). `before`: the row's before image, for the
  /// after image of an update.
  private static func render(
    _ values: [ColumnValue], _ slots: UnsafeMutablePointer<Slot>, before: UnsafeMutablePointer<Slot>?,
    isAfter: Bool, _ c: Columns, _ zone: TimeZoneSpec, _ charset: CanalTextCharset, _ text: inout RawTextBuffer
  ) throws(BinlogError) -> Int {
    var total = 0
    try values.withUnsafeBufferPointer { (values: UnsafeBufferPointer<ColumnValue>) throws(BinlogError) in
      for i in 0..<values.count {
        let s = slots + i
        let v = values[i]
        if v.isAbsent {
          s.pointee.state = 0
          continue
        }
        let m = c.metas.baseAddress! + i
        let isNull = v.isNull
        var sqlType = m.pointee.nullSQLType
        let start = text.count
        if !isNull {
          let col = c.cols.baseAddress! + i
          sqlType = try CanalValueText.append(
            v, type: col.pointee.type, mariaHires: col.pointee.mariaHires, meta: m, zone: zone, charset: charset,
            into: &text)
          // The mapper stores String(decoding: text): invalid UTF-8 becomes U+FFFD. Character data
          // is already valid here (CanalValueText decodes it so); a JSON document's strings may not be.
          if v.mayHoldInvalidUTF8 && !TextEncoding.isValidUTF8(UnsafeRawBufferPointer(rebasing: text.bytes[start...])) {
            let bad = Array(UnsafeRawBufferPointer(rebasing: text.bytes[start...]))
            text.removeLast(bad.count)
            bad.withUnsafeBytes { TextEncoding.appendUTF8Repairing($0, into: &text) }
          }
        }
        let end = text.count
        var updated = false
        if isAfter {
          updated = true
          if let before {
            switch before[i].state {
            case 1: if isNull { updated = false }
            case 2:
              if !isNull {
                let b = before[i]
                let t = text.bytes
                if sameText(
                  UnsafeRawBufferPointer(rebasing: t[b.start..<b.end]), UnsafeRawBufferPointer(rebasing: t[start..<end]))
                {
                  updated = false
                }
              }
            default: break
            }
          }
        }
        let textCount = end - start
        var length = c.nameAndKey(i).count + c.mysqlType(i).count + 2
        if i != 0 { length += 1 + EntryEncoding.varintSize(UInt64(i)) }
        if sqlType != 0 { length += 1 + EntryEncoding.intSize(Int64(sqlType)) }
        if updated { length += 2 }
        if !isNull && textCount > 0 { length += 1 + EntryEncoding.varintSize(UInt64(textCount)) + textCount }
        s.pointee = Slot(start: start, end: end, length: length, sqlType: sqlType, state: isNull ? 1 : 2, updated: updated)
        total += 1 + EntryEncoding.varintSize(UInt64(length)) + length
      }
    }
    return total
  }

  /// Writes the column messages of one image rendered by `render`.
  private static func write(
    _ slots: UnsafeMutablePointer<Slot>, _ count: Int, tag: UInt8, _ c: Columns, _ text: UnsafeRawBufferPointer,
    _ w: inout ProtobufWriter
  ) {
    for i in 0..<count {
      let s = slots + i
      let state = s.pointee.state
      if state == 0 { continue }
      let isNull = state == 1
      let sqlType = s.pointee.sqlType
      w.byte(tag)
      w.varint(UInt64(s.pointee.length))
      if i != 0 {
        w.byte(0x08)
        w.varint(UInt64(i))
      }
      if sqlType != 0 {
        w.byte(0x10)
        w.int(Int64(sqlType))
      }
      w.bytes(c.nameAndKey(i))
      if s.pointee.updated { w.bytes(0x28, 1) }
      w.bytes(0x30, isNull ? 1 : 0)
      let textCount = s.pointee.end - s.pointee.start
      if !isNull && textCount > 0 {
        w.byte(0x42)
        w.varint(UInt64(textCount))
        w.bytes(UnsafeRawBufferPointer(rebasing: text[s.pointee.start..<s.pointee.end]))
      }
      w.bytes(c.mysqlType(i))
    }
  }

  /// Java's `String.equals` over two valid UTF-8 texts: code unit for code unit, which for valid
  /// UTF-8 is byte for byte (no canonical equivalence: "é" and "e\u{301}" differ).
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
