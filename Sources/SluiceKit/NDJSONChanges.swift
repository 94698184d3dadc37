import BinlogFormat
import BinlogIO
import BinlogSchema

/// Reads an NDJSON export (`sluice export --format ndjson`, with or without `--stable`) back into
/// transactions, for comparing a binlog with a golden file.
///
/// Lines group into transactions by their `tx` number (`--stable` output); without one, by their
/// `file` and `gtid`, or `xid` when there is no GTID (a line that changes them starts a
/// transaction, and a statement with neither is a transaction of its own). Fields other than
/// `db`, `table`, `type`, `pk`, `before`, `after` and `sql` are not compared.
public enum NDJSONChanges {
  /// True when `path` is a file whose first non-blank byte is `{` (an NDJSON export).
  public static func isNDJSON(path: String) -> Bool {
    guard let f = try? MappedFile(path: path) else { return false }
    for b in f.bytes where b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09 { return b == 0x7B }
    return false
  }

  /// The transactions of the NDJSON file at `path`.
  public static func read(path: String) throws -> [Transaction] {
    let file = try MappedFile(path: path)
    return try read(bytes: file.bytes, name: path)
  }

  /// The transactions of NDJSON text (`name` is the file named in locations and errors).
  public static func read(bytes: UnsafeRawBufferPointer, name: String) throws -> [Transaction] {
    var out: [Transaction] = []
    var groupKey: String?
    var lineNumber = 0
    var start = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count && bytes[end] != 0x0A { end += 1 }
      lineNumber += 1
      let line = Array(bytes[start..<end])
      start = end + 1
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
      let node: TabularText.JSON
      do {
        node = try TabularText.parseJSON(line)
      } catch {
        throw BinlogError(.malformed, "line \(lineNumber): \(error)", file: name)
      }
      guard case .object(let members) = node else {
        throw BinlogError(.malformed, "line \(lineNumber): not a JSON object", file: name)
      }
      func field(_ k: String) -> TabularText.JSON? { members.first(where: { $0.0 == k })?.1 }
      let location = Location(file: name, line: lineNumber)
      guard case .string(let type)? = field("type") else {
        throw BinlogError(.malformed, "line \(lineNumber): no \"type\"", file: name)
      }
      let db = field("db")?.text ?? ""
      let change: Change
      switch type {
      case "insert", "update", "delete":
        var key: [String] = []
        if case .array(let items)? = field("pk") { key = items.compactMap(\.text) }
        change = .row(
          RowChange(
            kind: RowChange.Kind(rawValue: type)!, database: db, table: field("table")?.text ?? "", primaryKey: key,
            before: try row(field("before"), lineNumber, name), after: try row(field("after"), lineNumber, name),
            location: location))
      case "ddl", "query":
        change = .statement(Statement(database: db, sql: field("sql")?.text ?? "", isDDL: type == "ddl", location: location))
      default:
        throw BinlogError(.malformed, "line \(lineNumber): unknown type \"\(type)\"", file: name)
      }
      // The transaction this line belongs to.
      let tx = field("tx")
      let key: String
      var standalone = false
      if let tx {
        key = "tx " + (tx.text ?? "")
      } else {
        let gtid = field("gtid")?.text
        let xid = field("xid")?.text
        // Statement lines of a transaction have no xid (only its rows look the xid up).
        key = (field("file")?.text ?? "") + " " + (gtid.map { "gtid " + $0 } ?? xid.map { "xid " + $0 } ?? "-")
        if case .statement = change, gtid == nil, xid == nil { standalone = true }
      }
      if standalone || key != groupKey || out.isEmpty {
        let number = tx?.text.flatMap { Int($0) } ?? out.count + 1
        var t = Transaction(number: number, location: location)
        t.gtid = field("gtid")?.text
        t.xid = field("xid")?.text.flatMap { UInt64($0) }
        t.serverID = field("server_id")?.text.flatMap { UInt32($0) }
        t.threadID = field("thread_id")?.text.flatMap { UInt32($0) }
        out.append(t)
      }
      groupKey = standalone ? nil : key
      out[out.count - 1].changes.append(change)
    }
    return out
  }

  private static func row(_ node: TabularText.JSON?, _ line: Int, _ name: String) throws -> Row? {
    switch node {
    case nil, .null?: return nil
    case .object(let members)?: return Row(members.map { Row.Column(name: $0.0, value: Value($0.1)) })
    default: throw BinlogError(.malformed, "line \(line): a row image is not an object", file: name)
    }
  }
}
