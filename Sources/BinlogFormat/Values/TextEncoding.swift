/// The byte-level text primitives every value formatter shares (NDJSON, SQL, Canal, events):
/// UTF-8 validation fused with JSON escaping, Latin-1 (cp1252 and ISO-8859-1) to UTF-8, base64
/// and hex. They read the mapped value bytes and write straight into the output buffer, eight
/// bytes at a time where the text allows (SWAR), with no `String` and no allocation per value.
public enum TextEncoding {

  // MARK: - Word tests (SWAR)

  @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
  @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

  /// The high bit of every byte of `w` (little-endian lanes) that JSON must escape: a control
  /// character (< 0x20), `"` or `\`. Bytes >= 0x80 are never flagged. The lowest flagged lane is
  /// always exact (the "has zero byte" borrow can only flag lanes above a true one).
  @inlinable @inline(__always) static func jsonEscapeMask(_ w: UInt64) -> UInt64 {
    let control = (w &- 0x20 &* ones) & ~w & highs
    let q = w ^ (0x22 &* ones)
    let quote = (q &- ones) & ~q & highs
    let bs = w ^ (0x5C &* ones)
    let backslash = (bs &- ones) & ~bs & highs
    return control | quote | backslash
  }

  // MARK: - UTF-8

  /// Length of the valid UTF-8 sequence whose lead byte `c >= 0x80` is at `p[j]` (`n` bytes in
  /// all), or 0 when it is not valid: strict (no overlongs, no surrogates, nothing above U+10FFFF).
  @inlinable @inline(__always) static func sequenceLength(_ p: UnsafeRawPointer, _ j: Int, _ n: Int, lead c: UInt8) -> Int {
    if c &- 0xC2 <= 0xDF &- 0xC2 {
      guard j &+ 1 < n, p.load(fromByteOffset: j &+ 1, as: UInt8.self) & 0xC0 == 0x80 else { return 0 }
      return 2
    }
    if c & 0xF0 == 0xE0 {
      guard j &+ 2 < n else { return 0 }
      let b1 = p.load(fromByteOffset: j &+ 1, as: UInt8.self)
      let b2 = p.load(fromByteOffset: j &+ 2, as: UInt8.self)
      guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80 else { return 0 }
      if c == 0xE0 && b1 < 0xA0 { return 0 }
      if c == 0xED && b1 >= 0xA0 { return 0 }
      return 3
    }
    if c &- 0xF0 <= 4 {
      guard j &+ 3 < n else { return 0 }
      let b1 = p.load(fromByteOffset: j &+ 1, as: UInt8.self)
      let b2 = p.load(fromByteOffset: j &+ 2, as: UInt8.self)
      let b3 = p.load(fromByteOffset: j &+ 3, as: UInt8.self)
      guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80, b3 & 0xC0 == 0x80 else { return 0 }
      if c == 0xF0 && b1 < 0x90 { return 0 }
      if c == 0xF4 && b1 >= 0x90 { return 0 }
      return 4
    }
    return 0
  }

  /// Validates the characters that start in `p[from..<to]` (those that begin before `to` may end
  /// after it, up to `n`); returns where the last one ends, or -1 when the bytes are not UTF-8.
  @inlinable @inline(__always) static func validate(_ p: UnsafeRawPointer, from: Int, to: Int, _ n: Int) -> Int {
    var j = from
    while j < to {
      let c = p.load(fromByteOffset: j, as: UInt8.self)
      if c < 0x80 {
        j &+= 1
        continue
      }
      let k = sequenceLength(p, j, n, lead: c)
      if k == 0 { return -1 }
      j &+= k
    }
    return j
  }

  /// Checks the 8 bytes of `w` (little-endian lanes) as UTF-8 in a few word operations, given the
  /// lanes `carryIn` (their high bits) that must continue a character begun in the word before.
  /// `ok` is true when every byte is where the structure puts it (each lead byte followed by its
  /// continuation bytes, no others), no lead is C0, C1 or F5-FF, and the second bytes after E0,
  /// ED, F0 and F4 are in their ranges: then `carryOut` holds the lanes of the next word that
  /// must continue a character begun in this one. When false the word needs the byte-wise
  /// `validate` (it is invalid, or a range check needs a byte of the next word).
  @inlinable @inline(__always) static func checkWord(_ w: UInt64, carryIn: UInt64) -> (ok: Bool, carryOut: UInt64) {
    let w1 = w << 1
    let w2 = w << 2
    let w3 = w << 3
    let hi = w & highs
    let cont = hi & ~w1  // 10xxxxxx
    let lead = hi & w1  // 11xxxxxx
    let lead3plus = lead & w2
    let lead2 = lead & ~w2  // 110xxxxx
    let lead4 = lead3plus & w3  // 1111xxxx
    let lead3 = lead3plus & ~w3  // 1110xxxx
    let expected = (lead2 << 8) | (lead3 << 8) | (lead3 << 16) | (lead4 << 8) | (lead4 << 16) | (lead4 << 24) | carryIn
    if expected != cont { return (false, 0) }
    // Leads whose second byte has a narrower range (E0: A0-BF, ED: 80-9F, F0: 90-BF, F4: 80-8F)
    // or that are never valid (C0, C1, F5-FF). The lane masks below may flag extra lanes above a
    // true one (the "has zero byte" borrow): that only sends a valid word to the byte-wise check.
    if lead2 != 0 {
      let x = w & (0x1E &* ones)
      if (x &- ones) & ~x & highs & lead2 != 0 { return (false, 0) }  // C0, C1
    }
    if lead3 | lead4 != 0 {
      let low4 = w & (0x0F &* ones)
      let nibble0 = (low4 &- ones) & highs
      // Bits 5 and 4 of each lane's next byte, at the lane's bit 7 (lane 7's next byte is in the
      // next word: a lead there that needs it goes byte-wise).
      let next = w >> 8
      let next5 = (next << 2) & highs
      var bad: UInt64 = 0
      if lead3 != 0 {
        let d = low4 ^ (0x0D &* ones)
        let nibbleD = (d &- ones) & highs
        let e0 = lead3 & nibble0
        let ed = lead3 & nibbleD
        bad |= (e0 & ~next5) | (ed & next5) | ((e0 | ed) & (0x80 << 56))
      }
      if lead4 != 0 {
        let next54 = next5 | ((next << 3) & highs)
        let f = low4 ^ (0x04 &* ones)
        let nibble4 = (f &- ones) & highs
        let above4 = (low4 &+ (0x7B &* ones)) & highs
        let f0 = lead4 & nibble0
        let f4 = lead4 & nibble4
        bad |= (lead4 & above4) | (f0 & ~next54) | (f4 & next54) | ((f0 | f4) & (0x80 << 56))
      }
      if bad != 0 { return (false, 0) }
    }
    let carryOut = (lead2 >> 56) | (lead3 >> 56) | (lead3 >> 48) | (lead4 >> 56) | (lead4 >> 48) | (lead4 >> 40)
    return (true, carryOut)
  }

  /// True when the `k` bytes at `p[i...]` are continuation bytes (10xxxxxx) within `n`.
  @inlinable @inline(__always) static func continuations(_ p: UnsafeRawPointer, _ i: Int, _ k: Int, _ n: Int) -> Bool {
    if i &+ k > n { return false }
    var t = 0
    while t < k {
      if p.load(fromByteOffset: i &+ t, as: UInt8.self) & 0xC0 != 0x80 { return false }
      t &+= 1
    }
    return true
  }

  /// Strict UTF-8 validation (no overlongs, no surrogates), ASCII skipped 8 bytes at a time.
  @inlinable public static func isValidUTF8(_ b: UnsafeRawBufferPointer) -> Bool {
    guard let p = b.baseAddress else { return true }
    let n = b.count
    if n >= 64, let valid = simdIsValidUTF8(p, count: n) { return valid }
    var i = 0
    var carry: UInt64 = 0
    while i &+ 8 <= n {
      let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
      if w & highs == 0 && carry == 0 {
        i &+= 8
        continue
      }
      let r = checkWord(w, carryIn: carry)
      if r.ok {
        carry = r.carryOut
        i &+= 8
        continue
      }
      // Byte by byte from the first character that starts in this word.
      let k = carry.nonzeroBitCount
      if !continuations(p, i, k, n) { return false }
      carry = 0
      i = validate(p, from: i &+ k, to: i &+ 8, n)
      if i < 0 { return false }
    }
    let k = carry.nonzeroBitCount
    if !continuations(p, i, k, n) { return false }
    return validate(p, from: i &+ k, to: n, n) >= 0
  }

  /// Appends `b` as UTF-8 with each maximal ill-formed subsequence replaced by U+FFFD (Unicode's
  /// recommended practice; the bytes `String(decoding: b, as: UTF8.self)` holds, and Java's
  /// `new String(b, UTF_8)`), without building a String. Valid text is copied in one piece.
  @inlinable public static func appendUTF8Repairing<O: ByteAppender>(_ b: UnsafeRawBufferPointer, into out: inout O) {
    if isValidUTF8(b) {
      out.append(contentsOf: b)
      return
    }
    let p = b.baseAddress!
    let n = b.count
    var i = 0
    while i < n {
      let end = Swift.min(n, i &+ chunk)
      // Each input byte gives at most 3 output bytes (a lone byte becomes U+FFFD).
      out.write(upTo: (end &- i &+ 3) &* 3) { d in
        var o = 0
        while i < end {
          let c = p.load(fromByteOffset: i, as: UInt8.self)
          if c < 0x80 {
            d.storeBytes(of: c, toByteOffset: o, as: UInt8.self)
            o &+= 1
            i &+= 1
            continue
          }
          var need = 0
          var lo: UInt8 = 0x80
          var hi: UInt8 = 0xBF
          switch c {
          case 0xC2...0xDF: need = 1
          case 0xE0:
            need = 2
            lo = 0xA0
          case 0xE1...0xEC, 0xEE, 0xEF: need = 2
          case 0xED:
            need = 2
            hi = 0x9F
          case 0xF0:
            need = 3
            lo = 0x90
          case 0xF1...0xF3: need = 3
          case 0xF4:
            need = 3
            hi = 0x8F
          default: need = -1
          }
          var k = 1
          if need > 0 {
            while k <= need && i &+ k < n {
              let x = p.load(fromByteOffset: i &+ k, as: UInt8.self)
              if x < lo || x > hi { break }
              lo = 0x80
              hi = 0xBF
              k &+= 1
            }
          }
          if need > 0 && k == need &+ 1 {
            (d + o).copyMemory(from: p + i, byteCount: k)
            o &+= k
          } else {
            // U+FFFD for the lead and the continuation bytes that fit it so far.
            d.storeBytes(of: 0xEF, toByteOffset: o, as: UInt8.self)
            d.storeBytes(of: 0xBF, toByteOffset: o &+ 1, as: UInt8.self)
            d.storeBytes(of: 0xBD, toByteOffset: o &+ 2, as: UInt8.self)
            o &+= 3
          }
          i &+= k
        }
        return o
      }
    }
  }
}
