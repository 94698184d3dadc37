/// What a value decoder needs to know about one column: `ColumnInfo` without its names and
/// labels. A trivial struct (no references), so the per-value hot path copies it for free
/// instead of retaining and releasing the strings and arrays of a `ColumnInfo`.
public struct ColumnCodec: Sendable, Equatable {
  public var type: ColumnType
  public var binlogType: UInt8
  public var meta: UInt16
  public var unsigned: Bool
  public var mariaHires: Bool
  public var hasCollation: Bool
  /// Collation id when `hasCollation` (binary = 63).
  public var collationID: UInt32

  @inlinable public init(_ col: ColumnInfo) {
    type = col.type
    binlogType = col.binlogType
    meta = col.meta
    unsigned = col.unsigned ?? false
    mariaHires = col.mariaHires
    hasCollation = col.collation != nil
    collationID = col.collation ?? 0
  }

  @inlinable public var collation: UInt32? { hasCollation ? collationID : nil }
  @inlinable public var precision: Int { Int(meta & 0xFF) }
  @inlinable public var scale: Int { Int(meta >> 8) }
  @inlinable public var fsp: Int { Int(meta) }
  @inlinable public var maxLength: Int { Int(meta) }
  @inlinable public var bitWidth: Int { Int(meta >> 8) * 8 + Int(meta & 0xFF) }
}

extension TableMapEvent {
  /// The decoders' view of every column, in order.
  public var columnCodecs: [ColumnCodec] { columns.map(ColumnCodec.init) }
}
