/// The four bytes every binlog and relay log starts with: 0xFE 'b' 'i' 'n'.
public let binlogMagic: [UInt8] = [0xFE, 0x62, 0x69, 0x6E]

/// Options shared by every reader.
public struct ReaderOptions: Sendable {
  /// Verify each event's CRC32 when the format description says events carry one.
  public var verifyChecksums: Bool = true
  /// Events (and a Transaction_payload's inner events) larger than this are refused rather
  /// than allocated: the server's own limit (max_allowed_packet, slave_max_allowed_packet) is 1 GiB.
  public var maxEventSize: UInt64 = 1 << 30
  /// Read past damaged regions of a mapped binlog (`CorruptRegionScan`): whole transactions
  /// around the damage are left out, and reading picks up at the next intact transaction.
  public var skipCorrupt = false
  /// Told of each region `skipCorrupt` leaves out, once per file state and process.
  public var onSkippedRange: (@Sendable (SkippedRange) -> Void)?
  public init(verifyChecksums: Bool = true, maxEventSize: UInt64 = 1 << 30, skipCorrupt: Bool = false) {
    self.verifyChecksums = verifyChecksums
    self.maxEventSize = maxEventSize
    self.skipCorrupt = skipCorrupt
  }

  /// Parses a byte count: digits with an optional K, M or G suffix (powers of 1024).
  public static func parseByteCount(_ text: String) -> UInt64? {
    var s = Substring(text.uppercased())
    var unit: UInt64 = 1
    if s.hasSuffix("B") { s = s.dropLast() }
    if let last = s.last, let shift = ["K": 10, "M": 20, "G": 30][String(last)] {
      unit = 1 << UInt64(shift)
      s = s.dropLast()
    }
    guard let n = UInt64(s), n > 0 else { return nil }
    let (v, overflow) = n.multipliedReportingOverflow(by: unit)
    return overflow ? nil : v
  }
}

/// Something that yields events one at a time: a mapped file or a stream.
public protocol EventSource {
  /// Name used in errors and output (the file's base name, or "-" for stdin).
  var name: String { get }
  /// The format description in force for the next event.
  var format: FormatDescription { get }
  /// Offset of the next event to be read.
  var position: UInt64 { get }
  /// The next event, or nil at a clean end of input. The event's bytes stay valid until the
  /// next call for stream sources, and as long as the mapping for mapped sources.
  mutating func next() throws(BinlogError) -> RawEvent?
  /// The whole input when it is memory-mapped (lets callers look ahead), else nil.
  var mappedBytes: UnsafeRawBufferPointer? { get }
  /// The mapping behind `mappedBytes`, to give back pages a look ahead has walked past.
  var mappedFile: MappedFile? { get }
  /// The xid of the transaction whose next event starts at `offset`, found by looking ahead
  /// (`CommitLookahead`), or nil when it has none or the source cannot look ahead.
  func lookaheadXid(from offset: UInt64) -> UInt64?
  /// The size of the event starting at `offset`, when the source can look there.
  func eventSize(at offset: UInt64) -> Int?
  /// The largest event (or Transaction_payload inner event) to accept (`ReaderOptions.maxEventSize`).
  var maxEventSize: UInt64 { get }
}

extension EventSource {
  public var mappedBytes: UnsafeRawBufferPointer? { nil }
  public var mappedFile: MappedFile? { nil }
  public var maxEventSize: UInt64 { 1 << 30 }

  public func lookaheadXid(from offset: UInt64) -> UInt64? {
    guard let b = mappedBytes else { return nil }
    return CommitLookahead.xid(in: b, from: Int(offset), format: format, file: name)
  }

  public func eventSize(at offset: UInt64) -> Int? {
    guard let b = mappedBytes, offset + 13 <= UInt64(b.count) else { return nil }
    return EventHeader.eventSize(in: b, at: Int(offset))
  }
}

/// Frames events and tracks the format description; shared by the mapped and stream readers.
public struct EventFramer: Sendable {
  public var format: FormatDescription { didSet { refreshPlain() } }
  public var options: ReaderOptions { didSet { refreshPlain() } }
  public var name: String
  /// True once a Format_description or Start_v3 has been seen.
  public var haveFormat = false { didSet { refreshPlain() } }
  /// When events need nothing from `accept` but the checks a reader can do inline (a v4
  /// header, no type permutation): the common header length, else 0.
  public private(set) var plainHeaderLength = 0
  /// 4 when events carry a CRC32 trailer (with `plainHeaderLength`).
  public private(set) var plainChecksumLength = 0
  /// True when the CRC32 trailers are to be verified (with `plainHeaderLength`).
  public private(set) var plainVerify = false

  /// Set after a Format_description that says its server predates checksums: the next event
  /// goes through `accept`, which checks that it does not carry a CRC32 after all.
  private var checkNoChecksumClaim = false { didSet { refreshPlain() } }

  private mutating func refreshPlain() {
    let plain =
      haveFormat && !checkNoChecksumClaim && format.binlogVersion != 1 && format.typePermutation == nil
      && format.headerLength >= 19
    plainHeaderLength = plain ? format.headerLength : 0
    plainChecksumLength = format.checksum == .crc32 ? 4 : 0
    plainVerify = plainChecksumLength == 4 && options.verifyChecksums
  }

  /// Counts a checksum verified outside `accept` (a reader's inline path).
  @inlinable public mutating func countVerified() { checksumsVerified += 1 }
  /// Counts of checksum verifications performed (for `info`).
  public var checksumsVerified = 0

  public init(name: String, options: ReaderOptions) {
    self.name = name
    self.options = options
    // Until the first event says otherwise, assume a v4 header with no checksum.
    self.format = FormatDescription(
      binlogVersion: 4, serverVersion: "", createTimestamp: 0, headerLength: 19,
      postHeaderLengths: [], checksum: .notSupported)
  }

  /// Minimum bytes needed to learn an event's size at the current framing.
  @inlinable public var headerNeed: Int { format.binlogVersion == 1 ? 13 : 19 }

  /// Given the header bytes at `offset`, the event's size, validated against `available`.
  @inlinable public func eventSize(header h: EventHeader, offset: UInt64, available: Int) throws(BinlogError) -> Int {
    let size = Int(h.eventSize)
    let minimum = haveFormat ? format.headerLength : 19
    if size < minimum {
      throw BinlogError(
        .malformed, "event size \(size) is smaller than the \(minimum)-byte event header",
        file: name, offset: offset, eventType: h.type)
    }
    if UInt64(size) > options.maxEventSize {
      throw BinlogError(
        .malformed, "event of \(size) bytes is larger than --max-event-size (\(options.maxEventSize) bytes)",
        file: name, offset: offset, eventType: h.type)
    }
    if size > available {
      throw BinlogError(
        .truncated,
        "event of \(size) bytes runs past the end of the input (\(available) bytes left): file truncated mid-event",
        file: name, offset: offset, eventType: h.type)
    }
    return size
  }

  /// Checks the event and updates the format when it is a format event. `bytes` is the whole event.
  public mutating func accept(offset: UInt64, header inHeader: EventHeader, bytes: UnsafeRawBufferPointer) throws(BinlogError)
    -> RawEvent
  {
    var header = inHeader
    if let perm = format.typePermutation { header.type = EventType(perm[Int(header.type.rawValue)]) }
    if header.type == .formatDescription {
      let fde: FormatDescription
      do {
        fde = try FormatDescription(event: bytes, headerLength: 19)
      } catch {
        throw error.with(file: name, offset: offset, eventType: header.type)
      }
      // Every server that knows checksums writes the Format_description with a CRC32 trailer,
      // even when its algorithm byte says NONE (all such files of the corpus do): verifying it
      // catches a damaged algorithm byte or server version, which would otherwise frame every
      // later event wrongly with exit 0.
      if fde.checksum != .notSupported && options.verifyChecksums {
        try verifyFDE(bytes, offset: offset, header: header)
      }
      format = fde
      haveFormat = true
      checkNoChecksumClaim = fde.checksum == .notSupported && options.verifyChecksums
      let ev = RawEvent(
        offset: offset, header: header, bytes: bytes, headerLength: 19,
        checksumLength: fde.checksum == .notSupported ? 0 : 4)
      return ev
    }
    if !haveFormat {
      if header.type == .startV3 {
        var c = ByteCursor(bytes, position: 19)
        do {
          let version = try c.u16("binlog version")
          let server = try c.fixedString(50, "server version")
          let created = try c.u32("create timestamp")
          format = .legacy(binlogVersion: version, serverVersion: server, createTimestamp: created)
          haveFormat = true
        } catch {
          throw error.with(file: name, offset: offset, eventType: header.type)
        }
      } else {
        throw BinlogError(
          .notABinlog, "the first event is \(header.type.name), not a Format_description event",
          file: name, offset: offset, eventType: header.type)
      }
    }
    if checkNoChecksumClaim {
      checkNoChecksumClaim = false
      // A pre-checksum server's events end with their data; a valid CRC32 trailer (a 1 in 2^32
      // chance otherwise) means the Format_description's server version was damaged.
      if bytes.count >= format.headerLength + 4 {
        let n = bytes.count - 4
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n, as: UInt32.self))
        if CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<n])) == stored {
          throw BinlogError(
            .malformed,
            "this event carries a CRC32 trailer, but the Format_description (server version \(quotedVersion(format.serverVersion))) says the server predates checksums: the Format_description is damaged (use --no-verify-checksum to read anyway)",
            file: name, offset: offset, eventType: header.type)
        }
      }
    }
    let hasCRC = format.checksum == .crc32
    if hasCRC {
      if bytes.count < format.headerLength + 4 {
        throw BinlogError(.truncated, "event too short for its CRC32 trailer", file: name, offset: offset, eventType: header.type)
      }
      if options.verifyChecksums {
        let n = bytes.count - 4
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n, as: UInt32.self))
        let actual = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
        if stored != actual {
          throw BinlogError(
            .checksumMismatch,
            "CRC32 mismatch: stored 0x\(hex32(stored)), computed 0x\(hex32(actual)) (use --no-verify-checksum to read anyway)",
            file: name, offset: offset, eventType: header.type)
        }
        checksumsVerified += 1
      }
    }
    return RawEvent(
      offset: offset, header: header, bytes: bytes, headerLength: format.headerLength,
      checksumLength: hasCRC ? 4 : 0)
  }

  private mutating func verifyFDE(_ bytes: UnsafeRawBufferPointer, offset: UInt64, header: EventHeader) throws(BinlogError) {
    let n = bytes.count - 4
    let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n, as: UInt32.self))
    let asIs = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
    if stored == asIs {
      checksumsVerified += 1
      return
    }
    // The server computes the FDE's CRC with LOG_EVENT_BINLOG_IN_USE_F cleared, then sets the
    // flag in the file while it is open: recompute with bit 0 of the flags byte (offset 17) cleared.
    var crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<17]))
    withUnsafeBytes(of: bytes[17] & 0xFE) { crc = CRC32.checksum($0, continuing: crc) }
    crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[18..<n]), continuing: crc)
    if stored != crc {
      throw BinlogError(
        .checksumMismatch,
        "CRC32 mismatch: stored 0x\(hex32(stored)), computed 0x\(hex32(asIs)) (use --no-verify-checksum to read anyway)",
        file: name, offset: offset, eventType: header.type)
    }
    checksumsVerified += 1
  }
}

/// A server version for a message: printable ASCII kept, other bytes as \xNN.
func quotedVersion(_ s: String) -> String {
  var out = "\""
  for b in s.utf8 {
    if b >= 0x20 && b < 0x7F { out.unicodeScalars.append(Unicode.Scalar(b)) } else { out += "\\x" + String(b, radix: 16) }
  }
  return out + "\""
}

@usableFromInline func hex32(_ v: UInt32) -> String {
  let s = String(v, radix: 16)
  return String(repeating: "0", count: 8 - s.count) + s
}

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
  public var mappedFile: MappedFile? { file }
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
    if position >= releasedUpTo + MappedBinlogReader.releaseStep { releasePages() }
  }

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
    var look = MappedLookahead(file: file, keepingUpTo: offset + MappedBinlogReader.releaseStep)
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
    if offset < releasedUpTo || offset > position + MappedBinlogReader.releaseStep {
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
