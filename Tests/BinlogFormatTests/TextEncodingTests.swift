import BinlogFormat
import Foundation
import XCTest

/// The word-at-a-time text primitives against plain byte-at-a-time reference implementations, on
/// random inputs (seeded), on every escape class and multi-byte character at every offset around
/// the 8-byte word and 4096-byte chunk boundaries, and on invalid UTF-8.
final class TextEncodingTests: XCTestCase {

  // MARK: - Reference implementations (one byte / one character at a time)

  /// Strict UTF-8 decoding to scalars, nil when invalid (Unicode 3.9, table 3-7).
  static func refScalars(_ b: [UInt8]) -> [UInt32]? {
    var out: [UInt32] = []
    var i = 0
    while i < b.count {
      let c = b[i]
      var need = 0
      var u: UInt32 = 0
      var lo: UInt8 = 0x80
      var hi: UInt8 = 0xBF
      switch c {
      case 0x00...0x7F:
        out.append(UInt32(c))
        i += 1
        continue
      case 0xC2...0xDF:
        need = 1
        u = UInt32(c & 0x1F)
      case 0xE0:
        need = 2
        u = 0
        lo = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF:
        need = 2
        u = UInt32(c & 0x0F)
      case 0xED:
        need = 2
        u = 0xD
        hi = 0x9F
      case 0xF0:
        need = 3
        u = 0
        lo = 0x90
      case 0xF1...0xF3:
        need = 3
        u = UInt32(c & 0x07)
      case 0xF4:
        need = 3
        u = 4
        hi = 0x8F
      default: return nil
      }
      for k in 1...need {
        guard i + k < b.count else { return nil }
        let d = b[i + k]
        if k == 1 {
          guard d >= lo && d <= hi else { return nil }
        } else {
          guard d >= 0x80 && d <= 0xBF else { return nil }
        }
        u = u << 6 | UInt32(d & 0x3F)
      }
      out.append(u)
      i += need + 1
    }
    return out
  }

  static func refUTF8(_ u: UInt32) -> [UInt8] {
    if u < 0x80 { return [UInt8(u)] }
    if u < 0x800 { return [UInt8(0xC0 | u >> 6), UInt8(0x80 | u & 0x3F)] }
    if u < 0x10000 { return [UInt8(0xE0 | u >> 12), UInt8(0x80 | (u >> 6) & 0x3F), UInt8(0x80 | u & 0x3F)] }
    return [UInt8(0xF0 | u >> 18), UInt8(0x80 | (u >> 12) & 0x3F), UInt8(0x80 | (u >> 6) & 0x3F), UInt8(0x80 | u & 0x3F)]
  }

  static func refJSON(_ scalars: [UInt32]) -> [UInt8] {
    var out: [UInt8] = [0x22]
    let hex = Array("0123456789abcdef".utf8)
    for u in scalars {
      switch u {
      case 0x22: out += [0x5C, 0x22]
      case 0x5C: out += [0x5C, 0x5C]
      case 0x0A: out += [0x5C, 0x6E]
      case 0x0D: out += [0x5C, 0x72]
      case 0x09: out += [0x5C, 0x74]
      case 0x08: out += [0x5C, 0x62]
      case 0x0C: out += [0x5C, 0x66]
      case 0..<0x20: out += [0x5C, 0x75, 0x30, 0x30, hex[Int(u >> 4)], hex[Int(u & 15)]]
      default: out += refUTF8(u)
      }
    }
    out.append(0x22)
    return out
  }

  static let cp1252: [UInt32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
    0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
    0x0153, 0x9D, 0x017E, 0x0178,
  ]

  static func refLatin1(_ b: [UInt8], cp1252 isCP1252: Bool) -> [UInt32] {
    b.map { isCP1252 && $0 >= 0x80 && $0 < 0xA0 ? cp1252[Int($0 - 0x80)] : UInt32($0) }
  }

  static func refSQL(_ b: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    for c in b {
      switch c {
      case 0x27: out += [0x5C, 0x27]
      case 0x5C: out += [0x5C, 0x5C]
      case 0x00: out += [0x5C, 0x30]
      case 0x0A: out += [0x5C, 0x6E]
      case 0x0D: out += [0x5C, 0x72]
      case 0x1A: out += [0x5C, 0x5A]
      default: out.append(c)
      }
    }
    return out
  }

  static func refBase64(_ b: [UInt8]) -> [UInt8] {
    let a = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    var i = 0
    while i < b.count {
      let n = min(3, b.count - i)
      let v = UInt32(b[i]) << 16 | (n > 1 ? UInt32(b[i + 1]) << 8 : 0) | (n > 2 ? UInt32(b[i + 2]) : 0)
      out.append(a[Int(v >> 18)])
      out.append(a[Int(v >> 12 & 63)])
      out.append(n > 1 ? a[Int(v >> 6 & 63)] : 0x3D)
      out.append(n > 2 ? a[Int(v & 63)] : 0x3D)
      i += 3
    }
    return out
  }

  // MARK: - Helpers

  /// Runs `body` into an array and into a RawTextBuffer (they reach `write(upTo:)` differently)
  /// behind a prefix, and checks both give the same bytes.
  func both(
    _ body: (inout [UInt8]) -> Bool, _ raw: (inout RawTextBuffer) -> Bool, file: StaticString = #filePath, line: UInt = #line
  )
    -> (ok: Bool, bytes: [UInt8])
  {
    var a: [UInt8] = [0x41, 0x42]
    let okA = body(&a)
    var r = RawTextBuffer(capacity: 64)
    defer { r.deallocate() }
    r.append(0x41)
    r.append(0x42)
    let okR = raw(&r)
    let rb = Array(r.bytes)
    XCTAssertEqual(okA, okR, file: file, line: line)
    XCTAssertEqual(a, rb, file: file, line: line)
    XCTAssertEqual(Array(a.prefix(2)), [0x41, 0x42], file: file, line: line)
    return (okA, Array(a.dropFirst(2)))
  }

  func json(_ b: [UInt8]) -> (ok: Bool, bytes: [UInt8]) {
    b.withUnsafeBytes { p in
      both({ TextEncoding.appendJSONStringIfValidUTF8(p, into: &$0) }, { TextEncoding.appendJSONStringIfValidUTF8(p, into: &$0) })
    }
  }

  func checkJSON(_ b: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
    let got = json(b)
    let ref = Self.refScalars(b)
    XCTAssertEqual(b.withUnsafeBytes { TextEncoding.isValidUTF8($0) }, ref != nil, "\(b)", file: file, line: line)
    if let ref {
      XCTAssertTrue(got.ok, "valid input refused: \(b)", file: file, line: line)
      XCTAssertEqual(got.bytes, Self.refJSON(ref), "input \(b)", file: file, line: line)
      // The escaping-only path on the same (valid) input.
      let esc = b.withUnsafeBytes { p in
        both(
          {
            TextEncoding.appendJSONString(p, into: &$0)
            return true
          },
          {
            TextEncoding.appendJSONString(p, into: &$0)
            return true
          })
      }
      XCTAssertEqual(esc.bytes, Self.refJSON(ref), file: file, line: line)
    } else {
      XCTAssertFalse(got.ok, "invalid input accepted: \(b)", file: file, line: line)
      XCTAssertEqual(got.bytes, [], "output left behind for invalid input", file: file, line: line)
    }
  }

  struct SplitMix {
    var s: UInt64
    mutating func next() -> UInt64 {
      s &+= 0x9E37_79B9_7F4A_7C15
      var z = s
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
  }

  /// Random text: ASCII (with the characters JSON escapes), 2-, 3- and 4-byte characters.
  func randomText(_ r: inout SplitMix, scalars: Int) -> [UInt8] {
    var b: [UInt8] = []
    for _ in 0..<scalars {
      switch r.below(10) {
      case 0..<5: b.append(UInt8(0x20 + r.below(0x5F)))
      case 5: b.append([0x22, 0x5C, 0x0A, 0x09, 0x00, 0x1F, 0x7F, 0x0D, 0x08, 0x0C][r.below(10)])
      case 6: b += Self.refUTF8(UInt32(0x80 + r.below(0x780)))
      case 7, 8:
        var u = UInt32(0x800 + r.below(0xF800))
        if u >= 0xD800 && u < 0xE000 { u = 0x4E2D }
        b += Self.refUTF8(u)
      default: b += Self.refUTF8(UInt32(0x10000 + r.below(0x100000)))
      }
    }
    return b
  }

  // MARK: - Tests

  func testJSONRandomValidTextMatchesReference() {
    var r = SplitMix(s: 15)
    for round in 0..<1500 {
      let n = round < 1400 ? r.below(40) : 1000 + r.below(3000)
      checkJSON(randomText(&r, scalars: n))
    }
  }

  func testJSONRandomBytesMatchReference() {
    var r = SplitMix(s: 16)
    for _ in 0..<3000 {
      let n = r.below(48)
      var b = (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next()) }
      // Bias toward near-valid input: often continuation bytes and lead bytes only.
      if r.below(2) == 0 { b = b.map { $0 >= 0x80 ? 0x80 | ($0 & 0x7F) : $0 } }
      checkJSON(b)
      // Valid text with one byte changed.
      var t = randomText(&r, scalars: 1 + r.below(30))
      t[r.below(t.count)] = UInt8(truncatingIfNeeded: r.next())
      checkJSON(t)
    }
  }

  func testJSONLongTextWithOneBadByte() {
    var r = SplitMix(s: 21)
    for _ in 0..<1500 {
      var t = randomText(&r, scalars: 20 + r.below(300))
      let at = r.below(t.count)
      switch r.below(4) {
      case 0: t[at] = 0x80 | UInt8(r.below(64))  // a stray or misplaced continuation byte
      case 1: t[at] = 0xC0 | UInt8(r.below(64))  // a lead byte where anything was
      case 2: t.insert(0xE6, at: at)  // a truncated 3-byte character
      default: t[at] = UInt8(truncatingIfNeeded: r.next())
      }
      checkJSON(t)
    }
  }

  func testJSONEveryEscapeClassAtEveryWordOffset() {
    for c in UInt8(0)...0x7F {
      for len in [1, 7, 8, 9, 15, 16, 17, 23, 24] {
        for at in 0..<len {
          var b = [UInt8](repeating: 0x61, count: len)
          b[at] = c
          checkJSON(b)
        }
      }
    }
  }

  func testJSONMultibyteCharactersAcrossWordBoundaries() {
    let chars: [[UInt8]] = [
      [0xC3, 0xA9], [0xC2, 0x80], [0xDF, 0xBF], [0xE6, 0x97, 0xA5], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEF, 0xBF, 0xBF],
      [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF3, 0xBF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],
    ]
    for ch in chars {
      for at in 0..<20 {
        for tail in [0, 1, 5, 9] {
          var b = [UInt8](repeating: 0x62, count: at) + ch + [UInt8](repeating: 0x63, count: tail)
          checkJSON(b)
          // With a quote right after the character and a control character before it.
          b = [UInt8](repeating: 0x62, count: at) + ch + [0x22] + [UInt8](repeating: 0x63, count: tail)
          checkJSON(b)
          if at > 0 {
            b = [UInt8](repeating: 0x62, count: at - 1) + [0x01] + ch + [UInt8](repeating: 0x63, count: tail)
            checkJSON(b)
          }
        }
      }
    }
  }

  func testJSONInvalidUTF8AtEveryOffset() {
    let bad: [[UInt8]] = [
      [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
      [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
      [0xFE], [0xFF], [0xC3], [0xE6, 0x97], [0xF0, 0x9F, 0x98], [0xC3, 0x22], [0xE6, 0x97, 0x5C], [0xF0, 0x9F, 0x98, 0x0A],
      [0xC3, 0xC3, 0xA9],
    ]
    for seq in bad {
      for at in 0..<20 {
        for tail in [0, 1, 8] {
          let b = [UInt8](repeating: 0x61, count: at) + seq + [UInt8](repeating: 0x61, count: tail)
          checkJSON(b)
          XCTAssertFalse(json(b).ok, "\(b)")
        }
      }
    }
  }

  // MARK: - The AVX2 blocks (CTextSIMD): texts of 64 bytes and more

  func testSIMDPathIsTakenWhereTheCPUHasAVX2() throws {
    // The tests below check the 32-byte blocks only where the CPU has AVX2 (the CI machine does):
    // the run-time choice must agree with what the kernel says of the CPU.
    let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
    let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
    XCTAssertEqual(TextEncoding.usesAVX2, flags.split(separator: " ").contains("avx2"), String(flags))
  }

  func testAVX512KernelsAreChosenWhereTheCPUHasThem() throws {
    let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
    let line = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
    let flags = Set(line.split(separator: " ").map(String.init))
    let has = ["avx512f", "avx512bw", "avx512vl", "avx512vbmi", "avx512_vbmi2", "bmi2"].allSatisfy(flags.contains)
    XCTAssertEqual(TextEncoding.hasAVX512, has, String(line))
    XCTAssertEqual(TextEncoding.simdLevel, has ? 2 : TextEncoding.usesAVX2 ? 1 : 0)
  }

  /// The kernels below the CPU's best (AVX2 and the SWAR words where AVX-512 runs by default)
  /// through the same reference checks: every block offset, every escape class, characters
  /// across blocks and chunks, invalid bytes, Latin-1 and base64.
  func testEveryLowerKernelMatchesReference() {
    let best = TextEncoding.simdLevel
    defer { TextEncoding.simdLevel = -1 }
    for level in stride(from: best - 1, through: 0, by: -1) {
      TextEncoding.simdLevel = level
      XCTAssertEqual(TextEncoding.simdLevel, level)
      testJSONRandomValidTextMatchesReference()
      testSIMDInvalidUTF8AtEveryBlockOffset()
      testSIMDMultibyteCharactersAcrossBlockBoundaries()
      testSIMDEveryEscapeClassAtEveryBlockOffset()
      testSIMDRandomLongTextMatchesReference()
      testJSONAcrossChunkBoundaries()
      testLatin1MatchesReference()
      testBase64MatchesReference()
    }
  }

  func testSIMDInvalidUTF8AtEveryBlockOffset() {
    let bad: [[UInt8]] = [
      [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
      [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
      [0xFE], [0xFF], [0xC3], [0xE6, 0x97], [0xF0, 0x9F, 0x98], [0xC3, 0x22], [0xE6, 0x97, 0x5C], [0xF0, 0x9F, 0x98, 0x0A],
      [0xC3, 0xC3, 0xA9], [0xE6, 0x61, 0xA5], [0xF0, 0x9F, 0x61, 0x80],
    ]
    for seq in bad {
      for at in 0..<100 {
        for tail in [0, 1, 33, 70] {
          let b = [UInt8](repeating: 0x61, count: at) + seq + [UInt8](repeating: 0x61, count: tail)
          checkJSON(b)
          XCTAssertFalse(json(b).ok, "\(b)")
          // The same inside non-ASCII text (the blocks' lookup path, not the all-ASCII one).
          let wide = Array([UInt8](repeating: 0xC3, count: at).map { _ in [0xC3, 0xA9] as [UInt8] }.joined().prefix(at))
          checkJSON(wide + seq + [UInt8](repeating: 0x61, count: tail))
        }
      }
    }
  }

  func testSIMDMultibyteCharactersAcrossBlockBoundaries() {
    let chars: [[UInt8]] = [
      [0xC3, 0xA9], [0xC2, 0x80], [0xDF, 0xBF], [0xE6, 0x97, 0xA5], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEF, 0xBF, 0xBF],
      [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF3, 0xBF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],
    ]
    for ch in chars {
      for at in 0..<100 {
        for tail in [0, 2, 31, 64, 90] {
          checkJSON([UInt8](repeating: 0x62, count: at) + ch + [UInt8](repeating: 0x63, count: tail))
          // Escapes in the same block as the character, before and after it.
          checkJSON([UInt8](repeating: 0x62, count: at) + [0x0A] + ch + [0x22] + [UInt8](repeating: 0x63, count: tail))
          // A run of the character: every lane of a block starts or continues one.
          checkJSON(Array([[UInt8]](repeating: ch, count: 20 + at % 7).joined()) + [UInt8](repeating: 0x63, count: tail))
        }
      }
    }
  }

  func testSIMDEveryEscapeClassAtEveryBlockOffset() {
    for c in UInt8(0)...0x7F where c < 0x20 || c == 0x22 || c == 0x5C || c == 0x41 {
      for at in 0..<100 {
        for tail in [0, 5, 40, 70] {
          var b = [UInt8](repeating: 0x61, count: at) + [c] + [UInt8](repeating: 0x62, count: tail)
          checkJSON(b)
          // Two in a row, and one more in the same block.
          b = [UInt8](repeating: 0x61, count: at) + [c, c, 0x61, 0x22] + [UInt8](repeating: 0x62, count: tail)
          checkJSON(b)
        }
      }
    }
  }

  func testSIMDRandomLongTextMatchesReference() {
    var r = SplitMix(s: 33)
    for _ in 0..<400 {
      var t = randomText(&r, scalars: 30 + r.below(1500))
      checkJSON(t)
      t[r.below(t.count)] = UInt8(truncatingIfNeeded: r.next())
      checkJSON(t)
    }
  }

  func testJSONAcrossChunkBoundaries() {
    // 4096-byte chunks: characters and escapes straddling them, and invalid bytes just after.
    for at in 4088..<4100 {
      for ch in [[0xE6, 0x97, 0xA5], [0xF0, 0x9F, 0x98, 0x80], [0x22], [0x00]] as [[UInt8]] {
        let b =
          [UInt8](repeating: 0x61, count: at) + ch + [UInt8](repeating: 0xC3, count: 1) + [0xA9]
          + [UInt8](repeating: 0x7A, count: 4200)
        checkJSON(b)
      }
      checkJSON([UInt8](repeating: 0x61, count: at) + [0xE6, 0x97] + [UInt8](repeating: 0x61, count: 9000))
    }
  }

  func testLatin1MatchesReference() {
    var r = SplitMix(s: 17)
    for round in 0..<2000 {
      let n = round < 1900 ? r.below(40) : 4000 + r.below(9000)
      let b = (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next() >> (r.below(2) == 0 ? 1 : 0)) }
      for cp in [true, false] {
        let plain = b.withUnsafeBytes { p in
          both(
            {
              TextEncoding.appendLatin1AsUTF8(p, cp1252: cp, into: &$0)
              return true
            },
            {
              TextEncoding.appendLatin1AsUTF8(p, cp1252: cp, into: &$0)
              return true
            })
        }
        let scalars = Self.refLatin1(b, cp1252: cp)
        XCTAssertEqual(plain.bytes, scalars.flatMap(Self.refUTF8), "\(b)")
        let escaped = b.withUnsafeBytes { p in
          both(
            {
              TextEncoding.appendLatin1AsUTF8(p, cp1252: cp, escaping: .json, into: &$0)
              return true
            },
            {
              TextEncoding.appendLatin1AsUTF8(p, cp1252: cp, escaping: .json, into: &$0)
              return true
            })
        }
        XCTAssertEqual([0x22] + escaped.bytes + [0x22], Self.refJSON(scalars), "\(b)")
        let sql = b.withUnsafeBytes { p in
          both(
            {
              TextEncoding.appendLatin1AsUTF8(p, cp1252: cp, escaping: .sql, into: &$0)
              return true
            },
            {
              TextEncoding.appendLatin1AsUTF8(p, cp1252: cp, escaping: .sql, into: &$0)
              return true
            })
        }
        XCTAssertEqual(sql.bytes, Self.refSQL(scalars.flatMap(Self.refUTF8)), "\(b)")
      }
    }
    // Every byte, at every word offset.
    for c in UInt8(0)...0xFF {
      for at in 0..<10 {
        let b = [UInt8](repeating: 0x41, count: at) + [c] + [UInt8](repeating: 0x42, count: 9)
        var out: [UInt8] = []
        b.withUnsafeBytes { TextEncoding.appendLatin1AsUTF8($0, cp1252: true, into: &out) }
        XCTAssertEqual(out, Self.refLatin1(b, cp1252: true).flatMap(Self.refUTF8))
      }
    }
  }

  func testBase64MatchesReference() {
    var r = SplitMix(s: 18)
    for round in 0..<3000 {
      let n = round < 2600 ? r.below(64) : round < 2900 ? 64 + r.below(400) : 12_000 + r.below(30_000)
      let b = (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next()) }
      let got = b.withUnsafeBytes { p in
        both(
          {
            TextEncoding.appendBase64(p, into: &$0)
            return true
          },
          {
            TextEncoding.appendBase64(p, into: &$0)
            return true
          })
      }
      XCTAssertEqual(got.bytes, Self.refBase64(b), "length \(n)")
      // BINARY(n): zero bytes up to the column width.
      let pad = n + r.below(20)
      let padded = b.withUnsafeBytes { p in
        both(
          {
            TextEncoding.appendBase64(p, padTo: pad, into: &$0)
            return true
          },
          {
            TextEncoding.appendBase64(p, padTo: pad, into: &$0)
            return true
          })
      }
      XCTAssertEqual(padded.bytes, Self.refBase64(b + [UInt8](repeating: 0, count: pad - n)), "length \(n) padded to \(pad)")
    }
    XCTAssertEqual(String(decoding: json64([]), as: UTF8.self), "")
    XCTAssertEqual(String(decoding: json64(Array("Man".utf8)), as: UTF8.self), "TWFu")
    XCTAssertEqual(String(decoding: json64(Array("Ma".utf8)), as: UTF8.self), "TWE=")
    XCTAssertEqual(String(decoding: json64(Array("M".utf8)), as: UTF8.self), "TQ==")
  }

  func json64(_ b: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    b.withUnsafeBytes { TextEncoding.appendBase64($0, into: &out) }
    return out
  }

  func testSQLEscapingMatchesReference() {
    var r = SplitMix(s: 20)
    for round in 0..<2000 {
      let n = round < 1900 ? r.below(40) : 4000 + r.below(9000)
      let b = (0..<n).map { _ in [0x27, 0x5C, 0x00, 0x0A, 0x0D, 0x1A, 0x22, 0x61, 0xE6, 0x7F][r.below(10)] as UInt8 }
      let got = b.withUnsafeBytes { p in
        both(
          {
            TextEncoding.appendSQLEscaped(p, into: &$0)
            return true
          },
          {
            TextEncoding.appendSQLEscaped(p, into: &$0)
            return true
          })
      }
      XCTAssertEqual(got.bytes, Self.refSQL(b), "\(b)")
    }
    for c in UInt8(0)...0xFF {
      // Short texts (the words) and texts of 64 bytes and more (the AVX2 blocks), every offset.
      for (at, tail) in (0..<17).map({ ($0, 8) }) + (0..<100).map({ ($0, 70) }) {
        let b = [UInt8](repeating: 0x41, count: at) + [c] + [UInt8](repeating: 0x42, count: tail)
        var out: [UInt8] = []
        b.withUnsafeBytes { TextEncoding.appendSQLEscaped($0, into: &out) }
        XCTAssertEqual(out, Self.refSQL(b))
      }
    }
  }

  /// U+FFFD repair equals what String(decoding:as:) holds, on bytes from every class boundary.
  func testUTF8RepairingMatchesStringDecoding() {
    var r = SplitMix(s: 22)
    let pool: [UInt8] = [
      0x41, 0x22, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1,
      0xF3, 0xF4, 0xF5, 0xFF,
    ]
    for round in 0..<200_000 {
      let n = round < 199_000 ? 1 + r.below(9) : 4000 + r.below(5000)
      let b: [UInt8] = (0..<n).map { _ in round % 2 == 0 ? pool[r.below(pool.count)] : UInt8(truncatingIfNeeded: r.next()) }
      var out: [UInt8] = []
      b.withUnsafeBytes { TextEncoding.appendUTF8Repairing($0, into: &out) }
      XCTAssertEqual(out, Array(String(decoding: b, as: UTF8.self).utf8), "\(b)")
    }
    var t = randomText(&r, scalars: 3000)
    var out: [UInt8] = []
    t.withUnsafeBytes { TextEncoding.appendUTF8Repairing($0, into: &out) }
    XCTAssertEqual(out, t)
    t[100] = 0xFF
    out = []
    t.withUnsafeBytes { TextEncoding.appendUTF8Repairing($0, into: &out) }
    XCTAssertEqual(out, Array(String(decoding: t, as: UTF8.self).utf8))
  }

  func testHexMatchesReference() {
    var r = SplitMix(s: 19)
    for _ in 0..<200 {
      let b = (0..<r.below(5000)).map { _ in UInt8(truncatingIfNeeded: r.next()) }
      for upper in [true, false] {
        var out: [UInt8] = []
        b.withUnsafeBytes { TextEncoding.appendHex($0, upper: upper, into: &out) }
        let ref = b.map { String(format: upper ? "%02X" : "%02x", $0) }.joined()
        XCTAssertEqual(String(decoding: out, as: UTF8.self), ref)
      }
    }
  }
}
