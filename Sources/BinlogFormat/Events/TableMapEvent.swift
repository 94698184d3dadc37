/// One column as described by a Table_map event (plus optional metadata when present).
public struct ColumnInfo: Sendable, Equatable {
  /// Type code from the Table_map column-type array.
  public var binlogType: UInt8
  /// The effective type: for STRING columns, the real type hidden in the metadata (ENUM, SET, STRING).
  public var type: ColumnType
  /// Raw per-column metadata (up to 2 bytes, as MySQL packs it).
  public var meta: UInt16
  public var nullable: Bool
  /// nil when the binlog does not say (no SIGNEDNESS metadata).
  public var unsigned: Bool?
  /// Collation id when known (binary = 63).
  public var collation: UInt32?
  public var name: String?
  public var enumValues: [String]?
  public var setValues: [String]?
  public var geometryType: UInt32?
  public var vectorDimensions: UInt32?
  public var isPrimaryKey: Bool = false
  public var primaryKeyPrefix: UInt32 = 0
  public var visible: Bool = true
  /// MariaDB 5.3–10.x "hires" TIME/DATETIME/TIMESTAMP(n) (mysql56_temporal_format=OFF): `meta` is n.
  public var mariaHires: Bool = false

  /// DECIMAL precision/scale, BIT width, string max length, fsp, blob length bytes...
  public var precision: Int { Int(meta & 0xFF) }
  public var scale: Int { Int(meta >> 8) }
  /// Fractional-second precision of TIME2/DATETIME2/TIMESTAMP2.
  public var fsp: Int { Int(meta) }
  /// Declared max byte length of CHAR/VARCHAR/BINARY columns.
  public var maxLength: Int { Int(meta) }
  /// Bits of a BIT(n) column.
  public var bitWidth: Int { Int(meta >> 8) * 8 + Int(meta & 0xFF) }

  /// True for CHAR/VARCHAR/TEXT-family columns (those covered by charset metadata).
  public var isCharacter: Bool {
    switch ColumnType(rawValue: binlogType) {
    case .string?, .varString?, .varchar?, .blob?, .tinyBlob?, .mediumBlob?, .longBlob?:
      return type != .enumType && type != .setType
    default: return false
    }
  }
  public var isEnumOrSet: Bool { type == .enumType || type == .setType }
}

/// Table_map_event (19): maps a table id to db.table and describes its columns.
public struct TableMapEvent: Sendable {
  public var tableID: UInt64
  public var flags: UInt16
  public var database: String
  public var table: String
  public var columns: [ColumnInfo]
  /// Optional metadata field types present (binlog_row_metadata=FULL gives names etc.).
  public var optionalMetadataTypes: [UInt8]
  /// Primary-key column indexes in key order (SIMPLE_PRIMARY_KEY / PRIMARY_KEY_WITH_PREFIX).
  public var primaryKeyOrder: [Int] = []
  /// True when column names came from the binlog itself.
  public var hasColumnNames: Bool { columns.first?.name != nil }

  public init(event: RawEvent, format: FormatDescription) throws(BinlogError) {
    var c = ByteCursor(event.body)
    let post = format.postHeaderLength(.tableMap)
    if post == 6 {
      tableID = UInt64(try c.u32("table id"))
    } else {
      tableID = try c.uint(6, "table id")
    }
    flags = try c.u16("flags")
    if post > 8 { try c.skip(post - 8, "post-header") }
    let dbLen = Int(try c.u8("database name length"))
    database = try c.string(dbLen, "database name")
    try c.skip(1, "database name terminator")
    let tLen = Int(try c.u8("table name length"))
    table = try c.string(tLen, "table name")
    try c.skip(1, "table name terminator")
    let n = try c.lengthEncodedCount("column count")
    guard n <= 4096 else { throw BinlogError(.malformed, "table map claims \(n) columns (max 4096)") }
    let types = try c.bytes(n, "column types")
    let metaLen = try c.lengthEncodedCount("metadata length")
    var m = try c.subCursor(metaLen, "column metadata")
    // MariaDB's old-format fractional TIME/DATETIME/TIMESTAMP columns carry one metadata byte that
    // MySQL's types do not: tell them apart by the metadata block's total length.
    var hiresCandidates = 0
    var baseMeta = 0
    for i in 0..<n {
      guard let t = ColumnType(rawValue: types[i]) else { break }
      baseMeta += t.metadataLength
      if t == .timestamp || t == .datetime || t == .time { hiresCandidates += 1 }
    }
    let hires = hiresCandidates > 0 && metaLen == baseMeta + hiresCandidates
    var cols: [ColumnInfo] = []
    cols.reserveCapacity(n)
    for i in 0..<n {
      let bt = types[i]
      guard let t = ColumnType(rawValue: bt) else {
        throw BinlogError(.malformed, "column \(i + 1) has unknown type code \(bt)")
      }
      var meta: UInt16 = 0
      var real = t
      switch t.metadataLength {
      case 1: meta = UInt16(try m.u8("metadata of column \(i + 1)"))
      case 2:
        if t == .string || t == .enumType || t == .setType {
          // Big-endian pair: real type, then length; CHAR lengths > 255 borrow bits 4-5 of the type.
          let b0 = UInt16(try m.u8("metadata of column \(i + 1)"))
          let b1 = UInt16(try m.u8("metadata of column \(i + 1)"))
          if t == .string, (b0 & 0x30) != 0x30 {
            let length = b1 | (((b0 & 0x30) ^ 0x30) << 4)
            real = ColumnType(rawValue: UInt8(b0 | 0x30)) ?? .string
            meta = length
          } else {
            real = ColumnType(rawValue: UInt8(b0)) ?? t
            meta = b1
          }
          if t == .enumType || t == .setType { real = t }
        } else if t == .newdecimal || t == .decimal {
          // precision, then scale: stored so that `precision` is the low byte.
          let p = UInt16(try m.u8())
          let s = UInt16(try m.u8())
          meta = p | (s << 8)
        } else if t == .bit {
          let bits = UInt16(try m.u8())
          let bytes = UInt16(try m.u8())
          meta = (bytes << 8) | bits
        } else {
          meta = try m.u16("metadata of column \(i + 1)")
        }
      default:
        if hires && (t == .timestamp || t == .datetime || t == .time) {
          meta = UInt16(try m.u8("metadata of column \(i + 1)"))
        }
      }
      cols.append(
        ColumnInfo(
          binlogType: bt, type: real, meta: meta, nullable: false, unsigned: nil, collation: nil,
          name: nil, enumValues: nil, setValues: nil, geometryType: nil, vectorDimensions: nil))
    }
    if hires {
      for i in 0..<n where cols[i].type == .timestamp || cols[i].type == .datetime || cols[i].type == .time {
        cols[i].mariaHires = true
      }
    }
    let nullBytes = (n + 7) / 8
    let nulls = try c.bytes(nullBytes, "nullable bitmap")
    for i in 0..<n { cols[i].nullable = nulls[i >> 3] & (1 << UInt8(i & 7)) != 0 }
    optionalMetadataTypes = []
    columns = cols
    if !c.isAtEnd {
      var opt = ByteCursor(c.rest())
      try parseOptionalMetadata(&opt)
    }
  }

  private mutating func parseOptionalMetadata(_ c: inout ByteCursor) throws(BinlogError) {
    // ENUM/SET labels are in the column's charset, which may come later in the block.
    var rawLabels: [Int: [[UInt8]]] = [:]
    defer {
      for (i, labels) in rawLabels {
        let cs = Charset(collation: columns[i].collation ?? 45)
        let decoded = labels.map { l -> String in
          var out: [UInt8] = []
          let ok = l.withUnsafeBytes { cs.appendUTF8($0, into: &out) }
          return ok ? String(decoding: out, as: UTF8.self) : String(decoding: l, as: UTF8.self)
        }
        if columns[i].type == .setType { columns[i].setValues = decoded } else { columns[i].enumValues = decoded }
      }
    }
    while !c.isAtEnd {
      let type = try c.u8("optional metadata type")
      let len = try c.lengthEncodedCount("optional metadata length")
      var f = try c.subCursor(len, "optional metadata field \(type)")
      optionalMetadataTypes.append(type)
      switch type {
      case 1:  // SIGNEDNESS: one bit per numeric column, most significant bit first
        var k = 0
        for i in columns.indices where columns[i].type.isNumeric {
          let byte = f.buffer.count > k >> 3 ? f.buffer[k >> 3] : 0
          columns[i].unsigned = byte & (0x80 >> UInt8(k & 7)) != 0
          k += 1
        }
        for i in columns.indices where columns[i].unsigned == nil && columns[i].type.isNumeric {
          columns[i].unsigned = false
        }
      case 2, 10:  // DEFAULT_CHARSET / ENUM_AND_SET_DEFAULT_CHARSET
        let def = UInt32(try f.lengthEncodedCount("default collation"))
        let pick: (ColumnInfo) -> Bool = type == 2 ? { $0.isCharacter } : { $0.isEnumOrSet }
        for i in columns.indices where pick(columns[i]) { columns[i].collation = def }
        while !f.isAtEnd {
          let idx = try f.lengthEncodedCount("column index")
          let coll = UInt32(try f.lengthEncodedCount("collation"))
          // The index counts only the columns of that kind.
          var k = 0
          for i in columns.indices where pick(columns[i]) {
            if k == idx { columns[i].collation = coll }
            k += 1
          }
        }
      case 3, 11:  // COLUMN_CHARSET / ENUM_AND_SET_COLUMN_CHARSET
        let pick: (ColumnInfo) -> Bool = type == 3 ? { $0.isCharacter } : { $0.isEnumOrSet }
        for i in columns.indices where pick(columns[i]) {
          if f.isAtEnd { break }
          columns[i].collation = UInt32(try f.lengthEncodedCount("collation"))
        }
      case 4:  // COLUMN_NAME
        for i in columns.indices {
          if f.isAtEnd { break }
          let n = try f.lengthEncodedCount("column name length")
          columns[i].name = try f.string(n, "column name")
        }
      case 5, 6:  // SET_STR_VALUE / ENUM_STR_VALUE
        let want: ColumnType = type == 5 ? .setType : .enumType
        for i in columns.indices where columns[i].type == want {
          if f.isAtEnd { break }
          let count = try f.lengthEncodedCount("value count")
          var values: [[UInt8]] = []
          values.reserveCapacity(count)
          for _ in 0..<count {
            let n = try f.lengthEncodedCount("value length")
            values.append(Array(try f.bytes(n, "value")))
          }
          rawLabels[i] = values
        }
      case 7:  // GEOMETRY_TYPE
        for i in columns.indices where columns[i].type == .geometry {
          if f.isAtEnd { break }
          columns[i].geometryType = UInt32(try f.lengthEncodedCount("geometry type"))
        }
      case 8:  // SIMPLE_PRIMARY_KEY
        while !f.isAtEnd {
          let idx = try f.lengthEncodedCount("primary key column")
          if idx < columns.count {
            columns[idx].isPrimaryKey = true
            primaryKeyOrder.append(idx)
          }
        }
      case 9:  // PRIMARY_KEY_WITH_PREFIX
        while !f.isAtEnd {
          let idx = try f.lengthEncodedCount("primary key column")
          let prefix = UInt32(try f.lengthEncodedCount("prefix length"))
          if idx < columns.count {
            columns[idx].isPrimaryKey = true
            columns[idx].primaryKeyPrefix = prefix
            primaryKeyOrder.append(idx)
          }
        }
      case 12:  // COLUMN_VISIBILITY: one bit per column, MSB first
        for i in columns.indices {
          let byte = f.buffer.count > i >> 3 ? f.buffer[i >> 3] : 0xFF
          columns[i].visible = byte & (0x80 >> UInt8(i & 7)) != 0
        }
      case 13:  // VECTOR_DIMENSIONALITY
        for i in columns.indices where columns[i].type == .vector {
          if f.isAtEnd { break }
          columns[i].vectorDimensions = UInt32(try f.lengthEncodedCount("vector dimensions"))
        }
      default:
        break  // unknown field: skipped by its length
      }
    }
  }

  /// Primary-key column indexes (from optional metadata).
  public var primaryKey: [Int] { primaryKeyOrder }
}
