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

  /// The `mariadb-10.11` fixture set's binlogs, in order.
  func fixturePaths() throws -> [String] {
    let dir = TestPaths.fixtures + "/mariadb-10.11"
    return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("binlog.0") }
      .sorted().map { dir + "/" + $0 }
  }

  /// A server of the `mariadb-10.11` fixture set's binlogs as clients see them, warnings dropped.
  func startFixtureServer(batchMode: CanalBatchMode) throws -> Int {
    let paths = try fixturePaths()
    let options = quietOptions()
    return try startServer(
      CanalDestination(name: "example") {
        try CanalBinlogEntrySource(paths: paths, options: options, readerOptions: ReaderOptions())
      }, batchMode: batchMode)
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

  static func hex(_ data: some Collection<UInt8>) -> String { data.map { String(format: "%02x", $0) }.joined() }

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
    let dir = TestPaths.fixtures + "/mariadb-10.11-minimal"
    let paths = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
      $0.hasPrefix("binlog.0")
    }.sorted()
      .map { dir + "/" + $0 }
    guard !paths.isEmpty else { throw XCTSkip("no binlogs in \(dir)") }
    var quiet = CanalOptions()
    quiet.onWarning = { _ in }
    let options = quiet
    let port = try startServer(
      CanalDestination(name: "example") {
        try CanalBinlogEntrySource(paths: paths, options: options, readerOptions: ReaderOptions())
      }, batchMode: .memSize)
    let steps = try consume(port: port, batch: 16)
    guard !steps.isEmpty else { return }

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
    let served = steps.filter { $0.step == "after-rollback-one" || $0.step == "get" }.flatMap(
      \.entries)
    XCTAssertEqual(served.count, expected.count)
    XCTAssertTrue(
      served.map(\.hex) == expected.map { Self.hex($0) }, "canal-python's entries differ from the mapper's"
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
    let port = try startFixtureServer(batchMode: .itemSize)
    let times = try consume(port: port, batch: 10).filter { $0.step == "get" }.compactMap(\.ms).sorted()
    XCTAssertGreaterThanOrEqual(times.count, 20, "enough GETs to see a per-GET stall")
    guard !times.isEmpty else { return }
    let median = times[times.count / 2]
    XCTAssertLessThan(median, 30, "median GET round trip \(median) ms: the delayed-ACK stall is back (times: \(times))")
  }

  /// The same with protobuf's default upb backend (Benchmarks/serve-drain.py: canal-python's
  /// client with its message modules regenerated for protobuf >= 4), in MEMSIZE batches: every
  /// row change arrives, and the GETs do not wait for delayed ACKs.
  func testStockCanalPythonOnUpbDrainsMemsizeBatchesWithoutStalls() throws {
    #if !os(Linux)
      throw XCTSkip("TCP_QUICKACK is Linux's")
    #endif
    try requireCanalPython()
    let port = try startFixtureServer(batchMode: .memSize)
    let script = TestPaths.packageRoot + "/Benchmarks/serve-drain.py"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script, String(port), "--batch", "4"]
    var environment = ProcessInfo.processInfo.environment
    environment["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = nil
    process.environment = environment
    let out = Pipe()
    process.standardOutput = out
    process.standardError = Pipe()
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0)
    let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    guard result["backend"] as? String == "upb" else {
      throw XCTSkip("protobuf's upb backend is not available (protoc missing?): \(result)")
    }
    // The client view of the same files, counted by rows.
    var expectedRows = 0
    let stream = try CanalEntryStream(paths: try fixturePaths(), options: quietOptions())
    while true {
      let chunk = try stream.nextEntries(max: 256)
      if chunk.isEmpty { break }
      for e in chunk where e.mapped.entryType == .rowdata {
        expectedRows += e.mapped.header.props.first { $0.key == "rowsCount" }.flatMap { Int($0.value) } ?? 0
      }
    }
    XCTAssertGreaterThan(expectedRows, 500)
    XCTAssertEqual(result["rows"] as? Int, expectedRows)
    XCTAssertGreaterThan(result["batches"] as? Int ?? 0, 20)
    let median = result["get_ms_p50"] as? Double ?? .infinity
    XCTAssertLessThan(median, 30, "median GET round trip \(median) ms: a delayed-ACK stall (\(result))")
  }

  /// canal-python started at a position in the second file receives exactly the entries from
  /// there on.
  func testCanalPythonFromAStartPosition() throws {
    try requireCanalPython()
    let dir = TestPaths.fixtures + "/mariadb-10.11"
    let paths = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
      $0.hasPrefix("binlog.0")
    }.sorted().map { dir + "/" + $0 }
    guard paths.count >= 2 else { throw XCTSkip("no binlogs in \(dir)") }
    var quiet = CanalOptions()
    quiet.onWarning = { _ in }
    let options = quiet
    var clientView = options
    clientView.forClients = true
    let stream = try CanalEntryStream(paths: paths, options: clientView)
    var expected: [CanalEntry] = []
    while true {
      let chunk = try stream.nextEntries(max: 64)
      if chunk.isEmpty { break }
      expected += chunk.map(\.entry)
    }
    guard let k = expected.firstIndex(where: { $0.header.logfileName == "binlog.000002" }) else {
      return XCTFail("no entries in binlog.000002")
    }
    let start = CanalStartPoint(
      position: BinlogPosition(file: "binlog.000002", offset: UInt64(expected[k].header.logfileOffset)))
    let port = try startServer(
      CanalDestination(name: "example") {
        try CanalBinlogEntrySource(
          paths: paths, options: options, readerOptions: ReaderOptions(), start: start)
      })
    let steps = try consume(port: port, batch: 16)
    guard !steps.isEmpty else { return }
    let served = steps.filter { $0.step == "after-rollback-one" || $0.step == "get" }.flatMap(\.entries)
    let want = try expected[k...].map { Self.hex(try $0.serializedBytes() as [UInt8]) }
    XCTAssertEqual(served.count, want.count)
    XCTAssertTrue(served.map(\.hex) == want, "canal-python's entries differ from the suffix from \(start.position!)")
  }
}
