/// MariaDB GTID_LIST_EVENT (163): the binlog state (last GTID per domain and server) as of the
/// start of this binlog file, written after the format description event. It is MariaDB's
/// counterpart of MySQL's Previous_gtids.
///
/// Body (little-endian):
///
///     4       count in the low 28 bits; the high 4 bits are `ListFlags`
///     16×n    domain_id (4), server_id (4), seq_no (8)
///
/// An empty list is written with 2 zero bytes of padding after the count.
public struct MariaGTIDListEvent: Hashable, Sendable {
  /// High 4 bits of the count word (shifted down to bits 0...3).
  public struct ListFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Sent as a fake event by a primary when a replica's START SLAVE UNTIL position was reached.
    public static let untilReached = ListFlags(rawValue: 0x1)
    /// The replica must record these GTIDs as applied while skipping them (`FLAG_IGN_GTIDS`).
    public static let ignoreGTIDs = ListFlags(rawValue: 0x2)
  }

  public var flags: ListFlags
  /// The entries in file order.
  public var gtids: [MariaGTID]

  /// The entries as a position list.
  public var list: MariaGTIDList { MariaGTIDList(gtids) }

  public init(flags: ListFlags = [], gtids: [MariaGTID]) {
    self.flags = flags
    self.gtids = gtids
  }

  /// Decodes the body (after the common header, without the CRC32). Bytes after the list are
  /// ignored, as MariaDB does.
  public init(parsing body: UnsafeRawBufferPointer) throws(BinlogError) {
    var c = ByteCursor(body)
    let word = try c.u32("GTID list count")
    flags = ListFlags(rawValue: UInt8(truncatingIfNeeded: word >> 28))
    let count = Int(word & 0x0fff_ffff)
    guard count <= c.remaining / 16 else {
      throw BinlogError(
        .truncated, "GTID list claims \(count) entries but only \(c.remaining) bytes remain", innerOffset: 0)
    }
    var list = [MariaGTID]()
    list.reserveCapacity(count)
    for _ in 0..<count {
      let domain = try c.u32("domain_id")
      let server = try c.u32("server_id")
      let seq = try c.u64("seq_no")
      list.append(MariaGTID(domain: domain, server: server, seq: seq))
    }
    gtids = list
  }
}
