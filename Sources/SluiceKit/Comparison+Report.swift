extension Comparison {
  /// A readable report: the first `limit` differences (which transaction and change, expected
  /// and actual values), then the totals.
  public func report(limit: Int = 20) -> String {
    var lines: [String] = []
    for d in differences.prefix(limit) { lines += d.lines }
    if differences.count > limit { lines.append("… \(differences.count - limit) more difference(s) not shown") }
    let t = totals
    lines.append(
      "expected: \(t.expectedTransactions) transactions, \(t.expectedRowChanges) row changes, \(t.expectedStatements) statements")
    lines.append(
      "actual:   \(t.actualTransactions) transactions, \(t.actualRowChanges) row changes, \(t.actualStatements) statements")
    if isEqual {
      lines.append("equal")
    } else {
      let count = { (k: Difference.Kind) in differences.filter { $0.kind == k }.count }
      var parts: [String] = []
      for (k, name) in [
        (Difference.Kind.missingTransaction, "transaction(s) only expected"),
        (.unexpectedTransaction, "transaction(s) only actual"), (.changedChange, "change(s) with different values"),
        (.missingChange, "change(s) only expected"), (.unexpectedChange, "change(s) only actual"),
      ] where count(k) > 0 {
        parts.append("\(count(k)) \(name)")
      }
      lines.append(
        "\(differences.count) difference(s) in \(t.differingTransactions) transaction(s): " + parts.joined(separator: ", "))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

extension Comparison.Difference {
  /// `transaction 12 (expected … / actual …)` and what differs, indented.
  var lines: [String] {
    func side(_ n: Int?, _ l: Location?) -> String {
      guard let n else { return "-" }
      return "#\(n)" + (l.map { " at \($0)" } ?? "")
    }
    switch kind {
    case .missingTransaction:
      return ["transaction \(side(expectedTransaction, expectedLocation)) only in expected (\(changeCount) change(s))"]
    case .unexpectedTransaction:
      return ["transaction \(side(actualTransaction, actualLocation)) only in actual (\(changeCount) change(s))"]
    case .missingChange, .unexpectedChange, .changedChange:
      var out = [
        "transaction expected \(side(expectedTransaction, nil)) / actual \(side(actualTransaction, nil)):"
      ]
      let change = expected ?? actual!
      let what =
        kind == .missingChange ? "only in expected" : kind == .unexpectedChange ? "only in actual" : "differs"
      out.append(
        "  \(Comparison.Difference.title(change)) \(what) (expected \(expectedLocation.map(String.init(describing:)) ?? "-"), actual \(actualLocation.map(String.init(describing:)) ?? "-"))"
      )
      if kind == .changedChange {
        out += fields.map { "    \($0)" }
      } else if case .row(let r) = change {
        if let b = r.before { out.append("    before: \(b)") }
        if let a = r.after { out.append("    after: \(a)") }
      }
      return out
    }
  }

  /// `update sluice_types.ints id=3` or `ddl: ALTER TABLE …`.
  static func title(_ c: Change) -> String {
    switch c {
    case .row(let r):
      var s = "\(r.kind.rawValue) \(r.qualifiedTable)"
      if let key = r.keyValues {
        s += " " + zip(r.primaryKey, key).map { "\($0)=\($1.keyText)" }.joined(separator: ",")
      }
      return s
    case .statement(let st):
      let sql = st.sql.count > 80 ? String(st.sql.prefix(77)) + "..." : st.sql
      return (st.isDDL ? "ddl: " : "query: ") + sql
    }
  }
}
