import BinlogFormat

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A read-only memory mapping of a whole file. The only owner of the raw mapping:
/// everything else sees its bytes as borrowed `UnsafeRawBufferPointer` views.
public final class MappedFile: PageReleasing, @unchecked Sendable {
  public let path: String
  /// Bytes of the file that can be read (for a growable mapping: as of the last `refreshSize()`,
  /// at most `capacity`).
  public private(set) var count: Int
  private let base: UnsafeRawPointer?
  /// Length of the mapping: `count`, or for a growable mapping the address range reserved.
  private let mappedLength: Int
  /// Kept open by a growable mapping, to read the size of the same file as it grows.
  private let growableFD: Int32

  /// Address space a growable mapping reserves, the first that can be mapped: a binlog being
  /// written can grow this far without a new mapping (so events already handed out stay valid).
  nonisolated(unsafe) public static var growableReserves = [1 << 40, 1 << 36, 1 << 32]
  /// When none of `growableReserves` can be mapped (ulimit -v): the file's size plus this.
  nonisolated(unsafe) public static var growableSlack = 256 << 20

  /// Maps `path` read-only. Throws `BinlogError` (.io / .notABinlog) for a missing file,
  /// a directory or an unreadable file.
  ///
  /// `growable` (following a binlog being written): the mapping covers `growableReserve` bytes
  /// past the file's start, so bytes appended later are seen through the same addresses once
  /// `refreshSize()` has read the new size (a shared read-only mapping shows the page cache).
  public init(path: String, growable: Bool = false) throws(BinlogError) {
    self.path = path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      let e = errno
      throw BinlogError(.io, "cannot open: \(String(cString: strerror(e)))", file: path)
    }
    growableFD = growable ? fd : -1
    defer { if !growable { close(fd) } }
    let size = try MappedFile.regularFileSize(fd, path: path)
    count = size
    if !growable {
      (base, mappedLength) = try MappedFile.mapReadOnly(fd, size: size, path: path)
      return
    }
    // Under an address-space limit (ulimit -v) a smaller range is reserved: a file that
    // outgrows it is mapped again (`capacity`, `BinlogFollower`).
    for reserve in MappedFile.growableReserves + [size + MappedFile.growableSlack] where reserve > size {
      if let p = mmap(nil, reserve, PROT_READ, MAP_SHARED | MAP_NORESERVE, fd, 0), p != MAP_FAILED {
        mappedLength = reserve
        base = UnsafeRawPointer(p)
        return
      }
    }
    let e = errno
    close(fd)
    throw BinlogError(.io, "cannot map: \(String(cString: strerror(e)))", file: path)
  }

  /// Maps an open regular file read-only (an index being written, an unlinked temporary file);
  /// the caller keeps and closes `fd`. `path` names the file in errors.
  public init(descriptor fd: Int32, path: String) throws(BinlogError) {
    self.path = path
    growableFD = -1
    let size = try MappedFile.regularFileSize(fd, path: path)
    count = size
    (base, mappedLength) = try MappedFile.mapReadOnly(fd, size: size, path: path)
  }

  /// The size of the regular file open as `fd`; a directory or a device is refused.
  private static func regularFileSize(_ fd: Int32, path: String) throws(BinlogError) -> Int {
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
    return Int(st.st_size)
  }

  /// A private read-only mapping of `size` bytes of `fd` (no mapping for an empty file).
  private static func mapReadOnly(_ fd: Int32, size: Int, path: String) throws(BinlogError) -> (UnsafeRawPointer?, Int) {
    if size == 0 { return (nil, 0) }
    guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw BinlogError(.io, "cannot map: \(String(cString: strerror(errno)))", file: path)
    }
    return (UnsafeRawPointer(p), size)
  }

  /// The bytes the mapping covers: a growable file can grow this far before `refreshSize()`
  /// stops at it (it is then to be mapped again).
  public var capacity: Int { mappedLength }

  deinit {
    if let base { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }
    if growableFD >= 0 { close(growableFD) }
  }

  /// A growable mapping: reads the file's size again and makes the bytes appended since
  /// readable (`bytes` grows; bytes already handed out stay where they are), up to `capacity`.
  /// True when it grew.
  /// A file that shrank (replaced, or cut by a server reset) is an error: what was read is gone.
  public func refreshSize() throws(BinlogError) -> Bool {
    guard growableFD >= 0 else { return false }
    var st = stat()
    guard fstat(growableFD, &st) == 0 else {
      throw BinlogError(.io, "cannot stat: \(String(cString: strerror(errno)))", file: path)
    }
    let now = Int(st.st_size)
    if now < count {
      throw BinlogError(.io, "the file shrank from \(count) to \(now) bytes while it was followed", file: path)
    }
    let readable = Swift.min(now, mappedLength)
    defer { count = readable }
    return readable > count
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
