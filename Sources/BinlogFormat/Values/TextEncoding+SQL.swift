// MySQL string literals for the SQL output: the escaping, eight bytes at a time (32 with AVX2).
import CTextSIMD

extension TextEncoding {
  /// `CTextSIMD`'s SQL escaping of whole 32-byte blocks of `p[0..<count]` (nothing without AVX2).
  @usableFromInline static func simdSQLEscape(_ p: UnsafeRawPointer, count: Int, into d: UnsafeMutableRawPointer)
    -> (consumed: Int, written: Int)
  {
    var consumed = 0
    let w = sluice_sql_escape(p.assumingMemoryBound(to: UInt8.self), count, d.assumingMemoryBound(to: UInt8.self), &consumed)
    return (consumed, w)
  }

  /// The high bit of every byte of `w` a MySQL string literal escapes: `'`, `\`, NUL, LF, CR,
  /// Ctrl-Z. The lowest flagged lane is exact.
  @inlinable @inline(__always) static func sqlEscapeMask(_ w: UInt64) -> UInt64 {
    @inline(__always) func eq(_ c: UInt64) -> UInt64 {
      let x = w ^ (c &* ones)
      return (x &- ones) & ~x & highs
    }
    return eq(0x27) | eq(0x5C) | eq(0x00) | eq(0x0A) | eq(0x0D) | eq(0x1A)
  }

  /// Writes byte `c` as inside a MySQL string literal (1 or 2 bytes) and returns how many.
  @inlinable @inline(__always) public static func writeSQLEscapedASCII(_ c: UInt8, to p: UnsafeMutableRawPointer) -> Int {
    let e: UInt8
    switch c {
    case 0x27: e = 0x27
    case 0x5C: e = 0x5C
    case 0x00: e = 0x30
    case 0x0A: e = 0x6E
    case 0x0D: e = 0x72
    case 0x1A: e = 0x5A
    default:
      p.storeBytes(of: c, as: UInt8.self)
      return 1
    }
    p.storeBytes(of: 0x5C, as: UInt8.self)
    p.storeBytes(of: e, toByteOffset: 1, as: UInt8.self)
    return 2
  }

  /// Appends `b` (any bytes) as the inside of a MySQL string literal: `'`, `\`, NUL, LF, CR and
  /// Ctrl-Z backslash-escaped, every other byte as it is; no quotes.
  @inlinable public static func appendSQLEscaped<O: ByteAppender>(_ b: UnsafeRawBufferPointer, into out: inout O) {
    guard let p = b.baseAddress else { return }
    let n = b.count
    var i = 0
    while i < n {
      let end = Swift.min(n, i &+ chunk)
      out.write(upTo: (end &- i) &* 2 &+ 8) { d in
        var o = 0
        if end &- i >= 64 {
          // 32 bytes at a time with AVX2 (`CTextSIMD`); the words below finish.
          let r = simdSQLEscape(p + i, count: end &- i, into: d)
          i &+= r.consumed
          o = r.written
        }
        while i &+ 8 <= end {
          let raw = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
          let esc = sqlEscapeMask(UInt64(littleEndian: raw))
          (d + o).storeBytes(of: raw, as: UInt64.self)
          if esc == 0 {
            i &+= 8
            o &+= 8
            continue
          }
          let clean = esc.trailingZeroBitCount >> 3
          o &+= clean
          i &+= clean
          o &+= writeSQLEscapedASCII(p.load(fromByteOffset: i, as: UInt8.self), to: d + o)
          i &+= 1
        }
        while i < end {
          o &+= writeSQLEscapedASCII(p.load(fromByteOffset: i, as: UInt8.self), to: d + o)
          i &+= 1
        }
        return o
      }
    }
  }
}
