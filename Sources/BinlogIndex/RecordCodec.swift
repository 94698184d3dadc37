import BinlogFormat
import CZstd

/// Fixed-size encoding of `TransactionRecord`s and their table touches inside a block.
///
/// Record (72 bytes): start u64, end u64, commit µs u64, first timestamp u32, server id u32,
/// thread id u32, flags u32 (1 thread, 2 xid, 4 DDL, 8 statements, GTID kind << 8), xid u64,
/// GTID a u32 (MySQL source index / MariaDB domain), b u32 (MariaDB server), seq u64,
/// touch index u32 (within the block), touch count u32.
/// Touch (24 bytes): table u32, inserts u32, updates u32, deletes u32, bytes u64.
enum RecordCodec {
  static func append(
    _ t: TransactionRecord, gtid: (kind: UInt32, a: UInt32, b: UInt32, seq: UInt64), touchIndex: UInt32,
    records: inout ByteWriter, touches: inout ByteWriter
  ) {
    var flags: UInt32 = gtid.kind << 8
    if t.threadID != nil { flags |= 1 }
    if t.xid != nil { flags |= 2 }
    if t.hasDDL { flags |= 4 }
    if t.hasStatements { flags |= 8 }
    // One append per record (the fields above, as 9 little-endian words; hosts are little-endian).
    let words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (
      t.start.littleEndian, t.end.littleEndian, t.commitMicros.littleEndian,
      (UInt64(t.firstTimestamp) | UInt64(t.serverID) << 32).littleEndian,
      (UInt64(t.threadID ?? 0) | UInt64(flags) << 32).littleEndian, (t.xid ?? 0).littleEndian,
      (UInt64(gtid.a) | UInt64(gtid.b) << 32).littleEndian, gtid.seq.littleEndian,
      (UInt64(touchIndex) | UInt64(t.tables.count) << 32).littleEndian
    )
    withUnsafeBytes(of: words) { records.out.append(contentsOf: $0) }
    for x in t.tables {
      let touch: (UInt32, UInt32, UInt32, UInt32, UInt64) = (
        x.table.littleEndian, x.inserts.littleEndian, x.updates.littleEndian, x.deletes.littleEndian,
        x.bytes.littleEndian
      )
      withUnsafeBytes(of: touch) { touches.out.append(contentsOf: $0) }
    }
  }

  @inline(__always) static func u32(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 {
    UInt32(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt32.self))
  }
  @inline(__always) static func u64(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt64 {
    UInt64(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt64.self))
  }

  /// Commit time of record `i` of a decoded block (no other decoding).
  @inline(__always) static func commitMicros(_ block: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
    u64(block, i * IndexLayout.recordSize + 16)
  }
  @inline(__always) static func start(_ block: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
    u64(block, i * IndexLayout.recordSize)
  }

  /// Decodes record `i` of a block holding `count` records. Throws when a reference points
  /// outside the block or the tables.
  static func record(
    _ block: UnsafeRawBufferPointer, _ i: Int, count: Int, touchCount: Int, sources: [GTIDSet.TSID], tableCount: Int
  ) throws(BinlogError) -> TransactionRecord {
    let o = i * IndexLayout.recordSize
    var t = TransactionRecord(start: u64(block, o))
    t.end = u64(block, o + 8)
    t.commitMicros = u64(block, o + 16)
    t.firstTimestamp = u32(block, o + 24)
    t.serverID = u32(block, o + 28)
    let flags = u32(block, o + 36)
    if flags & 1 != 0 { t.threadID = u32(block, o + 32) }
    if flags & 2 != 0 { t.xid = u64(block, o + 40) }
    t.hasDDL = flags & 4 != 0
    t.hasStatements = flags & 8 != 0
    let a = u32(block, o + 48)
    let b = u32(block, o + 52)
    let seq = u64(block, o + 56)
    switch flags >> 8 {
    case 1:
      guard Int(a) < sources.count else { throw BinlogError(.malformed, "GTID source \(a) out of range") }
      let s = sources[Int(a)]
      t.gtid = .mysql(MySQLGTID(sid: s.sid, tag: s.tag, gno: Int64(bitPattern: seq)))
    case 2:
      t.gtid = .mariadb(MariaGTID(domain: a, server: b, seq: seq))
    default: break
    }
    let ti = Int(u32(block, o + 64))
    let tc = Int(u32(block, o + 68))
    guard ti + tc <= touchCount else { throw BinlogError(.malformed, "table touches out of range") }
    if tc > 0 {
      t.tables.reserveCapacity(tc)
      let base = count * IndexLayout.recordSize + ti * IndexLayout.touchSize
      for k in 0..<tc {
        let p = base + k * IndexLayout.touchSize
        let table = u32(block, p)
        guard Int(table) < tableCount else { throw BinlogError(.malformed, "table reference out of range") }
        t.tables.append(
          TableTouch(
            table: table, inserts: u32(block, p + 4), updates: u32(block, p + 8), deletes: u32(block, p + 12),
            bytes: u64(block, p + 16)))
      }
    }
    return t
  }
}

/// One-shot zstd helpers for index blocks and sections.
enum Zstd {
  /// `context`: a compression context to reuse (one caller at a time), else one is made for
  /// this call.
  static func compress(_ input: [UInt8], level: Int32, context: OpaquePointer? = nil) throws(BinlogError) -> [UInt8] {
    let bound = ZSTD_compressBound(input.count)
    var n = 0
    let out = [UInt8](unsafeUninitializedCapacity: bound) { dst, count in
      n = input.withUnsafeBytes { src in
        if let context {
          return ZSTD_compressCCtx(context, dst.baseAddress, bound, src.baseAddress, src.count, level)
        }
        return ZSTD_compress(dst.baseAddress, bound, src.baseAddress, src.count, level)
      }
      count = ZSTD_isError(n) != 0 ? 0 : n
    }
    if ZSTD_isError(n) != 0 { throw BinlogError(.io, "zstd: \(String(cString: ZSTD_getErrorName(n)))") }
    return out
  }

  /// Decompresses exactly `out.count` bytes; false when the input is not that.
  static func decompress(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
    let n = ZSTD_decompress(out.baseAddress, out.count, input.baseAddress, input.count)
    return ZSTD_isError(n) == 0 && n == out.count
  }
}
