import ArgumentParser
import BinlogFormat
import BinlogQuery
import Exporters

#if canImport(Glibc)
  import Glibc
#endif

struct ReadOptions: ParsableArguments {
  @Flag(name: .customLong("no-verify-checksum"), help: "Do not verify CRC32 event checksums.")
  var noVerifyChecksum = false

  @Flag(name: .customLong("skip-errors"), help: "Report events that fail to decode and continue with the next one.")
  var skipErrors = false

  @Flag(
    name: .customLong("skip-corrupt"),
    help:
      "Read past damaged regions of binlog files: leave out the transactions the damage falls in, pick up at the next intact one (CRC32 valid, or the log_pos chain holding), report each region as FILE:START-END; exit code 4."
  )
  var skipCorrupt = false

  @Option(
    name: .customLong("max-event-size"),
    help:
      "Refuse events (and compressed transactions' inner events) larger than this: bytes, or with K, M, G (default 1G, the server's limit)."
  )
  var maxEventSize: String = "1G"

  func validate() throws {
    guard ReaderOptions.parseByteCount(maxEventSize) != nil else {
      throw ValidationError("--max-event-size: give a byte count such as 1G, 64M or 65536")
    }
  }

  var readerOptions: ReaderOptions {
    var o = ReaderOptions(
      verifyChecksums: !noVerifyChecksum, maxEventSize: ReaderOptions.parseByteCount(maxEventSize) ?? 1 << 30,
      skipCorrupt: skipCorrupt)
    o.onSkippedRange = { r in
      report("skipped corrupt bytes \(r) (at offset \(r.damageAt): \(r.reason)); read on from offset \(r.end)")
    }
    return o
  }
}

/// `--follow` for the commands that can follow binlogs a server is still writing.
struct FollowOptions: ParsableArguments {
  @Flag(
    help:
      "Follow binlogs still being written: after the files given, wait for more (whole transactions only), go on into the next file at a Rotate, until SIGINT or SIGTERM (exit 0, output complete)."
  )
  var follow = false

  /// The reasons the other options given cannot go with --follow.
  func validate(files: [String], read: ReadOptions, startPosition: Bool = false, stopPosition: Bool = false) throws {
    guard follow else { return }
    if files.contains("-") {
      throw ValidationError("--follow reads files (a stream cannot be waited on): give binlog files or a directory")
    }
    if read.skipCorrupt { throw ValidationError("--follow cannot be combined with --skip-corrupt") }
    if startPosition || stopPosition {
      throw ValidationError("--follow reads whole files: --start-position and --stop-position cannot be combined with it")
    }
  }

  /// Follows `inputs` (see `BinlogFollower`), flushing `sink` at every wait, until SIGINT or
  /// SIGTERM; `visit` sees each event as a walk over the files would. Returns the exit code:
  /// 0, or 2 when --skip-errors skipped events.
  func run(
    _ inputs: [String], read: ReadOptions, sink: OutputSink,
    visit: (inout BinlogWalker<BinlogInput>, WalkedEvent) throws -> Void
  ) throws -> Int32 {
    nonisolated(unsafe) var skipped = 0
    FollowStop.installHandlers()
    let follower = BinlogFollower(paths: inputs, options: read.readerOptions)
    follower.onWait = { try sink.flush() }
    follower.configure = { w in
      w.skipErrors = read.skipErrors
      w.onSkippedError = { e in
        skipped += 1
        report("skipped: \(e.description)")
      }
    }
    do {
      try follower.run(visit)
    } catch let e as BinlogError {
      try? sink.flush()
      throw e
    }
    return skipped > 0 ? Exit.badInput : 0
  }
}

/// `--compress` for commands that write exports (with `-o`): the sink for the output path.
struct CompressOptions: ParsableArguments {
  @Option(
    name: .customLong("compress"),
    help: "Compress the output: zstd or zstd:LEVEL (default level 3), or none. Implied (zstd) by -o NAME.zst.")
  var compress: String?

  func validate() throws {
    if let compress {
      do { _ = try OutputCompression(parsing: compress) } catch { throw ValidationError("--compress: \(error)") }
    }
  }

  /// `--compress` when given, else what the output's name implies.
  func compression(for output: String) throws -> OutputCompression {
    if let compress { return try OutputCompression(parsing: compress) }
    return OutputCompression.implied(by: output)
  }

  /// The output sink: compressed output to a file is written to a temporary name and renamed
  /// into place when it is complete; never over an input.
  func sink(_ output: String, protecting inputs: [String]) throws -> OutputSink {
    try OutputSink.file(output, compression: compression(for: output), protecting: inputs)
  }
}

enum Exit {
  static let internalError: Int32 = 1
  static let badInput: Int32 = 2
  static let io: Int32 = 3
  /// The run completed, leaving out the damaged regions `--skip-corrupt` reported.
  static let skippedCorrupt: Int32 = 4
  /// Nothing to output because nothing could match: a `--pk` column the tables do not have, a
  /// key value the column cannot hold, or no binlog among the inputs (a warning says which).
  static let cannotMatch: Int32 = 5

  static func code(for e: BinlogError) -> Int32 {
    e.kind == .io ? io : badInput
  }
}

/// The notice for a walk that stopped before a transaction with no commit yet.
func openTailNote(_ file: String, _ offset: UInt64) -> String {
  "\(file): the transaction from offset \(offset) has no commit yet (the file is still being written, or was cut): read up to offset \(offset)"
}

/// Prints one error line to stderr.
func report(_ message: String) {
  var s = "sluice: " + message + "\n"
  s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Runs `body`, mapping thrown errors to one stderr line and an exit code.
func runReporting(_ body: () throws -> Int32) throws {
  signal(SIGPIPE, SIG_IGN)
  // Outputs are all or nothing: renamed into place only when the run exits 0 (or, with
  // --skip-errors, when it went on past the errors it reported).
  OutputFile.deferCommits = true
  defer { OutputFile.discardDeferred() }
  var code: Int32
  do {
    code = try body()
    if code == 0 && !CorruptRegionScan.allFound.isEmpty { code = Exit.skippedCorrupt }
    if code == 0 || code == Exit.skippedCorrupt
      || (code == Exit.badInput && CommandLine.arguments.contains("--skip-errors"))
    {
      try OutputFile.commitDeferred()
    }
  } catch is OutputClosed {
    code = 0
  } catch let e as BinlogError {
    report(e.description)
    code = Exit.code(for: e)
  } catch let e as ExitCode {
    throw e
  } catch let e as ValidationError {
    throw e
  } catch {
    report("\(error)")
    code = Exit.internalError
  }
  if code != 0 { throw ExitCode(code) }
}

/// Expands directories into their binlog files and archives (stream order; a binlog present
/// both plain and archived is read plain, with a note) and keeps files and '-' as given.
func expandInputs(_ inputs: [String]) throws -> [String] {
  var out: [String] = []
  for p in inputs {
    if p == "-" {
      out.append(p)
      continue
    }
    var st = stat()
    if stat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
      let listing = try BinlogDirectory.listing(of: p)
      for note in listing.notes { report("note: \(note)") }
      if listing.files.isEmpty { report("warning: \(p) holds no binlog files (none starts with the binlog magic bytes)") }
      out.append(contentsOf: listing.files)
    } else {
      out.append(p)
    }
  }
  if out.isEmpty { throw ExitCode(Exit.cannotMatch) }
  return out
}
