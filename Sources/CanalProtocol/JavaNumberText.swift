import BinlogFormat

/// Java's `Double.toString(double)` and `Float.toString(float)`, byte for byte, as Canal writes
/// FLOAT and DOUBLE column values and doubles inside JSON (canal-protocol.md §2.6).
///
/// Which Java: the JDK 19+ algorithm (JDK-4511638, Raffaello Giulietti's), as the notes specify.
/// It picks the shortest decimal that rounds back to the value, the closest one if several
/// qualify, and considers two-digit decimals when a one-digit one would do (so
/// `Double.leastNonzeroMagnitude` is `4.9E-324`, not `5.0E-324`). JDK 18 and older sometimes print
/// a longer or different text: `1.0E23` was `9.999999999999999E22`, `2.0E23` was
/// `1.9999999999999998E23`, `8.41E21` was `8.409999999999999E21`, `9.9E-324` was `1.0E-323`, and
/// `Float.toString(1.17549435E-38f)` was `1.17549435E-38` (now `1.1754944E-38`). Canal 1.1.x
/// runs on either, often on JDK 8. Measured with JDK 17: no difference for a million values of up
/// to 7 digits in [1e-4, 1e7); but about 0.2 % of doubles and 8 % of floats parsed from random
/// 1–17-digit decimals over the whole exponent range print differently (`8E13f`: `7.9999999E13`).
///
/// Layout (Java's, not Swift's `description`): magnitudes in [1e-3, 1e7) in plain notation with at
/// least one fractional digit (`100.0`, `0.001`); others as `d.dddE±n` with no `+` (`1.0E7`,
/// `1.0E-5`); `0.0`, `-0.0`, `NaN`, `Infinity`, `-Infinity`.
public enum JavaNumberText {
  /// `Double.toString(value)` of a JDK 19 or newer.
  public static func doubleToString(_ value: Double) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(24)
    appendDouble(value, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// `Float.toString(value)` of a JDK 19 or newer. The digits are the shortest among *floats*:
  /// do not widen a FLOAT column to `Double` first (`0.1f` is `0.1`, not `0.10000000149011612`).
  public static func floatToString(_ value: Float) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(16)
    appendFloat(value, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Appends the UTF-8 (ASCII) bytes of `doubleToString(value)`.
  public static func appendDouble<O: ByteAppender>(_ value: Double, to output: inout O) {
    let bits = value.bitPattern
    let biased = Int((bits >> 52) & 0x7FF)
    let fraction = bits & ((1 << 52) - 1)
    if biased == 0x7FF {
      appendNonFinite(isNaN: fraction != 0, negative: bits >> 63 != 0, to: &output)
      return
    }
    if bits >> 63 != 0 { output.append(UInt8(ascii: "-")) }
    if biased == 0 && fraction == 0 {
      CanalValueText.appendASCII("0.0", &output)
      return
    }
    // value = c · 2^q; subnormals share the exponent of the smallest normal.
    let c = biased == 0 ? fraction : fraction | (1 << 52)
    let q = biased == 0 ? -1074 : biased - 1075
    let decimal = ShortestDecimal(c: c, q: q, narrowBelow: fraction == 0 && biased > 1)
    decimal.appendJavaLayout(to: &output)
  }

  /// Appends the UTF-8 (ASCII) bytes of `floatToString(value)`.
  public static func appendFloat<O: ByteAppender>(_ value: Float, to output: inout O) {
    let bits = value.bitPattern
    let biased = Int((bits >> 23) & 0xFF)
    let fraction = UInt64(bits & ((1 << 23) - 1))
    if biased == 0xFF {
      appendNonFinite(isNaN: fraction != 0, negative: bits >> 31 != 0, to: &output)
      return
    }
    if bits >> 31 != 0 { output.append(UInt8(ascii: "-")) }
    if biased == 0 && fraction == 0 {
      CanalValueText.appendASCII("0.0", &output)
      return
    }
    let c = biased == 0 ? fraction : fraction | (1 << 23)
    let q = biased == 0 ? -149 : biased - 150
    let decimal = ShortestDecimal(c: c, q: q, narrowBelow: fraction == 0 && biased > 1)
    decimal.appendJavaLayout(to: &output)
  }

  private static func appendNonFinite<O: ByteAppender>(isNaN: Bool, negative: Bool, to output: inout O) {
    if isNaN {
      CanalValueText.appendASCII("NaN", &output)  // Java prints every NaN unsigned
    } else {
      CanalValueText.appendASCII(negative ? "-Infinity" : "Infinity", &output)
    }
  }
}

// MARK: - Choosing the digits

/// The decimal `digits · 10^exponent` that Java prints for the binary value `c · 2^q`.
///
/// The rounding interval of `c · 2^q` is `[(c - ½)·2^q, (c + ½)·2^q]` (`(c - ¼)·2^q` below when
/// `c` is a power of two whose lower neighbour is twice as close, `narrowBelow`), closed when `c`
/// is even (round-half-even reads the bounds back as `c`) and open when odd. With
/// `k = ⌊log10(width)⌋` the interval holds at least one multiple of 10^k and at most one of
/// 10^(k+1); so the shortest candidate is that multiple of 10^(k+1) if there is one, otherwise
/// the multiple of 10^k nearest the value (ties to an even last digit). This is the "Schubfach"
/// observation that Java 19's algorithm is built on; the arithmetic below is our own: 128-bit
/// approximations of 10^-k with an exact big-integer check in the rare case they cannot decide.
struct ShortestDecimal {
  /// Significand without trailing zeros.
  var digits: UInt64
  var exponent: Int

  init(c: UInt64, q: Int, narrowBelow: Bool) {
    let boundsIncluded = c & 1 == 0
    // Interval centre and bounds in units of 2^(q-2).
    let center = c << 2
    let upper = center + 2
    let lower = narrowBelow ? center - 1 : center - 2
    var k = narrowBelow ? floorLog10ThreeQuartersPow2(q) : floorLog10Pow2(q)
    var scaled = ScaledBounds(lower: lower, center: center, upper: upper, q: q, k: k)
    if scaled.center >> 2 < 10 {
      // Only tiny subnormals (c·2^q < 10^(k+1)): Java then chooses among one- *and two*-digit
      // decimals, so work one decimal place lower.
      k -= 1
      scaled = ScaledBounds(lower: lower, center: center, upper: upper, q: q, k: k)
    }
    // scaled.* = rop(bound · 2^(q-2) · 10^-k · 4): floor, with the lowest bit set when inexact,
    // so comparisons with multiples of 2 are exact.
    let slack: UInt64 = boundsIncluded ? 0 : 1
    // Candidates below the value can only leave the interval at its lower bound, and above it
    // only at the upper bound.
    func insideFromBelow(_ candidate: UInt64) -> Bool { scaled.lower + slack <= candidate << 2 }
    func insideFromAbove(_ candidate: UInt64) -> Bool { (candidate << 2) + slack <= scaled.upper }

    let s = scaled.center >> 2  // ⌊value / 10^k⌋
    if s >= 100 {
      // A multiple of 10^(k+1) inside is the unique shortest; s ≥ 100 keeps two digits at least.
      let down = s / 10 * 10
      let up = down + 10
      let downInside = insideFromBelow(down)
      if downInside != insideFromAbove(up) {
        self.init(trimming: (downInside ? down : up) / 10, exponent: k + 1)
        return
      }
    }
    let t = s + 1
    let sInside = insideFromBelow(s)
    let chosen: UInt64
    if sInside != insideFromAbove(t) {
      chosen = sInside ? s : t
    } else {
      // Both inside: the nearer one; a tie goes to the even one.
      let midpoint = (s + t) << 1
      chosen = scaled.center < midpoint || (scaled.center == midpoint && s & 1 == 0) ? s : t
    }
    self.init(trimming: chosen, exponent: k)
  }

  private init(trimming digits: UInt64, exponent: Int) {
    var d = digits
    var e = exponent
    while d % 10 == 0 {
      d /= 10
      e += 1
    }
    self.digits = d
    self.exponent = e
  }

  /// Java's layout of `digits · 10^exponent` (sign already written).
  func appendJavaLayout<O: ByteAppender>(to output: inout O) {
    var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes ≥ 20 digits
    withUnsafeMutableBytes(of: &buffer) { raw in
      var n = 0
      var d = digits
      repeat {
        raw[23 - n] = UInt8(ascii: "0") + UInt8(d % 10)
        d /= 10
        n += 1
      } while d != 0
      let text = UnsafeRawBufferPointer(rebasing: raw[(24 - n)...])
      let zero = UInt8(ascii: "0")
      let point = UInt8(ascii: ".")
      let scientific = n + exponent - 1  // value = d.ddd × 10^scientific
      if scientific >= -3 && scientific < 0 {
        output.append(zero)
        output.append(point)
        for _ in 0..<(-scientific - 1) { output.append(zero) }
        output.append(contentsOf: text)
      } else if scientific >= 0 && scientific < 7 {
        let integerDigits = scientific + 1
        if n <= integerDigits {
          output.append(contentsOf: text)
          for _ in 0..<(integerDigits - n) { output.append(zero) }
          output.append(point)
          output.append(zero)
        } else {
          output.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[..<integerDigits]))
          output.append(point)
          output.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[integerDigits...]))
        }
      } else {
        output.append(text[0])
        output.append(point)
        if n > 1 { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[1...])) } else { output.append(zero) }
        output.append(UInt8(ascii: "E"))
        var e = scientific
        if e < 0 {
          output.append(UInt8(ascii: "-"))
          e = -e
        }
        if e >= 100 { output.append(zero + UInt8(e / 100)) }
        if e >= 10 { output.append(zero + UInt8(e / 10 % 10)) }
        output.append(zero + UInt8(e % 10))
      }
    }
  }
}

/// ⌊log10(2^q)⌋ for |q| ≤ 1500 (checked with exact rationals for every such q).
@inline(__always) func floorLog10Pow2(_ q: Int) -> Int {
  (q * 1_292_913_986) >> 32  // log10(2) · 2^32, rounded down
}

/// ⌊log10(¾ · 2^q)⌋ for |q| ≤ 1500.
@inline(__always) func floorLog10ThreeQuartersPow2(_ q: Int) -> Int {
  (q * 1_292_913_986 - 536_607_937) >> 32  // log10(¾) · 2^32, rounded down
}

/// The three interval points scaled by 10^-k and rounded to odd.
private struct ScaledBounds {
  var lower: UInt64
  var center: UInt64
  var upper: UInt64

  init(lower l: UInt64, center m: UInt64, upper u: UInt64, q: Int, k: Int) {
    let power = TenPowers.table[k - TenPowers.minK]
    lower = power.roundToOdd(l, q: q, k: k)
    center = power.roundToOdd(m, q: q, k: k)
    upper = power.roundToOdd(u, q: q, k: k)
  }
}

// MARK: - 10^-k to 128 bits

/// `10^-k ∈ [m · 2^e, (m + 1) · 2^e)` with `2^127 ≤ m < 2^128`; `exact` when equality holds.
struct TenPower: Sendable {
  var high: UInt64
  var low: UInt64
  var e: Int
  var exact: Bool

  /// rop(v · 2^(q-2) · 10^-k · 4) = rop(v · 2^q · 10^-k): the floor, with bit 0 set when the
  /// value is not an integer. `v < 2^58`; the result is below 2^62 for every k that
  /// `ShortestDecimal` uses.
  @inline(__always) func roundToOdd(_ v: UInt64, q: Int, k: Int) -> UInt64 {
    // v · m as 192 bits (w2, w1, w0).
    let (h0, w0) = v.multipliedFullWidth(by: low)
    let (h1, l1) = v.multipliedFullWidth(by: high)
    let (w1, carry) = l1.addingReportingOverflow(h0)
    let w2 = h1 &+ (carry ? 1 : 0)
    let shift = -(q + e)  // 64 < shift < 192
    let floorLow = UInt192(w2, w1, w0).shiftedRight(shift)
    if exact {
      return floorLow | (UInt192(w2, w1, w0).hasBitsBelow(shift) ? 1 : 0)
    }
    // The true value lies strictly between v·m·2^e·2^q and v·(m+1)·2^e·2^q, an interval less
    // than 2^-60 wide: its floor is decided unless an integer falls inside. Exact integers (a
    // bound that is a short decimal, e.g. around 1.0E23) take the big-integer path.
    let floorHigh = UInt192(w2, w1, w0).adding(v &- 1).shiftedRight(shift)
    if floorLow == floorHigh { return floorLow | 1 }
    switch ExactCompare.compare(v: v, q: q, k: k, with: floorHigh) {
    case .less: return floorLow | 1
    case .equal: return floorHigh
    case .greater: return floorHigh | 1
    }
  }
}

private struct UInt192 {
  var w2: UInt64, w1: UInt64, w0: UInt64
  init(_ w2: UInt64, _ w1: UInt64, _ w0: UInt64) { (self.w2, self.w1, self.w0) = (w2, w1, w0) }

  func adding(_ x: UInt64) -> UInt192 {
    let (r0, c0) = w0.addingReportingOverflow(x)
    let (r1, c1) = w1.addingReportingOverflow(c0 ? 1 : 0)
    return UInt192(w2 &+ (c1 ? 1 : 0), r1, r0)
  }

  /// The low 64 bits of `self >> shift`, for 64 ≤ shift < 192.
  func shiftedRight(_ shift: Int) -> UInt64 {
    if shift < 128 {
      let s = shift - 64
      return s == 0 ? w1 : (w1 >> s) | (w2 << (64 - s))
    }
    return w2 >> (shift - 128)
  }

  func hasBitsBelow(_ shift: Int) -> Bool {
    if shift < 128 {
      return w0 != 0 || (w1 & ((1 << (shift - 64)) &- 1)) != 0
    }
    return w0 != 0 || w1 != 0 || (w2 & ((1 << (shift - 128)) &- 1)) != 0
  }
}

enum TenPowers {
  /// k = ⌊log10(width)⌋ ranges over [-325, 292] for doubles (and a sub-range for floats).
  static let minK = -325
  static let maxK = 292

  /// Built once, on first use, with exact big-integer arithmetic (about a millisecond).
  static let table: [TenPower] = (minK...maxK).map { k in
    let n = -k  // we want 10^n
    if n >= 0 {
      var p = BigNat(1)
      p.multiply(byPowerOfTen: n)
      return p.top128(exponentOffset: 0)
    }
    // ⌊2^t / 10^m⌋ with enough bits, then its top 128 bits: nested floors equal one floor.
    let m = -n
    var divisor = BigNat(1)
    divisor.multiply(byPowerOfTen: m)
    let t = divisor.bitWidth + 129
    var quotient = BigNat(1)
    quotient.shiftLeft(t)
    var left = m
    while left > 0 {
      let step = min(left, 9)
      quotient.divide(by: UInt32(powersOfTen32[step]))
      left -= step
    }
    var result = quotient.top128(exponentOffset: -t)
    result.exact = false
    return result
  }

  static let powersOfTen32: [UInt64] = [
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
  ]
}

/// Exact `v · 2^q · 10^-k` versus an integer, for the rare ties that 128 bits cannot settle
/// (e.g. decimals that are exactly representable, like 1.0E23's neighbours' bounds).
enum ExactCompare {
  enum Order { case less, equal, greater }

  static func compare(v: UInt64, q: Int, k: Int, with b: UInt64) -> Order {
    // v · 2^q · 10^-k  <=>  b   ⟺   v · 2^q · 5^-k · 2^-k  <=>  b, all factors moved to be positive.
    var left = BigNat(v)
    var right = BigNat(b)
    let twos = q - k
    if twos >= 0 { left.shiftLeft(twos) } else { right.shiftLeft(-twos) }
    if k <= 0 { left.multiply(byPowerOfFive: -k) } else { right.multiply(byPowerOfFive: k) }
    switch left.compare(right) {
    case ..<0: return .less
    case 0: return .equal
    default: return .greater
    }
  }
}

/// A minimal unsigned big integer (little-endian 32-bit limbs) for table building and exact ties.
struct BigNat {
  var limbs: [UInt32]

  init(_ value: UInt64) {
    limbs = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
    normalize()
  }

  private mutating func normalize() {
    while let last = limbs.last, last == 0 { limbs.removeLast() }
  }

  var bitWidth: Int {
    guard let top = limbs.last else { return 0 }
    return limbs.count * 32 - top.leadingZeroBitCount
  }

  mutating func multiply(by factor: UInt32) {
    var carry: UInt64 = 0
    for i in limbs.indices {
      let product = UInt64(limbs[i]) * UInt64(factor) + carry
      limbs[i] = UInt32(truncatingIfNeeded: product)
      carry = product >> 32
    }
    if carry != 0 { limbs.append(UInt32(carry)) }
  }

  mutating func multiply(byPowerOfTen n: Int) {
    multiply(byPowerOfFive: n)
    shiftLeft(n)
  }

  mutating func multiply(byPowerOfFive n: Int) {
    var left = n
    while left > 0 {
      let step = min(left, 13)  // 5^13 < 2^32
      var factor: UInt32 = 1
      for _ in 0..<step { factor *= 5 }
      multiply(by: factor)
      left -= step
    }
  }

  mutating func shiftLeft(_ bits: Int) {
    guard bits > 0, !limbs.isEmpty else { return }
    let whole = bits / 32
    let part = bits % 32
    if part != 0 {
      var carry: UInt32 = 0
      for i in limbs.indices {
        let limb = limbs[i]
        limbs[i] = (limb << part) | carry
        carry = limb >> (32 - part)
      }
      if carry != 0 { limbs.append(carry) }
    }
    if whole > 0 { limbs.insert(contentsOf: repeatElement(0, count: whole), at: 0) }
  }

  /// self = ⌊self / divisor⌋.
  mutating func divide(by divisor: UInt32) {
    var remainder: UInt64 = 0
    for i in limbs.indices.reversed() {
      let current = (remainder << 32) | UInt64(limbs[i])
      limbs[i] = UInt32(current / UInt64(divisor))
      remainder = current % UInt64(divisor)
    }
    normalize()
  }

  func compare(_ other: BigNat) -> Int {
    if limbs.count != other.limbs.count { return limbs.count < other.limbs.count ? -1 : 1 }
    for i in limbs.indices.reversed() where limbs[i] != other.limbs[i] {
      return limbs[i] < other.limbs[i] ? -1 : 1
    }
    return 0
  }

  private func bit(_ i: Int) -> UInt64 {
    i < 0 ? 0 : UInt64((limbs[i / 32] >> (i % 32)) & 1)
  }

  /// `self · 2^exponentOffset` as `m · 2^e` with m its top 128 bits (truncated).
  func top128(exponentOffset: Int) -> TenPower {
    let width = bitWidth
    let drop = width - 128  // negative: shift up
    var high: UInt64 = 0
    var low: UInt64 = 0
    for i in 0..<64 {
      high |= bit(drop + 64 + i) << i
      low |= bit(drop + i) << i
    }
    var exact = true
    if drop > 0 {
      for i in 0..<drop where bit(i) != 0 {
        exact = false
        break
      }
    }
    return TenPower(high: high, low: low, e: drop + exponentOffset, exact: exact)
  }
}
