import ArgumentParser
import BinlogFormat
import BinlogIndex
import BinlogQuery

#if canImport(Glibc)
  import Glibc
#endif

struct IndexCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "index",
    abstract: "Build (or refresh) the per-file index that lets query and stats seek instead of scanning.",
    discussion: """
      The index of FILE is written beside it as FILE.sidx, or into --index-dir for read-only archives. It records every transaction (offsets, first and commit time, GTID, xid, thread and server id, tables touched with row counts). An index whose file changed is rebuilt; one whose file grew is extended from its last transaction.

      Examples:
        sluice index /var/lib/mysql/binlog.0*
        sluice index --index-dir /tmp/idx /archive/readonly/
      """)

  @Option(name: .customLong("index-dir"), help: "Directory for index files (default: beside each binlog).")
  var indexDir: String?

  @Flag(help: "Rebuild even when the index is fresh.")
  var force = false

  @OptionGroup var read: ReadOptions

  @Argument(help: "Binlog files or directories.")
  var files: [String]

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file") }
    if files.contains("-") { throw ValidationError("an index needs files, not '-'") }
  }

  func run() throws {
    try runReporting {
      let inputs = try expandInputs(files)
      if let indexDir {
        // Created when missing (like mkdir, one level): "cannot write index" would send the
        // user looking for a permission problem.
        var st = stat()
        if stat(indexDir, &st) != 0 && mkdir(indexDir, 0o755) != 0 {
          throw BinlogError(.io, "cannot create --index-dir: \(String(cString: strerror(errno)))", file: indexDir)
        }
      }
      let progress = Progress()
      var total: UInt64 = 0
      var indexSize: UInt64 = 0
      for (k, path) in inputs.enumerated() {
        progress.update("indexing \(path) (\(k + 1)/\(inputs.count))")
        let r: IndexStore.Result
        if force {
          let (idx, n) = try IndexStore.build(
            path: path, destination: FileIndex.path(for: path, indexDir: indexDir), options: read.readerOptions)
          r = IndexStore.Result(index: idx, outcome: .built, note: nil, bytesRead: n)
        } else {
          r = try IndexStore.load(path: path, indexDir: indexDir, persist: true, options: read.readerOptions)
        }
        progress.clear()
        let ipath = FileIndex.path(for: path, indexDir: indexDir)
        var st = stat()
        let isize = stat(ipath, &st) == 0 ? UInt64(st.st_size) : 0
        total += r.index.binlogSize
        indexSize += isize
        var line = "\(path): \(r.outcome.rawValue), \(r.index.transactionCount) transactions, index \(isize) bytes"
        if r.index.binlogSize > 0 {
          line += String(format2(Double(isize) * 100 / Double(r.index.binlogSize))) + "% of the binlog"
          line = line.replacingLast(" bytes", with: " bytes (") + ")"
        }
        if let note = r.note { line += " [\(note)]" }
        print(line)
        if let n = r.index.incompleteTailNotice { report("note: \(n)") }
      }
      return 0
    }
  }
}

func format2(_ v: Double) -> String {
  let x = (v * 100).rounded() / 100
  return "\(x)"
}

extension String {
  func replacingLast(_ what: String, with: String) -> String {
    let chars = Array(self)
    let target = Array(what)
    guard !target.isEmpty, chars.count >= target.count else { return self }
    for start in stride(from: chars.count - target.count, through: 0, by: -1)
    where chars[start..<start + target.count].elementsEqual(target) {
      return String(chars[..<start]) + with + String(chars[(start + target.count)...])
    }
    return self
  }
}
