import ArgumentParser
import BinlogFormat
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

      --at takes FILE:OFFSET (the schema just before the event at that offset) or a UTC time
      (2024-03-01T05:00:00Z, '2024-03-01 05:00:00', 2024-03-01, @1709269200): the schema before
      the first statement after that time.

      --schema takes mysqldump --no-data output, SHOW CREATE TABLE text (\\G or batch output), or
      an information_schema.COLUMNS export as CSV/TSV or JSON; a file or a directory of them.

      Examples:
        sluice schema binlogs/
        sluice schema --schema dump.sql --at binlog.000042:1234 binlogs/
        sluice schema --at '2024-03-01 05:00:00' --table shop.orders binlog.0000*
        mysql -e "SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='shop'" -B > cols.tsv
        sluice schema --schema cols.tsv binlogs/
      """)

  @Option(name: .customLong("schema"), help: "Schema snapshot in force before the first file: a dump, SHOW CREATE TABLE text or information_schema.COLUMNS export (file or directory).")
  var snapshot: String?

  @Option(name: .customLong("schema-db"), help: "Database for snapshot statements that name none (SHOW CREATE TABLE text).")
  var snapshotDatabase: String = ""

  @Option(help: "FILE:OFFSET or a UTC date/time; default: after the last file.")
  var at: String?

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
    case time(UInt32)
  }

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file or directory") }
    _ = try stopAt()
    for t in table where t.isEmpty { throw ValidationError("--table needs a name") }
  }

  func stopAt() throws -> StopAt {
    guard let at else { return .end }
    if let t = SchemaCommand.parseUTC(at) { return .time(t) }
    if let p = BinlogPosition(parsing: at) { return .position(p) }
    throw ValidationError("--at must be FILE:OFFSET or a UTC time like 2024-03-01T05:00:00Z (got '\(at)')")
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
      var lastPosition = BinlogPosition.start
      var worst: Int32 = 0
      var stopped = false
      for path in inputs where !stopped {
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
            case .time(let t) where ev.raw.header.timestamp > t:
              // Control events carry the file's creation time, not the statement's.
              if case .query = ev.body { throw StopWalk() }
              if case .tableMap = ev.body { throw StopWalk() }
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
      case .time(let t): location = "at \(at ?? "") (epoch \(t))"
      }
      sink.write(render(tracker, heading: "-- sluice schema \(location): \(tracker.timeline.records.count) DDL statements\(snapshotNote)\n"))
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
        s += "--   \(r.position.file.isEmpty ? "snapshot" : r.position.description): \(oneLine(why)): \(oneLine(String(r.sql.prefix(160))))\n"
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

  /// `2024-03-01T05:00:00Z`, `2024-03-01 05:00:00[.fff]`, `2024-03-01`, `@1709269200` → epoch seconds (UTC).
  static func parseUTC(_ s: String) -> UInt32? {
    if s.hasPrefix("@") { return UInt32(s.dropFirst()) }
    let b = Array(s.utf8)
    guard b.count >= 10, b[4] == 0x2D, b[7] == 0x2D else { return nil }
    func num(_ r: Range<Int>) -> Int? {
      guard r.upperBound <= b.count else { return nil }
      var v = 0
      for i in r {
        guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
        v = v * 10 + Int(b[i] - 0x30)
      }
      return v
    }
    guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), (1...12).contains(mo), (1...31).contains(d) else { return nil }
    var h = 0
    var mi = 0
    var sec = 0
    var i = 10
    if b.count > 10 {
      guard b[10] == 0x54 || b[10] == 0x20, let hh = num(11..<13), b.count > 13, b[13] == 0x3A, let mm = num(14..<16) else { return nil }
      h = hh
      mi = mm
      i = 16
      if b.count > 16 && b[16] == 0x3A {
        guard let ss = num(17..<19) else { return nil }
        sec = ss
        i = 19
      }
      if i < b.count && b[i] == 0x2E {
        i += 1
        while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
      }
      if i < b.count && b[i] == 0x5A { i += 1 }
      if i + 6 == b.count && b[i] == 0x2B && String(decoding: b[i...], as: UTF8.self) == "+00:00" { i += 6 }
      guard i == b.count, h < 24, mi < 60, sec < 61 else { return nil }
    }
    // Days from 1970-01-01 (proleptic Gregorian).
    let yy = mo <= 2 ? y - 1 : y
    let era = (yy >= 0 ? yy : yy - 399) / 400
    let yoe = yy - era * 400
    let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146_097 + doe - 719_468
    let t = days * 86400 + h * 3600 + mi * 60 + sec
    guard t >= 0, t <= Int(UInt32.max) else { return nil }
    return UInt32(t)
  }
}

/// `--schema` / `--no-schema` for `info` and `stats`: replay the DDL (from a snapshot when given)
/// and count the Table_maps that disagree with it.
struct SchemaAuditOptions: ParsableArguments {
  @Option(name: .customLong("schema"), help: "Schema snapshot in force before the first file (mysqldump --no-data, SHOW CREATE TABLE text or information_schema.COLUMNS export) for the schema-mismatch count.")
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
