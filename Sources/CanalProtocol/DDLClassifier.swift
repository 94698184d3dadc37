/// Classifies a Query event's statement the way Canal's Druid-based DDL parser does
/// (canal-protocol.md §2.4): the Canal event type and the target schema/table.
///
/// This is a small tokenizer plus a keyword walk over the first statement, not a SQL parser: it
/// skips comments, keeps the text of `/*! … */` and `/*M! … */` versioned comments (the server
/// runs it), handles backtick- and double-quoted identifiers and `db.tbl` names. Results:
///
/// * a `DDLResult` with the type and names (names may be empty);
/// * `DDLResult.unparsed` (type QUERY, no names) for a statement whose first keyword is not SQL
///   that Canal's parser knows;
/// * `nil` for a statement that Canal parses but does not classify (CREATE VIEW, GRANT, SET,
///   REPLACE, ROLLBACK, SAVEPOINT, …): Canal emits no entry for those.
public enum DDLClassifier {
  /// What Canal derived from a statement.
  public struct DDLResult: Equatable, Sendable {
    public var type: CanalEventType
    /// Target schema: the qualifier of the name, else the event's current database.
    public var schemaName: String
    public var tableName: String
    /// RENAME only: the old name.
    public var originalSchemaName: String = ""
    public var originalTableName: String = ""

    public init(type: CanalEventType, schemaName: String = "", tableName: String = "") {
      self.type = type
      self.schemaName = schemaName
      self.tableName = tableName
    }

    /// SQL the parser cannot parse: QUERY with no names.
    public static let unparsed = DDLResult(type: .query)

    /// CREATE, ALTER, ERASE, TRUNCATE, RENAME, CINDEX and DINDEX need a table name (Canal stops
    /// with "SimpleDdlParser process query failed" without one).
    public var needsTableName: Bool {
      switch type {
      case .create, .alter, .erase, .truncate, .rename, .cindex, .dindex: return true
      default: return false
      }
    }

    /// INSERT, UPDATE and DELETE (statement-based DML): `RowChange.isDdl` is false for these.
    public var isDML: Bool { type == .insert || type == .update || type == .delete }
  }

  /// Classifies `sql` run with current database `defaultSchema` ("" when none).
  public static func classify(_ sql: String, defaultSchema: String) -> DDLResult? {
    var tokens = SQLTokens(sql)
    return classify(&tokens, defaultSchema: defaultSchema)
  }

  static func classify(_ t: inout SQLTokens, defaultSchema: String) -> DDLResult? {
    // Leading parentheses (`(SELECT …)`) and empty statements are skipped.
    while t.peekPunct(";") || t.peekPunct("(") { t.next() }
    guard let first = t.nextWord() else { return t.isAtEnd ? nil : .unparsed }
    switch first {
    case "CREATE": return create(&t, defaultSchema)
    case "ALTER": return alter(&t, defaultSchema)
    case "DROP": return drop(&t, defaultSchema)
    case "TRUNCATE":
      t.skipWord("TABLE")
      guard let name = t.qualifiedName() else { return .unparsed }
      return result(.truncate, name, defaultSchema)
    case "RENAME":
      guard t.skipWord("TABLE") || t.skipWord("TABLES") else { return nil }  // RENAME USER
      guard let from = t.qualifiedName(), t.skipWord("TO"), let to = t.qualifiedName() else { return .unparsed }
      var r = result(.rename, to, defaultSchema)
      r.originalSchemaName = from.schema ?? defaultSchema
      r.originalTableName = from.table
      return r
    case "INSERT":
      t.skipWords(["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO"])
      guard let name = t.qualifiedName() else { return .unparsed }
      return result(.insert, name, defaultSchema)
    case "UPDATE":
      t.skipWords(["LOW_PRIORITY", "IGNORE"])
      guard let name = t.qualifiedName() else { return .unparsed }
      // A single table (optionally aliased) before SET has a name; a join or list has none.
      t.skipAlias(stopAt: ["SET"])
      if t.peekWord() == "SET" { return result(.update, name, defaultSchema) }
      return DDLResult(type: .update, schemaName: defaultSchema)
    case "DELETE":
      t.skipWords(["LOW_PRIORITY", "QUICK", "IGNORE"])
      guard t.skipWord("FROM") else { return DDLResult(type: .delete, schemaName: defaultSchema) }
      guard let name = t.qualifiedName() else { return .unparsed }
      t.skipAlias(stopAt: ["WHERE", "ORDER", "LIMIT", "PARTITION", "RETURNING"])
      if t.peekPunct(",") || t.peekWord() == "USING" || t.peekWord() == "JOIN" {
        return DDLResult(type: .delete, schemaName: defaultSchema)
      }
      return result(.delete, name, defaultSchema)
    default:
      return knownUnclassified.contains(first) ? nil : .unparsed
    }
  }

  /// Statements Canal's parser understands but gives no DDL result for: no entry.
  static let knownUnclassified: Set<String> = [
    "SET", "GRANT", "REVOKE", "FLUSH", "ANALYZE", "OPTIMIZE", "REPAIR", "CHECK", "CHECKSUM", "SAVEPOINT",
    "RELEASE", "ROLLBACK", "COMMIT", "BEGIN", "START", "LOCK", "UNLOCK", "CALL", "DO", "SELECT", "WITH",
    "INSTALL", "UNINSTALL", "USE", "SHOW", "REPLACE", "LOAD", "PREPARE", "EXECUTE", "DEALLOCATE", "HANDLER",
    "KILL", "RESET", "PURGE", "CHANGE", "CACHE", "DESCRIBE", "DESC", "EXPLAIN", "HELP", "XA", "SIGNAL",
    "RESIGNAL", "DECLARE", "BINLOG", "STOP", "VALUES", "TABLE",
  ]

  private static func result(_ type: CanalEventType, _ name: SQLTokens.Name, _ defaultSchema: String) -> DDLResult {
    DDLResult(type: type, schemaName: name.schema ?? defaultSchema, tableName: name.table)
  }

  private static func create(_ t: inout SQLTokens, _ defaultSchema: String) -> DDLResult? {
    if t.skipWord("OR") { _ = t.skipWord("REPLACE") }  // MariaDB CREATE OR REPLACE
    t.skipWords(["TEMPORARY", "GLOBAL", "LOCAL"])
    switch t.peekWord() {
    case "TABLE":
      t.next()
      t.skipIfNotExists()
      guard let name = t.qualifiedName() else { return .unparsed }
      return result(.create, name, defaultSchema)
    case "UNIQUE", "FULLTEXT", "SPATIAL", "INDEX", "ONLINE", "OFFLINE":
      t.skipWords(["ONLINE", "OFFLINE", "UNIQUE", "FULLTEXT", "SPATIAL"])
      guard t.skipWord("INDEX") else { return .unparsed }
      t.skipIfNotExists()
      // index name, optional USING …, then ON table
      while !t.isAtEnd, t.peekWord() != "ON" { t.next() }
      guard t.skipWord("ON"), let name = t.qualifiedName() else { return .unparsed }
      return result(.cindex, name, defaultSchema)
    case "DATABASE", "SCHEMA":
      t.next()
      t.skipIfNotExists()
      guard let name = t.qualifiedName() else { return .unparsed }
      return DDLResult(type: .query, schemaName: name.table)
    default:
      return nil  // VIEW, USER, PROCEDURE, FUNCTION, TRIGGER, EVENT, SEQUENCE, DEFINER=…, ALGORITHM=…
    }
  }

  private static func drop(_ t: inout SQLTokens, _ defaultSchema: String) -> DDLResult? {
    t.skipWords(["TEMPORARY"])
    switch t.peekWord() {
    case "TABLE", "TABLES":
      t.next()
      t.skipIfExists()
      guard let name = t.qualifiedName() else { return .unparsed }
      return result(.erase, name, defaultSchema)  // one result per table; the first decides
    case "INDEX", "ONLINE", "OFFLINE":
      t.skipWords(["ONLINE", "OFFLINE"])
      guard t.skipWord("INDEX") else { return .unparsed }
      t.skipIfExists()
      while !t.isAtEnd, t.peekWord() != "ON" { t.next() }
      guard t.skipWord("ON"), let name = t.qualifiedName() else { return .unparsed }
      return result(.dindex, name, defaultSchema)
    case "DATABASE", "SCHEMA":
      t.next()
      t.skipIfExists()
      guard let name = t.qualifiedName() else { return .unparsed }
      return DDLResult(type: .query, schemaName: name.table)
    default:
      return nil
    }
  }

  /// Table options of ALTER TABLE: any of them makes the first result ALTER.
  static let tableOptions: Set<String> = [
    "ENGINE", "AUTO_INCREMENT", "AVG_ROW_LENGTH", "CHARACTER", "CHARSET", "CHECKSUM", "COLLATE", "COMMENT",
    "COMPRESSION", "CONNECTION", "DATA", "DELAY_KEY_WRITE", "ENCRYPTION", "INSERT_METHOD",
    "KEY_BLOCK_SIZE", "MAX_ROWS", "MIN_ROWS", "PACK_KEYS", "PASSWORD", "ROW_FORMAT", "STATS_AUTO_RECALC",
    "STATS_PERSISTENT", "STATS_SAMPLE_PAGES", "TABLESPACE", "UNION", "PAGE_CHECKSUM", "TRANSACTIONAL",
    "SECONDARY_ENGINE", "ENCRYPTED", "ENCRYPTION_KEY_ID", "PAGE_COMPRESSED", "PAGE_COMPRESSION_LEVEL",
  ]

  private static func alter(_ t: inout SQLTokens, _ defaultSchema: String) -> DDLResult? {
    t.skipWords(["ONLINE", "OFFLINE", "IGNORE"])
    guard t.skipWord("TABLE") else { return nil }  // ALTER DATABASE/VIEW/USER/EVENT/SEQUENCE …
    t.skipIfExists()
    guard let name = t.qualifiedName() else { return .unparsed }
    var items: [DDLResult] = []
    var hasOption = false
    while !t.isAtEnd && !t.peekPunct(";") {
      let item = alterItem(&t, name, defaultSchema, hasOption: &hasOption)
      if let item { items.append(item) }
      t.skipToItemEnd()
      if !t.skipPunct(",") { break }
    }
    if hasOption { return result(.alter, name, defaultSchema) }
    return items.first
  }

  /// One comma-separated ALTER TABLE item; nil for an item Canal gives no result for.
  private static func alterItem(
    _ t: inout SQLTokens, _ table: SQLTokens.Name, _ defaultSchema: String, hasOption: inout Bool
  ) -> DDLResult? {
    guard let w = t.peekWord() else { return result(.alter, table, defaultSchema) }
    if w == "DEFAULT" {
      t.next()
      if let o = t.peekWord(), tableOptions.contains(o) {
        hasOption = true
        return nil
      }
      return result(.alter, table, defaultSchema)
    }
    if tableOptions.contains(w) {
      hasOption = true
      return nil
    }
    switch w {
    case "ALGORITHM", "LOCK", "WAIT", "NOWAIT":
      return nil  // execution modifiers, not changes
    case "RENAME":
      t.next()
      if let k = t.peekWord(), k == "COLUMN" || k == "INDEX" || k == "KEY" { return result(.alter, table, defaultSchema) }
      t.skipWords(["TO", "AS"])
      guard let to = t.qualifiedName() else { return result(.alter, table, defaultSchema) }
      var r = result(.rename, to, defaultSchema)
      r.originalSchemaName = table.schema ?? defaultSchema
      r.originalTableName = table.table
      return r
    case "ADD":
      t.next()
      if t.skipWord("CONSTRAINT") {
        if let k = t.peekWord(), !["PRIMARY", "UNIQUE", "FOREIGN", "CHECK"].contains(k) { t.next() }
        if t.peekName() != nil, t.peekWord() == nil { t.next() }  // quoted symbol
      }
      switch t.peekWord() {
      case "INDEX", "KEY", "FULLTEXT", "SPATIAL", "UNIQUE", "PRIMARY": return result(.cindex, table, defaultSchema)
      case "FOREIGN", "CHECK": return nil
      default: return result(.alter, table, defaultSchema)
      }
    case "DROP":
      t.next()
      switch t.peekWord() {
      case "INDEX", "KEY", "CONSTRAINT": return result(.dindex, table, defaultSchema)
      default: return result(.alter, table, defaultSchema)  // COLUMN, PRIMARY KEY, FOREIGN KEY, PARTITION…
      }
    default:
      return result(.alter, table, defaultSchema)
    }
  }
}

/// A forward-only tokenizer over SQL text: words (upper-cased for keyword tests), quoted
/// identifiers, strings, numbers and punctuation; comments are skipped.
struct SQLTokens {
  enum Token: Equatable {
    /// An unquoted identifier or keyword; `upper` is its ASCII upper-case form.
    case word(text: String, upper: String)
    /// A backtick- or double-quoted identifier, outer quotes removed (inner doubled quotes kept,
    /// as Druid's `unescapeName` does).
    case quoted(String)
    case string
    case number
    case punct(UInt8)
  }

  struct Name: Equatable {
    var schema: String?
    var table: String
  }

  private let bytes: [UInt8]
  private var position = 0
  private var lookahead: Token??

  init(_ sql: String) {
    bytes = Array(sql.utf8)
  }

  var isAtEnd: Bool {
    mutating get { peek() == nil }
  }

  mutating func peek() -> Token? {
    if let l = lookahead { return l }
    let t = scan()
    lookahead = .some(t)
    return t
  }

  @discardableResult
  mutating func next() -> Token? {
    let t = peek()
    lookahead = nil
    return t
  }

  mutating func peekWord() -> String? {
    if case .word(_, let upper)? = peek() { return upper }
    return nil
  }

  mutating func nextWord() -> String? {
    guard let w = peekWord() else { return nil }
    next()
    return w
  }

  mutating func peekPunct(_ c: Character) -> Bool {
    if case .punct(let p)? = peek(), p == c.asciiValue { return true }
    return false
  }

  @discardableResult
  mutating func skipPunct(_ c: Character) -> Bool {
    guard peekPunct(c) else { return false }
    next()
    return true
  }

  @discardableResult
  mutating func skipWord(_ w: String) -> Bool {
    guard peekWord() == w else { return false }
    next()
    return true
  }

  mutating func skipWords(_ ws: Set<String>) {
    while let w = peekWord(), ws.contains(w) { next() }
  }

  mutating func skipIfNotExists() {
    if peekWord() == "IF" {
      next()
      skipWords(["NOT", "EXISTS"])
    }
  }

  mutating func skipIfExists() {
    if peekWord() == "IF" {
      next()
      skipWords(["EXISTS"])
    }
  }

  /// An identifier token's text (word or quoted).
  mutating func peekName() -> String? {
    switch peek() {
    case .word(let text, _)?: return text
    case .quoted(let text)?: return text
    default: return nil
    }
  }

  /// `name` or `schema.name` (each part bare or quoted).
  mutating func qualifiedName() -> Name? {
    guard let first = peekName() else { return nil }
    next()
    guard skipPunct(".") else { return Name(schema: nil, table: first) }
    guard let second = peekName() else { return Name(schema: nil, table: first) }
    next()
    return Name(schema: first, table: second)
  }

  /// Skips an optional `[AS] alias` after a table name.
  mutating func skipAlias(stopAt: Set<String>) {
    if skipWord("AS") {
      next()
      return
    }
    switch peek() {
    case .word(_, let upper)?
    where !stopAt.contains(upper) && upper != "JOIN" && upper != "USING"
      && upper != "INNER" && upper != "LEFT" && upper != "RIGHT" && upper != "STRAIGHT_JOIN"
      && upper != "CROSS" && upper != "NATURAL":
      next()
    case .quoted?:
      next()
    default:
      break
    }
  }

  /// Skips to the next top-level `,` or `;` (or the end), over parenthesised groups.
  mutating func skipToItemEnd() {
    var depth = 0
    while let t = peek() {
      if case .punct(let p) = t {
        if p == UInt8(ascii: "(") {
          depth += 1
        } else if p == UInt8(ascii: ")") {
          depth = max(0, depth - 1)
        } else if depth == 0 && (p == UInt8(ascii: ",") || p == UInt8(ascii: ";")) {
          return
        }
      }
      next()
    }
  }

  // MARK: - Scanning

  private static func isIdentifierByte(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x5F || b == 0x24 || b >= 0x80
  }

  private mutating func scan() -> Token? {
    skipSpaceAndComments()
    guard position < bytes.count else { return nil }
    let b = bytes[position]
    switch b {
    case UInt8(ascii: "`"), UInt8(ascii: "\""):
      return .quoted(scanQuoted(b))
    case UInt8(ascii: "'"):
      _ = scanQuoted(b)
      return .string
    case UInt8(ascii: "0")...UInt8(ascii: "9"):
      // A name may start with digits (`1abc`); a number is digits and dots only.
      let start = position
      while position < bytes.count, SQLTokens.isIdentifierByte(bytes[position]) { position += 1 }
      let text = bytes[start..<position]
      if text.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
        while position < bytes.count,
          bytes[position] == UInt8(ascii: ".") || (bytes[position] >= 0x30 && bytes[position] <= 0x39)
        {
          position += 1
        }
        return .number
      }
      let s = String(decoding: text, as: UTF8.self)
      return .word(text: s, upper: s.uppercased())
    default:
      if SQLTokens.isIdentifierByte(b) {
        let start = position
        while position < bytes.count, SQLTokens.isIdentifierByte(bytes[position]) { position += 1 }
        let s = String(decoding: bytes[start..<position], as: UTF8.self)
        return .word(text: s, upper: SQLTokens.asciiUpper(s))
      }
      position += 1
      return .punct(b)
    }
  }

  private static func asciiUpper(_ s: String) -> String {
    String(decoding: s.utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
  }

  /// Reads a quoted token starting at `position` (the opening quote); returns its inner text.
  /// A doubled quote stays doubled (Druid strips only the outer pair); `\` escapes in strings.
  private mutating func scanQuoted(_ quote: UInt8) -> String {
    let start = position + 1
    position += 1
    while position < bytes.count {
      let c = bytes[position]
      if c == UInt8(ascii: "\\") && quote == UInt8(ascii: "'") {
        position += 2
        continue
      }
      if c == quote {
        if position + 1 < bytes.count && bytes[position + 1] == quote {
          position += 2
          continue
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        position += 1
        return text
      }
      position += 1
    }
    return String(decoding: bytes[min(start, bytes.count)...], as: UTF8.self)
  }

  /// Whitespace, `-- ` and `#` line comments, `/* */` comments. A versioned comment `/*!NNNNN`
  /// or `/*M!NNNNNN` is entered (its text is SQL); its closing `*/` is skipped like space.
  private mutating func skipSpaceAndComments() {
    while position < bytes.count {
      let c = bytes[position]
      if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C {
        position += 1
      } else if c == UInt8(ascii: "#")
        || (c == UInt8(ascii: "-") && position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "-")
          && (position + 2 >= bytes.count || bytes[position + 2] <= 0x20))
      {
        while position < bytes.count && bytes[position] != 0x0A { position += 1 }
      } else if c == UInt8(ascii: "/"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "*") {
        var p = position + 2
        if p < bytes.count && bytes[p] == UInt8(ascii: "M") && p + 1 < bytes.count && bytes[p + 1] == UInt8(ascii: "!") {
          p += 1
        }
        if p < bytes.count && bytes[p] == UInt8(ascii: "!") {
          p += 1
          while p < bytes.count, bytes[p] >= 0x30, bytes[p] <= 0x39 { p += 1 }
          position = p
          continue
        }
        position += 2
        while position + 1 < bytes.count && !(bytes[position] == UInt8(ascii: "*") && bytes[position + 1] == UInt8(ascii: "/")) {
          position += 1
        }
        position = min(bytes.count, position + 2)
      } else if c == UInt8(ascii: "*"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "/") {
        position += 2  // end of a versioned comment
      } else {
        return
      }
    }
  }
}
