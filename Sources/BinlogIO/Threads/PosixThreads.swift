#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Locks, a condition and threads on POSIX threads, so that no module needs the whole of
// Foundation (NSLock, NSCondition, Thread) for them: linking Foundation's full library adds
// thousands of protocol conformances that every first dynamic cast at start-up scans.

/// A mutual-exclusion lock.
public final class PosixLock: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

  public init() {
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  public func lock() { pthread_mutex_lock(mutex) }
  public func unlock() { pthread_mutex_unlock(mutex) }

  public func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }
}

/// A lock with a condition variable: `wait()` releases the lock until `broadcast()`.
public final class PosixCondition: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  public init() {
    mutex.initialize(to: pthread_mutex_t())
    cond.initialize(to: pthread_cond_t())
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(cond, nil)
  }

  deinit {
    pthread_cond_destroy(cond)
    pthread_mutex_destroy(mutex)
    cond.deallocate()
    mutex.deallocate()
  }

  public func lock() { pthread_mutex_lock(mutex) }
  public func unlock() { pthread_mutex_unlock(mutex) }
  /// Waits (the lock held) until another thread broadcasts; may wake spuriously.
  public func wait() { pthread_cond_wait(cond, mutex) }
  public func broadcast() { pthread_cond_broadcast(cond) }
}

public enum PosixThread {
  /// Runs `body` on a new detached thread with a `stackSize`-byte stack.
  public static func start(stackSize: Int = 8 << 20, _ body: @escaping @Sendable () -> Void) {
    final class Box {
      let body: @Sendable () -> Void
      init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackSize)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    #if canImport(Darwin)
      var thread: pthread_t? = nil
    #else
      var thread = pthread_t()
    #endif
    let rc = pthread_create(
      &thread, &attributes,
      { raw in
        #if canImport(Darwin)
          let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
        #else
          let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        #endif
        box.body()
        return nil
      }, context)
    // Without a thread the work still has to happen: run it here.
    if rc != 0 {
      Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
    }
  }

  /// Processors online (at least 1).
  public static var processorCount: Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  }
}
