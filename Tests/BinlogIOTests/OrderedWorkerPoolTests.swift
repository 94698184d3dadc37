import BinlogIO
import XCTest

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The one ordered worker pool (archive frames, parallel query batches).
final class OrderedWorkerPoolTests: XCTestCase {
  struct Failed: Error, Equatable { var job: Int }

  /// Later jobs finish first (earlier ones sleep longer); outputs still come back in order.
  func testOutputsComeBackInSubmissionOrder() {
    for threads in [0, 1, 4] {
      let pool = OrderedWorkerPool<Int, Int, Int, Never>(
        threads: threads, makeWorker: { () throws(Never) in 7 },
        work: { worker, job, _ in
          usleep(UInt32((20 - job % 20) * 100))
          return job * 10 + worker
        })
      var got: [Int] = []
      for job in 0..<50 {
        pool.submit(job)
        if pool.outstanding >= 8 { got.append(pool.takeNext()) }
      }
      while pool.outstanding > 0 { got.append(pool.takeNext()) }
      pool.finish()
      XCTAssertEqual(got, (0..<50).map { $0 * 10 + 7 }, "\(threads) threads")
    }
  }

  /// Jobs that write in their turn write in submission order, whatever order they run in.
  func testJobsWriteInTheirTurn() throws {
    let lock = PosixLock()
    nonisolated(unsafe) var written: [Int] = []
    let pool = try OrderedWorkerPool<Void, Int, Void, any Error>(
      threads: 3, ahead: 4, keepsOutputs: false, makeWorker: { () throws in () },
      work: { _, job, turn in
        usleep(UInt32((10 - job % 10) * 200))
        try turn.wait()
        lock.withLock { written.append(job) }
      })
    for job in 0..<40 { XCTAssertTrue(pool.submit(job)) }
    try pool.finish()
    XCTAssertEqual(written, Array(0..<40))
  }

  /// A failing job: the jobs before it are written, none after it, and `finish` throws its error.
  func testAFailureStopsTheJobsAfterIt() {
    let lock = PosixLock()
    nonisolated(unsafe) var written: [Int] = []
    let pool = try! OrderedWorkerPool<Void, Int, Void, any Error>(
      threads: 3, ahead: 6, keepsOutputs: false, makeWorker: { () throws in () },
      work: { _, job, turn in
        try turn.wait()
        if job == 12 {
          // The jobs after it are waiting for their turn by now: none of them may write.
          usleep(5000)
          throw Failed(job: job)
        }
        lock.withLock { written.append(job) }
      })
    for job in 0..<40 where !pool.submit(job) { break }
    XCTAssertThrowsError(try pool.finish()) { XCTAssertEqual($0 as? Failed, Failed(job: 12)) }
    XCTAssertEqual(written, Array(0..<12))
  }
}
