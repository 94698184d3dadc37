import BinlogFormat
import Foundation
import SluiceTestSupport
import SwiftProtobuf
import XCTest

@testable import CanalProtocol
@testable import CanalServer

/// Entries shaped like Canal's output for a few small transactions, for the server tests.
enum ServerFixtures {
  static func header(
    _ offset: Int64, schema: String = "", table: String = "", eventType: CanalEventType? = nil,
    time: Int64 = 1_700_000_000_000
  ) -> CanalHeader {
    var h = CanalHeader()
    h.version = 1
    h.logfileName = "mysql-bin.000001"
    h.logfileOffset = offset
    h.serverID = 1
    h.serverenCode = "UTF-8"
    h.executeTime = time
    h.sourceType = .mysql
    h.schemaName = schema
    h.tableName = table
    h.eventLength = 50
    if let eventType { h.eventType = eventType }
    return h
  }

  static func begin(_ offset: Int64, time: Int64 = 1_700_000_000_000) -> PositionedEntry {
    var b = CanalTransactionBegin()
    b.threadID = 12
    var e = CanalEntry()
    e.header = header(offset, time: time)
    e.entryType = .transactionbegin
    e.storeValue = try! b.serializedBytes()
    return try! PositionedEntry(entry: e)
  }

  static func end(_ offset: Int64, xid: Int = 42, time: Int64 = 1_700_000_000_000)
    -> PositionedEntry
  {
    var t = CanalTransactionEnd()
    t.transactionID = String(xid)
    var e = CanalEntry()
    e.header = header(offset, time: time)
    e.entryType = .transactionend
    e.storeValue = try! t.serializedBytes()
    return try! PositionedEntry(entry: e)
  }

  /// A rows event (tableId set, one row) inserting `value` into `schema.table`.
  static func insert(
    _ offset: Int64, _ schema: String, _ table: String, value: String = "1", padding: Int = 0
  )
    -> PositionedEntry
  {
    var c = CanalColumn()
    c.sqlType = 12
    c.name = "v"
    c.updated = true
    c.isNull = false
    c.value = value + String(repeating: "x", count: padding)
    c.mysqlType = "varchar(255)"
    var row = CanalRowData()
    row.afterColumns = [c]
    var change = CanalRowChange()
    change.tableID = 90
    change.eventType = .insert
    change.isDdl = false
    change.rowDatas = [row]
    var e = CanalEntry()
    e.header = header(offset, schema: schema, table: table, eventType: .insert)
    e.entryType = .rowdata
    e.storeValue = try! change.serializedBytes()
    return try! PositionedEntry(entry: e)
  }

  static func ddl(
    _ offset: Int64, _ schema: String, _ table: String, sql: String, type: CanalEventType = .create
  )
    -> PositionedEntry
  {
    var change = CanalRowChange()
    change.eventType = type
    change.isDdl = true
    change.sql = sql
    change.ddlSchemaName = schema
    var e = CanalEntry()
    e.header = header(offset, schema: schema, table: table, eventType: type)
    e.entryType = .rowdata
    e.storeValue = try! change.serializedBytes()
    return try! PositionedEntry(entry: e)
  }

  /// A statement-based INSERT (a Query event): no table id, no rows.
  static func statementInsert(_ offset: Int64, _ schema: String, _ table: String) -> PositionedEntry {
    var change = CanalRowChange()
    change.eventType = .insert
    change.isDdl = false
    change.sql = "insert into \(table) values (1)"
    var e = CanalEntry()
    e.header = header(offset, schema: schema, table: table, eventType: .insert)
    e.entryType = .rowdata
    e.storeValue = try! change.serializedBytes()
    return try! PositionedEntry(entry: e)
  }

  /// `count` transactions BEGIN, INSERT test.t<k % 3>, END, then a DDL.
  static func transactions(_ count: Int, padding: Int = 0) -> [PositionedEntry] {
    var out: [PositionedEntry] = []
    var offset: Int64 = 4
    for k in 0..<count {
      out.append(begin(offset))
      out.append(insert(offset + 100, "test", "t\(k % 3)", value: String(k), padding: padding))
      out.append(end(offset + 200, xid: k))
      offset += 300
    }
    out.append(ddl(offset, "test", "t9", sql: "create table t9(id int)"))
    return out
  }

  static func destination(_ name: String, _ entries: [PositionedEntry]) -> CanalDestination {
    CanalDestination(name: name) { CanalEntryArraySource(entries) }
  }
}

/// Builds request packets the way Canal clients do.
enum ClientPackets {
  static func packet(_ type: CanalPacketType, _ body: some SwiftProtobuf.Message) -> CanalPacket {
    var p = CanalPacket()
    p.type = type
    p.body = try! body.serializedBytes()
    return p
  }

  static func sub(
    _ destination: String = "example", _ clientID: String = "1001", filter: String = ""
  ) -> CanalPacket {
    var s = CanalSub()
    s.destination = destination
    s.clientID = clientID
    s.filter = filter
    return packet(.subscription, s)
  }

  static func unsub(_ destination: String = "example", _ clientID: String = "1001") -> CanalPacket {
    var s = CanalUnsub()
    s.destination = destination
    s.clientID = clientID
    return packet(.unsubscription, s)
  }

  static func get(
    _ destination: String = "example", _ clientID: String = "1001", fetch: Int32,
    timeout: Int64 = -1,
    unit: Int32 = -1, autoAck: Bool = false
  ) -> CanalPacket {
    var g = CanalGet()
    g.destination = destination
    g.clientID = clientID
    g.fetchSize = fetch
    g.timeout = timeout
    g.unit = unit
    g.autoAck = autoAck
    return packet(.get, g)
  }

  static func ack(_ batch: Int64, _ destination: String = "example", _ clientID: String = "1001")
    -> CanalPacket
  {
    var a = CanalClientAck()
    a.destination = destination
    a.clientID = clientID
    a.batchID = batch
    return packet(.clientack, a)
  }

  static func rollback(
    _ batch: Int64, _ destination: String = "example", _ clientID: String = "1001"
  )
    -> CanalPacket
  {
    var r = CanalClientRollback()
    r.destination = destination
    r.clientID = clientID
    r.batchID = batch
    return packet(.clientrollback, r)
  }
}

/// GET, ACK, ROLLBACK, subscriptions, filters and errors of the server core, without sockets.
final class ServerCoreTests: XCTestCase {

  func makeCore(
    _ entries: [PositionedEntry], configure: (inout CanalServerConfiguration) -> Void = { _ in }
  ) throws -> CanalServerCore {
    var config = CanalServerConfiguration()
    config.batchMode = .itemSize
    configure(&config)
    return try CanalServerCore(
      configuration: config, destinations: [ServerFixtures.destination("example", entries)])
  }

  /// Sends a GET and returns the batch id and entries (id -1 and none for an empty batch).
  func get(
    _ core: CanalServerCore, fetch: Int32, clientID: String = "1001", requireFull: Bool = false,
    autoAck: Bool = false, file: StaticString = #filePath, line: UInt = #line
  ) throws -> (Int64, [[UInt8]]) {
    let reply = core.handle(
      ClientPackets.get("example", clientID, fetch: fetch, autoAck: autoAck), channel: "test",
      requireFull: requireFull)
    guard let bytes = reply.packetBytes else {
      XCTFail("GET answered \(reply)", file: file, line: line)
      return (0, [])
    }
    let packet = try CanalPacket(serializedBytes: bytes)
    XCTAssertEqual(packet.type, .messages, file: file, line: line)
    let messages = try CanalMessages(serializedBytes: packet.body)
    return (messages.batchID, messages.messages.map { [UInt8]($0) })
  }

  func expectError(
    _ reply: CanalReply, code: Int32, containing text: String, closes: Bool,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    guard case .error(let e) = reply else {
      XCTFail("expected error \(code) '\(text)', got \(reply)", file: file, line: line)
      return
    }
    XCTAssertEqual(e.code, code, file: file, line: line)
    XCTAssertTrue(e.message.contains(text), "message: \(e.message)", file: file, line: line)
    XCTAssertEqual(e.closesConnection, closes, "closes connection", file: file, line: line)
  }

  func testBatchesFollowTheStreamAndEndWithMinusOne() throws {
    let entries = ServerFixtures.transactions(3)
    let core = try makeCore(entries)
    guard case .ack = core.handle(ClientPackets.sub(), channel: "test") else {
      return XCTFail("SUB")
    }
    var received: [[UInt8]] = []
    var ids: [Int64] = []
    while true {
      let (id, batch) = try get(core, fetch: 4)
      if id == -1 {
        XCTAssertTrue(batch.isEmpty)
        break
      }
      ids.append(id)
      received += batch
      XCTAssertLessThanOrEqual(batch.count, 4)
      guard case .none = core.handle(ClientPackets.ack(id), channel: "test") else {
        return XCTFail("ACK \(id)")
      }
    }
    XCTAssertEqual(ids, [1, 2, 3])
    XCTAssertEqual(received, entries.map(\.bytes))
    XCTAssertEqual(try get(core, fetch: 4).0, -1, "stays at the end")
  }

  func testRollbackRedeliversFromTheLastAck() throws {
    let entries = ServerFixtures.transactions(4)
    let core = try makeCore(entries)
    _ = core.handle(ClientPackets.sub(), channel: "test")
    let (b1, first) = try get(core, fetch: 3)
    guard case .none = core.handle(ClientPackets.ack(b1), channel: "test") else { return XCTFail() }
    let (b2, second) = try get(core, fetch: 3)
    let (b3, third) = try get(core, fetch: 3)
    XCTAssertEqual([b1, b2, b3], [1, 2, 3])
    XCTAssertEqual(
      core.cursor(destination: "example", clientID: 1001)?.outstandingBatchIDs, [2, 3])

    // Rolling back a batch that is not the oldest is refused, and closes (no one reads the reply).
    expectError(
      core.handle(ClientPackets.rollback(b3), channel: "test"), code: 400,
      containing: "batchId:3 is not the firstly:2", closes: true)
    // Rolling back the oldest rewinds to the last ack: both batches come again, with new ids.
    guard case .none = core.handle(ClientPackets.rollback(b2), channel: "test") else {
      return XCTFail()
    }
    XCTAssertEqual(core.cursor(destination: "example", clientID: 1001)?.outstandingBatchIDs, [])
    let (b4, again) = try get(core, fetch: 6)
    XCTAssertEqual(b4, 4, "batch ids keep increasing after a rollback")
    XCTAssertEqual(again, second + third)
    XCTAssertEqual(first, Array(entries[0..<3]).map(\.bytes))

    // Rollback 0 rolls back everything outstanding.
    guard case .none = core.handle(ClientPackets.rollback(0), channel: "test") else {
      return XCTFail()
    }
    let (b5, third2) = try get(core, fetch: 6)
    XCTAssertEqual(b5, 5)
    XCTAssertEqual(third2, again)
  }

  func testAckMustBeTheOldestKnownBatch() throws {
    let core = try makeCore(ServerFixtures.transactions(4))
    _ = core.handle(ClientPackets.sub(), channel: "test")
    let (b1, _) = try get(core, fetch: 2)
    let (b2, _) = try get(core, fetch: 2)
    expectError(
      core.handle(ClientPackets.ack(b2), channel: "c"), code: 400,
      containing: "batchId:2 is not the firstly:1", closes: true)
    expectError(
      core.handle(ClientPackets.ack(77), channel: "c"), code: 400,
      containing: "ack error , clientId:1001 batchId:77 is not exist , please check", closes: true)
    expectError(
      core.handle(ClientPackets.ack(0), channel: "c"), code: 402,
      containing: "batchId should assign value. Ack: ", closes: true)
    guard case .none = core.handle(ClientPackets.ack(-1), channel: "c") else {
      return XCTFail("ack -1 is a no-op")
    }
    guard case .none = core.handle(ClientPackets.ack(b1), channel: "c") else { return XCTFail() }
    guard case .none = core.handle(ClientPackets.ack(b2), channel: "c") else { return XCTFail() }
    expectError(
      core.handle(ClientPackets.ack(b2), channel: "c"), code: 400,
      containing: "batchId:2 is not exist", closes: true)
  }

  func testRequestErrorsUseCanalCodesAndMessages() throws {
    let core = try makeCore(ServerFixtures.transactions(1))
    let channel = "[id: 0x00000001, /127.0.0.1:5000 => /127.0.0.1:11111]"
    expectError(
      core.handle(ClientPackets.get(fetch: 1), channel: channel), code: 400,
      containing:
        "something goes wrong with channel: \(channel), exception: com.alibaba.otter.canal.server.exception.CanalServerException: ClientIdentity:ClientIdentity[destination=example,clientId=1001,filter=<null>] should subscribe first",
      closes: false)
    expectError(
      core.handle(ClientPackets.sub("nowhere"), channel: channel), code: 400,
      containing: "destination:nowhere should start first", closes: false)
    expectError(
      core.handle(ClientPackets.sub("example", ""), channel: channel), code: 401,
      containing: "destination or clientId is null. Sub: destination: \"example\"", closes: false)
    expectError(
      core.handle(ClientPackets.get("", "1001", fetch: 1), channel: channel), code: 401,
      containing: "destination or clientId is null. Get: ", closes: false)
    expectError(
      core.handle(ClientPackets.sub("example", "abc"), channel: channel), code: 400,
      containing: "java.lang.NumberFormatException: For input string: \"abc\"", closes: false)
    expectError(
      core.handle(ClientPackets.sub("example", "70000"), channel: channel), code: 400,
      containing: "Value out of range", closes: false)
    expectError(
      core.handle(ClientPackets.sub(filter: "a\\.(b"), channel: channel), code: 400,
      containing: "invalid filter regex", closes: false)
    var shutdown = CanalPacket()
    shutdown.type = .shutdown
    expectError(
      core.handle(shutdown, channel: channel), code: 400,
      containing: "packet type: SHUTDOWN is NOT supported!", closes: false)
    var garbage = CanalPacket()
    garbage.type = .get
    garbage.body = Data([0xFF, 0xFF, 0xFF])
    expectError(
      core.handle(garbage, channel: channel), code: 400,
      containing: "InvalidProtocolBufferException", closes: true)
    // Rollback before subscribing is what clients do on connect: silently ignored.
    guard case .none = core.handle(ClientPackets.rollback(0), channel: channel) else {
      return XCTFail()
    }
    expectError(
      core.handle(ClientPackets.rollback(0, "nowhere"), channel: channel), code: 400,
      containing: "destination:nowhere should start first", closes: true)
  }

  func testUnsubscribeForgetsTheCursor() throws {
    let entries = ServerFixtures.transactions(2)
    let core = try makeCore(entries)
    _ = core.handle(ClientPackets.sub(), channel: "t")
    _ = try get(core, fetch: 4)
    guard case .ack = core.handle(ClientPackets.unsub(), channel: "t") else { return XCTFail() }
    expectError(
      core.handle(ClientPackets.get(fetch: 1), channel: "t"), code: 400,
      containing: "should subscribe first", closes: false)
    _ = core.handle(ClientPackets.sub(), channel: "t")
    let (id, batch) = try get(core, fetch: 1)
    XCTAssertEqual(id, 1, "a new subscription starts over")
    XCTAssertEqual(batch, [entries[0].bytes])
  }

  func testEachClientIdentityReadsIndependently() throws {
    let entries = ServerFixtures.transactions(2)
    let core = try makeCore(entries)
    _ = core.handle(ClientPackets.sub("example", "1"), channel: "a")
    _ = core.handle(ClientPackets.sub("example", "2"), channel: "b")
    let (a1, batchA) = try get(core, fetch: 2, clientID: "1")
    let (b1, batchB) = try get(core, fetch: 5, clientID: "2")
    XCTAssertEqual(a1, 1)
    XCTAssertEqual(b1, 1)
    XCTAssertEqual(batchA, Array(entries.prefix(2)).map(\.bytes))
    XCTAssertEqual(batchB, Array(entries.prefix(5)).map(\.bytes))
  }

  func testMemSizeBatchIncludesTheEntryThatCrossesTheBudget() throws {
    // Each insert is > 1 KiB, BEGIN/END are small.
    let entries = ServerFixtures.transactions(4, padding: 1500)
    let core = try makeCore(entries) { $0.batchMode = .memSize }
    _ = core.handle(ClientPackets.sub(), channel: "t")
    let (_, batch) = try get(core, fetch: 1)
    // BEGIN (small, total ≤ 1024) then the insert (crosses 1024): 2 entries.
    XCTAssertEqual(batch, Array(entries.prefix(2)).map(\.bytes))
    let (_, next) = try get(core, fetch: 0)
    XCTAssertEqual(next, [entries[2].bytes], "fetch 0 still yields one entry")
  }

  func testUnackedLimitStopsDeliveryUntilAck() throws {
    let core = try makeCore(ServerFixtures.transactions(4)) { $0.maxUnackedEntries = 5 }
    _ = core.handle(ClientPackets.sub(), channel: "t")
    let (b1, first) = try get(core, fetch: 3)
    let (_, second) = try get(core, fetch: 3)
    XCTAssertEqual(first.count, 3)
    XCTAssertEqual(second.count, 2, "only 5 entries may be unacknowledged")
    XCTAssertEqual(try get(core, fetch: 3).0, -1)
    _ = core.handle(ClientPackets.ack(b1), channel: "t")
    XCTAssertEqual(try get(core, fetch: 3).1.count, 3)
  }

  func testUnackedBytesLimitStopsDeliveryUntilAck() throws {
    let entries = ServerFixtures.transactions(3, padding: 1500)
    let small = entries[0].bytes.count
    let large = entries[1].bytes.count
    let core = try makeCore(entries) { $0.maxUnackedBytes = 3 * small + large + 10 }
    _ = core.handle(ClientPackets.sub(), channel: "t")
    let (b1, first) = try get(core, fetch: 10)
    XCTAssertEqual(first, Array(entries[0..<4]).map(\.bytes), "BEGIN, INSERT, END, BEGIN fit")
    XCTAssertEqual(try get(core, fetch: 10).0, -1, "the next INSERT would cross the limit")
    _ = core.handle(ClientPackets.ack(b1), channel: "t")
    XCTAssertEqual(try get(core, fetch: 10).1.first, entries[4].bytes)
  }

  func testAutoAckNeedsNoClientAck() throws {
    let entries = ServerFixtures.transactions(2)
    let core = try makeCore(entries)
    _ = core.handle(ClientPackets.sub(), channel: "t")
    let (b1, first) = try get(core, fetch: 3, autoAck: true)
    XCTAssertEqual(core.cursor(destination: "example", clientID: 1001)?.outstandingBatchIDs, [])
    guard case .none = core.handle(ClientPackets.ack(b1), channel: "t") else {
      return XCTFail("ack of an auto-acked batch")
    }
    _ = core.handle(ClientPackets.rollback(0), channel: "t")
    let (_, second) = try get(core, fetch: 10)
    XCTAssertEqual(first + second, entries.map(\.bytes))
  }

  func testFilterDropsRowsAndEmptyTransactions() throws {
    // Transactions one second apart: after the first empty one, others within 5 s are dropped.
    var entries: [PositionedEntry] = []
    var offset: Int64 = 4
    for k in 0..<6 {
      let time = 1_700_000_000_000 + Int64(k) * 1000
      entries.append(ServerFixtures.begin(offset, time: time))
      entries.append(ServerFixtures.insert(offset + 100, "test", k == 3 ? "keep" : "drop"))
      entries.append(ServerFixtures.end(offset + 200, time: time))
      offset += 300
    }
    entries.append(
      ServerFixtures.ddl(offset, "test", "drop", sql: "alter table drop add c int", type: .alter))
    entries.append(
      ServerFixtures.ddl(
        offset + 100, "test", "keep", sql: "alter table keep add c int", type: .alter))
    entries.append(ServerFixtures.ddl(offset + 200, "", "", sql: "create user x", type: .query))
    entries.append(ServerFixtures.statementInsert(offset + 300, "test", "drop"))
    let core = try makeCore(entries)
    _ = core.handle(ClientPackets.sub(filter: "test\\.keep"), channel: "t")
    let (_, batch) = try get(core, fetch: 100)
    let expected = [
      entries[0], entries[2],  // first empty transaction passes (5 s since "never")
      entries[9], entries[10], entries[11],  // the kept transaction
      entries[19],  // DDL on test.keep
      entries[20],  // a query without a table is not filtered
      entries[21],  // statement DML is not filtered by name (Canal)
    ]
    let offsets = try batch.map { try CanalEntry(serializedBytes: $0).header.logfileOffset }
    XCTAssertEqual(offsets, expected.map { Int64($0.position.offset) })
    XCTAssertEqual(batch, expected.map(\.bytes))
  }

  func testKeepingEmptyTransactions() throws {
    let entries = [
      ServerFixtures.begin(4), ServerFixtures.insert(100, "a", "b"), ServerFixtures.end(200),
    ]
    let core = try makeCore(entries) { $0.suppressEmptyTransactions = false }
    _ = core.handle(ClientPackets.sub(filter: "x\\.y"), channel: "t")
    XCTAssertEqual(try get(core, fetch: 10).1, [entries[0].bytes, entries[2].bytes])
  }

  func testServerBlackFilter() throws {
    let entries = [
      ServerFixtures.insert(4, "mysql", "slave_master_info"), ServerFixtures.insert(100, "a", "b"),
    ]
    let core = try makeCore(entries) { $0.blackFilter = "mysql\\.slave_.*" }
    _ = core.handle(ClientPackets.sub(), channel: "t")
    XCTAssertEqual(try get(core, fetch: 10).1, [entries[1].bytes])
  }

  func testRequireFullWaitsOnGrowingSourceOnly() throws {
    let source = CanalEntryArraySource([ServerFixtures.begin(4)], finished: false)
    let destination = CanalDestination(name: "example") { source }
    var config = CanalServerConfiguration()
    config.batchMode = .itemSize
    config.suppressEmptyTransactions = false
    let core = try CanalServerCore(configuration: config, destinations: [destination])
    _ = core.handle(ClientPackets.sub(), channel: "t")
    guard case .notReady = core.handle(ClientPackets.get(fetch: 2), channel: "t", requireFull: true)
    else {
      return XCTFail("one entry of two is not a full batch")
    }
    source.append([ServerFixtures.insert(100, "a", "b")])
    let (id, batch) = try get(core, fetch: 2, requireFull: true)
    XCTAssertEqual(id, 1)
    XCTAssertEqual(batch.count, 2)
    source.append([ServerFixtures.end(200)])
    source.finish()
    let (_, rest) = try get(core, fetch: 2, requireFull: true)
    XCTAssertEqual(rest.count, 1, "a finished source answers with what is left")
  }

  func testSourceErrorIsReportedOnEveryGet() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "sluice-serve-\(UUID()).canal"
    ).path
    var bytes: [UInt8] = []
    EntryFraming.appendFrame(ServerFixtures.begin(4).bytes, to: &bytes)
    bytes += [0x05, 0x01]  // a frame that announces 5 bytes and has 1
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    var config = CanalServerConfiguration()
    config.suppressEmptyTransactions = false
    let core = try CanalServerCore(
      configuration: config,
      destinations: [CanalDestination(name: "example") { CanalEntryDumpSource(paths: [path]) }])
    _ = core.handle(ClientPackets.sub(), channel: "t")
    let (id, batch) = try get(core, fetch: 10)
    XCTAssertEqual(id, 1)
    XCTAssertEqual(
      batch, [ServerFixtures.begin(4).bytes], "entries before the broken frame are sent")
    for _ in 0..<2 {
      expectError(
        core.handle(ClientPackets.get(fetch: 10), channel: "t"), code: 400,
        containing: "offset \(1 + ServerFixtures.begin(4).bytes.count)", closes: false)
    }
  }

  func testDumpSourceReadsFilesInOrder() throws {
    let entries = ServerFixtures.transactions(3)
    let dir = FileManager.default.temporaryDirectory
    var paths: [String] = []
    for (k, part) in [Array(entries[0..<4]), Array(entries[4...])].enumerated() {
      let path = dir.appendingPathComponent("sluice-serve-\(UUID())-\(k).canal").path
      var bytes: [UInt8] = []
      for e in part { EntryFraming.appendFrame(e.bytes, to: &bytes) }
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      paths.append(path)
    }
    defer { for p in paths { try? FileManager.default.removeItem(atPath: p) } }
    let source = CanalEntryDumpSource(paths: paths)
    var got: [PositionedEntry] = []
    while true {
      let chunk = try source.next(max: 3)
      if chunk.isEmpty { break }
      got += chunk
    }
    XCTAssertTrue(source.isFinished)
    XCTAssertEqual(got, entries)
    XCTAssertEqual(got[1].position, BinlogPosition(file: "mysql-bin.000001", offset: 104))
    XCTAssertTrue(got[1].isRowsEvent)
    XCTAssertFalse(got.last!.isRowsEvent)
  }
}
