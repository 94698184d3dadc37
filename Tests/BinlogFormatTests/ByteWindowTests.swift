import XCTest

@testable import BinlogFormat

/// ByteWindow, under every stream reader: requests bigger than the buffer grow it, requests
/// that fit after the consumed bytes slide the tail to the front, and no byte is lost or
/// reordered either way, however the producer trickles its bytes in.
final class ByteWindowTests: XCTestCase {
  func testBytesSurviveGrowingAndSlidingWithATricklingProducer() throws {
    let source = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    var window = ByteWindow(capacity: 64)
    var produced = 0
    var read = 0
    // Request sizes that fit, overflow the tail (slide) and exceed the capacity (grow).
    for request in [10, 60, 5, 200, 3, 1000, 999, 7, 5000, 40_000, 1] {
      try window.fill(request) { (free) throws(BinlogError) -> Int in
        let n = min(7, free.count, source.count - produced)
        for i in 0..<n { free[i] = source[produced + i] }
        produced += n
        return n
      }
      XCTAssertGreaterThanOrEqual(window.available, request, "request \(request) at \(read)")
      let got = Array(window.bytes(request))
      XCTAssertEqual(got, Array(source[read..<(read + request)]), "request \(request) at \(read)")
      window.consume(request)
      read += request
    }
  }

  func testFillStopsWhenTheProducerRunsDry() throws {
    var window = ByteWindow(capacity: 16)
    var left = 5
    try window.fill(100) { (free) throws(BinlogError) -> Int in
      let n = min(left, 2, free.count)
      for i in 0..<n { free[i] = 0xAB }
      left -= n
      return n
    }
    XCTAssertEqual(window.available, 5)
    XCTAssertEqual(Array(window.bytes(5)), [UInt8](repeating: 0xAB, count: 5))
  }
}
