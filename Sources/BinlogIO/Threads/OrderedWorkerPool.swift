/// The order jobs of an `OrderedWorkerPool` end in: job `k` ends after every job before it, and
/// a job may wait for its turn (`wait(for:)`) to write its output itself, in order.
public final class OrderedTurns: @unchecked Sendable {
  /// Thrown by a wait once another job has failed: the output after a failure is not written.
  public struct Cancelled: Error {
    public init() {}
  }

  let condition = PosixCondition()
  /// Jobs ended in order (the first job not yet ended).
  private(set) var head = 0
  private var endedAhead: Set<Int> = []
  /// The first job's error; every wait after it throws `Cancelled`.
  private(set) var failed: (any Error)?

  init() {}

  /// One job's place in the order.
  public struct Turn: Sendable {
    public let index: Int
    let turns: OrderedTurns
    /// True when every earlier job has ended: this job may write now.
    public var isCurrent: Bool { turns.isCurrent(index) }
    /// Waits until every earlier job has ended; throws `Cancelled` when one failed.
    public func wait() throws(Cancelled) { try turns.wait(for: index) }
  }

  /// True when every job before `index` has ended.
  public func isCurrent(_ index: Int) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    return head == index
  }

  /// Waits until every job before `index` has ended; throws `Cancelled` when one failed.
  public func wait(for index: Int) throws(Cancelled) {
    condition.lock()
    while head != index && failed == nil { condition.wait() }
    let cancelled = head != index
    condition.unlock()
    if cancelled { throw Cancelled() }
  }

  /// Job `index` has ended. With an error the first one is kept and the order stops there: the
  /// jobs after it never get their turn (their waits throw `Cancelled`).
  func end(_ index: Int, error: (any Error)? = nil) {
    condition.lock()
    if let error {
      if failed == nil, !(error is Cancelled) { failed = error }
    } else if index == head {
      head += 1
      while endedAhead.remove(head) != nil { head += 1 }
    } else {
      endedAhead.insert(index)
    }
    condition.broadcast()
    condition.unlock()
  }
}

/// Runs jobs on worker threads, each thread with its own `Worker` (a compression context, an
/// exporter writing into memory), and keeps them in submission order, in one of two ways:
/// - `takeNext()` hands the outputs back in order on the caller's thread (frames compressed in
///   parallel, written in sequence);
/// - a job writes its own output in its turn (`Turn.wait()`), so a large output can stream
///   out while later jobs run; such a pool has `Output == Void` and `keepsOutputs == false`.
/// The caller bounds memory by how far ahead of the oldest unfinished job it submits (`ahead`,
/// or `outstanding` for callers that take outputs). With zero threads every job runs on the
/// caller's thread inside `submit`.
public final class OrderedWorkerPool<Worker, Job, Output, Failure: Error>: @unchecked Sendable {
  public typealias Work = (Worker, Job, OrderedTurns.Turn) throws(Failure) -> Output

  public let turns = OrderedTurns()
  /// One per thread (one for inline mode), made on the caller's thread before the threads start.
  public let workers: [Worker]
  private let work: Work
  private let keepsOutputs: Bool
  private let ahead: Int
  private let inline: Bool
  private var jobs: [(Int, Job)] = []
  private var jobHead = 0
  private var outputs: [Int: Output] = [:]
  private var submitted = 0
  private var taken = 0
  private var stopping = false
  private var running = 0

  /// Starts `threads` workers (0: run jobs inline); `makeWorker` is called once per worker.
  /// `ahead`: `submit` waits while this many jobs have not ended.
  public init<E: Error>(
    threads: Int, ahead: Int = .max, keepsOutputs: Bool = true, makeWorker: () throws(E) -> Worker,
    work: @escaping Work
  ) throws(E) {
    self.work = work
    self.keepsOutputs = keepsOutputs
    self.ahead = ahead
    inline = threads <= 0
    var ws: [Worker] = []
    for _ in 0..<Swift.max(1, threads) { ws.append(try makeWorker()) }
    workers = ws
    if inline { return }
    running = threads
    for w in 0..<threads {
      PosixThread.start { [self] in runWorker(w) }
    }
  }

  /// Jobs submitted whose output has not been taken.
  public var outstanding: Int { submitted - taken }

  /// Queues `job`; waits while `ahead` jobs have not ended. False (nothing queued) once a job
  /// has failed: `finish()` throws its error.
  @discardableResult public func submit(_ job: Job) -> Bool {
    let index = submitted
    submitted += 1
    if inline {
      if turns.failed != nil { return false }
      do throws(Failure) {
        let out = try work(workers[0], job, OrderedTurns.Turn(index: index, turns: turns))
        if keepsOutputs { outputs[index] = out }
        turns.end(index)
      } catch {
        turns.end(index, error: error)
      }
      return turns.failed == nil
    }
    let c = turns.condition
    c.lock()
    while index - turns.head >= ahead && turns.failed == nil { c.wait() }
    let failed = turns.failed != nil
    if !failed { jobs.append((index, job)) }
    c.broadcast()
    c.unlock()
    return !failed
  }

  /// The output of the oldest job not yet taken, waiting for it if needed; throws the first
  /// job's error.
  public func takeNext() throws(Failure) -> Output {
    precondition(keepsOutputs && taken < submitted, "takeNext with nothing outstanding")
    let index = taken
    taken += 1
    if inline {
      if let out = outputs.removeValue(forKey: index) { return out }
      throw turns.failed as! Failure
    }
    let c = turns.condition
    c.lock()
    while outputs[index] == nil && turns.failed == nil { c.wait() }
    let out = outputs.removeValue(forKey: index)
    let failed = turns.failed
    c.unlock()
    guard let out else { throw failed as! Failure }
    return out
  }

  /// No more jobs: waits for the queued ones and the threads. Throws the first job's error.
  public func finish() throws(Failure) {
    if !inline {
      let c = turns.condition
      c.lock()
      stopping = true
      c.broadcast()
      while running > 0 { c.wait() }
      c.unlock()
    }
    if let failed = turns.failed { throw failed as! Failure }
  }

  private func runWorker(_ w: Int) {
    let worker = workers[w]
    let c = turns.condition
    while true {
      c.lock()
      while jobHead == jobs.count && !stopping && turns.failed == nil { c.wait() }
      if jobHead == jobs.count || turns.failed != nil {
        running -= 1
        c.broadcast()
        c.unlock()
        return
      }
      let (index, job) = jobs[jobHead]
      jobHead += 1
      if jobHead > 64 && jobHead * 2 > jobs.count {
        jobs.removeFirst(jobHead)
        jobHead = 0
      }
      c.unlock()
      do throws(Failure) {
        let out = try work(worker, job, OrderedTurns.Turn(index: index, turns: turns))
        if keepsOutputs {
          c.lock()
          outputs[index] = out
          c.unlock()
        }
        turns.end(index)
      } catch {
        turns.end(index, error: error)
      }
    }
  }
}
