import BinlogFormat

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs jobs on worker threads and hands the results back in submission order, so frames can
/// be compressed (or checked) in parallel and still be written in sequence. The caller bounds
/// memory by how many jobs it lets be outstanding (`outstanding`). With zero workers every job
/// runs on the caller's thread inside `submit`.
///
/// Each worker owns one `Worker` value (a compression or decompression context), made on the
/// caller's thread before the workers start.
final class OrderedPipeline<Worker, Job, Output>: @unchecked Sendable {
  private let work: (Worker, Job) -> Output
  private var workers: [Worker]
  private var threads: [pthread_t] = []
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let jobReady = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private let outputReady = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var jobs: [(Int, Job)] = []
  private var jobHead = 0
  private var outputs: [Int: Output] = [:]
  private var submitted = 0
  private var taken = 0
  private var stopping = false

  /// Starts `threads` workers (0: run jobs inline). `makeWorker` is called once per worker,
  /// and once more for inline mode.
  init(threads: Int, makeWorker: () throws(BinlogError) -> Worker, work: @escaping (Worker, Job) -> Output) throws(BinlogError) {
    self.work = work
    var ws: [Worker] = []
    for _ in 0..<Swift.max(1, threads) { ws.append(try makeWorker()) }
    workers = ws
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(jobReady, nil)
    pthread_cond_init(outputReady, nil)
    if threads > 0 {
      for w in 0..<threads {
        let box = Unmanaged.passRetained(WorkerStart(pipeline: self, index: w)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(
          &tid, nil,
          { arg in
            #if canImport(Glibc)
              let start = Unmanaged<AnyObject>.fromOpaque(arg!).takeRetainedValue() as! WorkerRunnable
            #else
              let start = Unmanaged<AnyObject>.fromOpaque(arg).takeRetainedValue() as! WorkerRunnable
            #endif
            start.run()
            return nil
          }, box)
        if rc != 0 {
          Unmanaged<AnyObject>.fromOpaque(box).release()
          break
        }
        self.threads.append(tid)
      }
      if self.threads.isEmpty { workers = [workers[0]] }
    }
  }

  deinit {
    finish()
    pthread_cond_destroy(outputReady)
    pthread_cond_destroy(jobReady)
    pthread_mutex_destroy(mutex)
    outputReady.deallocate()
    jobReady.deallocate()
    mutex.deallocate()
  }

  /// Jobs submitted and not yet taken.
  var outstanding: Int { submitted - taken }

  func submit(_ job: Job) {
    let seq = submitted
    submitted += 1
    if threads.isEmpty {
      outputs[seq] = work(workers[0], job)
      return
    }
    pthread_mutex_lock(mutex)
    jobs.append((seq, job))
    pthread_cond_signal(jobReady)
    pthread_mutex_unlock(mutex)
  }

  /// The output of the oldest job not yet taken, waiting for it if needed.
  func takeNext() -> Output {
    precondition(taken < submitted, "takeNext with nothing outstanding")
    let seq = taken
    taken += 1
    if threads.isEmpty { return outputs.removeValue(forKey: seq)! }
    pthread_mutex_lock(mutex)
    while outputs[seq] == nil { pthread_cond_wait(outputReady, mutex) }
    let out = outputs.removeValue(forKey: seq)!
    pthread_mutex_unlock(mutex)
    return out
  }

  /// Stops the workers once the queued jobs are done, and waits for them.
  func finish() {
    if threads.isEmpty { return }
    pthread_mutex_lock(mutex)
    stopping = true
    pthread_cond_broadcast(jobReady)
    pthread_mutex_unlock(mutex)
    for t in threads { pthread_join(t, nil) }
    threads = []
  }

  fileprivate func runWorker(_ index: Int) {
    let worker = workers[index]
    while true {
      pthread_mutex_lock(mutex)
      while jobHead == jobs.count && !stopping { pthread_cond_wait(jobReady, mutex) }
      if jobHead == jobs.count {
        pthread_mutex_unlock(mutex)
        return
      }
      let (seq, job) = jobs[jobHead]
      jobHead += 1
      if jobHead > 64 && jobHead * 2 > jobs.count {
        jobs.removeFirst(jobHead)
        jobHead = 0
      }
      pthread_mutex_unlock(mutex)
      let out = work(worker, job)
      pthread_mutex_lock(mutex)
      outputs[seq] = out
      pthread_cond_broadcast(outputReady)
      pthread_mutex_unlock(mutex)
    }
  }
}

private protocol WorkerRunnable: AnyObject { func run() }

private final class WorkerStart<Worker, Job, Output>: WorkerRunnable {
  let pipeline: OrderedPipeline<Worker, Job, Output>
  let index: Int
  init(pipeline: OrderedPipeline<Worker, Job, Output>, index: Int) {
    self.pipeline = pipeline
    self.index = index
  }
  func run() { pipeline.runWorker(index) }
}
