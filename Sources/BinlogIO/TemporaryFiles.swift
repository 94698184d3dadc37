#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Temporary files that are to become outputs (written under a temporary name, renamed into
/// place when complete): removed if the process is killed by SIGINT, SIGTERM or SIGHUP before
/// then, so an interrupted run leaves neither a partial output nor a hidden temporary file.
///
/// The signal handler may only call async-signal-safe functions: the paths are kept as C
/// strings in a fixed table of slots, read by the handler without locks.
public enum TemporaryFiles {
  static let slotCount = 64
  nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
    let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: slotCount)
    p.initialize(repeating: nil, count: slotCount)
    return p
  }()
  nonisolated(unsafe) static var handlersInstalled = false
  nonisolated(unsafe) static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
    let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(m, nil)
    return m
  }()

  /// Registers `path` for removal on a terminating signal; returns its slot (for `forget`), or
  /// -1 when the table is full (the file is then only removed by its owner).
  @discardableResult
  public static func register(_ path: String) -> Int {
    pthread_mutex_lock(lock)
    defer { pthread_mutex_unlock(lock) }
    if !handlersInstalled {
      handlersInstalled = true
      for sig in [SIGINT, SIGTERM, SIGHUP] {
        var action = sigaction()
        #if canImport(Glibc)
          action.__sigaction_handler.sa_handler = removeAndDie
        #else
          action.__sigaction_u.__sa_handler = removeAndDie
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(sig, &action, nil)
      }
    }
    for i in 0..<slotCount where slots[i] == nil {
      slots[i] = strdup(path)
      return i
    }
    return -1
  }

  /// Stops watching the file of `slot` (after it was renamed into place or removed).
  public static func forget(_ slot: Int) {
    guard slot >= 0 && slot < slotCount else { return }
    pthread_mutex_lock(lock)
    defer { pthread_mutex_unlock(lock) }
    let p = slots[slot]
    slots[slot] = nil
    free(p)
  }
}

/// Removes every registered temporary file, then dies of the signal as it would have.
private func removeAndDie(_ sig: Int32) {
  for i in 0..<TemporaryFiles.slotCount {
    if let p = TemporaryFiles.slots[i] { unlink(p) }
  }
  signal(sig, SIG_DFL)
  raise(sig)
}
