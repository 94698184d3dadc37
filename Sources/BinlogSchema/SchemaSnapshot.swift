import BinlogFormat
import BinlogIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Seeds a timeline from a schema snapshot the user gives: `mysqldump --no-data` output,
/// `SHOW CREATE TABLE` text, or an `information_schema.COLUMNS` export as CSV/TSV or JSON.
public enum SchemaSnapshot {
  public struct Report: Sendable {
    public var files: [String] = []
    /// Tables defined by the snapshot.
    public var tables = 0
    /// Statements or rows that could not be used, with their file.
    public var issues: [String] = []
  }

  /// Loads a file, or every regular file of a directory in name order.
  /// `database` is the current database for statements that name none (SHOW CREATE TABLE text).
  public static func load(path: String, database: String = "", into timeline: inout SchemaTimeline) throws(BinlogError) -> Report
  {
    var report = Report()
    var st = stat()
    guard stat(path, &st) == 0 else {
      throw BinlogError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
    }
    var paths: [String] = []
    if (st.st_mode & S_IFMT) == S_IFDIR {
      guard let d = opendir(path) else {
        throw BinlogError(.io, "cannot read directory: \(String(cString: strerror(errno)))", file: path)
      }
      while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
          String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name.hasPrefix(".") { continue }
        let p = path.hasSuffix("/") ? path + name : path + "/" + name
        var fst = stat()
        if stat(p, &fst) == 0, (fst.st_mode & S_IFMT) == S_IFREG { paths.append(p) }
      }
      closedir(d)
      paths.sort(by: BinlogPosition.naturalLess)
    } else {
      paths = [path]
    }
    for p in paths {
      let file = try MappedFile(path: p)
      let bytes = Array(file.bytes)
      var db = database
      if db.isEmpty, let fromName = databaseFromFileName(p) { db = fromName }
      let r = try load(text: bytes, name: p, database: db, into: &timeline)
      report.files.append(p)
      report.tables += r.tables
      report.issues += r.issues
    }
    return report
  }

  /// mydumper names schema files `db.table-schema.sql`.
  static func databaseFromFileName(_ path: String) -> String? {
    let base = binlogBaseName(path)
    guard base.hasSuffix("-schema.sql"), let dot = base.firstIndex(of: ".") else { return nil }
    let db = String(base[..<dot])
    return db.isEmpty ? nil : db
  }

  /// Loads one snapshot given as bytes; the format is recognised from its content.
  public static func load(text: [UInt8], name: String, database: String = "", into timeline: inout SchemaTimeline)
    throws(BinlogError) -> Report
  {
    var report = Report()
    var i = 0
    while i < text.count,
      text[i] == 0x20 || text[i] == 0x0A || text[i] == 0x0D || text[i] == 0x09 || text[i] == 0xEF || text[i] == 0xBB
        || text[i] == 0xBF
    { i += 1 }
    let body = Array(text[i...])
    let before = timeline.catalog.tables.count
    if let first = body.first, first == 0x5B || first == 0x7B {
      let json: TabularText.JSON
      do {
        json = try TabularText.parseJSON(body)
      } catch {
        throw BinlogError(.malformed, "not valid JSON: \(error)", file: name)
      }
      let rows = jsonRows(json)
      report.issues += try loadColumns(rows, name: name, into: &timeline)
    } else if looksLikeColumnsExport(body) {
      let table = TabularText.parseDelimited(body)
      guard let header = table.first else { return report }
      let keys = header.map { ($0 ?? "").uppercased() }
      let rows = table.dropFirst().map { r -> [String: String?] in
        var d: [String: String?] = [:]
        for (k, v) in zip(keys, r) { d[k] = v }
        return d
      }
      report.issues += try loadColumns(rows, name: name, into: &timeline)
    } else {
      let statements = SQLScript.showCreateOutput(body) ?? SQLScript.statements(body)
      var db = database
      for s in statements {
        let context = DDLParser.Context(database: db, flavor: timeline.flavor, serverVersion: timeline.serverVersion)
        let parsed = DDLParser.parse(s, context: context)
        if case .use(let d) = parsed {
          db = d
          continue
        }
        if let r = timeline.apply(parsed, sql: String(decoding: s, as: UTF8.self), database: db, at: .start) {
          switch r.outcome {
          case .applied: break
          case .unsupported(let why): report.issues.append("\(name): \(why)")
          case .problems(let ps): report.issues += ps.map { "\(name): \($0)" }
          }
        }
      }
    }
    report.tables = max(0, timeline.catalog.tables.count - before)
    report.files = [name]
    return report
  }

  /// True for a CSV/TSV whose header names information_schema.COLUMNS fields.
  static func looksLikeColumnsExport(_ b: [UInt8]) -> Bool {
    let header = String(decoding: b.prefix(while: { $0 != 0x0A }), as: UTF8.self).uppercased()
    return header.contains("TABLE_NAME") && header.contains("COLUMN_NAME")
      && (header.contains(",") || header.contains("\t") || header.contains(";"))
  }

  /// The row objects of a JSON export: an array of objects, or an object holding one (as
  /// `{"COLUMNS": [...]}`, `{"rows": [...]}`, MySQL Shell's `{"data": [...]}`).
  static func jsonRows(_ json: TabularText.JSON) -> [[String: String?]] {
    func rows(_ items: [TabularText.JSON]) -> [[String: String?]] {
      items.compactMap { item -> [String: String?]? in
        guard case .object(let members) = item else { return nil }
        var d: [String: String?] = [:]
        for (k, v) in members { d[k.uppercased()] = v.text }
        return d
      }
    }
    switch json {
    case .array(let items):
      if items.count == 1, case .object(let m) = items[0],
        m.contains(where: { if case .array = $0.1 { return true } else { return false } })
      {
        return jsonRows(items[0])
      }
      return rows(items)
    case .object(let members):
      for (_, v) in members {
        if case .array(let items) = v { return rows(items) }
      }
      return rows([json])
    default:
      return []
    }
  }

  /// Builds tables from information_schema.COLUMNS rows (keys upper-case).
  static func loadColumns(_ rows: [[String: String?]], name: String, into timeline: inout SchemaTimeline) throws(BinlogError)
    -> [String]
  {
    var issues: [String] = []
    struct Key: Hashable {
      var db: String
      var table: String
    }
    var order: [Key] = []
    var byTable: [Key: [(Int, [String: String?])]] = [:]
    for (n, r) in rows.enumerated() {
      guard let db = r["TABLE_SCHEMA"] ?? nil, let t = r["TABLE_NAME"] ?? nil, (r["COLUMN_NAME"] ?? nil) != nil else {
        issues.append("\(name): row \(n + 1) has no TABLE_SCHEMA, TABLE_NAME or COLUMN_NAME")
        continue
      }
      let k = Key(db: db, table: t)
      let ordinal = (r["ORDINAL_POSITION"] ?? nil).flatMap { Int($0) } ?? (byTable[k]?.count ?? 0) + 1
      if byTable[k] == nil { order.append(k) }
      byTable[k, default: []].append((ordinal, r))
    }
    if order.isEmpty && issues.isEmpty && !rows.isEmpty {
      throw BinlogError(.malformed, "no information_schema.COLUMNS rows found", file: name)
    }
    for k in order {
      let cols = byTable[k]!.sorted { $0.0 < $1.0 }
      var t = TableSchema(database: k.db, name: k.table, columns: [])
      t.style = timeline.style
      var pk: [IndexDefinition.Part] = []
      var failed: String?
      for (_, r) in cols {
        switch column(r, flavor: timeline.flavor) {
        case .success(let (c, key)):
          if key == "PRI" { pk.append(.init(column: c.name)) }
          if key == "UNI" { t.indexes.append(IndexDefinition(kind: .unique, name: c.name, parts: [.init(column: c.name)])) }
          if c.dataType.isInteger, let ct = r["COLUMN_TYPE"] ?? nil, !ct.contains("("), timeline.flavor == .mysql {
            t.style = .mysql80
          }
          t.columns.append(c)
        case .failure(let e):
          failed = e.message
        }
        if failed != nil { break }
      }
      if let failed {
        t.uncertain = true
        t.uncertainReason = "information_schema row: \(failed)"
        issues.append("\(name): \(k.db).\(k.table): \(failed)")
      }
      // information_schema.COLUMNS says which columns are in the primary key, not their key
      // order: column order is assumed.
      if !pk.isEmpty {
        for p in pk { if let i = t.columnIndex(p.column!) { t.columns[i].nullable = false } }
        t.indexes.insert(IndexDefinition(kind: .primary, name: nil, parts: pk), at: 0)
      }
      timeline.seed(t)
    }
    return issues
  }

  struct RowError: Error {
    var message: String
  }

  /// One column from an information_schema.COLUMNS row, with its COLUMN_KEY.
  static func column(_ r: [String: String?], flavor: FormatDescription.Flavor) -> Result<(ColumnDefinition, String), RowError> {
    func v(_ k: String) -> String? { r[k] ?? nil }
    let name = v("COLUMN_NAME")!
    var typeText = v("COLUMN_TYPE")
    if typeText == nil, let dt = v("DATA_TYPE")?.lowercased() {
      switch dt {
      case "char", "varchar", "binary", "varbinary":
        typeText = "\(dt)(\(v("CHARACTER_MAXIMUM_LENGTH") ?? "1"))"
      case "decimal":
        typeText = "decimal(\(v("NUMERIC_PRECISION") ?? "10"),\(v("NUMERIC_SCALE") ?? "0"))"
      case "time", "datetime", "timestamp":
        typeText = dt + ((v("DATETIME_PRECISION")).flatMap { Int($0) }.map { $0 > 0 ? "(\($0))" : "" } ?? "")
      case "bit":
        typeText = "bit(\(v("NUMERIC_PRECISION") ?? "1"))"
      default:
        typeText = dt
      }
    }
    guard let typeText else { return .failure(RowError(message: "column \(name) has no COLUMN_TYPE or DATA_TYPE")) }
    guard var c = DDLParser.columnDefinition(name: name, type: typeText, flavor: flavor) else {
      return .failure(RowError(message: "column \(name): cannot read type \(typeText)"))
    }
    if c.dataType.isCharacter || c.dataType.isText {
      if let cs = v("CHARACTER_SET_NAME") { c.charset = Collations.normalizeCharset(cs) }
      if let co = v("COLLATION_NAME") {
        c.collation = Collations.normalizeCollation(co)
        if c.charset == nil { c.charset = Collations.charset(ofCollation: co) }
      }
    }
    if let n = v("IS_NULLABLE") { c.nullable = n.uppercased() == "YES" }
    c.defaultValue = v("COLUMN_DEFAULT")
    if let cm = v("COLUMN_COMMENT"), !cm.isEmpty { c.comment = cm }
    let extra = (v("EXTRA") ?? "").lowercased()
    if extra.contains("auto_increment") { c.autoIncrement = true }
    if extra.contains("invisible") { c.invisible = true }
    if extra.contains("virtual") || extra.contains("stored") || extra.contains("persistent") {
      c.generated = .init(expression: v("GENERATION_EXPRESSION") ?? "", stored: !extra.contains("virtual"))
    }
    if let r = extra.firstRange(of: "on update ") {
      c.onUpdate = String(extra[r.upperBound...]).uppercased()
    }
    return .success((c, (v("COLUMN_KEY") ?? "").uppercased()))
  }
}
