#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import BinlogFormat

/// Finds the binlog files of a directory: files that start with the binlog magic, ordered by
/// name with numeric suffixes compared as numbers (binlog.000009 < binlog.000010).
public enum BinlogDirectory {
  public static func binlogFiles(in dir: String) throws -> [String] {
    guard let d = opendir(dir) else {
      throw BinlogError(.io, "cannot read directory: \(String(cString: strerror(errno)))", file: dir)
    }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
      let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name.hasPrefix(".") { continue }
      let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
      if hasBinlogMagic(path) { names.append(path) }
    }
    return names.sorted(by: naturalLess)
  }

  static func hasBinlogMagic(_ path: String) -> Bool {
    var st = stat()
    guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { return false }
    defer { close(fd) }
    var b = [UInt8](repeating: 0, count: 4)
    let n = b.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4) }
    return n == 4 && b == binlogMagic
  }

  /// Name order where digit runs compare numerically.
  public static func naturalLess(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var i = 0
    var j = 0
    while i < x.count && j < y.count {
      let cx = x[i]
      let cy = y[j]
      if cx >= 48 && cx <= 57 && cy >= 48 && cy <= 57 {
        var si = i
        var sj = j
        while i < x.count, x[i] >= 48, x[i] <= 57 { i += 1 }
        while j < y.count, y[j] >= 48, y[j] <= 57 { j += 1 }
        while si < i - 1 && x[si] == 48 { si += 1 }
        while sj < j - 1 && y[sj] == 48 { sj += 1 }
        let lx = i - si
        let ly = j - sj
        if lx != ly { return lx < ly }
        for k in 0..<lx where x[si + k] != y[sj + k] { return x[si + k] < y[sj + k] }
      } else {
        if cx != cy { return cx < cy }
        i += 1
        j += 1
      }
    }
    return x.count - i < y.count - j
  }
}
