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
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path

  func binlogs(_ dir: String) throws -> [String] {
    let path = Self.fixtures + "/" + dir
    let names = try FileManager.default.contentsOfDirectory(atPath: path).filter {
      $0.hasPrefix("binlog.0")
    }.sorted()
    guard !names.isEmpty else { throw XCTSkip("no binlogs in \(path)") }
    return names.map { path + "/" + $0 }
  }

  func testServedBinlogEqualsTheMappersClientView() throws {
    for dir in ["mariadb-10.11", "mariadb-10.11-compressed", "mariadb-10.11-minimal"] {
      let paths = try binlogs(dir)
      var quiet = CanalOptions()
      quiet.onWarning = { _ in }
      let options = quiet
      var config = CanalServerConfiguration()
      config.batchMode = .itemSize
      let core = try CanalServerCore(
        configuration: config,
        destinations: [
          CanalDestination(name: "example") {
            try CanalBinlogEntrySource(
              paths: paths, options: options, readerOptions: ReaderOptions())
          }
        ])
      guard case .ack = core.handle(ClientPackets.sub(), channel: "t") else {
        return XCTFail("SUB")
      }
      var served: [Data] = []
      while true {
        guard let bytes = core.handle(ClientPackets.get(fetch: 100), channel: "t").packetBytes
        else {
          return XCTFail("\(dir): GET failed")
        }
        let messages = try CanalMessages(
          serializedBytes: try CanalPacket(serializedBytes: bytes).body)
        if messages.batchID == -1 { break }
        served += messages.messages
        _ = core.handle(ClientPackets.ack(messages.batchID), channel: "t")
      }

      var clientView = options
      clientView.forClients = true
      // Serialized by SwiftProtobuf from Column messages, not by the server's direct encoding.
      let stream = try CanalEntryStream(paths: paths, options: clientView)
      stream.mapper.encodeRowsDirectly = false
      var expected: [Data] = []
      while true {
        let chunk = try stream.nextEntries(max: 64)
        if chunk.isEmpty { break }
        expected += try chunk.map { try $0.mapped.entry().serializedBytes() }
      }
      XCTAssertGreaterThan(expected.count, 10, dir)
      XCTAssertEqual(served.count, expected.count, dir)
      XCTAssertTrue(
        served == expected, "\(dir): served entries differ from the mapper's client view")
    }
  }
}
