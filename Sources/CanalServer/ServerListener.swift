import BinlogFormat
import BinlogIO
import CanalProtocol
import NIOCore
import NIOPosix

/// The Canal TCP server: a listening socket whose connections speak Canal's client protocol.
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A Canal server that unmodified Canal clients (Java `CanalConnector`, canal-go, canal-python)
/// can consume. Serves every configured destination; each client identity reads its destination
/// from the beginning.
///
/// ```swift
/// let server = try CanalServer(configuration: config, destinations: [destination])
/// try server.start()
/// ...
/// server.close()              // from any thread, e.g. a signal handler
/// try server.waitUntilClosed()
/// ```
public final class CanalServer: Sendable {
  public let core: CanalServerCore
  private let group: MultiThreadedEventLoopGroup
  private let pool: NIOThreadPool
  private let state = LockedState()

  private final class LockedState: @unchecked Sendable {
    let lock = PosixLock()
    var listener: (any Channel)?
    var connections: [ObjectIdentifier: any Channel] = [:]
    var nextConnectionID: UInt32 = 1
    var closing = false
    var stopped = false

    func register(_ channel: any Channel) -> UInt32 {
      lock.lock()
      defer { lock.unlock() }
      let id = nextConnectionID
      nextConnectionID &+= 1
      connections[ObjectIdentifier(channel)] = channel
      if closing { channel.close(promise: nil) }
      return id
    }

    func unregister(_ channel: any Channel) {
      lock.lock()
      connections.removeValue(forKey: ObjectIdentifier(channel))
      lock.unlock()
    }
  }

  public init(configuration: CanalServerConfiguration, destinations: [CanalDestination]) throws {
    core = try CanalServerCore(configuration: configuration, destinations: destinations)
    group = MultiThreadedEventLoopGroup(
      numberOfThreads: Swift.max(1, configuration.eventLoopThreads))
    pool = NIOThreadPool(numberOfThreads: Swift.max(1, configuration.workerThreads))
    let pool = self.pool
    core.runInBackground = { work in
      pool.submit { state in
        if case .active = state { work() }
      }
    }
  }

  public var configuration: CanalServerConfiguration { core.configuration }

  /// Binds and starts accepting connections; returns the bound address.
  @discardableResult
  public func start() throws -> SocketAddress {
    pool.start()
    let core = self.core
    let pool = self.pool
    let state = self.state
    let bootstrap = ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 128)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        let id = state.register(channel)
        let text = Self.describe(channel, id: id)
        channel.closeFuture.whenComplete { _ in state.unregister(channel) }
        return channel.eventLoop.makeCompletedFuture {
          let sync = channel.pipeline.syncOperations
          #if os(Linux)
            try sync.addHandler(QuickAckHandler())
          #endif
          try sync.addHandler(
            ByteToMessageHandler(
              CanalFrameDecoder(maxFrameLength: core.configuration.maxFrameLength)))
          try sync.addHandler(CanalSessionHandler(core: core, pool: pool, channelText: text))
        }
      }
    let listener: any Channel
    do {
      listener = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
    } catch {
      try? shutdownThreads()
      throw error
    }
    state.lock.lock()
    state.listener = listener
    state.lock.unlock()
    core.log("listening on \(Self.text(listener.localAddress))")
    return listener.localAddress!
  }

  /// The bound address once started.
  public var localAddress: SocketAddress? {
    state.lock.lock()
    defer { state.lock.unlock() }
    return state.listener?.localAddress
  }

  /// Stops accepting and closes every connection. Safe from any thread and more than once;
  /// returns at once (see `waitUntilClosed`).
  public func close() {
    state.lock.lock()
    // After the threads stopped, nothing may be scheduled on the event loops any more.
    if state.stopped {
      state.lock.unlock()
      return
    }
    state.closing = true
    let listener = state.listener
    let connections = Array(state.connections.values)
    state.lock.unlock()
    listener?.close(promise: nil)
    for c in connections { c.close(promise: nil) }
  }

  /// Blocks until `close()` was called and every connection is closed, then stops the threads.
  /// Must not be called from one of the server's event loops.
  public func waitUntilClosed() throws {
    state.lock.lock()
    let listener = state.listener
    let stopped = state.stopped
    state.lock.unlock()
    if stopped { return }
    if let listener { try? listener.closeFuture.wait() }
    // close() may have raced with connections being accepted; close whatever is left.
    while true {
      state.lock.lock()
      let left = Array(state.connections.values)
      state.lock.unlock()
      if left.isEmpty { break }
      for c in left {
        c.close(promise: nil)
        try? c.closeFuture.wait()
      }
    }
    try shutdownThreads()
  }

  /// `close()` then `waitUntilClosed()`.
  public func shutdown() throws {
    close()
    try waitUntilClosed()
  }

  private func shutdownThreads() throws {
    state.lock.lock()
    let stopped = state.stopped
    state.stopped = true
    state.lock.unlock()
    if stopped { return }
    try? pool.syncShutdownGracefully()
    try group.syncShutdownGracefully()
  }

  /// `ip:port`.
  static func text(_ address: SocketAddress?) -> String {
    guard let address, let ip = address.ipAddress, let port = address.port else { return "?" }
    return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
  }

  /// Netty 3's channel text, which Canal puts in its error messages.
  static func describe(_ channel: any Channel, id: UInt32) -> String {
    func address(_ a: SocketAddress?) -> String { "/" + text(a) }
    let hex = String(id, radix: 16)
    let padded = String(repeating: "0", count: Swift.max(0, 8 - hex.count)) + hex
    return
      "[id: 0x\(padded), \(address(channel.remoteAddress)) => \(address(channel.localAddress))]"
  }
}

#if os(Linux)
  /// Acknowledges a read at once when no reply carries the acknowledgement (TCP_QUICKACK, set
  /// after the read: Linux clears it).
  ///
  /// A client that writes a request's length prefix and its body in two writes with Nagle's
  /// algorithm on (canal-python's stock client) sends the body only once the prefix is
  /// acknowledged; with delayed ACKs the server would acknowledge the prefix after ~40 ms, so
  /// every GET waited 40 ms. Setting the option sends the pending ACK. A read answered with data
  /// before the read completes (a GET whose batch was built ahead) needs none: the reply carries
  /// the ACK, and one setsockopt per batch is saved.
  final class QuickAckHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let option = ChannelOptions.Types.SocketOption(
      level: NIOBSDSocket.OptionLevel(rawValue: CInt(IPPROTO_TCP)), name: NIOBSDSocket.Option(rawValue: 12))  // TCP_QUICKACK

    /// Something was written since the last read.
    private var replied = false

    func channelActive(context: ChannelHandlerContext) {
      arm(context)
      context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      replied = false
      context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
      if !replied { arm(context) }
      context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
      replied = true
      context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
      // Best effort: a socket that refuses it only keeps the kernel's delayed ACKs.
      _ = context.channel.setOption(Self.option, value: 1)
    }
  }
#endif
