/// A MariaDB GTID *position*: a list like `0-1-100,1-2-5`, the form of `@@gtid_slave_pos`,
/// `@@gtid_binlog_state` and the GTID_LIST event at the start of every binlog file.
///
/// MariaDB sequence numbers grow monotonically within a replication domain, so a position says
/// "everything in domain D up to seq N has happened". `contains(_:)` answers exactly that: a GTID
/// is contained if the list has an entry for its domain whose seq is at or after the GTID's seq;
/// the server id of the GTID is not compared. A list may hold several entries for one domain (a
/// binlog state keeps one per domain and server); the highest seq of the domain counts. Domains
/// not listed contain nothing.
///
/// Text: comma-separated `domain-server-seq` triples; whitespace around tokens and empty entries
/// are allowed; blank text is the empty list.
public struct MariaGTIDList: Hashable, Sendable, CustomStringConvertible {
  /// The entries in the order given (or, for `record(_:)`, first-seen order per domain and server).
  public private(set) var gtids: [MariaGTID] = []
  private var highestSeq: [UInt32: UInt64] = [:]

  public init() {}

  public init(_ gtids: some Sequence<MariaGTID>) {
    for g in gtids { append(g) }
  }

  public init(parsing text: some StringProtocol) throws(BinlogError) {
    var s = GTIDTextScanner(text, what: "MariaDB GTID list")
    while true {
      s.skipWhitespace()
      while s.consume(UInt8(ascii: ",")) { s.skipWhitespace() }
      if s.isAtEnd { return }
      append(try s.mariaGTID())
      s.skipWhitespace()
      guard s.isAtEnd || s.peek == UInt8(ascii: ",") else { throw s.error("',' or the end") }
    }
  }

  public var isEmpty: Bool { gtids.isEmpty }

  /// Domains with at least one entry, ascending.
  public var domains: [UInt32] { highestSeq.keys.sorted() }

  /// The entry with the highest seq in `domain`, or nil if the domain is not listed.
  public func position(forDomain domain: UInt32) -> MariaGTID? {
    guard let seq = highestSeq[domain] else { return nil }
    return gtids.last { $0.domain == domain && $0.seq == seq }
  }

  /// True if `gtid` is at or before this position in its domain (server id ignored).
  public func contains(_ gtid: MariaGTID) -> Bool {
    guard let seq = highestSeq[gtid.domain] else { return false }
    return gtid.seq <= seq
  }

  /// Adds an entry as written, keeping any existing entries.
  public mutating func append(_ gtid: MariaGTID) {
    gtids.append(gtid)
    highestSeq[gtid.domain] = max(highestSeq[gtid.domain] ?? 0, gtid.seq)
  }

  /// Advances the position past `gtid` the way a binlog state does: replaces the entry for the
  /// same domain and server, or appends one.
  public mutating func record(_ gtid: MariaGTID) {
    if let i = gtids.firstIndex(where: { $0.domain == gtid.domain && $0.server == gtid.server }) {
      gtids[i] = gtid
      highestSeq[gtid.domain] = gtids.lazy.filter { $0.domain == gtid.domain }.map(\.seq).max()
    } else {
      append(gtid)
    }
  }

  /// `0-1-100,1-2-5`: entries in order, "," between them, no spaces.
  public var description: String { gtids.map(\.description).joined(separator: ",") }
}

/// A MariaDB GTID *filter* for options like `--include-gtids` / `--exclude-gtids`: matches exact
/// GTIDs and ranges of sequence numbers, never "everything before" (use `MariaGTIDList` for
/// positions).
///
/// Text: comma-separated elements, whitespace and empty elements allowed:
/// - `0-1-100`: exactly that GTID;
/// - `0-1-5..0-1-9` or `0-1-5..9`: seq 5 through 9 of domain 0, server 1 (both ends inclusive;
///   both ends must name the same domain and server, the end not below the start);
/// - a server of `*` (`0-*-100`, `0-*-5..9`) matches any server id in that domain.
public struct MariaGTIDFilter: Hashable, Sendable, CustomStringConvertible {
  /// One exact GTID or range.
  public struct Element: Hashable, Sendable, CustomStringConvertible {
    public var domain: UInt32
    /// Nil matches any server id.
    public var server: UInt32?
    public var seqs: ClosedRange<UInt64>

    public init(domain: UInt32, server: UInt32?, seqs: ClosedRange<UInt64>) {
      self.domain = domain
      self.server = server
      self.seqs = seqs
    }

    @inlinable public func matches(_ g: MariaGTID) -> Bool {
      g.domain == domain && (server == nil || server == g.server) && seqs.contains(g.seq)
    }

    public var description: String {
      let s = server.map(String.init) ?? "*"
      if seqs.lowerBound == seqs.upperBound { return "\(domain)-\(s)-\(seqs.lowerBound)" }
      return "\(domain)-\(s)-\(seqs.lowerBound)..\(seqs.upperBound)"
    }
  }

  public var elements: [Element]

  public init(_ elements: [Element] = []) { self.elements = elements }

  public init(parsing text: some StringProtocol) throws(BinlogError) {
    elements = []
    var s = GTIDTextScanner(text, what: "MariaDB GTID filter")
    while true {
      s.skipWhitespace()
      while s.consume(UInt8(ascii: ",")) { s.skipWhitespace() }
      if s.isAtEnd { return }
      let domain = UInt32(try s.number(max: UInt64(UInt32.max), "a domain id"))
      try s.expect(UInt8(ascii: "-"), "'-' after the domain id")
      let server = try s.serverOrWildcard()
      try s.expect(UInt8(ascii: "-"), "'-' after the server id")
      let first = try s.number(max: UInt64.max, "a sequence number")
      var last = first
      s.skipWhitespace()
      if s.consume(UInt8(ascii: ".")) {
        try s.expect(UInt8(ascii: "."), "'..' between range ends")
        s.skipWhitespace()
        let endStart = s.position
        let n = try s.number(max: UInt64.max, "a sequence number")
        if s.consume(UInt8(ascii: "-")) {
          // Full form d-s-n: must repeat the same domain and server.
          let server2 = try s.serverOrWildcard()
          try s.expect(UInt8(ascii: "-"), "'-' after the server id")
          last = try s.number(max: UInt64.max, "a sequence number")
          guard UInt64(domain) == n, server2 == server else {
            s.position = endStart
            let startSource = "\(domain)-\(server.map(String.init) ?? "*")"
            throw s.error("a range end in the same domain and server as its start (\(startSource))")
          }
        } else {
          last = n
        }
        guard last >= first else {
          s.position = endStart
          throw s.error("a range end no smaller than its start \(first)")
        }
      }
      elements.append(Element(domain: domain, server: server, seqs: first...last))
      s.skipWhitespace()
      guard s.isAtEnd || s.peek == UInt8(ascii: ",") else { throw s.error("'..', ',' or the end") }
    }
  }

  public var isEmpty: Bool { elements.isEmpty }

  /// True if any element matches `gtid` exactly or by range.
  @inlinable public func contains(_ gtid: MariaGTID) -> Bool {
    elements.contains { $0.matches(gtid) }
  }

  public var description: String { elements.map(\.description).joined(separator: ",") }
}

extension GTIDTextScanner {
  /// A server id, or nil for `*` (any server).
  fileprivate mutating func serverOrWildcard() throws(BinlogError) -> UInt32? {
    if consume(UInt8(ascii: "*")) { return nil }
    return UInt32(try number(max: UInt64(UInt32.max), "a server id or '*'"))
  }
}
