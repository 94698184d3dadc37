import XCTest

@testable import BinlogFormat

/// `TextEncoding.appendTranscoded` (latin1 and the server's legacy charset tables to UTF-8, with
/// JSON or SQL escaping; ASCII runs 32 bytes at a time with AVX2) against a character-at-a-time
/// reference over the same tables: every escape class, multi-byte character and invalid sequence
/// at every offset around the 32-byte blocks, random texts, the AVX2 and the scalar paths, into an
/// array and into a `RawTextBuffer` (which must keep what it held before a refused value).
final class TableTranscodeTests: XCTestCase {
  typealias Ref = TextEncodingTests

  /// The table's scalars of `b`, nil at a byte sequence it has no character for.
  static func refDecode(_ rows: [UInt16], _ b: [UInt8]) -> [UInt32]? {
    var out: [UInt32] = []
    var i = 0
    while i < b.count {
      var e = rows[Int(b[i])]
      i += 1
      while e >= 0xD800 && e < 0xE000 {
        guard i < b.count else { return nil }
        e = rows[Int(e - 0xD800) << 8 | Int(b[i])]
        i += 1
      }
      if e == 0xFFFF { return nil }
      out.append(UInt32(e))
    }
    return out
  }

  struct Table {
    let name: String
    let rows: [UInt16]
    let ascii: Bool
    /// Valid characters of more than one byte, and single high bytes that are characters.
    let multi: [[UInt8]]
    /// Byte sequences without a character.
    let bad: [[UInt8]]
  }

  static func table(_ name: String, rows: [UInt16], ascii: Bool) -> Table {
    var multi: [[UInt8]] = []
    var bad: [[UInt8]] = []
    for b in 0x80...0xFF {
      let e = rows[b]
      if e == 0xFFFF {
        bad.append([UInt8(b)])
      } else if e >= 0xD800 && e < 0xE000 {
        bad.append([UInt8(b)])  // a lead byte alone (at the end of the value)
        for t in 0...0xFF {
          let f = rows[Int(e - 0xD800) << 8 | t]
          if f == 0xFFFF {
            if bad.count < 40 { bad.append([UInt8(b), UInt8(t)]) }
          } else if f < 0xD800 || f >= 0xE000 {
            // Trail bytes that are also ASCII escapes (sjis 0x5C) are kept whenever seen.
            if multi.count < 200 || t == 0x5C || t == 0x22 || t == 0x27 { multi.append([UInt8(b), UInt8(t)]) }
          }
        }
      } else {
        multi.append([UInt8(b)])
      }
    }
    // swe7 is 7-bit: no character above 0x7F; its letters stand in (0x5B is Ä).
    if multi.isEmpty { multi = [[0x5B], [0x40], [0x7D]] }
    return Table(name: name, rows: rows, ascii: ascii, multi: multi, bad: bad)
  }

  static let tables: [Table] = {
    var t = [
      table("latin1-cp1252", rows: TextEncoding.cp1252Rows, ascii: true),
      table("iso8859-1", rows: TextEncoding.iso8859Rows, ascii: true),
    ]
    for name in ["sjis", "gbk", "big5", "ujis", "cp1250", "koi8r", "swe7"] {
      let c = CharsetTable.named(name)!
      t.append(table(name, rows: c.rows, ascii: c.asciiIdentity))
    }
    return t
  }()

  /// Transcodes `b` with every escaping on both paths into both buffers and compares each with
  /// the reference.
  func check(_ t: Table, _ b: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
    let ref = Self.refDecode(t.rows, b)
    for escaping in [TextEncoding.Escaping.none, .json, .sql] {
      let expected: [UInt8]? = ref.map { s in
        switch escaping {
        case .none: return s.flatMap(Ref.refUTF8)
        case .json: return Array(Ref.refJSON(s).dropFirst().dropLast())
        case .sql: return Ref.refSQL(s.flatMap(Ref.refUTF8))
        }
      }
      for scalar in [false, true] {
        let got = t.rows.withUnsafeBufferPointer { r in
          b.withUnsafeBytes { p in
            both(
              {
                TextEncoding.appendTranscoded(
                  p, rows: r.baseAddress!, asciiIdentity: t.ascii, escaping: escaping, scalar: scalar, into: &$0)
              },
              {
                TextEncoding.appendTranscoded(
                  p, rows: r.baseAddress!, asciiIdentity: t.ascii, escaping: escaping, scalar: scalar, into: &$0)
              }, file: file, line: line)
          }
        }
        if let expected {
          XCTAssertTrue(got.ok, "\(t.name) \(escaping) scalar \(scalar): valid input refused: \(b)", file: file, line: line)
          XCTAssertEqual(got.bytes, expected, "\(t.name) \(escaping) scalar \(scalar): input \(b)", file: file, line: line)
        } else {
          XCTAssertFalse(got.ok, "\(t.name) \(escaping) scalar \(scalar): invalid input accepted: \(b)", file: file, line: line)
          XCTAssertEqual(got.bytes, [], "\(t.name): a refused value left bytes", file: file, line: line)
        }
      }
    }
  }

  /// `body` into an array and `raw` into a `RawTextBuffer`, both holding two bytes before: the
  /// two must agree and keep those bytes; returns what was appended.
  func both(
    _ body: (inout [UInt8]) -> Bool, _ raw: (inout RawTextBuffer) -> Bool, file: StaticString = #filePath, line: UInt = #line
  ) -> (ok: Bool, bytes: [UInt8]) {
    var a: [UInt8] = [0x41, 0x42]
    let okA = body(&a)
    var r = RawTextBuffer(capacity: 64)
    defer { r.deallocate() }
    r.append(0x41)
    r.append(0x42)
    let okR = raw(&r)
    XCTAssertEqual(okA, okR, file: file, line: line)
    XCTAssertEqual(a, Array(r.bytes), file: file, line: line)
    XCTAssertEqual(Array(a.prefix(2)), [0x41, 0x42], file: file, line: line)
    return (okA, Array(a.dropFirst(2)))
  }

  func testTablesSeenAsASCIICompatible() {
    XCTAssertTrue(CharsetTable.named("sjis")!.asciiIdentity)
    XCTAssertTrue(CharsetTable.named("gbk")!.asciiIdentity)
    XCTAssertFalse(CharsetTable.named("swe7")!.asciiIdentity)  // 0x40 is É, 0x5B Ä, ...
  }

  func testEveryEscapeClassAtEveryBlockOffset() {
    let specials: [UInt8] = Array(0x00...0x1F) + [0x22, 0x27, 0x5C, 0x7F, 0x41]
    for t in Self.tables where t.name != "iso8859-1" {
      for c in specials {
        for at in 0..<70 {
          for tail in [0, 1, 33, 70] {
            let pad = [UInt8](repeating: 0x61, count: at)
            check(t, pad + [c] + [UInt8](repeating: 0x62, count: tail))
            // Next to a character of the charset, in the same block.
            let m = t.multi[(at * 7 + Int(c)) % t.multi.count]
            check(t, pad + m + [c, c] + m + [UInt8](repeating: 0x62, count: tail))
          }
        }
      }
    }
  }

  func testCharactersAndInvalidSequencesAtEveryBlockOffset() {
    for t in Self.tables {
      let picks =
        stride(from: 0, to: t.multi.count, by: Swift.max(1, t.multi.count / 12)).map { t.multi[$0] }
        + t.multi.filter { $0.count == 2 && ($0[1] == 0x5C || $0[1] == 0x22) }.prefix(4)
      for seq in picks + t.bad.prefix(12) {
        for at in 0..<70 {
          for tail in [0, 2, 31, 64] {
            check(t, [UInt8](repeating: 0x61, count: at) + seq + [UInt8](repeating: 0x63, count: tail))
            // A run of it: every lane of a block starts or continues one.
            check(t, Array([[UInt8]](repeating: seq, count: 20 + at % 7).joined()) + [UInt8](repeating: 0x63, count: tail))
          }
        }
      }
    }
  }

  func testRandomTextsMatchReference() {
    var r = TextEncodingTests.SplitMix(s: 51)
    for t in Self.tables {
      for round in 0..<300 {
        var b: [UInt8] = []
        let n = round < 250 ? r.below(400) : 5000 + r.below(9000)  // past the 4096-byte chunks
        let density = r.below(5)
        while b.count < n {
          let k = r.below(100)
          if k < density * 8 {
            b += t.multi[r.below(t.multi.count)]
          } else if k < density * 8 + 3 {
            b.append([0x22, 0x5C, 0x0A, 0x00, 0x27, 0x1A, 0x09, 0x01][r.below(8)])
          } else {
            b.append(UInt8(0x20 + r.below(0x5F)))
          }
        }
        check(t, b)
        if !b.isEmpty && !t.bad.isEmpty && round % 3 == 0 {
          b[r.below(b.count)] = t.bad[r.below(t.bad.count)].first!
          check(t, b)
        }
      }
    }
  }

  /// `appendLatin1AsUTF8` (8-byte groups expanded with shuffles, groups with a byte to escape or
  /// a cp1252 byte 0x80...0x9F byte by byte) on both paths against the reference.
  func checkLatin1(_ b: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
    for cp in [true, false] {
      let scalars = Ref.refLatin1(b, cp1252: cp)
      for escaping in [TextEncoding.Escaping.none, .json, .sql] {
        let expected: [UInt8]
        switch escaping {
        case .none: expected = scalars.flatMap(Ref.refUTF8)
        case .json: expected = Array(Ref.refJSON(scalars).dropFirst().dropLast())
        case .sql: expected = Ref.refSQL(scalars.flatMap(Ref.refUTF8))
        }
        for scalar in [false, true] {
          let got = b.withUnsafeBytes { p in
            both(
              {
                TextEncoding.appendLatin1AsUTF8(p, cp1252: cp, escaping: escaping, scalar: scalar, into: &$0)
                return true
              },
              {
                TextEncoding.appendLatin1AsUTF8(p, cp1252: cp, escaping: escaping, scalar: scalar, into: &$0)
                return true
              }, file: file, line: line)
          }
          XCTAssertEqual(got.bytes, expected, "cp1252 \(cp) \(escaping) scalar \(scalar): input \(b)", file: file, line: line)
        }
      }
    }
  }

  func testLatin1EveryByteAtEveryGroupOffset() {
    for c in UInt8(0)...0xFF {
      for at in 0..<20 {
        for tail in [0, 1, 7, 9, 20] {
          checkLatin1([UInt8](repeating: 0x61, count: at) + [c] + [UInt8](repeating: 0xE9, count: tail))
          checkLatin1([UInt8](repeating: 0xFC, count: at) + [c, 0x41] + [UInt8](repeating: 0x62, count: tail))
        }
      }
    }
  }

  func testLatin1RandomBytesMatchReference() {
    var r = TextEncodingTests.SplitMix(s: 52)
    for round in 0..<600 {
      let n = round < 500 ? r.below(100) : 4000 + r.below(9000)
      let kind = r.below(3)
      let b = (0..<n).map { _ -> UInt8 in
        switch kind {
        case 0: return UInt8(truncatingIfNeeded: r.next())  // a BLOB read as latin1
        case 1: return r.below(6) == 0 ? UInt8(0xA0 + r.below(0x60)) : UInt8(0x20 + r.below(0x5F))  // text
        default:
          return r.below(10) == 0 ? [0x22, 0x5C, 0x0A, 0x00, 0x27, 0x1A, 0x80, 0x9F][r.below(8)] : UInt8(0x20 + r.below(0xE0))
        }
      }
      checkLatin1(b)
    }
  }

  func testCharsetTableAppendUTF8EscapesStraightIntoTheOutput() {
    // sjis 0x815F is U+005C: escaped as a backslash in JSON and SQL; 0x955C's trail is not.
    let sjis = CharsetTable.named("sjis")!
    let b: [UInt8] = Array(repeating: 0x41, count: 40) + [0xCA, 0xDF, 0x95, 0x5C, 0x81, 0x5F, 0x22, 0x27]
    var json: [UInt8] = []
    var sql: [UInt8] = []
    XCTAssertTrue(b.withUnsafeBytes { sjis.appendUTF8($0, escaping: .json, into: &json) })
    XCTAssertTrue(b.withUnsafeBytes { sjis.appendUTF8($0, escaping: .sql, into: &sql) })
    let a = String(repeating: "A", count: 40)
    XCTAssertEqual(String(decoding: json, as: UTF8.self), a + "ﾊﾟ表\\\\\\\"'")
    XCTAssertEqual(String(decoding: sql, as: UTF8.self), a + "ﾊﾟ表\\\\\"\\'")
  }
}
