import ArgumentParser
import BinlogFormat
import BinlogQuery
import BinlogSchema
import Exporters

struct SchemaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Print the tables as CREATE TABLE statements at a binlog position, replaying the binlogs' DDL.",
    discussion: """
      Starts from the snapshot given with --schema (if any), applies every CREATE/ALTER/DROP/RENAME
      of the files in order up to --at, and prints the tables that exist there. The output is SQL
      that --schema reads back. Statements Sluice cannot model are listed at the end; the tables
      they touch are printed with an UNCERTAIN comment. Table maps whose columns disagree with the
      replayed schema are listed too.

      --at takes FILE:OFFSET (the schema just before the event at that offset) or a time
      (2024-03-01T05:00:00Z, 2024-03-01T07:00:00+02:00, '2024-03-01 05:00:00[.f]' or 2024-03-01
      in --timezone, @1709269200): the schema as of the last event stamped at or before that
      time, with every statement before that event applied (a statement stamped later but
      written earlier, such as one run with a wrong clock, is applied too).

      --schema takes mysqldump --no-data output, SHOW CREATE TABLE text (\\G or batch output), or
      an information_schema.COLUMNS export as CSV/TSV or JSON; a file or a directory of them.

      Examples:
        sluice schema binlogs/
        sluice schema --schema dump.sql --at binlog.000042:1234 binlogs/
        sluice schema --at '2024-03-01 05:00:00' --table shop.orders binlog.0000*
        mysql -e "SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='shop'" -B > cols.tsv
        sluice schema --schema cols.tsv binlogs/
      """)

  @Option(
    name: .customLong("schema"),
    help:
      "Schema snapshot in force before the first file: a dump, SHOW CREATE TABLE text or information_schema.COLUMNS export (file or directory)."
  )
  var snapshot: String?

  @Option(name: .customLong("schema-db"), help: "Database for snapshot statements that name none (SHOW CREATE TABLE text).")
  var snapshotDatabase: String = ""

  @Option(help: "FILE:OFFSET or a time (as --start-datetime takes it); default: after the last file.")
  var at: String?

  @Option(help: "Time zone of a wall-clock --at: UTC (default), +HH:MM or an IANA name.")
  var timezone: String = "UTC"

  @Option(help: "Only this table: NAME, DB.NAME or DB.* (repeatable).")
  var table: [String] = []

  @Option(name: [.customShort("o"), .customLong("output")], help: "Write to this file instead of stdout ('-').")
  var output: String = "-"

  @OptionGroup var read: ReadOptions

  @Argument(help: "Binlog files or directories, in order ('-' for stdin).")
  var files: [String]

  enum StopAt {
    case end
    case position(BinlogPosition)
    /// Microseconds since the epoch.
    case time(Int64)
  }

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file or directory") }
    _ = try stopAt()
    if case .time = try stopAt(), files.contains("-") {
      throw ValidationError(
        "--at TIME reads the files twice (to find the last event at or before it): give files, not standard input")
    }
    for t in table where t.isEmpty { throw ValidationError("--table needs a name") }
  }

  func stopAt() throws -> StopAt {
    guard let at else { return .end }
    let zone: TimeZoneSpec
    do { zone = try TimeZoneSpec(parsing: timezone) } catch { throw ValidationError(sentence(error)) }
    do {
      return .time(try TimeArgument.epochMicros(at, zone: zone))
    } catch {
      // A date or @epoch that does not parse is a wrong time, not a position.
      let looksLikeTime = at.hasPrefix("@") || (at.count >= 5 && at.prefix(4).allSatisfy(\.isNumber) && Array(at)[4] == "-")
      if !looksLikeTime, let p = BinlogPosition(parsing: at) { return .position(p) }
      if looksLikeTime { throw ValidationError("--at: \(sentence(error))") }
    }
    throw ValidationError("--at must be FILE:OFFSET or a time like 2024-03-01T05:00:00Z (got '\(at)')")
  }

  /// The end of the last event (in file order) stamped at or before `micros`: (file number,
  /// offset), or nil when every event is later. Events that describe the file (Format_description,
  /// Rotate, Stop...) do not count: their times are the file's creation or the server's shutdown.
  func lastEvent(atOrBefore micros: Int64, _ inputs: [String]) throws -> (Int, UInt64)? {
    var last: (Int, UInt64)?
    for (k, path) in inputs.enumerated() {
      let input = try BinlogInput(path: path, options: read.readerOptions)
      do {
        while let ev = try input.next() {
          if ev.type.describesFile { continue }
          if Int64(ev.header.timestamp) * 1_000_000 <= micros { last = (k, ev.offset + UInt64(ev.header.eventSize)) }
        }
      } catch {
        // The walk that follows reports the damage where it is.
        break
      }
    }
    return last
  }

  func run() throws {
    try runReporting {
      let inputs = try expandInputs(files)
      let stop = try stopAt()
      if case .position(let p) = stop, !inputs.contains(where: { BinlogPosition(file: $0, offset: 0).file == p.file }) {
        throw ValidationError("--at names \(p.file), which is not among the files")
      }
      var timeline = SchemaTimeline()
      // The snapshot is read with the flavor of the server that wrote the binlogs.
      if let first = inputs.first, first != "-", let input = try? BinlogInput(path: first, options: read.readerOptions) {
        if (try? input.next()) != nil { timeline.adopt(input.format) }
      }
      var snapshotNote = ""
      if let snapshot {
        let r = try SchemaSnapshot.load(path: snapshot, database: snapshotDatabase, into: &timeline)
        for issue in r.issues { report("warning: \(issue)") }
        snapshotNote = "; snapshot \(snapshot): \(r.tables) tables"
      }
      let tracker = SchemaTracker(timeline: timeline)
      // --at TIME: stop after the last event at or before it (nil: before the first event).
      var stopAfter: (Int, UInt64)? = (inputs.count, 0)
      if case .time(let t) = stop { stopAfter = try lastEvent(atOrBefore: t, inputs) }
      var lastPosition = BinlogPosition.start
      var worst: Int32 = 0
      var stopped = false
      for (k, path) in inputs.enumerated() where !stopped {
        let input = try BinlogInput(path: path, options: read.readerOptions)
        var walker = BinlogWalker(source: input)
        walker.skipErrors = read.skipErrors
        walker.onSkippedError = { e in report("skipped: \(e.description)") }
        let file = BinlogPosition(file: path, offset: 0).file
        do {
          try walker.run { w, ev in
            switch stop {
            case .position(let p) where p.file == file && ev.raw.offset >= p.offset && !ev.inPayload:
              throw StopWalk()
            case .time:
              guard let (file, end) = stopAfter else { throw StopWalk() }
              if k > file || (k == file && ev.raw.offset >= end && !ev.inPayload) { throw StopWalk() }
            default: break
            }
            tracker.consume(ev, file: w.fileName)
            lastPosition = BinlogPosition(file: w.fileName, offset: ev.fileEndOffset)
          }
        } catch is StopWalk {
          stopped = true
        } catch let e as BinlogError {
          report(e.description)
          worst = Swift.max(worst, Exit.code(for: e))
          stopped = true
        }
        if walker.skippedErrors > 0 { worst = Swift.max(worst, Exit.badInput) }
      }
      let sink = try OutputSink.file(output, protecting: inputs)
      let location: String
      switch stop {
      case .end: location = "after \(lastPosition)"
      case .position(let p): location = "at \(p)"
      case .time(let t):
        let seconds = t >= 0 ? t / 1_000_000 : (t - 999_999) / 1_000_000
        location =
          "at \(at ?? "") (\(TemporalText.isoUTC(seconds)); as of \(stopAfter.map { "\(binlogBaseName(inputs[$0.0])):\($0.1)" } ?? "the start"))"
      }
      sink.write(
        render(
          tracker, heading: "-- sluice schema \(location): \(tracker.timeline.records.count) DDL statements\(snapshotNote)\n"))
      try sink.close()
      return worst
    }
  }

  func selected(_ t: TableSchema) -> Bool {
    if table.isEmpty { return true }
    for f in table {
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

/// `--schema` / `--no-schema` for `info` and `stats`: replay the DDL (from a snapshot when given)
/// and count the Table_maps that disagree with it.
struct SchemaAuditOptions: ParsableArguments {
  @Option(
    name: .customLong("schema"),
    help:
      "Schema snapshot in force before the first file (mysqldump --no-data, SHOW CREATE TABLE text or information_schema.COLUMNS export) for the schema-mismatch count."
  )
  var snapshot: String?

  @Flag(name: .customLong("no-schema"), help: "Do not replay DDL to count Table_maps that disagree with the schema.")
  var noSchema = false

  /// nil with --no-schema. Warnings about the snapshot go to stderr.
  func makeAudit(inputs: [String], read: ReadOptions) throws -> SchemaAudit? {
    if noSchema { return nil }
    var timeline = SchemaTimeline()
    if let snapshot {
      // The snapshot is read with the flavor of the server that wrote the binlogs.
      if let first = inputs.first, first != "-", let input = try? BinlogInput(path: first, options: read.readerOptions) {
        if (try? input.next()) != nil { timeline.adopt(input.format) }
      }
      let r = try SchemaSnapshot.load(path: snapshot, into: &timeline)
      for issue in r.issues { report("warning: \(issue)") }
    }
    return SchemaAudit(timeline: timeline)
  }
}
