import BinlogFormat
import Foundation
import SluiceTestSupport
import SwiftProtobuf
import XCTest

@testable import CanalProtocol
@testable import CanalServer

/// The server's shaping (table filter, then empty-transaction suppression) over a real binlog,
/// checked against the Entry mapper's own client view.
final class ServerBinlogTests: XCTestCase {
  func testServedBinlogEqualsTheMappersClientView() throws {
    for dir in ["mariadb-10.11", "mariadb-10.11-compressed", "mariadb-10.11-minimal"] {
      let paths = try TestPaths.requireFixtureSet(dir)
      let (served, complete) = try ServedBinlogs.drain(try ServedBinlogs.core(paths), fetch: 100)
      XCTAssertTrue(complete, "\(dir): SUB or a GET failed")
      let expected: [Data] = try ServedBinlogs.clientView(paths).map { try $0.serializedBytes() }
      XCTAssertGreaterThan(expected.count, 10, dir)
      XCTAssertEqual(served.count, expected.count, dir)
      XCTAssertTrue(served == expected, "\(dir): served entries differ from the mapper's client view")
    }
  }
}
