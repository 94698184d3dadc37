/// A bitmap over a table's columns, as a view into the event (bit i = column i, LSB first).
public struct ColumnBitmap {
  public var bytes: UnsafeRawBufferPointer
  public var count: Int
  @inlinable public init(bytes: UnsafeRawBufferPointer, count: Int) {
    self.bytes = bytes
    self.count = count
  }
  @inlinable public subscript(i: Int) -> Bool { bytes[i >> 3] & (1 << UInt8(i & 7)) != 0 }
  @inlinable public var setCount: Int {
    var n = 0
    for i in 0..<count where self[i] { n += 1 }
    return n
  }
}

/// Owns decompressed rows bytes of a MariaDB compressed rows event.
public final class OwnedBytes: @unchecked Sendable {
  public let buffer: UnsafeMutableRawBufferPointer
  public init(_ bytes: [UInt8]) {
    let b = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(1, bytes.count), alignment: 8)
    bytes.withUnsafeBytes { b.copyMemory(from: $0) }
    buffer = b
    count = bytes.count
  }
  public let count: Int
  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<count]) }
  deinit { buffer.deallocate() }
}

/// Write/Update/Delete_rows v0/v1/v2, Partial_update_rows and MariaDB's compressed rows events:
/// the framing. The row images themselves are decoded by `RowDecoder` against a `TableMapEvent`.
public struct RowsEvent {
  public static let flagStatementEnd: UInt16 = 0x1
  public static let flagNoForeignKeyChecks: UInt16 = 0x2
  public static let flagRelaxedUniqueChecks: UInt16 = 0x4
  public static let flagCompleteRows: UInt16 = 0x8

  public var type: EventType
  public var kind: RowsKind
  public var version: Int
  public var tableID: UInt64
  public var flags: UInt16
  /// v2 extra-data block (without its 2-byte length).
  public var extraData: UnsafeRawBufferPointer
  public var columnCount: Int
  /// Columns present in the before image (or the only image of a write/delete).
  public var columnsBefore: ColumnBitmap
  /// Columns present in the after image of an update (same as `columnsBefore` otherwise).
  public var columnsAfter: ColumnBitmap
  /// The row images.
  public var rows: UnsafeRawBufferPointer
  /// Offset of `rows` within the event (for error messages).
  public var rowsOffsetInEvent: Int
  /// Keeps decompressed rows alive.
  public var owner: OwnedBytes?

  public var isPartialUpdate: Bool { type == .partialUpdateRows }

  public init(event: RawEvent, format: FormatDescription) throws(BinlogError) {
    type = event.type
    guard let k = event.type.rowsKind else {
      throw BinlogError(.malformed, "\(event.type.name) is not a rows event")
    }
    kind = k
    version = event.type.rowsVersion
    let body = event.body
    var c = ByteCursor(body)
    let post = format.postHeaderLength(event.type)
    if post == 6 {
      tableID = UInt64(try c.u32("table id"))
    } else {
      tableID = try c.uint(6, "table id")
    }
    flags = try c.u16("flags")
    extraData = UnsafeRawBufferPointer(start: nil, count: 0)
    if version == 2 {
      let extraLen = Int(try c.u16("extra data length"))
      guard extraLen >= 2 else {
        throw BinlogError(.malformed, "extra data length \(extraLen) is below 2", innerOffset: c.position - 2)
      }
      extraData = try c.bytes(extraLen - 2, "extra data")
    }
    let consumed = c.position
    let expectedPost = (post == 6 ? 4 : 6) + 2 + (version == 2 ? 2 : 0)
    if post > expectedPost && consumed < post { try c.skip(post - expectedPost, "post-header") }
    columnCount = try c.lengthEncodedCount("column count")
    guard columnCount <= 4096 else {
      throw BinlogError(.malformed, "rows event claims \(columnCount) columns (max 4096)")
    }
    let bitmapLen = (columnCount + 7) / 8
    columnsBefore = ColumnBitmap(bytes: try c.bytes(bitmapLen, "columns-present bitmap"), count: columnCount)
    if kind == .update {
      columnsAfter = ColumnBitmap(bytes: try c.bytes(bitmapLen, "after-image columns bitmap"), count: columnCount)
    } else {
      columnsAfter = columnsBefore
    }
    rowsOffsetInEvent = event.headerLength + c.position
    if event.type.isMariaCompressed {
      let decompressed = try MariaCompression.decompress(c.rest(), what: "compressed rows")
      let o = OwnedBytes(decompressed)
      owner = o
      rows = o.bytes
    } else {
      owner = nil
      rows = c.rest()
    }
  }
}
