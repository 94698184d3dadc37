/// Where value formatters append text: a `[UInt8]`, or a `RawTextBuffer` on hot paths.
///
/// Formatters are generic over it and `@inlinable`, so each caller gets code specialized for its
/// buffer: no witness-table call per byte.
public protocol ByteAppender {
  var count: Int { get }
  mutating func append(_ byte: UInt8)
  mutating func append(contentsOf bytes: UnsafeRawBufferPointer)
  mutating func removeLast(_ n: Int)
  /// Lets `body` write up to `n` bytes at once at the end; `body` returns how many it wrote.
  mutating func write(upTo n: Int, _ body: (UnsafeMutableRawPointer) -> Int)
}

extension Array: ByteAppender where Element == UInt8 {
  /// An array has no uninitialized tail to write into: up to 512 bytes go through a buffer on
  /// the stack; more are written in place over `n` zero bytes appended first (capacity grown
  /// geometrically), then trimmed. (A temporary buffer of that size came from the heap: one
  /// allocation per long value.)
  @inlinable public mutating func write(upTo n: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
    guard n > 0 else { return }
    if n <= 512 {
      withUnsafeTemporaryAllocation(byteCount: n, alignment: 8) { t in
        let k = body(t.baseAddress!)
        append(contentsOf: UnsafeRawBufferPointer(rebasing: t[0..<k]))
      }
      return
    }
    let old = count
    if capacity &- old < n { reserveCapacity(Swift.max(old &+ n, capacity &* 2)) }
    append(contentsOf: repeatElement(0, count: n))
    let k = withUnsafeMutableBytes { body($0.baseAddress! + old) }
    removeLast(n &- k)
  }
}

/// A growable byte buffer over raw memory: an append is a capacity check and a store, without the
/// uniqueness, exclusivity and retain work of appending to an array held by a class.
///
/// A value type over memory it does not free by itself: exactly one owner (an exporter) keeps it,
/// moves it into a local variable for a burst of appends, stores it back, and calls `deallocate()`
/// once at the end. Copies must not outlive a `reserve` on another copy (growing moves the bytes).
public struct RawTextBuffer: ByteAppender {
  /// Copies `n > 0` bytes from `src` to `dst`: keys, numbers and short strings as two
  /// overlapping word copies instead of a memmove call.
  @inlinable @inline(__always) public static func copy(_ src: UnsafeRawPointer, _ n: Int, to dst: UnsafeMutableRawPointer) {
    if n >= 8 && n <= 16 {
      dst.storeBytes(of: src.loadUnaligned(as: UInt64.self), as: UInt64.self)
      (dst + (n &- 8)).storeBytes(of: src.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), as: UInt64.self)
    } else if n >= 4 && n < 8 {
      dst.storeBytes(of: src.loadUnaligned(as: UInt32.self), as: UInt32.self)
      (dst + (n &- 4)).storeBytes(of: src.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self), as: UInt32.self)
    } else if n < 4 {
      dst.storeBytes(of: src.load(as: UInt8.self), as: UInt8.self)
      if n > 1 { dst.storeBytes(of: src.load(fromByteOffset: 1, as: UInt8.self), toByteOffset: 1, as: UInt8.self) }
      if n > 2 { dst.storeBytes(of: src.load(fromByteOffset: 2, as: UInt8.self), toByteOffset: 2, as: UInt8.self) }
    } else {
      dst.copyMemory(from: src, byteCount: n)
    }
  }

  @usableFromInline var base: UnsafeMutableRawPointer
  @usableFromInline var used: Int
  @usableFromInline var capacity: Int

  @inlinable public var count: Int { used }

  public init(capacity: Int = 1 << 16) {
    self.capacity = Swift.max(64, capacity)
    base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    used = 0
  }

  /// Frees the memory; the buffer must not be used afterwards.
  public func deallocate() { base.deallocate() }

  /// The bytes written so far (valid until the next append or `removeAll`).
  @inlinable public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  @inlinable public var isEmpty: Bool { count == 0 }

  /// Makes room for `n` more bytes.
  @inlinable @inline(__always) public mutating func reserve(_ n: Int) {
    if capacity &- count < n { grow(n) }
  }

  @usableFromInline mutating func grow(_ n: Int) {
    var c = capacity
    while c - count < n { c *= 2 }
    let p = UnsafeMutableRawPointer.allocate(byteCount: c, alignment: 16)
    p.copyMemory(from: base, byteCount: count)
    base.deallocate()
    base = p
    capacity = c
  }

  @inlinable @inline(__always) public mutating func append(_ byte: UInt8) {
    reserve(1)
    base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
    used &+= 1
  }

  @inlinable @inline(__always) public mutating func append(contentsOf b: UnsafeRawBufferPointer) {
    let n = b.count
    guard n > 0, let src = b.baseAddress else { return }
    reserve(n)
    let dst = base + used
    RawTextBuffer.copy(src, n, to: dst)
    used &+= n
  }

  /// Writes up to `n` bytes straight into the buffer: `body` gets room for `n` bytes and returns
  /// how many it wrote.
  @inlinable @inline(__always) public mutating func write(upTo n: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
    reserve(n)
    used &+= body(base + used)
  }

  @inlinable public mutating func removeLast(_ n: Int) {
    precondition(n >= 0 && n <= count)
    used &-= n
  }

  @inlinable public mutating func removeAll() { used = 0 }
}
