import BinlogFormat
#if canImport(Glibc)
  import Glibc
#endif

/// Flashback statements spooled to an unlinked temporary file, replayed newest first.
final class Spool {
  private let fd: Int32
  private var size: UInt64 = 0
  private var pending: [UInt8] = []
  private var pendingStart: UInt64 = 0
  /// End offset of every statement, in file order.
  private var ends: [UInt64] = []
  /// Per transaction: its header's range and its first statement's index.
  private var transactions: [(header: Range<UInt64>, first: Int)] = []
  /// Prepared XA branches by id (transaction index), and those rolled back later.
  private var xaTransactions: [String: Int] = [:]
  private var discarded: Set<Int> = []

  init() throws {
    let dir = String(cString: getenv("TMPDIR") ?? strdup("/tmp"))
    var template = Array((dir + "/sluice-flashback-XXXXXX").utf8CString)
    fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
      throw BinlogError(.io, "cannot create a temporary file for the flashback: \(String(cString: strerror(errno)))", file: dir)
    }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    directory = dir
  }

  /// Where the spool lives (TMPDIR), for messages.
  private var directory = ""

  deinit { close(fd) }

  func beginTransaction(header: [UInt8]) {
    let start = size + UInt64(pending.count)
    pending += header
    transactions.append((start..<(start + UInt64(header.count)), ends.count))
  }

  func append(statement: UnsafeRawBufferPointer) {
    pending.append(contentsOf: statement)
    ends.append(size + UInt64(pending.count))
    if pending.count >= 4 << 20 { try? flush() }
  }

  func endTransaction() {}

  /// Marks the current transaction as the XA branch `id`.
  func tagXA(_ id: String) {
    if !transactions.isEmpty { xaTransactions[id] = transactions.count - 1 }
  }

  /// Leaves out the XA branch `id` (it was rolled back).
  func discard(xa id: String) {
    if let t = xaTransactions.removeValue(forKey: id) { discarded.insert(t) }
  }

  private func flush() throws {
    var done = 0
    while done < pending.count {
      let n = pending.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(size) + off_t(done)) }
      if n <= 0 {
        throw BinlogError(
          .io, "cannot write the flashback spool (a temporary file in \(directory)): \(String(cString: strerror(errno)))",
          file: directory)
      }
      done += n
    }
    size += UInt64(pending.count)
    pending.removeAll(keepingCapacity: true)
  }

  private func read(_ r: Range<UInt64>, into out: inout [UInt8]) throws {
    let n = Int(r.upperBound - r.lowerBound)
    let start = out.count
    out += repeatElement(0, count: n)
    let got = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + start, n, off_t(r.lowerBound)) }
    guard got == n else { throw BinlogError(.io, "cannot read the flashback spool") }
  }

  /// Writes every transaction, last first, each with its statements in reverse.
  func replay(into sink: OutputSink) throws {
    try flush()
    for t in (0..<transactions.count).reversed() {
      let first = transactions[t].first
      let last = t + 1 < transactions.count ? transactions[t + 1].first : ends.count
      guard last > first, !discarded.contains(t) else { continue }
      var out = sink.buffer
      try read(transactions[t].header, into: &out)
      SQLValue.appendRaw("BEGIN;\n", into: &out)
      for s in (first..<last).reversed() {
        let start = s == first ? transactions[t].header.upperBound : ends[s - 1]
        try read(start..<ends[s], into: &out)
        if out.count >= 1 << 20 {
          sink.buffer = out
          try sink.flush()
          out = sink.buffer
        }
      }
      SQLValue.appendRaw("COMMIT;\n", into: &out)
      sink.buffer = out
      try sink.maybeFlush()
    }
  }
}
