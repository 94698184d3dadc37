import BinlogFormat

/// MariaDB's old-format TIME/DATETIME/TIMESTAMP(n) (`mysql56_temporal_format=OFF`, or tables
/// created before 10.1 and never rebuilt) are logged as types 11/12/7 without n, even with FULL
/// metadata, yet each value takes n's bytes: only the DDL says n, and the index has no DDL. The
/// rows of an event are counted with the layouts that make every row image end exactly where the
/// event does, every such value plausible and no NOT NULL column NULL (the fewest rows when several
/// do); the choice is kept for the table map's next events.
enum OldTemporalWidths {
  /// A value's width and the fraction digits it is read with (0: the pre-5.3 format).
  struct Layout {
    var type: ColumnType
    var width: Int
    var dec: Int
  }

  /// The layouts of an old-type column: fsp 0, then MariaDB's hires widths (`time_hires_bytes`
  /// 3,4,4,5,5,5,6; `datetime_hires_bytes` 5,6,6,7,7,7,8; TIMESTAMP 4 + `sec_part_bytes`),
  /// each width read with the largest n it serves.
  static func layouts(_ t: ColumnType) -> [Layout]? {
    switch t {
    case .time: return [(3, 0), (4, 2), (5, 5), (6, 6)].map { Layout(type: t, width: $0.0, dec: $0.1) }
    case .datetime: return [(8, 0), (6, 2), (7, 5), (8, 6)].map { Layout(type: t, width: $0.0, dec: $0.1) }
    case .timestamp: return [(4, 0), (5, 2), (6, 4), (7, 6)].map { Layout(type: t, width: $0.0, dec: $0.1) }
    default: return nil
    }
  }

  /// Rows in the event under the first layouts that fit it (the table's last choice first); nil
  /// when none does (the caller counts with the plain widths, as a decoder would fail).
  static func count(_ f: RowsFrame, table: RowsTable) -> Int? {
    var s = Search(f: f, table: table)
    if let c = table.oldTemporalChoice {
      s.choice = c
      if let n = s.run(from: 0, image: 0) { return n }
      s.choice = [Int](repeating: -1, count: table.oldTemporal.count)
    }
    // Every fit (within the budget); wrong widths misplace the NULL bitmaps, whose random bits
    // shorten rows, so the fit with the fewest rows is the one taken.
    s.collect = true
    _ = s.run(from: 0, image: 0)
    guard let best = s.best, best.rows > 0 else { return nil }
    // Columns NULL in every row stay open: the plain width until a row says otherwise.
    table.oldTemporalChoice = best.choice.map { Swift.max(0, $0) }
    return best.rows
  }

  /// A depth-first search for the layouts: the first non-NULL value of each old temporal column
  /// tries each layout in turn, later rows must then fit; a bounded number of image reads.
  struct Search {
    let f: RowsFrame
    let table: RowsTable
    let layoutOf: [Int]
    var choice: [Int]
    var budget = 300_000
    /// With `collect`, a complete fit is recorded in `best` and the search goes on.
    var collect = false
    var best: (rows: Int, choice: [Int])?

    init(f: RowsFrame, table: RowsTable) {
      self.f = f
      self.table = table
      var l = [Int](repeating: -1, count: f.columnCount)
      for (j, i) in table.oldTemporal.enumerated() where i < f.columnCount { l[i] = j }
      layoutOf = l
      choice = [Int](repeating: -1, count: table.oldTemporal.count)
    }

    /// Rows of the event from image number `image` at `pos` on, when everything after fits.
    mutating func run(from pos: Int, image: Int) -> Int? {
      let n = f.columnCount
      guard n <= table.plan.count else { return nil }
      let perRow = f.kind == .update ? 2 : 1
      var pos = pos
      var image = image
      while pos < f.rows.count {
        budget -= 1
        if budget < 0 { return nil }
        let present = image % perRow == 0 ? f.before : f.after
        let start = pos
        // Fast: every column this image holds is decided.
        if let end = read(present, at: pos, column: 0, bit: 0, imageStart: pos, open: false) {
          pos = end
        } else {
          // Decide the open columns of this image, then the rest of the event must fit.
          return branch(present, imageStart: pos, at: pos + nullBytes(present), column: 0, bit: 0, image: image)
        }
        if pos == start { return nil }
        image += 1
      }
      guard pos == f.rows.count, image % perRow == 0 else { return nil }
      let rows = image / perRow
      if collect {
        if best == nil || rows < best!.rows { best = (rows, choice) }
        return nil
      }
      return rows
    }

    func nullBytes(_ present: ColumnBitmap) -> Int {
      var c = 0
      for i in 0..<f.columnCount where present[i] { c += 1 }
      return (c + 7) / 8
    }

    /// Reads one image with the decided layouts; nil when it does not fit or (with `open` false)
    /// reaches an undecided column.
    func read(_ present: ColumnBitmap, at start: Int, column: Int, bit: Int, imageStart: Int, open: Bool) -> Int? {
      var pos = start + nullBytes(present)
      let rows = f.rows
      guard pos <= rows.count else { return nil }
      var k = 0
      for i in 0..<f.columnCount where present[i] {
        let isNull = rows[start + (k >> 3)] & (1 << UInt8(k & 7)) != 0
        k += 1
        guard let next = step(i, isNull: isNull, at: pos) else { return nil }
        pos = next
      }
      return pos
    }

    /// The position after column `i`'s value at `pos`, with the decided layout; nil when it does
    /// not fit or is undecided.
    func step(_ i: Int, isNull: Bool, at pos: Int) -> Int? {
      let rows = f.rows
      let end = rows.count
      if isNull {
        // A NOT NULL column (the Table_map says which) is never NULL: wrong widths misplace the
        // next row's NULL bitmap.
        return table.map.columns[i].nullable ? pos : nil
      }
      let j = layoutOf[i]
      if j >= 0 {
        guard choice[j] >= 0 else { return nil }
        let l = table.oldTemporalLayouts[j][choice[j]]
        guard pos + l.width <= end, plausible(l, rows, pos) else { return nil }
        return pos + l.width
      }
      let c = table.plan[i]
      var p = pos
      if c >= 0 {
        p += Int(c)
      } else if c >= -4 {
        let w = Int(-c)
        guard p + w <= end else { return nil }
        var len = 0
        for b in 0..<w { len |= Int(rows[p + b]) << (8 * b) }
        p += w + len
      } else {
        var cur = ByteCursor(rows, position: p)
        guard (try? ValueDecoder.decode(table.map.columns[i], &cur)) != nil else { return nil }
        p = cur.position
      }
      return p > end ? nil : p
    }

    /// Reads the image from column `column` (its `bit`-th present one) at `pos`, trying each
    /// layout of an undecided column, and then the rest of the event.
    mutating func branch(_ present: ColumnBitmap, imageStart: Int, at pos: Int, column: Int, bit: Int, image: Int) -> Int? {
      var pos = pos
      var k = bit
      var i = column
      while i < f.columnCount {
        if !present[i] {
          i += 1
          continue
        }
        let isNull = f.rows[imageStart + (k >> 3)] & (1 << UInt8(k & 7)) != 0
        let j = layoutOf[i]
        if !isNull && j >= 0 && choice[j] < 0 {
          for c in 0..<table.oldTemporalLayouts[j].count {
            choice[j] = c
            if let next = step(i, isNull: false, at: pos),
              let r = branch(present, imageStart: imageStart, at: next, column: i + 1, bit: k + 1, image: image)
            {
              return r
            }
            if budget < 0 { break }
          }
          choice[j] = -1
          return nil
        }
        guard let next = step(i, isNull: isNull, at: pos) else { return nil }
        pos = next
        k += 1
        i += 1
      }
      if pos == imageStart { return nil }
      return run(from: pos, image: image + 1)
    }
  }

  /// Whether the bytes at `pos` read as a value of the layout (the ranges the server stores).
  static func plausible(_ l: Layout, _ b: UnsafeRawBufferPointer, _ pos: Int) -> Bool {
    func le(_ w: Int) -> UInt64 {
      var v: UInt64 = 0
      for k in 0..<w { v |= UInt64(b[pos + k]) << (8 * UInt64(k)) }
      return v
    }
    func be(_ from: Int, _ w: Int) -> UInt64 {
      var v: UInt64 = 0
      for k in 0..<w { v = v << 8 | UInt64(b[pos + from + k]) }
      return v
    }
    var scale: UInt64 = 1
    for _ in 0..<l.dec { scale *= 10 }
    switch l.type {
    case .time where l.dec == 0:
      // ±HHMMSS in 3 bytes, little-endian, two's complement.
      var v = Int64(le(3))
      if v & 0x80_0000 != 0 { v -= 0x100_0000 }
      let m = v.magnitude
      return m % 100 < 60 && (m / 100) % 100 < 60 && m / 10_000 <= 838
    case .time:
      // Seconds × 10^n + fraction, offset by 838:59:59 + 1 s: |time| ≤ 838:59:59.999999.
      return be(0, l.width) < 2 * 3_020_400 * scale
    case .datetime where l.dec == 0:
      let v = le(8)
      let s = v % 100
      let mi = (v / 100) % 100
      let h = (v / 10_000) % 100
      let d = (v / 1_000_000) % 100
      let mo = (v / 100_000_000) % 100
      let y = v / 10_000_000_000
      return s < 60 && mi < 60 && h < 24 && d <= 31 && mo <= 12 && y <= 9999
    case .datetime:
      // ((((year × 13 + month) × 32 + day) × 24 + hour) × 60 + minute) × 60 + second, × 10^n.
      return be(0, l.width) / scale / (86_400 * 32 * 13) <= 9999
    case .timestamp where l.dec == 0:
      return true
    default:
      return be(4, l.width - 4) < scale
    }
  }
}
