import ArgumentParser
import BinlogFormat
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
  var format: String = "text"

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
    guard EventListing.Format(rawValue: format) != nil else { throw ValidationError("--format must be text or ndjson") }
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file") }
    try follow.validate(files: files, read: read, startPosition: startPosition != nil, stopPosition: stopPosition != nil)
  }

  func run() throws {
    try runReporting {
      let inputs = try expandInputs(files)
      let sink = try OutputSink.file(output, protecting: inputs)
      let listing = EventListing(sink: sink, format: EventListing.Format(rawValue: format)!)
      listing.startPosition = startPosition ?? 0
      listing.stopPosition = stopPosition ?? .max
      if follow.follow {
        let code = try follow.run(inputs, read: read, sink: sink) { w, ev in try listing.consume(ev, walker: w) }
        try sink.close()
        return code
      }
      var worst: Int32 = 0
      let progress = Progress()
      for (k, path) in inputs.enumerated() {
        defer { progress.clear() }
        do {
          let input = try BinlogInput(path: path, options: read.readerOptions)
          let name = binlogBaseName(path)
          progress.start(file: name)
          var walker = BinlogWalker(source: input)
          walker.skipErrors = read.skipErrors
          walker.onSkippedError = { e in report("skipped: \(e.description)") }
          // Like mariadb-binlog, a start offset applies to the first file only.
          if k > 0 { listing.startPosition = 0 }
          if k == 0, let start = startPosition, start > 4, input.isSeekable {
            try input.seek(toUserPosition: start)
          }
          let stop = stopPosition ?? .max
          try walker.run { w, ev in
            if ev.raw.offset >= stop && !ev.inPayload { throw StopWalk() }
            progress.advance(file: name, index: k, count: inputs.count, offset: ev.raw.offset, size: input.size)
            try listing.consume(ev, walker: w)
          }
          if walker.skippedErrors > 0 { worst = Swift.max(worst, Exit.badInput) }
        } catch is StopWalk {
        } catch let e as BinlogError {
          try sink.flush()
          report(e.description)
          worst = Swift.max(worst, Exit.code(for: e))
        }
      }
      try sink.close()
      return worst
    }
  }
}

struct StopWalk: Error {}
