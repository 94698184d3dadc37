/// MariaDB GTID_EVENT (162): starts every event group (transaction or standalone DDL) on
/// MariaDB 10.0+, replacing the `BEGIN` query event.
///
/// Body (little-endian); fields after `flags` exist only when their flag is set:
///
///     +0   8  seq_no
///     +8   4  domain_id
///     +12  1  flags (`Flags`)
///     +13  8  commit_id                      if .groupCommitID
///          4  XA formatID, 1 gtrid_length,   if .preparedXA or .completedXA
///          1  bqual_length, gtrid+bqual bytes
///          1  flags_extra (`ExtraFlags`)     if any byte remains (later 10.x; zero pad before)
///          1  number of extra engines        if .multiEngine
///          8  seq_no of the START ALTER      if .commitAlter or .rollbackAlter
///          4  thread_id                      if .threadID (MariaDB 11.5+, MDEV-7850)
///
/// The server pads the body with zero bytes to at least 19 bytes (the post-header length), so an
/// older event without extra flags reads as `extraFlags == []`. The server id of the GTID is the
/// event header's server id.
public struct MariaGTIDEvent: Hashable, Sendable {
  /// The `flags2` byte.
  public struct Flags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// No terminating COMMIT/XID event: the group is one statement (DDL or non-transactional).
    public static let standalone = Flags(rawValue: 0x01)
    /// The group was part of a binlog group commit; `commitID` is set and is shared by its members.
    public static let groupCommitID = Flags(rawValue: 0x02)
    /// The group can be rolled back safely (only transactional engines were written).
    public static let transactional = Flags(rawValue: 0x04)
    /// Negation of `@@skip_parallel_replication` at commit: may be applied in parallel.
    public static let allowParallel = Flags(rawValue: 0x08)
    /// A row lock wait (or other wait) happened during execution; parallel apply is riskier.
    public static let waited = Flags(rawValue: 0x10)
    /// The group contains DDL.
    public static let ddl = Flags(rawValue: 0x20)
    /// The group ends with XA PREPARE; `xid` is set.
    public static let preparedXA = Flags(rawValue: 0x40)
    /// The group is an XA COMMIT or XA ROLLBACK of a prepared XA transaction; `xid` is set.
    public static let completedXA = Flags(rawValue: 0x80)
  }

  /// The `flags_extra` byte (two-phase ALTER bits: MariaDB 10.8+; thread id: 11.5+).
  public struct ExtraFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The transaction used more than one engine; `extraEngines` is the count beyond the first.
    public static let multiEngine = ExtraFlags(rawValue: 0x01)
    /// First half of a two-phase ALTER TABLE (`binlog_alter_two_phase`).
    public static let startAlter = ExtraFlags(rawValue: 0x02)
    /// Commits the two-phase ALTER started by the group with seq `startAlterSeq`.
    public static let commitAlter = ExtraFlags(rawValue: 0x04)
    /// Rolls back the two-phase ALTER started by the group with seq `startAlterSeq`.
    public static let rollbackAlter = ExtraFlags(rawValue: 0x08)
    /// `threadID` is present (MariaDB 11.5+).
    public static let threadID = ExtraFlags(rawValue: 0x10)
  }

  /// An XA transaction id: `formatID` (-1 is the null XID), global part and branch qualifier.
  public struct XID: Hashable, Sendable {
    public var formatID: Int32
    public var gtrid: [UInt8]
    public var bqual: [UInt8]

    public init(formatID: Int32, gtrid: [UInt8], bqual: [UInt8]) {
      self.formatID = formatID
      self.gtrid = gtrid
      self.bqual = bqual
    }
  }

  public var seq: UInt64
  public var domain: UInt32
  /// From the event header; the body does not carry it.
  public var server: UInt32
  public var flags: Flags
  /// Shared by all groups of one binlog group commit (present iff `.groupCommitID`).
  public var commitID: UInt64?
  /// Present iff `.preparedXA` or `.completedXA`.
  public var xid: XID?
  /// Empty if the event has no extra flags byte.
  public var extraFlags: ExtraFlags
  public var extraEngines: UInt8?
  /// For COMMIT/ROLLBACK ALTER: the seq_no of the matching START ALTER group.
  public var startAlterSeq: UInt64?
  /// Id of the connection that ran the transaction on the originating server.
  public var threadID: UInt32?

  public var gtid: MariaGTID { MariaGTID(domain: domain, server: server, seq: seq) }

  public init(
    gtid: MariaGTID, flags: Flags, commitID: UInt64? = nil, xid: XID? = nil, extraFlags: ExtraFlags = [],
    extraEngines: UInt8? = nil, startAlterSeq: UInt64? = nil, threadID: UInt32? = nil
  ) {
    self.seq = gtid.seq
    self.domain = gtid.domain
    self.server = gtid.server
    self.flags = flags
    self.commitID = commitID
    self.xid = xid
    self.extraFlags = extraFlags
    self.extraEngines = extraEngines
    self.startAlterSeq = startAlterSeq
    self.threadID = threadID
  }

  /// Decodes the body (after the common header, without the CRC32); `serverID` is the server id
  /// from the event header, which is the GTID's server id.
  public init(parsing body: UnsafeRawBufferPointer, serverID: UInt32) throws(BinlogError) {
    var c = ByteCursor(body)
    seq = try c.u64("seq_no")
    domain = try c.u32("domain_id")
    flags = Flags(rawValue: try c.u8("GTID flags"))
    server = serverID
    // MariaDB treats seq_no 0 as an invalid event.
    guard seq != 0 else { throw BinlogError(.malformed, "MariaDB GTID event has seq_no 0", innerOffset: 0) }
    if flags.contains(.groupCommitID) {
      commitID = try c.u64("commit_id")
    }
    if !flags.isDisjoint(with: [.preparedXA, .completedXA]) {
      let formatID = Int32(bitPattern: try c.u32("XA formatID"))
      let lengthsAt = c.position
      let gtridLength = Int(try c.u8("XA gtrid_length"))
      let bqualLength = Int(try c.u8("XA bqual_length"))
      // XA limits: MAXGTRIDSIZE and MAXBQUALSIZE are 64.
      guard gtridLength <= 64, bqualLength <= 64 else {
        throw BinlogError(
          .malformed, "MariaDB GTID event XID lengths \(gtridLength)/\(bqualLength) exceed 64", innerOffset: lengthsAt)
      }
      let gtrid = Array(try c.bytes(gtridLength, "XA gtrid"))
      let bqual = Array(try c.bytes(bqualLength, "XA bqual"))
      xid = XID(formatID: formatID, gtrid: gtrid, bqual: bqual)
    }
    extraFlags = []
    guard !c.isAtEnd else { return }
    extraFlags = ExtraFlags(rawValue: try c.u8("flags_extra"))
    if extraFlags.contains(.multiEngine) {
      extraEngines = try c.u8("extra engine count")
    }
    if !extraFlags.isDisjoint(with: [.commitAlter, .rollbackAlter]) {
      startAlterSeq = try c.u64("START ALTER seq_no")
    }
    if extraFlags.contains(.threadID) {
      threadID = try c.u32("thread_id")
    }
  }
}
