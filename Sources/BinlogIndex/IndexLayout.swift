import BinlogFormat

/// The on-disk layout of a v2 index (`FILE.sidx`). Everything little-endian.
///
/// ```
/// header   magic "SLUICEIX", version u32 (2), header size u32, source size u64,
///          indexed end u64, head/tail fingerprints u32×2, source kind u32, section count u32,
///          sections: (kind u32, crc32 u32, offset u64, length u64) × count, header crc32 u32
/// blocks   transaction records in blocks of `recordsPerBlock`, each block zstd or raw:
///          records (fixed `recordSize` bytes) then the block's table touches (`touchSize`)
/// summary  file name, counts, time range, format description event, previous GTIDs, rotate
/// strings  table names (`db.table`), MySQL GTID sources (uuid + tag)
/// keys     one fixed `BlockKey` per block: what a query needs to skip blocks
/// ddl      every DDL statement: event offset, timestamp, database, SQL text (zstd)
/// ```
///
/// A reader maps the file and verifies the header and every small section; blocks are verified
/// (CRC32 in their key) only when a query decodes them.
enum IndexLayout {
  static let magic: [UInt8] = Array("SLUICEIX".utf8)
  static let version: UInt32 = 2
  static let fixedHeader = 8 + 4 + 4 + 8 + 8 + 4 + 4 + 4 + 4
  static let sectionEntry = 24
  static let maxSections = 8
  /// Blocks start at a fixed offset so they can be streamed before the header is known.
  static let headerReserve = fixedHeader + maxSections * sectionEntry + 4
  static let recordsPerBlock = 1024
  static let maxRecordsPerBlock = 65536
  static let recordSize = 72
  static let touchSize = 24
  static let blockKeySize = 176

  enum Section: UInt32 {
    case blocks = 1
    case summary = 2
    case strings = 3
    case keys = 4
    case ddl = 5
  }

  enum SourceKind: UInt32 {
    case binlog = 0
    /// A seekable zstd archive: fingerprints are over the compressed file, offsets are binlog offsets.
    case archive = 1
  }
}

/// What a query needs to know about a block of transactions without decoding it.
public struct BlockKey: Sendable, Equatable {
  public struct Flags: OptionSet, Sendable, Equatable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let compressed = Flags(rawValue: 1)
    public static let ddl = Flags(rawValue: 2)
    public static let statements = Flags(rawValue: 4)
    public static let inserts = Flags(rawValue: 8)
    public static let updates = Flags(rawValue: 16)
    public static let deletes = Flags(rawValue: 32)
    /// Some transaction has no GTID.
    public static let noGTID = Flags(rawValue: 64)
    /// GTIDs of more than one kind/source/domain/server: `gtid*` fields are not usable.
    public static let mixedGTIDs = Flags(rawValue: 128)
    public static let noThreadID = Flags(rawValue: 256)
    public static let noXid = Flags(rawValue: 512)
  }

  /// Offset of the block's bytes in the index file, their length, and the decoded length.
  public var dataOffset: UInt64 = 0
  public var storedLength: UInt32 = 0
  public var rawLength: UInt32 = 0
  public var crc: UInt32 = 0
  public var recordCount: UInt32 = 0
  public var touchCount: UInt32 = 0
  public var flags: Flags = []
  /// Ordinal of the block's first record in the file.
  public var firstRecord: UInt64 = 0
  public var minCommit: UInt64 = .max
  public var maxCommit: UInt64 = 0
  public var firstStart: UInt64 = 0
  public var lastStart: UInt64 = 0
  public var minServerID: UInt32 = .max
  public var maxServerID: UInt32 = 0
  public var minThreadID: UInt32 = .max
  public var maxThreadID: UInt32 = 0
  public var minXid: UInt64 = .max
  public var maxXid: UInt64 = 0
  /// When every GTID of the block has one kind (1 MySQL, 2 MariaDB) and source (MySQL: index in
  /// the GTID source table; MariaDB: domain and server): the sequence range.
  public var gtidKind: UInt32 = 0
  public var gtidA: UInt32 = 0
  public var gtidB: UInt32 = 0
  public var gtidMin: UInt64 = .max
  public var gtidMax: UInt64 = 0
  /// Bit (table id % 256) set for every table a rows event of the block touched.
  public var tableBits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

  public init() {}

  public static func == (a: BlockKey, b: BlockKey) -> Bool {
    a.dataOffset == b.dataOffset && a.storedLength == b.storedLength && a.crc == b.crc && a.recordCount == b.recordCount
  }

  @inlinable public func mayTouch(table id: UInt32) -> Bool {
    let bit = UInt64(1) << UInt64(id & 63)
    switch (id >> 6) & 3 {
    case 0: return tableBits.0 & bit != 0
    case 1: return tableBits.1 & bit != 0
    case 2: return tableBits.2 & bit != 0
    default: return tableBits.3 & bit != 0
    }
  }

  mutating func setTable(_ id: UInt32) {
    let bit = UInt64(1) << UInt64(id & 63)
    switch (id >> 6) & 3 {
    case 0: tableBits.0 |= bit
    case 1: tableBits.1 |= bit
    case 2: tableBits.2 |= bit
    default: tableBits.3 |= bit
    }
  }

  /// Adds a record to the key's ranges (`gtidCode` as `RecordCodec` encodes it).
  mutating func include(_ t: TransactionRecord, gtid: (kind: UInt32, a: UInt32, b: UInt32, seq: UInt64)) {
    if recordCount == 0 { firstStart = t.start }
    lastStart = t.start
    recordCount += 1
    touchCount += UInt32(t.tables.count)
    minCommit = Swift.min(minCommit, t.commitMicros)
    maxCommit = Swift.max(maxCommit, t.commitMicros)
    minServerID = Swift.min(minServerID, t.serverID)
    maxServerID = Swift.max(maxServerID, t.serverID)
    if let th = t.threadID {
      minThreadID = Swift.min(minThreadID, th)
      maxThreadID = Swift.max(maxThreadID, th)
    } else {
      flags.insert(.noThreadID)
    }
    if let x = t.xid {
      minXid = Swift.min(minXid, x)
      maxXid = Swift.max(maxXid, x)
    } else {
      flags.insert(.noXid)
    }
    if t.hasDDL { flags.insert(.ddl) }
    if t.hasStatements { flags.insert(.statements) }
    for touch in t.tables {
      setTable(touch.table)
      if touch.inserts > 0 { flags.insert(.inserts) }
      if touch.updates > 0 { flags.insert(.updates) }
      if touch.deletes > 0 { flags.insert(.deletes) }
    }
    if gtid.kind == 0 {
      flags.insert(.noGTID)
    } else if gtidKind == 0 && !flags.contains(.mixedGTIDs) {
      (gtidKind, gtidA, gtidB, gtidMin, gtidMax) = (gtid.kind, gtid.a, gtid.b, gtid.seq, gtid.seq)
    } else if gtidKind == gtid.kind && gtidA == gtid.a && gtidB == gtid.b {
      gtidMin = Swift.min(gtidMin, gtid.seq)
      gtidMax = Swift.max(gtidMax, gtid.seq)
    } else {
      flags.insert(.mixedGTIDs)
      gtidKind = 0
    }
  }

  func write(into w: inout ByteWriter) {
    let start = w.out.count
    w.u64(dataOffset)
    w.u32(storedLength)
    w.u32(rawLength)
    w.u32(crc)
    w.u32(recordCount)
    w.u32(touchCount)
    w.u32(flags.rawValue)
    w.u64(firstRecord)
    w.u64(minCommit)
    w.u64(maxCommit)
    w.u64(firstStart)
    w.u64(lastStart)
    w.u32(minServerID)
    w.u32(maxServerID)
    w.u32(minThreadID)
    w.u32(maxThreadID)
    w.u64(minXid)
    w.u64(maxXid)
    w.u32(gtidKind)
    w.u32(gtidA)
    w.u32(gtidB)
    w.u32(0)
    w.u64(gtidMin)
    w.u64(gtidMax)
    w.u64(tableBits.0)
    w.u64(tableBits.1)
    w.u64(tableBits.2)
    w.u64(tableBits.3)
    while w.out.count - start < IndexLayout.blockKeySize { w.u8(0) }
  }

  init(reading c: inout ByteCursor) throws(BinlogError) {
    let start = c.position
    dataOffset = try c.u64()
    storedLength = try c.u32()
    rawLength = try c.u32()
    crc = try c.u32()
    recordCount = try c.u32()
    touchCount = try c.u32()
    flags = Flags(rawValue: try c.u32())
    firstRecord = try c.u64()
    minCommit = try c.u64()
    maxCommit = try c.u64()
    firstStart = try c.u64()
    lastStart = try c.u64()
    minServerID = try c.u32()
    maxServerID = try c.u32()
    minThreadID = try c.u32()
    maxThreadID = try c.u32()
    minXid = try c.u64()
    maxXid = try c.u64()
    gtidKind = try c.u32()
    gtidA = try c.u32()
    gtidB = try c.u32()
    _ = try c.u32()
    gtidMin = try c.u64()
    gtidMax = try c.u64()
    tableBits = (try c.u64(), try c.u64(), try c.u64(), try c.u64())
    try c.skip(IndexLayout.blockKeySize - (c.position - start))
  }
}

/// One DDL statement of a binlog file, as the index records it (for schema timelines that
/// start in the middle of an archive).
public struct DDLStatementRecord: Sendable, Equatable {
  /// Offset of the Query event holding the statement.
  public var offset: UInt64
  /// The event's timestamp (seconds since the epoch).
  public var timestamp: UInt32
  /// The session's default database when the statement ran.
  public var database: String
  public var sql: String

  public init(offset: UInt64, timestamp: UInt32, database: String, sql: String) {
    self.offset = offset
    self.timestamp = timestamp
    self.database = database
    self.sql = sql
  }
}

/// Little-endian writer for index sections.
struct ByteWriter {
  var out: [UInt8] = []
  mutating func u8(_ v: UInt8) { out.append(v) }
  mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
  mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
  mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
  mutating func bytes(_ b: some Collection<UInt8>) {
    u32(UInt32(b.count))
    out.append(contentsOf: b)
  }
  mutating func string(_ s: String) { bytes(Array(s.utf8)) }
  mutating func optionalString(_ s: String?) {
    if let s {
      u8(1)
      string(s)
    } else {
      u8(0)
    }
  }
}

extension ByteCursor {
  mutating func readBytes() throws(BinlogError) -> [UInt8] {
    let n = Int(try u32())
    return Array(try bytes(n))
  }
  mutating func readString() throws(BinlogError) -> String {
    let n = Int(try u32())
    return String(decoding: try bytes(n), as: UTF8.self)
  }
  mutating func readOptionalString() throws(BinlogError) -> String? {
    try u8() == 0 ? nil : try readString()
  }
}
