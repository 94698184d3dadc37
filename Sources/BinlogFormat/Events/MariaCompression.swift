import CZlib

/// MariaDB's `log_bin_compress` body format: one header byte (0x80 | algorithm << 4 | n),
/// the uncompressed length in n bytes, then a zlib stream.
public enum MariaCompression {
  public static func uncompressedLength(_ src: UnsafeRawBufferPointer) throws(BinlogError) -> Int {
    guard src.count >= 1, src[0] & 0x80 != 0 else {
      throw BinlogError(.malformed, "compressed body lacks its header byte")
    }
    let n = Int(src[0] & 0x07)
    guard n >= 1 && n <= 4, src.count >= 1 + n else {
      throw BinlogError(.malformed, "compressed body has invalid length width \(n)")
    }
    // MariaDB stores the length big-endian.
    var len = 0
    for i in 0..<n { len = (len << 8) | Int(src[1 + i]) }
    return len
  }

  public static func decompress(_ src: UnsafeRawBufferPointer, what: String) throws(BinlogError) -> [UInt8] {
    let len = try uncompressedLength(src)
    guard (src[0] >> 4) & 0x07 == 0 else {
      throw BinlogError(.unsupported, "\(what): unknown compression algorithm \((src[0] >> 4) & 0x07)")
    }
    let n = Int(src[0] & 0x07)
    let payload = UnsafeRawBufferPointer(rebasing: src[(1 + n)...])
    if len == 0 { return [] }
    guard len <= 1 << 30 else { throw BinlogError(.malformed, "\(what): implausible length \(len)") }
    var out = [UInt8](repeating: 0, count: len)
    var destLen = uLongf(len)
    let rc = out.withUnsafeMutableBytes { d in
      uncompress(
        d.baseAddress!.assumingMemoryBound(to: Bytef.self), &destLen,
        payload.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(payload.count))
    }
    guard rc == Z_OK, Int(destLen) == len else {
      throw BinlogError(.malformed, "\(what): zlib failed (code \(rc)), \(destLen) of \(len) bytes")
    }
    return out
  }
}
