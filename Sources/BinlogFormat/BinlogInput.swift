#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A binlog opened for reading: memory-mapped when it is a regular file, streamed when it is
/// `-` (stdin) or a pipe.
public final class BinlogInput: EventSource {
  public var mapped: MappedBinlogReader?
  public let stream: StreamBinlogReader?
  public let path: String
  /// File size, when known.
  public let size: UInt64?

  public init(path: String, options: ReaderOptions = ReaderOptions()) throws(BinlogError) {
    self.path = path
    if path == "-" {
      stream = try StreamBinlogReader(fd: 0, name: "-", options: options)
      mapped = nil
      size = nil
      return
    }
    var st = stat()
    if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFIFO || (st.st_mode & S_IFMT) == S_IFCHR {
      let fd = open(path, O_RDONLY | O_CLOEXEC)
      if fd < 0 { throw BinlogError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path) }
      stream = try StreamBinlogReader(fd: fd, name: path, options: options)
      mapped = nil
      size = nil
      return
    }
    let file = try MappedFile(path: path)
    mapped = try MappedBinlogReader(file: file, name: path, options: options)
    stream = nil
    size = UInt64(file.count)
  }

  public var name: String { mapped?.name ?? stream!.name }
  public var format: FormatDescription { mapped?.format ?? stream!.format }
  public var position: UInt64 { mapped?.position ?? stream!.position }
  public var mappedBytes: UnsafeRawBufferPointer? { mapped?.file.bytes }
  public var checksumsVerified: Int { mapped?.framer.checksumsVerified ?? stream!.framer.checksumsVerified }
  public var bytesTouched: UInt64 { mapped?.bytesTouched ?? stream!.position }

  @inlinable public func next() throws(BinlogError) -> RawEvent? {
    if mapped != nil { return try mapped!.next() }
    return try stream!.next()
  }

  /// Jumps to an event boundary (mapped inputs only); the format is read from offset 4 first.
  public func seek(to offset: UInt64) throws(BinlogError) {
    guard mapped != nil else {
      throw BinlogError(.unsupported, "cannot seek in a stream; positions apply to mapped files", file: path)
    }
    try mapped!.loadFormat()
    mapped!.seek(to: offset)
  }
}
