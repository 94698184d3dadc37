import BinlogFormat
import BinlogIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The persistent per-file index (`FILE.sidx`, or `<index-dir>/<name>.sidx`), read in place
/// through a memory mapping: opening it reads the header, the file summary, the string table
/// and the block keys; transaction records are decoded block by block, only for the blocks a
/// query cannot rule out by their keys. Layout: `IndexLayout`.
///
/// A stale index (file replaced, rewritten, truncated) is detected by the fingerprints and
/// rebuilt; a grown file is extended from its last transaction.
public final class FileIndex: @unchecked Sendable {
  public static let version = IndexLayout.version

  /// The index file's bytes (immutable once written; an unlinked file for in-memory indexes).
  let mapping: MappedFile
  public let path: String

  public let file: String
  /// Size of the indexed file on disk (for an archive, the compressed file).
  public let sourceSize: UInt64
  /// Size of the binlog (for an archive, decompressed; else `sourceSize`).
  public let binlogSize: UInt64
  /// True when the indexed file is a seekable zstd archive.
  public let isArchive: Bool
  /// Offset just past the last complete event indexed.
  public let indexedEnd: UInt64
  public let eventCount: UInt64
  public let firstTimestamp: UInt32
  public let lastTimestamp: UInt32
  /// The raw Format_description event (decode from any transaction start with it).
  public let formatEvent: [UInt8]
  /// Previous_gtids (MySQL) or Gtid_list (MariaDB) text.
  public let previousGTIDs: String?
  public let rotateTo: String?
  /// `db.table` names referenced by `TableTouch.table`.
  public let tables: [String]
  /// MySQL GTID sources (uuid and tag) referenced by records.
  public let gtidSources: [GTIDSet.TSID]
  public let blockKeys: [BlockKey]
  public let transactionCount: Int
  /// Fingerprints: binlog — CRC32 of the first 64 KiB and of the 4 KiB before `indexedEnd`;
  /// archive — CRC32 of the first and the last 64 KiB of the compressed file (its seek table).
  public let headHash: UInt32
  public let tailHash: UInt32
  private let ddlSection: UnsafeRawBufferPointer
  /// Blocks decoded so far (instrumentation: a query should decode few).
  public private(set) var blocksDecoded = 0
  /// True when every block's checksum was verified on load; otherwise each block is verified
  /// when it is decoded (`verifyBlock`).
  public let blocksVerified: Bool

  /// Reads and verifies an index file: header, summary, strings, keys, and every block unless
  /// `verifyBlocks` is false (then each block is verified when it is decoded).
  init(mapping: MappedFile, path: String, verifyBlocks: Bool = true) throws(BinlogError) {
    self.mapping = mapping
    self.path = path
    blocksVerified = verifyBlocks
    let data = mapping.bytes
    func bad(_ m: String) -> BinlogError {
      BinlogError(.malformed, m.hasPrefix("index is corrupt: ") ? m : "index is corrupt: \(m)", file: path)
    }
    guard data.count >= 12, data.prefix(8).elementsEqual(IndexLayout.magic) else { throw bad("bad magic") }
    let version = UInt32(littleEndian: data.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
    guard version == IndexLayout.version else {
      throw BinlogError(.unsupported, "index version \(version) (this Sluice reads \(IndexLayout.version))", file: path)
    }
    let hsize = Int(UInt32(littleEndian: data.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
    guard hsize >= IndexLayout.fixedHeader + 4, hsize <= data.count else { throw bad("bad header size") }
    let storedHeaderCRC = UInt32(littleEndian: data.loadUnaligned(fromByteOffset: hsize - 4, as: UInt32.self))
    guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: data[0..<(hsize - 4)])) == storedHeaderCRC else {
      throw bad("header checksum mismatch")
    }
    var sections: [UInt32: UnsafeRawBufferPointer] = [:]
    // Sections follow the header and each other with no gap, up to the end of the file: with
    // the header's CRC, each section's CRC and each block's CRC (in its key), every byte of the
    // file is covered by a checksum.
    var sectionEnd = UInt64(hsize)
    var h = ByteCursor(UnsafeRawBufferPointer(rebasing: data[0..<(hsize - 4)]), position: 16)
    do throws(BinlogError) {
      sourceSize = try h.u64()
      indexedEnd = try h.u64()
      headHash = try h.u32()
      tailHash = try h.u32()
      isArchive = try h.u32() == IndexLayout.SourceKind.archive.rawValue
      let n = Int(try h.u32())
      guard n <= IndexLayout.maxSections else { throw bad("\(n) sections") }
      for _ in 0..<n {
        let kind = try h.u32()
        let crc = try h.u32()
        let off = try h.u64()
        let len = try h.u64()
        guard off <= UInt64(data.count), len <= UInt64(data.count) - off else { throw bad("section \(kind) out of bounds") }
        guard off == sectionEnd, sections[kind] == nil else { throw bad("section \(kind) at \(off), expected at \(sectionEnd)") }
        sectionEnd = off + len
        let bytes = UnsafeRawBufferPointer(rebasing: data[Int(off)..<Int(off + len)])
        if kind != IndexLayout.Section.blocks.rawValue && CRC32.checksum(bytes) != crc {
          throw bad("section \(kind) checksum mismatch")
        }
        sections[kind] = bytes
      }
      guard sectionEnd == UInt64(data.count) else { throw bad("\(UInt64(data.count) - sectionEnd) bytes after the last section") }
    } catch {
      throw bad(error.message)
    }
    guard let summary = sections[IndexLayout.Section.summary.rawValue],
      let strings = sections[IndexLayout.Section.strings.rawValue],
      let keys = sections[IndexLayout.Section.keys.rawValue],
      let ddl = sections[IndexLayout.Section.ddl.rawValue],
      let blocks = sections[IndexLayout.Section.blocks.rawValue]
    else { throw bad("a section is missing") }
    do throws(BinlogError) {
      var s = ByteCursor(summary)
      file = try s.readString()
      eventCount = try s.u64()
      firstTimestamp = try s.u32()
      lastTimestamp = try s.u32()
      formatEvent = try s.readBytes()
      previousGTIDs = try s.readOptionalString()
      rotateTo = try s.readOptionalString()
      transactionCount = Int(try s.u64())
      binlogSize = try s.u64()
      var st = ByteCursor(strings)
      let nt = Int(try st.u32())
      guard nt <= strings.count else { throw bad("table count") }
      var names: [String] = []
      names.reserveCapacity(nt)
      for _ in 0..<nt { names.append(try st.readString()) }
      tables = names
      let ng = Int(try st.u32())
      guard ng <= strings.count else { throw bad("GTID source count") }
      var srcs: [GTIDSet.TSID] = []
      for _ in 0..<ng {
        let hi = try st.u64()
        let lo = try st.u64()
        srcs.append(GTIDSet.TSID(sid: UUID128(high: hi, low: lo), tag: try st.readOptionalString()))
      }
      gtidSources = srcs
      guard keys.count % IndexLayout.blockKeySize == 0 else { throw bad("block keys") }
      var kc = ByteCursor(keys)
      var ks: [BlockKey] = []
      ks.reserveCapacity(keys.count / IndexLayout.blockKeySize)
      var total: UInt64 = 0
      let blocksStart = UInt64(IndexLayout.headerReserve)
      let blocksEnd = blocksStart + UInt64(blocks.count)
      // Blocks are written back to back: the keys must tile the blocks section exactly.
      var nextBlock = blocksStart
      while !kc.isAtEnd {
        let k = try BlockKey(reading: &kc)
        guard k.dataOffset == nextBlock, UInt64(k.storedLength) <= blocksEnd - Swift.min(blocksEnd, k.dataOffset),
          k.firstRecord == total, k.recordCount > 0, k.recordCount <= IndexLayout.maxRecordsPerBlock,
          UInt64(k.rawLength) == UInt64(k.recordCount) * UInt64(IndexLayout.recordSize) + UInt64(k.touchCount)
            * UInt64(IndexLayout.touchSize)
        else { throw bad("block key \(ks.count) is inconsistent") }
        // Verified on load by default, not on first use: a damaged block found in the middle of
        // a query could only end it early with a wrong answer, while a bad index found here is
        // rebuilt. CRC32 runs at several GB/s, but that is ~1 ms (and 10 MB of page faults) for
        // the 10 MB index of a 1 GiB binlog: a query that reads a few blocks verifies those
        // before its first output instead (`IndexedBinlogs.open(verifyingBlocksOf:)`).
        if verifyBlocks {
          let stored = UnsafeRawBufferPointer(rebasing: data[Int(k.dataOffset)..<Int(k.dataOffset + UInt64(k.storedLength))])
          guard CRC32.checksum(stored) == k.crc else { throw bad("block at \(k.dataOffset) checksum mismatch") }
        }
        nextBlock = k.dataOffset + UInt64(k.storedLength)
        total += UInt64(k.recordCount)
        ks.append(k)
      }
      guard nextBlock == blocksEnd else { throw bad("\(blocksEnd - nextBlock) bytes of blocks no key covers") }
      guard total == UInt64(transactionCount) else { throw bad("record count mismatch") }
      blockKeys = ks
      ddlSection = ddl
    } catch {
      throw bad(error.message)
    }
  }

  // MARK: blocks

  /// The stored (possibly compressed) bytes of a block (its checksum was verified on load).
  func storedBlock(_ k: BlockKey) throws(BinlogError) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: mapping.bytes[Int(k.dataOffset)..<Int(k.dataOffset + UInt64(k.storedLength))])
  }

  /// Checks block `i`'s stored bytes against the checksum in its key.
  public func verifyBlock(_ i: Int) throws(BinlogError) {
    let k = blockKeys[i]
    guard CRC32.checksum(try storedBlock(k)) == k.crc else {
      throw BinlogError(.malformed, "index is corrupt: block at \(k.dataOffset) checksum mismatch", file: path)
    }
  }

  /// Checks every block against its checksum (what a load with `verifyBlocks` does).
  public func verifyAllBlocks() throws(BinlogError) {
    for i in blockKeys.indices { try verifyBlock(i) }
  }

  /// Decodes block `i` into `buffer` (reused between calls) and returns its bytes.
  public func decodeBlock(_ i: Int, into buffer: inout [UInt8]) throws(BinlogError) {
    blocksDecoded += 1
    if !blocksVerified { try verifyBlock(i) }
    let k = blockKeys[i]
    let stored = try storedBlock(k)
    if k.flags.contains(.compressed) {
      if buffer.count != Int(k.rawLength) { buffer = [UInt8](repeating: 0, count: Int(k.rawLength)) }
      let ok = buffer.withUnsafeMutableBytes { Zstd.decompress(stored, into: $0) }
      if !ok { throw BinlogError(.malformed, "index is corrupt: block \(i) does not decompress", file: path) }
    } else {
      buffer = Array(stored)
    }
  }

  /// Record `r` of a decoded block.
  public func record(in block: [UInt8], key: BlockKey, at r: Int) throws(BinlogError) -> TransactionRecord {
    let result = block.withUnsafeBytes { b in
      Result { () throws(BinlogError) in
        try RecordCodec.record(
          b, r, count: Int(key.recordCount), touchCount: Int(key.touchCount), sources: gtidSources, tableCount: tables.count)
      }
    }
    switch result {
    case .success(let t): return t
    case .failure(let e): throw BinlogError(.malformed, "index is corrupt: \(e.message)", file: path)
    }
  }

  /// Visits every record, in file order; the visitor returns false to stop.
  public func forEachRecord(_ visit: (TransactionRecord) throws -> Bool) throws {
    try forEachRecord(where: { _ in true }, visit)
  }

  /// Visits the records of the blocks `includeBlock` admits, in file order; the visitor returns
  /// false to stop.
  public func forEachRecord(
    where includeBlock: (BlockKey) -> Bool, _ visit: (TransactionRecord) throws -> Bool
  ) throws {
    var buffer: [UInt8] = []
    for (i, k) in blockKeys.enumerated() where includeBlock(k) {
      try decodeBlock(i, into: &buffer)
      for r in 0..<Int(k.recordCount) {
        if !(try visit(try record(in: buffer, key: k, at: r))) { return }
      }
    }
  }

  /// All records, decoded lazily block by block. A block that fails its checksum ends the
  /// iteration early (use `forEachRecord` to get the error).
  public var transactions: TransactionTable { TransactionTable(index: self) }

  /// Every DDL statement of the file, in file order.
  public var ddlStatements: [DDLStatementRecord] {
    get throws(BinlogError) {
      var c = ByteCursor(ddlSection)
      do throws(BinlogError) {
        let raw = Int(try c.u64())
        guard raw <= 1 << 30 else { throw BinlogError(.malformed, "DDL section size \(raw)") }
        var out = [UInt8](repeating: 0, count: raw)
        let ok = out.withUnsafeMutableBytes { Zstd.decompress(c.rest(), into: $0) }
        guard ok else { throw BinlogError(.malformed, "DDL section does not decompress") }
        let result = out.withUnsafeBytes { b in
          Result { () throws(BinlogError) -> [DDLStatementRecord] in
            var d = ByteCursor(b)
            let n = Int(try d.u32())
            var list: [DDLStatementRecord] = []
            for _ in 0..<n {
              let off = try d.u64()
              let ts = try d.u32()
              let db = try d.readString()
              list.append(DDLStatementRecord(offset: off, timestamp: ts, database: db, sql: try d.readString()))
            }
            return list
          }
        }
        return try result.get()
      } catch {
        throw BinlogError(.malformed, "index is corrupt: \(error.message)", file: path)
      }
    }
  }

  /// Size of the index file.
  public var byteCount: Int { mapping.bytes.count }

  /// A one-line notice when the file ends with an incomplete event (still being written, or
  /// cut by a crash): the index stops at the last complete transaction before it.
  public var incompleteTailNotice: String? {
    guard binlogSize > indexedEnd else { return nil }
    let upTo = transactions.last?.end ?? 4
    return
      "\(file): the last \(binlogSize - indexedEnd) bytes, from offset \(indexedEnd), are an incomplete event (the file is still being written, or was cut): read up to offset \(upTo), the end of its last complete transaction"
  }

  // MARK: freshness

  public enum Freshness: Equatable, Sendable {
    case fresh
    /// The file grew after the indexed part, which is unchanged: extend.
    case grown
    /// The file was replaced, rewritten or truncated: rebuild.
    case stale(String)
  }

  /// Fingerprints of a plain binlog's bytes.
  public static func fingerprints(_ bytes: UnsafeRawBufferPointer, indexedEnd: UInt64) -> (UInt32, UInt32) {
    let head = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<Swift.min(bytes.count, 65536)]))
    let end = Swift.min(Int(indexedEnd), bytes.count)
    let tail = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[Swift.max(0, end - 4096)..<end]))
    return (head, tail)
  }

  /// Fingerprints of a seekable archive's compressed bytes (head, and the tail with the seek table).
  public static func archiveFingerprints(_ bytes: UnsafeRawBufferPointer) -> (UInt32, UInt32) {
    let head = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<Swift.min(bytes.count, 65536)]))
    let tail = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[Swift.max(0, bytes.count - 65536)..<bytes.count]))
    return (head, tail)
  }

  /// Compares the index with the indexed file's current bytes.
  public func freshness(of bytes: UnsafeRawBufferPointer) -> Freshness {
    if isArchive {
      if UInt64(bytes.count) != sourceSize { return .stale("the archive's size changed") }
      let (h, t) = FileIndex.archiveFingerprints(bytes)
      return h == headHash && t == tailHash ? .fresh : .stale("the archive changed")
    }
    if UInt64(bytes.count) < indexedEnd { return .stale("the file is shorter than the indexed part") }
    let (h, t) = FileIndex.fingerprints(bytes, indexedEnd: indexedEnd)
    if h != headHash { return .stale("the file's first bytes changed") }
    if t != tailHash { return .stale("the indexed part of the file changed") }
    if UInt64(bytes.count) == sourceSize { return .fresh }
    return UInt64(bytes.count) > sourceSize ? .grown : .stale("the file shrank")
  }

  // MARK: files

  /// Where the index of `binlogPath` lives: beside it, or in `indexDir`.
  public static func path(for binlogPath: String, indexDir: String?) -> String {
    if let indexDir {
      let base = binlogBaseName(binlogPath)
      return (indexDir.hasSuffix("/") ? indexDir : indexDir + "/") + base + ".sidx"
    }
    return binlogPath + ".sidx"
  }

  /// Reads an index file; nil when there is none.
  public static func read(from path: String, verifyBlocks: Bool = true) throws(BinlogError) -> FileIndex? {
    var st = stat()
    if stat(path, &st) != 0 { return nil }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw BinlogError(.io, "cannot open index: \(String(cString: strerror(errno)))", file: path) }
    defer { close(fd) }
    return try FileIndex(mapping: try MappedFile(descriptor: fd, path: path), path: path, verifyBlocks: verifyBlocks)
  }

  /// Copies the index file to `path` (atomically: temporary file + rename).
  public func write(to dest: String) throws(BinlogError) {
    let tmp = dest + ".tmp\(getpid())"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if fd < 0 {
      throw BinlogError(
        .io, "cannot write index: \(String(cString: strerror(errno))) (use --index-dir for read-only archives)", file: dest)
    }
    let b = mapping.bytes
    var off = 0
    while off < b.count {
      let r = Glibc.write(fd, b.baseAddress! + off, b.count - off)
      if r <= 0 { break }
      off += r
    }
    close(fd)
    if off != b.count || rename(tmp, dest) != 0 {
      unlink(tmp)
      throw BinlogError(.io, "cannot write index: \(String(cString: strerror(errno)))", file: dest)
    }
  }
}

/// The transactions of an index as a sequence; records are decoded on access (a block at a
/// time when iterating). A sequence, not a collection: a damaged block ends the iteration early,
/// which a collection's promised `count` could not.
public struct TransactionTable: Sequence, Sendable {
  public let index: FileIndex
  public var count: Int { index.transactionCount }
  public var isEmpty: Bool { count == 0 }
  public var first: TransactionRecord? { isEmpty ? nil : self[0] }
  public var last: TransactionRecord? { isEmpty ? nil : self[count - 1] }

  public subscript(i: Int) -> TransactionRecord {
    precondition(i >= 0 && i < count, "transaction \(i) out of range")
    let keys = index.blockKeys
    var lo = 0
    var hi = keys.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if keys[mid].firstRecord <= UInt64(i) { lo = mid } else { hi = mid - 1 }
    }
    var buf: [UInt8] = []
    do {
      try index.decodeBlock(lo, into: &buf)
      return try index.record(in: buf, key: keys[lo], at: i - Int(keys[lo].firstRecord))
    } catch {
      return TransactionRecord(start: 0)
    }
  }

  public struct Iterator: IteratorProtocol {
    let index: FileIndex
    var block = -1
    var r = 0
    var buffer: [UInt8] = []
    public mutating func next() -> TransactionRecord? {
      if block >= index.blockKeys.count { return nil }
      while block < 0 || r >= Int(index.blockKeys[block].recordCount) {
        block += 1
        r = 0
        if block >= index.blockKeys.count { return nil }
        do { try index.decodeBlock(block, into: &buffer) } catch {
          block = index.blockKeys.count
          return nil
        }
      }
      defer { r += 1 }
      return try? index.record(in: buffer, key: index.blockKeys[block], at: r)
    }
  }

  public func makeIterator() -> Iterator { Iterator(index: index) }

  public static func == (a: TransactionTable, b: TransactionTable) -> Bool { a.elementsEqual(b) }
}

extension TransactionTable: Equatable {}
