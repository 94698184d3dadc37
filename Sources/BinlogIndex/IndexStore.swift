import BinlogFormat

/// Loads a file's index, building or extending it when missing or stale.
public enum IndexStore {
  public enum Outcome: String, Sendable {
    case loaded, built, extended, rebuilt, inMemory
  }

  public struct Result {
    public var index: FileIndex
    public var outcome: Outcome
    /// Why an existing index was not used as it was.
    public var note: String?
    /// Bytes of the binlog read to build or extend (0 when loaded).
    public var bytesRead: UInt64

    public init(index: FileIndex, outcome: Outcome, note: String?, bytesRead: UInt64) {
      self.index = index
      self.outcome = outcome
      self.note = note
      self.bytesRead = bytesRead
    }
  }

  /// Builds the index of `path` from `startingAt` (an existing index to extend) or from scratch.
  public static func build(
    path: String, extending existing: FileIndex? = nil, options: ReaderOptions = ReaderOptions()
  ) throws(BinlogError) -> (FileIndex, UInt64) {
    let input = try BinlogInput(path: path, options: options)
    guard let bytes = input.mappedBytes else {
      throw BinlogError(.unsupported, "an index needs a regular file (not a stream)", file: path)
    }
    var builder: IndexBuilder
    var startBytes: UInt64 = 0
    if var e = existing, let last = e.transactions.last {
      // Re-read the last transaction: it may have been open when the index was written.
      e.transactions.removeLast()
      builder = IndexBuilder(extending: e, size: UInt64(bytes.count))
      try input.seek(to: last.start)
      startBytes = last.start
    } else {
      builder = IndexBuilder(file: binlogBaseName(path), size: UInt64(bytes.count))
    }
    var walker = BinlogWalker(source: input)
    do {
      try walker.run { w, ev in builder.consume(ev, walker: w) }
    } catch let e as BinlogError {
      throw e
    } catch {
      throw BinlogError(.io, "\(error)", file: path)
    }
    var index = builder.finishIndex()
    index.sourceSize = UInt64(bytes.count)
    let fp = FileIndex.fingerprints(bytes, indexedEnd: index.indexedEnd)
    index.headHash = fp.0
    index.tailHash = fp.1
    return (index, input.bytesTouched - Swift.min(input.bytesTouched, startBytes > 0 ? 0 : 0))
  }

  /// The index of `path`: read from disk when fresh; extended when the file grew; rebuilt when
  /// stale or missing. `persist` writes what was built (beside the file or in `indexDir`).
  public static func load(
    path: String, indexDir: String?, persist: Bool, options: ReaderOptions = ReaderOptions()
  ) throws(BinlogError) -> Result {
    let ipath = FileIndex.path(for: path, indexDir: indexDir)
    var existing: FileIndex?
    var note: String?
    do {
      existing = try FileIndex.read(from: ipath)
    } catch {
      note = error.message
      existing = nil
    }
    if let e = existing {
      let m = try MappedFile(path: path)
      switch e.freshness(of: m.bytes) {
      case .fresh:
        return Result(index: e, outcome: .loaded, note: nil, bytesRead: 0)
      case .grown:
        let (idx, read) = try build(path: path, extending: e, options: options)
        if persist { try idx.write(to: ipath) }
        return Result(index: idx, outcome: .extended, note: "the file grew", bytesRead: read)
      case .stale(let why):
        note = why
      }
    }
    let (idx, read) = try build(path: path, options: options)
    if persist { try idx.write(to: ipath) }
    let outcome: Outcome = !persist ? .inMemory : (existing != nil || note != nil) ? .rebuilt : .built
    return Result(index: idx, outcome: outcome, note: note, bytesRead: read)
  }

  /// True when a usable index file exists for `path` (fresh or extendable).
  public static func hasIndex(path: String, indexDir: String?) -> Bool {
    let ipath = FileIndex.path(for: path, indexDir: indexDir)
    return (try? FileIndex.read(from: ipath)) != nil
  }
}
