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

  // MARK: - JSON strings

  /// Room `appendJSONString*` needs per input byte in the worst case (`\u00XX`).
  @usableFromInline static let chunk = 4096

  /// Appends `b` as a JSON string literal (quotes included, RFC 8259 escapes: `\"`, `\\`, `\n`,
  /// `\r`, `\t`, `\b`, `\f`, other controls as `\u00XX`) when it is valid UTF-8, and returns true;
  /// otherwise appends nothing and returns false. One pass: words without anything to escape are
  /// copied whole, and their non-ASCII characters validated while the word is in a register.
  @inlinable public static func appendJSONStringIfValidUTF8<O: ByteAppender>(_ b: UnsafeRawBufferPointer, into out: inout O)
    -> Bool
  {
    let start = out.count
    out.append(0x22)
    guard let p = b.baseAddress else {
      out.append(0x22)
      return true
    }
    let n = b.count
    var i = 0
    while i < n {
      let end = Swift.min(n, i &+ chunk)
      var failed = false
      // A character starting before `end` may run 3 bytes past it: room for them too.
      out.write(upTo: (end &- i &+ 3) &* 6 &+ 8) { d in
        let r = escapeValidating(p, from: i, to: end, n, into: d)
        if r.next < 0 {
          failed = true
          return 0
        }
        i = r.next
        return r.written
      }
      if failed {
        out.removeLast(out.count &- start)
        return false
      }
    }
    out.append(0x22)
    return true
  }

  /// Appends bytes known to be valid UTF-8 as a JSON string literal.
  @inlinable public static func appendJSONString<O: ByteAppender>(_ b: UnsafeRawBufferPointer, into out: inout O) {
    out.append(0x22)
    appendJSONEscaped(b, into: &out)
    out.append(0x22)
  }

  /// Appends bytes known to be valid UTF-8, escaped as inside a JSON string (no quotes).
  @inlinable public static func appendJSONEscaped<O: ByteAppender>(_ b: UnsafeRawBufferPointer, into out: inout O) {
    guard let p = b.baseAddress else { return }
    let n = b.count
    var i = 0
    while i < n {
      let end = Swift.min(n, i &+ chunk)
      out.write(upTo: (end &- i) &* 6 &+ 8) { d in
        let w = escape(p, from: i, to: end, into: d)
        i = end
        return w
      }
    }
  }

  /// JSON-escapes and validates the characters starting in `p[from..<to]` into `d` (room for
  /// `6 * (to - from + 3) + 8` bytes); returns where the input stopped (a character boundary at
  /// or past `to`) and how many bytes were written, or `next = -1` when the input is not UTF-8.
  @inlinable static func escapeValidating(
    _ p: UnsafeRawPointer, from: Int, to end: Int, _ n: Int, into d: UnsafeMutableRawPointer
  ) -> (next: Int, written: Int) {
    var i = from
    var o = 0
    // Lanes of the word at `i` that continue a character begun in the word before.
    var carry: UInt64 = 0
    while i < end {
      if i &+ 8 <= n {
        let raw = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let w = UInt64(littleEndian: raw)
        let esc = jsonEscapeMask(w)
        // Copy the word (its bytes up to the first one to escape are final; the rest is
        // rewritten below).
        (d + o).storeBytes(of: raw, as: UInt64.self)
        if esc == 0 {
          if w & highs == 0 && carry == 0 {
            i &+= 8
            o &+= 8
            continue
          }
          let r = checkWord(w, carryIn: carry)
          if r.ok {
            carry = r.carryOut
            i &+= 8
            o &+= 8
            continue
          }
          // Byte by byte from the first character that starts in the word; the last one may
          // run past it.
          let k = carry.nonzeroBitCount
          if !continuations(p, i, k, n) { return (-1, 0) }
          carry = 0
          let j = validate(p, from: i &+ k, to: i &+ 8, n)
          if j < 0 { return (-1, 0) }
          var t = i &+ 8
          while t < j {
            (d + (o &+ t &- i)).storeBytes(of: p.load(fromByteOffset: t, as: UInt8.self), as: UInt8.self)
            t &+= 1
          }
          o &+= j &- i
          i = j
          continue
        }
        // The bytes before the one to escape: an escaped byte is ASCII and ends any character,
        // so they hold whole characters (else the text is not UTF-8).
        let clean = esc.trailingZeroBitCount >> 3
        let k = carry.nonzeroBitCount
        if w & highs != 0 || carry != 0 {
          // The prefix as a word of its own (the rest made spaces): whole characters only.
          let keep: UInt64 = clean == 0 ? 0 : ~0 >> (64 &- 8 &* UInt64(clean))
          let r = checkWord((w & keep) | (0x2020_2020_2020_2020 & ~keep), carryIn: carry)
          if !(r.ok && r.carryOut == 0) {
            if k > clean || !continuations(p, i, k, n) { return (-1, 0) }
            if validate(p, from: i &+ k, to: i &+ clean, n) != i &+ clean { return (-1, 0) }
          }
        }
        carry = 0
        o &+= clean
        i &+= clean
        o &+= writeEscapedASCII(p.load(fromByteOffset: i, as: UInt8.self), to: d + o)
        i &+= 1
        continue
      }
      if carry != 0 {
        let k = carry.nonzeroBitCount
        if !continuations(p, i, k, n) { return (-1, 0) }
        (d + o).copyMemory(from: p + i, byteCount: k)
        o &+= k
        i &+= k
        carry = 0
        continue
      }
      // The last bytes, one character at a time.
      let c = p.load(fromByteOffset: i, as: UInt8.self)
      if c < 0x80 {
        o &+= writeEscapedASCII(c, to: d + o)
        i &+= 1
      } else {
        let k = sequenceLength(p, i, n, lead: c)
        if k == 0 { return (-1, 0) }
        (d + o).copyMemory(from: p + i, byteCount: k)
        o &+= k
        i &+= k
      }
    }
    if carry != 0 {
      // The characters of the last word end in the next chunk: finish them here.
      let k = carry.nonzeroBitCount
      if !continuations(p, i, k, n) { return (-1, 0) }
      (d + o).copyMemory(from: p + i, byteCount: k)
      o &+= k
      i &+= k
    }
    return (i, o)
  }

  /// `escapeValidating` without the validation (the input is known to be UTF-8, or Latin-1
  /// bytes below 0x80): stops exactly at `to`.
  @inlinable static func escape(_ p: UnsafeRawPointer, from: Int, to end: Int, into d: UnsafeMutableRawPointer) -> Int {
    var i = from
    var o = 0
    while i &+ 8 <= end {
      let raw = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      let esc = jsonEscapeMask(UInt64(littleEndian: raw))
      (d + o).storeBytes(of: raw, as: UInt64.self)
      if esc == 0 {
        i &+= 8
        o &+= 8
        continue
      }
      let clean = esc.trailingZeroBitCount >> 3
      o &+= clean
      i &+= clean
      o &+= writeEscapedASCII(p.load(fromByteOffset: i, as: UInt8.self), to: d + o)
      i &+= 1
    }
    while i < end {
      o &+= writeEscapedASCII(p.load(fromByteOffset: i, as: UInt8.self), to: d + o)
      i &+= 1
    }
    return o
  }

  /// Writes byte `c` as it appears inside a JSON string (1, 2 or 6 bytes) and returns how many.
  /// Bytes >= 0x80 are written as they are.
  @inlinable @inline(__always) public static func writeEscapedASCII(_ c: UInt8, to p: UnsafeMutableRawPointer) -> Int {
    if c >= 0x20 && c != 0x22 && c != 0x5C {
      p.storeBytes(of: c, as: UInt8.self)
      return 1
    }
    let short: UInt8
    switch c {
    case 0x22: short = 0x22
    case 0x5C: short = 0x5C
    case 0x0A: short = 0x6E
    case 0x0D: short = 0x72
    case 0x09: short = 0x74
    case 0x08: short = 0x62
    case 0x0C: short = 0x66
    default: short = 0
    }
    p.storeBytes(of: 0x5C, as: UInt8.self)
    if short != 0 {
      p.storeBytes(of: short, toByteOffset: 1, as: UInt8.self)
      return 2
    }
    // \u00XX, lower-case hex.
    let hi = c >> 4
    let lo = c & 15
    p.storeBytes(of: 0x75, toByteOffset: 1, as: UInt8.self)
    p.storeBytes(of: 0x30, toByteOffset: 2, as: UInt8.self)
    p.storeBytes(of: 0x30, toByteOffset: 3, as: UInt8.self)
    p.storeBytes(of: 0x30 &+ hi, toByteOffset: 4, as: UInt8.self)
    p.storeBytes(of: lo < 10 ? 0x30 &+ lo : 0x57 &+ lo, toByteOffset: 5, as: UInt8.self)
    return 6
  }

  // MARK: - Latin-1

  /// UTF-8 of the bytes 0x80...0xFF in MySQL's latin1 (cp1252: 0x80...0x9F are the Windows
  /// characters, the 5 bytes it leaves undefined the C1 controls): the bytes in the low lanes,
  /// the length in the top byte.
  @usableFromInline static let cp1252UTF8: [UInt32] = latin1Table(cp1252: true)
  /// The same for ISO-8859-1 (every byte its own code point; Java's `ISO_8859_1`).
  @usableFromInline static let iso8859UTF8: [UInt32] = latin1Table(cp1252: false)

  static func latin1Table(cp1252: Bool) -> [UInt32] {
    let high: [UInt32] = [
      0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
      0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
      0x0153, 0x9D, 0x017E, 0x0178,
    ]
    return (0x80...0xFF).map { (b: Int) -> UInt32 in
      let u = cp1252 && b < 0xA0 ? high[b - 0x80] : UInt32(b)
      if u < 0x800 {
        return 2 << 24 | (0x80 | (u & 0x3F)) << 8 | (0xC0 | (u >> 6))
      }
      return 3 << 24 | (0x80 | (u & 0x3F)) << 16 | (0x80 | ((u >> 6) & 0x3F)) << 8 | (0xE0 | (u >> 12))
    }
  }

  /// How ASCII bytes are written inside a quoted literal.
  public enum Escaping: Sendable {
    case none
    /// As inside a JSON string (`writeEscapedASCII`).
    case json
    /// As inside a MySQL string literal (`writeSQLEscapedASCII`).
    case sql
  }

  /// Appends Latin-1 bytes as UTF-8: MySQL's latin1 (cp1252) when `cp1252`, else ISO-8859-1.
  /// ASCII words are copied whole; `escaping` escapes the text as inside a JSON or SQL string.
  @inlinable public static func appendLatin1AsUTF8<O: ByteAppender>(
    _ b: UnsafeRawBufferPointer, cp1252: Bool, escaping: Escaping = .none, into out: inout O
  ) {
    guard let p = b.baseAddress else { return }
    let n = b.count
    let table = cp1252 ? cp1252UTF8 : iso8859UTF8
    table.withUnsafeBufferPointer { t in
      var i = 0
      while i < n {
        let end = Swift.min(n, i &+ chunk)
        out.write(upTo: (end &- i) &* 6 &+ 8) { d in
          let w = latin1Chunk(p, from: i, to: end, table: t.baseAddress!, escaping: escaping, into: d)
          i = end
          return w
        }
      }
    }
  }

  @inlinable static func latin1Chunk(
    _ p: UnsafeRawPointer, from: Int, to end: Int, table: UnsafePointer<UInt32>, escaping: Escaping,
    into d: UnsafeMutableRawPointer
  ) -> Int {
    var i = from
    var o = 0
    while i < end {
      if i &+ 8 <= end {
        let raw = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let w = UInt64(littleEndian: raw)
        let esc: UInt64
        switch escaping {
        case .none: esc = 0
        case .json: esc = jsonEscapeMask(w)
        case .sql: esc = sqlEscapeMask(w)
        }
        let stop = (w & highs) | esc
        (d + o).storeBytes(of: raw, as: UInt64.self)
        if stop == 0 {
          i &+= 8
          o &+= 8
          continue
        }
        let clean = stop.trailingZeroBitCount >> 3
        i &+= clean
        o &+= clean
      }
      let c = p.load(fromByteOffset: i, as: UInt8.self)
      if c >= 0x80 {
        let u = table[Int(c &- 0x80)]
        (d + o).storeBytes(of: UInt32(littleEndian: u), as: UInt32.self)
        o &+= Int(u >> 24)
      } else if escaping == .json {
        o &+= writeEscapedASCII(c, to: d + o)
      } else if escaping == .sql {
        o &+= writeSQLEscapedASCII(c, to: d + o)
      } else {
        (d + o).storeBytes(of: c, as: UInt8.self)
        o &+= 1
      }
      i &+= 1
    }
    return o
  }

  // MARK: - SQL string literals

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

  // MARK: - Base64 and hex

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
