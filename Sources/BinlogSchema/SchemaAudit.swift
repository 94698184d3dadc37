import BinlogFormat

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

  /// Walks one file (the next in archive order) and returns the disagreements found in it. Throws
  /// the first undecodable event unless `skipErrors`.
  @discardableResult
  public func scan(_ input: BinlogInput, skipErrors: Bool = false) throws -> [MismatchCount] {
    var walker = BinlogWalker(source: input)
    walker.skipErrors = skipErrors
    let tracker = self.tracker
    _ = tracker.takeMismatchCounts()
    do {
      try walker.run { w, ev in
        switch ev.body {
        case .formatDescription, .query, .tableMap: tracker.consume(ev, file: w.fileName)
        default: break
        }
      }
    } catch {
      merge(tracker.takeMismatchCounts())
      throw error
    }
    let found = tracker.takeMismatchCounts()
    merge(found)
    return found
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
