// Base64 and hex.
import CTextSIMD

extension TextEncoding {
  /// `CTextSIMD`'s hex digits of whole 16-byte blocks of `p[0..<count]`: the bytes consumed.
  @usableFromInline static func simdHex(_ p: UnsafeRawPointer, count: Int, upper: Bool, into d: UnsafeMutableRawPointer) -> Int {
    sluice_hex(p.assumingMemoryBound(to: UInt8.self), count, d.assumingMemoryBound(to: UInt8.self), upper ? 1 : 0)
  }

  /// `CTextSIMD`'s base64 of whole 48-byte blocks of `p[0..<count]`: the bytes consumed.
  @usableFromInline static func simdBase64(_ p: UnsafeRawPointer, count: Int, into d: UnsafeMutableRawPointer) -> Int {
    sluice_base64(p.assumingMemoryBound(to: UInt8.self), count, d.assumingMemoryBound(to: UInt8.self))
  }

  /// Two base64 characters for each 12-bit value, as the little-endian UInt16 of their bytes.
  @usableFromInline static let base64Pairs: [UInt16] = {
    let a = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    return (0..<4096).map { UInt16(a[$0 >> 6]) | UInt16(a[$0 & 63]) << 8 }
  }()

  /// Appends standard base64 (RFC 4648, `=` padding) of `b` followed by `padTo - b.count` zero
  /// bytes when `padTo` is larger. Six input bytes become eight characters with four lookups in a
  /// 4096-entry table of character pairs.
  @inlinable public static func appendBase64<O: ByteAppender>(_ b: UnsafeRawBufferPointer, padTo: Int = 0, into out: inout O) {
    let total = Swift.max(b.count, padTo)
    if total == 0 { return }
    let n = b.count
    let src = b.baseAddress
    base64Pairs.withUnsafeBufferPointer { tp in
      let t = tp.baseAddress!
      var i = 0
      // Whole groups of 6 bytes read from the input: 8 readable bytes needed for the load.
      while i < total {
        let end = Swift.min(total, i &+ 3 &* chunk)
        out.write(upTo: ((end &- i) / 3 &+ 1) &* 4) { d in
          var o = 0
          if let src {
            if Swift.min(n, end) &- i >= 48 {
              // 48 bytes at a time with AVX-512 VBMI (`CTextSIMD`).
              let k = simdBase64(src + i, count: Swift.min(n, end) &- i, into: d)
              i &+= k
              o = k / 3 &* 4
            }
            while i &+ 8 <= n && i &+ 6 <= end {
              let x = UInt64(bigEndian: src.loadUnaligned(fromByteOffset: i, as: UInt64.self)) >> 16
              let v =
                UInt64(t[Int(x >> 36)]) | UInt64(t[Int((x >> 24) & 0xFFF)]) << 16
                | UInt64(t[Int((x >> 12) & 0xFFF)]) << 32 | UInt64(t[Int(x & 0xFFF)]) << 48
              (d + o).storeBytes(of: UInt64(littleEndian: v), as: UInt64.self)
              o &+= 8
              i &+= 6
            }
          }
          // The rest of the chunk 3 bytes at a time (zero bytes past the input up to `total`).
          @inline(__always) func byte(_ k: Int) -> UInt32 {
            k < n ? UInt32(src!.load(fromByteOffset: k, as: UInt8.self)) : 0
          }
          while i &+ 3 <= end {
            let v = byte(i) << 16 | byte(i &+ 1) << 8 | byte(i &+ 2)
            let pair = UInt32(t[Int(v >> 12)]) | UInt32(t[Int(v & 0xFFF)]) << 16
            (d + o).storeBytes(of: UInt32(littleEndian: pair), as: UInt32.self)
            o &+= 4
            i &+= 3
          }
          if end == total && i < total {
            let rem = total &- i
            let v = byte(i) << 16 | (rem == 2 ? byte(i &+ 1) << 8 : 0)
            let pair = UInt32(t[Int(v >> 12)]) | UInt32(t[Int(v & 0xFFF)]) << 16
            var le = UInt32(littleEndian: pair)
            withUnsafeMutableBytes(of: &le) { q in
              if rem == 1 { q[2] = 0x3D }
              q[3] = 0x3D
            }
            (d + o).storeBytes(of: le, as: UInt32.self)
            o &+= 4
            i = total
          }
          return o
        }
      }
    }
  }

  /// Appends the bytes as hex digits (`upper`: A-F, else a-f), two per byte.
  @inlinable public static func appendHex<O: ByteAppender>(_ b: UnsafeRawBufferPointer, upper: Bool, into out: inout O) {
    guard let p = b.baseAddress else { return }
    let n = b.count
    let letter: UInt8 = upper ? 0x37 : 0x57
    var i = 0
    while i < n {
      let end = Swift.min(n, i &+ chunk)
      out.write(upTo: (end &- i) &* 2) { d in
        var o = 0
        if end &- i >= 32 {
          // 16 bytes at a time with AVX2 (`CTextSIMD`).
          let k = simdHex(p + i, count: end &- i, upper: upper, into: d)
          i &+= k
          o = 2 &* k
        }
        while i < end {
          let c = p.load(fromByteOffset: i, as: UInt8.self)
          let hi = c >> 4
          let lo = c & 15
          let h = hi < 10 ? 0x30 &+ hi : letter &+ hi
          let l = lo < 10 ? 0x30 &+ lo : letter &+ lo
          (d + o).storeBytes(of: UInt16(h) | UInt16(l) << 8, as: UInt16.self)
          o &+= 2
          i &+= 1
        }
        return o
      }
    }
  }
}
