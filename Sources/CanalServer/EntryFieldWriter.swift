import BinlogFormat
import NIOCore

/// Writes one Entry as a `Messages` field (tag 2, then what `MappedEntry.appendFramedEntry`
/// appends: the Entry's length as a varint and its bytes) into a buffer of its own, which a
/// batch reply then writes to the socket as it is.
struct EntryFieldWriter: ByteAppender {
  private var buffer: ByteBuffer

  /// A field of about `capacity` bytes (more is grown into).
  init(capacity: Int) {
    buffer = ByteBufferAllocator().buffer(capacity: capacity)
    buffer.writeInteger(UInt8(0x12))  // Messages field 2 (messages), length-delimited
  }

  var count: Int { buffer.readableBytes }

  mutating func append(_ byte: UInt8) { buffer.writeInteger(byte) }

  mutating func append(contentsOf bytes: UnsafeRawBufferPointer) { buffer.writeBytes(bytes) }

  mutating func removeLast(_ n: Int) { buffer.moveWriterIndex(to: buffer.writerIndex - n) }

  mutating func write(upTo n: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
    guard n > 0 else { return }
    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: n) { body($0.baseAddress!) }
  }

  /// The field and the length of the Entry in it (read back from its varint).
  func finish() -> (field: ByteBuffer, size: Int) {
    var size = 0
    var shift = 0
    var i = buffer.readerIndex + 1
    while let b = buffer.getInteger(at: i, as: UInt8.self) {
      size |= Int(b & 0x7F) << shift
      i += 1
      if b < 0x80 { break }
      shift += 7
    }
    return (buffer, size)
  }
}
