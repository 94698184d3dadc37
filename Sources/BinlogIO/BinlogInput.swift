import BinlogFormat

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A binlog opened for reading: memory-mapped when it is a regular file, read through the seek
/// table when it is a seekable zstd archive, and decompressed as a stream when it is a plain
/// zstd or gzip file. `-` (stdin) and pipes are streams, zstd, gzip or plain by their first bytes.
public final class BinlogInput: EventSource {
  public var mapped: MappedBinlogReader?
  /// Anything not mapped: `ArchiveBinlogReader` (seekable archive) or `ByteStreamBinlogReader`
  /// (stdin, pipes, gzip, zstd without a seek table).
  public var compressed: (any CompressedBinlogSource)?
  public let path: String
  /// File size, when known.
  public let size: UInt64?

  /// The options the input was opened with.
  public let options: ReaderOptions
  public var maxEventSize: UInt64 { options.maxEventSize }

  /// Opens a plain binlog file still being written, mapped so that `refreshSize()` takes in
  /// what the server appends (`BinlogFollower`). Archives, compressed files and streams are refused.
  public init(following path: String, options: ReaderOptions = ReaderOptions()) throws(BinlogError) {
    self.path = path
    self.options = options
    // The reader refuses anything but a binlog's magic bytes (naming zstd and gzip).
    let file = try MappedFile(path: path, growable: true)
    compressed = nil
    mapped = try MappedBinlogReader(file: file, name: path, options: options)
    size = nil
    name = mapped!.name
  }

  /// A file opened with `init(following:)` whose mapping is full: it is to be opened again to
  /// read on (only under an address-space limit; see `MappedFile.capacity`).
  public var mappingIsFull: Bool {
    guard let f = mapped?.file else { return false }
    return f.count >= f.capacity
  }

  /// A file opened with `init(following:)`: takes in the bytes appended since. True when it grew.
  public func refreshSize() throws(BinlogError) -> Bool {
    guard mapped != nil else { return false }
    return try mapped!.refreshSize()
  }

  public init(path: String, options: ReaderOptions = ReaderOptions()) throws(BinlogError) {
    self.path = path
    self.options = options
    var st = stat()
    if path == "-" || (stat(path, &st) == 0 && ((st.st_mode & S_IFMT) == S_IFIFO || (st.st_mode & S_IFMT) == S_IFCHR)) {
      var fd: Int32 = 0
      if path != "-" {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw BinlogError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path) }
      }
      compressed = try ByteStreamBinlogReader(input: .descriptor(fd, prefix: []), name: path, options: options)
      mapped = nil
      size = nil
      name = compressed!.name
      return
    }
    let file = try MappedFile(path: path)
    if let c = try ZstdBinlog.open(file: file, name: path, options: options) {
      compressed = c
      mapped = nil
      size = c.originalSize ?? UInt64(file.count)
      name = c.name
      return
    }
    let b = file.bytes
    if b.count >= 3 && DecompressedByteStream.isGzipMagic(b[0], b[1], b[2]) {
      let events = path.hasSuffix(".gz") ? String(path.dropLast(3)) : path
      compressed = try ByteStreamBinlogReader(input: .mapped(file), name: events, streamName: path, options: options)
      mapped = nil
      size = nil
      name = compressed!.name
      return
    }
    compressed = nil
    mapped = try MappedBinlogReader(file: file, name: path, options: options)
    size = UInt64(file.count)
    name = mapped!.name
  }

  /// The binlog's name in events and errors (read once: a computed name would copy the reader
  /// on every call).
  public let name: String
  public var format: FormatDescription { mapped?.format ?? compressed!.format }
  public var position: UInt64 { mapped?.position ?? compressed!.position }
  public var mappedBytes: UnsafeRawBufferPointer? { mapped?.file.bytes }
  public var mappedPages: (any PageReleasing)? { mapped?.file }
  /// The regions left out with `ReaderOptions.skipCorrupt` (mapped files only).
  public var skipped: [SkippedRange] { mapped?.skipped ?? [] }
  public var checksumsVerified: Int {
    mapped?.framer.checksumsVerified ?? compressed!.checksumsVerified
  }
  public var bytesTouched: UInt64 { mapped?.bytesTouched ?? compressed!.bytesTouched }
  /// True when `seek(to:)` works: a mapped file or a seekable archive.
  /// For a seekable zstd archive: frames it has, and distinct frames decompressed so far.
  public var archiveFrames: (total: Int, touched: Int)? {
    guard let a = (compressed as? ArchiveBinlogReader)?.archive else { return nil }
    return (a.frameCount, a.framesTouched.count)
  }

  public var isSeekable: Bool { mapped != nil || compressed?.isSeekable == true }

  @inlinable public func next() throws(BinlogError) -> RawEvent? {
    if mapped != nil { return try mapped!.next() }
    return try compressed!.next()
  }

  public func lookaheadXid(from offset: UInt64) -> UInt64? {
    if let c = compressed { return c.lookaheadXid(from: offset) }
    return mapped?.lookaheadXid(from: offset)
  }

  public func eventSize(at offset: UInt64) -> Int? {
    if let c = compressed { return c.eventSize(at: offset) }
    guard let b = mappedBytes, offset + 13 <= UInt64(b.count) else { return nil }
    return EventHeader.eventSize(in: b, at: Int(offset))
  }

  /// Jumps to an event boundary (mapped inputs only); the format is read from offset 4 first.
  public func seek(to offset: UInt64) throws(BinlogError) {
    if let c = compressed {
      try c.seek(to: offset)
      return
    }
    guard mapped != nil else {
      throw BinlogError(.unsupported, "cannot seek in a stream; positions apply to mapped files", file: path)
    }
    try mapped!.loadFormat()
    mapped!.seek(to: offset)
  }

  /// Seeks to a position a user gave (`--start-position N`): an offset that is not an event
  /// boundary, or is past the end, is refused with the boundaries around it, rather than read
  /// as an event header (which reports a nonsense size). Costs a header walk from offset 4.
  public func seek(toUserPosition offset: UInt64) throws(BinlogError) {
    if offset <= 4 { return }
    var at: UInt64 = 4
    var before: UInt64 = 4
    let end = size ?? .max
    while at < offset {
      guard let n = eventSize(at: at), n >= 13 else { break }
      before = at
      at += UInt64(n)
    }
    if at != offset {
      if offset >= end && at >= end {
        throw BinlogError(
          .badPosition, "start position \(offset) is past the end of the file (\(end) bytes; its last event starts at \(before))",
          file: name)
      }
      let next = at > offset && at < end ? "\(at)" : nil
      throw BinlogError(
        .badPosition,
        "start position \(offset) is not an event boundary: the events around it start at \(before)\(next.map { " and \($0)" } ?? "")",
        file: name)
    }
    try seek(to: offset)
  }
}
