import BinlogFormat
import BinlogIO

/// Replays the DDL of binlog files, in order, and counts the Table_map events whose columns
/// disagree with the schema timeline (column count or types), per table, with the first
/// file:offset: what `sluice info` and `sluice stats` report. Only Format_description, Query and
/// Table_map events are looked at; rows are not decoded.
public final class SchemaAudit {
  public let tracker: SchemaTracker

  /// `timeline`: a snapshot (`SchemaSnapshot.load`) or an empty timeline.
  public init(timeline: SchemaTimeline = SchemaTimeline()) {
    tracker = SchemaTracker(timeline: timeline)
  }

  /// One file's share.
  public struct FileResult {
    /// Disagreements found in the file (up to `error`, if any).
    public var counts: [MismatchCount]
    /// The event that stopped the scan (undecodable, and not skipped).
    public var error: (any Error)?
  }

  /// Walks one file (the next in archive order) and returns the disagreements found in it, and
  /// the first undecodable event unless `skipErrors` (the counts up to it are kept).
  @discardableResult
  public func scanFile(_ input: BinlogInput, skipErrors: Bool = false) -> FileResult {
    do {
      return FileResult(counts: try scan(input, skipErrors: skipErrors), error: nil)
    } catch {
      return FileResult(counts: lastFileCounts, error: error)
    }
  }

  /// The disagreements of the last file scanned.
  public private(set) var lastFileCounts: [MismatchCount] = []

  /// Walks one file (the next in archive order) and returns the disagreements found in it. Throws
  /// the first undecodable event unless `skipErrors`. Only the events the schema needs are
  /// decoded (rows are skipped by their header); open the input without checksum verification
  /// when another pass verifies them.
  @discardableResult
  public func scan(_ input: BinlogInput, skipErrors: Bool = false) throws -> [MismatchCount] {
    _ = tracker.takeMismatchCounts()
    let file = binlogBaseName(input.name)
    do {
      while let raw = try input.next() {
        switch raw.type {
        case .formatDescription:
          tracker.adopt(input.format)
          lastMaps.removeAll(keepingCapacity: true)
        case .tableMap where repeatsLastMap(raw):
          // Most transactions map the same table with the same bytes: skip decoding it again.
          _ = tracker.enrich(lastMaps[tableMapKey(raw)]!.map, at: BinlogPosition(file: file, offset: raw.offset))
        case .query, .queryCompressed, .tableMap, .transactionPayload:
          let body: EventBody
          do {
            body = try EventBody.decode(raw, format: input.format, file: input.name)
          } catch {
            if skipErrors { continue }
            throw error
          }
          try take(body, raw: raw, format: input.format, file: file, skipErrors: skipErrors)
        default:
          continue
        }
      }
    } catch {
      lastFileCounts = tracker.takeMismatchCounts()
      merge(lastFileCounts)
      throw error
    }
    lastFileCounts = tracker.takeMismatchCounts()
    merge(lastFileCounts)
    return lastFileCounts
  }

  private func take(_ body: EventBody, raw: RawEvent, format: FormatDescription, file: String, skipErrors: Bool) throws {
    let at = BinlogPosition(file: file, offset: raw.offset)
    switch body {
    case .query(let q):
      tracker.applyQuery(q, at: at)
    case .tableMap(let map):
      if raw.type == .tableMap { lastMaps[tableMapKey(raw)] = (Array(raw.body), map) }
      _ = tracker.enrich(map, at: at)
    case .transactionPayload(let payload):
      // MySQL 8.0.20+ compression: the table maps are inside (their position is the payload's).
      let reader = try PayloadEventReader(payload: payload, outer: raw, format: format, fileName: file)
      while true {
        let inner: RawEvent?
        do {
          inner = try reader.next()
        } catch {
          if skipErrors { return }
          throw error
        }
        guard let inner else { return }
        guard inner.type == .tableMap || inner.type == .query else { continue }
        do {
          try take(
            EventBody.decode(inner, format: format, file: file), raw: raw, format: format, file: file, skipErrors: skipErrors)
        } catch {
          if !skipErrors { throw error }
        }
      }
    default:
      break
    }
  }

  /// The last Table_map of each table id: its body bytes and decoded form.
  private var lastMaps: [UInt64: (bytes: [UInt8], map: TableMapEvent)] = [:]

  /// The table id's bytes as a key (6 bytes, or 4 for old servers; the rest is compared anyway).
  private func tableMapKey(_ raw: RawEvent) -> UInt64 {
    var k: UInt64 = 0
    let b = raw.body
    for i in 0..<Swift.min(6, b.count) { k |= UInt64(b[i]) << (8 * UInt64(i)) }
    return k
  }

  private func repeatsLastMap(_ raw: RawEvent) -> Bool {
    guard let last = lastMaps[tableMapKey(raw)] else { return false }
    return last.bytes.elementsEqual(raw.body)
  }

  /// Disagreements over every file scanned, per table, in order of the first one.
  public private(set) var counts: [MismatchCount] = []

  /// Table_map events that disagreed, over every file scanned.
  public var mismatchedTableMaps: Int { counts.reduce(0) { $0 + $1.tableMaps } }

  private func merge(_ found: [MismatchCount]) {
    for f in found {
      if let i = counts.firstIndex(where: { $0.table == f.table }) {
        counts[i].tableMaps += f.tableMaps
        counts[i].last = f.last
      } else {
        counts.append(f)
      }
    }
  }
}
