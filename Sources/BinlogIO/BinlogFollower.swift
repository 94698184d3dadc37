import BinlogFormat

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Follows binlogs a server is still writing (`--follow`): walks the given files in order, then
/// waits at the end of the last one for more, as `tail -f` does, and goes on into the file a
/// Rotate (or, after a Stop, the next number) names in the same directory, also when that file
/// only appears later.
///
/// Only whole transactions are handed out: a transaction with no commit yet, or a last event
/// still being written, is waited for at its first byte (`BinlogWalker.completeTransactionsOnly`
/// and `waitsForPartialEvents`), never reported as an error. The file stays mapped once, over an
/// address range reserved for its growth (`MappedFile(path:growable:)`), and the reader gives
/// back the pages behind it: memory stays flat however long it follows.
///
/// It stops, between two transactions, when `shouldStop` says so: at each wait, and before the
/// first event of each transaction.
public final class BinlogFollower {
  public let paths: [String]
  public let options: ReaderOptions
  /// Sleep between two looks at a file that has not grown (or a next file not there yet).
  public var pollInterval: Double = 0.15
  /// Asked at each wait and before each transaction; true ends `run` (normally).
  public var shouldStop: () -> Bool = { FollowStop.requested }
  /// Called before each wait, when everything readable so far has been visited (a caller
  /// flushes its output here, so a reader of it sees whole lines up to the last transaction).
  public var onWait: () throws -> Void = {}
  /// Called as each file is opened, with its path.
  public var onFile: (String) -> Void = { _ in }
  /// Sets up each file's walker (skipErrors, expandPayloads...).
  public var configure: (inout BinlogWalker<BinlogInput>) -> Void = { _ in }

  /// Files to read in order; the last is followed (with what comes after it).
  public init(paths: [String], options: ReaderOptions = ReaderOptions()) {
    self.paths = paths
    self.options = options
  }

  private struct Stopped: Error {}

  /// How a file's last event so far says the next file is named.
  private enum Ending {
    case rotate(String)
    case stop
  }

  /// Walks and follows until `shouldStop`. Errors of the input (damage, a file that shrank)
  /// are thrown as when reading; those of `visit` too.
  public func run(_ visit: (inout BinlogWalker<BinlogInput>, WalkedEvent) throws -> Void) throws {
    guard var path = paths.first else { return }
    var index = 0
    while true {
      var followed = index >= paths.count - 1
      // The next file, when the server started it while this one's tail stayed incomplete.
      var movedOn: String?
      guard let input = try openWaiting(path) else { return }
      onFile(path)
      var walker = BinlogWalker(source: input)
      configure(&walker)
      walker.completeTransactionsOnly = true
      walker.waitsForPartialEvents = followed
      var ending: Ending?
      var retired: BinlogInput?
      defer { _ = retired }
      do {
        func visitor(_ w: inout BinlogWalker<BinlogInput>, _ ev: WalkedEvent) throws {
          if !ev.inPayload {
            if ev.raw.offset == w.transaction.startOffset && shouldStop() { throw Stopped() }
            switch ev.body {
            case .rotate(let r): ending = .rotate(r.nextFile)
            case .stop: ending = .stop
            default: ending = nil
            }
          }
          try visit(&w, ev)
        }
        while true {
          try walker.run(visitor)
          // A file that is not the last given is read as far as it goes, as without --follow.
          if !followed { break }
          let source = walker.source
          if walker.openTail == nil && ending != nil && source.position >= UInt64(source.mappedBytes?.count ?? 0) { break }
          try onWait()
          if shouldStop() { return }
          let resumeAt = walker.openTail ?? walker.source.position
          if try !walker.source.refreshSize() {
            // (Looked at again after seeing the next file: the server may have written this
            // file's last bytes between the first look and its creation of the next.)
            if walker.openTail != nil, let next = BinlogFollower.nextNumbered(path), BinlogFollower.fileHasStarted(next),
              try !walker.source.refreshSize()
            {
              // The server writes one file at a time: with the next one started, this one's
              // partial event or uncommitted transaction will never be completed (a cut file, or
              // an event size field that is damaged). Read the tail once more as a file that is
              // not followed (a partial event is then an error), and go on with the next file.
              followed = false
              walker.waitsForPartialEvents = false
              movedOn = next
              try walker.source.seek(to: resumeAt)
              walker.clearOpenTail()
              do {
                try walker.run(visitor)
              } catch var e as BinlogError {
                e.message += " (the server has already started \(binlogBaseName(next)), so this file will not grow)"
                throw e
              }
              break
            }
            pause()
          }
          if walker.source.mappingIsFull {
            // Map the file anew, between two transactions; the old mapping is kept until the
            // next time, in case a caller still holds an event of it.
            retired = walker.source
            walker.source = try BinlogInput(following: path, options: options)
            try walker.source.seek(to: resumeAt)
          } else if walker.source.position != resumeAt {
            // Stopped at a transaction with no commit yet: back to its first event (the format
            // is known by then). Stopped at a partial event: still there.
            try walker.source.seek(to: resumeAt)
          }
          walker.clearOpenTail()
        }
      } catch is Stopped {
        return
      }
      index += 1
      if index < paths.count {
        path = paths[index]
      } else if let next = movedOn ?? nextPath(after: path, ending) {
        path = next
      } else {
        return
      }
    }
  }

  /// The file after `path`: the one a Rotate names, in the same directory; after a Stop (the
  /// server shut down), the next number (`binlog.000007` → `binlog.000008`).
  private func nextPath(after path: String, _ ending: Ending?) -> String? {
    switch ending {
    case .rotate(let name): return BinlogFollower.nextFile(after: path, rotateTo: name, stopped: false)
    case .stop: return BinlogFollower.nextFile(after: path, rotateTo: nil, stopped: true)
    case nil: return nil
    }
  }

  /// True once `path` exists and holds at least its magic bytes (the server has created it).
  public static func fileHasStarted(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && st.st_size >= 4
  }

  /// The file after `path`, in its directory: the one a Rotate at its end names (`rotateTo`),
  /// or after a Stop (`stopped`) the next number; nil when the file ended with neither.
  public static func nextFile(after path: String, rotateTo: String?, stopped: Bool) -> String? {
    let slash = path.lastIndex(of: "/")
    let dir = slash.map { String(path[...$0]) } ?? ""
    if let name = rotateTo {
      let base = binlogBaseName(name)
      return base.isEmpty ? nil : dir + base
    }
    return stopped ? nextNumbered(path) : nil
  }

  /// `…/binlog.000007` → `…/binlog.000008` (same width), or nil without a numeric extension.
  public static func nextNumbered(_ path: String) -> String? {
    guard let dot = path.lastIndex(of: "."), !path[path.index(after: dot)...].contains("/") else { return nil }
    let digits = path[path.index(after: dot)...]
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = UInt64(digits) else { return nil }
    var next = String(n + 1)
    if next.count < digits.count { next = String(repeating: "0", count: digits.count - next.count) + next }
    return String(path[...dot]) + next
  }

  /// Opens `path` once it exists and holds at least its magic bytes (a file the server has
  /// just created); nil when told to stop first.
  private func openWaiting(_ path: String) throws -> BinlogInput? {
    while true {
      if BinlogFollower.fileHasStarted(path) {
        return try BinlogInput(following: path, options: options)
      }
      try onWait()
      if shouldStop() { return nil }
      pause()
    }
  }

  private func pause() {
    if pollInterval > 0 { usleep(useconds_t(pollInterval * 1_000_000)) }
  }
}

/// SIGINT and SIGTERM as a request to stop following (`BinlogFollower.shouldStop`'s default):
/// the run then ends between two transactions, with its output complete.
public enum FollowStop {
  nonisolated(unsafe) static let flag: UnsafeMutablePointer<sig_atomic_t> = {
    let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
    p.initialize(to: 0)
    return p
  }()

  /// True once SIGINT or SIGTERM arrived (after `installHandlers()`), or `request()` was called.
  public static var requested: Bool { flag.pointee != 0 }

  /// Asks every follower that uses the default `shouldStop` to stop.
  public static func request() { flag.pointee = 1 }

  /// Makes SIGINT and SIGTERM set the flag instead of ending the process (replacing the
  /// handlers that remove temporary outputs: a stopped follow commits its output).
  public static func installHandlers() {
    _ = flag
    // TemporaryFiles installs its handlers with the first output file: not after these.
    pthread_mutex_lock(TemporaryFiles.lock)
    TemporaryFiles.handlersInstalled = true
    pthread_mutex_unlock(TemporaryFiles.lock)
    for sig in [SIGINT, SIGTERM] {
      var action = sigaction()
      #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in FollowStop.flag.pointee = 1 }
      #else
        action.__sigaction_u.__sa_handler = { _ in FollowStop.flag.pointee = 1 }
      #endif
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      sigaction(sig, &action, nil)
    }
  }
}
