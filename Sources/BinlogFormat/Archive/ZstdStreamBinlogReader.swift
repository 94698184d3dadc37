#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import CZstd

/// Reads events from a zstd stream with no seek table (`zstd binlog.000001`, or any archive
/// piped in), decompressing as it goes into one reusable buffer that grows only to the largest
/// event seen: the same framing as `StreamBinlogReader`, in bounded memory. Concatenated and
/// skippable frames are fine. Fed bytes that are not zstd at all, it passes them through, so a
/// pipe can carry either a plain or a compressed binlog.
public final class ZstdStreamBinlogReader: EventSource {
  /// Where the compressed bytes come from.
  public enum Input {
    /// A whole file, mapped.
    case mapped(MappedFile)
    /// A file descriptor (stdin, a pipe); `prefix` holds bytes already read from it.
    case descriptor(Int32, prefix: [UInt8])
  }

  public var framer: EventFramer
  public private(set) var position: UInt64 = 0
  /// True when the input is zstd; false when it is passed through as is.
  public let isCompressed: Bool
  /// Compressed bytes consumed so far.
  public var compressedPosition: UInt64 { inputBase + UInt64(zin.pos) }
  /// zstd frames completed so far (skippable frames included).
  public private(set) var framesCompleted = 0

  private let input: Input
  private let dctx: OpaquePointer?
  private var zin = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
  /// Compressed offset of `zin.src[0]`.
  private var inputBase: UInt64 = 0
  private var inputBuffer = GrowableBuffer()
  private var inputEOF = false
  /// Compressed offset where the frame being decoded began.
  private var frameStart: UInt64 = 0
  /// ZSTD_decompressStream's last hint: 0 when it stopped at the end of a frame.
  private var lastHint = 0
  /// The frame being decoded is a skippable one (as far as the bytes at hand show).
  private var frameIsSkippable = false

  private var buffer: UnsafeMutableRawPointer
  private var capacity: Int
  private var start = 0
  private var end = 0
  private var eof = false
  /// Raised when the input ends or breaks; thrown once the bytes before it are used up.
  private var pendingError: BinlogError?

  public var name: String { framer.name }
  /// Name used in errors about the compressed bytes.
  public let archiveName: String
  public var format: FormatDescription { framer.format }
  public var checksumsVerified: Int { framer.checksumsVerified }

  /// `name` names the events (the original binlog's name); `archiveName` (default: `name`)
  /// names the compressed file in errors about it.
  public init(input: Input, name: String, archiveName: String? = nil, options: ReaderOptions = ReaderOptions()) throws(BinlogError) {
    framer = EventFramer(name: name, options: options)
    self.archiveName = archiveName ?? name
    capacity = 1 << 20
    buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    // Decide from the first four input bytes: a zstd frame or a skippable frame, or neither.
    let first: [UInt8]
    switch input {
    case .mapped(let file):
      self.input = input
      zin = ZSTD_inBuffer(src: file.bytes.baseAddress, size: file.count, pos: 0)
      inputEOF = true
      first = Array(file.bytes.prefix(4))
    case .descriptor(let fd, var prefix):
      while prefix.count < 4 {
        var b: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        let want = 4 - prefix.count
        let r = withUnsafeMutableBytes(of: &b) { read(fd, $0.baseAddress, want) }
        if r < 0 && errno == EINTR { continue }
        if r < 0 {
          buffer.deallocate()
          throw BinlogError(.io, "read error: \(String(cString: strerror(errno)))", file: name, offset: 0)
        }
        if r == 0 { break }
        withUnsafeBytes(of: &b) { prefix.append(contentsOf: $0.prefix(r)) }
      }
      self.input = .descriptor(fd, prefix: prefix)
      let b = inputBuffer.reserve(Swift.max(prefix.count, ZSTD_DStreamInSize()))
      prefix.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: b[0..<prefix.count]).copyMemory(from: $0) }
      zin = ZSTD_inBuffer(src: b.baseAddress, size: prefix.count, pos: 0)
      first = prefix
    }
    isCompressed = first.count == 4 && ZstdBinlog.isZstdMagic(first[0], first[1], first[2], first[3])
    frameIsSkippable = isCompressed && first[0] != 0x28
    if isCompressed {
      guard let d = ZSTD_createDCtx() else {
        buffer.deallocate()
        inputBuffer.free()
        throw BinlogError(.io, "cannot allocate a zstd decompression context", file: name)
      }
      dctx = d
    } else {
      dctx = nil
    }
    try fill(4)
    if end - start == 0 {
      if let e = pendingError { throw e }
      throw BinlogError(.notABinlog, "empty input (0 bytes\(isCompressed ? " after decompression" : "")): not a binlog", file: archiveName, offset: 0)
    }
    let b = UnsafeRawBufferPointer(start: buffer + start, count: end - start)
    if b.count < 4 || !zip(b.prefix(4), binlogMagic).allSatisfy({ $0 == $1 }) {
      throw BinlogError(
        .notABinlog, "Not a valid binary log: bad magic bytes\(isCompressed ? " after decompression" : "")", file: archiveName, offset: 0)
    }
    start += 4
    position = 4
  }

  deinit {
    buffer.deallocate()
    inputBuffer.free()
    if let dctx { ZSTD_freeDCtx(dctx) }
  }

  /// Reads more compressed bytes from the descriptor, keeping the unconsumed ones.
  private func refillDescriptor() throws(BinlogError) {
    guard case .descriptor(let fd, _) = input else {
      inputEOF = true
      return
    }
    let left = zin.size - zin.pos
    let want = Swift.max(ZSTD_DStreamInSize(), left * 2)
    let old = inputBuffer.pointer
    if old.count >= want {
      // zin.src points into `old`: slide the unconsumed tail to the front.
      if left > 0 && zin.pos > 0 { old.baseAddress!.copyMemory(from: zin.src! + zin.pos, byteCount: left) }
    } else {
      let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: want, alignment: 16)
      if left > 0 { grown.baseAddress!.copyMemory(from: zin.src! + zin.pos, byteCount: left) }
      inputBuffer.replace(with: grown)
    }
    let b = inputBuffer.pointer
    inputBase += UInt64(zin.pos)
    zin = ZSTD_inBuffer(src: b.baseAddress, size: left, pos: 0)
    while true {
      let r = read(fd, b.baseAddress! + left, b.count - left)
      if r < 0 {
        if errno == EINTR { continue }
        throw BinlogError(.io, "read error: \(String(cString: strerror(errno)))", file: archiveName, offset: position)
      }
      if r == 0 { inputEOF = true }
      zin.size = left + r
      return
    }
  }

  /// Makes at least `n` bytes available from `start`, unless the input ends first.
  private func fill(_ n: Int) throws(BinlogError) {
    if end - start >= n || eof { return }
    if n > capacity - start {
      if n > capacity {
        var newCap = capacity
        while newCap < n { newCap *= 2 }
        let nb = UnsafeMutableRawPointer.allocate(byteCount: newCap, alignment: 16)
        nb.copyMemory(from: buffer + start, byteCount: end - start)
        buffer.deallocate()
        buffer = nb
        capacity = newCap
      } else {
        buffer.copyMemory(from: buffer + start, byteCount: end - start)
      }
      end -= start
      start = 0
    }
    while end - start < n {
      if zin.pos == zin.size {
        if inputEOF {
          if isCompressed && lastHint != 0 {
            let what = frameIsSkippable ? "skippable frame \(framesCompleted) (the seek table?)" : "frame \(framesCompleted)"
            pendingError = BinlogError(
              .truncated,
              "the zstd stream ends inside \(what), which starts at compressed offset \(frameStart) (\(compressedPosition) bytes read): the archive is truncated",
              file: archiveName, offset: position + UInt64(end - start))
          }
          eof = true
          return
        }
        try refillDescriptor()
        continue
      }
      if !isCompressed {
        let k = Swift.min(zin.size - zin.pos, capacity - end)
        (buffer + end).copyMemory(from: zin.src! + zin.pos, byteCount: k)
        zin.pos += k
        end += k
        continue
      }
      var out = ZSTD_outBuffer(dst: buffer + end, size: capacity - end, pos: 0)
      let r = ZSTD_decompressStream(dctx, &out, &zin)
      if ZSTD_isError(r) != 0 {
        pendingError = BinlogError(
          .malformed,
          "zstd frame \(framesCompleted) (compressed offset \(frameStart)) is corrupt: \(String(cString: ZSTD_getErrorName(r)))",
          file: archiveName, offset: position + UInt64(end - start) + UInt64(out.pos))
        end += out.pos
        eof = true
        return
      }
      end += out.pos
      lastHint = r
      if r == 0 {
        framesCompleted += 1
        frameStart = compressedPosition
        frameIsSkippable = false
        if zin.size - zin.pos >= 4 {
          let m = UnsafeRawBufferPointer(start: zin.src! + zin.pos, count: 4)
          frameIsSkippable = m[0] & 0xF0 == 0x50 && m[1] == 0x2A && m[2] == 0x4D && m[3] == 0x18
        }
      }
    }
  }

  public func next() throws(BinlogError) -> RawEvent? {
    let need = framer.headerNeed
    try fill(need)
    let available = end - start
    if available == 0 {
      if let e = pendingError { throw e }
      return nil
    }
    if available < need {
      if let e = pendingError { throw e }
      throw BinlogError(
        .truncated, "only \(available) bytes left where a \(need)-byte event header should be: input truncated",
        file: name, offset: position)
    }
    let hb = UnsafeRawBufferPointer(start: buffer + start, count: need)
    let header = need == 13 ? EventHeader(v1: hb) : EventHeader(v4: hb)
    let size = Int(header.eventSize)
    if size <= (1 << 30) { try fill(size) }
    if end - start < size, let e = pendingError { throw e }
    let sz = try framer.eventSize(header: header, offset: position, available: end - start)
    let bytes = UnsafeRawBufferPointer(start: buffer + start, count: sz)
    let ev: RawEvent
    do {
      ev = try framer.accept(offset: position, header: header, bytes: bytes)
    } catch {
      // Framing is intact after a checksum mismatch: step over the event (see MappedBinlogReader).
      if error.kind == .checksumMismatch {
        start += sz
        position += UInt64(sz)
      }
      throw error
    }
    start += sz
    position += UInt64(sz)
    return ev
  }
}
