import Foundation
import XCTest

/// A fresh temporary directory; with `test`, removed by the test's teardown.
public func temporaryDirectory(removedAfter test: XCTestCase? = nil) throws -> String {
  let dir = NSTemporaryDirectory() + "sluice-tests-\(getpid())-\(UUID().uuidString)"
  try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  test?.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
  return dir
}
