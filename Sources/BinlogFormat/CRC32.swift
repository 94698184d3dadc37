import CCRC32

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320: the one zlib and the binlog use).
///
/// From `clmulFrom` bytes on, the input goes to C (`CCRC32`): whole 16-byte blocks folded with
/// PCLMULQDQ (Intel's folding algorithm; from 512 bytes on, 256-byte blocks with 512-bit
/// VPCLMULQDQ first when the CPU has it), the last 1–15 bytes folded as one shifted block.
/// Shorter inputs, and CPUs without PCLMULQDQ/SSSE3/SSE4.1, use the slicing-by-8 table below.
/// `Benchmarks/crc32-bench.sh` measures the folding against zlib.
public enum CRC32 {
  /// Below this length the slicing table is used: the folding has a fixed cost (a 128 → 32 bit
  /// reduction to end) that 16–23 byte inputs do not repay (measured: 16 bytes 9.4 ns by the
  /// table, 12.2 ns folded; 24 bytes 18.9 and 15.7; 48 bytes 29.4 and 13.8).
  public static let clmulFrom = 24

  /// True when the carry-less multiply path is used on this CPU.
  public static let hasCLMUL: Bool = sluice_crc32_has_clmul() != 0

  /// True when long inputs are folded with 512-bit VPCLMULQDQ on this CPU.
  public static let usesVPCLMUL: Bool = sluice_crc32_uses_vpclmul() != 0

  /// CRC of `bytes`, continuing from `crc` (pass 0 to start).
  @inlinable
  public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
    let n = bytes.count
    guard n >= clmulFrom, hasCLMUL, let base = bytes.baseAddress else {
      return softwareChecksum(bytes, continuing: crc)
    }
    return ~sluice_crc32_clmul_fold(~crc, base, n)
  }

  @usableFromInline static let table: [UInt32] = {
    var t = [UInt32](repeating: 0, count: 256 * 8)
    for i in 0..<256 {
      var c = UInt32(i)
      for _ in 0..<8 { c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
      t[i] = c
    }
    for i in 0..<256 {
      var c = t[i]
      for k in 1..<8 {
        c = t[Int(c & 0xFF)] ^ (c >> 8)
        t[k * 256 + i] = c
      }
    }
    return t
  }()

  /// The same CRC computed in Swift, slicing-by-8 (used for short inputs and tails; the tests
  /// compare it with zlib).
  public static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
    var c = ~crc
    let n = bytes.count
    var i = 0
    table.withUnsafeBufferPointer { t in
      guard let base = bytes.baseAddress else { return }
      while i + 8 <= n {
        let lo = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ c
        let hi = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
        c =
          t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
          ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
          ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
          ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
        i += 8
      }
      while i < n {
        c = t[Int((c ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
        i += 1
      }
    }
    return ~c
  }
}
