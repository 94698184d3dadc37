import BinlogFormat
import BinlogIO
import Exporters

/// The loop over binlog files that `export` and `events` run: each input opened in turn (a file,
/// an archive or '-' for stdin), walked, and every event handed to one consumer. Generic over the
/// consumer so the per-event call is a direct one.
public struct EventWalk {
  public var inputs: [String]
  public var readerOptions: ReaderOptions
  /// Report events that fail to decode and go on; unless `continuesAfterError`, a consumer's
  /// decoding error too (it is reported and the walk goes on with the next event).
  public var skipErrors = false
  /// Stop before a transaction with no commit yet (a file still being written), noting it.
  public var completeTransactionsOnly = false
  /// Report an error that stops a file and go on with the next (`events`); otherwise the run
  /// ends with the error thrown (`export`).
  public var continuesAfterError = false
  /// Start at this offset of the first file (an event boundary; seeked to when seekable).
  public var startPosition: UInt64?
  /// Stop before the first (outer) event at or after this offset, in every file.
  public var stopPosition: UInt64?
  public var progress: ProgressObserver?
  /// Called before each input is walked with its number.
  public var onInput: (Int) -> Void = { _ in }
  public var report: Diagnostics

  public init(inputs: [String], readerOptions: ReaderOptions, report: @escaping Diagnostics) {
    self.inputs = inputs
    self.readerOptions = readerOptions
    self.report = report
  }

  private struct Stop: Error {}

  /// Walks every input into `consumer` (not `finish()`ed: the caller does, after what else it
  /// writes). `sink` is flushed before an error is thrown or reported, so what came before the
  /// damage is written.
  public func run<C: EventConsumer>(_ consumer: C, sink: OutputSink) throws -> RunStatus {
    var worst = RunStatus.complete
    let report = self.report
    let skipErrors = self.skipErrors
    let catchesConsumerErrors = skipErrors && !continuesAfterError
    for (k, path) in inputs.enumerated() {
      defer { progress?.clear() }
      do {
        let input = try BinlogInput(path: path, options: readerOptions)
        let name = binlogBaseName(path)
        progress?.start(file: name)
        onInput(k)
        var walker = BinlogWalker(source: input)
        walker.skipErrors = skipErrors
        walker.onSkippedError = { e in report("skipped: \(e.description)") }
        walker.completeTransactionsOnly = completeTransactionsOnly
        if k == 0, let start = startPosition, start > 4, input.isSeekable {
          try input.seek(toUserPosition: start)
        }
        let stop = stopPosition ?? .max
        let count = inputs.count
        var nextCheck: UInt64 = 0
        do {
          try walker.run { w, ev in
            if ev.raw.offset >= stop && !ev.inPayload { throw Stop() }
            if let progress, ev.raw.offset >= nextCheck {
              nextCheck = ev.raw.offset + (4 << 20)
              progress.advance(file: name, index: k, count: count, offset: ev.raw.offset, size: input.size)
            }
            do {
              try consumer.consume(ev, walker: w)
            } catch let e as BinlogError where catchesConsumerErrors {
              report("skipped: \(e.description)")
              worst = Swift.max(worst, .badInput)
            }
          }
        } catch let e as BinlogError where !continuesAfterError {
          try sink.flush()
          throw e
        }
        if walker.skippedErrors > 0 { worst = Swift.max(worst, .badInput) }
        if let open = walker.openTail { report("note: \(openTailNote(name, open))") }
      } catch is Stop {
      } catch let e as BinlogError where continuesAfterError {
        try sink.flush()
        report(e.description)
        worst = Swift.max(worst, RunStatus(e))
      }
    }
    return worst
  }

  /// Follows the inputs (`BinlogFollower`): the files given, then what the server appends and the
  /// files it rotates to, whole transactions only, flushing `sink` at every wait, until SIGINT or
  /// SIGTERM. `consumer` sees each event as `run` would; it is not `finish()`ed.
  public func follow<C: EventConsumer>(_ consumer: C, sink: OutputSink) throws -> RunStatus {
    nonisolated(unsafe) var skipped = 0
    let report = self.report
    let skipErrors = self.skipErrors
    let catchesConsumerErrors = skipErrors && !continuesAfterError
    FollowStop.installHandlers()
    let follower = BinlogFollower(paths: inputs, options: readerOptions)
    follower.onWait = { try sink.flush() }
    follower.configure = { w in
      w.skipErrors = skipErrors
      w.onSkippedError = { e in
        skipped += 1
        report("skipped: \(e.description)")
      }
    }
    do {
      try follower.run { w, ev in
        do {
          try consumer.consume(ev, walker: w)
        } catch let e as BinlogError where catchesConsumerErrors {
          // Reported, but (as before the pipeline) only the walker's skips set the status.
          report("skipped: \(e.description)")
        }
      }
    } catch let e as BinlogError {
      try? sink.flush()
      throw e
    }
    return skipped > 0 ? .badInput : .complete
  }
}

/// The notice for a walk that stopped before a transaction with no commit yet.
public func openTailNote(_ file: String, _ offset: UInt64) -> String {
  "\(file): the transaction from offset \(offset) has no commit yet (the file is still being written, or was cut): read up to offset \(offset)"
}
