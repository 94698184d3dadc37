import ArgumentParser

@main
struct Sluice: ParsableCommand {
  static var configuration: CommandConfiguration {
    var c = fullConfiguration
    if skipsCompletionScriptCheck { c._superCommandName = "" }
    return c
  }

  /// ArgumentParser looks for `--generate-completion-script` before every parse by parsing the
  /// whole command line a second time as its completion command (through Mirror reflection and
  /// first-time protocol-conformance lookups): ~1 ms, a fifth of `sluice --version`. It skips
  /// that search when the root command has a super-command name, so while a command line that
  /// does not ask for a completion script is parsed, the root configuration carries an empty
  /// one. It is cleared before anything is run or printed (help and usage text use that name).
  nonisolated(unsafe) private static var skipsCompletionScriptCheck = false

  static func main() {
    let arguments = Array(CommandLine.arguments.dropFirst())
    skipsCompletionScriptCheck = !arguments.contains { $0.hasPrefix("--generate-completion-script") }
    let parsed = Result { try parseAsRoot(arguments) }
    skipsCompletionScriptCheck = false
    do {
      var command = try parsed.get()
      try command.run()
    } catch {
      exit(withError: error)
    }
  }

  private static let fullConfiguration = CommandConfiguration(
    commandName: "sluice",
    abstract: "Offline MySQL/MariaDB binlog analyzer and converter.",
    discussion: """
      Reads binlog and relay-log files (MySQL 5.0–9.x, Percona, Aurora, MariaDB 10.x–11.x) with no
      server. '-' reads a binlog from standard input.

      Exit codes: 0 success; 1 internal error; 2 invalid, corrupt or truncated input;
      3 a file could not be opened or written; 4 completed with --skip-corrupt, leaving out the
      damaged regions it reported; 5 nothing could match (a --pk column the tables do not have, a
      key value its column cannot hold, no binlog among the inputs: a warning says which);
      64 bad command line; 130/143 interrupted by SIGINT/SIGTERM (temporary outputs removed).

      Examples:
        sluice info Fixtures/mariadb-10.11/binlog.000001
        sluice events --start-position 256 binlog.000001
        sluice export --format ndjson binlog.000001 binlog.000002 | jq .
        sluice query --table shop.orders --start-datetime '2024-03-01 14:02' --stop-datetime '2024-03-01 14:05' binlogs/
        sluice serve --port 11111 binlogs/       # replay to unmodified Canal clients
        gunzip -c mysql-bin.gz | sluice events -
      """,
    version: "0.1.0",
    subcommands: [
      InfoCommand.self, EventsCommand.self, ExportCommand.self, IndexCommand.self, QueryCommand.self, StatsCommand.self,
      ReportCommand.self,
      ServeCommand.self, SchemaCommand.self, ArchiveCommand.self, ExtractCommand.self, DiffCommand.self,
    ]
  )
}
