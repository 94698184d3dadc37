/// Incident_event (26).
public struct IncidentEvent: Sendable {
  public var incident: UInt16
  public var message: String
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    incident = try c.u16("incident type")
    if c.isAtEnd {
      message = ""
    } else {
      let n = Int(try c.u8("message length"))
      message = try c.string(n, "message")
    }
  }
}
