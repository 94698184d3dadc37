import BinlogFormat

/// How a pipeline run ended, worst last: the CLI maps it to its exit code.
public enum RunStatus: Int, Comparable, Sendable {
  /// Everything was read and written.
  case complete
  /// Input was left out: events `--skip-errors` skipped, rows that could not be written as SQL, a
  /// file that stopped at damage (and the run went on with the next).
  case badInput
  /// A file that stopped at an I/O error (and the run went on with the next).
  case ioError
  /// Nothing could match: a `--pk` column the tables do not have, a key value the column cannot
  /// hold.
  case cannotMatch

  public static func < (a: RunStatus, b: RunStatus) -> Bool { a.rawValue < b.rawValue }

  /// The status a run ends with after it reported `e` and went on.
  public init(_ e: BinlogError) { self = e.kind == .io ? .ioError : .badInput }
}

/// A request the inputs cannot satisfy (filters over a stream): the CLI prints it as a usage
/// error.
public struct PipelineUsageError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Where a pipeline's notes, warnings and skipped-event lines go, one line each, as the CLI prints
/// them after its "sluice: " prefix ("warning: ...", "note: ...", "skipped: ...").
public typealias Diagnostics = @Sendable (String) -> Void

/// Watches a walk over the inputs (the CLI's progress line). The walk calls `advance` only every
/// few MiB, so an observer costs nothing per event.
public protocol ProgressObserver: AnyObject {
  /// A new input starts.
  func start(file: String)
  /// The walk reached `offset` of input `index` of `count` (of `size` bytes when known).
  func advance(file: String, index: Int, count: Int, offset: UInt64, size: UInt64?)
  /// The input is done (or failed).
  func clear()
  /// Shows `line` as it is (a stage with no byte offsets to count, such as an index build).
  func update(_ line: String)
}

extension ProgressObserver {
  public func update(_ line: String) {}
}
