import BinlogFormat

/// How many bytes one column's value takes in a row image, known from its table-map type and
/// metadata without decoding it.
enum ColumnSize {
  case fixed(Int)
  /// A little-endian length of this many bytes, then that many bytes.
  case prefixed(Int)
  /// Anything else (MariaDB hires temporals, invalid metadata): decode the value to size it.
  case decode

  init(_ col: ColumnInfo) {
    if col.mariaHires {
      self = .decode
      return
    }
    func frac(_ fsp: Int) -> Int { fsp <= 0 ? 0 : fsp <= 2 ? 1 : fsp <= 4 ? 2 : fsp <= 6 ? 3 : 0 }
    switch col.type {
    case .tiny, .year: self = .fixed(1)
    case .short: self = .fixed(2)
    case .int24, .date, .newdate, .time: self = .fixed(3)
    case .long, .float, .timestamp: self = .fixed(4)
    case .longlong, .double, .datetime: self = .fixed(8)
    case .null: self = .fixed(0)
    case .newdecimal:
      let p = col.precision
      let s = col.scale
      self = p >= 1 && p <= 65 && s <= p ? .fixed(DecimalCodec.storageSize(precision: p, scale: s)) : .decode
    case .time2: self = col.fsp <= 6 ? .fixed(3 + frac(col.fsp)) : .decode
    case .datetime2: self = col.fsp <= 6 ? .fixed(5 + frac(col.fsp)) : .decode
    case .timestamp2: self = col.fsp <= 6 ? .fixed(4 + frac(col.fsp)) : .decode
    case .varchar, .varString, .string: self = .prefixed(col.maxLength > 255 ? 2 : 1)
    case .enumType: self = col.meta == 1 || col.meta == 2 ? .fixed(Int(col.meta)) : .decode
    case .setType: self = col.meta >= 1 && col.meta <= 8 ? .fixed(Int(col.meta)) : .decode
    case .bit: self = (col.bitWidth + 7) / 8 <= 8 ? .fixed((col.bitWidth + 7) / 8) : .decode
    case .blob, .tinyBlob, .mediumBlob, .longBlob, .json, .geometry, .vector:
      self = col.meta >= 1 && col.meta <= 4 ? .prefixed(Int(col.meta)) : .decode
    default: self = .decode
    }
  }
}

extension ColumnSize {
  /// Compact form for the sizing loop: >= 0 fixed width, -1...-4 prefixed, `decodeCode` decode.
  var code: Int32 {
    switch self {
    case .fixed(let w): return Int32(w)
    case .prefixed(let w): return -Int32(w)
    case .decode: return ColumnSize.decodeCode
    }
  }
  static let decodeCode: Int32 = -100
}

/// The framing of an uncompressed rows event, as a view into its body: what counting its
/// rows needs, read without `ByteCursor` or error strings (nil sends the event to `RowsEvent`,
/// which reports what is wrong).
struct RowsFrame {
  var kind: RowsKind
  var tableID: UInt64
  var flags: UInt16
  var columnCount: Int
  var before: ColumnBitmap
  var after: ColumnBitmap
  var rows: UnsafeRawBufferPointer

  /// Write/Update/Delete_rows v1 and v2 only (v0, partial JSON and MariaDB compressed rows go
  /// through `RowsEvent`). `post` is the format's post-header length for the type.
  @inline(__always)
  init?(body: UnsafeRawBufferPointer, type: EventType, post: Int) {
    let v2: Bool
    switch type.rawValue {
    case 23, 30: kind = .write
    case 24, 31: kind = .update
    case 25, 32: kind = .delete
    default: return nil
    }
    v2 = type.rawValue >= 30
    guard let base = body.baseAddress, post == 6 || post == 8 || post == 10, body.count >= post else { return nil }
    let n = body.count
    let idLen = post == 6 ? 4 : 6
    let lo = UInt64(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
    tableID = idLen == 4 ? lo : lo | UInt64(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 4, as: UInt16.self))) << 32
    flags = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: idLen, as: UInt16.self))
    // Only the post-header lengths servers write (6/8 for v1, 10 for v2): anything else is the
    // slow path's to interpret.
    guard post == idLen + 2 + (v2 ? 2 : 0) else { return nil }
    var pos = idLen + 2
    if v2 {
      let extra = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt16.self)))
      guard extra >= 2 else { return nil }
      pos += extra
    }
    guard pos < n else { return nil }
    let first = base.load(fromByteOffset: pos, as: UInt8.self)
    let count: Int
    switch first {
    case 0..<0xFB:
      count = Int(first)
      pos += 1
    case 0xFC:
      guard pos + 3 <= n else { return nil }
      count = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: pos + 1, as: UInt16.self)))
      pos += 3
    default: return nil
    }
    guard count <= 4096 else { return nil }
    columnCount = count
    let bitmapLen = (count + 7) / 8
    guard pos + bitmapLen <= n else { return nil }
    before = ColumnBitmap(bytes: UnsafeRawBufferPointer(start: base + pos, count: bitmapLen), count: count)
    pos += bitmapLen
    if kind == .update {
      guard pos + bitmapLen <= n else { return nil }
      after = ColumnBitmap(bytes: UnsafeRawBufferPointer(start: base + pos, count: bitmapLen), count: count)
      pos += bitmapLen
    } else {
      after = before
    }
    rows = UnsafeRawBufferPointer(start: base + pos, count: n - pos)
  }

  init(_ e: RowsEvent) {
    kind = e.kind
    tableID = e.tableID
    flags = e.flags
    columnCount = e.columnCount
    before = e.columnsBefore
    after = e.columnsAfter
    rows = e.rows
  }
}

/// Counts the rows of a rows event by walking value sizes (`ColumnSize`), not values.
enum RowCounter {
  /// Rows in `event`; on malformed rows, the rows before the bad one (as a decoder would).
  static func count(_ event: RowsEvent, table: RowsTable) -> Int {
    if event.isPartialUpdate {
      guard event.columnCount <= table.plan.count else { return 0 }
      // Partial JSON after images carry per-column options: let the row decoder size them.
      guard var d = try? RowDecoder(event: event, table: table.map) else { return 0 }
      var k = 0
      while (try? d.next()) == true { k += 1 }
      return k
    }
    return count(RowsFrame(event), table: table)
  }

  /// Rows in a rows event's images; on malformed rows, the rows before the bad one.
  static func count(_ f: RowsFrame, table: RowsTable) -> Int {
    if !table.oldTemporal.isEmpty, let n = OldTemporalWidths.count(f, table: table) { return n }
    return walk(f, table: table, plan: UnsafeBufferPointer(table.plan)).rows
  }

  /// The rows `plan` reads, and whether they end exactly at the end of the event.
  static func walk(_ f: RowsFrame, table: RowsTable, plan: UnsafeBufferPointer<Int32>) -> (rows: Int, exact: Bool) {
    let n = f.columnCount
    guard n <= plan.count else { return (0, false) }
    let rows = f.rows
    var pos = 0
    var count = 0
    let update = f.kind == .update
    let beforePresent = setCount(f.before)
    let afterPresent = update ? setCount(f.after) : beforePresent
    while pos < rows.count {
      let rowStart = pos
      guard let q = image(rows, pos, f.before, beforePresent, n, table, plan) else { return (count, false) }
      pos = q
      if update {
        guard let r = image(rows, pos, f.after, afterPresent, n, table, plan) else { return (count, false) }
        pos = r
      }
      // No column present: the rows take no bytes (malformed; the row decoder reports it).
      if pos == rowStart { return (count, false) }
      count += 1
    }
    return (count, pos == rows.count)
  }

  /// Columns set in a bitmap (whole bytes by popcount; bits past `count` ignored).
  @inline(__always)
  static func setCount(_ b: ColumnBitmap) -> Int {
    var k = 0
    let full = b.count >> 3
    for i in 0..<full { k += b.bytes[i].nonzeroBitCount }
    let rest = b.count & 7
    if rest > 0 { k += (b.bytes[full] & UInt8((1 << rest) - 1)).nonzeroBitCount }
    return k
  }

  /// The position after one row image starting at `start`, or nil when it runs past the end.
  @inline(__always)
  static func image(
    _ rows: UnsafeRawBufferPointer, _ start: Int, _ present: ColumnBitmap, _ presentCount: Int, _ n: Int,
    _ table: RowsTable, _ plan: UnsafeBufferPointer<Int32>
  ) -> Int? {
    let nullBytes = (presentCount + 7) / 8
    var pos = start + nullBytes
    let end = rows.count
    guard pos <= end, let base = rows.baseAddress else { return nil }
    if presentCount == n && table.allSized {
      // Every column present and sized by the plan: the common full-image case.
      var nulls: UInt64 = 0
      var k = 0
      for i in 0..<n {
        if k & 63 == 0 { nulls = loadBits(base, start, k, nullBytes) }
        let isNull = nulls & 1 != 0
        nulls >>= 1
        k += 1
        if isNull { continue }
        let c = plan[i]
        if c >= 0 {
          pos += Int(c)
          continue
        }
        guard let next = skipLengthPrefixed(base, pos, Int(-c), end) else { return nil }
        pos = next
        if pos > end { return nil }
      }
      return pos > end ? nil : pos
    }
    let all = presentCount == n
    var k = 0
    for i in 0..<n {
      if !all && !present[i] { continue }
      let isNull = base.load(fromByteOffset: start + (k >> 3), as: UInt8.self) & (1 << UInt8(k & 7)) != 0
      k += 1
      if isNull { continue }
      let c = plan[i]
      if c >= 0 {
        pos += Int(c)
      } else if c >= -4 {
        guard let next = skipLengthPrefixed(base, pos, Int(-c), end) else { return nil }
        pos = next
      } else {
        var cur = ByteCursor(rows, position: pos)
        guard (try? ValueDecoder.decode(table.map.columns[i], &cur)) != nil else { return nil }
        pos = cur.position
      }
      if pos > end { return nil }
    }
    return pos
  }

  /// Up to 64 bits of a null bitmap from bit `k` (a multiple of 64), bytes past its end as 0.
  @inline(__always)
  static func loadBits(_ base: UnsafeRawPointer, _ start: Int, _ k: Int, _ nullBytes: Int) -> UInt64 {
    let from = k >> 3
    let left = nullBytes - from
    if left >= 8 { return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: start + from, as: UInt64.self)) }
    var v: UInt64 = 0
    for j in 0..<left { v |= UInt64(base.load(fromByteOffset: start + from + j, as: UInt8.self)) << (8 * j) }
    return v
  }
}

/// A table map in force, with what counting its rows needs (kept by `IndexScanner`).
final class RowsTable {
  let tableID: UInt64
  let body: [UInt8]
  let map: TableMapEvent
  /// `ColumnSize.code` per column (owned; read in the row loop without array retains).
  let plan: UnsafeMutableBufferPointer<Int32>
  /// True when no column needs decoding to be sized.
  let allSized: Bool
  var tableIndex: UInt32?
  /// MariaDB TIME/DATETIME/TIMESTAMP columns in the old type codes, whose precision the
  /// Table_map may not give (`OldTemporalWidths`), with the layouts each can have.
  let oldTemporal: [Int]
  let oldTemporalLayouts: [[OldTemporalWidths.Layout]]
  /// The layouts (an index into each column's list) that last fitted a rows event.
  var oldTemporalChoice: [Int]?

  init(body: [UInt8], map: TableMapEvent, flavor: FormatDescription.Flavor? = nil) {
    tableID = map.tableID
    self.body = body
    self.map = map
    plan = .allocate(capacity: map.columns.count)
    for (i, c) in map.columns.enumerated() { plan[i] = ColumnSize(c).code }
    allSized = !plan.contains(ColumnSize.decodeCode)
    var old: [Int] = []
    var layouts: [[OldTemporalWidths.Layout]] = []
    if flavor != .mysql {
      for (i, c) in map.columns.enumerated() where !c.mariaHires {
        guard let l = OldTemporalWidths.layouts(c.type) else { continue }
        old.append(i)
        layouts.append(l)
      }
    }
    oldTemporal = old
    oldTemporalLayouts = layouts
  }

  deinit { plan.deallocate() }
}

/// The offset after a value with a `width`-byte little-endian length prefix at `pos`, or nil
/// when the prefix runs past `end`.
@inline(__always)
private func skipLengthPrefixed(_ base: UnsafeRawPointer, _ pos: Int, _ width: Int, _ end: Int) -> Int? {
  guard pos + width <= end else { return nil }
  var len = Int(base.load(fromByteOffset: pos, as: UInt8.self))
  if width > 1 {
    for b in 1..<width { len |= Int(base.load(fromByteOffset: pos + b, as: UInt8.self)) << (8 * b) }
  }
  return pos + width + len
}
