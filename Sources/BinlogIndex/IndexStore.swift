import BinlogFormat
import BinlogIO
import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Loads a file's index, building or extending it when missing or stale.
public enum IndexStore {
  public enum Outcome: String, Sendable {
    case loaded, built, extended, rebuilt, inMemory
  }

  public struct Result {
    public var index: FileIndex
    public var outcome: Outcome
    /// Why an existing index was not used as it was.
    public var note: String?
    /// Bytes of the binlog read to build or extend (0 when loaded).
    public var bytesRead: UInt64
    /// Set when an index file existed but failed its checks (it was not used): one line for the user.
    public var warning: String?

    public init(index: FileIndex, outcome: Outcome, note: String?, bytesRead: UInt64, warning: String? = nil) {
      self.index = index
      self.outcome = outcome
      self.note = note
      self.bytesRead = bytesRead
      self.warning = warning
    }
  }

  /// Builds the index of `path` (a binlog or a seekable zstd archive), from scratch or by
  /// extending `existing` from its last transaction. Writes it to `destination` (atomically),
  /// or to an unlinked temporary file when nil (an in-memory index that costs no memory).
  /// Returns the index and the bytes of the binlog read.
  public static func build(
    path: String, extending existing: FileIndex? = nil, destination: String? = nil,
    options: ReaderOptions = ReaderOptions(), recordsPerBlock: Int = 1024
  ) throws(BinlogError) -> (FileIndex, UInt64) {
    let input = try BinlogInput(path: path, options: options)
    // An index of a damaged file read with --skip-corrupt is kept in memory, never written: a
    // later run without it would trust an index that leaves transactions out.
    let destination = input.skipped.isEmpty ? destination : nil
    guard input.isSeekable else {
      throw BinlogError(
        .unsupported, "an index needs a binlog file or a seekable archive (sluice archive), not a stream", file: path)
    }
    let (fd, tmp) = try openOutput(destination)
    var ok = false
    defer {
      close(fd)
      if !ok, let tmp { unlink(tmp) }
    }
    let writer = IndexWriter(fd: fd, path: destination ?? path)
    writer.recordsPerBlock = Swift.max(1, Swift.min(recordsPerBlock, IndexLayout.maxRecordsPerBlock))
    // Compressed also in memory: an in-memory index is mapped from an unlinked file, and its
    // pages count in the RSS of a command that holds many (report over a day of binlogs).
    writer.compressBlocks = true
    var scanner: IndexScanner
    var restart: UInt64 = 4
    if let e = existing, e.transactionCount > 0 {
      // Re-read the last transaction: it may have been open when the index was written.
      let lastBlock = e.blockKeys.count - 1
      try writer.copyBlocks(of: e, count: lastBlock)
      var buf: [UInt8] = []
      try e.decodeBlock(lastBlock, into: &buf)
      let k = e.blockKeys[lastBlock]
      restart = try e.record(in: buf, key: k, at: Int(k.recordCount) - 1).start
      scanner = try IndexScanner(writer: writer, extending: e, restart: restart)
      for r in 0..<(Int(k.recordCount) - 1) { try writer.add(try e.record(in: buf, key: k, at: r)) }
    } else {
      scanner = IndexScanner(writer: writer, file: binlogBaseName(path))
    }
    scanner.maxEventSize = options.maxEventSize
    var read: UInt64
    if let m = input.mapped {
      read = try scanMapped(m.file, name: input.name, from: restart, scanner: &scanner, options: options)
      scanner.meta.sourceKind = .binlog
      scanner.meta.sourceSize = UInt64(m.file.count)
      scanner.meta.binlogSize = UInt64(m.file.count)
      (scanner.meta.headHash, scanner.meta.tailHash) = FileIndex.fingerprints(m.file.bytes, indexedEnd: scanner.meta.indexedEnd)
    } else {
      if restart > 4 { try input.seek(to: restart) }
      let before = input.bytesTouched
      do {
        var format = input.format
        while let raw = try input.next() {
          if raw.type == .formatDescription || raw.type == .startV3 { format = input.format }
          try scanner.consume(raw, format: format, fileName: input.name)
        }
      } catch {
        // A cut last event, archived byte for byte: as for the plain file (scanMapped).
        guard error.kind == .truncated, error.offset == input.position, input.position > 4,
          let archive = input.compressed as? ArchiveBinlogReader, archive.isCutTail(at: input.position)
        else { throw error }
        scanner.cutTail = input.position
      }
      read = input.bytesTouched - Swift.min(before, input.bytesTouched)
      let z = try MappedFile(path: path)
      scanner.meta.sourceKind = .archive
      scanner.meta.sourceSize = UInt64(z.count)
      scanner.meta.binlogSize = input.size ?? scanner.meta.indexedEnd
      (scanner.meta.headHash, scanner.meta.tailHash) = FileIndex.archiveFingerprints(z.bytes)
    }
    // A file that does not end with Rotate or Stop may still be written: its last transaction,
    // when it has no commit yet, is left out (as `export` leaves it out) until it has one.
    try scanner.finishRecords(dropOpen: scanner.cutTail != nil || !scanner.endsClosed)
    try writer.finish(scanner.meta, tables: scanner.tables, ddl: scanner.ddl)
    if let tmp, let destination {
      if rename(tmp, destination) != 0 {
        throw BinlogError(.io, "cannot write index: \(String(cString: strerror(errno)))", file: destination)
      }
    }
    ok = true
    let index = try FileIndex(mapping: try MappedFile(descriptor: fd, path: destination ?? path), path: destination ?? "(memory)")
    if restart > 4 { read = Swift.max(read, 1) }
    return (index, read)
  }

  /// A new file for an index: `destination`'s temporary sibling, or an unlinked temporary file.
  private static func openOutput(_ destination: String?) throws(BinlogError) -> (Int32, String?) {
    if let destination {
      let tmp = destination + ".tmp\(getpid())"
      let fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
      if fd < 0 {
        throw BinlogError(
          .io, "cannot write index: \(String(cString: strerror(errno))) (use --index-dir for read-only archives)",
          file: destination)
      }
      return (fd, tmp)
    }
    let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array((dir + "/sluice-index-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    if fd < 0 { throw BinlogError(.io, "cannot create a temporary index: \(String(cString: strerror(errno)))", file: dir) }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    return (fd, nil)
  }

  /// Reads events from `from` to the end of a mapped binlog into `scanner`. CRC32s are checked
  /// on a second thread over the same mapping while this one parses: that thread runs up to
  /// `ChecksumJob.lead` bytes ahead, so the pages are faulted in (and cached) before the parser
  /// reaches them, and this thread releases them behind itself.
  static func scanMapped(
    _ file: MappedFile, name: String, from: UInt64, scanner: inout IndexScanner, options: ReaderOptions
  ) throws(BinlogError) -> UInt64 {
    // With --skip-corrupt the region scan has verified every CRC32 outside the skipped regions.
    let verify = options.verifyChecksums && !options.skipCorrupt
    var readerOptions = options
    readerOptions.verifyChecksums = false
    var reader = try MappedBinlogReader(file: file, name: name, options: options.skipCorrupt ? options : readerOptions)
    if from > 4 {
      try reader.loadFormat()
      reader.seek(to: from)
    }
    let job = ChecksumJob(file: file, name: name, from: from)
    let group = DispatchGroup()
    if verify {
      if from > 4 {
        job.initialCRC = reader.format.checksum == .crc32
        job.ahead.useFormat(reader.format)
      }
      scanner.rowCounts = job.ahead
      DispatchQueue.global().async(group: group) { job.run() }
    }
    defer { scanner.rowCounts = nil }
    var parseError: BinlogError?
    do {
      // The format only changes at a Format_description (or Start_v3): copy it then, not per event.
      var format = reader.format
      var released = Int(from)
      let step = 4 << 20
      var nextCredit = Int(from) + ChecksumJob.chunk
      while let raw = try reader.next() {
        if raw.type == .formatDescription || raw.type == .startV3 { format = reader.format }
        let pos = Int(reader.position)
        try scanner.consume(raw, format: format, fileName: name)
        if pos >= nextCredit {
          while pos >= nextCredit {
            if verify { job.credits.signal() }
            nextCredit += ChecksumJob.chunk
          }
          // Keep resident pages of the mapping to a few MiB (the reader alone keeps up to 24).
          // The checksum thread, when ahead, has released them already (then this is cheap);
          // when it lags, this bounds memory (it faults back what it has not read yet).
          if pos - released >= 2 * step {
            file.dontNeed(offset: released, length: pos - step - released)
            released = pos - step
          }
        }
      }
    } catch {
      parseError = error
    }
    // Let the checksum thread run to the end (it checks past a parse error: the first error
    // in the file wins).
    if verify { job.releaseAll() }
    group.wait()
    if let c = job.error, parseError == nil || (c.offset ?? 0) <= (parseError!.offset ?? .max) { throw c }
    if let parseError {
      // A last event cut short (a live or crashed file): index what is complete before it.
      // (Not a file whose Format_description itself is cut: that is no binlog yet.)
      guard parseError.kind == .truncated, parseError.offset == reader.position, reader.position > 4,
        IncompleteTail.isCut(
          file.bytes, at: Int(reader.position), crc32: reader.format.checksum == .crc32,
          positionChain: IntactEventCheck(bytes: file.bytes, format: reader.format).positionChain)
      else { throw parseError }
      scanner.cutTail = reader.position
    }
    return reader.bytesTouched - Swift.min(reader.bytesTouched, from > 4 ? from : 0)
  }

  /// The index of `path`: read from disk when fresh; extended when the file grew; rebuilt when
  /// stale or missing. `persist` writes what was built (beside the file or in `indexDir`).
  public static func load(
    path: String, indexDir: String?, persist: Bool, options: ReaderOptions = ReaderOptions(), verifyBlocks: Bool = true
  ) throws(BinlogError) -> Result {
    let ipath = FileIndex.path(for: path, indexDir: indexDir)
    var existing: FileIndex?
    var note: String?
    var warning: String?
    do {
      existing = try FileIndex.read(from: ipath, verifyBlocks: verifyBlocks)
    } catch {
      // Never trusted: rebuilt (or, without persist, replaced by an in-memory index).
      note = error.message
      warning = "\(error.message) (\(ipath)): \(persist ? "rebuilt" : "not used")"
      existing = nil
    }
    if let e = existing {
      let m = try MappedFile(path: path)
      switch e.freshness(of: m.bytes) {
      case .fresh:
        return Result(index: e, outcome: .loaded, note: nil, bytesRead: 0)
      case .grown:
        // Extending reads every record: a damaged block is rebuilt, as on a verified load.
        do throws(BinlogError) {
          if !e.blocksVerified { try e.verifyAllBlocks() }
        } catch {
          note = error.message
          warning = "\(error.message) (\(ipath)): \(persist ? "rebuilt" : "not used")"
          break
        }
        let (idx, read) = try build(path: path, extending: e, destination: persist ? ipath : nil, options: options)
        return Result(index: idx, outcome: persist ? .extended : .inMemory, note: "the file grew", bytesRead: read)
      case .stale(let why):
        note = why
      }
    }
    let (idx, read) = try build(path: path, destination: persist ? ipath : nil, options: options)
    let outcome: Outcome = !persist ? .inMemory : (existing != nil || note != nil) ? .rebuilt : .built
    return Result(index: idx, outcome: outcome, note: note, bytesRead: read, warning: warning)
  }

  /// True when a usable index file exists for `path` (fresh or extendable).
  public static func hasIndex(path: String, indexDir: String?) -> Bool {
    let ipath = FileIndex.path(for: path, indexDir: indexDir)
    return (try? FileIndex.read(from: ipath)) != nil
  }
}

/// Verifies every event's CRC32 from an offset to the end of a mapped binlog, straight from the
/// mapping the parser reads. It stays at most `lead` bytes ahead of the parser (which grants a
/// `chunk` of `credits` as it advances and releases the pages behind itself), so memory stays
/// flat and the parser finds the pages already mapped.
final class ChecksumJob: @unchecked Sendable {
  static let chunk = 1 << 20
  static let lead = 4 << 20
  let file: MappedFile
  let name: String
  let from: UInt64
  var initialCRC = false
  var error: BinlogError?
  var verified = 0
  let credits = DispatchSemaphore(value: 0)
  /// Row counts of the events this thread reads, for the parser.
  let ahead = RowCountsAhead()
  /// Counts rows even of events the parser has passed (tests run the job alone, with every
  /// credit granted up front).
  var countPassedEvents = false

  init(file: MappedFile, name: String, from: UInt64) {
    self.file = file
    self.name = name
    self.from = from
  }

  /// Lets the job run to the end without waiting for the parser any more (called by the parser
  /// when it stops, normally or not).
  func releaseAll() {
    let left = (file.count - Int(from)) / ChecksumJob.chunk + 2
    for _ in 0..<left { credits.signal() }
  }

  func run() {
    defer { ahead.stop() }
    let b = file.bytes
    var off = Int(from)
    var hasCRC = initialCRC
    var checkNoChecksumClaim = false
    // The parser has read past `parserAt` (a credit per chunk); pages below `released` are dropped.
    var parserAt = off
    var released = off
    var nextCheck = off
    let step = 4 << 20
    while off + 19 <= b.count {
      let size = EventHeader.eventSize(in: b, at: off)
      // Framing errors are the parser's to report.
      guard size >= 19, size <= b.count - off else { return }
      if off + size > parserAt + ChecksumJob.lead || off >= nextCheck {
        nextCheck = off + ChecksumJob.chunk
        // Take the credits granted so far, waiting only when too far ahead; then drop the
        // pages both threads are done with.
        ahead.publish()
        while credits.wait(timeout: .now()) == .success { parserAt += ChecksumJob.chunk }
        while off + size > parserAt + ChecksumJob.lead {
          credits.wait()
          parserAt += ChecksumJob.chunk
        }
        let upTo = Swift.min(parserAt, off) - ChecksumJob.chunk
        if upTo - released >= step {
          file.dontNeed(offset: released, length: upTo - released)
          released = upTo
        }
      }
      let type = b[off + 4]
      let ev = UnsafeRawBufferPointer(rebasing: b[off..<(off + size)])
      if type == EventType.formatDescription.rawValue {
        guard let fde = try? FormatDescription(event: ev, headerLength: 19) else { return }
        hasCRC = fde.checksum == .crc32
        // As `EventFramer.accept`: a checksum-aware server's Format_description always carries
        // a CRC32 (even with algorithm NONE); a pre-checksum one's next event must not.
        if fde.checksum != .notSupported && !fdeMatches(ev) {
          fail(ev, off, type)
          return
        }
        checkNoChecksumClaim = fde.checksum == .notSupported
        ahead.useFormat(fde)
      } else if checkNoChecksumClaim {
        checkNoChecksumClaim = false
        let n = size - 4
        if n >= 19
          && CRC32.checksum(UnsafeRawBufferPointer(rebasing: ev[0..<n]))
            == UInt32(littleEndian: ev.loadUnaligned(fromByteOffset: n, as: UInt32.self))
        {
          error = BinlogError(
            .malformed,
            "this event carries a CRC32 trailer, but the Format_description says the server predates checksums: the Format_description is damaged (use --no-verify-checksum to read anyway)",
            file: name, offset: UInt64(off), eventType: EventType(type))
          return
        }
      } else if hasCRC {
        let n = size - 4
        // The stored value is read after the bytes before it: it is then in cache.
        let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: ev[0..<n]))
        if crc != UInt32(littleEndian: ev.loadUnaligned(fromByteOffset: n, as: UInt32.self)) {
          fail(ev, off, type)
          return
        }
        verified += 1
      }
      if type != EventType.formatDescription.rawValue {
        ahead.see(ev, offset: off, checksumLength: hasCRC ? 4 : 0, parserPassed: !countPassedEvents && off < parserAt)
      }
      off += size
    }
  }

  /// The server computes the FDE's CRC with LOG_EVENT_BINLOG_IN_USE_F cleared, then sets the
  /// flag while the file is open: accept either.
  private func fdeMatches(_ ev: UnsafeRawBufferPointer) -> Bool {
    let n = ev.count - 4
    guard n > 18 else { return false }
    let stored = UInt32(littleEndian: ev.loadUnaligned(fromByteOffset: n, as: UInt32.self))
    if CRC32.checksum(UnsafeRawBufferPointer(rebasing: ev[0..<n])) == stored { return true }
    var crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: ev[0..<17]))
    withUnsafeBytes(of: ev[17] & 0xFE) { crc = CRC32.checksum($0, continuing: crc) }
    crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: ev[18..<n]), continuing: crc)
    return crc == stored
  }

  private func fail(_ ev: UnsafeRawBufferPointer, _ off: Int, _ type: UInt8) {
    let n = ev.count - 4
    let stored = UInt32(littleEndian: ev.loadUnaligned(fromByteOffset: n, as: UInt32.self))
    let actual = CRC32.checksum(UnsafeRawBufferPointer(rebasing: ev[0..<n]))
    func hex(_ v: UInt32) -> String {
      let s = String(v, radix: 16)
      return String(repeating: "0", count: 8 - s.count) + s
    }
    error = BinlogError(
      .checksumMismatch,
      "CRC32 mismatch: stored 0x\(hex(stored)), computed 0x\(hex(actual)) (use --no-verify-checksum to read anyway)",
      file: name, offset: UInt64(off), eventType: EventType(type))
  }
}
