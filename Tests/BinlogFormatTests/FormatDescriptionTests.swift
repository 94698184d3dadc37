import BinlogFormat
import Foundation
import SluiceTestSupport
import XCTest

final class FormatDescriptionTests: XCTestCase {
  /// The flavor comes from the server version's bytes: every server version of the corpus
  /// manifest that names MariaDB is MariaDB, every other one MySQL.
  func testFlavorFromEveryCorpusServerVersion() throws {
    let versions = Set(try TestPaths.manifest().compactMap { $0["server_version"] }.filter { !$0.isEmpty })
    XCTAssertGreaterThan(versions.count, 5)
    var both = Set<FormatDescription.Flavor>()
    for v in versions {
      let fd = FormatDescription(
        binlogVersion: 4, serverVersion: v, createTimestamp: 0, headerLength: 19, postHeaderLengths: [], checksum: .none)
      let expected: FormatDescription.Flavor = v.range(of: "MariaDB") != nil ? .mariadb : .mysql
      XCTAssertEqual(fd.flavor, expected, v)
      both.insert(fd.flavor)
    }
    XCTAssertEqual(both, [.mysql, .mariadb])
    let edges: [(String, FormatDescription.Flavor)] = [
      ("10.11.19-MariaDB-0+deb12u1", .mariadb), ("MariaDB", .mariadb), ("Maria", .mysql), ("", .mysql),
    ]
    for (v, f) in edges {
      let fd = FormatDescription(
        binlogVersion: 4, serverVersion: v, createTimestamp: 0, headerLength: 19, postHeaderLengths: [], checksum: .none)
      XCTAssertEqual(fd.flavor, f, v)
    }
  }
}
