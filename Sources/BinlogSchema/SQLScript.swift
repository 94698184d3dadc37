/// Splits SQL scripts (mysqldump output, SHOW CREATE TABLE text) into statements.
public enum SQLScript {
  /// Statements of a script, without their delimiters. Honors `DELIMITER x` lines (mysql client),
  /// quotes and comments; a versioned comment's content stays part of its statement.
  public static func statements(_ text: [UInt8]) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var delimiter: [UInt8] = [0x3B]
    var i = 0
    let n = text.count
    var start = 0
    var atLineStart = true

    func flush(_ end: Int) {
      var s = start
      var e = end
      while s < e, isSpace(text[s]) { s += 1 }
      while e > s, isSpace(text[e - 1]) { e -= 1 }
      if e > s { out.append(Array(text[s..<e])) }
    }

    while i < n {
      let c = text[i]
      if atLineStart {
        // DELIMITER is a client command: a whole line, outside any statement.
        var j = i
        while j < n && (text[j] == 0x20 || text[j] == 0x09) { j += 1 }
        if j + 10 <= n, isDelimiterWord(text, j) {
          var k = j + 9
          while k < n && (text[k] == 0x20 || text[k] == 0x09) { k += 1 }
          var e = k
          while e < n && !isSpace(text[e]) { e += 1 }
          if e > k {
            flush(i)
            delimiter = Array(text[k..<e])
            while e < n && text[e] != 0x0A { e += 1 }
            i = e
            start = i
            continue
          }
        }
      }
      atLineStart = false
      switch c {
      case 0x0A:
        atLineStart = true
        i += 1
      case 0x27, 0x22, 0x60:
        i = skipQuoted(text, i, c)
      case 0x23:
        while i < n && text[i] != 0x0A { i += 1 }
      case 0x2D where i + 2 < n && text[i + 1] == 0x2D && (text[i + 2] == 0x20 || text[i + 2] == 0x09 || text[i + 2] == 0x0A):
        while i < n && text[i] != 0x0A { i += 1 }
      case 0x2F where i + 1 < n && text[i + 1] == 0x2A && !(i + 2 < n && (text[i + 2] == 0x21 || text[i + 2] == 0x4D)):
        var j = i + 2
        while j + 1 < n && !(text[j] == 0x2A && text[j + 1] == 0x2F) { j += 1 }
        i = min(n, j + 2)
      default:
        if c == delimiter[0] && i + delimiter.count <= n && text[i..<(i + delimiter.count)].elementsEqual(delimiter) {
          flush(i)
          i += delimiter.count
          start = i
        } else {
          i += 1
        }
      }
    }
    flush(n)
    return out
  }

  static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

  static func isDelimiterWord(_ t: [UInt8], _ j: Int) -> Bool {
    let w: [UInt8] = Array("DELIMITER".utf8)
    for k in 0..<9 where t[j + k] & ~0x20 != w[k] { return false }
    return t[j + 9] == 0x20 || t[j + 9] == 0x09
  }

  static func skipQuoted(_ t: [UInt8], _ start: Int, _ q: UInt8) -> Int {
    var i = start + 1
    while i < t.count {
      if t[i] == 0x5C && q != 0x60 {
        i += 2
        continue
      }
      if t[i] == q {
        if i + 1 < t.count && t[i + 1] == q {
          i += 2
          continue
        }
        return i + 1
      }
      i += 1
    }
    return t.count
  }

  /// Pulls CREATE statements out of `SHOW CREATE TABLE` as the mysql client prints it: vertical
  /// (`\G`: `Create Table: CREATE TABLE ...`) or batch (`-B`: tab-separated, `\n` escaped).
  /// Returns nil when the text is not such output.
  public static func showCreateOutput(_ text: [UInt8]) -> [[UInt8]]? {
    let s = String(decoding: text, as: UTF8.self)
    let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
    var out: [[UInt8]] = []
    var current: [Substring]?
    var sawVertical = false
    for line in lines {
      let trimmed = line.drop(while: { $0 == " " })
      if let r = trimmed.firstRange(of: "Create Table: ") ?? trimmed.firstRange(of: "Create View: ") {
        if let c = current { out.append(Array(c.joined(separator: "\n").utf8)) }
        current = [trimmed[r.upperBound...]]
        sawVertical = true
        continue
      }
      if trimmed.hasPrefix("***") || trimmed.hasPrefix("Table: ") || trimmed.hasPrefix("View: ")
        || trimmed.hasSuffix("in set") || trimmed.contains(" in set (")
      {
        if let c = current { out.append(Array(c.joined(separator: "\n").utf8)) }
        current = nil
        continue
      }
      if current != nil {
        current!.append(line)
        continue
      }
      // Batch output: `name<TAB>CREATE TABLE ...` with \n, \t and \\ escaped.
      let fields = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
      if fields.count == 2, fields[1].uppercased().hasPrefix("CREATE ") {
        out.append(unescapeBatch(fields[1]))
      }
    }
    if let c = current { out.append(Array(c.joined(separator: "\n").utf8)) }
    if !sawVertical && out.isEmpty { return nil }
    return out
  }

  /// Undoes the mysql client's batch-mode escaping (\n, \t, \\, \0).
  static func unescapeBatch(_ s: Substring) -> [UInt8] {
    var out: [UInt8] = []
    var it = Array(s.utf8).makeIterator()
    while let c = it.next() {
      if c == 0x5C, let e = it.next() {
        switch e {
        case 0x6E: out.append(0x0A)
        case 0x74: out.append(0x09)
        case 0x30: out.append(0)
        default: out.append(e)
        }
      } else {
        out.append(c)
      }
    }
    return out
  }
}
