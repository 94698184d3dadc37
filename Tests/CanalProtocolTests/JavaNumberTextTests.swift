import CanalProtocol
import XCTest

/// `JavaNumberText` against `Double.toString` / `Float.toString` of JDK 25 (the JDK 19+ algorithm).
///
/// The expected texts were produced by Java at development time; Java is not run here. Beyond
/// these tests, the implementation was compared with JDK 25 on every positive `Float` (2^31
/// values, negative ones only add "-"), 64 M random double bit patterns and 48 M doubles/floats
/// parsed from random short decimals, with no difference.
final class JavaNumberTextTests: XCTestCase {
  func testDoublesMatchJava() {
    let cases: [(Double, String)] = [
      (1.0E10, "1.0E10"),
      (1.0E-5, "1.0E-5"),
      (0.001, "0.001"),
      (123.456, "123.456"),
      (0.0, "0.0"),
      (-0.0, "-0.0"),
      (1.0, "1.0"),
      (-1.5, "-1.5"),
      (100.0, "100.0"),
      (1.0E7, "1.0E7"),
      (9999999.0, "9999999.0"),
      (9999999.999999998, "9999999.999999998"),
      (9.999999999999998E-4, "9.999999999999998E-4"),
      (0.01, "0.01"),
      (0.5, "0.5"),
      (1234567.0, "1234567.0"),
      (1.2345678E7, "1.2345678E7"),
      (-1.23E-4, "-1.23E-4"),
      (-9.87654321E-7, "-9.87654321E-7"),
      (0.30000000000000004, "0.30000000000000004"),
      (0.3333333333333333, "0.3333333333333333"),
      (3.141592653589793, "3.141592653589793"),
      (9.223372036854776E18, "9.223372036854776E18"),
      (1.2345678901234568E17, "1.2345678901234568E17"),
      (1.0E16, "1.0E16"),
      (1.0E21, "1.0E21"),
      (1.0E22, "1.0E22"),
      (2.2250738585072014E-308, "2.2250738585072014E-308"),  // smallest normal
      (2.225073858507201E-308, "2.225073858507201E-308"),  // largest subnormal
      (1.7976931348623157E308, "1.7976931348623157E308"),
      (1.5E-323, "1.5E-323"),
    ]
    for (value, expected) in cases {
      XCTAssertEqual(
        JavaNumberText.doubleToString(value), expected,
        "bits 0x\(String(value.bitPattern, radix: 16))")
    }
  }

  /// Values whose text changed in JDK 19 (JDK-4511638); JDK 17 prints the second column.
  func testDoublesWhereJava19DiffersFromJava17() {
    let cases: [(Double, String, jdk17: String)] = [
      (1.0E23, "1.0E23", jdk17: "9.999999999999999E22"),
      (2.0E23, "2.0E23", jdk17: "1.9999999999999998E23"),
      (8.41E21, "8.41E21", jdk17: "8.409999999999999E21"),
      (2.82879384806159E17, "2.82879384806159E17", jdk17: "2.82879384806159008E17"),
      (9.9E-324, "9.9E-324", jdk17: "1.0E-323"),
      (9.9E-323, "9.9E-323", jdk17: "1.0E-322"),
    ]
    for (value, expected, _) in cases {
      XCTAssertEqual(JavaNumberText.doubleToString(value), expected)
    }
  }

  func testTinySubnormalsUseTwoDigits() {
    // Java considers two-digit decimals when one digit would do: Swift prints 5e-324.
    XCTAssertEqual(JavaNumberText.doubleToString(.leastNonzeroMagnitude), "4.9E-324")
    XCTAssertEqual(JavaNumberText.doubleToString(-.leastNonzeroMagnitude), "-4.9E-324")
    XCTAssertEqual(JavaNumberText.floatToString(.leastNonzeroMagnitude), "1.4E-45")
    XCTAssertEqual(JavaNumberText.floatToString(Float(bitPattern: 7)), "9.8E-45")
  }

  func testNonFiniteValues() {
    XCTAssertEqual(JavaNumberText.doubleToString(.nan), "NaN")
    XCTAssertEqual(JavaNumberText.doubleToString(-.nan), "NaN")
    XCTAssertEqual(JavaNumberText.doubleToString(Double(bitPattern: 0x7FF0_0000_0000_0001)), "NaN")
    XCTAssertEqual(JavaNumberText.doubleToString(.infinity), "Infinity")
    XCTAssertEqual(JavaNumberText.doubleToString(-.infinity), "-Infinity")
    XCTAssertEqual(JavaNumberText.floatToString(.nan), "NaN")
    XCTAssertEqual(JavaNumberText.floatToString(.infinity), "Infinity")
    XCTAssertEqual(JavaNumberText.floatToString(-.infinity), "-Infinity")
    XCTAssertEqual(JavaNumberText.floatToString(-0.0), "-0.0")
  }

  func testFloatsMatchJava() {
    let cases: [(Float, String)] = [
      (Float(bitPattern: 0x3dcc_cccd), "0.1"),
      (Float(bitPattern: 0x0000_0001), "1.4E-45"),
      (Float(bitPattern: 0x7f7f_ffff), "3.4028235E38"),
      (Float(bitPattern: 0x0080_0000), "1.1754944E-38"),  // JDK 17: 1.17549435E-38
      (Float(bitPattern: 0x5000_0026), "8.589974E9"),  // JDK 17: 8.5899735E9
      (Float(bitPattern: 0x4b80_0000), "1.6777216E7"),
      (Float(bitPattern: 0x3e99_999a), "0.3"),
      (Float(bitPattern: 0x42f6_e979), "123.456"),
      (Float(bitPattern: 0x5015_02f9), "1.0E10"),
      (Float(bitPattern: 0x3727_c5ac), "1.0E-5"),
      (Float(bitPattern: 0x4b18_9680), "1.0E7"),
      (Float(bitPattern: 0x4b18_967f), "9999999.0"),
      (Float(bitPattern: 0x3a83_126f), "0.001"),
      (Float(bitPattern: 0x3a83_1219), "9.9999E-4"),
      (Float(bitPattern: 0x4c00_0000), "3.3554432E7"),
      (Float(bitPattern: 0x4c00_0001), "3.3554436E7"),
      (Float(bitPattern: 0xc020_0000), "-2.5"),
      (Float(bitPattern: 0x402d_f854), "2.7182817"),
      (Float(bitPattern: 0x7e96_7699), "1.0E38"),
    ]
    for (value, expected) in cases {
      XCTAssertEqual(
        JavaNumberText.floatToString(value), expected,
        "bits 0x\(String(value.bitPattern, radix: 16))")
    }
  }

  func testFloatIsNotWidenedToDouble() {
    XCTAssertEqual(JavaNumberText.floatToString(0.1), "0.1")
    XCTAssertEqual(JavaNumberText.doubleToString(Double(Float(0.1))), "0.10000000149011612")
  }

  func testAppendWritesAfterExistingBytes() {
    var output = Array("x=".utf8)
    JavaNumberText.appendDouble(1.0E-5, to: &output)
    JavaNumberText.appendFloat(2.5, to: &output)
    XCTAssertEqual(String(decoding: output, as: UTF8.self), "x=1.0E-52.5")
  }

  // MARK: Bulk comparisons with hashes of Java's output

  // Each test below feeds the texts of a value sequence, each followed by "\n", into 64-bit
  // FNV-1a and compares with the hash of JDK 25's texts for the same sequence, produced by this
  // program (JDK 17 gives different hashes for every one of these sets):
  //
  //   static long state, h = 0xcbf29ce484222325L;
  //   static long next() { long z = (state += 0x9E3779B97F4A7C15L);
  //     z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L; z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
  //     return z ^ (z >>> 31); }
  //   static void feed(String s) { for (char c : (s + "\n").toCharArray()) { h ^= c; h *= 0x100000001b3L; } }
  //   static void d3(double x) { feed(Double.toString(x)); feed(Double.toString(Math.nextDown(x)));
  //     feed(Double.toString(Math.nextUp(x))); }   // f3 likewise for float
  //   static String decimal(long r1, long r2, int span, int base) {   // 1 to 17 digits, "E", exponent
  //     int n = 1 + (int) Long.remainderUnsigned(r1, 17); StringBuilder sb = new StringBuilder(); long r = r2;
  //     for (int i = 0; i < n; i++) { int d = (int) Long.remainderUnsigned(r, 10); r = Long.divideUnsigned(r, 10);
  //       if (i == 0 && d == 0) d = 1 + (int) Long.remainderUnsigned(r1 >>> 8, 9); sb.append((char) ('0' + d)); }
  //     return sb.append('E').append((int) Long.remainderUnsigned(r1 >>> 16, span) + base).toString(); }
  //   // then, resetting h before each set:
  //   for (int e = -1074; e <= 1023; e++) d3(Math.scalb(1.0, e));            // powersOfTwoDouble
  //   for (int e = -149; e <= 127; e++) f3(Math.scalb(1.0f, e));             // powersOfTwoFloat
  //   for (int n = -325; n <= 308; n++) d3(Double.parseDouble("1E" + n));    // powersOfTenDouble
  //   for (int n = -46; n <= 38; n++) f3(Float.parseFloat("1E" + n));        // powersOfTenFloat
  //   state = 42; 50000 × feed(Double.toString(Double.longBitsToDouble(next())));          // randomBitsDouble
  //   state = 43; 50000 × feed(Float.toString(Float.intBitsToFloat((int) (next() >>> 32)))); // randomBitsFloat
  //   state = 44; 50000 × { r1 = next(); r2 = next(); feed(Double.toString(Double.parseDouble(decimal(r1, r2, 660, -345)))); }
  //   state = 45; 50000 × { r1 = next(); r2 = next(); feed(Float.toString(Float.parseFloat(decimal(r1, r2, 96, -50)))); }

  func testPowersOfTwoAndNeighboursDouble() {
    var hash = TextHash()
    for e in -1074...1023 {
      hash.feedWithNeighbours(Double(sign: .plus, exponent: e, significand: 1))
    }
    XCTAssertEqual(hash.value, 0xd977_a66c_b1a7_9c85, hash.sample)
  }

  func testPowersOfTwoAndNeighboursFloat() {
    var hash = TextHash()
    for e in -149...127 { hash.feedWithNeighbours(Float(sign: .plus, exponent: e, significand: 1)) }
    XCTAssertEqual(hash.value, 0xf64e_5bf9_e9a9_873f, hash.sample)
  }

  func testPowersOfTenAndNeighboursDouble() {
    var hash = TextHash()
    for n in -325...308 { hash.feedWithNeighbours(Double("1E\(n)")!) }
    XCTAssertEqual(hash.value, 0x94c2_3498_3cb5_41d8, hash.sample)
  }

  func testPowersOfTenAndNeighboursFloat() {
    var hash = TextHash()
    for n in -46...38 { hash.feedWithNeighbours(Float("1E\(n)")!) }
    XCTAssertEqual(hash.value, 0x0b8b_9a63_88a7_c573, hash.sample)
  }

  func testRandomDoubleBitPatterns() {
    var random = SplitMix64(state: 42)
    var hash = TextHash()
    for _ in 0..<50_000 {
      hash.feed(JavaNumberText.doubleToString(Double(bitPattern: random.next())))
    }
    XCTAssertEqual(hash.value, 0xafc6_be4c_9b0e_3545, hash.sample)
  }

  func testRandomFloatBitPatterns() {
    var random = SplitMix64(state: 43)
    var hash = TextHash()
    for _ in 0..<50_000 {
      hash.feed(
        JavaNumberText.floatToString(
          Float(bitPattern: UInt32(truncatingIfNeeded: random.next() >> 32))))
    }
    XCTAssertEqual(hash.value, 0xfc41_57f8_37d6_1681, hash.sample)
  }

  func testRandomShortDecimalsDouble() {
    var random = SplitMix64(state: 44)
    var hash = TextHash()
    for _ in 0..<50_000 {
      let text = random.decimalText(exponentSpan: 660, exponentBase: -345)
      hash.feed(JavaNumberText.doubleToString(Double(text)!))
    }
    XCTAssertEqual(hash.value, 0x797a_7ed8_ac94_8d33, hash.sample)
  }

  func testRandomShortDecimalsFloat() {
    var random = SplitMix64(state: 45)
    var hash = TextHash()
    for _ in 0..<50_000 {
      let text = random.decimalText(exponentSpan: 96, exponentBase: -50)
      hash.feed(JavaNumberText.floatToString(Float(text)!))
    }
    XCTAssertEqual(hash.value, 0x5008_6f1b_61ec_2427, hash.sample)
  }
}

/// 64-bit FNV-1a over texts each followed by "\n"; keeps the first texts to show on failure.
private struct TextHash {
  var value: UInt64 = 0xcbf2_9ce4_8422_2325
  private var first: [String] = []

  var sample: String { "first texts: " + first.joined(separator: " ") }

  mutating func feed(_ text: String) {
    if first.count < 12 { first.append(text) }
    for byte in text.utf8 { mix(byte) }
    mix(0x0A)
  }

  private mutating func mix(_ byte: UInt8) {
    value ^= UInt64(byte)
    value = value &* 0x100_0000_01b3
  }

  mutating func feedWithNeighbours(_ x: Double) {
    feed(JavaNumberText.doubleToString(x))
    feed(JavaNumberText.doubleToString(x.nextDown))
    feed(JavaNumberText.doubleToString(x.nextUp))
  }

  mutating func feedWithNeighbours(_ x: Float) {
    feed(JavaNumberText.floatToString(x))
    feed(JavaNumberText.floatToString(x.nextDown))
    feed(JavaNumberText.floatToString(x.nextUp))
  }
}

/// SplitMix64, as in the Java generator above.
private struct SplitMix64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// 1 to 17 random digits (the first non-zero), "E", an exponent in base..<base+span.
  mutating func decimalText(exponentSpan: UInt64, exponentBase: Int) -> String {
    let r1 = next()
    var r = next()
    var text = ""
    for i in 0..<(1 + Int(r1 % 17)) {
      var digit = Int(r % 10)
      r /= 10
      if i == 0 && digit == 0 { digit = 1 + Int((r1 >> 8) % 9) }
      text.append(Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(digit))))
    }
    return text + "E\(Int((r1 >> 16) % exponentSpan) + exponentBase)"
  }
}
