// JSON strings: UTF-8 validation fused with escaping (TextEncoding's SWAR word tests, and AVX2
// blocks from CTextSIMD where the CPU has it).
import CTextSIMD

extension TextEncoding {
  /// `CTextSIMD`'s fused validation and escaping of the characters starting in `p[from..<to]`
  /// (of `n` bytes), 64 (AVX-512) or 32 (AVX2) bytes at a time: where it stopped (`from` when it
  /// did nothing, -1 when the bytes are not UTF-8) and the bytes written.
  @usableFromInline static func simdEscapeValidating(
    _ p: UnsafeRawPointer, from: Int, to end: Int, _ n: Int, into d: UnsafeMutableRawPointer
  ) -> (next: Int, written: Int) {
    var next = 0
    let w = sluice_json_escape_validate(
      p.assumingMemoryBound(to: UInt8.self), from, end, n, d.assumingMemoryBound(to: UInt8.self), &next)
    return (next, w)
  }

  /// `CTextSIMD`'s escaping (no validation) of whole 32-byte blocks of `p[0..<count]`.
  @usableFromInline static func simdEscape(_ p: UnsafeRawPointer, count: Int, into d: UnsafeMutableRawPointer)
    -> (consumed: Int, written: Int)
  {
    var consumed = 0
    let w = sluice_json_escape(p.assumingMemoryBound(to: UInt8.self), count, d.assumingMemoryBound(to: UInt8.self), &consumed)
    return (consumed, w)
  }

  /// Whether the JSON escaping and UTF-8 validation of long texts run 32 bytes at a time (AVX2).
  public static let usesAVX2: Bool = sluice_text_has_avx2() != 0

  /// The SIMD kernels the text primitives run: 2 AVX-512 (F, BW, VL, VBMI, VBMI2), 1 AVX2, 0 none;
  /// the best the CPU has unless lowered. Tests lower it to check each kernel against the
  /// references; setting -1 restores the best.
  public static var simdLevel: Int {
    get { Int(sluice_text_level()) }
    set { _ = sluice_text_set_level(Int32(newValue)) }
  }

  /// Whether the CPU has the AVX-512 kernels (`simdLevel` 2).
  public static let hasAVX512: Bool = sluice_text_has_avx512() != 0

  /// `CTextSIMD`'s validation: true or false, nil without AVX2.
  @usableFromInline static func simdIsValidUTF8(_ p: UnsafeRawPointer, count: Int) -> Bool? {
    let r = sluice_utf8_valid(p.assumingMemoryBound(to: UInt8.self), count)
    return r < 0 ? nil : r == 1
  }

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
    let valid = appendChunks(of: n, slack: simdSlack, removingFrom: start, into: &out) {
      escapeValidating(p, from: $0, to: $1, n, into: $2)
    }
    guard valid else { return false }
    out.append(0x22)
    return true
  }

  /// Feeds `n` input bytes to `step` a `chunk` at a time: `step(from, to, d)` writes the
  /// characters starting in `from..<to` (the last may run up to 3 bytes past `to`) at `d`, with
  /// room for 6 bytes per input byte plus `slack`, and returns where it stopped and the bytes
  /// written, or a negative `next` at input it refuses. Then everything appended since `start`
  /// is taken back and the result is false.
  @inlinable @inline(__always) static func appendChunks<O: ByteAppender>(
    of n: Int, slack: Int, removingFrom start: Int, into out: inout O,
    _ step: (Int, Int, UnsafeMutableRawPointer) -> (next: Int, written: Int)
  ) -> Bool {
    var i = 0
    while i < n {
      let end = Swift.min(n, i &+ chunk)
      var failed = false
      out.write(upTo: (end &- i &+ 3) &* 6 &+ slack) { d in
        let r = step(i, end, d)
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

  /// Room the SIMD kernels write past the bytes they return (whole 64-byte stores).
  @usableFromInline static let simdSlack = 128

  /// JSON-escapes and validates the characters starting in `p[from..<to]` into `d` (room for
  /// `6 * (to - from + 3) + simdSlack` bytes); returns where the input stopped (a character
  /// boundary at or past `to`) and how many bytes were written, or `next = -1` when the input is
  /// not UTF-8.
  @inlinable static func escapeValidating(
    _ p: UnsafeRawPointer, from: Int, to end: Int, _ n: Int, into d: UnsafeMutableRawPointer
  ) -> (next: Int, written: Int) {
    var i = from
    var o = 0
    if end &- from >= 32 {
      // 64 (AVX-512) or 32 (AVX2, texts of 64 bytes and more) bytes at a time with `CTextSIMD`;
      // it stops at a character boundary within 35 bytes of `end` (3 with AVX-512), and the
      // words below finish. (Shorter texts stay with the words: the call and the kernel's
      // set-up cost more than they save.)
      let r = simdEscapeValidating(p, from: from, to: end, n, into: d)
      if r.next < 0 { return (-1, 0) }
      i = r.next
      o = r.written
    }
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
    if end &- from >= 64 {
      let r = simdEscape(p + from, count: end &- from, into: d)
      i &+= r.consumed
      o = r.written
    }
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
}
