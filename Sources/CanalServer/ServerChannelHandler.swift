import CanalProtocol
import NIOCore
import NIOPosix
import SwiftProtobuf

/// One client connection: framing, the handshake, authentication, then request/response.
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A 4-byte big-endian signed length, then that many bytes (§3.2). A negative or too large
/// length is an error: the connection is answered and closed.
struct CanalFrameDecoder: ByteToMessageDecoder {
  typealias InboundOut = ByteBuffer
  let maxFrameLength: Int

  mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws
    -> DecodingState
  {
    guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self)
    else {
      return .needMoreData
    }
    guard length >= 0, Int(length) <= maxFrameLength else {
      throw CanalFrameError(length: Int(length), limit: maxFrameLength)
    }
    guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
    buffer.moveReaderIndex(forwardBy: 4)
    let frame = buffer.readSlice(length: Int(length))!
    context.fireChannelRead(Self.wrapInboundOut(frame))
    return .continue
  }

  mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool)
    throws
    -> DecodingState
  {
    while try decode(context: context, buffer: &buffer) == .continue {}
    // A partial frame at EOF is dropped with the connection.
    buffer.moveReaderIndex(to: buffer.writerIndex)
    return .needMoreData
  }
}

/// A frame length outside 0...limit.
struct CanalFrameError: Error, CustomStringConvertible {
  var length: Int
  var limit: Int
  var description: String { "frame length \(length) is outside 0...\(limit)" }
}

/// The session of one connection. Requests are answered one at a time, in order; while a reply
/// is being prepared (on the worker pool) further frames wait in a short queue.
final class CanalSessionHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private enum State {
    case awaitingAuth
    case authenticated
    case closed
  }

  private let core: CanalServerCore
  private let pool: NIOThreadPool
  private let channelText: String
  private var state = State.awaitingAuth
  private var seed: [UInt8] = []
  private var pending = CircularBuffer<ByteBuffer>()
  private var busy = false
  private var authTimer: Scheduled<Void>?
  private var pollTimer: Scheduled<Void>?
  /// Frames a client may pipeline before it is considered broken.
  static let maxPendingFrames = 64

  init(core: CanalServerCore, pool: NIOThreadPool, channelText: String) {
    self.core = core
    self.pool = pool
    self.channelText = channelText
  }

  private var configuration: CanalServerConfiguration { core.configuration }

  func channelActive(context: ChannelHandlerContext) {
    var generator = SystemRandomNumberGenerator()
    seed = (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
    write(context, CanalServerPackets.handshake(seed: seed))
    context.flush()
    authTimer = context.eventLoop.assumeIsolated().scheduleTask(in: configuration.authTimeout) {
      guard self.state == .awaitingAuth else { return }
      self.core.log("\(self.channelText): no authentication within the time limit, closing")
      self.close(context)
    }
    core.log("accepted \(channelText)")
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    if state != .closed { core.log("closed \(channelText)") }
    core.connectionClosed(channel: channelText)
    state = .closed
    authTimer?.cancel()
    pollTimer?.cancel()
    pending.removeAll()
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard state != .closed else { return }
    pending.append(Self.unwrapInboundIn(data))
    if pending.count > Self.maxPendingFrames {
      fail(
        context,
        CanalServerError(
          code: 400, message: "too many requests without waiting for replies",
          closesConnection: true))
      return
    }
    processNext(context)
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    guard state != .closed else { return }
    if let frameError = error as? CanalFrameError {
      fail(
        context,
        CanalServerError(code: 400, message: frameError.description, closesConnection: true))
    } else {
      // I/O errors (reset by peer) and decoder errors after a bad frame: nothing sensible to say.
      core.log("\(channelText): \(error), closing")
      close(context)
    }
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is IdleStateHandler.IdleStateEvent {
      // A client waiting for a reply is not idle.
      if !busy {
        core.log("\(channelText): idle timeout exceeded, closing")
        close(context)
      }
      return
    }
    context.fireUserInboundEventTriggered(event)
  }

  // MARK: Requests

  private func processNext(_ context: ChannelHandlerContext) {
    guard !busy, state != .closed, let frame = pending.popFirst() else { return }
    let packet: CanalPacket
    do {
      packet = try CanalPacket(serializedBytes: Data(frame.readableBytesView))
    } catch {
      fail(
        context,
        .exception(
          channel: channelText, "com.google.protobuf.InvalidProtocolBufferException", "\(error)"
        )
        .closing())
      return
    }
    busy = true
    switch state {
    case .awaitingAuth:
      authenticate(context, packet)
    case .authenticated:
      if packet.type == .get {
        startGet(context, packet)
      } else if let reply = core.acknowledgeIfLive(packet, channel: channelText) {
        // An ACK of a live cursor is bookkeeping: answered here, without a worker hop.
        complete(context, .success(reply))
      } else {
        let core = self.core
        let channelText = self.channelText
        run(context) { core.handle(packet, channel: channelText) }
      }
    case .closed:
      return
    }
  }

  private func authenticate(_ context: ChannelHandlerContext, _ packet: CanalPacket) {
    // Canal parses whatever comes first as ClientAuth; we insist on the type clients send.
    guard packet.type == .clientauthentication else {
      fail(context, CanalServerError.unsupported(packet.type).closing())
      return
    }
    let auth: CanalClientAuth
    do {
      auth = try CanalClientAuth(serializedBytes: packet.body)
    } catch {
      fail(
        context,
        .exception(
          channel: channelText, "com.google.protobuf.InvalidProtocolBufferException", "\(error)"
        )
        .closing())
      return
    }
    let core = self.core
    let seed = self.seed
    let channelText = self.channelText
    let task = pool.runIfActive(eventLoop: context.eventLoop) {
      core.authenticate(auth, seed: seed, channel: channelText)
    }
    task.assumeIsolated().whenComplete { result in
      guard self.state != .closed else { return }
      if case .success(.ack) = result { self.didAuthenticate(context, auth) }
      self.complete(context, result)
    }
  }

  private func didAuthenticate(_ context: ChannelHandlerContext, _ auth: CanalClientAuth) {
    state = .authenticated
    authTimer?.cancel()
    authTimer = nil
    // Canal arms read and write idle timeouts from the client's values (milliseconds).
    let read =
      auth.netReadTimeout > 0
      ? .milliseconds(Int64(auth.netReadTimeout)) : configuration.idleTimeout
    let write =
      auth.netWriteTimeout > 0
      ? .milliseconds(Int64(auth.netWriteTimeout)) : configuration.idleTimeout
    try? context.pipeline.syncOperations.addHandler(
      IdleStateHandler(readTimeout: read, writeTimeout: write), position: .before(self))
    core.log("authenticated \(channelText) as '\(auth.username)'")
  }

  /// GET: `timeout == -1` answers at once; `timeout > 0` waits up to that long for a full batch;
  /// 0 or another negative value waits for a full batch without limit. A finished source never
  /// makes a GET wait.
  private func startGet(_ context: ChannelHandlerContext, _ packet: CanalPacket) {
    let get = (try? CanalGet(serializedBytes: packet.body)) ?? CanalGet()
    let deadline: NIODeadline?
    let waits: Bool
    if get.timeout == -1 {
      waits = false
      deadline = nil
    } else if get.timeout <= 0 {
      waits = true
      deadline = nil
    } else {
      waits = true
      deadline = Self.timeAmount(get.timeout, unit: get.unit).map { .now() + $0 }
    }
    pollGet(context, packet, waits: waits, deadline: deadline)
  }

  private func pollGet(
    _ context: ChannelHandlerContext, _ packet: CanalPacket, waits: Bool, deadline: NIODeadline?
  ) {
    let requireFull = waits && (deadline.map { NIODeadline.now() < $0 } ?? true)
    let core = self.core
    let channelText = self.channelText
    // A batch built ahead is answered here; building one takes a worker thread.
    if let reply = core.getIfBuilt(packet, channel: channelText, requireFull: requireFull) {
      finishGet(context, packet, .success(reply), waits: waits, deadline: deadline)
      return
    }
    let task = pool.runIfActive(eventLoop: context.eventLoop) {
      core.handle(packet, channel: channelText, requireFull: requireFull)
    }
    task.assumeIsolated().whenComplete { result in
      self.finishGet(context, packet, result, waits: waits, deadline: deadline)
    }
  }

  /// Writes a GET's reply, or polls again later when it must wait for a full batch.
  private func finishGet(
    _ context: ChannelHandlerContext, _ packet: CanalPacket, _ result: Result<CanalReply, any Error>, waits: Bool,
    deadline: NIODeadline?
  ) {
    guard state != .closed else { return }
    if case .success(.notReady) = result {
      var delay = configuration.pollInterval
      if let deadline {
        let left = deadline - .now()
        if left < delay { delay = Swift.max(left, .zero) }
      }
      pollTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
        guard self.state != .closed else { return }
        self.pollGet(context, packet, waits: waits, deadline: deadline)
      }
      return
    }
    complete(context, result)
  }

  /// Runs `body` on the worker pool, writes its reply, then takes the next request.
  private func run(_ context: ChannelHandlerContext, _ body: @escaping @Sendable () -> CanalReply) {
    let task = pool.runIfActive(eventLoop: context.eventLoop, body)
    task.assumeIsolated().whenComplete { result in
      guard self.state != .closed else { return }
      self.complete(context, result)
    }
  }

  private func complete(_ context: ChannelHandlerContext, _ result: Result<CanalReply, any Error>) {
    busy = false
    switch result {
    case .failure(let error):
      // The worker pool is gone: the server is shutting down.
      core.log("\(channelText): \(error), closing")
      close(context)
      return
    case .success(.ack):
      write(context, CanalServerPackets.ack())
      context.flush()
    case .success(.packet(let bytes)):
      write(context, bytes)
      context.flush()
    case .success(.batch(let head, let fields)):
      // The head, then each entry from its own buffer: NIO gathers them into one writev.
      context.write(Self.wrapOutboundOut(head), promise: nil)
      for field in fields { context.write(Self.wrapOutboundOut(field), promise: nil) }
      context.flush()
    case .success(.error(let error)):
      fail(context, error)
      if error.closesConnection { return }
    case .success(.none), .success(.notReady):
      break
    }
    processNext(context)
  }

  /// Writes an error reply; closes afterwards when the error says so.
  private func fail(_ context: ChannelHandlerContext, _ error: CanalServerError) {
    core.log("\(channelText): \(error)")
    write(context, CanalServerPackets.error(error))
    context.flush()
    if error.closesConnection { close(context) }
  }

  private func close(_ context: ChannelHandlerContext) {
    guard state != .closed else { return }
    state = .closed
    busy = false
    pending.removeAll()
    authTimer?.cancel()
    pollTimer?.cancel()
    context.close(promise: nil)
  }

  private func write(_ context: ChannelHandlerContext, _ packet: [UInt8]) {
    var buffer = context.channel.allocator.buffer(capacity: 4 + packet.count)
    buffer.writeInteger(Int32(truncatingIfNeeded: packet.count), endianness: .big)
    buffer.writeBytes(packet)
    context.write(Self.wrapOutboundOut(buffer), promise: nil)
  }

  /// `timeout` in Java `TimeUnit` ordinal `unit` (0 ns … 6 days; other values ms); nil when it
  /// is beyond any practical wait (a year or more).
  static func timeAmount(_ timeout: Int64, unit: Int32) -> TimeAmount? {
    let nanosPerUnit: Int64
    switch unit {
    case 0: nanosPerUnit = 1
    case 1: nanosPerUnit = 1_000
    case 3: nanosPerUnit = 1_000_000_000
    case 4: nanosPerUnit = 60_000_000_000
    case 5: nanosPerUnit = 3_600_000_000_000
    case 6: nanosPerUnit = 86_400_000_000_000
    default: nanosPerUnit = 1_000_000
    }
    let (nanos, overflow) = timeout.multipliedReportingOverflow(by: nanosPerUnit)
    if overflow || nanos >= 365 * 86_400_000_000_000 { return nil }
    return .nanoseconds(nanos)
  }
}

extension CanalServerError {
  func closing() -> CanalServerError {
    var e = self
    e.closesConnection = true
    return e
  }
}
