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

  /// `append(captured:in:final:maxBuffered:)` for a memory sink that may still hold bytes in its
  /// buffers: when it is the job's turn (now, or waited for), what `memory` captured and what it
  /// buffers are appended straight from its buffers, with no copy into `captured` first;
  /// otherwise the buffers are flushed into `captured` to be kept.
  public func append(pending memory: OutputSink, in turn: OrderedTurns.Turn, final: Bool, maxBuffered: Int) throws {
    if !final && memory.captured.count + memory.pendingCount < maxBuffered && !turn.isCurrent {
      try memory.flush()
      return
    }
    try turn.wait()
    // A worker's pieces are tens or hundreds of KB: written directly, not copied into the buffer.
    try memory.drainCaptured(deciding: true) { try append($0, directFrom: 64 << 10) }
    try memory.drainPending { try append($0, directFrom: 64 << 10) }
  }
}
