import BinlogFormat
import BinlogIO

/// Replays the DDL of binlogs, in order, into a `SchemaTracker` up to a point: what
/// `sluice schema --at` prints the tables at.
public enum SchemaReplay {
  /// Where a replay stops.
  public enum Until: Sendable {
    /// After the last file.
    case end
    /// Before the event at this position (of the file with this base name).
    case position(BinlogPosition)
    /// After the last event stamped at or before this time (microseconds since the epoch).
    case time(Int64)
  }

  /// What a replay did.
  public struct Outcome: Sendable {
    /// Just after the last event applied.
    public var lastPosition = BinlogPosition.start
    /// For `.time`: the end of the last event at or before it, as (input number, offset); nil
    /// when every event is later.
    public var timeStop: (input: Int, offset: UInt64)?
    /// Events `skipErrors` skipped.
    public var skippedErrors = 0
    /// The error that ended the replay early (reported through `onError`).
    public var error: BinlogError?
  }

  /// Feeds `tracker` every event of `inputs` up to `until`. With `skipErrors` undecodable events
  /// are passed over (each to `onSkipped`); an error that stops the walk of a file ends the
  /// replay and is returned in the outcome. Opening an input that cannot be read throws.
  public static func run(
    _ inputs: [String], readerOptions: ReaderOptions, until: Until, into tracker: SchemaTracker,
    skipErrors: Bool = false, onSkipped: @escaping (BinlogError) -> Void = { _ in }
  ) throws -> Outcome {
    struct Stop: Error {}
    var outcome = Outcome()
    // --at TIME: stop after the last event at or before it (nil: before the first event).
    var stopAfter: (input: Int, offset: UInt64)? = (inputs.count, 0)
    if case .time(let t) = until {
      stopAfter = try lastEvent(atOrBefore: t, inputs, readerOptions: readerOptions)
      outcome.timeStop = stopAfter
    }
    for (k, path) in inputs.enumerated() {
      let input = try BinlogInput(path: path, options: readerOptions)
      var walker = BinlogWalker(source: input)
      walker.skipErrors = skipErrors
      walker.onSkippedError = onSkipped
      let file = BinlogPosition(file: path, offset: 0).file
      var stopped = false
      do {
        try walker.run { w, ev in
          switch until {
          case .position(let p) where p.file == file && ev.raw.offset >= p.offset && !ev.inPayload:
            throw Stop()
          case .time:
            guard let (file, end) = stopAfter else { throw Stop() }
            if k > file || (k == file && ev.raw.offset >= end && !ev.inPayload) { throw Stop() }
          default: break
          }
          tracker.consume(ev, file: w.fileName)
          outcome.lastPosition = BinlogPosition(file: w.fileName, offset: ev.fileEndOffset)
        }
      } catch is Stop {
        stopped = true
      } catch let e as BinlogError {
        outcome.error = e
        stopped = true
      }
      outcome.skippedErrors += walker.skippedErrors
      if stopped { break }
    }
    return outcome
  }

  /// The end of the last event (in file order) stamped at or before `micros`: (input number,
  /// offset), or nil when every event is later. Events that describe the file
  /// (Format_description, Rotate, Stop...) do not count: their times are the file's creation or
  /// the server's shutdown.
  public static func lastEvent(atOrBefore micros: Int64, _ inputs: [String], readerOptions: ReaderOptions) throws -> (
    input: Int, offset: UInt64
  )? {
    var last: (Int, UInt64)?
    for (k, path) in inputs.enumerated() {
      let input = try BinlogInput(path: path, options: readerOptions)
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
}
