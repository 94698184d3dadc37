#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A binlog opened for reading: memory-mapped when it is a regular file, streamed when it is
/// `-` (stdin) or a pipe, read through the seek table when it is a seekable zstd archive and
/// decompressed as a stream when it is a plain zstd file.
public final class BinlogInput: EventSource {
  public var mapped: MappedBinlogReader?
  public let stream: StreamBinlogReader?
  /// A zstd file: `ArchiveBinlogReader` (seekable archive) or `ZstdStreamBinlogReader`.
  public var compressed: (any CompressedBinlogSource)?
  public let path: String
  /// File size, when known.
  public let size: UInt64?

  public init(path: String, options: ReaderOptions = ReaderOptions()) throws(BinlogError) {
    self.path = path
    if path == "-" {
      stream = try StreamBinlogReader(fd: 0, name: "-", options: options)
      mapped = nil
      compressed = nil
      size = nil
      return
    }
    var st = stat()
    if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFIFO || (st.st_mode & S_IFMT) == S_IFCHR {
      let fd = open(path, O_RDONLY | O_CLOEXEC)
      if fd < 0 { throw BinlogError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path) }
      stream = try StreamBinlogReader(fd: fd, name: path, options: options)
      mapped = nil
      compressed = nil
      size = nil
      return
    }
    let file = try MappedFile(path: path)
    stream = nil
    if let c = try ZstdBinlog.open(file: file, name: path, options: options) {
      compressed = c
      mapped = nil
      size = c.originalSize ?? UInt64(file.count)
      return
    }
    compressed = nil
    mapped = try MappedBinlogReader(file: file, name: path, options: options)
    size = UInt64(file.count)
  }

  public var name: String { mapped?.name ?? compressed?.name ?? stream!.name }
  public var format: FormatDescription { mapped?.format ?? compressed?.format ?? stream!.format }
  public var position: UInt64 { mapped?.position ?? compressed?.position ?? stream!.position }
  public var mappedBytes: UnsafeRawBufferPointer? { mapped?.file.bytes }
  public var checksumsVerified: Int {
    mapped?.framer.checksumsVerified ?? compressed?.checksumsVerified ?? stream!.framer.checksumsVerified
  }
  public var bytesTouched: UInt64 { mapped?.bytesTouched ?? compressed?.bytesTouched ?? stream!.position }
  /// True when `seek(to:)` works: a mapped file or a seekable archive.
  public var isSeekable: Bool { mapped != nil || compressed?.isSeekable == true }

  @inlinable public func next() throws(BinlogError) -> RawEvent? {
    if mapped != nil { return try mapped!.next() }
    if compressed != nil { return try compressed!.next() }
    return try stream!.next()
  }

  public func lookaheadXid(from offset: UInt64) -> UInt64? {
    if let c = compressed { return c.lookaheadXid(from: offset) }
    guard let b = mappedBytes else { return nil }
    return CommitLookahead.xid(in: b, from: Int(offset), format: format, file: name)
  }

  public func eventSize(at offset: UInt64) -> Int? {
    if let c = compressed { return c.eventSize(at: offset) }
    guard let b = mappedBytes, offset + 13 <= UInt64(b.count) else { return nil }
    return Int(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: Int(offset) + 9, as: UInt32.self)))
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
}
