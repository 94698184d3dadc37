import BinlogFormat
import BinlogSchema
import Foundation
import SluiceTestSupport
import XCTest

@testable import CanalProtocol
@testable import CanalServer

/// `CanalDestination.serving`: what `sluice serve` builds for each destination, over the fixtures.
final class ServedDestinationTests: XCTestCase {
  let paths = ["binlog.000001", "binlog.000002", "binlog.000003"].map {
    TestPaths.fixtures + "/mariadb-10.11/" + $0
  }

  func settings() -> ServedDestinationSettings {
    var s = ServedDestinationSettings()
    s.mapping.onWarning = { _ in }
    return s
  }

  func drain(_ d: CanalDestination) throws -> [PositionedEntry] {
    let source = try d.openSource()
    var all: [PositionedEntry] = []
    while true {
      let batch = try source.next(max: 256)
      if batch.isEmpty { break }
      all += batch
    }
    XCTAssertTrue(source.isFinished)
    return all
  }

  /// The column names of the first ROWDATA entry of `table`.
  func firstColumns(_ entries: [PositionedEntry], table: String) throws -> [String] {
    let e = try XCTUnwrap(entries.first { $0.tableName == table && $0.entryType == .rowdata && $0.isRowsEvent })
    let change = try CanalRowChange(serializedBytes: try CanalEntry(serializedBytes: e.bytes).storeValue)
    let row = try XCTUnwrap(change.rowDatas.first)
    return (row.afterColumns.isEmpty ? row.beforeColumns : row.afterColumns).map(\.name)
  }

  func testBinlogDestinationServesEveryTransactionWithReplayedColumnNames() throws {
    let d = try CanalDestination.serving(name: "orders", paths: paths, settings: settings())
    XCTAssertEqual(d.name, "orders")
    let entries = try drain(d)
    XCTAssertEqual(entries.first?.position, BinlogPosition(file: "binlog.000001", offset: 256))
    XCTAssertEqual(
      try firstColumns(entries, table: "orders"), ["id", "customer_id", "status", "total", "placed_at", "note"])
    // The same stream as the source built by hand from the seeded timeline.
    let (timeline, _) = try SchemaTimeline.seeded(firstFile: paths[0], readerOptions: ReaderOptions())
    let direct = try CanalBinlogEntrySource(
      paths: paths, options: settings().mapping, readerOptions: ReaderOptions(), start: CanalStartPoint(), schema: timeline)
    var expected: [PositionedEntry] = []
    while true {
      let batch = try direct.next(max: 256)
      if batch.isEmpty { break }
      expected += batch
    }
    XCTAssertEqual(entries, expected)
  }

  func testMinimalMetadataBinlogGetsColumnNamesFromTheReplayedDDL() throws {
    let minimal = paths.map { $0.replacingOccurrences(of: "/mariadb-10.11/", with: "/mariadb-10.11-minimal/") }
    let named = try drain(try CanalDestination.serving(name: "m", paths: minimal, settings: settings()))
    XCTAssertEqual(
      try firstColumns(named, table: "orders"), ["id", "customer_id", "status", "total", "placed_at", "note"])
    var noReplay = settings()
    noReplay.replaysDDL = false
    let unnamed = try drain(try CanalDestination.serving(name: "m", paths: minimal, settings: noReplay))
    XCTAssertEqual(try firstColumns(unnamed, table: "orders"), ["@1", "@2", "@3", "@4", "@5", "@6"])
  }

  func testStartPointSkipsEarlierFiles() throws {
    var s = settings()
    s.start = CanalStartPoint(position: BinlogPosition(file: "binlog.000003", offset: 4))
    let entries = try drain(try CanalDestination.serving(name: "example", paths: paths, settings: s))
    XCTAssertEqual(Set(entries.map(\.position.file)), ["binlog.000003"])
  }

  func testUnreadableInputIsRefusedWithItsDestination() {
    XCTAssertThrowsError(
      try CanalDestination.serving(name: "x", paths: [paths[0], "/nonexistent/binlog.000009"], settings: settings())
    ) { e in
      XCTAssertEqual("\(e)", "cannot read /nonexistent/binlog.000009 (destination 'x')")
    }
  }

  func testFollowRefusesEntryDumps() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("served-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let dump = dir + "/empty.canal"
    FileManager.default.createFile(atPath: dump, contents: Data("not a binlog".utf8))
    var s = settings()
    s.follow = true
    XCTAssertThrowsError(try CanalDestination.serving(name: "d", paths: [dump], settings: s)) { e in
      XCTAssertEqual(
        "\(e)", "destination 'd': --follow serves binlog files as the server writes them, not Entry dumps")
    }
  }

  func testListenAnnouncesTheBoundAddressAndWarnsWhenOpen() throws {
    var config = CanalServerConfiguration()
    config.port = 0
    XCTAssertTrue(config.listensOnLoopbackOnly)
    let d = try CanalDestination.serving(name: "b", paths: paths, settings: settings())
    let server = try CanalServer(configuration: config, destinations: [d])
    defer { server.close() }
    let address = try server.listen()
    XCTAssertTrue(address.hasPrefix("127.0.0.1:"), address)
    XCTAssertNotEqual(address, "127.0.0.1:0")
    XCTAssertEqual(server.announcement(address: address, destinations: ["b"]), ["serving b on \(address)"])
    config.host = "0.0.0.0"
    XCTAssertFalse(config.listensOnLoopbackOnly)
    let open = try CanalServer(configuration: config, destinations: [d])
    XCTAssertEqual(
      open.announcement(address: "0.0.0.0:1", destinations: ["b"]),
      [
        "serving b on 0.0.0.0:1",
        "warning: listening on 0.0.0.0 without a password; any client that can reach it may read the data",
      ])
  }
}
