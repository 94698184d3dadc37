/// Canal client authentication (canal-protocol.md §3.4): MySQL 4.1-style password scramble over the handshake seed.

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
