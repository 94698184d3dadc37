import ArgumentParser
import BinlogFormat
import BinlogPipeline
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

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file or directory") }
    _ = try stopAt()
    if case .time = try stopAt(), files.contains("-") {
      throw ValidationError(
        "--at TIME reads the files twice (to find the last event at or before it): give files, not standard input")
    }
    for t in table where t.isEmpty { throw ValidationError("--table needs a name") }
  }

  func stopAt() throws -> SchemaReplay.Until {
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

  func run() throws {
    try runReporting {
      let inputs = try expandInputs(files)
      var run = SchemaPipeline(inputs: inputs, readerOptions: read.readerOptions, report: report)
      run.until = try stopAt()
      run.untilText = at ?? ""
      run.snapshot = snapshot
      run.snapshotDatabase = snapshotDatabase
      run.tables = table
      run.skipErrors = read.skipErrors
      let (script, status) = try run.run()
      let sink = try OutputSink.file(output, protecting: inputs)
      sink.write(script)
      try sink.close()
      return Exit.code(for: status)
    }
  }
}
