import BinlogFormat
import CZlib
import CZstd

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The bytes of a file or descriptor, decompressed on the fly when they start like zstd
/// (frames, skippable frames, several concatenated) or gzip (one or more members), passed
/// through unchanged otherwise. Reads front to back in bounded memory: one input buffer of
/// `ZSTD_DStreamInSize()` (or 64 KiB) and whatever the caller reads into.
public final class DecompressedByteStream {
  public enum Compression: String, Sendable {
    case none, zstd, gzip
  }

  /// Where the (possibly compressed) bytes come from.
  public enum Input {
    /// A whole file, mapped.
    case mapped(MappedFile)
    /// A file descriptor (stdin, a pipe); `prefix` holds bytes already read from it.
    case descriptor(Int32, prefix: [UInt8])
  }

  public private(set) var compression: Compression = .none
  /// Names the input in errors.
  public let name: String
  /// Bytes handed out so far (decompressed).
  public private(set) var position: UInt64 = 0
  /// Compressed bytes consumed so far.
  public var compressedPosition: UInt64 { inputBase + UInt64(inPos) }
  /// zstd frames (skippable ones included) or gzip members completed so far.
  public var framesCompleted: Int { compression == .gzip ? gzipMembers : zstdFrames }

  private let mapped: MappedFile?
  private let fd: Int32
  private var inBuffer = GrowableBuffer()
  /// The current input window: `inBase[inPos..<inSize]` is unconsumed.
  private var inBase: UnsafeRawPointer?
  private var inPos = 0
  private var inSize = 0
  private var inputBase: UInt64 = 0
  private var inputEOF = false
  private var finished = false
  /// Mapped input: the pages before this offset have been released.
  private var releasedUpTo = 0

  private var dctx: OpaquePointer?
  /// ZSTD_decompressStream's last hint: 0 when it stopped at the end of a frame.
  private var zstdHint = 0
  private var zstdFrames = 0
  private var zstdFrameStart: UInt64 = 0
  /// The zstd frame being decoded is a skippable one (as far as the bytes at hand show).
  private var zstdFrameIsSkippable = false
  private var zs: UnsafeMutablePointer<z_stream>?
  /// True between the first byte of a gzip member and its trailer.
  private var inGzipMember = false
  private var gzipMembers = 0

  /// Opens `input` and decides from its first four bytes whether it is zstd, gzip or plain.
  public init(input: Input, name: String) throws(BinlogError) {
    self.name = name
    var first: [UInt8]
    switch input {
    case .mapped(let file):
      mapped = file
      fd = -1
      inBase = file.bytes.baseAddress.map { UnsafeRawPointer($0) }
      inSize = file.count
      inputEOF = true
      first = Array(file.bytes.prefix(4))
    case .descriptor(let d, let prefix):
      mapped = nil
      fd = d
      first = prefix
      let b = inBuffer.reserve(Swift.max(1 << 16, ZSTD_DStreamInSize(), prefix.count))
      prefix.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: b[0..<prefix.count]).copyMemory(from: $0) }
      inBase = UnsafeRawPointer(b.baseAddress!)
      inSize = prefix.count
      while inSize < 4 && !inputEOF {
        try refill()
      }
      first = Array(UnsafeRawBufferPointer(start: inBase, count: Swift.min(inSize, 4)))
    }
    if first.count == 4 && ZstdBinlog.isZstdMagic(first[0], first[1], first[2], first[3]) {
      compression = .zstd
      zstdFrameIsSkippable = first[0] != 0x28
      guard let d = ZSTD_createDCtx() else {
        inBuffer.free()
        throw BinlogError(.io, "cannot allocate a zstd decompression context", file: name)
      }
      dctx = d
    } else if first.count >= 2 && first[0] == 0x1F && first[1] == 0x8B {
      compression = .gzip
      let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
      z.initialize(to: z_stream())
      // 16 + MAX_WBITS: gzip header and trailer, not raw zlib.
      guard inflateInit2_(z, 16 + 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        z.deallocate()
        inBuffer.free()
        throw BinlogError(.io, "cannot initialize zlib", file: name)
      }
      zs = z
    } else {
      compression = .none
    }
  }

  private static let releaseStep = 8 << 20
  private static let pageSize = Int(getpagesize())

  /// True when the four bytes start a gzip member (1F 8B 08: deflate).
  public static func isGzipMagic(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8) -> Bool { b0 == 0x1F && b1 == 0x8B && b2 == 0x08 }

  deinit {
    inBuffer.free()
    if let dctx { ZSTD_freeDCtx(dctx) }
    if let zs {
      inflateEnd(zs)
      zs.deallocate()
    }
  }

  /// Reads more input from the descriptor, keeping the unconsumed bytes.
  private func refill() throws(BinlogError) {
    guard mapped == nil else {
      inputEOF = true
      return
    }
    let left = inSize - inPos
    var b = inBuffer.pointer
    if left * 2 > b.count {
      let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: b.count * 2, alignment: 16)
      if left > 0 { grown.baseAddress!.copyMemory(from: inBase! + inPos, byteCount: left) }
      inBuffer.replace(with: grown)
      b = grown
    } else if left > 0 && inPos > 0 {
      b.baseAddress!.copyMemory(from: inBase! + inPos, byteCount: left)
    }
    inputBase += UInt64(inPos)
    inBase = UnsafeRawPointer(b.baseAddress!)
    inPos = 0
    inSize = left
    while true {
      let r = Glibc.read(fd, b.baseAddress! + left, b.count - left)
      if r < 0 {
        if errno == EINTR { continue }
        throw BinlogError(.io, "read error: \(String(cString: strerror(errno)))", file: name, offset: compressedPosition)
      }
      if r == 0 { inputEOF = true }
      inSize = left + r
      return
    }
  }

  /// Reads up to `into.count` bytes; returns 0 only at the end of the data. A truncated or
  /// corrupt compressed input throws once the bytes before the damage are handed out.
  public func read(into out: UnsafeMutableRawBufferPointer) throws(BinlogError) -> Int {
    if finished || out.count == 0 { return 0 }
    while true {
      if inPos == inSize && compression == .none && !inputEOF {
        // Plain bytes from a descriptor: straight into the caller's buffer, no copy.
        let r = Glibc.read(fd, out.baseAddress!, out.count)
        if r < 0 {
          if errno == EINTR { continue }
          throw BinlogError(.io, "read error: \(String(cString: strerror(errno)))", file: name, offset: position)
        }
        if r == 0 {
          inputEOF = true
          continue
        }
        position += UInt64(r)
        inputBase += UInt64(r)
        return r
      }
      if inPos == inSize {
        if inputEOF {
          try endOfInput()
          finished = true
          return 0
        }
        try refill()
        continue
      }
      let n: Int
      switch compression {
      case .none:
        n = Swift.min(out.count, inSize - inPos)
        out.baseAddress!.copyMemory(from: inBase! + inPos, byteCount: n)
        inPos += n
      case .zstd:
        n = try zstdStep(out)
      case .gzip:
        n = try gzipStep(out)
        if finished && n == 0 { return 0 }
      }
      if n > 0 {
        position += UInt64(n)
        if let mapped, inPos - releasedUpTo >= Self.releaseStep {
          // Keep memory flat on big files: consumed compressed bytes are not read again.
          mapped.dontNeed(offset: releasedUpTo, length: inPos - releasedUpTo)
          releasedUpTo = inPos & ~(Self.pageSize - 1)
        }
        return n
      }
    }
  }

  /// Reads `count` bytes, fewer only at the end of the data (e.g. to look at a magic number).
  public func read(upTo count: Int) throws(BinlogError) -> [UInt8] {
    let b = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 8)
    defer { b.deallocate() }
    var have = 0
    while have < count {
      let r = try read(into: UnsafeMutableRawBufferPointer(rebasing: b[have...]))
      if r == 0 { break }
      have += r
    }
    return Array(b[0..<have])
  }

  private func zstdStep(_ out: UnsafeMutableRawBufferPointer) throws(BinlogError) -> Int {
    var zin = ZSTD_inBuffer(src: inBase, size: inSize, pos: inPos)
    var zout = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
    let r = ZSTD_decompressStream(dctx, &zout, &zin)
    inPos = zin.pos
    if ZSTD_isError(r) != 0 {
      throw BinlogError(
        .malformed,
        "zstd frame \(zstdFrames) (compressed offset \(zstdFrameStart)) is corrupt: \(String(cString: ZSTD_getErrorName(r)))",
        file: name, offset: position + UInt64(zout.pos))
    }
    zstdHint = r
    if r == 0 {
      zstdFrames += 1
      zstdFrameStart = compressedPosition
      zstdFrameIsSkippable = false
      if inSize - inPos >= 4 {
        let m = UnsafeRawBufferPointer(start: inBase! + inPos, count: 4)
        zstdFrameIsSkippable = m[0] & 0xF0 == 0x50 && m[1] == 0x2A && m[2] == 0x4D && m[3] == 0x18
      }
    }
    return zout.pos
  }

  private func gzipStep(_ out: UnsafeMutableRawBufferPointer) throws(BinlogError) -> Int {
    guard let zs else { return 0 }
    if !inGzipMember {
      // Between members: another member, or trailing bytes that are not gzip (ignored, as gzip -d warns and stops).
      let left = inSize - inPos
      if left < 3 && !inputEOF {
        try refill()
        return 0
      }
      let p = inBase! + inPos
      if left < 3 || !Self.isGzipMagic(p.load(as: UInt8.self), (p + 1).load(as: UInt8.self), (p + 2).load(as: UInt8.self)) {
        if gzipMembers == 0 {
          throw BinlogError(.malformed, "not a gzip stream (bad header)", file: name, offset: compressedPosition)
        }
        finished = true
        return 0
      }
      inflateReset(zs)
      inGzipMember = true
    }
    zs.pointee.next_in = UnsafeMutablePointer(mutating: (inBase! + inPos).assumingMemoryBound(to: Bytef.self))
    zs.pointee.avail_in = uInt(Swift.min(inSize - inPos, Int(UInt32.max)))
    zs.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
    zs.pointee.avail_out = uInt(Swift.min(out.count, Int(UInt32.max)))
    let before = zs.pointee.avail_in
    let rc = inflate(zs, Z_NO_FLUSH)
    inPos += Int(before - zs.pointee.avail_in)
    let n = out.count - Int(zs.pointee.avail_out)
    switch rc {
    case Z_OK, Z_BUF_ERROR:
      break
    case Z_STREAM_END:
      inGzipMember = false
      gzipMembers += 1
    default:
      let why = zs.pointee.msg.map { String(cString: $0) } ?? "code \(rc)"
      throw BinlogError(
        .malformed, "gzip member \(gzipMembers) is corrupt: \(why)", file: name, offset: position + UInt64(n))
    }
    return n
  }

  /// The input ended: fine between frames or members, truncation inside one.
  private func endOfInput() throws(BinlogError) {
    switch compression {
    case .none:
      return
    case .zstd:
      if zstdHint != 0 {
        let frame = zstdFrameIsSkippable ? "skippable frame \(zstdFrames) (the seek table?)" : "frame \(zstdFrames)"
        throw BinlogError(
          .truncated,
          "the zstd stream ends inside \(frame), which starts at compressed offset \(zstdFrameStart) (\(compressedPosition) bytes read): the input is truncated",
          file: name, offset: position)
      }
    case .gzip:
      if inGzipMember || gzipMembers == 0 {
        throw BinlogError(
          .truncated,
          "the gzip stream ends inside member \(gzipMembers) (\(compressedPosition) bytes read): the input is truncated",
          file: name, offset: position)
      }
    }
  }
}
