import BinlogFormat
import Foundation
import SluiceTestSupport
import XCTest

@testable import CanalProtocol
@testable import CanalServer

/// Issue 16, defect 9: every destination+client id kept its cursor (0.6–2.3 MB, 21 MB after a
/// dropped big batch) forever after ack and disconnect. A cursor is now released once its
/// connection has been closed for `releaseCursorsAfter`, keeping only its acknowledged position;
/// a later subscription resumes there. Served from the real fixture binlogs.
final class ServerCursorReleaseTests: XCTestCase {
  static let fixtures = Array(TestPaths.fixtureSet("mariadb-10.11").prefix(2))

  func makeCore(_ configure: (inout CanalServerConfiguration) -> Void = { _ in }) throws -> CanalServerCore {
    var config = CanalServerConfiguration()
    config.batchMode = .itemSize
    config.releaseCursorsAfter = .zero
    configure(&config)
    let paths = Self.fixtures
    let destination = CanalDestination(name: "example") {
      try CanalBinlogEntrySource(paths: paths, options: CanalOptions(), readerOptions: ReaderOptions())
    }
    return try CanalServerCore(configuration: config, destinations: [destination])
  }

  func subscribe(_ core: CanalServerCore, _ id: String, channel: String) {
    guard case .ack = core.handle(ClientPackets.sub("example", id), channel: channel) else {
      return XCTFail("SUB \(id)")
    }
  }

  func get(_ core: CanalServerCore, _ id: String, fetch: Int32, channel: String) throws -> (Int64, [[UInt8]]) {
    let reply = core.handle(ClientPackets.get("example", id, fetch: fetch), channel: channel)
    guard let bytes = reply.packetBytes else {
      XCTFail("GET answered \(reply)")
      return (0, [])
    }
    let messages = try CanalMessages(serializedBytes: try CanalPacket(serializedBytes: bytes).body)
    return (messages.batchID, messages.messages.map { [UInt8]($0) })
  }

  func ack(_ core: CanalServerCore, _ id: String, _ batch: Int64, channel: String) {
    if case .error(let e) = core.handle(ClientPackets.ack(batch, "example", id), channel: channel) {
      XCTFail("ACK \(batch): \(e)")
    }
  }

  func testReleasedCursorResumesAfterItsAcknowledgedBatch() throws {
    let core = try makeCore()
    // The reference: one client that never goes away reads batches of 7, 7 and 7 entries.
    subscribe(core, "1", channel: "a")
    var reference: [[[UInt8]]] = []
    for _ in 0..<3 {
      let (id, entries) = try get(core, "1", fetch: 7, channel: "a")
      XCTAssertEqual(entries.count, 7)
      ack(core, "1", id, channel: "a")
      reference.append(entries)
    }

    // Client 2 acknowledges one batch, then disconnects: its cursor is released.
    subscribe(core, "2", channel: "b")
    let (first, e1) = try get(core, "2", fetch: 7, channel: "b")
    XCTAssertEqual(e1, reference[0])
    ack(core, "2", first, channel: "b")
    // A batch sent and never acknowledged (dropped with the connection).
    XCTAssertEqual(try get(core, "2", fetch: 7, channel: "b").1, reference[1])
    core.connectionClosed(channel: "b")
    XCTAssertEqual(core.cursorCounts.live, 1, "only client 1's cursor is held")
    XCTAssertEqual(core.cursorCounts.parked, 1)
    XCTAssertNil(core.cursor(destination: "example", clientID: 2))

    // It comes back on another connection: the unacknowledged batch is sent again, then on.
    subscribe(core, "2", channel: "c")
    XCTAssertEqual(try get(core, "2", fetch: 7, channel: "c").1, reference[1])
    XCTAssertEqual(core.cursorCounts.parked, 0)
    // A GET without subscribing again (a client that only reconnects) resumes it too.
    core.connectionClosed(channel: "c")
    let (again, e3) = try get(core, "2", fetch: 7, channel: "d")
    XCTAssertEqual(e3, reference[1], "nothing was acknowledged since")
    ack(core, "2", again, channel: "d")
    XCTAssertEqual(try get(core, "2", fetch: 7, channel: "d").1, reference[2])

    // A connection still open keeps its cursor whatever the limit.
    XCTAssertNotNil(core.cursor(destination: "example", clientID: 1))
  }

  func testTooManyCursorsReleasesClosedOnesAndRefusesWhenAllAreOpen() throws {
    let core = try makeCore {
      $0.maxCursors = 2
      $0.releaseCursorsAfter = .seconds(3600)
    }
    subscribe(core, "1", channel: "a")
    subscribe(core, "2", channel: "b")
    guard case .error(let e) = core.handle(ClientPackets.sub("example", "3"), channel: "c") else {
      return XCTFail("a third open identity is refused")
    }
    XCTAssertTrue(e.message.contains("too many client identities"), e.message)
    core.connectionClosed(channel: "a")
    subscribe(core, "3", channel: "c")
    XCTAssertEqual(core.cursorCounts.live, 2)
    XCTAssertEqual(core.cursorCounts.parked, 1)
  }

  /// /proc/self/status VmRSS in KiB.
  func residentKiB() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return -1 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
  }

  func testThousandClientIDsCycleUnderAFixedRSSBound() throws {
    let core = try makeCore()
    func cycle(_ i: Int) throws {
      let channel = "client-\(i)"
      subscribe(core, "\(i)", channel: channel)
      let (id, entries) = try get(core, "\(i)", fetch: 20, channel: channel)
      XCTAssertFalse(entries.isEmpty)
      ack(core, "\(i)", id, channel: channel)
      // A second batch left unacknowledged, dropped with the connection.
      _ = try get(core, "\(i)", fetch: 20, channel: channel)
      core.connectionClosed(channel: channel)
    }
    for i in 1...50 { try cycle(i) }
    let before = residentKiB()
    guard before > 0 else { throw XCTSkip("no /proc/self/status") }
    for i in 51...1050 { try cycle(i) }
    let after = residentKiB()
    XCTAssertEqual(core.cursorCounts.live, 0)
    XCTAssertEqual(core.cursorCounts.parked, 1050)
    // Held for ever, 1,000 cursors took 0.6–2.3 MB each; released, the positions take bytes.
    XCTAssertLessThan(after - before, 48 << 10, "RSS grew from \(before) KiB to \(after) KiB over 1,000 client ids")
  }
}
