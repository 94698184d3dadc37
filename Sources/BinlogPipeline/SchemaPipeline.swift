import BinlogFormat
import BinlogSchema
import Exporters

/// `sluice schema`: the tables as CREATE TABLE statements at a point of the binlogs, from a
/// snapshot (when given) and the DDL replayed up to there (`SchemaReplay`), with the statements
/// not modeled and the Table_maps that disagree listed at the end.
public struct SchemaPipeline {
  /// Binlog files and archives in order ('-' for stdin; directories already expanded).
  public var inputs: [String]
  public var readerOptions: ReaderOptions
  public var until: SchemaReplay.Until = .end
  /// `until` as the user wrote it, for the heading of a `.time` stop.
  public var untilText = ""
  /// The schema in force before the first file, and the database of its statements naming none.
  public var snapshot: String?
  public var snapshotDatabase = ""
  /// Only these tables: NAME, DB.NAME or DB.* (empty: all).
  public var tables: [String] = []
  public var skipErrors = false
  public var report: Diagnostics

  public init(inputs: [String], readerOptions: ReaderOptions, report: @escaping Diagnostics) {
    self.inputs = inputs
    self.readerOptions = readerOptions
    self.report = report
  }

  /// The script and how the replay ended (an error that stopped it is reported, and the
  /// script shows the schema reached).
  public func run() throws -> (script: String, status: RunStatus) {
    if case .position(let p) = until, !inputs.contains(where: { BinlogPosition(file: $0, offset: 0).file == p.file }) {
      throw PipelineUsageError("--at names \(p.file), which is not among the files")
    }
    let report = self.report
    var snapshotNote = ""
    let (timeline, loaded) = try SchemaTimeline.seeded(
      firstFile: inputs.first, readerOptions: readerOptions, snapshot: snapshot, snapshotDatabase: snapshotDatabase,
      onIssue: { report("warning: \($0)") })
    if let snapshot, let loaded { snapshotNote = "; snapshot \(snapshot): \(loaded.tables) tables" }
    let tracker = SchemaTracker(timeline: timeline)
    let replay = try SchemaReplay.run(
      inputs, readerOptions: readerOptions, until: until, into: tracker, skipErrors: skipErrors,
      onSkipped: { e in report("skipped: \(e.description)") })
    var worst = RunStatus.complete
    if let e = replay.error {
      report(e.description)
      worst = RunStatus(e)
    }
    if replay.skippedErrors > 0 { worst = Swift.max(worst, .badInput) }
    let location: String
    switch until {
    case .end: location = "after \(replay.lastPosition)"
    case .position(let p): location = "at \(p)"
    case .time(let t):
      let seconds = t >= 0 ? t / 1_000_000 : (t - 999_999) / 1_000_000
      let asOf = replay.timeStop.map { "\(binlogBaseName(inputs[$0.0])):\($0.1)" } ?? "the start"
      location = "at \(untilText) (\(TemporalText.isoUTC(seconds)); as of \(asOf))"
    }
    let heading = "-- sluice schema \(location): \(tracker.timeline.records.count) DDL statements\(snapshotNote)\n"
    return (render(tracker, heading: heading), worst)
  }

  func selected(_ t: TableSchema) -> Bool {
    if tables.isEmpty { return true }
    for f in tables {
      if let dot = f.firstIndex(of: ".") {
        let db = String(f[..<dot])
        let name = String(f[f.index(after: dot)...])
        if db.lowercased() == t.database.lowercased() && (name == "*" || name.lowercased() == t.name.lowercased()) { return true }
      } else if f.lowercased() == t.name.lowercased() {
        return true
      }
    }
    return false
  }

  func render(_ tracker: SchemaTracker, heading: String) -> String {
    let timeline = tracker.timeline
    var s = heading
    s += "\n" + TypeText.script(timeline.catalog.tables.values.filter(selected), databases: timeline.catalog.databases)
    let issues = timeline.issues
    if !issues.isEmpty {
      s += "\n-- Statements not modeled, or naming tables or columns the schema does not have:\n"
      for r in issues {
        let why: String
        switch r.outcome {
        case .unsupported(let w): why = w
        case .problems(let ps): why = ps.joined(separator: "; ")
        case .applied: why = ""
        }
        s +=
          "--   \(r.position.file.isEmpty ? "snapshot" : r.position.description): \(oneLine(why)): \(oneLine(String(r.sql.prefix(160))))\n"
      }
    }
    if !tracker.mismatches.isEmpty {
      s += "\n-- Table maps that disagree with the schema:\n"
      for m in tracker.mismatches { s += "--   " + oneLine(m.description) + "\n" }
    }
    return s
  }

  func oneLine(_ s: String) -> String {
    String(s.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
  }
}
