/// Heartbeat (27): the master's current file name (network only, but some relay logs keep it).
public struct HeartbeatEvent: Sendable {
  public var logFile: String
  public init(event: RawEvent) {
    logFile = String(decoding: event.body, as: UTF8.self)
  }
}
