import BinlogFormat
import BinlogIO

extension OutputSink {
  /// Appends what `memory` captured for the job of `turn` (an `OrderedWorkerPool` job): now when
  /// every earlier job has ended; otherwise keeps it, or waits for the turn when the job is done
  /// (`final`) or holds `maxBuffered` bytes. Conditional spans of `memory` are decided here, in
  /// output order (`OutputSink.markConditional`). Throws `OrderedTurns.Cancelled` once another job failed.
  public func append(captured memory: OutputSink, in turn: OrderedTurns.Turn, final: Bool, maxBuffered: Int) throws {
    if !final && memory.captured.count < maxBuffered && !turn.isCurrent { return }
    try turn.wait()
    // Only the job whose turn it is writes to the sink.
    try memory.drainCaptured(deciding: true) { try append($0) }
  }
}
