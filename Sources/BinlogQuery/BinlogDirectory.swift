import BinlogFormat
import BinlogIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Finds the binlog files of a directory: files that start with the binlog magic, and zstd
/// files (`sluice archive` output, any `.zst`) that decompress to a binlog. They are one stream
/// ordered by the original name (`binlog.000002.zst` sorts as `binlog.000002`), numeric
/// suffixes compared as numbers (binlog.000009 < binlog.000010).
public enum BinlogDirectory {
  public struct Listing: Sendable {
    public var files: [String]
    /// One line per binlog present both plain and archived (the plain file is used).
    public var notes: [String]
  }

  public static func binlogFiles(in dir: String) throws -> [String] {
    try listing(of: dir).files
  }

  /// The directory's binlogs and archives in stream order; a binlog present both plain and as
  /// `NAME.zst` is read from the plain file, and `notes` says so.
  public static func listing(of dir: String) throws(BinlogError) -> Listing {
    guard let d = opendir(dir) else {
      throw BinlogError(.io, "cannot read directory: \(String(cString: strerror(errno)))", file: dir)
    }
    defer { closedir(d) }
    var plain: [String: String] = [:]
    var archived: [String: String] = [:]
    while let e = readdir(d) {
      let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name.hasPrefix(".") { continue }
      let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
      switch contentKind(path) {
      case .binlog: plain[name] = path
      case .zstdBinlog: archived[ZstdBinlog.originalName(name)] = path
      case .other: break
      }
    }
    var files: [(String, String)] = plain.map { ($0.key, $0.value) }
    var notes: [String] = []
    for (original, path) in archived {
      if let p = plain[original] {
        notes.append("\(original) is present both plain and archived: reading \(p), not \(path)")
      } else {
        files.append((original, path))
      }
    }
    files.sort { BinlogPosition.naturalLess($0.0, $1.0) }
    return Listing(files: files.map(\.1), notes: notes.sorted(by: BinlogPosition.naturalLess))
  }

  enum ContentKind { case binlog, zstdBinlog, other }

  /// What a directory entry holds, from its first bytes (a zstd file: the first four
  /// decompressed bytes).
  static func contentKind(_ path: String) -> ContentKind {
    var st = stat()
    guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return .other }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { return .other }
    var b = [UInt8](repeating: 0, count: 4)
    let n = b.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4) }
    close(fd)
    guard n == 4 else { return .other }
    if b == binlogMagic { return .binlog }
    guard ZstdBinlog.isZstdMagic(b[0], b[1], b[2], b[3]) else { return .other }
    guard let file = try? MappedFile(path: path), let stream = try? DecompressedByteStream(input: .mapped(file), name: path)
    else {
      return .other
    }
    return (try? stream.read(upTo: 4)) == binlogMagic ? .zstdBinlog : .other
  }
}
