import BinlogFormat
import BinlogQuery
import Dispatch
import Foundation
import SluiceTestSupport
import XCTest

@testable import CanalProtocol
@testable import CanalServer

/// canal-python 0.4's own client (Tests/CanalServerTests/server_client.py) against the server:
/// an unmodified Canal client doing subscribe, get, ack, rollback of one batch and of all.
final class ServerPythonClientTests: XCTestCase {
  struct Step: Decodable {
    var step: String
    /// A `get`'s round trip in milliseconds (as canal-python's caller sees it).
    var ms: Double?
    var id: Int64
    var entries: [Entry]
  }

  struct Entry: Decodable, Equatable {
    var hex: String
    var logfileName: String
    var logfileOffset: Int64
    var entryType: Int
    var schemaName: String
    var tableName: String
    var eventType: Int?
    var storeValue: String
  }

  struct Output: Decodable {
    var steps: [Step]
  }

  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("server_client.py").path

  /// Runs `python3 args...` with the pure-Python protobuf backend, at most `limit` seconds.
  func runPython(_ args: [String], limit: Double = 120) throws -> (
    status: Int32, stdout: Data, stderr: Data
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + args
    var environment = ProcessInfo.processInfo.environment
    environment["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let watchdog = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: watchdog)
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    watchdog.cancel()
    return (process.terminationStatus, stdout, stderr)
  }

  func requireCanalPython() throws {
    let probe: (status: Int32, stdout: Data, stderr: Data)
    do {
      probe = try runPython(["-c", "import canal.client"], limit: 60)
    } catch {
      throw XCTSkip("python3 is not available: \(error)")
    }
    if probe.status != 0 {
      throw XCTSkip(
        "canal-python is not installed: \(String(decoding: probe.stderr, as: UTF8.self))")
    }
  }

  func consume(port: Int, filter: String? = nil, batch: Int = 3) throws -> [Step] {
    var args = [
      Self.script, "127.0.0.1", String(port), "--batch", String(batch), "--timeout", "20",
    ]
    if let filter { args += ["--filter", filter] }
    let run = try runPython(args)
    XCTAssertEqual(
      run.status, 0, "server_client.py failed: \(String(decoding: run.stderr, as: UTF8.self))")
    guard run.status == 0 else { return [] }
    return try JSONDecoder().decode(Output.self, from: run.stdout).steps
  }

  func startServer(_ entries: [PositionedEntry]) throws -> Int {
    try startServer(ServerFixtures.destination("example", entries))
  }

  func startServer(_ destination: CanalDestination, batchMode: CanalBatchMode = .itemSize) throws
    -> Int
  {
    var config = CanalServerConfiguration()
    config.port = 0
    config.batchMode = batchMode
    let server = try CanalServer(configuration: config, destinations: [destination])
    let address = try server.start()
    addTeardownBlock { try? server.shutdown() }
    return address.port!
  }

  static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

  /// What canal-python should have decoded for `entry`.
  static func decoded(_ entry: PositionedEntry) throws -> Entry {
    let e = try CanalEntry(serializedBytes: entry.bytes)
    return Entry(
      hex: hex(entry.bytes), logfileName: e.header.logfileName,
      logfileOffset: e.header.logfileOffset,
      entryType: e.entryType.rawValue, schemaName: e.header.schemaName,
      tableName: e.header.tableName,
      eventType: e.header.eventTypePresent == nil ? nil : e.header.eventType.rawValue,
      storeValue: hex(e.storeValue))
  }

  func testCanalPythonConsumesWithAckAndRollback() throws {
    try requireCanalPython()
    let entries = ServerFixtures.transactions(6)
    let port = try startServer(entries)
    let steps = try consume(port: port)
    guard !steps.isEmpty else { return }
    let expected = try entries.map(Self.decoded)
    func step(_ name: String) -> [Step] { steps.filter { $0.step == name } }

    // GET, rollback(that batch), GET: the same entries again under the next batch id.
    let first = try XCTUnwrap(step("first").first)
    let redelivered = try XCTUnwrap(step("after-rollback-one").first)
    XCTAssertEqual(first.id, 1)
    XCTAssertEqual(redelivered.id, 2)
    XCTAssertEqual(first.entries, Array(expected[0..<3]))
    XCTAssertEqual(redelivered.entries, first.entries)

    // Two unacknowledged batches, rollback(0): the get() loop starts again right after batch 2.
    let unacked = step("unacked-1") + step("unacked-2")
    XCTAssertEqual(unacked.map(\.id), [3, 4])
    let loop = step("get")
    XCTAssertEqual(loop.last?.id, 0, "canal-python reports the -1 batch as id 0")
    XCTAssertEqual(loop.first?.entries, unacked[0].entries)
    XCTAssertEqual(loop.first?.id, 5, "batch ids are not reused after a rollback")
    XCTAssertEqual(redelivered.entries + loop.flatMap(\.entries), expected)
    XCTAssertEqual(step("after-end").first?.id, 0)
    XCTAssertEqual(step("after-end").first?.entries, [])
  }

  func testCanalPythonSubscriptionFilter() throws {
    try requireCanalPython()
    let entries = ServerFixtures.transactions(6)
    let port = try startServer(entries)
    let steps = try consume(port: port, filter: "test\\.t1", batch: 100)
    guard !steps.isEmpty else { return }
    // All six transactions share one execute time: the first empty one is let through (Canal
    // lets one pass per 5 s), the others are dropped; the DDL on test.t9 is filtered out.
    let kept = [0, 2, 3, 4, 5, 12, 13, 14].map { entries[$0] }
    let served = steps.filter { $0.step == "after-rollback-one" || $0.step == "get" }.flatMap(
      \.entries)
    XCTAssertEqual(served, try kept.map(Self.decoded))
  }

  /// A real MariaDB binlog mapped by the Entry mapper, served in MEMSIZE batches: canal-python
  /// decodes every entry, and re-serializing what it decoded gives back the bytes served.
  func testCanalPythonConsumesARealBinlog() throws {
    try requireCanalPython()
    let paths = try TestPaths.requireFixtureSet("mariadb-10.11-minimal")
    let port = try startServer(ServedBinlogs.destination(paths), batchMode: .memSize)
    let steps = try consume(port: port, batch: 16)
    guard !steps.isEmpty else { return }

    let expected: [Data] = try ServedBinlogs.clientView(paths).map { try $0.serializedBytes() }
    let served = steps.filter { $0.step == "after-rollback-one" || $0.step == "get" }.flatMap(
      \.entries)
    XCTAssertEqual(served.count, expected.count)
    XCTAssertTrue(
      served.map(\.hex) == expected.map(Self.hex), "canal-python's entries differ from the mapper's"
    )
    XCTAssertGreaterThan(steps.filter { $0.step == "get" }.count, 3, "several MEMSIZE batches")
  }

  /// canal-python's stock client writes a request's length prefix and body in two writes with
  /// Nagle's algorithm on: unless the server acknowledges the prefix at once (TCP_QUICKACK), the
  /// body waits for the server's delayed ACK and every GET takes 40 ms or more. Most GETs of
  /// small batches must come back well under that.
  func testStockCanalPythonGetsDoNotWaitForDelayedAcks() throws {
    #if !os(Linux)
      throw XCTSkip("TCP_QUICKACK is Linux's")
    #endif
    try requireCanalPython()
    let port = try startServer(ServedBinlogs.destination(try TestPaths.requireFixtureSet("mariadb-10.11")))
    let times = try consume(port: port, batch: 10).filter { $0.step == "get" }.compactMap(\.ms).sorted()
    XCTAssertGreaterThanOrEqual(times.count, 20, "enough GETs to see a per-GET stall")
    guard !times.isEmpty else { return }
    let median = times[times.count / 2]
    XCTAssertLessThan(median, 30, "median GET round trip \(median) ms: the delayed-ACK stall is back (times: \(times))")
  }

  /// canal-python started at a position in the second file receives exactly the entries from
  /// there on.
  func testCanalPythonFromAStartPosition() throws {
    try requireCanalPython()
    let paths = try TestPaths.requireFixtureSet("mariadb-10.11")
    guard paths.count >= 2 else { throw XCTSkip("mariadb-10.11 has fewer than two binlogs") }
    let expected = try ServedBinlogs.clientView(paths)
    guard let k = expected.firstIndex(where: { $0.header.logfileName == "binlog.000002" }) else {
      return XCTFail("no entries in binlog.000002")
    }
    let start = CanalStartPoint(
      position: BinlogPosition(file: "binlog.000002", offset: UInt64(expected[k].header.logfileOffset)))
    let port = try startServer(ServedBinlogs.destination(paths, start: start))
    let steps = try consume(port: port, batch: 16)
    guard !steps.isEmpty else { return }
    let served = steps.filter { $0.step == "after-rollback-one" || $0.step == "get" }.flatMap(\.entries)
    let want = try expected[k...].map { Self.hex(try $0.serializedBytes()) }
    XCTAssertEqual(served.count, want.count)
    XCTAssertTrue(served.map(\.hex) == want, "canal-python's entries differ from the suffix from \(start.position!)")
  }
}
