import BinlogFormat
import BinlogIndex
import BinlogQuery

/// The `sluice query` command lines that show or undo what a report lists, over the same inputs
/// the report was made from, quoted for a POSIX shell.
public struct ReportCommands: Sendable {
  /// The inputs as the user gave them (files or directories), quoted and joined.
  public var inputs: String
  public var window: ReportWindow

  public init(inputs: [String], window: ReportWindow) {
    self.inputs = inputs.map(ReportCommands.quote).joined(separator: " ")
    self.window = window
  }

  /// `'…'` unless the word is made only of characters a shell leaves alone.
  public static func quote(_ s: String) -> String {
    let plain =
      !s.isEmpty
      && s.utf8.allSatisfy { c in
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
          || c == 0x2D || c == 0x2E || c == 0x2F || c == 0x5F || c == 0x3A || c == 0x2C || c == 0x40 || c == 0x2B || c == 0x3D
      }
    if plain { return s }
    return "'" + s.replacingAll("'", with: "'\\''") + "'"
  }

  /// The filter that selects exactly one transaction: its GTID, else its byte range in its file.
  public func select(_ t: TransactionRecord, file: String) -> String {
    if let g = t.gtid { return "--include-gtids \(ReportCommands.quote(g.description))" }
    return
      "--start-position \(ReportCommands.quote("\(file):\(t.start)")) --stop-position \(ReportCommands.quote("\(file):\(t.end)"))"
  }

  /// Prints the transaction.
  public func show(_ t: TransactionRecord, file: String) -> String {
    "sluice query \(select(t, file: file)) \(inputs)"
  }

  /// SQL that undoes the transaction's row changes.
  public func undo(_ t: TransactionRecord, file: String) -> String {
    "sluice query \(select(t, file: file)) --format sql --flashback \(inputs)"
  }

  /// `--start-datetime … --stop-datetime …` for commits in `[from, to)` (epoch seconds), in the
  /// report's zone.
  public func timeRange(from: Int64, to: Int64) -> String {
    var s = "--start-datetime '\(civil(from))' --stop-datetime '\(civil(to))'"
    if window.zoneName.uppercased() != "UTC" { s += " --timezone \(ReportCommands.quote(window.zoneName))" }
    return s
  }

  /// A table's row changes in `[from, to)`.
  public func showTable(_ table: String, from: Int64, to: Int64) -> String {
    "sluice query --table \(ReportCommands.quote(table)) \(timeRange(from: from, to: to)) \(inputs)"
  }

  /// SQL that undoes a table's row changes in `[from, to)`.
  public func undoTable(_ table: String, from: Int64, to: Int64) -> String {
    "sluice query --table \(ReportCommands.quote(table)) \(timeRange(from: from, to: to)) --format sql --flashback \(inputs)"
  }

  /// `YYYY-MM-DD HH:MM:SS` in the report's zone.
  public func civil(_ epoch: Int64) -> String {
    let c = CivilDateTime(epoch: epoch, offset: window.zone.offset(at: epoch))
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let y = String(c.year)
    return
      "\(String(repeating: "0", count: Swift.max(0, 4 - y.count)))\(y)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
  }
}

extension String {
  func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
    return out
  }
}
