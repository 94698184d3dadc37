/// A place in the binlogs: a file (by base name) and a byte offset in it, as MySQL's own
/// `SHOW BINLOG EVENTS IN 'file' FROM offset` and Canal's `logfileName`/`logfileOffset` name it.
/// Positions order by file name, digit runs compared as numbers (`binlog.999999` <
/// `binlog.1000000`), then offset. An empty `file` names none: a bare offset (`--start-position N`)
/// in the first file read.
public struct BinlogPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var file: String
  public var offset: UInt64

  /// `file` may be a path; only its last component is kept.
  public init(file: String, offset: UInt64) {
    self.file = binlogBaseName(file)
    self.offset = offset
  }

  /// `baseName` is already a file's base name (`binlogBaseName`), as in per-event positions.
  public init(baseName: String, offset: UInt64) {
    self.file = baseName
    self.offset = offset
  }

  /// True when the position names its file (not a bare offset).
  public var namesFile: Bool { !file.isEmpty }

  /// Before everything in every file (where a schema snapshot applies).
  public static let start = BinlogPosition(file: "", offset: 0)

  public var description: String { "\(file):\(offset)" }

  /// Parses `file:offset` (the file may be a path).
  public init?(parsing text: String) {
    guard let colon = text.lastIndex(of: ":"), let off = UInt64(text[text.index(after: colon)...]) else { return nil }
    let f = String(text[..<colon])
    guard !f.isEmpty else { return nil }
    self.init(file: f, offset: off)
  }

  /// Parses a command-line position: `N` (in the first file read) or `FILE:N`.
  public init(argument text: String) throws(BinlogError) {
    if let p = BinlogPosition(parsing: text) {
      self = p
    } else if !text.contains(":"), let n = UInt64(text) {
      self.init(file: "", offset: n)
    } else {
      throw BinlogError(.malformed, "invalid position '\(text)' (expected N or FILE:N)")
    }
  }

  public static func < (a: BinlogPosition, b: BinlogPosition) -> Bool {
    if a.file != b.file { return naturalLess(a.file, b.file) }
    return a.offset < b.offset
  }

  /// Binlog name order: digit runs compare as numbers (`binlog.999999` < `binlog.1000000`).
  public static func naturalLess(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var i = 0
    var j = 0
    func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    while i < x.count && j < y.count {
      if isDigit(x[i]) && isDigit(y[j]) {
        var ie = i
        while ie < x.count && isDigit(x[ie]) { ie += 1 }
        var je = j
        while je < y.count && isDigit(y[je]) { je += 1 }
        // Compare without leading zeros: longer run is larger, else lexicographic.
        var a0 = i
        while a0 < ie - 1 && x[a0] == 0x30 { a0 += 1 }
        var b0 = j
        while b0 < je - 1 && y[b0] == 0x30 { b0 += 1 }
        if ie - a0 != je - b0 { return ie - a0 < je - b0 }
        if !x[a0..<ie].elementsEqual(y[b0..<je]) { return x[a0..<ie].lexicographicallyPrecedes(y[b0..<je]) }
        i = ie
        j = je
      } else {
        if x[i] != y[j] { return x[i] < y[j] }
        i += 1
        j += 1
      }
    }
    return x.count - i < y.count - j
  }
}

/// The file name of a path (`/var/lib/mysql/binlog.000001` → `binlog.000001`): how positions,
/// Entry headers and error messages name a binlog.
public func binlogBaseName(_ path: String) -> String {
  // Over the UTF-8 bytes (a Character search walks grapheme clusters): called per table map.
  let utf8 = path.utf8
  if let i = utf8.lastIndex(of: UInt8(ascii: "/")) { return String(path[utf8.index(after: i)...]) }
  return path
}
