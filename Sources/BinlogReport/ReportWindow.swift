import BinlogFormat
import BinlogQuery

/// The time range a report covers: transactions committed at or after `startMicros` and before
/// `stopMicros` (as `query --start-datetime/--stop-datetime`), and the zone times are shown in.
public struct ReportWindow: Sendable {
  public var startMicros: UInt64?
  public var stopMicros: UInt64?
  public var zone: TimeZoneSpec
  /// The zone as the user wrote it (`UTC`, `+08:00`, `Asia/Shanghai`).
  public var zoneName: String

  public init(startMicros: UInt64? = nil, stopMicros: UInt64? = nil, zone: TimeZoneSpec = .utc, zoneName: String = "UTC") {
    self.startMicros = startMicros
    self.stopMicros = stopMicros
    self.zone = zone
    self.zoneName = zoneName
  }

  @inline(__always) public func contains(_ commitMicros: UInt64) -> Bool {
    if let s = startMicros, commitMicros < s { return false }
    if let e = stopMicros, commitMicros >= e { return false }
    return true
  }

  /// False when no commit time in `min...max` is inside the window.
  @inline(__always) public func mayOverlap(min: UInt64, max: UInt64) -> Bool {
    if let s = startMicros, max < s { return false }
    if let e = stopMicros, min >= e { return false }
    return true
  }
}
