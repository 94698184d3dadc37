import BinlogFormat
import NIOCore

/// Writes one Entry as a `Messages` field (tag 2, then what `MappedEntry.appendFramedEntry`
/// appends: the Entry's length as a varint and its bytes) at the end of a buffer, which a batch
/// reply then writes to the socket as it is.
struct EntryFieldWriter: ByteAppender {
  private(set) var buffer: ByteBuffer
  private let start: Int

  /// A field at the end of `buffer` (which should be the only reference to its memory, else the
  /// first write copies it; capacity beyond it is grown into).
  init(appendingTo buffer: consuming ByteBuffer) {
    self.buffer = buffer
    start = buffer.writerIndex
    self.buffer.writeInteger(UInt8(0x12))  // Messages field 2 (messages), length-delimited
  }

  /// A field in a buffer of its own, of about `capacity` bytes.
  init(capacity: Int) {
    self.init(appendingTo: ByteBufferAllocator().buffer(capacity: capacity))
  }

  var count: Int { buffer.writerIndex - start }

  mutating func append(_ byte: UInt8) { buffer.writeInteger(byte) }

  mutating func append(contentsOf bytes: UnsafeRawBufferPointer) { buffer.writeBytes(bytes) }

  mutating func removeLast(_ n: Int) { buffer.moveWriterIndex(to: buffer.writerIndex - n) }

  mutating func write(upTo n: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
    guard n > 0 else { return }
    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: n) { body($0.baseAddress!) }
  }

  /// The buffer, where the field is in it, and the length of the Entry (read back from its varint).
  func finish() -> (buffer: ByteBuffer, range: Range<Int>, size: Int) {
    var size = 0
    var shift = 0
    var i = start + 1
    while let b = buffer.getInteger(at: i, as: UInt8.self) {
      size |= Int(b & 0x7F) << shift
      i += 1
      if b < 0x80 { break }
      shift += 7
    }
    return (buffer, start..<buffer.writerIndex, size)
  }

  /// The buffer as it was before this field (after a failed write).
  func abandon() -> ByteBuffer {
    var b = buffer
    b.moveWriterIndex(to: start)
    return b
  }
}
