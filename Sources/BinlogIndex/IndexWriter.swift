import BinlogFormat
import CZstd
import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Streams transaction records into an index file: blocks are compressed and written as they
/// fill, so building holds one block in memory whatever the binlog's size. `finish` appends the
/// small sections and writes the header.
final class IndexWriter {
  let fd: Int32
  let path: String
  private(set) var offset = UInt64(IndexLayout.headerReserve)
  private(set) var keys: [BlockKey] = []
  private var key = BlockKey()
  private var records = ByteWriter()
  private var touches = ByteWriter()
  private(set) var recordCount: UInt64 = 0
  private(set) var gtidSources: [GTIDSet.TSID] = []
  private var gtidSourceIDs: [GTIDSet.TSID: UInt32] = [:]
  /// zstd level for blocks (1: fast, and within ~10% of level 3 on index blocks).
  var level: Int32 = 1
  /// Whether blocks are zstd-compressed (an index kept only for one run is not: compressing
  /// its blocks would cost the scanning thread ~20% for space nobody keeps).
  var compressBlocks = true
  /// Records per block (a block is the unit a query decodes).
  var recordsPerBlock = IndexLayout.recordsPerBlock
  /// The full block being compressed on another thread while the scanner goes on (at most
  /// one: it is written, in order, when the next block is full or at `finish`). Compressing
  /// on the scanning thread cost it ~12% of its time on a narrow-row binlog.
  private var pending: PendingBlock?
  /// The compression context of the blocks, reused (one block is compressed at a time).
  private let context = CompressionContext()

  private final class CompressionContext: @unchecked Sendable {
    let cctx: OpaquePointer? = ZSTD_createCCtx()
    deinit { ZSTD_freeCCtx(cctx) }
  }

  /// A full block and, once `done` is signalled, its compressed bytes.
  private final class PendingBlock: @unchecked Sendable {
    var key: BlockKey
    let raw: [UInt8]
    let level: Int32
    let context: CompressionContext
    var packed: [UInt8] = []
    var error: BinlogError?
    let done = DispatchSemaphore(value: 0)

    init(key: BlockKey, raw: [UInt8], level: Int32, context: CompressionContext) {
      self.key = key
      self.raw = raw
      self.level = level
      self.context = context
    }

    func compress() {
      do { packed = try Zstd.compress(raw, level: level, context: context.cctx) } catch { self.error = error }
      done.signal()
    }
  }

  init(fd: Int32, path: String) {
    self.fd = fd
    self.path = path
    records.out.reserveCapacity(IndexLayout.recordsPerBlock * IndexLayout.recordSize)
  }

  /// Continues after the first `blockCount` blocks of `existing`, copied as they are (same
  /// offsets: blocks start at the same place in every index file).
  func copyBlocks(of existing: FileIndex, count blockCount: Int) throws(BinlogError) {
    gtidSources = existing.gtidSources
    for (i, s) in gtidSources.enumerated() { gtidSourceIDs[s] = UInt32(i) }
    for k in existing.blockKeys.prefix(blockCount) {
      let bytes = try existing.storedBlock(k)
      try writeAll(bytes, at: k.dataOffset)
      keys.append(k)
      offset = k.dataOffset + UInt64(k.storedLength)
      recordCount += UInt64(k.recordCount)
    }
  }

  func gtidCode(_ g: GTID?) -> (kind: UInt32, a: UInt32, b: UInt32, seq: UInt64) {
    switch g {
    case .mysql(let m)?:
      let tsid = m.tsid
      var id = gtidSourceIDs[tsid]
      if id == nil {
        id = UInt32(gtidSources.count)
        gtidSources.append(tsid)
        gtidSourceIDs[tsid] = id
      }
      return (1, id!, 0, UInt64(bitPattern: m.gno))
    case .mariadb(let m)?:
      return (2, m.domain, m.server, m.seq)
    case nil:
      return (0, 0, 0, 0)
    }
  }

  func add(_ t: TransactionRecord) throws(BinlogError) {
    let g = gtidCode(t.gtid)
    RecordCodec.append(t, gtid: g, touchIndex: key.touchCount, records: &records, touches: &touches)
    key.include(t, gtid: g)
    if key.recordCount >= recordsPerBlock { try flushBlock() }
  }

  private func flushBlock() throws(BinlogError) {
    guard key.recordCount > 0 else { return }
    records.out.append(contentsOf: touches.out)
    let raw = records.out
    key.rawLength = UInt32(raw.count)
    key.firstRecord = recordCount
    recordCount += UInt64(key.recordCount)
    // The previous block is written first: blocks are stored in order, each at the offset the
    // ones before it leave.
    try writePending()
    if compressBlocks {
      let p = PendingBlock(key: key, raw: raw, level: level, context: context)
      pending = p
      DispatchQueue.global().async { p.compress() }
    } else {
      try store(raw, packed: nil, key: key)
    }
    key = BlockKey()
    records.out.removeAll(keepingCapacity: true)
    touches.out.removeAll(keepingCapacity: true)
  }

  /// Waits for the block being compressed and writes it.
  private func writePending() throws(BinlogError) {
    guard let p = pending else { return }
    pending = nil
    p.done.wait()
    if let e = p.error { throw e }
    try store(p.raw, packed: p.packed, key: p.key)
  }

  /// Writes a block at `offset` (compressed when that is smaller) and records its key.
  private func store(_ raw: [UInt8], packed: [UInt8]?, key block: BlockKey) throws(BinlogError) {
    var k = block
    k.dataOffset = offset
    var bytes = raw
    if let packed, packed.count < raw.count {
      k.flags.insert(.compressed)
      bytes = packed
    }
    k.storedLength = UInt32(bytes.count)
    k.crc = bytes.withUnsafeBytes { CRC32.checksum($0) }
    try writeAll(bytes, at: offset)
    offset += UInt64(bytes.count)
    keys.append(k)
  }

  private func writeAll(_ bytes: [UInt8], at at: UInt64) throws(BinlogError) {
    try writeAll(bytes.withUnsafeBytes { $0 }, at: at, keep: bytes)
  }

  private func writeAll(_ bytes: UnsafeRawBufferPointer, at at: UInt64, keep: [UInt8]? = nil) throws(BinlogError) {
    let ok = withExtendedLifetime(keep) { () -> Bool in
      var done = 0
      while done < bytes.count {
        let r = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(at) + off_t(done))
        if r <= 0 { return false }
        done += r
      }
      return true
    }
    if !ok { throw BinlogError(.io, "cannot write index: \(String(cString: strerror(errno)))", file: path) }
  }

  /// Writes the remaining block, the sections and the header.
  func finish(_ meta: IndexMeta, tables: [String], ddl: [DDLStatementRecord]) throws(BinlogError) {
    try flushBlock()
    try writePending()
    var sections: [(IndexLayout.Section, UInt32, UInt64, UInt64)] = []
    sections.append((.blocks, 0, UInt64(IndexLayout.headerReserve), offset - UInt64(IndexLayout.headerReserve)))
    func section(_ kind: IndexLayout.Section, _ bytes: [UInt8]) throws(BinlogError) {
      let crc = bytes.withUnsafeBytes { CRC32.checksum($0) }
      try writeAll(bytes, at: offset)
      sections.append((kind, crc, offset, UInt64(bytes.count)))
      offset += UInt64(bytes.count)
    }
    var s = ByteWriter()
    s.string(meta.file)
    s.u64(meta.eventCount)
    s.u32(meta.firstTimestamp)
    s.u32(meta.lastTimestamp)
    s.bytes(meta.formatEvent)
    s.optionalString(meta.previousGTIDs)
    s.optionalString(meta.rotateTo)
    s.u64(recordCount)
    s.u64(meta.binlogSize)
    try section(.summary, s.out)
    var st = ByteWriter()
    st.u32(UInt32(tables.count))
    for t in tables { st.string(t) }
    st.u32(UInt32(gtidSources.count))
    for g in gtidSources {
      st.u64(g.sid.high)
      st.u64(g.sid.low)
      st.optionalString(g.tag)
    }
    try section(.strings, st.out)
    var k = ByteWriter()
    k.out.reserveCapacity(keys.count * IndexLayout.blockKeySize)
    for key in keys { key.write(into: &k) }
    try section(.keys, k.out)
    var d = ByteWriter()
    d.u32(UInt32(ddl.count))
    for x in ddl {
      d.u64(x.offset)
      d.u32(x.timestamp)
      d.string(x.database)
      d.string(x.sql)
    }
    let dz = try Zstd.compress(d.out, level: 3)
    var dsec = ByteWriter()
    dsec.u64(UInt64(d.out.count))
    dsec.out.append(contentsOf: dz)
    try section(.ddl, dsec.out)

    var h = ByteWriter()
    h.out.append(contentsOf: IndexLayout.magic)
    h.u32(IndexLayout.version)
    h.u32(UInt32(IndexLayout.headerReserve))
    h.u64(meta.sourceSize)
    h.u64(meta.indexedEnd)
    h.u32(meta.headHash)
    h.u32(meta.tailHash)
    h.u32(meta.sourceKind.rawValue)
    h.u32(UInt32(sections.count))
    for (kind, crc, off, len) in sections {
      h.u32(kind.rawValue)
      h.u32(crc)
      h.u64(off)
      h.u64(len)
    }
    while h.out.count < IndexLayout.headerReserve - 4 { h.u8(0) }
    h.u32(h.out.withUnsafeBytes { CRC32.checksum($0) })
    try writeAll(h.out, at: 0)
    if ftruncate(fd, off_t(offset)) != 0 {
      throw BinlogError(.io, "cannot write index: \(String(cString: strerror(errno)))", file: path)
    }
  }
}

/// The per-file facts an index stores besides its transactions.
struct IndexMeta {
  var file = ""
  var sourceKind = IndexLayout.SourceKind.binlog
  /// Size of the indexed file on disk (for an archive: the compressed file).
  var sourceSize: UInt64 = 0
  /// Size of the binlog itself (for an archive: decompressed).
  var binlogSize: UInt64 = 0
  var indexedEnd: UInt64 = 4
  var headHash: UInt32 = 0
  var tailHash: UInt32 = 0
  var eventCount: UInt64 = 0
  var firstTimestamp: UInt32 = 0
  var lastTimestamp: UInt32 = 0
  var formatEvent: [UInt8] = []
  var previousGTIDs: String?
  var rotateTo: String?
}
