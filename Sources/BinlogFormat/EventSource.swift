/// Something that yields events one at a time: a mapped file or a stream.
public protocol EventSource {
  /// Name used in errors and output (the file's base name, or "-" for stdin).
  var name: String { get }
  /// The format description in force for the next event.
  var format: FormatDescription { get }
  /// Offset of the next event to be read.
  var position: UInt64 { get }
  /// The next event, or nil at a clean end of input. The event's bytes stay valid until the
  /// next call for stream sources, and as long as the mapping for mapped sources.
  mutating func next() throws(BinlogError) -> RawEvent?
  /// The whole input when it is memory-mapped (lets callers look ahead), else nil.
  var mappedBytes: UnsafeRawBufferPointer? { get }
  /// The mapping behind `mappedBytes`, to give back pages a look ahead has walked past.
  var mappedPages: (any PageReleasing)? { get }
  /// The xid of the transaction whose next event starts at `offset`, found by looking ahead
  /// (`CommitLookahead`), or nil when it has none or the source cannot look ahead.
  func lookaheadXid(from offset: UInt64) -> UInt64?
  /// The size of the event starting at `offset`, when the source can look there.
  func eventSize(at offset: UInt64) -> Int?
  /// The largest event (or Transaction_payload inner event) to accept (`ReaderOptions.maxEventSize`).
  var maxEventSize: UInt64 { get }
}

extension EventSource {
  public var mappedBytes: UnsafeRawBufferPointer? { nil }
  public var mappedPages: (any PageReleasing)? { nil }
  public var maxEventSize: UInt64 { 1 << 30 }

  public func lookaheadXid(from offset: UInt64) -> UInt64? {
    guard let b = mappedBytes else { return nil }
    return CommitLookahead.xid(in: b, from: Int(offset), format: format, file: name)
  }

  public func eventSize(at offset: UInt64) -> Int? {
    guard let b = mappedBytes, offset + 13 <= UInt64(b.count) else { return nil }
    return EventHeader.eventSize(in: b, at: Int(offset))
  }
}

/// The owner of a source's mapped bytes (BinlogIO's `MappedFile`): a walk ahead of the reader
/// gives back the pages it has passed, so a long transaction is not faulted in whole.
public protocol PageReleasing: AnyObject, Sendable {
  /// Gives back the whole pages inside `offset..<offset + length` (they are read again on demand).
  func dontNeed(offset: Int, length: Int)
}
