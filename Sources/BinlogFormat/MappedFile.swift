#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A read-only memory mapping of a whole file. The only owner of the raw mapping:
/// everything else sees its bytes as borrowed `UnsafeRawBufferPointer` views.
public final class MappedFile: @unchecked Sendable {
  public let path: String
  public let count: Int
  private let base: UnsafeRawPointer?

  /// Maps `path` read-only. Throws `BinlogError` (.io / .notABinlog) for a missing file,
  /// a directory or an unreadable file.
  public init(path: String) throws(BinlogError) {
    self.path = path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      let e = errno
      throw BinlogError(.io, "cannot open: \(String(cString: strerror(e)))", file: path)
    }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      throw BinlogError(.io, "cannot stat: \(String(cString: strerror(errno)))", file: path)
    }
    if (st.st_mode & S_IFMT) == S_IFDIR {
      throw BinlogError(.notABinlog, "is a directory, not a binlog file", file: path)
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
      throw BinlogError(.io, "is not a regular file (use '-' to read a stream)", file: path)
    }
    count = Int(st.st_size)
    if count == 0 {
      base = nil
      return
    }
    guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw BinlogError(.io, "cannot map: \(String(cString: strerror(errno)))", file: path)
    }
    base = UnsafeRawPointer(p)
  }

  deinit {
    if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
  }

  /// The file's bytes. Valid for as long as this object lives.
  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  /// Releases the pages of a range that will not be read again soon (whole pages inside it).
  public func dontNeed(offset: Int, length: Int) {
    guard let base, length > 0 else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = (offset + page - 1) & ~(page - 1)
    let end = Swift.min(count, offset + length) & ~(page - 1)
    if end > start { _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED) }
  }

  /// Advises the kernel that a range will be needed soon (used when seeking through an index).
  public func willNeed(offset: Int, length: Int) {
    guard let base, length > 0 else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = offset & ~(page - 1)
    _ = madvise(UnsafeMutableRawPointer(mutating: base + start), min(count - start, length + offset - start), MADV_WILLNEED)
  }
}
