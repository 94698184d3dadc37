import ArgumentParser
import BinlogFormat

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
}
