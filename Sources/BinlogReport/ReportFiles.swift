import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogQuery

/// The files of a report with their indexes, opened one by one so that a damaged file is listed
/// with its damage instead of stopping the report.
public struct ReportFiles {
  /// One input file: its index, or why it has none.
  public struct Entry {
    public var path: String
    /// The binlog's name (an archive's original name).
    public var name: String
    public var index: FileIndex?
    public var outcome: IndexStore.Outcome?
    /// Why an existing index was not used as it was.
    public var indexNote: String?
    /// The error that stopped indexing the file (checksum mismatch, truncated event, …).
    public var damage: BinlogError?
    /// Whether event checksums were verified by this run (nil: the index was read from disk).
    public var checksumsVerifiedNow: Bool?
  }

  public var entries: [Entry]
  /// Gaps and overlaps in the Rotate chain, one sentence each.
  public var warnings: [String]
  /// Bytes of binlog read to build indexes.
  public var indexBytesRead: UInt64

  /// Opens `paths` (expanded from directories) in stream order: each index is read from beside
  /// the file (or `indexDir`) when fresh, else built in memory (nothing is written). A file that
  /// cannot be opened or is no binlog stops the report; one damaged inside is listed as such.
  public static func open(paths: [String], indexDir: String?, options: ReaderOptions) throws(BinlogError) -> ReportFiles {
    let ordered = paths.sorted {
      BinlogPosition.naturalLess(originalBinlogName($0), originalBinlogName($1))
    }
    var entries: [Entry] = []
    var read: UInt64 = 0
    for p in ordered {
      var e = Entry(path: p, name: originalBinlogName(p))
      do {
        let r = try IndexStore.load(path: p, indexDir: indexDir, persist: false, options: options)
        e.index = r.index
        e.outcome = r.outcome
        e.indexNote = r.note
        e.checksumsVerifiedNow = r.outcome == .loaded ? nil : options.verifyChecksums
        read += r.bytesRead
      } catch {
        if error.kind == .io || error.kind == .notABinlog { throw error }
        e.damage = error
      }
      entries.append(e)
    }
    return ReportFiles(entries: entries, warnings: chainWarnings(entries), indexBytesRead: read)
  }

  /// The Rotate chain's gaps and GTID overlaps between neighbouring files (as `IndexedBinlogs` reports
  /// them).
  static func chainWarnings(_ entries: [Entry]) -> [String] {
    var out: [String] = []
    for (i, e) in entries.enumerated() {
      if let d = e.damage { out.append("\(e.name) is damaged and left out: \(d.description)") }
      guard let idx = e.index else { continue }
      let next = i + 1 < entries.count ? entries[i + 1].name : nil
      if let target = idx.rotateTo {
        if let next, target != next {
          out.append("gap: \(e.name) rotates to \(target), but the next file of the archive is \(next)")
        }
      } else if let next {
        out.append("\(e.name) does not end with a Rotate event (the server stopped or crashed), \(next) follows")
      }
      if i > 0, let prev = entries[i - 1].index, let a = prev.transactions.last?.gtid, let b = idx.transactions.first?.gtid {
        switch (a, b) {
        case (.mysql(let x), .mysql(let y)) where x.sid == y.sid && x.tag == y.tag && y.gno <= x.gno:
          out.append("overlap: \(e.name) starts with \(y), at or before \(entries[i - 1].name)'s last \(x)")
        case (.mariadb(let x), .mariadb(let y)) where x.domain == y.domain && y.seq <= x.seq:
          out.append("overlap: \(e.name) starts with \(y), at or before \(entries[i - 1].name)'s last \(x)")
        default: break
        }
      }
    }
    return out
  }
}
