/// Statement classification shared by the index, the query filters and the exporters.
public enum StatementKind {
  /// True for CREATE/ALTER/DROP/RENAME/TRUNCATE statements (after leading comments).
  public static func isDDL(_ q: [UInt8]) -> Bool {
    let w = firstKeyword(q)
    return w == "CREATE" || w == "ALTER" || w == "DROP" || w == "RENAME" || w == "TRUNCATE"
  }

  public static func firstKeyword(_ q: [UInt8]) -> String {
    var i = 0
    let n = q.count
    while i < n {
      let c = q[i]
      if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x28 {
        i += 1
      } else if c == 0x2F, i + 2 < n, q[i + 1] == 0x2A, q[i + 2] != 0x21 {  // /* comment */ but not /*! */
        i += 2
        while i + 1 < n && !(q[i] == 0x2A && q[i + 1] == 0x2F) { i += 1 }
        i = Swift.min(i + 2, n)  // an unterminated comment ends the statement
      } else if c == 0x2F, i + 2 < n, q[i + 1] == 0x2A, q[i + 2] == 0x21 {  // /*!50001 keyword
        i += 3
        while i < n, q[i] >= 0x30, q[i] <= 0x39 { i += 1 }
      } else if c == 0x23 || (c == 0x2D && i + 1 < n && q[i + 1] == 0x2D) {
        while i < n && q[i] != 0x0A { i += 1 }
      } else {
        break
      }
    }
    let s = i
    while i < n, (q[i] | 0x20) >= 0x61, (q[i] | 0x20) <= 0x7A { i += 1 }
    return String(decoding: q[s..<i], as: UTF8.self).uppercased()
  }
}
