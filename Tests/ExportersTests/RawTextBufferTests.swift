import BinlogFormat
import BinlogIO
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// The raw text buffer of the NDJSON hot path writes exactly what the array path writes, and
/// the sink keeps bytes from both buffers in the order they were written.
final class RawTextBufferTests: XCTestCase {
  /// `body`'s output into an array and into a raw buffer (started small, so it must grow).
  func both(_ body: (inout [UInt8]) -> Void, _ raw: (inout RawTextBuffer) -> Void) -> ([UInt8], [UInt8]) {
    var a: [UInt8] = Array("prefix:".utf8)
    body(&a)
    var r = RawTextBuffer(capacity: 8)
    defer { r.deallocate() }
    for b in "prefix:".utf8 { r.append(b) }
    raw(&r)
    return (a, Array(r.bytes))
  }

  static let samples: [[UInt8]] = {
    var s: [[UInt8]] = [
      [], Array("a".utf8), Array("exactly 16 bytes".utf8), Array("Zoë 田中 🎉 Блокнот".utf8),
      Array("{\"lang\":\"fr\",\"newsletter\":false}".utf8), Array("tab\there\nnew\\line\r\u{8}\u{C}".utf8),
      [0x00, 0x01, 0x1F, 0x7F, 0x41], Array("fragile — handle with care".utf8),
    ]
    // An escape at every position of a 20-byte string (word and tail paths).
    for i in 0..<20 {
      var b = Array(repeating: UInt8(ascii: "x"), count: 20)
      b[i] = 0x22
      s.append(b)
      b[i] = 0x05
      s.append(b)
    }
    // Not UTF-8: lone continuation, truncated sequence, overlong, surrogate, 0xFF.
    s += [[0x80], [0x41, 0xE6, 0x97], [0xC0, 0x80], [0xED, 0xA0, 0x80], Array("ok so far".utf8) + [0xFF]]
    // Longer than the direct-write limit, with escapes and non-ASCII text.
    s.append(Array(String(repeating: "line \"quoted\" \\ é\n", count: 1200).utf8))
    s.append(Array(String(repeating: "a", count: 40_000).utf8) + [0xFF])
    return s
  }()

  func testStringsAreTheSameInArraysAndRawBuffers() throws {
    for sample in Self.samples {
      try sample.withUnsafeBytes { b in
        var okArray = false
        var okRaw = false
        let (a, r) = both(
          { okArray = JSONWriter.appendStringIfValidUTF8(b, into: &$0) },
          { okRaw = JSONWriter.appendStringIfValidUTF8(b, into: &$0) })
        XCTAssertEqual(a, r, "sample \(sample.prefix(40))")
        XCTAssertEqual(okArray, okRaw)
        let valid = String(validating: sample, as: UTF8.self) != nil
        XCTAssertEqual(okArray, valid, "sample \(sample.prefix(40))")
        if valid {
          // The JSON string literal decodes back to the text.
          let literal = Data(a.dropFirst("prefix:".utf8.count))
          let decoded = try JSONSerialization.jsonObject(with: literal, options: [.fragmentsAllowed]) as? String
          XCTAssertEqual(decoded, String(decoding: sample, as: UTF8.self))
          let (a2, r2) = both({ JSONWriter.appendStringBytes(b, into: &$0) }, { JSONWriter.appendStringBytes(b, into: &$0) })
          XCTAssertEqual(a2, r2)
          XCTAssertEqual(a2, a)
        } else {
          XCTAssertEqual(a, Array("prefix:".utf8), "invalid text appends nothing")
        }
      }
    }
  }

  func testBase64MatchesFoundationWithZeroPadding() {
    for n in 0..<70 {
      let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
      for padTo in [0, n, n + 1, n + 2, n + 50] {
        let expected = (Data(bytes) + Data(repeating: 0, count: max(0, padTo - n))).base64EncodedString()
        bytes.withUnsafeBytes { b in
          let (a, r) = both(
            { JSONWriter.appendBase64(b, padTo: padTo, into: &$0) }, { JSONWriter.appendBase64(b, padTo: padTo, into: &$0) })
          XCTAssertEqual(String(decoding: a.dropFirst(7), as: UTF8.self), expected, "n \(n) padTo \(padTo)")
          XCTAssertEqual(a, r)
        }
      }
    }
  }

  func testNumbersAndTemporalsAreTheSameInArraysAndRawBuffers() {
    for v: Int64 in [0, 9, 10, 99, 100, -1, -10, 1_234_567_890, .max, .min] {
      let (a, r) = both({ JSONWriter.appendInt(v, into: &$0) }, { JSONWriter.appendInt(v, into: &$0) })
      XCTAssertEqual(a, r)
      XCTAssertEqual(String(decoding: a.dropFirst(7), as: UTF8.self), "\(v)")
    }
    let (a, r) = both(
      {
        TemporalText.appendDateTime(
          year: 2026, month: 11, day: 22, hour: 5, minute: 59, second: 3, micros: 1462, fsp: 6, into: &$0)
      },
      {
        TemporalText.appendDateTime(
          year: 2026, month: 11, day: 22, hour: 5, minute: 59, second: 3, micros: 1462, fsp: 6, into: &$0)
      })
    XCTAssertEqual(a, r)
    XCTAssertEqual(String(decoding: a.dropFirst(7), as: UTF8.self), "2026-11-22 05:59:03.001462")
  }

  /// A fractional-second precision above 6 (damaged metadata) is cut to 6 digits instead of
  /// dividing by zero.
  func testFractionPrecisionAboveSixIsCutToSixDigits() {
    var out: [UInt8] = []
    TemporalText.appendTime(negative: true, hours: 838, minutes: 59, seconds: 59, micros: 123_456, fsp: 9, into: &out)
    XCTAssertEqual(String(decoding: out, as: UTF8.self), "-838:59:59.123456")
  }

  func testRawBufferGrowsAndKeepsItsBytes() {
    var r = RawTextBuffer(capacity: 1)
    defer { r.deallocate() }
    var a: [UInt8] = []
    for n in 0..<300 {
      let piece = (0..<(n % 41)).map { UInt8(truncatingIfNeeded: n &+ $0) }
      piece.withUnsafeBytes { r.append(contentsOf: $0) }
      a += piece
      r.append(UInt8(truncatingIfNeeded: n))
      a.append(UInt8(truncatingIfNeeded: n))
    }
    XCTAssertEqual(Array(r.bytes), a)
    r.removeLast(5)
    XCTAssertEqual(Array(r.bytes), Array(a.dropLast(5)))
  }

  /// Bytes appended to `buffer` and bytes written through `withText` come out in write order,
  /// across flushes.
  func testSinkKeepsTheOrderOfBothBuffers() throws {
    let sink = OutputSink.memory()
    var expected: [UInt8] = []
    for i in 0..<6000 {
      let line = Array("line \(i) \(String(repeating: "x", count: i % 700))\n".utf8)
      if i % 3 == 0 {
        sink.buffer.append(contentsOf: line)
        try sink.maybeFlush()
      } else {
        try sink.withText { t in line.withUnsafeBytes { t.append(contentsOf: $0) } }
        try sink.maybeFlush()
      }
      expected += line
    }
    try sink.close()
    XCTAssertGreaterThan(expected.count, 1 << 20, "the lines must cross at least one flush")
    XCTAssertEqual(sink.takeCaptured(), expected)
  }

  /// The NDJSON lines of a real binlog with statements and rows interleaved, exported through a
  /// sink that already holds bytes, follow those bytes.
  func testExportFollowsBytesAlreadyInTheSink() throws {
    let path = TestPaths.fixtures + "/mariadb-10.11/binlog.000001"
    let plain = OutputSink.memory()
    let e1 = NDJSONExporter(sink: plain)
    var w1 = BinlogWalker(source: try BinlogInput(path: path))
    try w1.run { w, ev in try e1.consume(ev, walker: w) }
    try plain.close()
    let lines = plain.takeCaptured()
    XCTAssertGreaterThan(e1.rowsWritten, 10)
    XCTAssertGreaterThan(e1.statementsWritten, 2)

    let sink = OutputSink.memory()
    sink.write("header\n")
    let e2 = NDJSONExporter(sink: sink)
    var w2 = BinlogWalker(source: try BinlogInput(path: path))
    try w2.run { w, ev in try e2.consume(ev, walker: w) }
    sink.write("trailer\n")
    try sink.close()
    XCTAssertEqual(sink.takeCaptured(), Array("header\n".utf8) + lines + Array("trailer\n".utf8))
  }
}
