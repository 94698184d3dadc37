import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogQuery
import Exporters

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `query --follow`: answers the query over the archive as it is, then keeps answering it over
/// what the server appends to the archive's last file, and over the files it rotates into.
///
/// Each time the file has grown, its in-memory index is extended from its last transaction
/// (`IndexStore.build(extending:)`; the index stops before a transaction with no commit yet, or
/// a partial last event) and the query runs again over the transactions that start where the
/// previous run's last complete transaction ended. Only the followed file's index is kept (on
/// an unlinked temporary file, not in memory), so memory stays flat.
public final class QueryFollower {
  /// Makes the runner for one pass (the CLI's options: format, rows, schema, threads).
  public let makeRunner: (IndexedBinlogs, QueryFilter) -> QueryRunner
  public let filter: QueryFilter
  public let readerOptions: ReaderOptions
  public var pollInterval: Double = 0.15
  /// Asked at each wait; true ends `run` (normally). Default: SIGINT or SIGTERM arrived.
  public var shouldStop: () -> Bool = { FollowStop.requested }
  /// Called before each wait, when every pass so far has been written (flush the output here).
  public var onWait: () throws -> Void = {}

  public init(
    filter: QueryFilter, readerOptions: ReaderOptions, makeRunner: @escaping (IndexedBinlogs, QueryFilter) -> QueryRunner
  ) {
    self.filter = filter
    self.readerOptions = readerOptions
    self.makeRunner = makeRunner
  }

  /// Answers over `archive`, then follows its last file until `shouldStop`.
  public func run(archive: IndexedBinlogs) throws {
    _ = try makeRunner(archive, filter).run()
    guard let last = archive.files.last else { return }
    var path = last.path
    var index = last.index
    while true {
      try onWait()
      if shouldStop() { return }
      // The file ended with a Rotate, every byte indexed: go on in the file it names.
      if let next = index.rotateTo, index.indexedEnd >= index.binlogSize {
        let slash = path.lastIndex(of: "/")
        let nextPath = (slash.map { String(path[...$0]) } ?? "") + next
        guard hasFirstEvent(nextPath) else {
          pause()
          continue
        }
        path = nextPath
        index = try IndexStore.build(path: path, options: readerOptions).0
        try answer(path: path, index: index, from: 4)
        continue
      }
      var st = stat()
      guard stat(path, &st) == 0, UInt64(st.st_size) > index.binlogSize else {
        pause()
        continue
      }
      let from = index.transactions.last?.end ?? 4
      index = try IndexStore.build(path: path, extending: index, options: readerOptions).0
      try answer(path: path, index: index, from: from)
    }
  }

  /// Runs the query over the transactions of `path` that start at or after `from`.
  private func answer(path: String, index: FileIndex, from: UInt64) throws {
    var f = filter
    f.startPosition = BinlogPosition(file: path, offset: from)
    _ = try makeRunner(IndexedBinlogs(path: path, index: index), f).run()
  }

  /// True once `path` holds its magic bytes and a whole first event (the Format_description).
  private func hasFirstEvent(_ path: String) -> Bool {
    guard let f = try? MappedFile(path: path), f.count >= 4 + 19 else { return false }
    let size = UInt32(EventHeader.eventSize(in: f.bytes, at: 4))
    return UInt64(f.count) >= 4 + UInt64(size)
  }

  private func pause() {
    if pollInterval > 0 { usleep(useconds_t(pollInterval * 1_000_000)) }
  }
}
