#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import BinlogFormat
import CZstd

/// The persistent per-file index: transactions with offsets, times, GTIDs and tables, plus
/// what is needed to decode from the middle of the file (its format description event).
///
/// On disk (`FILE.sidx`, or `<index-dir>/<name>.sidx`): a fixed header (magic `SLUICEIX`,
/// version, the source's size and fingerprints), a zstd-compressed body, and a CRC32 of
/// everything before it. A stale index (file replaced, rewritten, truncated) is detected by the
/// fingerprints and rebuilt; a grown file is extended from its last transaction.
public struct FileIndex: Sendable {
  public static let magic: [UInt8] = Array("SLUICEIX".utf8)
  public static let version: UInt32 = 1

  public var file: String
  public var sourceSize: UInt64 = 0
  /// Offset just past the last complete event indexed.
  public var indexedEnd: UInt64 = 4
  public var eventCount: UInt64 = 0
  public var firstTimestamp: UInt32 = 0
  public var lastTimestamp: UInt32 = 0
  /// The raw Format_description event (decode from any transaction start with it).
  public var formatEvent: [UInt8] = []
  /// Previous_gtids (MySQL) or Gtid_list (MariaDB) text.
  public var previousGTIDs: String?
  public var rotateTo: String?
  /// `db.table` names referenced by `TableTouch.table`.
  public var tables: [String] = []
  public var transactions: [TransactionRecord] = []
  /// CRC32 of the first 64 KiB of the source and of the 4 KiB before `indexedEnd`.
  public var headHash: UInt32 = 0
  public var tailHash: UInt32 = 0

  public init(file: String) { self.file = file }

  // MARK: fingerprints

  public static func fingerprints(_ bytes: UnsafeRawBufferPointer, indexedEnd: UInt64) -> (UInt32, UInt32) {
    let head = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<Swift.min(bytes.count, 65536)]))
    let end = Swift.min(Int(indexedEnd), bytes.count)
    let tail = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[Swift.max(0, end - 4096)..<end]))
    return (head, tail)
  }

  public enum Freshness: Equatable, Sendable {
    case fresh
    /// The file grew after the indexed part, which is unchanged: extend.
    case grown
    /// The file was replaced, rewritten or truncated: rebuild.
    case stale(String)
  }

  /// Compares the index with the file's current bytes.
  public func freshness(of bytes: UnsafeRawBufferPointer) -> Freshness {
    if UInt64(bytes.count) < indexedEnd { return .stale("the file is shorter than the indexed part") }
    let (h, t) = FileIndex.fingerprints(bytes, indexedEnd: indexedEnd)
    if h != headHash { return .stale("the file's first bytes changed") }
    if t != tailHash { return .stale("the indexed part of the file changed") }
    if UInt64(bytes.count) == sourceSize { return .fresh }
    return UInt64(bytes.count) > sourceSize ? .grown : .stale("the file shrank")
  }

  // MARK: serialization

  public func serialized() throws(BinlogError) -> [UInt8] {
    var body = ByteWriter()
    body.string(file)
    body.u64(eventCount)
    body.u32(firstTimestamp)
    body.u32(lastTimestamp)
    body.bytes(formatEvent)
    body.optionalString(previousGTIDs)
    body.optionalString(rotateTo)
    body.u32(UInt32(tables.count))
    for t in tables { body.string(t) }
    body.u64(UInt64(transactions.count))
    for t in transactions {
      body.u64(t.start)
      body.u64(t.end)
      body.u32(t.firstTimestamp)
      body.u64(t.commitMicros)
      body.u32(t.serverID)
      var flags: UInt8 = 0
      if t.threadID != nil { flags |= 1 }
      if t.xid != nil { flags |= 2 }
      if t.hasDDL { flags |= 4 }
      if t.hasStatements { flags |= 8 }
      switch t.gtid {
      case .mysql?: flags |= 16
      case .mariadb?: flags |= 32
      case nil: break
      }
      body.u8(flags)
      if let th = t.threadID { body.u32(th) }
      if let x = t.xid { body.u64(x) }
      switch t.gtid {
      case .mysql(let g)?:
        body.u64(g.sid.high)
        body.u64(g.sid.low)
        body.optionalString(g.tag)
        body.u64(UInt64(bitPattern: g.gno))
      case .mariadb(let g)?:
        body.u32(g.domain)
        body.u32(g.server)
        body.u64(g.seq)
      case nil: break
      }
      body.u32(UInt32(t.tables.count))
      for x in t.tables {
        body.u32(x.table)
        body.u32(x.inserts)
        body.u32(x.updates)
        body.u32(x.deletes)
        body.u64(x.bytes)
      }
    }
    let compressed = try Zstd.compress(body.out, level: 3)
    var out = ByteWriter()
    out.out.append(contentsOf: FileIndex.magic)
    out.u32(FileIndex.version)
    out.u64(sourceSize)
    out.u64(indexedEnd)
    out.u32(headHash)
    out.u32(tailHash)
    out.u64(UInt64(body.out.count))
    out.u64(UInt64(compressed.count))
    out.out.append(contentsOf: compressed)
    let crc = out.out.withUnsafeBytes { CRC32.checksum($0) }
    out.u32(crc)
    return out.out
  }

  public init(deserializing data: UnsafeRawBufferPointer, path: String) throws(BinlogError) {
    func bad(_ m: String) -> BinlogError { BinlogError(.malformed, "index is corrupt: \(m)", file: path) }
    guard data.count >= 52, data.prefix(8).elementsEqual(FileIndex.magic) else { throw bad("bad magic") }
    let stored = UInt32(littleEndian: data.loadUnaligned(fromByteOffset: data.count - 4, as: UInt32.self))
    guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: data[0..<(data.count - 4)])) == stored else {
      throw bad("checksum mismatch")
    }
    var c = ByteCursor(UnsafeRawBufferPointer(rebasing: data[0..<(data.count - 4)]), position: 8)
    let version = try c.u32()
    guard version == FileIndex.version else {
      throw BinlogError(.unsupported, "index version \(version) (this Sluice writes \(FileIndex.version))", file: path)
    }
    sourceSize = try c.u64()
    indexedEnd = try c.u64()
    headHash = try c.u32()
    tailHash = try c.u32()
    let rawLen = Int(try c.u64())
    let compLen = Int(try c.u64())
    let comp = try c.bytes(compLen)
    let body = try Zstd.decompress(comp, expectedSize: rawLen)
    var b = ByteCursor(UnsafeRawBufferPointer(start: nil, count: 0))
    var fileName = ""
    var parsed: [TransactionRecord] = []
    var tableNames: [String] = []
    var fmt: [UInt8] = []
    var prev: String?
    var rot: String?
    var ec: UInt64 = 0
    var ft: UInt32 = 0
    var lt: UInt32 = 0
    do {
    try body.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      b = ByteCursor(raw)
      fileName = try b.readString()
      ec = try b.u64()
      ft = try b.u32()
      lt = try b.u32()
      fmt = try b.readBytes()
      prev = try b.readOptionalString()
      rot = try b.readOptionalString()
      let nt = Int(try b.u32())
      for _ in 0..<nt { tableNames.append(try b.readString()) }
      let n = Int(try b.u64())
      parsed.reserveCapacity(Swift.min(n, 1 << 22))
      for _ in 0..<n {
        var t = TransactionRecord(start: try b.u64())
        t.end = try b.u64()
        t.firstTimestamp = try b.u32()
        t.commitMicros = try b.u64()
        t.serverID = try b.u32()
        let flags = try b.u8()
        if flags & 1 != 0 { t.threadID = try b.u32() }
        if flags & 2 != 0 { t.xid = try b.u64() }
        t.hasDDL = flags & 4 != 0
        t.hasStatements = flags & 8 != 0
        if flags & 16 != 0 {
          let hi = try b.u64()
          let lo = try b.u64()
          let tag = try b.readOptionalString()
          let gno = Int64(bitPattern: try b.u64())
          t.gtid = .mysql(MySQLGTID(sid: UUID128(high: hi, low: lo), tag: tag, gno: gno))
        } else if flags & 32 != 0 {
          let d = try b.u32()
          let s = try b.u32()
          let q = try b.u64()
          t.gtid = .mariadb(MariaGTID(domain: d, server: s, seq: q))
        }
        let k = Int(try b.u32())
        for _ in 0..<k {
          let ti = try b.u32()
          guard Int(ti) < nt else { throw BinlogError(.malformed, "table reference out of range") }
          t.tables.append(
            TableTouch(table: ti, inserts: try b.u32(), updates: try b.u32(), deletes: try b.u32(), bytes: try b.u64()))
        }
        parsed.append(t)
      }
    }
    } catch let e as BinlogError {
      throw BinlogError(.malformed, "index is corrupt: \(e.message)", file: path)
    } catch {
      throw BinlogError(.malformed, "index is corrupt: \(error)", file: path)
    }
    file = fileName
    eventCount = ec
    firstTimestamp = ft
    lastTimestamp = lt
    formatEvent = fmt
    previousGTIDs = prev
    rotateTo = rot
    tables = tableNames
    transactions = parsed
  }

  /// Where the index of `binlogPath` lives: beside it, or in `indexDir`.
  public static func path(for binlogPath: String, indexDir: String?) -> String {
    if let indexDir {
      let base = binlogPath.split(separator: "/").last.map(String.init) ?? binlogPath
      return (indexDir.hasSuffix("/") ? indexDir : indexDir + "/") + base + ".sidx"
    }
    return binlogPath + ".sidx"
  }

  /// Writes atomically (temporary file + rename).
  public func write(to path: String) throws(BinlogError) {
    let data = try serialized()
    let tmp = path + ".tmp\(getpid())"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if fd < 0 {
      throw BinlogError(
        .io, "cannot write index: \(String(cString: strerror(errno))) (use --index-dir for read-only archives)",
        file: path)
    }
    var off = 0
    let ok = data.withUnsafeBytes { b -> Bool in
      while off < b.count {
        let r = Glibc.write(fd, b.baseAddress! + off, b.count - off)
        if r <= 0 { return false }
        off += r
      }
      return true
    }
    close(fd)
    if !ok || rename(tmp, path) != 0 {
      unlink(tmp)
      throw BinlogError(.io, "cannot write index: \(String(cString: strerror(errno)))", file: path)
    }
  }

  /// Reads an index file; nil when there is none.
  public static func read(from path: String) throws(BinlogError) -> FileIndex? {
    var st = stat()
    if stat(path, &st) != 0 { return nil }
    let m = try MappedFile(path: path)
    return try FileIndex(deserializing: m.bytes, path: path)
  }
}

/// Little-endian writer for the index body.
struct ByteWriter {
  var out: [UInt8] = []
  mutating func u8(_ v: UInt8) { out.append(v) }
  mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
  mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
  mutating func bytes(_ b: [UInt8]) {
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
  mutating func readString() throws(BinlogError) -> String { String(decoding: try readBytes(), as: UTF8.self) }
  mutating func readOptionalString() throws(BinlogError) -> String? {
    try u8() == 0 ? nil : try readString()
  }
}

/// One-shot zstd helpers for small buffers (the index body).
enum Zstd {
  static func compress(_ input: [UInt8], level: Int32) throws(BinlogError) -> [UInt8] {
    let bound = ZSTD_compressBound(input.count)
    var out = [UInt8](repeating: 0, count: bound)
    let n = input.withUnsafeBytes { src in
      out.withUnsafeMutableBytes { dst in
        ZSTD_compress(dst.baseAddress, bound, src.baseAddress, src.count, level)
      }
    }
    if ZSTD_isError(n) != 0 { throw BinlogError(.io, "zstd: \(String(cString: ZSTD_getErrorName(n)))") }
    out.removeSubrange(n...)
    return out
  }

  static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws(BinlogError) -> [UInt8] {
    guard expectedSize <= 1 << 31 else { throw BinlogError(.malformed, "index body size \(expectedSize) is implausible") }
    var out = [UInt8](repeating: 0, count: expectedSize)
    let n = out.withUnsafeMutableBytes { dst in
      ZSTD_decompress(dst.baseAddress, expectedSize, input.baseAddress, input.count)
    }
    if ZSTD_isError(n) != 0 || n != expectedSize {
      throw BinlogError(.malformed, "index body does not decompress")
    }
    return out
  }
}
