/// A MySQL GTID: `uuid:gno`, or `uuid:tag:gno` for a tagged GTID (MySQL 8.3+).
///
/// `sid` is the source server UUID, `tag` the optional lowercase tag (`[a-z_][a-z0-9_]{0,31}`),
/// `gno` the transaction number, 1...Int64.max-1. Two GTIDs with the same UUID but different tags
/// belong to different transaction sources (TSIDs) and never match each other.
public struct MySQLGTID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var sid: UUID128
  /// Lowercase tag, or nil for an untagged GTID. Never the empty string.
  public var tag: String?
  public var gno: Int64

  @inlinable public init(sid: UUID128, tag: String? = nil, gno: Int64) {
    self.sid = sid
    self.tag = tag
    self.gno = gno
  }

  /// Parses `uuid:gno` or `uuid:tag:gno`; whitespace around the parts is ignored, the UUID may be
  /// written without dashes and in any case, the tag in any case (it is stored lowercase).
  public init(parsing text: some StringProtocol) throws(BinlogError) {
    var s = GTIDTextScanner(text, what: "GTID")
    s.skipWhitespace()
    let sid = try s.uuid()
    s.skipWhitespace()
    try s.expect(UInt8(ascii: ":"), "':' after the UUID")
    s.skipWhitespace()
    let tag = try s.tag()
    if tag != nil {
      s.skipWhitespace()
      try s.expect(UInt8(ascii: ":"), "':' after the tag")
      s.skipWhitespace()
    }
    let gno = try s.gno()
    s.skipWhitespace()
    guard s.isAtEnd else { throw s.error("end of text") }
    self.init(sid: sid, tag: tag, gno: gno)
  }

  /// The transaction source identifier: UUID plus tag.
  @inlinable public var tsid: GTIDSet.TSID { GTIDSet.TSID(sid: sid, tag: tag) }

  public var description: String {
    if let tag { return "\(sid):\(tag):\(gno)" }
    return "\(sid):\(gno)"
  }

  /// Orders by UUID, then tag (untagged first), then gno: the order MySQL prints sets in.
  public static func < (a: MySQLGTID, b: MySQLGTID) -> Bool {
    if a.tsid != b.tsid { return a.tsid < b.tsid }
    return a.gno < b.gno
  }

  /// Largest valid GNO (MySQL's GNO_END is Int64.max, exclusive).
  public static let maxGNO: Int64 = Int64.max - 1

  /// True if `tag` is a valid MySQL GTID tag: 1–32 characters, a letter or `_` first, then letters,
  /// digits or `_`. Case is allowed here; MySQL stores and prints tags in lowercase.
  public static func isValidTag(_ tag: some StringProtocol) -> Bool {
    let u = Array(tag.utf8)
    guard !u.isEmpty, u.count <= GTIDTextScanner.maxTagLength else { return false }
    for (i, c) in u.enumerated() where !GTIDTextScanner.isTagCharacter(c, first: i == 0) { return false }
    return true
  }
}

/// A MariaDB GTID: `domain-server-seq`. The server id is not stored in the GTID event body; it
/// comes from the event header.
public struct MariaGTID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var domain: UInt32
  public var server: UInt32
  public var seq: UInt64

  @inlinable public init(domain: UInt32, server: UInt32, seq: UInt64) {
    self.domain = domain
    self.server = server
    self.seq = seq
  }

  /// Parses `domain-server-seq` (three unsigned decimal numbers), whitespace around it ignored.
  public init(parsing text: some StringProtocol) throws(BinlogError) {
    var s = GTIDTextScanner(text, what: "MariaDB GTID")
    s.skipWhitespace()
    self = try s.mariaGTID()
    s.skipWhitespace()
    guard s.isAtEnd else { throw s.error("end of text") }
  }

  public var description: String { "\(domain)-\(server)-\(seq)" }

  /// Orders by domain, then seq, then server.
  public static func < (a: MariaGTID, b: MariaGTID) -> Bool {
    if a.domain != b.domain { return a.domain < b.domain }
    if a.seq != b.seq { return a.seq < b.seq }
    return a.server < b.server
  }
}

/// A GTID from either server family.
public enum GTID: Hashable, Sendable, CustomStringConvertible {
  case mysql(MySQLGTID)
  case mariadb(MariaGTID)

  /// Parses a MySQL GTID if the text contains `:`, otherwise a MariaDB `d-s-n`.
  public init(parsing text: some StringProtocol) throws(BinlogError) {
    if text.utf8.contains(UInt8(ascii: ":")) {
      self = .mysql(try MySQLGTID(parsing: text))
    } else {
      self = .mariadb(try MariaGTID(parsing: text))
    }
  }

  public var description: String {
    switch self {
    case .mysql(let g): return g.description
    case .mariadb(let g): return g.description
    }
  }
}

/// Shared tokenizer for the GTID text syntaxes; errors name the text and a 1-based character index.
struct GTIDTextScanner {
  static let maxTagLength = 32

  let text: [UInt8]
  let what: String
  var position = 0

  init(_ source: some StringProtocol, what: String) {
    self.text = Array(source.utf8)
    self.what = what
  }

  var isAtEnd: Bool { position >= text.count }
  var peek: UInt8? { position < text.count ? text[position] : nil }

  /// MySQL skips `isspace` characters between tokens: space, \t, \n, \v, \f, \r.
  mutating func skipWhitespace() {
    while let c = peek, c == 0x20 || (0x09...0x0d).contains(c) { position += 1 }
  }

  mutating func consume(_ c: UInt8) -> Bool {
    if peek == c {
      position += 1
      return true
    }
    return false
  }

  mutating func expect(_ c: UInt8, _ what: String) throws(BinlogError) {
    guard consume(c) else { throw error(what) }
  }

  func error(_ expected: String) -> BinlogError {
    var shown = String(decoding: text.prefix(200), as: UTF8.self)
    if text.count > 200 { shown += "…" }
    let found: String
    if isAtEnd {
      found = "the end"
    } else {
      let rest = String(decoding: text[position...].prefix(12), as: UTF8.self)
      found = "\"\(rest)\" at character \(position + 1)"
    }
    return BinlogError(.malformed, "invalid \(what) \"\(shown)\": expected \(expected), found \(found)")
  }

  /// A 36-character dashed or 32-character undashed UUID, any case.
  mutating func uuid() throws(BinlogError) -> UUID128 {
    for length in [36, 32] where position + length <= text.count {
      let end = position + length
      // An undashed UUID must not run on into more hex digits.
      if length == 32, end < text.count, UUID128.hexValue(text[end]) != nil { continue }
      if let u = UUID128.parse(text[position..<end]) {
        position = end
        return u
      }
    }
    throw error("a UUID")
  }

  static func isTagCharacter(_ c: UInt8, first: Bool) -> Bool {
    switch c {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): return true
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return !first
    default: return false
    }
  }

  /// A tag if the next character can start one (letter or `_`), lowercased; nil otherwise.
  mutating func tag() throws(BinlogError) -> String? {
    guard let c = peek, GTIDTextScanner.isTagCharacter(c, first: true) else { return nil }
    let start = position
    while let c = peek, GTIDTextScanner.isTagCharacter(c, first: position == start) { position += 1 }
    guard position - start <= GTIDTextScanner.maxTagLength else {
      position = start
      throw error("a tag of at most \(GTIDTextScanner.maxTagLength) characters")
    }
    let lowered = text[start..<position].map { ($0 >= 0x41 && $0 <= 0x5a) ? $0 + 0x20 : $0 }
    return String(decoding: lowered, as: UTF8.self)
  }

  /// An unsigned decimal number that fits in `max`.
  mutating func number(max: UInt64, _ what: String) throws(BinlogError) -> UInt64 {
    let start = position
    var v: UInt64 = 0
    while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
      if o1 || o2 || a > max {
        position = start
        throw error("\(what) no larger than \(max)")
      }
      v = a
      position += 1
    }
    guard position > start else { throw error(what) }
    return v
  }

  /// A GNO in 1...MySQLGTID.maxGNO.
  mutating func gno() throws(BinlogError) -> Int64 {
    let start = position
    let v = try number(max: UInt64(MySQLGTID.maxGNO), "a transaction number (1 or more)")
    guard v >= 1 else {
      position = start
      throw error("a transaction number (1 or more)")
    }
    return Int64(v)
  }

  mutating func mariaGTID() throws(BinlogError) -> MariaGTID {
    let d = try number(max: UInt64(UInt32.max), "a domain id")
    try expect(UInt8(ascii: "-"), "'-' after the domain id")
    let s = try number(max: UInt64(UInt32.max), "a server id")
    try expect(UInt8(ascii: "-"), "'-' after the server id")
    let n = try number(max: UInt64.max, "a sequence number")
    return MariaGTID(domain: UInt32(d), server: UInt32(s), seq: n)
  }
}
