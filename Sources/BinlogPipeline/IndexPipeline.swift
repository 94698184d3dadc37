import BinlogFormat
import BinlogIndex

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `sluice index`: builds or refreshes each input's index (`IndexStore.load`, or a rebuild when
/// forced) and says per file what was done and what the index costs.
public struct IndexPipeline {
  /// Binlog files and archives (directories already expanded; no stdin).
  public var inputs: [String]
  public var readerOptions: ReaderOptions
  /// Where index files go (nil: beside each binlog); created when missing.
  public var indexDirectory: String?
  /// Rebuild even a fresh index.
  public var force = false
  public var progress: ProgressObserver?
  public var report: Diagnostics

  public init(inputs: [String], readerOptions: ReaderOptions, report: @escaping Diagnostics) {
    self.inputs = inputs
    self.readerOptions = readerOptions
    self.report = report
  }

  /// One input's index.
  public struct Entry {
    public var path: String
    public var result: IndexStore.Result
    /// Bytes of the index file written or found (0 when it could not be stat'ed).
    public var indexSize: UInt64

    /// "PATH: OUTCOME, N transactions, index S bytes (P% of the binlog) [NOTE]".
    public var line: String {
      var line = "\(path): \(result.outcome.rawValue), \(result.index.transactionCount) transactions, index \(indexSize) bytes"
      if result.index.binlogSize > 0 {
        line += " (" + twoDecimals(Double(indexSize) * 100 / Double(result.index.binlogSize)) + "% of the binlog)"
      }
      if let note = result.note { line += " [\(note)]" }
      return line
    }
  }

  /// Indexes the inputs in order; `output` gets each file's `Entry.line`, `report` the note of an
  /// index that stops before an incomplete last transaction.
  @discardableResult
  public func run(output: (String) -> Void) throws -> [Entry] {
    if let indexDirectory {
      // Created when missing (like mkdir, one level): "cannot write index" would send the
      // user looking for a permission problem.
      var st = stat()
      if stat(indexDirectory, &st) != 0 && mkdir(indexDirectory, 0o755) != 0 {
        throw BinlogError(.io, "cannot create --index-dir: \(String(cString: strerror(errno)))", file: indexDirectory)
      }
    }
    var entries: [Entry] = []
    for (k, path) in inputs.enumerated() {
      progress?.update("indexing \(path) (\(k + 1)/\(inputs.count))")
      let ipath = FileIndex.path(for: path, indexDir: indexDirectory)
      let r: IndexStore.Result
      if force {
        let (idx, n) = try IndexStore.build(path: path, destination: ipath, options: readerOptions)
        r = IndexStore.Result(index: idx, outcome: .built, note: nil, bytesRead: n)
      } else {
        r = try IndexStore.load(path: path, indexDir: indexDirectory, persist: true, options: readerOptions)
      }
      progress?.clear()
      var st = stat()
      let entry = Entry(path: path, result: r, indexSize: stat(ipath, &st) == 0 ? UInt64(st.st_size) : 0)
      output(entry.line)
      if let n = r.index.incompleteTailNotice { report("note: \(n)") }
      entries.append(entry)
    }
    return entries
  }
}

/// `v` rounded to hundredths, as Swift prints a Double ("12.5", "0.07", "100.0").
public func twoDecimals(_ v: Double) -> String {
  let x = (v * 100).rounded() / 100
  return "\(x)"
}
