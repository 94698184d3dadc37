import BinlogPipeline

#if canImport(Glibc)
  import Glibc
#endif

/// A one-line progress indicator on stderr, only when stderr is a terminal: what is being read,
/// how far, how fast. Updates are cheap to call per event: the clock is read only every few MiB.
final class Progress: ProgressObserver {
  let enabled = isatty(2) == 1
  private let verb: String
  private var nextCheck: UInt64 = 0
  private var lastDraw: Double = 0
  private var fileStart: Double = 0
  private var shown = false

  init(_ verb: String = "reading") {
    self.verb = verb
  }

  /// The progress line for a pipeline: nil when stderr is not a terminal.
  static func observer(_ verb: String = "reading") -> Progress? {
    let p = Progress(verb)
    return p.enabled ? p : nil
  }

  private static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  func update(_ s: String) {
    guard enabled else { return }
    var line = "\r\u{1B}[K" + s
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    shown = true
  }

  func clear() {
    guard enabled, shown else { return }
    var line = "\r\u{1B}[K"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    shown = false
  }

  /// Call when a new input starts.
  func start(file: String) {
    guard enabled else { return }
    nextCheck = 0
    fileStart = Self.now()
  }

  /// Call with the offset reached in input `index` of `count` (of `size` bytes when known);
  /// redraws at most four times a second.
  @inline(__always)
  func advance(file: String, index: Int, count: Int, offset: UInt64, size: UInt64?) {
    guard enabled, offset >= nextCheck else { return }
    nextCheck = offset + (4 << 20)
    let t = Self.now()
    guard t - lastDraw >= 0.25 else { return }
    lastDraw = t
    let mib = Double(offset) / 1_048_576
    var s = "\(verb) \(file)"
    if count > 1 { s += " (\(index + 1)/\(count))" }
    s += " " + Self.format(mib) + " MiB"
    if let size, size > 0 {
      s += " of " + Self.format(Double(size) / 1_048_576) + " MiB, "
      s += String(Int(Double(offset) * 100 / Double(size))) + "%"
    }
    let elapsed = t - fileStart
    if elapsed > 0.5 { s += ", " + Self.format(mib / elapsed) + " MiB/s" }
    update(s)
  }

  static func format(_ v: Double) -> String {
    let r = (v * 10).rounded() / 10
    return r == r.rounded() ? String(Int(r)) + ".0" : String(r)
  }
}
