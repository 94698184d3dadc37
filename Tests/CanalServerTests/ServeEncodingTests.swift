import BinlogFormat
import BinlogSchema
import Foundation
import NIOCore
import SluiceTestSupport
import SwiftProtobuf
import XCTest

@testable import CanalProtocol
@testable import CanalServer

/// The server sends each Entry as the bytes the exporter's direct encoding writes: they must be
/// the bytes SwiftProtobuf gives for the same entry built from Column messages.
final class ServeEncodingTests: XCTestCase {
  /// Streams `paths` twice, once as the server does and once with Column messages; compares
  /// every entry's bytes with SwiftProtobuf's serialization of the other. Returns the number of
  /// entries compared.
  @discardableResult
  func assertServedBytesMatchSwiftProtobuf(
    _ paths: [String], replayDDL: Bool = false, file: StaticString = #filePath, line: UInt = #line
  ) throws -> (entries: Int, rowsEvents: Int) {
    // As `sluice serve` opens a destination: DDL replayed to name columns (and to size old
    // temporal values), from an empty timeline.
    func stream() throws -> CanalEntryStream {
      guard replayDDL else { return try CanalEntryStream(paths: paths, options: quietOptions(forClients: false)) }
      return try CanalBinlogEntrySource(
        paths: paths, options: quietOptions(forClients: false), readerOptions: ReaderOptions(), start: CanalStartPoint(),
        schema: SchemaTimeline()
      ).stream
    }
    let served = try stream()
    let reference = try stream()
    reference.mapper.encodeRowsDirectly = false
    var count = 0
    var rowsEvents = 0
    while true {
      let a = try served.nextEntries(max: 97)
      let b = try reference.nextEntries(max: 97)
      XCTAssertEqual(a.count, b.count, "\(paths[0]): batch sizes", file: file, line: line)
      if a.isEmpty || b.isEmpty { break }
      for (x, y) in zip(a, b) {
        let expected: [UInt8] = try y.mapped.entry().serializedBytes()
        if x.bytes != expected {
          XCTFail(
            "\(x.position): served Entry \(x.bytes.count) bytes, SwiftProtobuf \(expected.count) bytes",
            file: file, line: line)
          return (count, rowsEvents)
        }
        // The header facts the server filters and batches by, read without decoding.
        let fast = PositionedEntry(x)
        let decoded = try PositionedEntry(serialized: expected)
        XCTAssertEqual(fast, decoded, "\(x.position): entry facts", file: file, line: line)
        if case .encodedRowChange = x.mapped.store, fast.isRowsEvent { rowsEvents += 1 }
        count += 1
      }
    }
    return (count, rowsEvents)
  }

  func testServedEntryBytesMatchSwiftProtobufOnFixtures() throws {
    for set in [
      "mariadb-10.11", "mariadb-10.11-compressed", "mariadb-10.11-minimal", "mariadb-10.11-minimal-image",
      "mariadb-10.11-oldtemporal",
    ] {
      let paths = TestPaths.fixtureSet(set)
      guard !paths.isEmpty else { continue }
      let (entries, rows) = try assertServedBytesMatchSwiftProtobuf(paths, replayDDL: true)
      XCTAssertGreaterThan(entries, 50, set)
      XCTAssertGreaterThan(rows, 10, "\(set): rows events encoded directly")
    }
  }

  /// MySQL 5.x–8.x and MariaDB files of the shared corpus (JSON, partial images, compressed
  /// transactions, many column types).
  func testServedEntryBytesMatchSwiftProtobufOnCorpusFiles() throws {
    let paths = TestPaths.corpusManifestPaths().filter {
      !$0.hasSuffix(".zst") && !$0.hasSuffix(".gz") && !TestPaths.brokenCorpusFiles.contains($0)
    }.map { TestPaths.corpus + "/" + $0 }.filter { (1..<(4 << 20)).contains(TestPaths.size($0)) }
    guard !paths.isEmpty else { throw XCTSkip("no corpus") }
    var files = 0
    var rows = 0
    for p in paths {
      // A file the mapper refuses (damaged, unsupported) fails in both streams alike.
      guard (try? CanalEntryStream(paths: [p], options: quietOptions(forClients: false)).nextEntries(max: 1 << 30)) != nil
      else { continue }
      rows += try assertServedBytesMatchSwiftProtobuf([p]).rowsEvents
      files += 1
    }
    XCTAssertGreaterThan(files, 10)
    XCTAssertGreaterThan(rows, 200)
  }

  /// The Messages frame: a 4-byte length, then the packet the reference builder gives.
  func testMessagesFrameIsLengthThenPacket() throws {
    let entries = ServerFixtures.transactions(3, padding: 300).map(\.bytes)
    let frame = CanalServerPackets.messagesFrame(batchID: 1 << 40, entries: entries, allocator: ByteBufferAllocator())
    let bytes = Array(frame.readableBytesView)
    let length = bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
    XCTAssertEqual(length, bytes.count - 4)
    let packet = try CanalPacket(serializedBytes: Array(bytes.dropFirst(4)))
    var built = CanalMessages()
    built.batchID = 1 << 40
    built.messages = entries.map { Data($0) }
    XCTAssertEqual(packet.type, .messages)
    XCTAssertEqual(packet.body, try built.serializedBytes())
  }
}

/// A batch's reply is its frame's head, then each entry's `Messages` field from the entry's own
/// buffer (no copy into a reply buffer): together the bytes of the reference frame. The head is
/// written over the previous one's memory once that is released, never while it is held.
final class ServeFrameBufferTests: XCTestCase {
  func testBatchReplyIsTheHeadThenEachEntrysOwnField() throws {
    let core = try CanalServerCore(
      configuration: CanalServerConfiguration(),
      destinations: [ServerFixtures.destination("example", ServerFixtures.transactions(3))])
    guard case .ack = core.handle(ClientPackets.sub(), channel: "t") else { return XCTFail("SUB") }
    let cursor = try XCTUnwrap(core.cursor(destination: "example", clientID: 1001))
    let a = ServerFixtures.transactions(2, padding: 500)
    let b = ServerFixtures.transactions(1, padding: 50)
    func address(_ f: ByteBuffer) -> UnsafeRawPointer? { f.withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress) } }
    func reference(_ id: Int64, _ entries: [PositionedEntry]) -> [UInt8] {
      let frame = CanalServerPackets.messagesFrame(
        batchID: id, entries: entries.map(\.bytes), allocator: ByteBufferAllocator())
      return Array(frame.readableBytesView)
    }
    func written(_ head: ByteBuffer, _ entries: [PositionedEntry]) -> [UInt8] {
      entries.reduce(Array(head.readableBytesView)) { $0 + $1.field.readableBytesView }
    }

    let held = cursor.messagesHead(batchID: 1, fields: a.map(\.field))
    let heldBytes = Array(held.readableBytesView)
    XCTAssertEqual(written(held, a), reference(1, a))
    let second = cursor.messagesHead(batchID: 1 << 40, fields: b.map(\.field))
    XCTAssertEqual(Array(held.readableBytesView), heldBytes, "a held head is not written over")
    XCTAssertEqual(written(second, b), reference(1 << 40, b))
    let secondAddress = address(second)
    XCTAssertNotEqual(address(held), secondAddress)
    _ = consume second
    let third = cursor.messagesHead(batchID: 3, fields: b.map(\.field))
    XCTAssertEqual(address(third), secondAddress, "the released head's memory is reused")
    XCTAssertEqual(written(third, b), reference(3, b))

    // Through the core: the reply of a GET carries the entries' own buffers.
    guard case .batch(let head, let fields) = core.handle(ClientPackets.get(fetch: 100), channel: "t") else {
      return XCTFail("GET")
    }
    let served = ServerFixtures.transactions(3)
    XCTAssertEqual(fields, served.map(\.field))
    XCTAssertEqual(Array(head.readableBytesView) + fields.flatMap { Array($0.readableBytesView) }, reference(1, served))
  }
}

/// The cursor builds batches ahead of the GETs within `readAheadBytes`.
final class ServeReadAheadTests: XCTestCase {
  func core(_ paths: [String], readAhead: Int) throws -> CanalServerCore {
    var config = CanalServerConfiguration()
    config.batchMode = .memSize
    config.readAheadBytes = readAhead
    let options = quietOptions()
    let core = try CanalServerCore(
      configuration: config,
      destinations: [
        CanalDestination(name: "example") {
          try CanalBinlogEntrySource(paths: paths, options: options, readerOptions: ReaderOptions())
        }
      ])
    // Read-ahead runs inline after each reply: its effect is visible when `handle` returns.
    core.runInBackground = { $0() }
    return core
  }

  /// GETs of `fetch` KiB with ACKs until the empty batch; after each, `check(readyBytes)`.
  func drain(_ core: CanalServerCore, fetch: Int32, check: (Int) -> Void = { _ in }) throws -> [Data] {
    guard case .ack = core.handle(ClientPackets.sub(), channel: "t") else {
      XCTFail("SUB")
      return []
    }
    let cursor = try XCTUnwrap(core.cursor(destination: "example", clientID: 1001))
    check(cursor.readyByteCount)
    var served: [Data] = []
    while true {
      let reply = core.handle(ClientPackets.get(fetch: fetch), channel: "t")
      let bytes = try XCTUnwrap(reply.packetBytes, "GET answered \(reply)")
      let messages = try CanalMessages(serializedBytes: try CanalPacket(serializedBytes: bytes).body)
      if messages.batchID == -1 { break }
      served += messages.messages
      check(cursor.readyByteCount)
      _ = core.handle(ClientPackets.ack(messages.batchID), channel: "t")
    }
    return served
  }

  func testReadAheadStaysWithinItsBudgetAndServesTheSameEntries() throws {
    let paths = TestPaths.fixtureSet("mariadb-10.11")
    let reference = try drain(try core(paths, readAhead: 0), fetch: 4)
    XCTAssertGreaterThan(reference.count, 500)
    // One event gives one entry here: the ready entries may pass the budget by the last one.
    let largest = reference.map(\.count).max()!
    for budget in [1, 8 << 10, 64 << 10] {
      var peak = 0
      var checks = 0
      let served = try drain(try core(paths, readAhead: budget), fetch: 4) { ready in
        checks += 1
        peak = max(peak, ready)
        XCTAssertLessThanOrEqual(ready, budget + largest, "budget \(budget)")
      }
      XCTAssertEqual(served.count, reference.count, "budget \(budget)")
      XCTAssertTrue(served == reference, "budget \(budget): entries differ from building at GET time")
      XCTAssertGreaterThan(checks, 10)
      XCTAssertGreaterThanOrEqual(peak, budget, "budget \(budget): the cursor read ahead")
    }
  }

  /// Entries read together from a binlog share one buffer, and a batch reply writes the fields
  /// that lie side by side as one piece: far fewer pieces than entries, and the same entries as
  /// small batches built at GET time.
  func testBatchesOfABinlogGoOutInFewPieces() throws {
    let paths = TestPaths.fixtureSet("mariadb-10.11")
    let reference = try drain(try core(paths, readAhead: 0), fetch: 1)
    let core = try core(paths, readAhead: 64 << 10)
    guard case .ack = core.handle(ClientPackets.sub(), channel: "t") else { return XCTFail("SUB") }
    var served: [Data] = []
    var pieces = 0
    var batches = 0
    while case .batch(let head, let fields) = core.handle(ClientPackets.get(fetch: 16), channel: "t") {
      batches += 1
      let body = Array(head.readableBytesView.dropFirst(4)) + fields.flatMap { $0.readableBytesView }
      XCTAssertEqual(Int(head.getInteger(at: 0, as: Int32.self)!), body.count, "the frame's length")
      let packet = try CanalPacket(serializedBytes: body)
      let messages = try CanalMessages(serializedBytes: packet.body)
      served += messages.messages
      pieces += fields.count
      _ = core.handle(ClientPackets.ack(messages.batchID), channel: "t")
    }
    XCTAssertGreaterThan(served.count, 500)
    XCTAssertTrue(served == reference, "entries differ from single-entry batches built at GET time")
    XCTAssertLessThan(pieces * 4, served.count, "\(pieces) pieces for \(served.count) entries, \(batches) batches")
  }

  /// A source that fails while reading ahead: the entries before the failure are still sent,
  /// then every GET answers the error (as when the GET itself reads).
  func testSourceErrorMetWhileReadingAheadAnswersTheGetsAfterTheEntries() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-serve-\(UUID()).canal").path
    var bytes: [UInt8] = []
    let entries = ServerFixtures.transactions(3)
    for e in entries { EntryFraming.appendFrame(e.bytes, to: &bytes) }
    bytes += [0x05, 0x01]  // a frame that announces 5 bytes and has 1
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    var config = CanalServerConfiguration()
    config.batchMode = .itemSize
    config.suppressEmptyTransactions = false
    config.readAheadBytes = 1 << 20
    let core = try CanalServerCore(
      configuration: config, destinations: [CanalDestination(name: "example") { CanalEntryDumpSource(paths: [path]) }])
    core.runInBackground = { $0() }
    guard case .ack = core.handle(ClientPackets.sub(), channel: "t") else { return XCTFail("SUB") }
    let cursor = try XCTUnwrap(core.cursor(destination: "example", clientID: 1001))
    XCTAssertEqual(cursor.readyByteCount, entries.map(\.bytes.count).reduce(0, +), "all read ahead up to the broken frame")
    var served: [Data] = []
    for _ in 0..<2 {
      let reply = try XCTUnwrap(core.getIfBuilt(ClientPackets.get(fetch: 5), channel: "t", requireFull: false))
      let messages = try CanalMessages(serializedBytes: try CanalPacket(serializedBytes: try XCTUnwrap(reply.packetBytes)).body)
      served += messages.messages
      _ = core.handle(ClientPackets.ack(messages.batchID), channel: "t")
    }
    XCTAssertEqual(served, entries.map { Data($0.bytes) })
    for _ in 0..<2 {
      guard case .error(let e) = core.handle(ClientPackets.get(fetch: 5), channel: "t") else { return XCTFail("no error") }
      XCTAssertEqual(e.code, 400)
      XCTAssertTrue(e.message.contains("offset \(bytes.count - 2)"), e.message)
      XCTAssertFalse(e.closesConnection)
    }
  }

  /// A batch already built is sent without touching the source: a GET then never waits for
  /// the read-ahead's source lock. Checked by the source's read count.
  func testBatchBuiltAheadIsServedWithoutReadingTheSource() throws {
    let entries = ServerFixtures.transactions(200, padding: 100)
    let source = CountingSource(entries)
    var config = CanalServerConfiguration()
    config.batchMode = .itemSize
    config.readAheadBytes = 1 << 20
    let core = try CanalServerCore(
      configuration: config, destinations: [CanalDestination(name: "example") { source }])
    core.runInBackground = { $0() }
    guard case .ack = core.handle(ClientPackets.sub(), channel: "t") else { return XCTFail("SUB") }
    let readsAfterSubscribe = source.reads
    XCTAssertGreaterThan(readsAfterSubscribe, 0, "subscribing starts the read-ahead")
    XCTAssertTrue(source.isFinished, "1 MiB holds all \(entries.count) entries")
    let reply = core.handle(ClientPackets.get(fetch: 10), channel: "t")
    let bytes = try XCTUnwrap(reply.packetBytes)
    let messages = try CanalMessages(serializedBytes: try CanalPacket(serializedBytes: bytes).body)
    XCTAssertEqual(messages.messages, entries.prefix(10).map { Data($0.bytes) })
    XCTAssertEqual(source.reads, readsAfterSubscribe, "the GET did not read the source")
    // The network thread's path: answered from the entries built ahead, or not at all.
    let built = try XCTUnwrap(core.getIfBuilt(ClientPackets.get(fetch: 10), channel: "t", requireFull: false))
    let next = try CanalMessages(serializedBytes: try CanalPacket(serializedBytes: try XCTUnwrap(built.packetBytes)).body)
    XCTAssertEqual(next.messages, entries[10..<20].map { Data($0.bytes) })
    XCTAssertEqual(source.reads, readsAfterSubscribe)
  }

  /// Without read-ahead nothing is built before a GET: the network thread leaves it to a worker.
  func testGetIsLeftToAWorkerWhenNothingIsBuilt() throws {
    let entries = ServerFixtures.transactions(20)
    var config = CanalServerConfiguration()
    config.batchMode = .itemSize
    config.readAheadBytes = 0
    let core = try CanalServerCore(
      configuration: config, destinations: [ServerFixtures.destination("example", entries)])
    core.runInBackground = { $0() }
    guard case .ack = core.handle(ClientPackets.sub(), channel: "t") else { return XCTFail("SUB") }
    XCTAssertNil(core.getIfBuilt(ClientPackets.get(fetch: 5), channel: "t", requireFull: false))
    XCTAssertNil(core.getIfBuilt(ClientPackets.get("example", "7", fetch: 5), channel: "t", requireFull: false), "no cursor")
    let reply = core.handle(ClientPackets.get(fetch: 5), channel: "t")
    let messages = try CanalMessages(serializedBytes: try CanalPacket(serializedBytes: try XCTUnwrap(reply.packetBytes)).body)
    XCTAssertEqual(messages.messages, entries.prefix(5).map { Data($0.bytes) })
  }
}

/// ACKs of live cursors are answered on the network thread; anything else is left to a worker.
final class ServeInlineAckTests: XCTestCase {
  func testAckOfALiveCursorIsAnsweredInline() throws {
    let entries = ServerFixtures.transactions(4)
    var config = CanalServerConfiguration()
    config.batchMode = .itemSize
    let core = try CanalServerCore(configuration: config, destinations: [ServerFixtures.destination("example", entries)])
    XCTAssertNil(core.acknowledgeIfLive(ClientPackets.ack(1), channel: "t"), "no cursor yet")
    guard case .ack = core.handle(ClientPackets.sub(), channel: "t") else { return XCTFail("SUB") }
    _ = core.handle(ClientPackets.get(fetch: 3), channel: "t")
    _ = core.handle(ClientPackets.get(fetch: 3), channel: "t")
    let cursor = try XCTUnwrap(core.cursor(destination: "example", clientID: 1001))
    XCTAssertEqual(cursor.outstandingBatchIDs, [1, 2])
    XCTAssertNil(core.acknowledgeIfLive(ClientPackets.get(fetch: 3), channel: "t"), "not an ACK")
    guard case .some(.none) = core.acknowledgeIfLive(ClientPackets.ack(1), channel: "t") else { return XCTFail("ACK 1") }
    XCTAssertEqual(cursor.outstandingBatchIDs, [2])
    // Errors are the same as through `handle`: an unknown batch closes the connection.
    guard case .some(.error(let e)) = core.acknowledgeIfLive(ClientPackets.ack(9), channel: "t") else {
      return XCTFail("ACK 9")
    }
    XCTAssertTrue(e.closesConnection)
    XCTAssertTrue(e.message.contains("batchId:9 is not exist"), e.message)
  }
}

/// An array source that counts its reads.
final class CountingSource: CanalEntrySource, @unchecked Sendable {
  let base: CanalEntryArraySource
  private(set) var reads = 0

  init(_ entries: [PositionedEntry]) {
    base = CanalEntryArraySource(entries)
  }

  func next(max: Int) throws -> [PositionedEntry] {
    reads += 1
    return try base.next(max: max)
  }

  var isFinished: Bool { base.isFinished }
}
