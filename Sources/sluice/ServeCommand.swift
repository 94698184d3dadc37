import ArgumentParser
import BinlogFormat
import BinlogQuery
import CanalProtocol
import CanalServer
import Exporters

struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve Canal Entry streams to Canal clients over Canal's TCP protocol.",
    discussion: """
      A Canal server (canal-deployer's port 11111 protocol) that unmodified Canal clients — the Java CanalConnector, canal-go, canal-python — can subscribe to. Each destination is a list of inputs read in order; every client (destination + client id) reads its destination from the start point (by default the beginning), with its own batches, acknowledgements and rollbacks. State is kept in memory only.

      Inputs are binlog files and archives (mapped to Entries as Canal's parser does, like `export --format canal`), or Canal Entry dumps: varint-delimited serialized Entries (protobuf's writeDelimitedTo framing, `export --format canal` output), plain or zstd/gzip-compressed. The kind is read from the content, not the name. One destination takes one kind; a directory stands for its binlog files and archives in name order.

      Listens on 127.0.0.1 unless --bind says otherwise. With no --password any client is accepted (canal-python can only authenticate this way); with one, clients must send Canal's scrambled password (Java client, canal-go). Stops on SIGINT or SIGTERM, closing every connection.

      Examples:
        sluice serve binlog.000001 binlog.000002   # destination 'example'
        sluice serve changes.canal
        sluice serve dump.canal.zst               # made by: sluice export --format canal -o dump.canal.zst binlogs/
        sluice serve --destination orders=o1.canal,o2.canal --destination u=u.canal
        sluice serve --port 0 --user canal --password secret changes.canal
        sluice serve --start-position binlog.000002:4711 binlogs/
        sluice serve --start-datetime '2024-03-01 14:00:00' --timezone Asia/Shanghai binlogs/
        sluice serve --exclude-gtids 3E11FA47-71CA-11E1-9E33-C80AA9429562:1-77 binlogs/

      Start point (every client of every destination): --start-position serves events at or after FILE:N; --start-datetime serves from the first transaction whose first event is at or after the time (a file whose successor was created before that time is skipped without being read); --include-gtids/--exclude-gtids keep or drop whole transactions by GTID (binlog inputs only).
      """)

  @Option(
    name: .customLong("destination"),
    help: ArgumentHelp(
      "Serve inputs as a destination: NAME=PATH[,PATH...]. Repeat for several destinations.",
      valueName: "name=paths"))
  var destinations: [String] = []

  @Argument(help: "Inputs served as destination 'example' (Canal's default destination name).")
  var files: [String] = []

  @Option(help: "Address to listen on.")
  var bind: String = "127.0.0.1"

  @Option(help: "TCP port (0 picks a free one and prints it).")
  var port: Int = 11111

  @Option(help: "Accept only this user name (canal.user).")
  var user: String?

  @Option(help: "Require this password (clients send it scrambled with the handshake seed).")
  var password: String?

  @Option(
    name: .customLong("password-hash"),
    help: "Require the password whose SHA1(SHA1(password)) is these 40 hex digits (canal.passwd).")
  var passwordHash: String?

  @Option(
    help:
      "Default table filter: comma-separated regexes over schema.table (canal.instance.filter.regex)."
  )
  var filter: String = CanalTableFilter.matchAllPattern

  @Option(
    name: .customLong("black-filter"),
    help: "Tables never served: comma-separated regexes over schema.table.")
  var blackFilter: String = ""

  @Option(
    name: .customLong("batch-mode"),
    help:
      "How GET's fetch_size counts: memsize (fetch_size KiB of entries, Canal's default) or itemsize (entries)."
  )
  var batchMode: String = "memsize"

  @Flag(
    name: .customLong("keep-empty-transactions"),
    help:
      "Send BEGIN/END of transactions whose rows were all filtered out (Canal drops most of them).")
  var keepEmptyTransactions = false

  @Option(
    name: .customLong("max-frame"),
    help: "Largest request frame in bytes; a client sending more is disconnected.")
  var maxFrame: Int = 16 << 20

  @Option(
    name: .customLong("release-cursors-after"),
    help:
      "Seconds after a client's connection closes before its cursor is released (its acknowledged position is kept; it resumes there)."
  )
  var releaseCursorsAfter: Int = 60

  @Option(name: .customLong("max-cursors"), help: "Client cursors held at once (closed ones are released first to make room).")
  var maxCursors: Int = 256

  @Option(
    name: .customLong("read-ahead"),
    help: ArgumentHelp(
      "Entries each client's cursor builds ahead of its GETs while the client decodes the batch it has: bytes, or with K, M, G (0 builds a batch only when a GET asks).",
      valueName: "size"))
  var readAhead: String = "4M"

  /// `--read-ahead` in bytes (up to 1 TiB); nil when it is not a byte count.
  var readAheadBytes: Int? {
    if readAhead == "0" { return 0 }
    return ReaderOptions.parseByteCount(readAhead).flatMap { $0 <= 1 << 40 ? Int($0) : nil }
  }

  @Option(
    help: "Time zone for TIMESTAMP values of binlog inputs: UTC (default), +HH:MM, or an IANA name."
  )
  var timezone: String = "UTC"

  @Flag(
    help:
      "Follow binlogs still being written: serve what the server appends to the last file of each destination (whole transactions), and the files it rotates into, until SIGINT or SIGTERM."
  )
  var follow = false

  @Flag(
    name: .customLong("no-verify-checksum"),
    help: "Do not verify CRC32 event checksums of binlog inputs.")
  var noVerifyChecksum = false

  @Flag(
    name: .customLong("skip-corrupt"),
    help:
      "Serve past damaged regions of binlog inputs: leave out the transactions the damage falls in, pick up at the next intact one, report each region as FILE:START-END on stderr."
  )
  var skipCorrupt = false

  @Option(
    name: .customLong("max-event-size"),
    help: "Refuse events (and compressed transactions' inner events) larger than this: bytes, or with K, M, G (default 1G).")
  var maxEventSize: String = "1G"

  @Option(
    name: .customLong("start-position"),
    help: "Serve events at or after FILE:N (or N in the first file); earlier files are not read.")
  var startPosition: String?

  @Option(
    name: .customLong("start-datetime"),
    help:
      "Serve from the first transaction at or after this time (YYYY-MM-DD HH:MM:SS, in --timezone).")
  var startDatetime: String?

  @Option(
    name: .customLong("include-gtids"),
    help: "Serve only these transactions: MySQL GTID set (uuid[:tag]:1-5,...) or MariaDB list (0-1-5..9).")
  var includeGTIDs: String?

  @Option(
    name: .customLong("exclude-gtids"),
    help: "Leave out these transactions, e.g. the set a consumer has already applied.")
  var excludeGTIDs: String?

  @Option(name: .customLong("schema"), help: "Schema snapshot for binlogs without column names (as for export).")
  var schemaPath: String?

  @Flag(
    name: .customLong("no-schema"), help: "Do not replay DDL to name columns (Canal's fallback names when the binlog has none).")
  var noSchema = false

  @Flag(name: .shortAndLong, help: "Log connections, subscriptions and errors to stderr.")
  var verbose = false

  func validate() throws {
    let parsed = try parsedDestinations()
    guard !parsed.isEmpty else {
      throw ValidationError("give inputs, or at least one --destination NAME=PATHS")
    }
    guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
    if follow && skipCorrupt {
      throw ValidationError("--follow waits at a damaged-looking end for more bytes: it does not go with --skip-corrupt")
    }
    guard ReaderOptions.parseByteCount(maxEventSize) != nil else {
      throw ValidationError("--max-event-size: give a byte count such as 1G, 64M or 65536")
    }
    guard readAheadBytes != nil else {
      throw ValidationError("--read-ahead: give a byte count such as 4M, 512K or 0")
    }
    guard password == nil || passwordHash == nil else {
      throw ValidationError("give --password or --password-hash, not both")
    }
    if let passwordHash {
      do { _ = try CanalServerCredentials(user: user, passwordHashHex: passwordHash) } catch {
        throw ValidationError("--password-hash: \(error)")
      }
    }
    guard CanalBatchMode(rawValue: batchMode.uppercased()) != nil else {
      throw ValidationError("--batch-mode must be memsize or itemsize")
    }
    do { _ = try TimeZoneSpec(parsing: timezone) } catch { throw ValidationError("\(error)") }
    do { _ = try startPoint() } catch { throw ValidationError(sentence(error)) }
    guard maxFrame >= 1024 && maxFrame <= Int(Int32.max) else {
      throw ValidationError("--max-frame must be between 1024 and \(Int32.max)")
    }
    do {
      _ = try CanalTableFilter(filter)
      _ = try CanalTableFilter(blackFilter, emptyValue: false)
    } catch {
      throw ValidationError("\(error)")
    }
  }

  /// The start point every client of every destination begins at.
  func startPoint() throws -> CanalStartPoint {
    var point = CanalStartPoint()
    if let startPosition { point.position = try BinlogPosition(argument: startPosition) }
    if let startDatetime {
      let zone = try TimeZoneSpec(parsing: timezone)
      point.startMillis = try TimeArgument.epochMicros(startDatetime, zone: zone) / 1000
    }
    if let includeGTIDs { point.includeGTIDs = try GTIDFilter(parsing: includeGTIDs) }
    if let excludeGTIDs { point.excludeGTIDs = try GTIDFilter(parsing: excludeGTIDs) }
    return point
  }

  /// `--destination` values and the positional inputs as (name, paths), in the order given.
  func parsedDestinations() throws -> [(name: String, paths: [String])] {
    var result: [(name: String, paths: [String])] = []
    if !files.isEmpty { result.append(("example", files)) }
    for spec in destinations {
      guard let eq = spec.firstIndex(of: "=") else {
        throw ValidationError("--destination must be NAME=PATH[,PATH...], got '\(spec)'")
      }
      let name = String(spec[..<eq])
      let paths = spec[spec.index(after: eq)...].split(separator: ",").map(String.init)
      guard !name.isEmpty, !paths.isEmpty else {
        throw ValidationError("--destination must be NAME=PATH[,PATH...], got '\(spec)'")
      }
      result.append((name, paths))
    }
    var seen = Set<String>()
    for d in result {
      guard seen.insert(d.name).inserted else {
        throw ValidationError("destination '\(d.name)' is given twice")
      }
      guard !d.paths.contains("-") else {
        throw ValidationError(
          "serve cannot read stdin: every client reads its destination from the start")
      }
    }
    return result
  }

  /// The same reader settings as the other commands' `ReadOptions` (no --skip-errors: a
  /// server cannot leave a hole in a client's stream without telling it).
  var readerOptions: ReaderOptions {
    var o = ReadOptions()
    o.noVerifyChecksum = noVerifyChecksum
    o.skipCorrupt = skipCorrupt
    o.maxEventSize = maxEventSize
    return o.readerOptions
  }

  func run() throws {
    try runReporting {
      var config = CanalServerConfiguration()
      config.host = bind
      config.port = port
      if let passwordHash {
        config.credentials = try CanalServerCredentials(user: user, passwordHashHex: passwordHash)
      } else {
        config.credentials = CanalServerCredentials(user: user, password: password)
      }
      config.filter = filter
      config.blackFilter = blackFilter
      config.batchMode = CanalBatchMode(rawValue: batchMode.uppercased()) ?? .memSize
      config.suppressEmptyTransactions = !keepEmptyTransactions
      config.maxFrameLength = maxFrame
      config.releaseCursorsAfter = .seconds(Swift.max(0, releaseCursorsAfter))
      config.maxCursors = Swift.max(1, maxCursors)
      config.readAheadBytes = readAheadBytes ?? config.readAheadBytes
      if verbose { config.log = { line in report(line) } }

      var settings = ServedDestinationSettings()
      settings.mapping.zone = try TimeZoneSpec(parsing: timezone)
      settings.readerOptions = readerOptions
      settings.start = try startPoint()
      settings.replaysDDL = !noSchema
      settings.schemaSnapshot = schemaPath
      settings.follow = follow
      settings.report = report
      var served: [CanalDestination] = []
      for d in try parsedDestinations() {
        do {
          served.append(try CanalDestination.serving(name: d.name, paths: try expandInputs(d.paths), settings: settings))
        } catch let e as ServedDestinationError {
          guard case .unreadable = e else { throw ValidationError(e.description) }
          report(e.description)
          return Exit.io
        }
      }

      ServerAllocator.configureForServing()
      let server = try CanalServer(configuration: config, destinations: served)
      let address: String
      do throws(ServerListenError) { address = try server.listen() } catch {
        report(error.description)
        return Exit.io
      }
      for line in server.announcement(address: address, destinations: served.map(\.name)) { report(line) }
      try server.serveUntilTerminated()
      report("stopped")
      return 0
    }
  }
}
