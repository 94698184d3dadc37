import ArgumentParser
import BinlogFormat
import BinlogPipeline
import Exporters

struct EventsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "events",
    abstract: "List events one per line: start and end offset, type, time, server id, summary.",
    discussion: """
      Events inside a Transaction_payload (MySQL binlog compression) are listed after it with a '+' before their type and the payload's offsets.

      Examples:
        sluice events binlog.000001
        sluice events --start-position 4 --stop-position 1000 binlog.000001
        sluice events --format ndjson binlog.000001 | jq -c 'select(.type=="Query")'
        sluice events --follow /var/lib/mysql/binlog.000042     # as the server writes it, until Ctrl-C
      """)

  @Option(help: "Output format: text or ndjson.")
  var format: EventListing.Format = .text

  @Option(
    name: .customLong("start-position"),
    help:
      "List events starting at this offset of the first file (an event boundary; otherwise refused, naming the boundaries around it; streams filter)."
  )
  var startPosition: UInt64?

  @Option(name: .customLong("stop-position"), help: "List events starting before this offset.")
  var stopPosition: UInt64?

  @Option(name: [.customShort("o"), .customLong("output")], help: "Write to this file instead of stdout.")
  var output: String = "-"

  @OptionGroup var read: ReadOptions
  @OptionGroup var follow: FollowOptions

  @Argument(help: "Binlog files, directories, or '-' for stdin.")
  var files: [String]

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file") }
    try follow.validate(files: files, read: read, startPosition: startPosition != nil, stopPosition: stopPosition != nil)
  }

  func run() throws {
    try runReporting {
      let inputs = try expandInputs(files)
      let sink = try OutputSink.file(output, protecting: inputs)
      let listing = EventListing(sink: sink, format: format)
      listing.startPosition = startPosition ?? 0
      listing.stopPosition = stopPosition ?? .max
      var walk = EventWalk(inputs: inputs, readerOptions: read.readerOptions, report: report)
      walk.skipErrors = read.skipErrors
      let status: RunStatus
      if follow.follow {
        status = try walk.follow(listing, sink: sink)
      } else {
        walk.continuesAfterError = true
        walk.startPosition = startPosition
        walk.stopPosition = stopPosition
        // Like mariadb-binlog, a start offset applies to the first file only.
        walk.onInput = { k in if k > 0 { listing.startPosition = 0 } }
        walk.progress = Progress.observer()
        status = try walk.run(listing, sink: sink)
      }
      try sink.close()
      return Exit.code(for: status)
    }
  }
}

extension EventListing.Format: ExpressibleByArgument {}
