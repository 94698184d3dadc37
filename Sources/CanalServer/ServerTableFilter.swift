import CanalProtocol

/// Canal's table filter (`canal.instance.filter.regex`, `Sub.filter`): comma-separated regular
/// expressions matched against `schema.table`.

/// Canal's `AviaterRegexFilter` semantics:
/// * the pattern is split at top-level commas (commas inside `{}`, `[]`, `()` or after a
///   backslash belong to the regex, so `\d{1,2}` survives; canal 1.1.8+ behaviour) and empty
///   parts are dropped;
/// * each part must match the **whole** name (Canal wraps it as `^part$`), case-insensitively,
///   with `.` also matching a newline; the name is lower-cased first;
/// * an empty pattern yields `emptyValue` (true for the table filter, false for the black filter),
///   and so does an empty name.
/// Not `Sendable`: a compiled `Regex` is not; build one filter per thread of use.
public struct CanalTableFilter {
  public let pattern: String
  public let emptyValue: Bool
  private let parts: [Regex<AnyRegexOutput>]

  /// Canal's default instance filter, which matches every table.
  public static let matchAllPattern = ".*\\..*"

  public init(_ pattern: String, emptyValue: Bool = true) throws(CanalFilterError) {
    self.pattern = pattern
    self.emptyValue = emptyValue
    var compiled: [Regex<AnyRegexOutput>] = []
    for part in Self.split(pattern) {
      do {
        compiled.append(try Regex("^" + part + "$").ignoresCase().dotMatchesNewlines())
      } catch {
        throw CanalFilterError(pattern: pattern, part: part, message: "\(error)")
      }
    }
    self.parts = compiled
  }

  /// True when the filter has no expression (it then answers `emptyValue` for everything).
  public var isEmpty: Bool { parts.isEmpty }

  /// True when `name` (`schema.table`) matches one of the expressions.
  public func matches(_ name: String) -> Bool {
    if parts.isEmpty || name.isEmpty { return emptyValue }
    let target = name.lowercased()
    for regex in parts where (try? regex.wholeMatch(in: target)) != nil {
      return true
    }
    return false
  }

  /// Splits at commas outside `{}`, `[]` and `()`; a backslash protects the next character.
  static func split(_ pattern: String) -> [String] {
    var result: [String] = []
    var current = ""
    var braces = 0
    var brackets = 0
    var parens = 0
    var escaped = false
    for c in pattern {
      if escaped {
        current.append(c)
        escaped = false
        continue
      }
      switch c {
      case "\\": escaped = true
      case "{": braces += 1
      case "}": braces = max(0, braces - 1)
      case "[": brackets += 1
      case "]": brackets = max(0, brackets - 1)
      case "(": parens += 1
      case ")": parens = max(0, parens - 1)
      case "," where braces == 0 && brackets == 0 && parens == 0:
        if !current.isEmpty { result.append(current) }
        current = ""
        continue
      default: break
      }
      current.append(c)
    }
    if !current.isEmpty { result.append(current) }
    return result
  }
}

/// A filter expression that is not a valid regular expression.
public struct CanalFilterError: Error, CustomStringConvertible, Sendable {
  public var pattern: String
  public var part: String
  public var message: String
  public var description: String { "invalid filter regex '\(part)' in '\(pattern)': \(message)" }
}

/// The white and black table filters of one subscription, with a cache of decisions per name.
struct CanalEntryFilter {
  private(set) var white: CanalTableFilter
  private(set) var black: CanalTableFilter
  private var decisions: [String: Bool] = [:]
  /// True when every entry passes, so no name needs to be built.
  private let passesEverything: Bool

  init(white: CanalTableFilter, black: CanalTableFilter) {
    self.white = white
    self.black = black
    passesEverything =
      (white.isEmpty || white.pattern == CanalTableFilter.matchAllPattern) && black.isEmpty
      && !black.emptyValue
  }

  /// Canal filters rows-event entries and DDL entries by `schema.table` (LogEventConvert); a
  /// DDL without a table name, statements, queries, BEGIN and END always pass.
  mutating func passes(_ entry: PositionedEntry) -> Bool {
    if passesEverything || entry.entryType != .rowdata { return true }
    switch entry.eventType {
    case .insert, .update, .delete:
      if !entry.isRowsEvent { return true }
    case .create, .alter, .erase, .truncate, .rename, .cindex, .dindex:
      if entry.tableName.isEmpty { return true }
    default:
      return true
    }
    let name = entry.qualifiedTableName
    if let known = decisions[name] { return known }
    let decision = white.matches(name) && !black.matches(name)
    if decisions.count >= 4096 { decisions.removeAll(keepingCapacity: true) }
    decisions[name] = decision
    return decision
  }
}
