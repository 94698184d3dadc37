/// A set of MySQL GTIDs with MySQL's `GTID_SET` semantics, tags included (MySQL 8.3+).
///
/// The set maps each transaction source (a `TSID`: UUID plus optional tag) to sorted, disjoint,
/// non-adjacent closed ranges of GNOs, so `uuid:1-3:4-5` and `uuid:1-5` are the same value and
/// compare equal. GNOs are 1...`MySQLGTID.maxGNO`; sets built from text or events always respect
/// that. A tagged source and the untagged source of the same UUID are unrelated: `uuid:5` is not
/// in `uuid:tag:1-10`.
///
/// Text syntax (parsed by `init(parsing:)`, as MySQL's `Gtid_set::add_gtid_text` accepts it):
///
///     set   := [entry] { "," [entry] }          empty entries ("a,,b", a trailing ",") are allowed
///     entry := uuid { ":" item }
///     item  := tag | gno [ "-" gno ]           a tag applies to the items after it in the entry
///
/// e.g. `3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7, 3e11fa47-71ca-11e1-9e33-c80aa9429562:web:1-3`
/// or, with the tag switching inside one entry, `3e11fa47-…:1-5:web:3-4:batch:1`. Whitespace
/// (including newlines, as in `SELECT @@gtid_executed` output) may appear around any token. UUIDs
/// are 8-4-4-4-12 or 32 hex digits, any case; tags are `[A-Za-z_][A-Za-z0-9_]{0,31}` and are
/// stored lowercase; GNOs are decimal. Stricter than MySQL in two places: a range whose end is
/// below its start (`5-3`, which MySQL silently ignores) is an error, and GNOs must be decimal
/// (MySQL's `strtoll(…, 0)` also takes hex and octal).
public struct GTIDSet: Hashable, Sendable, CustomStringConvertible {
  /// A transaction source identifier: server UUID plus optional tag (MySQL's `Tsid`).
  public struct TSID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var sid: UUID128
    /// Lowercase tag, or nil for untagged GTIDs.
    public var tag: String?

    @inlinable public init(sid: UUID128, tag: String? = nil) {
      self.sid = sid
      self.tag = tag
    }

    /// UUID order, then untagged before tagged, then tags in byte order (MySQL's `Tsid::operator<`).
    public static func < (a: TSID, b: TSID) -> Bool {
      if a.sid != b.sid { return a.sid < b.sid }
      switch (a.tag, b.tag) {
      case (nil, nil): return false
      case (nil, _): return true
      case (_, nil): return false
      case (let x?, let y?): return x.utf8.lexicographicallyPrecedes(y.utf8)
      }
    }

    public var description: String { tag.map { "\(sid):\($0)" } ?? sid.description }
  }

  /// How `text(_:)` separates UUIDs.
  public enum TextStyle: Sendable {
    /// Exactly as MySQL prints `@@gtid_executed` and `Previous_gtids`: UUIDs joined with ",\n".
    case mysql
    /// One line, UUIDs joined with "," and no spaces.
    case compact
  }

  /// Sorted, disjoint, non-adjacent ranges per source; never holds an empty array.
  private var storage: [TSID: [ClosedRange<Int64>]] = [:]

  public init() {}

  /// Parses MySQL GTID-set text (see the type's documentation); empty or blank text is the empty set.
  public init(parsing text: some StringProtocol) throws(BinlogError) {
    var s = GTIDTextScanner(text, what: "GTID set")
    while true {
      s.skipWhitespace()
      while s.consume(UInt8(ascii: ",")) { s.skipWhitespace() }
      if s.isAtEnd { return }
      var tsid = TSID(sid: try s.uuid())
      s.skipWhitespace()
      while s.consume(UInt8(ascii: ":")) {
        s.skipWhitespace()
        if let tag = try s.tag() {
          tsid.tag = tag
        } else {
          let start = try s.gno()
          s.skipWhitespace()
          var end = start
          if s.consume(UInt8(ascii: "-")) {
            s.skipWhitespace()
            let rangeEnd = s.position
            end = try s.gno()
            guard end >= start else {
              s.position = rangeEnd
              throw s.error("a range end no smaller than its start \(start)")
            }
          }
          insert(start...end, for: tsid)
        }
        s.skipWhitespace()
      }
      guard s.isAtEnd || s.peek == UInt8(ascii: ",") else {
        throw s.error("':', ',' or the end after \"\(tsid)\"")
      }
    }
  }

  /// The set holding exactly these GTIDs.
  public init(_ gtids: some Sequence<MySQLGTID>) {
    for g in gtids { insert(g) }
  }

  public var isEmpty: Bool { storage.isEmpty }

  /// The sources that have at least one GNO, in MySQL's print order.
  public var sources: [TSID] { storage.keys.sorted() }

  /// The GNO ranges of one source, ascending, disjoint and non-adjacent; empty if none.
  public func intervals(for tsid: TSID) -> [ClosedRange<Int64>] { storage[tsid] ?? [] }

  /// The highest GNO of one source, or nil if the set has none for it.
  public func lastGNO(for tsid: TSID) -> Int64? { storage[tsid]?.last?.upperBound }

  /// Number of GTIDs in the set, saturating at `UInt64.max`.
  public var count: UInt64 {
    var total: UInt64 = 0
    for ranges in storage.values {
      for r in ranges {
        let (n, o1) = UInt64(bitPattern: r.upperBound &- r.lowerBound).addingReportingOverflow(1)
        let (sum, o2) = total.addingReportingOverflow(n)
        if o1 || o2 { return .max }
        total = sum
      }
    }
    return total
  }

  public func contains(_ gtid: MySQLGTID) -> Bool {
    contains(sid: gtid.sid, tag: gtid.tag, gno: gtid.gno)
  }

  /// Membership without building a `MySQLGTID`: a hash lookup plus a binary search.
  public func contains(sid: UUID128, tag: String?, gno: Int64) -> Bool {
    guard let ranges = storage[TSID(sid: sid, tag: tag)] else { return false }
    // Last range whose lowerBound <= gno.
    var lo = 0
    var hi = ranges.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if ranges[mid].lowerBound <= gno { lo = mid + 1 } else { hi = mid }
    }
    return lo > 0 && ranges[lo - 1].upperBound >= gno
  }

  public mutating func insert(_ gtid: MySQLGTID) {
    insert(gtid.gno...gtid.gno, for: gtid.tsid)
  }

  /// Adds a range of GNOs of one source, merging with touching or overlapping ranges.
  public mutating func insert(_ gnos: ClosedRange<Int64>, for tsid: TSID) {
    GTIDSet.insert(gnos, into: &storage[tsid, default: []])
  }

  public mutating func formUnion(_ other: GTIDSet) {
    for (tsid, theirs) in other.storage {
      if let mine = storage[tsid] {
        storage[tsid] = GTIDSet.union(mine, theirs)
      } else {
        storage[tsid] = theirs
      }
    }
  }

  public func union(_ other: GTIDSet) -> GTIDSet {
    var copy = self
    copy.formUnion(other)
    return copy
  }

  /// Removes every GTID that is in `other` (MySQL's `GTID_SUBTRACT`).
  public mutating func subtract(_ other: GTIDSet) {
    for (tsid, theirs) in other.storage {
      guard let mine = storage[tsid] else { continue }
      let rest = GTIDSet.subtract(mine, theirs)
      storage[tsid] = rest.isEmpty ? nil : rest
    }
  }

  public func subtracting(_ other: GTIDSet) -> GTIDSet {
    var copy = self
    copy.subtract(other)
    return copy
  }

  public func intersection(_ other: GTIDSet) -> GTIDSet {
    var result = GTIDSet()
    for (tsid, mine) in storage {
      guard let theirs = other.storage[tsid] else { continue }
      let common = GTIDSet.intersect(mine, theirs)
      if !common.isEmpty { result.storage[tsid] = common }
    }
    return result
  }

  /// True if every GTID of this set is in `other` (MySQL's `GTID_SUBSET`).
  public func isSubset(of other: GTIDSet) -> Bool {
    for (tsid, mine) in storage {
      guard let theirs = other.storage[tsid], GTIDSet.subtract(mine, theirs).isEmpty else { return false }
    }
    return true
  }

  /// The set as text: sources in UUID order (untagged first, then tags in order), each UUID
  /// written once with its tagged groups after it, e.g.
  /// `uuid1:1-13:mytag:1-2,\nuuid2:5` (`.mysql`) or the same with "," only (`.compact`).
  /// The empty set is the empty string, as in MySQL.
  public func text(_ style: TextStyle = .mysql) -> String {
    var out = ""
    var previous: UUID128?
    for tsid in sources {
      if tsid.sid != previous {
        if previous != nil { out += style == .mysql ? ",\n" : "," }
        out += tsid.sid.description
        previous = tsid.sid
      }
      if let tag = tsid.tag { out += ":" + tag }
      for r in storage[tsid]! {
        out += ":" + String(r.lowerBound)
        if r.upperBound != r.lowerBound { out += "-" + String(r.upperBound) }
      }
    }
    return out
  }

  /// MySQL's own format (`text(.mysql)`), with ",\n" between UUIDs.
  public var description: String { text(.mysql) }

  // MARK: - Range algebra on sorted, disjoint, non-adjacent arrays

  /// True if `a` ends before `b` starts with at least one GNO between them.
  @inline(__always) static func isStrictlyBefore(_ a: ClosedRange<Int64>, _ b: ClosedRange<Int64>) -> Bool {
    // a.upperBound < b.lowerBound <= Int64.max, so the +1 cannot overflow.
    a.upperBound < b.lowerBound && a.upperBound + 1 < b.lowerBound
  }

  static func insert(_ r: ClosedRange<Int64>, into list: inout [ClosedRange<Int64>]) {
    // First range that is not strictly before r.
    var lo = 0
    var hi = list.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if isStrictlyBefore(list[mid], r) { lo = mid + 1 } else { hi = mid }
    }
    var j = lo
    var merged = r
    while j < list.count, !isStrictlyBefore(merged, list[j]) {
      merged = min(merged.lowerBound, list[j].lowerBound)...max(merged.upperBound, list[j].upperBound)
      j += 1
    }
    list.replaceSubrange(lo..<j, with: CollectionOfOne(merged))
  }

  static func union(_ a: [ClosedRange<Int64>], _ b: [ClosedRange<Int64>]) -> [ClosedRange<Int64>] {
    var out: [ClosedRange<Int64>] = []
    out.reserveCapacity(a.count + b.count)
    var i = 0
    var j = 0
    while i < a.count || j < b.count {
      let next: ClosedRange<Int64>
      if j >= b.count || (i < a.count && a[i].lowerBound <= b[j].lowerBound) {
        next = a[i]
        i += 1
      } else {
        next = b[j]
        j += 1
      }
      if let last = out.last, !isStrictlyBefore(last, next) {
        out[out.count - 1] = last.lowerBound...max(last.upperBound, next.upperBound)
      } else {
        out.append(next)
      }
    }
    return out
  }

  static func subtract(_ a: [ClosedRange<Int64>], _ b: [ClosedRange<Int64>]) -> [ClosedRange<Int64>] {
    var out: [ClosedRange<Int64>] = []
    var j = 0
    for r in a {
      var lower = r.lowerBound
      let upper = r.upperBound
      var alive = true
      while j < b.count, b[j].upperBound < lower { j += 1 }
      var k = j
      while alive, k < b.count, b[k].lowerBound <= upper {
        let cut = b[k]
        if cut.lowerBound > lower { out.append(lower...(cut.lowerBound - 1)) }
        if cut.upperBound >= upper {
          alive = false
        } else {
          lower = cut.upperBound + 1
          k += 1
        }
      }
      if alive { out.append(lower...upper) }
    }
    return out
  }

  static func intersect(_ a: [ClosedRange<Int64>], _ b: [ClosedRange<Int64>]) -> [ClosedRange<Int64>] {
    var out: [ClosedRange<Int64>] = []
    var i = 0
    var j = 0
    while i < a.count, j < b.count {
      let lower = max(a[i].lowerBound, b[j].lowerBound)
      let upper = min(a[i].upperBound, b[j].upperBound)
      if lower <= upper { out.append(lower...upper) }
      if a[i].upperBound < b[j].upperBound { i += 1 } else { j += 1 }
    }
    return out
  }
}
