import BinlogFormat

/// Reads events out of a seekable zstd archive of a binlog, decompressing only the frames the
/// events lie in. An event inside one frame is a view into that frame; an event that spans
/// frames (archives cut by other tools) is assembled into a buffer that grows only to the
/// largest such event. Either way the event stays valid until the next call to `next()`.
public final class ArchiveBinlogReader: EventSource {
  public let archive: SeekableZstdArchive
  public var framer: EventFramer
  public private(set) var position: UInt64
  /// Bytes of the original handed out as events (what a mapped reader would have touched).
  public private(set) var bytesTouched: UInt64 = 0
  /// The frame the last event came from; kept so that event's bytes outlive cache eviction.
  private var current: DecompressedFrame?
  private var assembly = GrowableBuffer()
  fileprivate var lookahead = GrowableBuffer()

  public var name: String { framer.name }
  public var format: FormatDescription { framer.format }
  public var checksumsVerified: Int { framer.checksumsVerified }
  public var uncompressedSize: UInt64 { archive.uncompressedSize }

  /// Opens a reader on the first event; checks the binlog magic at the start of the original.
  /// `name` (default: the archive's name without `.zst`) names the events.
  public init(archive: SeekableZstdArchive, name: String? = nil, options: ReaderOptions = ReaderOptions()) throws(BinlogError) {
    self.archive = archive
    let n = name ?? ZstdBinlog.originalName(archive.name)
    framer = EventFramer(name: n, options: options)
    position = 4
    if archive.uncompressedSize == 0 {
      throw BinlogError(.notABinlog, "the archive restores an empty file (0 bytes): not a binlog", file: archive.name, offset: 0)
    }
    let have = Swift.min(4, Int(archive.uncompressedSize))
    let magic = assembly.reserve(have)
    try archive.copyBytes(from: 0, into: magic)
    if have < 4 || !magic.elementsEqual(binlogMagic) {
      throw BinlogError(
        .notABinlog, "the archive does not hold a binlog: bad magic bytes after decompression", file: archive.name, offset: 0)
    }
    bytesTouched = 4
  }

  public convenience init(path: String, options: ReaderOptions = ReaderOptions()) throws(BinlogError) {
    try self.init(archive: SeekableZstdArchive(path: path), name: originalBinlogName(path), options: options)
  }

  deinit {
    assembly.free()
    lookahead.free()
  }

  public func next() throws(BinlogError) -> RawEvent? {
    let total = archive.uncompressedSize
    if position >= total { return nil }
    let left = total - position
    let need = framer.headerNeed
    if left < UInt64(need) {
      throw BinlogError(
        .truncated, "only \(left) bytes left where a \(need)-byte event header should be: file truncated",
        file: name, offset: position)
    }
    let hb = try view(at: position, count: need, scratch: &assembly)
    let header = need == 13 ? EventHeader(v1: hb) : EventHeader(v4: hb)
    let size = try framer.eventSize(header: header, offset: position, available: Int(clamping: left))
    let bytes = try view(at: position, count: size, scratch: &assembly)
    let ev: RawEvent
    do {
      ev = try framer.accept(offset: position, header: header, bytes: bytes)
    } catch {
      // Framing is intact after a checksum mismatch: step over the event (see MappedBinlogReader).
      if error.kind == .checksumMismatch { position += UInt64(size) }
      throw error
    }
    position += UInt64(size)
    bytesTouched += UInt64(size)
    return ev
  }

  /// Moves to `offset`, which must be an event boundary, reading the format description at
  /// offset 4 first if it is not known yet. Decompresses only the frames holding those events.
  public func seek(to offset: UInt64) throws(BinlogError) {
    try loadFormat()
    position = offset
  }

  /// Reads the format description at offset 4 without moving the current position.
  public func loadFormat() throws(BinlogError) {
    if framer.haveFormat { return }
    let saved = position
    position = 4
    _ = try next()
    position = saved
  }

  /// Where the frame after the one holding `offset` starts: the place to resume after a
  /// damaged frame (Sluice cuts frames at event boundaries), or nil at the last frame.
  public func nextFrameStart(after offset: UInt64) -> UInt64? {
    guard let i = archive.seekTable.frameIndex(containing: offset), i + 1 < archive.frameCount else { return nil }
    return archive.seekTable.frames[i + 1].decompressedOffset
  }

  /// `count` bytes at `offset`: a view into the frame when it holds them all, else a copy
  /// assembled in `scratch`.
  fileprivate func view(at offset: UInt64, count: Int, scratch: inout GrowableBuffer) throws(BinlogError)
    -> UnsafeRawBufferPointer
  {
    if current == nil || !current!.contains(offset) {
      current = try archive.frame(containing: offset)
    }
    guard let f = current else {
      throw BinlogError(
        .truncated, "\(count) bytes wanted at offset \(offset), past the end of the archived binlog", file: name, offset: offset)
    }
    let from = Int(offset - f.start)
    if f.count - from >= count {
      return UnsafeRawBufferPointer(rebasing: f.bytes[from..<(from + count)])
    }
    let dst = scratch.reserve(count)
    try archive.copyBytes(from: offset, into: dst)
    return UnsafeRawBufferPointer(dst)
  }

  /// True when the event whose header is at `offset` can be the cut end of the archived
  /// binlog (see `IncompleteTail.isCut`, over the restored bytes from `offset` to the end).
  public func isCutTail(at offset: UInt64) -> Bool {
    let total = archive.uncompressedSize
    guard offset >= 4, offset <= total else { return false }
    // From 4 bytes before the event, so the event sits at offset 4 of the view (no position
    // chain check: the view's offsets are not the file's).
    let count = Int(Swift.min(total - offset, UInt64(IncompleteTail.searchWindow))) + 4
    let keep = current
    defer { current = keep }
    guard let b = try? view(at: offset - 4, count: count, scratch: &lookahead) else { return false }
    return IncompleteTail.isCut(b, at: 4, crc32: framer.format.checksum == .crc32)
  }

  /// The size of the event starting at `offset` (read from its header), or nil past the end.
  public func eventSize(at offset: UInt64) -> Int? {
    guard offset + 13 <= archive.uncompressedSize else { return nil }
    let keep = current
    defer { current = keep }
    guard let b = try? view(at: offset + UInt64(EventHeader.sizeFieldOffset), count: 4, scratch: &lookahead) else { return nil }
    return Int(UInt32(littleEndian: b.loadUnaligned(as: UInt32.self)))
  }

  /// The xid of the transaction whose next event starts at `offset`: `CommitLookahead`'s walk
  /// over the archive's frames (decompressing those the rest of the transaction lies in).
  public func lookaheadXid(from offset: UInt64) -> UInt64? {
    // The event handed out last may live in `current`; keep it alive across the hops.
    let keep = current
    defer { current = keep }
    var frames = FrameLookahead(reader: self)
    return CommitLookahead.xid(in: &frames, from: offset, format: framer.format, file: name)
  }
}

/// An archive's bytes for `CommitLookahead`, through the reader's frame cache and its
/// lookahead scratch buffer.
private struct FrameLookahead: LookaheadBytes {
  let reader: ArchiveBinlogReader
  var totalCount: UInt64 { reader.archive.uncompressedSize }
  func bytes(at offset: UInt64, count: Int) -> UnsafeRawBufferPointer? {
    try? reader.view(at: offset, count: count, scratch: &reader.lookahead)
  }
}

/// A heap buffer that only grows; for events assembled from several frames or read from a stream.
struct GrowableBuffer {
  private(set) var pointer: UnsafeMutableRawBufferPointer = UnsafeMutableRawBufferPointer(start: nil, count: 0)

  /// A buffer of exactly `count` bytes (contents undefined), valid until the next call.
  mutating func reserve(_ count: Int) -> UnsafeMutableRawBufferPointer {
    if pointer.count < count {
      if pointer.count > 0 { pointer.deallocate() }
      var cap = Swift.max(4096, pointer.count)
      while cap < count { cap *= 2 }
      pointer = .allocate(byteCount: cap, alignment: 16)
    }
    return UnsafeMutableRawBufferPointer(rebasing: pointer[0..<count])
  }

  /// Takes ownership of `new`, freeing the old buffer.
  mutating func replace(with new: UnsafeMutableRawBufferPointer) {
    if pointer.count > 0 { pointer.deallocate() }
    pointer = new
  }

  func free() { if pointer.count > 0 { pointer.deallocate() } }
}
