/// A window over bytes that arrive front to back (decompressed, or read from a descriptor): the
/// one buffer under every stream reader (`ByteStreamBinlogReader`, `PayloadEventReader`).
/// `fill(n)` makes `n` bytes readable by sliding the unread tail to the front, or by growing the
/// buffer when `n` does not fit, so it grows only to the largest request (the largest event),
/// never to the whole stream. Views handed out by `bytes(_:)` stay valid until the next `fill`.
/// Inlinable: the stream readers of BinlogIO call it for every event.
package struct ByteWindow: ~Copyable {
  @usableFromInline var buffer: UnsafeMutableRawPointer
  @usableFromInline var capacity: Int
  @usableFromInline var start = 0
  @usableFromInline var end = 0

  @inlinable package init(capacity: Int) {
    self.capacity = Swift.max(capacity, 16)
    buffer = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
  }

  deinit { buffer.deallocate() }

  /// Bytes readable now.
  @inlinable package var available: Int { end - start }

  /// The first `count` readable bytes (`count <= available`).
  @inlinable package func bytes(_ count: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: buffer + start, count: count)
  }

  /// Moves past `count` readable bytes.
  @inlinable package mutating func consume(_ count: Int) { start += count }

  /// Bytes already consumed that are still in the buffer (until the next `fill` moves them).
  @inlinable package var retained: Int { start }

  /// `count` bytes from `relative` bytes after the first readable byte; a negative `relative`
  /// reaches back into the retained bytes (`-retained <= relative`, `relative + count <= available`).
  @inlinable package func bytes(relative: Int, count: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: buffer + start + relative, count: count)
  }

  /// Makes at least `n` bytes readable unless the producer runs dry first. `produce` writes into
  /// the free space it is given and returns how many bytes it wrote, 0 at the end of its input.
  @inlinable package mutating func fill(_ n: Int, _ produce: (UnsafeMutableRawBufferPointer) throws(BinlogError) -> Int)
    throws(BinlogError)
  {
    if end - start >= n { return }
    if n > capacity - start {
      if n > capacity {
        var grown = capacity
        while grown < n { grown *= 2 }
        let nb = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
        nb.copyMemory(from: buffer + start, byteCount: end - start)
        buffer.deallocate()
        buffer = nb
        capacity = grown
      } else {
        buffer.copyMemory(from: buffer + start, byteCount: end - start)
      }
      end -= start
      start = 0
    }
    while end - start < n {
      let k = try produce(UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
      if k == 0 { return }
      end += k
    }
  }
}
