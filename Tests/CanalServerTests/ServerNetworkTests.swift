import Dispatch
import Foundation
import NIOCore
import SluiceTestSupport
import SwiftProtobuf
import XCTest

@testable import CanalProtocol
@testable import CanalServer

#if canImport(Glibc)
  import Glibc
#endif

/// A minimal blocking Canal client over a loopback socket, speaking the protocol the way the
/// Java client does. Every read gives up after `timeout` seconds.
final class CanalTestClient {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  let fd: Int32
  private(set) var seed: [UInt8] = []

  init(port: Int, timeout: Double = 10) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
    var tv = timeval(
      tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    // Request/response with small frames: without this, Nagle's algorithm and delayed ACKs add
    // 40 ms to every GET that follows a CLIENTACK.
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard rc == 0 else {
      Glibc.close(fd)
      throw Failure(description: "connect: errno \(errno)")
    }
  }

  deinit { Glibc.close(fd) }

  func close() { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

  func sendRaw(_ bytes: [UInt8]) throws {
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
      sent += n
    }
  }

  func send(_ packet: CanalPacket) throws {
    let body: [UInt8] = try packet.serializedBytes()
    var frame: [UInt8] = []
    withUnsafeBytes(of: Int32(body.count).bigEndian) { frame += $0 }
    try sendRaw(frame + body)
  }

  /// Exactly `count` bytes, or nil at end of stream.
  func readExactly(_ count: Int) throws -> [UInt8]? {
    var out = [UInt8](repeating: 0, count: count)
    var got = 0
    while got < count {
      let n = out[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n == 0 { return got == 0 ? nil : out[..<got].map { $0 } }
      if n < 0 {
        if errno == ECONNRESET { return nil }
        throw Failure(description: "recv: errno \(errno) (timeout?) after \(got) of \(count) bytes")
      }
      got += n
    }
    return out
  }

  /// The next frame's bytes (without the length), or nil at end of stream.
  func readFrame() throws -> [UInt8]? {
    guard let header = try readExactly(4), header.count == 4 else { return nil }
    let length = Int(Int32(bigEndian: header.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
    guard let body = try readExactly(length), body.count == length else {
      throw Failure(description: "stream ends inside a frame of \(length) bytes")
    }
    return body
  }

  func readPacket() throws -> CanalPacket {
    guard let frame = try readFrame() else {
      throw Failure(description: "connection closed by the server")
    }
    return try CanalPacket(serializedBytes: frame)
  }

  /// True when the server closes the connection (without sending anything more).
  func isClosedByServer() throws -> Bool {
    try readExactly(1) == nil
  }

  func readHandshake() throws {
    let packet = try readPacket()
    guard packet.type == .handshake, packet.version == 1 else {
      throw Failure(description: "expected a handshake, got \(packet)")
    }
    seed = [UInt8](try CanalHandshake(serializedBytes: packet.body).seeds)
  }

  /// Sends ClientAuth (password scrambled with the seed unless `raw`) and returns the Ack.
  func authenticate(
    user: String = "", password: String? = nil,
    configure: (inout CanalClientAuth) -> Void = { _ in }
  )
    throws -> CanalAck
  {
    var auth = CanalClientAuth()
    auth.username = user
    if let password {
      auth.password = Data(CanalScramble.clientToken(password: password, seed: seed).utf8)
    }
    configure(&auth)
    try send(ClientPackets.packet(.clientauthentication, auth))
    return try readAck()
  }

  func readAck() throws -> CanalAck {
    let packet = try readPacket()
    guard packet.type == .ack else {
      throw Failure(description: "expected an ACK packet, got \(packet.type)")
    }
    return try CanalAck(serializedBytes: packet.body)
  }

  /// Connect, handshake and authenticate without credentials.
  static func connected(port: Int, timeout: Double = 10) throws -> CanalTestClient {
    let client = try CanalTestClient(port: port, timeout: timeout)
    try client.readHandshake()
    let ack = try client.authenticate()
    guard ack.errorCode == 0 else { throw Failure(description: "auth: \(ack.errorMessage)") }
    return client
  }

  /// Rollback(0) then SUB, as canal-python's subscribe() does.
  func subscribe(
    _ destination: String = "example", _ clientID: String = "1001", filter: String = ""
  ) throws -> CanalAck {
    try send(ClientPackets.rollback(0, destination, clientID))
    try send(ClientPackets.sub(destination, clientID, filter: filter))
    return try readAck()
  }

  enum GetReply: Equatable {
    case batch(Int64, [Data])
    case error(Int32, String)
  }

  func get(
    _ destination: String = "example", _ clientID: String = "1001", fetch: Int32,
    timeout: Int64 = -1, unit: Int32 = -1
  ) throws -> GetReply {
    try send(ClientPackets.get(destination, clientID, fetch: fetch, timeout: timeout, unit: unit))
    let packet = try readPacket()
    switch packet.type {
    case .messages:
      let m = try CanalMessages(serializedBytes: packet.body)
      return .batch(m.batchID, m.messages)
    case .ack:
      let a = try CanalAck(serializedBytes: packet.body)
      return .error(a.errorCode, a.errorMessage)
    default:
      throw Failure(description: "unexpected reply \(packet.type)")
    }
  }

  func ack(_ batch: Int64, _ destination: String = "example", _ clientID: String = "1001") throws {
    try send(ClientPackets.ack(batch, destination, clientID))
  }

  func rollback(_ batch: Int64, _ destination: String = "example", _ clientID: String = "1001")
    throws
  {
    try send(ClientPackets.rollback(batch, destination, clientID))
  }

  /// GET + ACK until the empty batch; returns every entry.
  func consumeAll(_ destination: String = "example", _ clientID: String = "1001", fetch: Int32 = 5)
    throws -> [Data]
  {
    var out: [Data] = []
    for _ in 0..<10_000 {
      switch try get(destination, clientID, fetch: fetch) {
      case .batch(-1, let entries):
        guard entries.isEmpty else { throw Failure(description: "entries in an empty batch") }
        return out
      case .batch(let id, let entries):
        out += entries
        try ack(id, destination, clientID)
      case .error(let code, let message):
        throw Failure(description: "GET error \(code): \(message)")
      }
    }
    throw Failure(description: "no end of data")
  }
}

final class ServerNetworkTests: XCTestCase {
  /// Starts a server on 127.0.0.1 and an ephemeral port; it is shut down after the test.
  func startServer(
    _ destinations: [CanalDestination],
    configure: (inout CanalServerConfiguration) -> Void = { _ in }
  ) throws -> (CanalServer, Int) {
    var config = CanalServerConfiguration()
    config.host = "127.0.0.1"
    config.port = 0
    config.batchMode = .itemSize
    configure(&config)
    let server = try CanalServer(configuration: config, destinations: destinations)
    let address = try server.start()
    addTeardownBlock { try? server.shutdown() }
    return (server, address.port!)
  }

  func testHandshakeIsTheJavaServersBytesWithAFreshSeed() throws {
    let (_, port) = try startServer([ServerFixtures.destination("example", [])])
    var seeds: Set<[UInt8]> = []
    for _ in 0..<2 {
      let client = try CanalTestClient(port: port)
      let frame = try XCTUnwrap(try client.readExactly(4 + 16))
      XCTAssertEqual(
        Array(frame.prefix(12)), [0, 0, 0, 0x10, 0x10, 0x01, 0x18, 0x01, 0x2A, 0x0A, 0x12, 0x08])
      seeds.insert(Array(frame.suffix(8)))
    }
    XCTAssertEqual(seeds.count, 2, "each connection gets its own seed")
  }

  func testOpenServerServesEverythingAndEndsWithMinusOne() throws {
    let entries = ServerFixtures.transactions(5)
    let (_, port) = try startServer([ServerFixtures.destination("example", entries)])
    let client = try CanalTestClient(port: port)
    try client.readHandshake()
    // canal-python with empty credentials sends a Packet with just the type: `18 02`.
    try client.sendRaw([0, 0, 0, 2, 0x18, 0x02])
    XCTAssertEqual(try client.readFrame(), [0x10, 0x01, 0x18, 0x03], "empty ACK")
    XCTAssertEqual(try client.subscribe().errorCode, 0)
    XCTAssertEqual(try client.consumeAll(fetch: 4), entries.map { Data($0.bytes) })
    // The empty batch, byte for byte.
    try client.send(ClientPackets.get(fetch: 4))
    XCTAssertEqual(
      try client.readFrame(),
      [0x10, 0x01, 0x18, 0x07, 0x2A, 0x0B, 0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    // Acknowledging the empty batch (canal-go, Java get()) is a silent no-op.
    try client.ack(-1)
    XCTAssertEqual(try client.get(fetch: 1), .batch(-1, []))
  }

  func testPasswordAuthentication() throws {
    let (_, port) = try startServer([
      ServerFixtures.destination("example", ServerFixtures.transactions(1))
    ]) {
      $0.credentials = CanalServerCredentials(user: "canal", password: "secret")
    }
    let good = try CanalTestClient(port: port)
    try good.readHandshake()
    XCTAssertEqual(try good.authenticate(user: "canal", password: "secret").errorCode, 0)
    XCTAssertEqual(try good.subscribe().errorCode, 0)

    for (user, password) in [("canal", "wrong"), ("root", "secret"), ("canal", "")] {
      let bad = try CanalTestClient(port: port)
      try bad.readHandshake()
      let ack = try bad.authenticate(user: user, password: password.isEmpty ? nil : password)
      XCTAssertEqual(ack.errorCode, 400)
      XCTAssertEqual(ack.errorMessage, "auth failed for user:\(user)")
      XCTAssertTrue(try bad.isClosedByServer(), "a failed authentication ends the connection")
    }
    // canal-python sends the password in clear: refused when a password is configured.
    let clear = try CanalTestClient(port: port)
    try clear.readHandshake()
    XCTAssertEqual(
      try clear.authenticate(user: "canal") { $0.password = Data("secret".utf8) }.errorCode, 400)

    XCTAssertEqual(try good.consumeAll().count, 4, "the good client is unaffected")
  }

  func testAuthenticationCanCarryTheSubscription() throws {
    let entries = ServerFixtures.transactions(1)
    let (_, port) = try startServer([ServerFixtures.destination("example", entries)])
    let client = try CanalTestClient(port: port)
    try client.readHandshake()
    let ack = try client.authenticate {
      $0.destination = "example"
      $0.clientID = "7"
    }
    XCTAssertEqual(ack.errorCode, 0)
    XCTAssertEqual(try client.consumeAll("example", "7"), entries.map { Data($0.bytes) })
  }

  func testClientVanishingMidBatchGetsItAgainAfterRollback() throws {
    let entries = ServerFixtures.transactions(4)
    let (_, port) = try startServer([ServerFixtures.destination("example", entries)])
    let first = try CanalTestClient.connected(port: port)
    XCTAssertEqual(try first.subscribe().errorCode, 0)
    guard case .batch(let b1, let batch1) = try first.get(fetch: 3) else { return XCTFail() }
    try first.ack(b1)
    guard case .batch(let b2, let batch2) = try first.get(fetch: 3) else { return XCTFail() }
    XCTAssertEqual([b1, b2], [1, 2])
    first.close()  // gone without acknowledging batch 2

    let second = try CanalTestClient.connected(port: port)
    XCTAssertEqual(
      try second.subscribe().errorCode, 0, "subscribe() rolls back first, as clients do")
    guard case .batch(let b3, let again) = try second.get(fetch: 3) else { return XCTFail() }
    XCTAssertEqual(b3, 3)
    XCTAssertEqual(again, batch2)
    try second.ack(b3)
    XCTAssertEqual(batch1 + again + (try second.consumeAll()), entries.map { Data($0.bytes) })
  }

  func testRollbackOfOneBatchAndOfAll() throws {
    let entries = ServerFixtures.transactions(4)
    let (_, port) = try startServer([ServerFixtures.destination("example", entries)])
    let client = try CanalTestClient.connected(port: port)
    _ = try client.subscribe()
    guard case .batch(let b1, let x) = try client.get(fetch: 2) else { return XCTFail() }
    try client.rollback(b1)
    guard case .batch(let b2, let y) = try client.get(fetch: 2) else { return XCTFail() }
    XCTAssertEqual(b2, 2)
    XCTAssertEqual(y, x)
    guard case .batch(_, let z) = try client.get(fetch: 2) else { return XCTFail() }
    try client.rollback(0)
    guard case .batch(_, let w) = try client.get(fetch: 4) else { return XCTFail() }
    XCTAssertEqual(w, y + z)
  }

  func testAckOfUnknownBatchClosesOnlyThatConnection() throws {
    let entries = ServerFixtures.transactions(3)
    let (_, port) = try startServer([ServerFixtures.destination("example", entries)])
    let other = try CanalTestClient.connected(port: port)
    _ = try other.subscribe("example", "2")
    guard case .batch(let id, _) = try other.get("example", "2", fetch: 2) else { return XCTFail() }

    let bad = try CanalTestClient.connected(port: port)
    _ = try bad.subscribe()
    try bad.ack(99)
    let ack = try bad.readAck()
    XCTAssertEqual(ack.errorCode, 400)
    XCTAssertTrue(
      ack.errorMessage.contains("ack error , clientId:1001 batchId:99 is not exist , please check"),
      ack.errorMessage)
    XCTAssertTrue(
      ack.errorMessage.hasPrefix("something goes wrong with channel: [id: 0x"), ack.errorMessage)
    XCTAssertTrue(try bad.isClosedByServer())

    try other.ack(id, "example", "2")
    XCTAssertEqual(try other.consumeAll("example", "2").count, entries.count - 2)
  }

  func testGarbageAndOversizedFramesAreAnsweredAndClosed() throws {
    let (_, port) = try startServer([
      ServerFixtures.destination("example", ServerFixtures.transactions(2))
    ]) {
      $0.maxFrameLength = 1 << 20
    }
    let healthy = try CanalTestClient.connected(port: port)
    _ = try healthy.subscribe()

    // An HTTP request: its first four bytes read as a 1.2 GB length.
    let http = try CanalTestClient(port: port)
    try http.readHandshake()
    try http.sendRaw(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    let refusal = try http.readAck()
    XCTAssertEqual(refusal.errorCode, 400)
    XCTAssertEqual(refusal.errorMessage, "frame length 1195725856 is outside 0...1048576")
    XCTAssertTrue(try http.isClosedByServer())

    // A length just over the limit, and a negative one, after authentication.
    for length in [Int32(1 << 20) + 1, -5] {
      let big = try CanalTestClient.connected(port: port)
      var header: [UInt8] = []
      withUnsafeBytes(of: length.bigEndian) { header += $0 }
      try big.sendRaw(header + [1, 2, 3])
      XCTAssertEqual(try big.readAck().errorCode, 400)
      XCTAssertTrue(try big.isClosedByServer())
    }

    // A well-framed body that is not a Packet.
    let junk = try CanalTestClient.connected(port: port)
    try junk.sendRaw([0, 0, 0, 3, 0xFF, 0xFF, 0xFF])
    let junkAck = try junk.readAck()
    XCTAssertEqual(junkAck.errorCode, 400)
    XCTAssertTrue(
      junkAck.errorMessage.contains("InvalidProtocolBufferException"), junkAck.errorMessage)
    XCTAssertTrue(try junk.isClosedByServer())

    // Something other than ClientAuth first.
    let early = try CanalTestClient(port: port)
    try early.readHandshake()
    try early.send(ClientPackets.get(fetch: 1))
    XCTAssertEqual(try early.readAck().errorMessage, "packet type: GET is NOT supported!")
    XCTAssertTrue(try early.isClosedByServer())

    XCTAssertEqual(try healthy.consumeAll().count, 7, "others are still served")
  }

  func testErrorsThatKeepTheConnection() throws {
    let (_, port) = try startServer([
      ServerFixtures.destination("example", ServerFixtures.transactions(1))
    ])
    let client = try CanalTestClient.connected(port: port)
    var shutdown = CanalPacket()
    shutdown.type = .shutdown
    try client.send(shutdown)
    XCTAssertEqual(try client.readAck().errorMessage, "packet type: SHUTDOWN is NOT supported!")
    try client.send(ClientPackets.sub("nowhere"))
    let unknown = try client.readAck()
    XCTAssertEqual(unknown.errorCode, 400)
    XCTAssertTrue(
      unknown.errorMessage.hasSuffix("destination:nowhere should start first"), unknown.errorMessage
    )
    guard case .error(let code, let message) = try client.get("", fetch: 1) else {
      return XCTFail()
    }
    XCTAssertEqual(code, 401)
    XCTAssertTrue(
      message.hasPrefix("destination or clientId is null. Get: client_id: \"1001\""), message)
    guard case .error(400, let notSubscribed) = try client.get(fetch: 1) else { return XCTFail() }
    XCTAssertTrue(notSubscribed.contains("should subscribe first"), notSubscribed)
    XCTAssertEqual(try client.subscribe().errorCode, 0, "the connection is still usable")
    XCTAssertEqual(try client.consumeAll().count, 4)

    // A rollback is not answered, so an error to it (here: unknown destination) is written and
    // the connection closed; canal-python then reads that error as the answer to its SUB.
    let python = try CanalTestClient.connected(port: port)
    let refused = try python.subscribe("nowhere")
    XCTAssertEqual(refused.errorCode, 400)
    XCTAssertTrue(
      refused.errorMessage.hasSuffix("destination:nowhere should start first"), refused.errorMessage
    )
    XCTAssertTrue(try python.isClosedByServer())
  }

  func testConcurrentClientsOnSeveralDestinations() throws {
    let a = ServerFixtures.transactions(40)
    let b = ServerFixtures.transactions(25, padding: 300)
    let (_, port) = try startServer([
      ServerFixtures.destination("a", a), ServerFixtures.destination("b", b),
    ]) {
      $0.eventLoopThreads = 2
    }
    let clients = 12
    let results = LockedResults(count: clients)
    DispatchQueue.concurrentPerform(iterations: clients) { k in
      let destination = k % 2 == 0 ? "a" : "b"
      do {
        let client = try CanalTestClient.connected(port: port)
        _ = try client.subscribe(destination, String(100 + k))
        results.set(
          k, .success(try client.consumeAll(destination, String(100 + k), fetch: Int32(1 + k % 5))))
      } catch {
        results.set(k, .failure(error))
      }
    }
    for k in 0..<clients {
      let expected = (k % 2 == 0 ? a : b).map { Data($0.bytes) }
      switch results.get(k) {
      case .success(let got): XCTAssertEqual(got, expected, "client \(k)")
      case .failure(let error): XCTFail("client \(k): \(error)")
      case nil: XCTFail("client \(k): no result")
      }
    }
  }

  func testGetTimeoutWaitsForAFullBatchOnAGrowingSource() throws {
    let source = CanalEntryArraySource([ServerFixtures.insert(4, "a", "b")], finished: false)
    let (_, port) = try startServer([CanalDestination(name: "live") { source }]) {
      $0.pollInterval = .milliseconds(20)
    }
    let client = try CanalTestClient.connected(port: port)
    _ = try client.subscribe("live")

    // 300 ms for 3 entries: only one exists, so the reply comes at the deadline with one.
    var start = DispatchTime.now()
    guard case .batch(_, let partial) = try client.get("live", fetch: 3, timeout: 300, unit: 2)
    else { return XCTFail() }
    var elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    XCTAssertEqual(partial.count, 1)
    XCTAssertGreaterThanOrEqual(elapsed, 0.25)
    XCTAssertLessThan(elapsed, 5)

    // -1: at once, with nothing.
    XCTAssertEqual(try client.get("live", fetch: 3), .batch(-1, []))

    // Entries arriving while the GET waits complete the batch before the 10 s limit.
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
      source.append((0..<3).map { ServerFixtures.insert(100 + Int64($0) * 100, "a", "b") })
    }
    start = DispatchTime.now()
    guard case .batch(_, let full) = try client.get("live", fetch: 3, timeout: 10, unit: 3) else {
      return XCTFail()
    }
    elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    XCTAssertEqual(full.count, 3)
    XCTAssertLessThan(elapsed, 5)

    // timeout 0 waits without limit, until the source finishes.
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { source.finish() }
    XCTAssertEqual(try client.get("live", fetch: 3, timeout: 0), .batch(-1, []))
  }

  func testIdleAndAuthenticationTimeoutsClose() throws {
    let (_, port) = try startServer([ServerFixtures.destination("example", [])]) {
      $0.authTimeout = .milliseconds(200)
    }
    let silent = try CanalTestClient(port: port, timeout: 5)
    try silent.readHandshake()
    XCTAssertTrue(try silent.isClosedByServer(), "no ClientAuth within the limit")

    let idle = try CanalTestClient(port: port, timeout: 5)
    try idle.readHandshake()
    XCTAssertEqual(try idle.authenticate { $0.netReadTimeout = 200 }.errorCode, 0)
    XCTAssertTrue(try idle.isClosedByServer(), "net_read_timeout (ms) is honoured")
  }

  func testShutdownClosesConnections() throws {
    let (server, port) = try startServer([ServerFixtures.destination("example", [])])
    let client = try CanalTestClient.connected(port: port, timeout: 5)
    server.close()
    XCTAssertTrue(try client.isClosedByServer())
    try server.waitUntilClosed()
    XCTAssertThrowsError(try CanalTestClient(port: port, timeout: 1), "nothing listens any more")
  }
}

/// Results written by concurrent clients.
final class LockedResults: @unchecked Sendable {
  private let lock = NSLock()
  private var values: [Int: Result<[Data], any Error>] = [:]
  init(count: Int) {}
  func set(_ k: Int, _ value: Result<[Data], any Error>) {
    lock.lock()
    values[k] = value
    lock.unlock()
  }
  func get(_ k: Int) -> Result<[Data], any Error>? {
    lock.lock()
    defer { lock.unlock() }
    return values[k]
  }
}
