/// Two change streams compared by transactions and row changes: a fixture binlog against another
/// one, or against a golden NDJSON export.
///
/// Transactions are paired in order by their shape (each change's type, table and key values,
/// or statement text); a run of transactions only one side has is found by looking ahead, so an
/// extra transaction is reported once rather than shifting every later pair. Within a pair,
/// changes are paired the same way and compared column by column. Where a change was read from
/// (file, offset, GTID, server id, times) is never compared.
///
/// ```swift
/// let c = try Comparison(expected: NDJSONChanges.read(path: "golden.ndjson"),
///                        actual: Binlog("Fixtures/mariadb-10.11").transactions())
/// XCTAssert(c.isEqual, c.report())
/// ```
public struct Comparison: Sendable {
  /// One column or field of a paired change that differs.
  public struct FieldDifference: Sendable, Equatable, CustomStringConvertible {
    /// `before.name`, `after.name`, or `type`, `table`, `pk`, `before`, `after`, `sql`.
    public var field: String
    /// JSON text on each side; nil when that side does not have the field (a column a MINIMAL
    /// image left out).
    public var expected: String?
    public var actual: String?

    public var description: String {
      "\(field): expected \(expected ?? "(absent)"), actual \(actual ?? "(absent)")"
    }
  }

  public struct Difference: Sendable {
    public enum Kind: Sendable, Equatable {
      /// A transaction only the expected side has.
      case missingTransaction
      /// A transaction only the actual side has.
      case unexpectedTransaction
      /// A change only the expected side's transaction has.
      case missingChange
      /// A change only the actual side's transaction has.
      case unexpectedChange
      /// A change both have, with different values (`fields`).
      case changedChange
    }

    public var kind: Kind
    /// The transactions' numbers and where they start on each side (nil on the side without it).
    public var expectedTransaction: Int?
    public var actualTransaction: Int?
    public var expectedLocation: Location?
    public var actualLocation: Location?
    /// The changes (nil for transaction-level differences, and on the side without the change).
    public var expected: Change?
    public var actual: Change?
    /// Changes of a missing or unexpected transaction.
    public var changeCount = 0
    public var fields: [FieldDifference] = []
  }

  public struct Totals: Sendable, Equatable {
    public var expectedTransactions = 0
    public var actualTransactions = 0
    public var expectedRowChanges = 0
    public var actualRowChanges = 0
    public var expectedStatements = 0
    public var actualStatements = 0
    /// Transaction pairs with a difference plus transactions only one side has.
    public var differingTransactions = 0
  }

  public private(set) var differences: [Difference] = []
  public private(set) var totals = Totals()
  public var isEqual: Bool { differences.isEmpty }

  public init(expected: [Transaction], actual: [Transaction]) {
    totals.expectedTransactions = expected.count
    totals.actualTransactions = actual.count
    for t in expected {
      totals.expectedRowChanges += t.rowChanges.count
      totals.expectedStatements += t.changes.count - t.rowChanges.count
    }
    for t in actual {
      totals.actualRowChanges += t.rowChanges.count
      totals.actualStatements += t.changes.count - t.rowChanges.count
    }
    let ek = expected.map(Comparison.shape)
    let ak = actual.map(Comparison.shape)
    for (i, j) in Comparison.align(ek, ak) {
      switch (i, j) {
      case (let i?, nil):
        var d = Difference(kind: .missingTransaction)
        d.expectedTransaction = expected[i].number
        d.expectedLocation = expected[i].location
        d.changeCount = expected[i].changes.count
        differences.append(d)
        totals.differingTransactions += 1
      case (nil, let j?):
        var d = Difference(kind: .unexpectedTransaction)
        d.actualTransaction = actual[j].number
        d.actualLocation = actual[j].location
        d.changeCount = actual[j].changes.count
        differences.append(d)
        totals.differingTransactions += 1
      case (let i?, let j?):
        let before = differences.count
        compare(expected[i], actual[j])
        if differences.count > before { totals.differingTransactions += 1 }
      default: break
      }
    }
  }

  private mutating func compare(_ e: Transaction, _ a: Transaction) {
    func difference(_ kind: Difference.Kind, _ x: Change?, _ y: Change?) -> Difference {
      var d = Difference(kind: kind)
      d.expectedTransaction = e.number
      d.actualTransaction = a.number
      d.expected = x
      d.actual = y
      d.expectedLocation = x?.location ?? e.location
      d.actualLocation = y?.location ?? a.location
      return d
    }
    let ek = e.changes.map(Comparison.shape)
    let ak = a.changes.map(Comparison.shape)
    for (i, j) in Comparison.align(ek, ak) {
      switch (i, j) {
      case (let i?, nil): differences.append(difference(.missingChange, e.changes[i], nil))
      case (nil, let j?): differences.append(difference(.unexpectedChange, nil, a.changes[j]))
      case (let i?, let j?):
        let fields = Comparison.fields(e.changes[i], a.changes[j])
        if !fields.isEmpty {
          var d = difference(.changedChange, e.changes[i], a.changes[j])
          d.fields = fields
          differences.append(d)
        }
      default: break
      }
    }
  }

  /// What differs between two paired changes.
  static func fields(_ x: Change, _ y: Change) -> [FieldDifference] {
    var out: [FieldDifference] = []
    func check(_ name: String, _ a: String?, _ b: String?) {
      if a != b { out.append(FieldDifference(field: name, expected: a, actual: b)) }
    }
    switch (x, y) {
    case (.row(let a), .row(let b)):
      check("type", a.kind.rawValue, b.kind.rawValue)
      check("table", a.qualifiedTable, b.qualifiedTable)
      check("pk", "\(a.primaryKey)", "\(b.primaryKey)")
      for (name, ra, rb) in [("before", a.before, b.before), ("after", a.after, b.after)] {
        switch (ra, rb) {
        case (nil, nil): continue
        case (let ra?, let rb?):
          for c in ra.columns {
            let other = rb[c.name]
            if other == nil || other! != c.value { check(name + "." + c.name, c.value.jsonText, other?.jsonText) }
          }
          for c in rb.columns where ra[c.name] == nil { check(name + "." + c.name, nil, c.value.jsonText) }
        default:
          check(name, ra?.description ?? "null", rb?.description ?? "null")
        }
      }
    case (.statement(let a), .statement(let b)):
      check("type", a.isDDL ? "ddl" : "query", b.isDDL ? "ddl" : "query")
      check("db", a.database, b.database)
      check("sql", a.sql, b.sql)
    case (.row(let a), .statement(let b)):
      check("type", a.kind.rawValue, b.isDDL ? "ddl" : "query")
    case (.statement(let a), .row(let b)):
      check("type", a.isDDL ? "ddl" : "query", b.kind.rawValue)
    }
    return out
  }

  /// A hash of what pairs two changes: type, table and key values, or the statement.
  static func shape(_ c: Change) -> Int {
    var h = Hasher()
    switch c {
    case .row(let r):
      h.combine(r.kind.rawValue)
      h.combine(r.database)
      h.combine(r.table)
      for v in r.keyValues ?? [] { h.combine(v.jsonText) }
    case .statement(let s):
      h.combine(s.sql)
    }
    return h.finalize()
  }

  static func shape(_ t: Transaction) -> Int {
    var h = Hasher()
    for c in t.changes { h.combine(shape(c)) }
    return h.finalize()
  }

  /// Pairs two sequences in order by key. Where the keys differ, the nearest later pair of equal
  /// keys within `window` items on each side resynchronizes (the items skipped on the way are
  /// one side's only); with none, the two items are paired as they are.
  static func align(_ a: [Int], _ b: [Int], window: Int = 32) -> [(Int?, Int?)] {
    var out: [(Int?, Int?)] = []
    var i = 0
    var j = 0
    while i < a.count && j < b.count {
      if a[i] == b[j] {
        out.append((i, j))
        i += 1
        j += 1
        continue
      }
      var found: (Int, Int)?
      search: for d in 1...(2 * window) {
        for di in Swift.max(0, d - window)...Swift.min(d, window) {
          let dj = d - di
          if i + di < a.count && j + dj < b.count && a[i + di] == b[j + dj] {
            found = (di, dj)
            break search
          }
        }
      }
      if let (di, dj) = found {
        for k in 0..<di { out.append((i + k, nil)) }
        for k in 0..<dj { out.append((nil, j + k)) }
        i += di
        j += dj
      } else {
        out.append((i, j))
        i += 1
        j += 1
      }
    }
    while i < a.count {
      out.append((i, nil))
      i += 1
    }
    while j < b.count {
      out.append((nil, j))
      j += 1
    }
    return out
  }
}
