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

/// Counts the rows of a rows event by walking value sizes (`ColumnSize`), not values.
enum RowCounter {
  /// Rows in `event`; on malformed rows, the rows before the bad one (as a decoder would).
  static func count(_ event: RowsEvent, table: TableMapEvent, plan: [Int32]) -> Int {
    let n = event.columnCount
    guard n <= plan.count else { return 0 }
    if event.isPartialUpdate {
      // Partial JSON after images carry per-column options: let the row decoder size them.
      guard var d = try? RowDecoder(event: event, table: table) else { return 0 }
      var k = 0
      while (try? d.next()) == true { k += 1 }
      return k
    }
    let rows = event.rows
    var pos = 0
    var count = 0
    let update = event.kind == .update
    let before = event.columnsBefore
    let after = event.columnsAfter
    let beforePresent = before.setCount
    let afterPresent = update ? after.setCount : beforePresent
    return plan.withUnsafeBufferPointer { p in
      while pos < rows.count {
        guard let q = image(rows, pos, before, beforePresent, n, table, p) else { return count }
        pos = q
        if update {
          guard let r = image(rows, pos, after, afterPresent, n, table, p) else { return count }
          pos = r
        }
        count += 1
      }
      return count
    }
  }

  /// The position after one row image starting at `start`, or nil when it runs past the end.
  @inline(__always)
  static func image(
    _ rows: UnsafeRawBufferPointer, _ start: Int, _ present: ColumnBitmap, _ presentCount: Int, _ n: Int,
    _ table: TableMapEvent, _ plan: UnsafeBufferPointer<Int32>
  ) -> Int? {
    let nullBytes = (presentCount + 7) / 8
    var pos = start + nullBytes
    let end = rows.count
    guard pos <= end, let base = rows.baseAddress else { return nil }
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
        let w = Int(-c)
        guard pos + w <= end else { return nil }
        var len = Int(base.load(fromByteOffset: pos, as: UInt8.self))
        if w > 1 {
          for b in 1..<w { len |= Int(base.load(fromByteOffset: pos + b, as: UInt8.self)) << (8 * b) }
        }
        pos += w + len
      } else {
        var cur = ByteCursor(rows, position: pos)
        guard (try? ValueDecoder.decode(table.columns[i], &cur)) != nil else { return nil }
        pos = cur.position
      }
      if pos > end { return nil }
    }
    return pos
  }
}
