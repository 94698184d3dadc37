/// Rotate_event (4): the next file's name and the position to start at in it.
public struct RotateEvent: Sendable {
  public var position: UInt64
  public var nextFile: String
  public init(event: RawEvent, format: FormatDescription) throws(BinlogError) {
    var c = ByteCursor(event.body)
    position = format.postHeaderLength(.rotate) >= 8 ? try c.u64("position") : 4
    nextFile = String(decoding: c.rest(), as: UTF8.self)
  }
}
