/// How a binlog's events are framed: from the Format_description_event (binlog v4) or
/// synthesized for a Start_v3 file.
public struct FormatDescription: Sendable, Equatable {
  public enum Checksum: String, Sendable {
    case none = "NONE"
    case crc32 = "CRC32"
    /// Written by a server older than MySQL 5.6.1 / MariaDB 5.3: no algorithm byte at all.
    case notSupported = "none (pre-checksum server)"
  }
  public enum Flavor: String, Sendable {
    case mysql = "MySQL"
    case mariadb = "MariaDB"
  }

  public var binlogVersion: UInt16
  public var serverVersion: String
  public var createTimestamp: UInt32
  public var headerLength: Int
  public var postHeaderLengths: [UInt8]
  public var checksum: Checksum
  public var flavor: Flavor
  /// Pre-GA MySQL 5.1.0–5.1.15 (and the 5.1 "a_drop5p"/"a_drop6p" trees) numbered events 16–22
  /// differently; this maps their type codes to today's. nil for every other server.
  public var typePermutation: [UInt8]?
  public var versionTuple: (Int, Int, Int) { FormatDescription.parseVersion(serverVersion) }

  public static func == (a: FormatDescription, b: FormatDescription) -> Bool {
    a.binlogVersion == b.binlogVersion && a.serverVersion == b.serverVersion
      && a.createTimestamp == b.createTimestamp && a.headerLength == b.headerLength
      && a.postHeaderLengths == b.postHeaderLengths && a.checksum == b.checksum
  }

  public init(
    binlogVersion: UInt16, serverVersion: String, createTimestamp: UInt32, headerLength: Int,
    postHeaderLengths: [UInt8], checksum: Checksum
  ) {
    self.binlogVersion = binlogVersion
    self.serverVersion = serverVersion
    self.createTimestamp = createTimestamp
    self.headerLength = headerLength
    self.postHeaderLengths = postHeaderLengths
    self.checksum = checksum
    self.flavor = Self.version(serverVersion, has: "MariaDB") ? .mariadb : .mysql
  }

  /// Whether the server version holds `word`, byte for byte. (`String.contains(_:)` builds a
  /// `_StringProcessing` searcher whose generic types the runtime instantiates on first use,
  /// ~0.2 ms of every command's start-up.)
  static func version(_ serverVersion: String, has word: String) -> Bool {
    let text = Array(serverVersion.utf8)
    let w = Array(word.utf8)
    guard !w.isEmpty, w.count <= text.count else { return w.isEmpty }
    for i in 0...(text.count - w.count) where text[i..<(i + w.count)].elementsEqual(w) { return true }
    return false
  }

  /// Parses a Format_description_event body. `wholeEvent` is the entire event (needed to find
  /// the checksum algorithm byte, which sits just before the trailing 4-byte CRC).
  public init(event wholeEvent: UnsafeRawBufferPointer, headerLength eventHeaderLength: Int) throws(BinlogError) {
    var c = ByteCursor(wholeEvent, position: eventHeaderLength)
    binlogVersion = try c.u16("binlog version")
    serverVersion = try c.fixedString(50, "server version")
    createTimestamp = try c.u32("create timestamp")
    headerLength = Int(try c.u8("common header length"))
    guard headerLength >= 19 || (binlogVersion == 1 && headerLength >= 13) else {
      throw BinlogError(.malformed, "common header length \(headerLength) is below 19", innerOffset: c.position - 1)
    }
    flavor = Self.version(serverVersion, has: "MariaDB") ? .mariadb : .mysql
    let v = FormatDescription.parseVersion(serverVersion)
    let supportsChecksum: Bool
    if flavor == .mariadb {
      supportsChecksum = v >= (5, 3, 0)
    } else {
      supportsChecksum = v >= (5, 6, 1)
    }
    var n = c.remaining
    if supportsChecksum {
      guard n >= 5 else {
        throw BinlogError(.truncated, "format description too short for its checksum algorithm byte", innerOffset: c.position)
      }
      n -= 5
      let alg = wholeEvent[wholeEvent.count - 5]
      switch alg {
      case 0: checksum = .none
      case 1: checksum = .crc32
      default:
        throw BinlogError(.malformed, "unknown checksum algorithm \(alg)", innerOffset: wholeEvent.count - 5)
      }
    } else {
      checksum = .notSupported
    }
    postHeaderLengths = Array(try c.bytes(n, "post-header lengths"))
    if (v.0 == 5 && v.1 == 1 && v.2 <= 15) || Self.version(serverVersion, has: "a_drop5p")
      || Self.version(serverVersion, has: "a_drop6p")
    {
      // Old codes: 16 Table_map, 17-19 pre-GA rows, 20 Xid, 21 Begin_load_query, 22 Execute_load_query.
      var perm = (0...255).map { UInt8($0) }
      perm[16] = 19
      perm[17] = 20
      perm[18] = 21
      perm[19] = 22
      perm[20] = 16
      perm[21] = 17
      perm[22] = 18
      typePermutation = perm
      var permuted = postHeaderLengths
      for old in 16...22 where old - 1 < postHeaderLengths.count && Int(perm[old]) - 1 < permuted.count {
        permuted[Int(perm[old]) - 1] = postHeaderLengths[old - 1]
      }
      postHeaderLengths = permuted
    }
  }

  /// A description for files that begin with a Start_v3 event (MySQL 3.23–4.x).
  public static func legacy(binlogVersion: UInt16, serverVersion: String, createTimestamp: UInt32) -> FormatDescription {
    // Post-header lengths of binlog v3 (MySQL 4.0): Query 11, Load 18, Rotate 8 (v1: 0), ...
    var post = [UInt8](repeating: 0, count: 14)
    post[Int(EventType.startV3.rawValue) - 1] = 56
    post[Int(EventType.query.rawValue) - 1] = 11
    post[Int(EventType.rotate.rawValue) - 1] = binlogVersion == 1 ? 0 : 8
    post[Int(EventType.load.rawValue) - 1] = 18
    post[Int(EventType.createFile.rawValue) - 1] = 22
    post[Int(EventType.appendBlock.rawValue) - 1] = 4
    post[Int(EventType.execLoad.rawValue) - 1] = 4
    post[Int(EventType.deleteFile.rawValue) - 1] = 4
    post[Int(EventType.newLoad.rawValue) - 1] = 18
    return FormatDescription(
      binlogVersion: binlogVersion, serverVersion: serverVersion, createTimestamp: createTimestamp,
      headerLength: binlogVersion == 1 ? 13 : 19, postHeaderLengths: post, checksum: .notSupported)
  }

  /// Post-header length for `type`, falling back to the well-known default when the
  /// format description's table is shorter (e.g. MariaDB types in a MySQL table).
  @inlinable public func postHeaderLength(_ type: EventType) -> Int {
    let i = Int(type.rawValue) - 1
    if i >= 0 && i < postHeaderLengths.count { return Int(postHeaderLengths[i]) }
    return FormatDescription.defaultPostHeaderLength(type)
  }

  public static func defaultPostHeaderLength(_ type: EventType) -> Int {
    switch type.rawValue {
    case 2, 165: return 13
    case 4: return 8
    case 5, 13, 14, 16: return 0
    case 17: return 4
    case 18: return 26
    case 19: return 8
    case 20...25, 166...168: return 8
    case 30...32, 39, 169...171: return 10
    case 33, 34: return 42
    case 160: return 0
    case 161: return 4
    case 162: return 19
    case 163: return 4
    default: return 0
    }
  }

  /// "5.7.19-log" → (5, 7, 19); "10.5.15-MariaDB-1:10.5.15+maria~focal-log" → (10, 5, 15).
  public static func parseVersion(_ s: String) -> (Int, Int, Int) {
    var parts: [Int] = []
    var cur = 0
    var inNumber = false
    for u in s.utf8 {
      if u >= 48 && u <= 57 {
        cur = cur &* 10 &+ Int(u - 48)
        inNumber = true
      } else {
        if inNumber { parts.append(cur) }
        cur = 0
        inNumber = false
        if u != 46 || parts.count >= 3 { break }
      }
    }
    if inNumber && parts.count < 3 { parts.append(cur) }
    while parts.count < 3 { parts.append(0) }
    return (parts[0], parts[1], parts[2])
  }
}
