import BinlogFormat

/// Reads events straight out of a memory-mapped binlog: each event is a view into the mapping.
public struct MappedBinlogReader: EventSource {
  public let file: MappedFile
  public var framer: EventFramer
  @usableFromInline var cursor: UInt64
  /// Offset of the next event.
  @inlinable public var position: UInt64 { cursor }
  /// The mapping's bytes (kept alive by `file`); for a growable mapping, as of `refreshSize()`.
  @usableFromInline var all: UnsafeRawBufferPointer

  /// Bytes of the file this reader has looked at (headers and bodies of returned events).
  @inlinable public var bytesTouched: UInt64 { touched }
  @usableFromInline var touched: UInt64 = 0

  public var name: String { framer.name }
  public var format: FormatDescription { framer.format }
  public var mappedBytes: UnsafeRawBufferPointer? { file.bytes }
  public var mappedPages: (any PageReleasing)? { file }
  public var maxEventSize: UInt64 { framer.options.maxEventSize }

  /// Opens a reader positioned on the first event. Checks the magic bytes.
  public init(file: MappedFile, name: String? = nil, options: ReaderOptions = ReaderOptions()) throws(BinlogError) {
    self.file = file
    let n = name ?? binlogBaseName(file.path)
    framer = EventFramer(name: n, options: options)
    cursor = 4
    let b = file.bytes
    all = b
    if b.count == 0 {
      throw BinlogError(.notABinlog, "empty file (0 bytes): not a binlog", file: n, offset: 0)
    }
    if b.count < 4 || !zip(b.prefix(4), binlogMagic).allSatisfy({ $0 == $1 }) {
      let gz = b.count >= 2 && b[0] == 0x1F && b[1] == 0x8B
      let zst = b.count >= 4 && b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD
      var hint = ""
      if gz { hint = " (it is gzip-compressed: try 'gunzip -c FILE | sluice ... -')" }
      if zst { hint = " (it is zstd-compressed: try 'zstd -dc FILE | sluice ... -')" }
      throw BinlogError(.notABinlog, "Not a valid binary log: bad magic bytes\(hint)", file: n, offset: 0)
    }
    touched = 4
    if options.skipCorrupt {
      skipped = try CorruptRegionScan.regions(of: file, name: n, options: options)
      nextSkip = skipped.first?.start ?? .max
    }
  }

  /// The regions left out with `ReaderOptions.skipCorrupt`, in file order.
  public private(set) var skipped: [SkippedRange] = []
  @usableFromInline var nextSkip: UInt64 = .max
  @usableFromInline var skipIndex = 0

  /// Steps over the skipped region the cursor has reached.
  @usableFromInline mutating func skipAhead() {
    while skipIndex < skipped.count && cursor >= skipped[skipIndex].start {
      if cursor < skipped[skipIndex].end { cursor = skipped[skipIndex].end }
      skipIndex += 1
    }
    nextSkip = skipIndex < skipped.count ? skipped[skipIndex].start : .max
  }

  @inlinable @inline(__always) public mutating func next() throws(BinlogError) -> RawEvent? {
    if cursor >= nextSkip { skipAhead() }
    let off = Int(position)
    let available = all.count - off
    if available <= 0 { return nil }
    // The common case inline: a v4 event of a known format, not a Format_description, whose
    // size fits (anything else, and any failed check, takes `framer.accept`'s path below).
    let hl = framer.plainHeaderLength
    if hl != 0 && available >= hl, let start = all.baseAddress {
      let base = start + off
      let size = EventHeader.eventSize(atHeader: base)
      let trailer = framer.plainChecksumLength
      if base.load(fromByteOffset: 4, as: UInt8.self) != EventType.formatDescription.rawValue
        && size >= hl + trailer && size <= available
      {
        let bytes = UnsafeRawBufferPointer(start: base, count: size)
        var ok = true
        if framer.plainVerify {
          let stored = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: size - 4, as: UInt32.self))
          ok = CRC32.checksum(UnsafeRawBufferPointer(start: base, count: size - 4)) == stored
          if ok { framer.countVerified() }
        }
        if ok {
          let ev = RawEvent(
            offset: position, header: EventHeader(v4: bytes), bytes: bytes, headerLength: hl, checksumLength: trailer)
          advance(size)
          return ev
        }
      }
    }
    return try nextChecked(off: off, available: available)
  }

  @inlinable mutating func advance(_ size: Int) {
    cursor += UInt64(size)
    touched += UInt64(size)
    if givesBackPages && position >= releasedUpTo + MappedBinlogReader.releaseStep { releasePages() }
  }

  /// Whether the reader gives back the mapped pages behind its cursor (and around it when it
  /// seeks away). False for an owner that gives them back itself: a parallel export's worker
  /// reads every other chunk, and a window behind its cursor spans chunks another worker is
  /// reading (their pages were taken from under it, faulted in again and zapped twice).
  public var givesBackPages = true

  @usableFromInline mutating func releasePages() {
    // Keep memory flat on big files: drop the mapped pages well behind the cursor (they are
    // file-backed and read-only; touching them again just faults them back in).
    let upTo = position - MappedBinlogReader.releaseStep / 2
    file.dontNeed(offset: Int(releasedUpTo), length: Int(upTo - releasedUpTo))
    releasedUpTo = upTo
  }

  /// Every event the inline path declines: framing checks, format changes, mismatches.
  @usableFromInline mutating func nextChecked(off: Int, available: Int) throws(BinlogError) -> RawEvent? {
    let need = framer.headerNeed
    if available < need {
      throw BinlogError(
        .truncated, "only \(available) bytes left where a \(need)-byte event header should be: file truncated",
        file: name, offset: position)
    }
    let hb = UnsafeRawBufferPointer(rebasing: all[off..<(off + need)])
    let header = need == 13 ? EventHeader(v1: hb) : EventHeader(v4: hb)
    let size = try framer.eventSize(header: header, offset: position, available: available)
    let bytes = UnsafeRawBufferPointer(rebasing: all[off..<(off + size)])
    let ev: RawEvent
    do {
      ev = try framer.accept(offset: position, header: header, bytes: bytes)
    } catch {
      // A checksum mismatch leaves the framing intact: step over the event so a caller that
      // skips errors can go on with the next one.
      if error.kind == .checksumMismatch { cursor += UInt64(size) }
      throw error
    }
    advance(size)
    return ev
  }

  /// Mapped pages stay resident for at most this many bytes behind the cursor: with two or
  /// three readers at once (parallel export, index) the file pages stay under ~15 MiB.
  @usableFromInline static var releaseStep: UInt64 { 4 << 20 }

  /// The xid ending the transaction whose next event is at `offset` (`CommitLookahead`). The
  /// walk over the transaction ahead of the reader gives back the pages it passes beyond the
  /// first `releaseStep` (the reader faults them in again when it gets there), so memory does
  /// not grow with the size of a transaction.
  public func lookaheadXid(from offset: UInt64) -> UInt64? {
    var look = MappedLookahead(bytes: file.bytes, releasing: file, keepingUpTo: offset + MappedBinlogReader.releaseStep)
    return CommitLookahead.xid(in: &look, from: offset, format: format, file: name)
  }
  @usableFromInline var releasedUpTo: UInt64 = 0

  /// Moves to `offset`, which must be an event boundary. The format description must already
  /// be known (read the first event, or call `loadFormat()`).
  public mutating func seek(to offset: UInt64) {
    // A short step forward (a query reading transaction after transaction) keeps the window:
    // pages are given back every `releaseStep` as when reading straight on, not at every seek
    // (a madvise per transaction, each a TLB flush on every core the process runs on).
    // Elsewhere the pages around the old cursor are given back and a new window starts.
    if givesBackPages && (offset < releasedUpTo || offset > position + MappedBinlogReader.releaseStep) {
      if position > releasedUpTo { file.dontNeed(offset: Int(releasedUpTo), length: Int(position - releasedUpTo)) }
      releasedUpTo = offset
    }
    cursor = offset
    if !skipped.isEmpty {
      skipIndex = skipped.firstIndex { $0.end > offset } ?? skipped.count
      nextSkip = skipIndex < skipped.count ? skipped[skipIndex].start : .max
    }
  }

  /// For a file mapped growable (`MappedFile(path:growable:)`): takes in the bytes appended
  /// since. True when the file grew. The skipped regions of `skipCorrupt` are not scanned again.
  public mutating func refreshSize() throws(BinlogError) -> Bool {
    let grew = try file.refreshSize()
    all = file.bytes
    return grew
  }

  /// Reads the format description at offset 4 without moving the current position.
  public mutating func loadFormat() throws(BinlogError) {
    if framer.haveFormat { return }
    let saved = position
    cursor = 4
    _ = try next()
    cursor = saved
  }
}
