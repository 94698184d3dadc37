import SwiftProtobuf

/// Protobuf's standard length-delimited framing for a stream of `CanalEntry` messages: each
/// message is preceded by its byte length as an unsigned base-128 varint. This is what Java's
/// `writeDelimitedTo` / `parseDelimitedFrom` and Python's `_VarintBytes(len) + bytes` produce, so
/// any protobuf runtime can read a `sluice export --format canal` file without Sluice.
///
/// (The Canal TCP server frames `Packet`s differently: a 4-byte big-endian length, §3.2.)
public enum EntryFraming {
  /// Protobuf's own limit for one message (2 GiB - 1). A reader that buffers a stream should pass
  /// a smaller limit so that a corrupt length cannot make it allocate gigabytes.
  public static let defaultMaxMessageSize = Int(Int32.max)

  /// Appends `entry` serialized and framed.
  public static func append(_ entry: CanalEntry, to output: inout [UInt8]) throws {
    let body: [UInt8] = try entry.serializedBytes()
    appendFrame(body, to: &output)
  }

  /// Appends an already serialized message (e.g. an `Entry` built by hand), framed.
  public static func appendFrame(_ message: some Collection<UInt8>, to output: inout [UInt8]) {
    appendVarint(UInt64(message.count), to: &output)
    output.append(contentsOf: message)
  }

  /// Appends `value` as a protobuf varint (7 bits per byte, low group first, high bit = more).
  public static func appendVarint(_ value: UInt64, to output: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
      output.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    output.append(UInt8(v))
  }

  /// Decodes every entry of a framed stream.
  public static func decodeEntries(
    _ bytes: [UInt8], maxMessageSize: Int = defaultMaxMessageSize
  ) throws(EntryFramingError) -> [CanalEntry] {
    let result = bytes.withUnsafeBytes { raw -> Result<[CanalEntry], EntryFramingError> in
      var reader = EntryFrameReader(raw, maxMessageSize: maxMessageSize)
      var entries: [CanalEntry] = []
      do throws(EntryFramingError) {
        while let entry = try reader.nextEntry() { entries.append(entry) }
      } catch {
        return .failure(error)
      }
      return .success(entries)
    }
    return try result.get()
  }
}

/// Reads length-delimited frames from borrowed bytes, without copying them.
///
/// The caller keeps the bytes alive while the reader and the frames it returned are in use.
public struct EntryFrameReader {
  public let bytes: UnsafeRawBufferPointer
  public let maxMessageSize: Int
  /// Offset of the next frame's length prefix.
  public private(set) var offset: Int = 0

  public init(
    _ bytes: UnsafeRawBufferPointer, maxMessageSize: Int = EntryFraming.defaultMaxMessageSize
  ) {
    self.bytes = bytes
    self.maxMessageSize = maxMessageSize
  }

  /// True when every frame has been read.
  public var isAtEnd: Bool { offset >= bytes.count }

  /// The next frame's message bytes (a slice of `bytes`), or `nil` at the end of the stream.
  /// On error the reader does not advance.
  public mutating func nextFrame() throws(EntryFramingError) -> UnsafeRawBufferPointer? {
    if isAtEnd { return nil }
    let start = offset
    var position = start
    var length: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard position < bytes.count else {
        throw EntryFramingError(
          .truncatedLength, offset: start,
          "the stream ends inside a length prefix (\(position - start) of up to 10 bytes)")
      }
      let byte = bytes[position]
      position += 1
      // The 10th byte may only carry the top bit of a 64-bit value.
      guard shift < 63 || byte <= 1 else {
        throw EntryFramingError(
          .malformedLength, offset: start, "the length prefix is longer than 10 bytes")
      }
      length |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { break }
      shift += 7
    }
    guard length <= UInt64(maxMessageSize) else {
      throw EntryFramingError(
        .oversize, offset: start,
        "frame length \(length) exceeds the limit of \(maxMessageSize) bytes")
    }
    let count = Int(length)
    guard count <= bytes.count - position else {
      throw EntryFramingError(
        .truncatedMessage, offset: start,
        "frame of \(count) bytes at body offset \(position) but only \(bytes.count - position) bytes remain"
      )
    }
    offset = position + count
    return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
  }

  /// The next frame decoded as a `CanalEntry`, or `nil` at the end of the stream.
  public mutating func nextEntry() throws(EntryFramingError) -> CanalEntry? {
    let start = offset
    guard let frame = try nextFrame() else { return nil }
    do {
      // Bytes fields are copied out by the decoder, so the entry does not borrow `bytes`.
      return try CanalEntry(serializedBytes: frame.bytes)
    } catch {
      offset = start
      throw EntryFramingError(.invalidEntry, offset: start, "frame is not a valid Entry: \(error)")
    }
  }
}

/// A framing or decoding failure, with the offset of the frame's length prefix.
public struct EntryFramingError: Error, CustomStringConvertible, Sendable {
  public enum Kind: String, Sendable {
    /// The stream ends inside a varint length prefix.
    case truncatedLength
    /// The length prefix is not a valid varint (more than 10 bytes).
    case malformedLength
    /// The length exceeds the reader's `maxMessageSize`.
    case oversize
    /// Fewer bytes remain than the length prefix announces.
    case truncatedMessage
    /// The frame is complete but is not a valid protobuf `Entry`.
    case invalidEntry
  }

  public var kind: Kind
  /// Offset of the frame's length prefix in the stream.
  public var offset: Int
  public var message: String

  public init(_ kind: Kind, offset: Int, _ message: String) {
    self.kind = kind
    self.offset = offset
    self.message = message
  }

  public var description: String { "Entry stream at offset \(offset): \(message)" }
}
