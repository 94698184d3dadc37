import BinlogFormat

/// Recursive-descent parser for the MySQL/MariaDB statements that change table definitions.
/// Anything else is `.other`; a schema change it cannot model is `.unsupported` with the reason,
/// never a guess.
public struct DDLParser {
  /// What a statement is parsed against.
  public struct Context: Sendable {
    /// The Query event's current database (`USE`), "" when none.
    public var database: String
    public var flavor: FormatDescription.Flavor
    /// Server version as MMmmpp, for versioned comments; nil includes them all.
    public var serverVersion: Int?
    /// Query event sql_mode, when known (NO_BACKSLASH_ESCAPES, REAL_AS_FLOAT).
    public var sqlMode: UInt64?

    public init(
      database: String = "", flavor: FormatDescription.Flavor = .mysql, serverVersion: Int? = nil, sqlMode: UInt64? = nil
    ) {
      self.database = database
      self.flavor = flavor
      self.serverVersion = serverVersion
      self.sqlMode = sqlMode
    }

    static let modeRealAsFloat: UInt64 = 1
    static let modeNoBackslashEscapes: UInt64 = 1 << 20
  }

  struct Failure: Error {
    var message: String
    var offset: Int
  }

  var tokens: [SQLToken]
  var pos = 0
  let source: [UInt8]
  let context: Context

  init(tokens: [SQLToken], source: [UInt8], context: Context) {
    self.tokens = tokens
    self.source = source
    self.context = context
  }

  /// Parses one statement.
  public static func parse(_ sql: String, context: Context = Context()) -> DDLStatement {
    parse(Array(sql.utf8), context: context)
  }

  /// Parses one statement given as bytes (a Query event's text).
  public static func parse(_ sql: [UInt8], context: Context = Context()) -> DDLStatement {
    let lexOptions = SQLLexer.Options(
      backslashEscapes: (context.sqlMode ?? 0) & Context.modeNoBackslashEscapes == 0,
      serverVersion: context.serverVersion)
    let tokens: [SQLToken]
    do {
      tokens = try SQLLexer.tokenize(sql, options: lexOptions)
    } catch {
      // Unlexable text: only a schema statement is worth reporting.
      if let head = leadingWord(sql), ["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"].contains(head) {
        return .unsupported(reason: "cannot tokenize: \(error)", tables: [])
      }
      return .other
    }
    var p = DDLParser(tokens: tokens, source: sql, context: context)
    return p.statement()
  }

  /// A column from its name and type text as information_schema.COLUMNS.COLUMN_TYPE gives it
  /// (`int(10) unsigned`, `enum('a','b')`); nil when the type cannot be read.
  public static func columnDefinition(name: String, type: String, flavor: FormatDescription.Flavor = .mysql) -> ColumnDefinition?
  {
    let bytes = Array(type.utf8)
    guard let tokens = try? SQLLexer.tokenize(bytes) else { return nil }
    var p = DDLParser(tokens: tokens, source: bytes, context: Context(flavor: flavor))
    do {
      var c = try p.dataType(name: name)
      var ignored: [IndexDefinition] = []
      try p.columnAttributes(&c, indexes: &ignored)
      guard p.atEnd else { return nil }
      return c
    } catch {
      return nil
    }
  }

  /// True when the statement starts (after comments) with CREATE, ALTER, DROP, RENAME or
  /// TRUNCATE: a cheap filter before tokenizing every Query event.
  public static func mayChangeSchema(_ sql: [UInt8]) -> Bool {
    var i = 0
    let n = sql.count
    while i < n {
      let c = sql[i]
      if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x28 {
        i += 1
      } else if c == 0x2F, i + 1 < n, sql[i + 1] == 0x2A {
        // A versioned comment's content is SQL: step into it.
        var j = i + 2
        if j < n && sql[j] == 0x21 {
          j += 1
          while j < n && sql[j] >= 0x30 && sql[j] <= 0x39 { j += 1 }
          i = j
          continue
        }
        if j + 1 < n && (sql[j] | 0x20) == 0x6D && sql[j + 1] == 0x21 {
          j += 2
          while j < n && sql[j] >= 0x30 && sql[j] <= 0x39 { j += 1 }
          i = j
          continue
        }
        while j + 1 < n && !(sql[j] == 0x2A && sql[j + 1] == 0x2F) { j += 1 }
        i = j + 2
      } else if c == 0x23 || (c == 0x2D && i + 1 < n && sql[i + 1] == 0x2D) {
        while i < n && sql[i] != 0x0A { i += 1 }
      } else {
        break
      }
    }
    let s = i
    while i < n, (sql[i] | 0x20) >= 0x61, (sql[i] | 0x20) <= 0x7A { i += 1 }
    let len = i - s
    guard len >= 4 && len <= 8 else { return false }
    var w: UInt64 = 0
    for k in s..<i { w = w << 8 | UInt64(sql[k] & ~0x20) }
    // CREATE, ALTER, DROP, RENAME, TRUNCATE as big-endian ASCII.
    return w == 0x4352_4541_5445 || w == 0x41_4C54_4552 || w == 0x4452_4F50 || w == 0x5245_4E41_4D45
      || w == 0x5452_554E_4341_5445
  }

  static func leadingWord(_ sql: [UInt8]) -> String? {
    var i = 0
    while i < sql.count, sql[i] == 0x20 || sql[i] == 0x0A || sql[i] == 0x09 || sql[i] == 0x0D { i += 1 }
    let s = i
    while i < sql.count, (sql[i] | 0x20) >= 0x61, (sql[i] | 0x20) <= 0x7A { i += 1 }
    return i > s ? String(decoding: sql[s..<i], as: UTF8.self).uppercased() : nil
  }

  // MARK: - Token helpers

  var token: SQLToken { tokens[pos] }
  func peek(_ k: Int = 1) -> SQLToken { tokens[min(pos + k, tokens.count - 1)] }
  var atEnd: Bool { token.kind == .end || token.isPunct(";") }

  mutating func advance() { if pos < tokens.count - 1 { pos += 1 } }

  mutating func accept(_ keyword: String) -> Bool {
    if token.isWord(keyword) {
      advance()
      return true
    }
    return false
  }

  /// Accepts a sequence of keywords only when all are present.
  mutating func accept(_ k1: String, _ k2: String) -> Bool {
    if token.isWord(k1) && peek().isWord(k2) {
      pos += 2
      return true
    }
    return false
  }

  mutating func acceptPunct(_ c: Character) -> Bool {
    if token.isPunct(c) {
      advance()
      return true
    }
    return false
  }

  func fail(_ message: String) -> Failure {
    Failure(message: message, offset: token.range.lowerBound)
  }

  mutating func expect(_ keyword: String) throws(Failure) {
    guard accept(keyword) else { throw fail("expected \(keyword), found \(describe(token))") }
  }

  mutating func expectPunct(_ c: Character) throws(Failure) {
    guard acceptPunct(c) else { throw fail("expected '\(c)', found \(describe(token))") }
  }

  func describe(_ t: SQLToken) -> String {
    switch t.kind {
    case .end: return "end of statement"
    case .string: return "string '\(t.text)'"
    default: return "'\(t.text)'"
    }
  }

  /// An identifier: bare word, `backticked`, or "double-quoted" (ANSI_QUOTES).
  mutating func identifier(_ what: String = "identifier") throws(Failure) -> String {
    switch token.kind {
    case .word, .quotedIdentifier, .doubleQuoted:
      let t = token.text
      advance()
      return t
    default:
      throw fail("expected \(what), found \(describe(token))")
    }
  }

  var atIdentifier: Bool {
    token.kind == .word || token.kind == .quotedIdentifier || token.kind == .doubleQuoted
  }

  /// `name` or `db.name`, resolved against the current database.
  mutating func tableName() throws(Failure) -> TableName {
    let first = try identifier("table name")
    if token.isPunct("."), peek().kind != .end {
      advance()
      let second = try identifier("table name")
      return TableName(first, second)
    }
    return TableName(context.database, first)
  }

  /// A string literal (adjacent literals concatenate, as in SQL).
  mutating func stringLiteral() throws(Failure) -> String {
    guard token.kind == .string || token.kind == .doubleQuoted else {
      throw fail("expected a string, found \(describe(token))")
    }
    var s = token.text
    advance()
    while token.kind == .string {
      s += token.text
      advance()
    }
    return s
  }

  mutating func integer() throws(Failure) -> Int {
    guard token.kind == .number, let v = Int(token.text) else {
      throw fail("expected a number, found \(describe(token))")
    }
    advance()
    return v
  }

  /// A name-like value: identifier, string or number (charset names, engine names, option values).
  mutating func nameValue() throws(Failure) -> String {
    switch token.kind {
    case .word, .quotedIdentifier, .doubleQuoted, .string, .number:
      let t = token.text
      advance()
      return t
    default:
      throw fail("expected a name, found \(describe(token))")
    }
  }

  /// Source text of tokens [from, to).
  func text(from: Int, to: Int) -> String {
    guard from < to else { return "" }
    let r = tokens[from].range.lowerBound..<tokens[to - 1].range.upperBound
    return String(decoding: source[r], as: UTF8.self)
  }

  /// Consumes a parenthesized group (the current token must be '('); returns the source text
  /// between the parentheses.
  mutating func parenthesized() throws(Failure) -> String {
    guard token.isPunct("(") else { throw fail("expected '(', found \(describe(token))") }
    let open = pos
    var depth = 0
    repeat {
      if token.kind == .end { throw fail("unbalanced parentheses") }
      if token.isPunct("(") { depth += 1 }
      if token.isPunct(")") { depth -= 1 }
      advance()
    } while depth > 0
    return text(from: open + 1, to: pos - 1)
  }

  /// Skips an optional `=`.
  mutating func optionalEquals() { _ = acceptPunct("=") }

  /// Consumes everything up to the end of the statement; returns its text.
  mutating func rest() -> String {
    let s = pos
    while !atEnd { advance() }
    return text(from: s, to: pos)
  }

  // MARK: - Statements

  mutating func statement() -> DDLStatement {
    // Leading parentheses never start DDL; a leading word decides the statement.
    let head = token
    do {
      if accept("CREATE") { return try create() }
      if accept("ALTER") { return try alter() }
      if accept("DROP") { return try drop() }
      if accept("RENAME") { return try rename() }
      if accept("TRUNCATE") {
        _ = accept("TABLE")
        let t = try tableName()
        return .truncate(t)
      }
      if accept("USE") { return .use(try identifier("database name")) }
      return .other
    } catch {
      return .unsupported(
        reason: "\(head.text.uppercased()) statement: \(error.message) at byte \(error.offset)",
        tables: touchedTables)
    }
  }

  /// Tables named so far by a statement that then failed to parse (set by the sub-parsers).
  var touchedTables: [TableName] = []
  /// A SERIAL column was just read: it brings a UNIQUE key.
  var serialPending = false
  /// WITH SYSTEM VERSIONING was seen in the table options.
  var systemVersioned = false

  // MARK: CREATE

  mutating func create() throws(Failure) -> DDLStatement {
    var orReplace = false
    var temporary = false
    var indexKind: IndexDefinition.Kind?
    // Modifiers before the object word.
    while true {
      if accept("OR", "REPLACE") {
        orReplace = true
        continue
      }
      if accept("TEMPORARY") {
        temporary = true
        continue
      }
      if accept("ONLINE") || accept("OFFLINE") { continue }
      if accept("UNIQUE") {
        indexKind = .unique
        continue
      }
      if accept("FULLTEXT") {
        indexKind = .fulltext
        continue
      }
      if accept("SPATIAL") {
        indexKind = .spatial
        continue
      }
      if token.isWord("DEFINER") || token.isWord("ALGORITHM") || token.isWord("SQL") || token.isWord("AGGREGATE") {
        // View/routine/trigger attributes: not a table.
        return .other
      }
      break
    }
    if accept("DATABASE") || accept("SCHEMA") {
      let ifNotExists = try ifNotExistsClause()
      let name = try identifier("database name")
      let (charset, collation) = try databaseOptions()
      return .createDatabase(name: name, ifNotExists: ifNotExists, orReplace: orReplace, charset: charset, collation: collation)
    }
    if accept("TABLE") {
      if temporary { return .other }  // temporary tables are never in row events of other sessions
      return try createTable(orReplace: orReplace)
    }
    if accept("INDEX") || accept("KEY") {
      return try createIndex(kind: indexKind ?? .index, orReplace: orReplace)
    }
    if accept("SEQUENCE") {
      if temporary { return .other }
      let ifNotExists = try ifNotExistsClause()
      let t = try tableName()
      return .createSequence(table: t, ifNotExists: ifNotExists, orReplace: orReplace)
    }
    return .other
  }

  mutating func ifNotExistsClause() throws(Failure) -> Bool {
    if accept("IF") {
      try expect("NOT")
      try expect("EXISTS")
      return true
    }
    return false
  }

  mutating func ifExistsClause() throws(Failure) -> Bool {
    if token.isWord("IF") && peek().isWord("EXISTS") {
      pos += 2
      return true
    }
    return false
  }

  mutating func createIndex(kind: IndexDefinition.Kind, orReplace: Bool) throws(Failure) -> DDLStatement {
    let ifNotExists = try ifNotExistsClause()
    let name = try identifier("index name")
    if accept("USING") || accept("TYPE") { _ = try identifier() }
    try expect("ON")
    let t = try tableName()
    touchedTables = [t]
    let parts = try keyParts()
    try skipIndexOptions()
    // ALGORITHM= / LOCK= may follow.
    while !atEnd {
      if accept("ALGORITHM") || accept("LOCK") {
        optionalEquals()
        _ = try nameValue()
      } else {
        throw fail("unexpected \(describe(token)) after CREATE INDEX")
      }
    }
    return .createIndex(
      table: t, index: IndexDefinition(kind: kind, name: name, parts: parts), ifNotExists: ifNotExists, orReplace: orReplace)
  }

  // MARK: DROP

  mutating func drop() throws(Failure) -> DDLStatement {
    if accept("TEMPORARY") {
      return .other
    }
    if accept("DATABASE") || accept("SCHEMA") {
      let ifExists = try ifExistsClause()
      return .dropDatabase(name: try identifier("database name"), ifExists: ifExists)
    }
    if accept("TABLE") || accept("TABLES") || accept("SEQUENCE") {
      let ifExists = try ifExistsClause()
      var tables: [TableName] = []
      repeat {
        tables.append(try tableName())
      } while acceptPunct(",")
      touchedTables = tables
      // WAIT n / NOWAIT / RESTRICT / CASCADE
      while !atEnd {
        if accept("WAIT") {
          _ = try integer()
          continue
        }
        if accept("NOWAIT") || accept("RESTRICT") || accept("CASCADE") || accept("FORCE") { continue }
        throw fail("unexpected \(describe(token)) after DROP TABLE")
      }
      return .dropTables(tables, ifExists: ifExists)
    }
    if accept("INDEX") || accept("KEY") {
      _ = accept("ONLINE") || accept("OFFLINE")
      let ifExists = try ifExistsClause()
      let name = try identifier("index name")
      try expect("ON")
      let t = try tableName()
      return .dropIndex(table: t, name: name, ifExists: ifExists)
    }
    _ = accept("ONLINE") || accept("OFFLINE")
    return .other
  }

  // MARK: RENAME

  mutating func rename() throws(Failure) -> DDLStatement {
    guard accept("TABLE") || accept("TABLES") else { return .other }
    _ = try ifExistsClause()
    var pairs: [DDLStatement.RenamePair] = []
    repeat {
      let from = try tableName()
      touchedTables.append(from)
      if accept("WAIT") { _ = try integer() } else { _ = accept("NOWAIT") }
      try expect("TO")
      let to = try tableName()
      touchedTables.append(to)
      pairs.append(.init(from: from, to: to))
    } while acceptPunct(",")
    guard atEnd else { throw fail("unexpected \(describe(token)) after RENAME TABLE") }
    return .renameTables(pairs)
  }
}
