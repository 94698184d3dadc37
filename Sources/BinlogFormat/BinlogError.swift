/// An error found while reading a binlog, with enough context for one clear line:
/// `FILE: at offset N (EVENT_TYPE): what was wrong`.
public struct BinlogError: Error, CustomStringConvertible, Sendable {
  public enum Kind: String, Sendable {
    /// The bytes end before a structure that they promise.
    case truncated
    /// A CRC32 stored in the event does not match its bytes.
    case checksumMismatch
    /// The bytes are present but do not form a valid structure.
    case malformed
    /// The file is not a binlog at all (bad magic, empty, a directory).
    case notABinlog
    /// The structure is valid but Sluice cannot decode it (e.g. an encrypted binlog).
    case unsupported
    /// The operating system refused (missing file, permission, read error).
    case io
    /// A position the caller gave is not in the file: not an event boundary, or past the end.
    case badPosition
  }

  public var kind: Kind
  public var message: String
  public var file: String?
  /// Absolute byte offset of the event (or structure) in the file.
  public var offset: UInt64?
  public var eventType: EventType?
  /// Offset of the failing read relative to the start of the event, when known.
  public var innerOffset: Int?

  public init(
    _ kind: Kind, _ message: String, file: String? = nil, offset: UInt64? = nil,
    eventType: EventType? = nil, innerOffset: Int? = nil
  ) {
    self.kind = kind
    self.message = message
    self.file = file
    self.offset = offset
    self.eventType = eventType
    self.innerOffset = innerOffset
  }

  /// Fills in context that a lower layer did not know.
  public func with(file: String? = nil, offset: UInt64? = nil, eventType: EventType? = nil) -> BinlogError {
    var copy = self
    if copy.file == nil { copy.file = file }
    if copy.offset == nil { copy.offset = offset }
    if copy.eventType == nil { copy.eventType = eventType }
    return copy
  }

  public var description: String {
    var s = ""
    if let file { s += "\(file): " }
    if let offset {
      s += "at offset \(offset)"
      if let innerOffset { s += " (+\(innerOffset))" }
      if let eventType { s += " (\(eventType.name))" }
      s += ": "
    } else if let eventType {
      s += "(\(eventType.name)): "
    }
    s += message
    return s
  }
}
