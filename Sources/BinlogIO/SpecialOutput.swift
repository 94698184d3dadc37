import BinlogFormat

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Output paths that name something other than a regular file: `/dev/null`, a terminal, a named
/// pipe, a socket. Those are written directly. The all-or-nothing way of writing files (a
/// temporary file beside the destination, renamed over it when complete) would replace a
/// device with a regular file: `-o /dev/null` run as root would turn `/dev/null` into a file.
public enum SpecialOutput {
  /// True when `path` exists (after symbolic links) and is not a regular file.
  public static func isSpecial(_ path: String) -> Bool {
    var st = stat()
    guard stat(path, &st) == 0 else { return false }
    return (st.st_mode & S_IFMT) != S_IFREG
  }

  /// Opens an existing special file for writing (a directory fails here, with its reason).
  public static func openForWriting(_ path: String) throws(BinlogError) -> Int32 {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    if fd < 0 { throw BinlogError(.io, "cannot open output: \(String(cString: strerror(errno)))", file: path) }
    return fd
  }
}
