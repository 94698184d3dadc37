import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogQuery
import BinlogSchema
import Exporters

/// Runs a query over an archive: picks candidate transactions through the index, decodes only
/// their byte ranges, applies the row-level filters and writes the matching transactions (or
/// rows) as NDJSON or text.
///
/// With `threads` > 1 the candidates are cut into batches of about `batchBytes` of binlog, in
/// archive order; workers (`QueryWorker`) decode batches into memory and each batch is written
/// when all batches before it are, so the output is byte for byte the one-thread output. A
/// worker holds at most `maxBuffered` bytes of output before it waits for its turn, and at most
/// `2 × threads` batches are cut ahead of the writer: memory stays bounded whatever the query
/// and transaction sizes.
public final class QueryRunner {
  public enum Format: Sendable {
    case ndjson
    /// A header line per transaction, then its changes as NDJSON lines indented by two spaces.
    case text
    /// The matching transactions as a binlog file (`BinlogCut`): whole transactions, copied.
    case binlog
    /// The matching transactions' events handed to the exporter `makeExporter` makes (SQL,
    /// flashback SQL, Canal): on one thread, since a flashback is written newest first.
    case events
  }

  public struct Stats: Sendable {
    public var files = 0
    public var candidates = 0
    public var transactions = 0
    public var rows: UInt64 = 0
    /// Bytes of binlog read while decoding matching transactions.
    public var bytesDecoded: UInt64 = 0
    /// Bytes read to build or extend indexes.
    public var bytesIndexed: UInt64 = 0
    public var archiveBytes: UInt64 = 0
    /// Seekable zstd archives: their frames, and the frames decompressed to answer.
    public var framesTotal = 0
    public var framesDecompressed = 0
    /// Why `--pk` cannot match, one sentence each (a column the table does not have, a value
    /// its type cannot hold), in the order found.
    public var keyProblems: [String] = []
    public var bytesTouched: UInt64 { bytesDecoded + bytesIndexed }

    mutating func add(_ w: Stats) {
      candidates += w.candidates
      transactions += w.transactions
      rows += w.rows
      bytesDecoded += w.bytesDecoded
      framesTotal += w.framesTotal
      framesDecompressed += w.framesDecompressed
      for p in w.keyProblems where !keyProblems.contains(p) { keyProblems.append(p) }
    }
  }

  public let archive: IndexedBinlogs
  public let filter: QueryFilter
  /// Emit only matching rows (not whole transactions).
  public let rowGranularity: Bool
  public let format: Format
  public let sink: OutputSink
  public let options: ExportOptions
  public let readerOptions: ReaderOptions
  /// Offline schema for binlogs without column names: one tracker per worker. The runner feeds
  /// each the DDL stored in the files' indexes up to each transaction it reads (so a query that
  /// starts mid-archive knows the schema there), then the transaction's own events.
  public var makeSchema: (() -> SchemaTracker)?
  /// `.events`: the exporter, given the sink and the worker's schema (which the worker feeds:
  /// the exporter must only read it).
  public var makeExporter: ((OutputSink, SchemaTracker?) throws -> EventConsumer)?
  /// Worker threads; 1 decodes on the calling thread. The output is the same.
  public var threads = 1
  /// Binlog bytes per batch of candidates handed to a worker.
  public var batchBytes: UInt64 = 256 << 10
  /// Output a worker keeps while batches before its own are unwritten.
  public var maxBuffered = 4 << 20
  public private(set) var stats = Stats()

  public init(
    archive: IndexedBinlogs, filter: QueryFilter, rowGranularity: Bool, format: Format, sink: OutputSink,
    options: ExportOptions = ExportOptions(), readerOptions: ReaderOptions = ReaderOptions()
  ) {
    self.archive = archive
    self.filter = filter
    self.rowGranularity = rowGranularity
    self.format = format
    self.sink = sink
    self.options = options
    self.readerOptions = readerOptions
  }

  public func run() throws -> Stats {
    stats = Stats()
    stats.files = archive.files.count
    stats.bytesIndexed = archive.indexBytesRead
    stats.archiveBytes = archive.totalSize
    let storedDDL: [StoredDDL] =
      makeSchema == nil
      ? []
      : try archive.files.flatMap { f in
        try f.index.ddlStatements.map {
          StoredDDL(
            position: BinlogPosition(file: f.name, offset: $0.offset), timestamp: $0.timestamp,
            database: $0.database, sql: Array($0.sql.utf8))
        }
      }
    func worker(into sink: OutputSink) throws -> QueryWorker {
      let schema = makeSchema?()
      let events = format == .events ? try makeExporter?(sink, schema) : nil
      return QueryWorker(
        archive: archive, filter: filter, rowGranularity: rowGranularity, format: format, options: options,
        readerOptions: readerOptions, sink: sink, schema: schema, storedDDL: storedDDL, events: events)
    }

    // A binlog cut copies bytes: one thread is faster than handing batches around.
    if threads <= 1 || format == .binlog || format == .events {
      let w = try worker(into: sink)
      defer {
        w.finish()
        stats.add(w.stats)
      }
      try archive.forEachCandidate(filter) { i, t in try w.process(i, t) }
      try w.complete()
    } else {
      // The first batch decides: a query smaller than one batch runs on this thread.
      var first: [(Int, TransactionRecord)] = []
      var firstBytes: UInt64 = 0
      do {
        try archive.forEachCandidate(filter) { i, t in
          first.append((i, t))
          firstBytes += t.end - t.start
          if firstBytes >= batchBytes { throw BatchFull() }
        }
      } catch is BatchFull {
      }
      if firstBytes >= batchBytes {
        try runParallel(first: first, makeWorker: worker)
      } else {
        let w = try worker(into: sink)
        defer {
          w.finish()
          stats.add(w.stats)
        }
        for (i, t) in first { try w.process(i, t) }
        try w.complete()
      }
    }
    try sink.flush()
    return stats
  }

  private struct BatchFull: Error {}

  private func runParallel(first: [(Int, TransactionRecord)], makeWorker: (OutputSink) throws -> QueryWorker) throws {
    let sink = sink
    let maxBuffered = maxBuffered
    // Batches are cut at most 2 × threads ahead of the writer.
    let pool = try OrderedWorkerPool<QueryWorker, [(Int, TransactionRecord)], Void, any Error>(
      threads: threads, ahead: 2 * threads, keepsOutputs: false,
      makeWorker: { () throws in try makeWorker(OutputSink.memory()) },
      work: { w, batch, turn in try Self.write(batch, with: w, into: sink, turn: turn, maxBuffered: maxBuffered) })
    var producerError: Error?
    do {
      guard pool.submit(first) else { throw OrderedTurns.Cancelled() }
      var batch: [(Int, TransactionRecord)] = []
      var bytes: UInt64 = 0
      var skip = first.count
      try archive.forEachCandidate(filter) { i, t in
        if skip > 0 {
          skip -= 1
          return
        }
        batch.append((i, t))
        bytes += t.end - t.start
        if bytes >= batchBytes {
          guard pool.submit(batch) else { throw OrderedTurns.Cancelled() }
          batch.removeAll()
          bytes = 0
        }
      }
      if !batch.isEmpty { pool.submit(batch) }
    } catch is OrderedTurns.Cancelled {
    } catch {
      // Everything before the index error is written first, as in one pass.
      producerError = error
    }
    var failed: Error?
    do { try pool.finish() } catch { failed = error }
    for w in pool.workers {
      w.finish()
      stats.add(w.stats)
    }
    if let failed { throw failed }
    if let producerError { throw producerError }
  }

  /// One batch on one worker: its output goes into the worker's memory sink and out to `sink`
  /// in the batch's turn.
  private static func write(
    _ batch: [(Int, TransactionRecord)], with w: QueryWorker, into sink: OutputSink, turn: OrderedTurns.Turn,
    maxBuffered: Int
  ) throws {
    let memory = w.sink
    var batchError: Error?
    do {
      for (i, t) in batch {
        try w.process(i, t)
        if memory.pendingCount >= 1 << 20 {
          try sink.append(pending: memory, in: turn, final: false, maxBuffered: maxBuffered)
        }
      }
    } catch let cancelled as OrderedTurns.Cancelled {
      throw cancelled
    } catch {
      batchError = error
    }
    // Whatever the batch wrote before an error goes out before the error is reported.
    try sink.append(pending: memory, in: turn, final: true, maxBuffered: maxBuffered)
    if let batchError { throw batchError }
  }
}
