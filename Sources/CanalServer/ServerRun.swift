import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why `CanalServer.listen` could not bind.
public struct ServerListenError: Error, CustomStringConvertible, Sendable {
  public var description: String
}

extension CanalServerConfiguration {
  /// True when only this machine can connect (`localhost`, `::1`, `127.x.x.x`).
  public var listensOnLoopbackOnly: Bool {
    host == "localhost" || host == "::1" || host.hasPrefix("127.")
  }
}

extension CanalServer {
  /// Binds and starts accepting connections; returns the bound address as a client dials it
  /// ("127.0.0.1:11111", "[::1]:11111").
  public func listen() throws(ServerListenError) -> String {
    let config = configuration
    do {
      let bound = try start()
      let ip = bound.ipAddress ?? config.host
      return (ip.contains(":") ? "[\(ip)]" : ip) + ":\(bound.port ?? config.port)"
    } catch {
      throw ServerListenError(description: "cannot listen on \(config.host):\(config.port): \(error)")
    }
  }

  /// The lines a server announces itself with once listening on `address`: the destinations it
  /// serves (in the order given), and a warning when any machine can connect without a password.
  public func announcement(address: String, destinations: [String]) -> [String] {
    let config = configuration
    let names = destinations.joined(separator: ", ")
    var lines = ["serving \(names) on \(address)\(config.credentials.requiresPassword ? " (password required)" : "")"]
    if !config.listensOnLoopbackOnly && !config.credentials.requiresPassword {
      lines.append(
        "warning: listening on \(config.host) without a password; any client that can reach it may read the data")
    }
    return lines
  }

  /// Serves until the first SIGINT or SIGTERM closes every connection.
  public func serveUntilTerminated() throws {
    let sources = [SIGINT, SIGTERM].map { sig in
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      source.setEventHandler { [self] in close() }
      source.resume()
      return source
    }
    try waitUntilClosed()
    withExtendedLifetime(sources) {}
  }
}
