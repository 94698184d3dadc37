/// One token of MySQL/MariaDB SQL text. `range` is the byte range in the source, so expressions the
/// parser does not interpret (DEFAULT (expr), generated columns, CHECK) keep their original text.
public struct SQLToken: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// A bare word: keyword or unquoted identifier. `text` is as written.
    case word
    /// `quoted` with backticks; `text` is the unescaped name.
    case quotedIdentifier
    /// "quoted": an identifier under ANSI_QUOTES, a string otherwise; `text` is unescaped.
    case doubleQuoted
    /// 'string' (with any `_charset` introducer or `N` prefix folded away); `text` is unescaped.
    case string
    /// 123, 1.5, 1e3, 0x1F, 0b101, X'1F', B'101'
    case number
    /// Any other single character: ( ) , ; . = @ + - * / < > ...
    case punct
    case end
  }
  public var kind: Kind
  public var text: String
  public var range: Range<Int>

  /// True for a bare word equal to `keyword` ignoring case (`keyword` is upper-case ASCII).
  @inlinable public func isWord(_ keyword: String) -> Bool {
    kind == .word && text.utf8.count == keyword.utf8.count
      && zip(text.utf8, keyword.utf8).allSatisfy { a, b in (a >= 0x61 && a <= 0x7A ? a - 0x20 : a) == b }
  }

  @inlinable public func isPunct(_ c: Character) -> Bool { kind == .punct && text.first == c }
}

/// Splits SQL text into tokens. Comments (`-- `, `#`, `/* */`) are dropped; the content of a
/// versioned comment (`/*!50001 ... */`, MariaDB `/*M!100100 ... */`) is read as SQL when the
/// server version is at least the comment's (always, when the version is unknown).
public struct SQLLexer {
  public struct Options: Sendable {
    /// sql_mode NO_BACKSLASH_ESCAPES off: `\` escapes in strings.
    public var backslashEscapes = true
    /// Server version as MMmmpp (e.g. 80032, 101106); nil includes every versioned comment.
    public var serverVersion: Int?
    public init(backslashEscapes: Bool = true, serverVersion: Int? = nil) {
      self.backslashEscapes = backslashEscapes
      self.serverVersion = serverVersion
    }
  }

  public enum LexError: Error, Equatable {
    case unterminated(what: String, at: Int)
  }

  /// Tokens of `source`, ending with one `.end` token.
  public static func tokenize(_ source: [UInt8], options: Options = Options()) throws(LexError) -> [SQLToken] {
    var out: [SQLToken] = []
    out.reserveCapacity(source.count / 4)
    let n = source.count
    var i = 0
    var versionedDepth = 0

    func isWordByte(_ c: UInt8) -> Bool {
      (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x5F || c == 0x24 || c >= 0x80
    }
    func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    func text(_ r: Range<Int>) -> String { String(decoding: source[r], as: UTF8.self) }

    /// Reads a quoted run starting at the opening quote; returns the unescaped bytes.
    func quoted(_ start: Int, _ q: UInt8, escapes: Bool) throws(LexError) -> (value: [UInt8], end: Int) {
      var j = start + 1
      var v: [UInt8] = []
      while j < n {
        let c = source[j]
        if c == q {
          if j + 1 < n && source[j + 1] == q {
            v.append(q)
            j += 2
            continue
          }
          return (v, j + 1)
        }
        if c == 0x5C && escapes && j + 1 < n {
          let e = source[j + 1]
          switch e {
          case 0x30: v.append(0)
          case 0x6E: v.append(0x0A)
          case 0x72: v.append(0x0D)
          case 0x74: v.append(0x09)
          case 0x62: v.append(0x08)
          case 0x5A: v.append(0x1A)
          // \% and \_ keep their backslash (they are LIKE escapes).
          case 0x25, 0x5F:
            v.append(0x5C)
            v.append(e)
          default: v.append(e)
          }
          j += 2
          continue
        }
        v.append(c)
        j += 1
      }
      throw .unterminated(what: q == 0x60 ? "quoted identifier" : "string", at: start)
    }

    while i < n {
      let c = source[i]
      // Whitespace
      if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C || c == 0x0B {
        i += 1
        continue
      }
      // `-- ` comment (the dashes must be followed by whitespace or the end), `#` comment
      if (c == 0x2D && i + 1 < n && source[i + 1] == 0x2D
        && (i + 2 >= n || source[i + 2] == 0x20 || source[i + 2] == 0x09 || source[i + 2] == 0x0A || source[i + 2] == 0x0D))
        || c == 0x23
      {
        while i < n && source[i] != 0x0A { i += 1 }
        continue
      }
      // Closing a versioned comment
      if c == 0x2A && versionedDepth > 0 && i + 1 < n && source[i + 1] == 0x2F {
        versionedDepth -= 1
        i += 2
        continue
      }
      // /* comment */, /*! versioned */, /*M! MariaDB versioned */
      if c == 0x2F && i + 1 < n && source[i + 1] == 0x2A {
        var j = i + 2
        var versioned = false
        if j < n && source[j] == 0x21 {
          versioned = true
          j += 1
        } else if j + 1 < n && (source[j] == 0x4D || source[j] == 0x6D) && source[j + 1] == 0x21 {
          versioned = true
          j += 2
        }
        if versioned {
          var digits = 0
          var version = 0
          while j < n && digits < 6 && isDigit(source[j]) {
            version = version * 10 + Int(source[j] - 0x30)
            digits += 1
            j += 1
          }
          let include = digits == 0 || options.serverVersion == nil || version <= options.serverVersion!
          if include {
            versionedDepth += 1
            i = j
            continue
          }
        }
        // Skip to the closing */ (plain comments do not nest).
        var k = j
        while k + 1 < n && !(source[k] == 0x2A && source[k + 1] == 0x2F) { k += 1 }
        if k + 1 >= n { throw .unterminated(what: "comment", at: i) }
        i = k + 2
        continue
      }
      // Quoted identifier
      if c == 0x60 {
        let (v, end) = try quoted(i, 0x60, escapes: false)
        out.append(SQLToken(kind: .quotedIdentifier, text: String(decoding: v, as: UTF8.self), range: i..<end))
        i = end
        continue
      }
      if c == 0x22 {
        let (v, end) = try quoted(i, 0x22, escapes: options.backslashEscapes)
        out.append(SQLToken(kind: .doubleQuoted, text: String(decoding: v, as: UTF8.self), range: i..<end))
        i = end
        continue
      }
      if c == 0x27 {
        let (v, end) = try quoted(i, 0x27, escapes: options.backslashEscapes)
        out.append(SQLToken(kind: .string, text: String(decoding: v, as: UTF8.self), range: i..<end))
        i = end
        continue
      }
      // X'..', B'..', N'..' literals
      if (c | 0x20 == 0x78 || c | 0x20 == 0x62 || c | 0x20 == 0x6E) && i + 1 < n && source[i + 1] == 0x27 {
        let (v, end) = try quoted(i + 1, 0x27, escapes: c | 0x20 == 0x6E && options.backslashEscapes)
        let kind: SQLToken.Kind = c | 0x20 == 0x6E ? .string : .number
        let t = kind == .string ? String(decoding: v, as: UTF8.self) : text(i..<end)
        out.append(SQLToken(kind: kind, text: t, range: i..<end))
        i = end
        continue
      }
      // Numbers: digits with an optional fraction/exponent; .5
      if isDigit(c)
        || (c == 0x2E && i + 1 < n && isDigit(source[i + 1])
          && (out.last.map { $0.kind != .word && $0.kind != .quotedIdentifier } ?? true))
      {
        var j = i
        // 0x1F / 0b101
        if c == 0x30 && j + 1 < n && (source[j + 1] | 0x20 == 0x78 || source[j + 1] | 0x20 == 0x62) {
          var k = j + 2
          while k < n && isWordByte(source[k]) { k += 1 }
          out.append(SQLToken(kind: .number, text: text(j..<k), range: j..<k))
          i = k
          continue
        }
        while j < n && isDigit(source[j]) { j += 1 }
        // Digits followed by letters form an identifier (MySQL allows `1abc`).
        if j < n && isWordByte(source[j])
          && !(source[j] | 0x20 == 0x65 && j + 1 < n
            && (isDigit(source[j + 1]) || source[j + 1] == 0x2D || source[j + 1] == 0x2B))
        {
          var k = j
          while k < n && isWordByte(source[k]) { k += 1 }
          out.append(SQLToken(kind: .word, text: text(i..<k), range: i..<k))
          i = k
          continue
        }
        if j < n && source[j] == 0x2E {
          j += 1
          while j < n && isDigit(source[j]) { j += 1 }
        }
        if j < n && source[j] | 0x20 == 0x65 {
          var k = j + 1
          if k < n && (source[k] == 0x2D || source[k] == 0x2B) { k += 1 }
          if k < n && isDigit(source[k]) {
            while k < n && isDigit(source[k]) { k += 1 }
            j = k
          }
        }
        out.append(SQLToken(kind: .number, text: text(i..<j), range: i..<j))
        i = j
        continue
      }
      if isWordByte(c) {
        var j = i
        while j < n && isWordByte(source[j]) { j += 1 }
        // A `_charset` introducer before a string folds into the string token.
        if c == 0x5F, j < n, source[j] == 0x27 {
          let (v, end) = try quoted(j, 0x27, escapes: options.backslashEscapes)
          out.append(SQLToken(kind: .string, text: String(decoding: v, as: UTF8.self), range: i..<end))
          i = end
          continue
        }
        out.append(SQLToken(kind: .word, text: text(i..<j), range: i..<j))
        i = j
        continue
      }
      out.append(SQLToken(kind: .punct, text: String(UnicodeScalar(c)), range: i..<(i + 1)))
      i += 1
    }
    out.append(SQLToken(kind: .end, text: "", range: n..<n))
    return out
  }

  /// Version number as versioned comments write it (MMmmpp): "10.11.6-MariaDB-log" → 101106.
  public static func versionNumber(_ serverVersion: String) -> Int? {
    var parts: [Int] = []
    var cur = 0
    var inDigits = false
    for c in serverVersion.utf8 {
      if c >= 0x30 && c <= 0x39 {
        // A damaged version string can hold any digits: no component has more than 4.
        if cur > 9999 { return nil }
        cur = cur * 10 + Int(c - 0x30)
        inDigits = true
      } else if c == 0x2E && inDigits {
        parts.append(cur)
        cur = 0
        inDigits = false
      } else {
        break
      }
      if parts.count == 3 { break }
    }
    if inDigits { parts.append(cur) }
    guard parts.count >= 2 else { return nil }
    return parts[0] * 10000 + parts[1] * 100 + (parts.count > 2 ? parts[2] : 0)
  }
}
