import BinlogFormat
import BinlogIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where exporter bytes go: a file descriptor written through one large buffer.
///
/// Two buffers, one order: `buffer` (an array, for exporters that append to it) and `text` (raw
/// memory, for the NDJSON hot path; see `withText`). `withText` first moves whatever `buffer`
/// holds into `text`, so `text` always holds the older bytes and is written first.
public final class OutputSink {
  public var buffer: [UInt8] = []
  private var text: RawTextBuffer
  private let fd: Int32
  private let ownsFD: Bool
  private let flushAt: Int
  public private(set) var bytesWritten: UInt64 = 0
  /// Optional transform of each flushed chunk (e.g. a compressor). Receives nil at close.
  public var transform: ((UnsafeRawBufferPointer?, (UnsafeRawBufferPointer) throws -> Void) throws -> Void)?

  public init(fd: Int32, ownsFD: Bool = false, bufferSize: Int = 1 << 20) {
    self.fd = fd
    self.ownsFD = ownsFD
    flushAt = bufferSize
    text = RawTextBuffer(capacity: bufferSize + (64 << 10))
  }

  deinit { text.deallocate() }

  /// Lends the raw text buffer to `body` for a burst of appends (after moving any bytes of
  /// `buffer` into it, to keep their order). Inside `body`, flush through `flush(_:)`.
  public func withText<R>(_ body: (inout RawTextBuffer) throws -> R) rethrows -> R {
    if !buffer.isEmpty {
      buffer.withUnsafeBytes { text.append(contentsOf: $0) }
      buffer.removeAll(keepingCapacity: true)
    }
    return try body(&text)
  }

  /// Bytes waiting in the buffers.
  public var pendingCount: Int { text.count + buffer.count }

  /// Writes out `t` (the buffer `withText` lends) and empties it.
  public func flush(_ t: inout RawTextBuffer) throws {
    if t.isEmpty { return }
    try write(t.bytes)
    t.removeAll()
  }

  private func write(_ b: UnsafeRawBufferPointer) throws {
    if let transform {
      try transform(b) { try self.rawWrite($0) }
    } else {
      try rawWrite(b)
    }
  }

  public static func standardOutput() -> OutputSink { OutputSink(fd: 1) }

  /// A sink that keeps everything in `captured` (tests, library users).
  public static func memory() -> OutputSink { OutputSink(fd: -1) }
  public private(set) var captured: [UInt8] = []
  /// A memory sink's way out for the bytes it would capture: when it returns true it has
  /// written them on (its owner's turn to write, `ParallelExport`), and they are not copied into
  /// `captured`. Asked only while no conditional span waits to be decided.
  public var forward: ((UnsafeRawBufferPointer) throws -> Bool)?

  /// A memory sink's spans of output whose fate is decided only when they are drained in output
  /// order (`markConditional`), and where the first not yet drained one is.
  private var conditionalSpans: [ConditionalSpan] = []
  private var spanHead = 0
  /// Asked, in output order, whether to keep each conditional span, with its key, by
  /// `drainCaptured(deciding: true)`; nil: spans are dropped.
  public var keepSpan: ((Int64) -> Bool)?

  /// Output bytes of a memory sink from `start` to `end` (positions in everything it was given,
  /// `streamOffset`) that are written or dropped by `keepSpan(key)` when drained.
  struct ConditionalSpan {
    var start: Int
    var end: Int
    var key: Int64
  }

  /// How many bytes this sink was given so far (written, captured or still buffered).
  public var streamOffset: Int { Int(bytesWritten) + pendingCount }

  /// Marks the bytes given since `start` (a `streamOffset`) as a span that `drainCaptured` keeps
  /// only when `keepSpan(key)` says so, asked in output order. Memory sinks only; the span's
  /// bytes must reach `captured` together (no flush between `start` and this call).
  public func markConditional(from start: Int, key: Int64) {
    precondition(fd < 0, "conditional spans are for memory sinks")
    conditionalSpans.append(ConditionalSpan(start: start, end: streamOffset, key: key))
  }

  /// Hands what a memory sink captured so far to `body` (in one or more pieces) and forgets it
  /// (keeping the memory for the next bytes: no copy and no allocation, unlike `takeCaptured`).
  /// Conditional spans (`markConditional`) are handed on when `deciding` and `keepSpan` keeps
  /// them, and dropped otherwise.
  public func drainCaptured(deciding: Bool = false, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    if captured.isEmpty { return }
    if spanHead == conditionalSpans.count {
      try captured.withUnsafeBytes { try body($0) }
    } else {
      let base = Int(bytesWritten) - captured.count
      let end = Int(bytesWritten)
      try captured.withUnsafeBytes { bytes in
        var at = base
        while spanHead < conditionalSpans.count && conditionalSpans[spanHead].start < end {
          let span = conditionalSpans[spanHead]
          if span.start > at { try body(UnsafeRawBufferPointer(rebasing: bytes[(at - base)..<(span.start - base)])) }
          if deciding, let keepSpan, keepSpan(span.key), span.end > span.start {
            try body(UnsafeRawBufferPointer(rebasing: bytes[(span.start - base)..<(span.end - base)]))
          }
          at = span.end
          spanHead += 1
        }
        if at < end { try body(UnsafeRawBufferPointer(rebasing: bytes[(at - base)...])) }
      }
      if spanHead == conditionalSpans.count {
        conditionalSpans.removeAll(keepingCapacity: true)
        spanHead = 0
      }
    }
    captured.removeAll(keepingCapacity: true)
  }

  /// Hands a memory sink's buffered bytes to `body` and forgets them, as `flush()` then
  /// `drainCaptured(deciding: true)` would, but straight from the buffers: without the copy into
  /// `captured` when nothing is captured, no conditional span is open and no transform is set.
  public func drainPending(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    precondition(fd < 0, "drainPending is for memory sinks")
    guard captured.isEmpty, spanHead == conditionalSpans.count, transform == nil else {
      try flush()
      try drainCaptured(deciding: true, body)
      return
    }
    // `text` holds the older bytes (see `withText`).
    if !text.isEmpty {
      try body(text.bytes)
      bytesWritten += UInt64(text.count)
      text.removeAll()
    }
    if !buffer.isEmpty {
      try buffer.withUnsafeBytes { try body($0) }
      bytesWritten += UInt64(buffer.count)
      buffer.removeAll(keepingCapacity: true)
    }
  }

  /// Appends `bytes` to the buffer, flushing when it is full; pieces of `directFrom` bytes or more
  /// (default: half the buffer) are written directly after what is buffered.
  public func append(_ bytes: UnsafeRawBufferPointer, directFrom: Int? = nil) throws {
    if bytes.count >= (directFrom ?? flushAt / 2) {
      // Large pieces go out directly, after what is buffered (no copy through the buffer).
      try flush()
      try write(bytes)
      return
    }
    buffer.append(contentsOf: bytes)
    if pendingCount >= flushAtLimit { try flush() }
  }

  /// Returns and clears what a memory sink captured.
  public func takeCaptured() -> [UInt8] {
    defer { captured.removeAll(keepingCapacity: true) }
    return captured
  }

  /// An output file, all or nothing: written under a temporary name beside `path` and renamed
  /// to `path` by `close()` (see `OutputFile` for deferred commits); removed when the run fails
  /// or is killed. A device or pipe given as `path` (`/dev/null`, a FIFO) is written directly.
  /// Refuses to write over `protectedPaths` (the inputs).
  public static func file(_ path: String, protecting protectedPaths: [String] = []) throws -> OutputSink {
    if path == "-" { return standardOutput() }
    try OutputFile.refuseInputs(path, protectedPaths)
    if SpecialOutput.isSpecial(path) {
      let sink = OutputSink(fd: try SpecialOutput.openForWriting(path), ownsFD: true)
      sink.displayName = path
      return sink
    }
    let target = try OutputFile(path: path, protecting: protectedPaths)
    let sink = OutputSink(fd: target.fd, ownsFD: true)
    sink.target = target
    sink.displayName = path
    return sink
  }

  /// The file `close()` renames into place (nil for stdout, devices and memory sinks).
  var target: OutputFile?
  /// The output's name in error messages.
  public var displayName: String?

  @inlinable public func write(_ s: String) {
    var s = s
    s.withUTF8 { buffer.append(contentsOf: $0) }
    if pendingCount >= flushAtLimit { try? flush() }
  }

  @usableFromInline var flushAtLimit: Int { flushAt }

  /// Call after appending to `buffer` directly.
  @inlinable public func maybeFlush() throws {
    if pendingCount >= flushAtLimit { try flush() }
  }

  public func flush() throws {
    if !text.isEmpty {
      try write(text.bytes)
      text.removeAll()
    }
    if buffer.isEmpty { return }
    try buffer.withUnsafeBytes { try write($0) }
    buffer.removeAll(keepingCapacity: true)
  }

  func rawWrite(_ b: UnsafeRawBufferPointer) throws {
    if fd < 0 {
      if let forward, spanHead == conditionalSpans.count, try forward(b) {
        bytesWritten += UInt64(b.count)
        return
      }
      captured.append(contentsOf: b)
      bytesWritten += UInt64(b.count)
      return
    }
    var off = 0
    while off < b.count {
      let r = Glibc.write(fd, b.baseAddress! + off, b.count - off)
      if r < 0 {
        if errno == EINTR { continue }
        if errno == EPIPE { throw OutputClosed() }
        let why = String(cString: strerror(errno))
        if let target {
          throw BinlogError(
            .io, "write failed: \(why) (the partial output is removed; nothing was written to \(target.path))",
            file: target.path)
        }
        throw BinlogError(.io, "write failed: \(why)", file: displayName)
      }
      off += r
    }
    bytesWritten += UInt64(b.count)
  }

  public func close() throws {
    try flush()
    if let transform { try transform(nil) { try self.rawWrite($0) } }
    if ownsFD {
      // A file system may report a failed write-back only here (NFS, a full quota).
      if Glibc.close(fd) != 0, let target {
        throw BinlogError(.io, "write failed: \(String(cString: strerror(errno)))", file: target.path)
      }
    }
    if let target {
      self.target = nil
      try target.commit()
    }
  }
}

/// The reader of our output went away (e.g. `| head`): stop quietly.
public struct OutputClosed: Error {}
