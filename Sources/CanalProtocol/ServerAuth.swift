/// Canal client authentication (spec §3.4): MySQL 4.1-style password scramble over the handshake seed.

/// The credentials a Canal server accepts.
///
/// Canal keeps `canal.user` and `canal.passwd`, the latter as the 40 hex digits of
/// `SHA1(SHA1(password))` (MySQL's native password hash without its `*`). With neither set, any
/// user and any password are accepted; this is the only mode canal-python 0.4 can use, since it
/// sends its password unscrambled.
public struct CanalServerCredentials: Sendable, Equatable {
  /// Required user name, or `nil` for any user.
  public var user: String?
  /// `SHA1(SHA1(password))`, or `nil` when no password is required.
  public var passwordHash: [UInt8]?

  /// Accepts every client.
  public static let open = CanalServerCredentials(user: nil, passwordHash: nil)

  public init(user: String?, passwordHash: [UInt8]?) {
    self.user = user.flatMap { $0.isEmpty ? nil : $0 }
    self.passwordHash = passwordHash
  }

  /// Credentials from a clear-text password (hashed here; an empty password means none).
  public init(user: String?, password: String?) {
    let hash = password.flatMap { $0.isEmpty ? nil : SHA1.hash(SHA1.hash(Array($0.utf8))) }
    self.init(user: user, passwordHash: hash)
  }

  /// Credentials from Canal's `canal.passwd` form: 40 hex digits of `SHA1(SHA1(password))`.
  public init(user: String?, passwordHashHex: String) throws(CanalAuthError) {
    guard let hash = CanalScramble.decodeHex(passwordHashHex), hash.count == 20 else {
      throw CanalAuthError(
        message: "the password hash must be 40 hex digits (SHA1(SHA1(password)))")
    }
    self.init(user: user, passwordHash: hash)
  }

  /// True when a client must prove a password.
  public var requiresPassword: Bool { passwordHash != nil }

  /// Canal's server-side check of a `ClientAuth` against the handshake `seed`: the user must match
  /// when one is configured; with a password configured, `password` must be the lowercase (any
  /// case accepted) hex of `SHA1(pw) XOR SHA1(seed ‖ SHA1(SHA1(pw)))`.
  public func accepts(username: String, password: [UInt8], seed: [UInt8]) -> Bool {
    if let user, user != username { return false }
    guard let stored = passwordHash else { return true }
    // Invalid UTF-8 decodes to U+FFFD, which is not a hex digit.
    guard !password.isEmpty,
      let token = CanalScramble.decodeHex(String(decoding: password, as: UTF8.self)),
      token.count == 20
    else { return false }
    // token = stage1 XOR SHA1(seed ‖ stored); recover stage1 and check SHA1(stage1) == stored.
    let mask = SHA1.hash(seed + stored)
    var stage1 = [UInt8](repeating: 0, count: 20)
    for i in 0..<20 { stage1[i] = token[i] ^ mask[i] }
    return SHA1.hash(stage1) == stored
  }
}

/// A credentials option that cannot be used.
public struct CanalAuthError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var description: String { message }
}

/// The client side of the scramble, as the Java client and canal-go compute it.
public enum CanalScramble {
  /// `hex(SHA1(pw) XOR SHA1(seed ‖ SHA1(SHA1(pw))))` in lowercase, the bytes a client sends as
  /// `ClientAuth.password`.
  public static func clientToken(password: String, seed: [UInt8]) -> String {
    let stage1 = SHA1.hash(Array(password.utf8))
    let stage2 = SHA1.hash(stage1)
    let mask = SHA1.hash(seed + stage2)
    var token = [UInt8](repeating: 0, count: 20)
    for i in 0..<20 { token[i] = stage1[i] ^ mask[i] }
    return encodeHex(token)
  }

  public static func encodeHex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes hex digits (either case); `nil` for an odd length or a non-hex character.
  public static func decodeHex(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
      default: return nil
      }
    }
    var out: [UInt8] = []
    out.reserveCapacity(chars.count / 2)
    var i = 0
    while i < chars.count {
      guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
      out.append(hi << 4 | lo)
      i += 2
    }
    return out
  }
}

/// SHA-1 (FIPS 180-4), only for the Canal password scramble; it is not used for anything that
/// needs collision resistance.
public enum SHA1 {
  public static func hash(_ message: [UInt8]) -> [UInt8] {
    var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (
      0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0
    )
    var padded = message
    padded.append(0x80)
    while padded.count % 64 != 56 { padded.append(0) }
    let bitLength = UInt64(message.count) &* 8
    for shift in stride(from: 56, through: 0, by: -8) {
      padded.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }

    var w = [UInt32](repeating: 0, count: 80)
    var chunk = 0
    while chunk < padded.count {
      for i in 0..<16 {
        let j = chunk + i * 4
        w[i] =
          UInt32(padded[j]) << 24 | UInt32(padded[j + 1]) << 16 | UInt32(padded[j + 2]) << 8
          | UInt32(padded[j + 3])
      }
      for i in 16..<80 {
        let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
        w[i] = x << 1 | x >> 31
      }
      var (a, b, c, d, e) = h
      for i in 0..<80 {
        let f: UInt32
        let k: UInt32
        switch i {
        case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
        case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
        case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
        default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
        }
        let t = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
        e = d
        d = c
        c = b << 30 | b >> 2
        b = a
        a = t
      }
      h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
      chunk += 64
    }
    var out: [UInt8] = []
    out.reserveCapacity(20)
    for word in [h.0, h.1, h.2, h.3, h.4] {
      out.append(UInt8(truncatingIfNeeded: word >> 24))
      out.append(UInt8(truncatingIfNeeded: word >> 16))
      out.append(UInt8(truncatingIfNeeded: word >> 8))
      out.append(UInt8(truncatingIfNeeded: word))
    }
    return out
  }
}
