import BinlogFormat
import BinlogIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a finished report all at once: to standard output (`-`), or to a temporary file beside
/// the destination that is renamed over it only when every byte is written, so a failed run
/// leaves the previous file (or none), never half a report.
public enum ReportOutput {
  public static func write(_ bytes: [UInt8], to path: String, protecting inputs: [String]) throws(BinlogError) {
    if path == "-" {
      try writeAll(1, bytes, path: "standard output")
      return
    }
    var out = stat()
    if stat(path, &out) == 0 {
      for p in inputs {
        var st = stat()
        if stat(p, &st) == 0, st.st_dev == out.st_dev, st.st_ino == out.st_ino {
          throw BinlogError(.io, "refusing to write the report over an input", file: path)
        }
      }
    }
    if SpecialOutput.isSpecial(path) {
      // `/dev/null`, a pipe: written directly (a file renamed over it would replace it).
      let fd = try SpecialOutput.openForWriting(path)
      defer { close(fd) }
      try writeAll(fd, bytes, path: path)
      return
    }
    let tmp = path + ".tmp\(getpid())"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    if fd < 0 { throw BinlogError(.io, "cannot write the report: \(String(cString: strerror(errno)))", file: path) }
    do throws(BinlogError) {
      try writeAll(fd, bytes, path: path)
      if fsync(fd) != 0 { throw BinlogError(.io, "cannot write the report: \(String(cString: strerror(errno)))", file: path) }
    } catch {
      close(fd)
      unlink(tmp)
      throw error
    }
    close(fd)
    if rename(tmp, path) != 0 {
      let why = String(cString: strerror(errno))
      unlink(tmp)
      throw BinlogError(.io, "cannot write the report: \(why)", file: path)
    }
  }

  private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(BinlogError) {
    var off = 0
    while off < bytes.count {
      let n = bytes.withUnsafeBytes { b in Glibc.write(fd, b.baseAddress! + off, b.count - off) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { throw BinlogError(.io, "cannot write the report: \(String(cString: strerror(errno)))", file: path) }
      off += n
    }
  }
}
