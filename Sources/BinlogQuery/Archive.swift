import BinlogFormat
import BinlogIndex

/// An ordered set of binlog files with their indexes: the unit `query` and `stats` work on.
public struct Archive {
  public struct File {
    public var path: String
    public var name: String
    public var index: FileIndex
    public var indexOutcome: IndexStore.Outcome
    public var indexNote: String?
    public var size: UInt64
  }

  public var files: [File]
  /// Gaps and overlaps found in the Rotate chain.
  public var warnings: [String]
  /// Bytes of binlog read to build or extend indexes.
  public var indexBytesRead: UInt64

  /// Opens `paths` (already expanded from directories) as one stream ordered by name with
  /// numeric suffixes compared as numbers, checked against each file's Rotate target.
  /// `useIndex`: read sidecar indexes when present and fresh (otherwise scan, in memory).
  /// `persist`: write built or extended indexes.
  public static func open(
    paths: [String], indexDir: String?, useIndex: Bool, persist: Bool, options: ReaderOptions = ReaderOptions()
  ) throws(BinlogError) -> Archive {
    let ordered = paths.sorted { BinlogDirectory.naturalLess(baseName($0), baseName($1)) }
    var files: [File] = []
    var read: UInt64 = 0
    for p in ordered {
      let r: IndexStore.Result
      do {
        if useIndex {
          r = try IndexStore.load(path: p, indexDir: indexDir, persist: persist, options: options)
        } else {
          let (idx, n) = try IndexStore.build(path: p, options: options)
          r = IndexStore.Result(index: idx, outcome: .inMemory, note: nil, bytesRead: n)
        }
      } catch where error.kind == .unsupported && isCompressed(p) {
        // IndexStore maps plain files only: index an archive (or a zstd/gzip stream) in memory.
        let (idx, n) = try scanIndex(path: p, options: options)
        r = IndexStore.Result(index: idx, outcome: .inMemory, note: nil, bytesRead: n)
      }
      read += r.bytesRead
      files.append(
        File(path: p, name: baseName(p), index: r.index, indexOutcome: r.outcome, indexNote: r.note, size: r.index.sourceSize))
    }
    var warnings: [String] = []
    for i in 0..<files.count {
      let f = files[i]
      let next = i + 1 < files.count ? files[i + 1].name : nil
      if let target = f.index.rotateTo {
        if let next, target != next {
          warnings.append("gap: \(f.name) rotates to \(target), but the next file of the archive is \(next)")
        }
      } else if next != nil {
        warnings.append("\(f.name) does not end with a Rotate event (the server stopped or crashed), \(next!) follows")
      }
      if i > 0 {
        let prev = files[i - 1]
        if let pl = prev.index.transactions.last?.gtid, let fp = f.index.transactions.first?.gtid,
          case .mysql(let a) = pl, case .mysql(let b) = fp, a.sid == b.sid, a.tag == b.tag, b.gno <= a.gno
        {
          warnings.append("overlap: \(f.name) starts with \(b), at or before \(prev.name)'s last \(a)")
        }
        if let pl = prev.index.transactions.last?.gtid, let fp = f.index.transactions.first?.gtid,
          case .mariadb(let a) = pl, case .mariadb(let b) = fp, a.domain == b.domain, b.seq <= a.seq
        {
          warnings.append("overlap: \(f.name) starts with \(b), at or before \(prev.name)'s last \(a)")
        }
      }
    }
    return Archive(files: files, warnings: warnings, indexBytesRead: read)
  }

  public var totalSize: UInt64 { files.reduce(0) { $0 + $1.size } }

  /// Order of the file named in a position (`binlog.000042:4`), by base name.
  public func fileOrder(of position: FilePosition?) throws(BinlogError) -> Int? {
    guard let position else { return nil }
    guard let f = position.file else { return 0 }
    let want = baseName(f)
    guard let i = files.firstIndex(where: { $0.name == want }) else {
      throw BinlogError(.malformed, "position names \(f), which is not in the archive")
    }
    return i
  }

  /// Transactions that pass the index-level filters, in archive order.
  public func candidates(_ filter: QueryFilter) throws(BinlogError) -> [(file: Int, record: TransactionRecord)] {
    let so = try fileOrder(of: filter.startPosition)
    let eo = filter.stopPosition?.file == nil ? nil : try fileOrder(of: filter.stopPosition)
    var out: [(Int, TransactionRecord)] = []
    for (i, f) in files.enumerated() {
      if let so, i < so { continue }
      if let eo, i > eo { continue }
      for t in f.index.transactions
      where filter.admits(t, in: f.index, fileOrder: i, startFileOrder: so, stopFileOrder: eo) {
        out.append((i, t))
      }
    }
    return out
  }
}

extension Archive {
  /// Builds the index of any readable input (archives and streams included) by one scan, in memory.
  public static func scanIndex(path: String, options: ReaderOptions = ReaderOptions()) throws(BinlogError) -> (FileIndex, UInt64) {
    let input = try BinlogInput(path: path, options: options)
    var builder = IndexBuilder(file: baseName(path), size: input.size ?? 0)
    var walker = BinlogWalker(source: input)
    do {
      try walker.run { w, ev in builder.consume(ev, walker: w) }
    } catch let e as BinlogError {
      throw e
    } catch {
      throw BinlogError(.io, "\(error)", file: path)
    }
    var index = builder.finishIndex()
    index.sourceSize = input.size ?? input.position
    return (index, input.bytesTouched)
  }

  /// True when `path` starts like a zstd or gzip file.
  static func isCompressed(_ path: String) -> Bool {
    guard let f = try? MappedFile(path: path), f.count >= 4 else { return false }
    let b = f.bytes
    return ZstdBinlog.isZstd(b) || DecompressedByteStream.isGzipMagic(b[0], b[1], b[2])
  }
}

/// The name a file stands for in the archive: an archive's original name (`binlog.000002.zst`
/// is `binlog.000002`).
func baseName(_ p: String) -> String { BinlogDirectory.originalName(p) }
