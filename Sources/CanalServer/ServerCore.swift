import BinlogFormat
import BinlogIO
import CanalProtocol
import NIOCore
import SwiftProtobuf

/// The Canal server's request handling, independent of sockets: authentication, subscriptions and
/// the GET/ACK/ROLLBACK cycle per client identity (canal-protocol.md §3.3–§3.6).
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Settings of a Canal server. The defaults are Canal's.
public struct CanalServerConfiguration: Sendable {
  /// Address to listen on. Loopback unless asked otherwise.
  public var host = "127.0.0.1"
  /// TCP port; 0 picks a free one (see `CanalServer.localAddress`).
  public var port = 11111
  public var credentials = CanalServerCredentials.open
  /// The destination's table filter (`canal.instance.filter.regex`); a subscription with a
  /// non-empty `filter` replaces it for that client.
  public var filter = CanalTableFilter.matchAllPattern
  /// Tables never sent (`canal.instance.filter.black.regex`); empty for none.
  public var blackFilter = ""
  public var batchMode = CanalBatchMode.memSize
  /// Bytes per `fetch_size` unit in MEMSIZE mode (`canal.instance.memory.buffer.memunit`).
  public var memUnit = 1024
  /// Entries a client may hold unacknowledged (`canal.instance.memory.buffer.size`); further GETs
  /// answer an empty batch until it acknowledges.
  public var maxUnackedEntries = 16384
  /// Serialized bytes a client may hold unacknowledged (buffer size × memunit).
  public var maxUnackedBytes = 16 << 20
  /// Drop transactions left without rows (by the filter) except one every 5 s of binlog time,
  /// as Canal's sink does.
  public var suppressEmptyTransactions = true
  /// Longest frame a client may send; a longer one closes its connection.
  public var maxFrameLength = 16 << 20
  /// Time a new connection has to authenticate.
  public var authTimeout: TimeAmount = .seconds(60)
  /// Idle limit after authentication when the client gives no net_read/net_write_timeout.
  public var idleTimeout: TimeAmount = .milliseconds(3_600_000)
  /// How often a GET waiting for a full batch polls a growing source.
  public var pollInterval: TimeAmount = .milliseconds(100)
  /// A client identity's cursor (its open source, read-ahead and unacknowledged batches) is
  /// released this long after the last connection that used it closed; its acknowledged
  /// position is kept, and a later subscription resumes there (as after a rollback).
  public var releaseCursorsAfter: Duration = .seconds(60)
  /// Cursors held at once: a subscription beyond it first releases the closed ones (oldest
  /// first), and is refused when every cursor has a live connection.
  public var maxCursors = 256
  /// Released cursors' positions kept (a few dozen bytes each); the oldest are forgotten beyond.
  public var maxParkedPositions = 100_000
  /// Bytes of entries each client identity's cursor builds ahead of its GETs, on a worker
  /// thread while the client decodes the batch it has (0: build a batch only when a GET asks).
  /// The cursor's ready entries stay within this plus one event's entries (binlog inputs; an
  /// Entry dump is read in chunks sized by its average entry); rolled-back entries come on top.
  public var readAheadBytes = 4 << 20
  /// Event-loop threads (network) and worker threads (reading sources).
  public var eventLoopThreads = 1
  public var workerThreads = 2
  /// Receives one line per notable event (connections, errors); nil for silence.
  public var log: (@Sendable (String) -> Void)?

  public init() {}
}

/// One request's reply.
enum CanalReply {
  /// An empty ACK packet.
  case ack
  /// A packet, already encoded.
  case packet([UInt8])
  /// A batch of entries: the frame's head (the 4-byte length included) and the entries'
  /// `Messages` fields, written one after the other as they are (one gathering write).
  case batch(head: ByteBuffer, fields: [ByteBuffer])
  case error(CanalServerError)
  /// Nothing is written (a successful CLIENTACK/CLIENTROLLBACK).
  case none
  /// A GET that must wait for a full batch; ask again later.
  case notReady

  /// The packet of a `.packet` or `.batch` reply, without the frame's length (for tests).
  var packetBytes: [UInt8]? {
    switch self {
    case .packet(let bytes): return bytes
    case .batch(let head, let fields):
      return fields.reduce(Array(head.readableBytesView.dropFirst(4))) { $0 + $1.readableBytesView }
    default: return nil
    }
  }
}

/// Subscriptions and cursors of every client identity, shared by all connections.
public final class CanalServerCore: @unchecked Sendable {
  public let configuration: CanalServerConfiguration
  private let destinations: [String: CanalDestination]
  private let lock = PosixLock()
  private var cursors: [IdentityKey: ClientCursor] = [:]
  /// The connection that last used each cursor, and when it closed (nil while open).
  private var cursorChannel: [IdentityKey: String] = [:]
  private var cursorClosedAt: [IdentityKey: ContinuousClock.Instant] = [:]
  /// Released cursors: where each resumes, and the subscription's filter (nil: the server's).
  private var parked: [IdentityKey: Parked] = [:]
  private var parkedOrder: UInt64 = 0
  /// Runs read-ahead work off the requesting thread (`CanalServer` hands it its worker pool);
  /// nil: cursors build batches only when asked. Set before the first request.
  var runInBackground: (@Sendable (@escaping @Sendable () -> Void) -> Void)?

  struct Parked {
    var position: BinlogPosition?
    var countAtPosition: Int
    var filter: String?
    var order: UInt64
  }

  struct IdentityKey: Hashable {
    var destination: String
    var clientID: Int16
  }

  public init(configuration: CanalServerConfiguration, destinations: [CanalDestination]) throws {
    self.configuration = configuration
    var byName: [String: CanalDestination] = [:]
    for d in destinations { byName[d.name] = d }
    self.destinations = byName
    // Fail early on bad server-side filters; each cursor compiles its own copies.
    _ = try CanalTableFilter(configuration.filter, emptyValue: true)
    _ = try CanalTableFilter(configuration.blackFilter, emptyValue: false)
  }

  /// A fresh filter for one cursor: the subscription's white filter (or the server's) and the
  /// server's black filter.
  private func entryFilter(white: String?) throws -> CanalEntryFilter {
    CanalEntryFilter(
      white: try CanalTableFilter(white ?? configuration.filter, emptyValue: true),
      black: try CanalTableFilter(configuration.blackFilter, emptyValue: false))
  }

  public var destinationNames: [String] { destinations.keys.sorted() }

  // MARK: Authentication

  /// Checks a ClientAuth; on success subscribes right away when it names a destination and
  /// client id (as the Java server does).
  func authenticate(_ auth: CanalClientAuth, seed: [UInt8], channel: String) -> CanalReply {
    guard
      configuration.credentials.accepts(
        username: auth.username, password: [UInt8](auth.password), seed: seed)
    else {
      return .error(.authFailed(user: auth.username))
    }
    if !auth.destination.isEmpty && !auth.clientID.isEmpty {
      var sub = CanalSub()
      sub.destination = auth.destination
      sub.clientID = auth.clientID
      sub.filter = auth.filter
      if case .error(var e) = subscribe(sub, channel: channel) {
        e.closesConnection = true
        return .error(e)
      }
    }
    return .ack
  }

  // MARK: Requests after authentication

  /// Answers one packet of an authenticated connection. `requireFull` applies to GET only.
  func handle(_ packet: CanalPacket, channel: String, requireFull: Bool = false) -> CanalReply {
    do {
      switch packet.type {
      case .subscription:
        return subscribe(try CanalSub(serializedBytes: packet.body), channel: channel)
      case .unsubscription:
        return unsubscribe(try CanalUnsub(serializedBytes: packet.body), channel: channel)
      case .get:
        return get(
          try CanalGet(serializedBytes: packet.body), channel: channel, requireFull: requireFull)
      case .clientack:
        return acknowledge(try CanalClientAck(serializedBytes: packet.body), channel: channel)
      case .clientrollback:
        return rollback(try CanalClientRollback(serializedBytes: packet.body), channel: channel)
      default:
        return .error(.unsupported(packet.type))
      }
    } catch {
      // The body is not the message its type announces; the request cannot be answered in step.
      var e = CanalServerError.exception(
        channel: channel, "com.google.protobuf.InvalidProtocolBufferException", "\(error)")
      e.closesConnection = true
      return .error(e)
    }
  }

  func subscribe(_ sub: CanalSub, channel: String) -> CanalReply {
    guard !sub.destination.isEmpty, !sub.clientID.isEmpty else {
      return .error(.missingIdentity(kind: "Sub", request: sub))
    }
    let key: IdentityKey
    switch identity(sub.destination, sub.clientID, channel: channel) {
    case .success(let k): key = k
    case .failure(let e): return .error(e)
    }
    let white = sub.filter.isEmpty ? nil : sub.filter
    let filter: CanalEntryFilter
    do {
      filter = try entryFilter(white: white)
    } catch {
      return .error(
        .exception(
          channel: channel, "com.alibaba.otter.canal.filter.exception.CanalFilterException",
          "\(error)"))
    }

    lock.lock()
    let existing = cursors[key]
    if existing != nil { touch(key, channel: channel) }
    lock.unlock()
    if let existing {
      if let white { existing.setFilter(filter, text: white) }
      return .ack
    }
    guard destinations[key.destination] != nil else {
      return .error(unknownDestination(key.destination, channel: channel))
    }
    switch openCursor(key, white: white, channel: channel) {
    case .failure(let e): return .error(e)
    case .success(let cursor):
      if let white { cursor.setFilter(filter, text: white) }
      return .ack
    }
  }

  /// A new cursor for `key` (resumed where it was released, if it was), registered unless
  /// another connection registered one meanwhile (that one is returned).
  private func openCursor(_ key: IdentityKey, white: String?, channel: String) -> Result<ClientCursor, CanalServerError> {
    guard let destination = destinations[key.destination] else {
      return .failure(unknownDestination(key.destination, channel: channel))
    }
    lock.lock()
    releaseClosedCursors(now: .now, making: cursors[key] == nil ? 1 : 0)
    let full = cursors[key] == nil && cursors.count >= configuration.maxCursors
    let resumeFrom = parked[key]
    lock.unlock()
    if full {
      return .failure(
        .exception(
          channel: channel, CanalServerError.serverException,
          "too many client identities: \(configuration.maxCursors) have connections open"))
    }
    let source: any CanalEntrySource
    let filterText = white ?? resumeFrom?.filter
    let filter: CanalEntryFilter
    do {
      source = try destination.openSource()
      filter = try entryFilter(white: filterText)
    } catch {
      return .failure(.exception(channel: channel, CanalServerError.serverException, "\(error)"))
    }
    let cursor = ClientCursor(
      destination: key.destination, clientID: key.clientID, source: source,
      filter: filter, filterText: filterText ?? configuration.filter, configuration: configuration)
    if let p = resumeFrom?.position { cursor.resume(after: p, count: resumeFrom!.countAtPosition) }
    lock.lock()
    // Another connection of the same identity may have subscribed meanwhile; keep the first.
    if let raced = cursors[key] {
      touch(key, channel: channel)
      lock.unlock()
      return .success(raced)
    }
    cursors[key] = cursor
    parked[key] = nil
    touch(key, channel: channel)
    lock.unlock()
    readAhead(cursor)
    log(
      "subscribed \(key.destination)/\(key.clientID) filter '\(cursor.filterText)' on \(channel)"
        + (resumeFrom?.position.map { ", resumed after \($0)" } ?? ""))
    return .success(cursor)
  }

  /// Notes that `channel` uses `key`'s cursor (under `lock`).
  private func touch(_ key: IdentityKey, channel: String) {
    if cursorChannel[key] != channel { cursorChannel[key] = channel }
    if cursorClosedAt[key] != nil { cursorClosedAt[key] = nil }
  }

  /// A connection closed: its cursors start their release countdown (and those past it go).
  public func connectionClosed(channel: String) {
    lock.lock()
    let now = ContinuousClock.now
    for (key, c) in cursorChannel where c == channel && cursors[key] != nil { cursorClosedAt[key] = now }
    releaseClosedCursors(now: now, making: 0)
    lock.unlock()
  }

  /// Releases (under `lock`) the cursors closed for `releaseCursorsAfter`, then, to make room for
  /// `making` new cursors under `maxCursors`, closed ones oldest first whatever their age.
  private func releaseClosedCursors(now: ContinuousClock.Instant, making: Int) {
    var closed = cursorClosedAt.sorted { $0.value < $1.value }
    while let (key, at) = closed.first, now - at >= configuration.releaseCursorsAfter {
      park(key)
      closed.removeFirst()
    }
    while making > 0 && cursors.count + making > configuration.maxCursors, let (key, _) = closed.first {
      park(key)
      closed.removeFirst()
    }
  }

  /// Drops `key`'s cursor, keeping where it resumes (under `lock`).
  private func park(_ key: IdentityKey) {
    cursorClosedAt[key] = nil
    cursorChannel[key] = nil
    guard let cursor = cursors.removeValue(forKey: key) else { return }
    cursor.release()
    let (position, count) = cursor.resumePoint
    parkedOrder += 1
    parked[key] = Parked(
      position: position, countAtPosition: count,
      filter: cursor.filterText == configuration.filter ? nil : cursor.filterText, order: parkedOrder)
    if parked.count > configuration.maxParkedPositions, let oldest = parked.min(by: { $0.value.order < $1.value.order }) {
      parked[oldest.key] = nil
    }
    log("released the cursor of \(key.destination)/\(key.clientID) (resumes after \(position.map(\.description) ?? "the start"))")
  }

  /// Cursors held and positions kept (for tests and diagnostics).
  var cursorCounts: (live: Int, parked: Int) {
    lock.lock()
    defer { lock.unlock() }
    return (cursors.count, parked.count)
  }

  /// Forgets the identity's cursor and outstanding batches; a later subscription starts over.
  func unsubscribe(_ unsub: CanalUnsub, channel: String) -> CanalReply {
    guard !unsub.destination.isEmpty, !unsub.clientID.isEmpty else {
      return .error(.missingIdentity(kind: "Unsub", request: unsub))
    }
    switch identity(unsub.destination, unsub.clientID, channel: channel) {
    case .failure(let e):
      return .error(e)
    case .success(let key):
      lock.lock()
      let removed = cursors.removeValue(forKey: key)
      removed?.release()
      parked[key] = nil
      cursorChannel[key] = nil
      cursorClosedAt[key] = nil
      lock.unlock()
      if removed != nil { log("unsubscribed \(key.destination)/\(key.clientID) on \(channel)") }
      return .ack
    }
  }

  func get(_ get: CanalGet, channel: String, requireFull: Bool) -> CanalReply {
    guard !get.destination.isEmpty, !get.clientID.isEmpty else {
      return .error(.missingIdentity(kind: "Get", request: get))
    }
    let cursor: ClientCursor
    switch subscribedCursor(get.destination, get.clientID, channel: channel) {
    case .failure(let e): return .error(e)
    case .success(let c): cursor = c
    }
    do {
      let batch = try cursor.nextBatch(fetchSize: Int(get.fetchSize), requireFull: requireFull, autoAck: get.autoAck)
      // The next batches are built while the client decodes this one.
      readAhead(cursor)
      return batch.map { Self.reply($0, cursor) } ?? .notReady
    } catch {
      return .error(exception(error, channel: channel))
    }
  }

  /// Answers a GET on the calling thread when its batch is already built ahead: nil when the
  /// request is not a well-formed GET of a live cursor, or when the cursor would have to read
  /// its source (the caller then asks `handle` on a worker thread). The network thread answers
  /// most GETs this way, without a hop to a worker and back.
  func getIfBuilt(_ packet: CanalPacket, channel: String, requireFull: Bool) -> CanalReply? {
    guard packet.type == .get, let get = try? CanalGet(serializedBytes: packet.body), !get.destination.isEmpty,
      let id = Int16(get.clientID)
    else { return nil }
    let key = IdentityKey(destination: get.destination, clientID: id)
    lock.lock()
    let cursor = cursors[key]
    if cursor != nil { touch(key, channel: channel) }
    lock.unlock()
    guard let cursor else { return nil }
    do {
      guard
        let batch = try cursor.nextBatch(
          fetchSize: Int(get.fetchSize), requireFull: requireFull, autoAck: get.autoAck, readsSource: false)
      else { return nil }
      readAhead(cursor)
      return Self.reply(batch, cursor)
    } catch {
      return .error(exception(error, channel: channel))
    }
  }

  private static func reply(_ batch: CanalBatchResult, _ cursor: ClientCursor) -> CanalReply {
    switch batch {
    case .notReady: return .notReady
    case .empty: return .packet(CanalServerPackets.emptyMessages())
    case .batch(let id, let fields): return .batch(head: cursor.messagesHead(batchID: id, fields: fields), fields: fields)
    }
  }

  /// Starts `cursor`'s read-ahead in the background when it has room and none is running.
  private func readAhead(_ cursor: ClientCursor) {
    guard let run = runInBackground, cursor.claimReadAhead() else { return }
    run { cursor.readAhead() }
  }

  func acknowledge(_ ack: CanalClientAck, channel: String) -> CanalReply {
    guard !ack.destination.isEmpty, !ack.clientID.isEmpty else {
      return .error(closing(.missingIdentity(kind: "Ack", request: ack)))
    }
    if ack.batchID == 0 {
      return .error(
        CanalServerError(
          code: 402, message: "batchId should assign value. Ack: \(ack.textFormatString())",
          closesConnection: true))
    }
    // -1 acknowledges an empty batch (canal-go and Java's get() send it): nothing to do.
    if ack.batchID == -1 { return .none }
    switch subscribedCursor(ack.destination, ack.clientID, channel: channel) {
    case .failure(let e):
      return .error(closing(e))
    case .success(let cursor):
      do {
        try cursor.acknowledge(batchID: ack.batchID)
        return .none
      } catch {
        return .error(closing(exception(error, channel: channel)))
      }
    }
  }

  /// A CLIENTACK answered on the calling thread when its identity has a live cursor (no source
  /// to open); nil for anything else, which `handle` answers on a worker thread.
  func acknowledgeIfLive(_ packet: CanalPacket, channel: String) -> CanalReply? {
    guard packet.type == .clientack, let ack = try? CanalClientAck(serializedBytes: packet.body),
      let id = Int16(ack.clientID)
    else { return nil }
    lock.lock()
    let live = cursors[IdentityKey(destination: ack.destination, clientID: id)] != nil
    lock.unlock()
    return live ? acknowledge(ack, channel: channel) : nil
  }

  func rollback(_ rollback: CanalClientRollback, channel: String) -> CanalReply {
    guard !rollback.destination.isEmpty, !rollback.clientID.isEmpty else {
      return .error(closing(.missingIdentity(kind: "Rollback", request: rollback)))
    }
    let key: IdentityKey
    switch identity(rollback.destination, rollback.clientID, channel: channel) {
    case .success(let k): key = k
    case .failure(let e): return .error(closing(e))
    }
    guard destinations[key.destination] != nil else {
      return .error(closing(unknownDestination(key.destination, channel: channel)))
    }
    lock.lock()
    let cursor = cursors[key]
    lock.unlock()
    // Clients roll back before subscribing (on connect): Canal ignores that.
    guard let cursor else { return .none }
    do {
      try cursor.rollback(batchID: rollback.batchID)
      return .none
    } catch {
      return .error(closing(exception(error, channel: channel)))
    }
  }

  /// The cursor of a subscribed identity (for tests and diagnostics).
  func cursor(destination: String, clientID: Int16) -> ClientCursor? {
    lock.lock()
    defer { lock.unlock() }
    return cursors[IdentityKey(destination: destination, clientID: clientID)]
  }

  // MARK: Helpers

  /// Canal's `ClientIdentity`: the client id must parse as a Java `short`.
  private func identity(_ destination: String, _ clientID: String, channel: String) -> Result<
    IdentityKey, CanalServerError
  > {
    guard let id = Int16(clientID) else {
      let detail =
        Int(clientID) != nil
        ? "Value out of range. Value:\"\(clientID)\" Radix:10" : "For input string: \"\(clientID)\""
      return .failure(.exception(channel: channel, CanalServerError.numberFormatException, detail))
    }
    return .success(IdentityKey(destination: destination, clientID: id))
  }

  private func subscribedCursor(_ destination: String, _ clientID: String, channel: String)
    -> Result<ClientCursor, CanalServerError>
  {
    let key: IdentityKey
    switch identity(destination, clientID, channel: channel) {
    case .success(let k): key = k
    case .failure(let e): return .failure(e)
    }
    guard destinations[key.destination] != nil else {
      return .failure(unknownDestination(key.destination, channel: channel))
    }
    lock.lock()
    var cursor = cursors[key]
    if cursor != nil { touch(key, channel: channel) }
    let wasParked = parked[key] != nil
    lock.unlock()
    if cursor == nil && wasParked {
      // Released while its client was away: resume it where it was acknowledged.
      switch openCursor(key, white: nil, channel: channel) {
      case .failure(let e): return .failure(e)
      case .success(let c): cursor = c
      }
    }
    guard let cursor else {
      return .failure(
        .exception(
          channel: channel, CanalServerError.serverException,
          "ClientIdentity:ClientIdentity[destination=\(key.destination),clientId=\(key.clientID),filter=<null>] should subscribe first"
        ))
    }
    return .success(cursor)
  }

  private func unknownDestination(_ name: String, channel: String) -> CanalServerError {
    .exception(
      channel: channel, CanalServerError.serverException, "destination:\(name) should start first")
  }

  private func exception(_ error: any Error, channel: String) -> CanalServerError {
    switch error {
    case CursorError.serverException(let text):
      return .exception(channel: channel, CanalServerError.serverException, text)
    case CursorError.metaException(let text):
      return .exception(channel: channel, CanalServerError.metaException, text)
    default:
      log("source error on \(channel): \(error)")
      return .exception(channel: channel, CanalServerError.serverException, "\(error)")
    }
  }

  private func closing(_ error: CanalServerError) -> CanalServerError {
    var e = error
    e.closesConnection = true
    return e
  }

  func log(_ line: @autoclosure () -> String) {
    configuration.log?(line())
  }
}
