import BinlogFormat
import BinlogIO
import CZstd

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Proves an archive restores its original: every frame is decompressed (with the seek table's
/// and the frames' own checksums checked) and compared byte for byte with the original. Without
/// the original at hand it checks what the archive says about itself.
public enum ArchiveVerifier {
  public struct Report: Sendable, Equatable {
    public var seekable: Bool
    public var frames: Int
    /// Bytes the archive restores.
    public var restoredSize: UInt64
    /// True when the restored bytes were compared with an original.
    public var comparedWithOriginal: Bool
  }

  /// Decompresses all of `archive` (a seekable archive or a plain zstd stream) on `threads`
  /// threads, checking it against `original` when given. Both files are read front to back and
  /// their pages released behind the check, so memory stays flat whatever their size.
  public static func verify(
    archive: MappedFile, name: String, original originalFile: MappedFile?, threads: Int = 1
  ) throws(BinlogError) -> Report {
    let bytes = archive.bytes
    guard ZstdBinlog.isZstd(bytes) else {
      throw BinlogError(.notABinlog, "not a zstd file (bad magic bytes)", file: name, offset: 0)
    }
    if ZstdSeekTable.hasSeekableFooter(bytes) {
      return try verifySeekable(archive, name: name, original: originalFile, threads: threads)
    }
    // libzstd skips skippable frames: a seek table whose footer is damaged would pass as a
    // plain stream, though every seeking reader refuses the file.
    if let at = seekTableFrame(in: bytes) {
      throw BinlogError(
        .malformed, "the seek table (a skippable frame at offset \(at)) has no valid footer: the archive is damaged",
        file: name, offset: at)
    }
    let original = originalFile?.bytes
    var releaseOriginal = originalFile.map { PageRelease($0) }
    var restored: UInt64 = 0
    var frames = 0
    try ZstdStreamDecompression.run(archive, name: name, frames: &frames) { (chunk) throws(BinlogError) in
      if let original {
        let end = restored + UInt64(chunk.count)
        guard end <= UInt64(original.count) else {
          throw BinlogError(
            .malformed, "restores more than the original's \(original.count) bytes", file: name, offset: UInt64(original.count))
        }
        if let d = firstDifference(chunk, UnsafeRawBufferPointer(rebasing: original[Int(restored)..<Int(end)])) {
          throw BinlogError(.malformed, "restored bytes differ from the original", file: name, offset: restored + UInt64(d))
        }
      }
      restored += UInt64(chunk.count)
      releaseOriginal?.release(upTo: Int(restored))
    }
    if let original, restored != UInt64(original.count) {
      throw BinlogError(
        .truncated, "restores \(restored) bytes, the original has \(original.count)", file: name, offset: restored)
    }
    return Report(seekable: false, frames: frames, restoredSize: restored, comparedWithOriginal: original != nil)
  }

  /// Offset of a skippable frame with the seek table's magic number, found by walking the
  /// frames' headers (no decompression); nil when there is none.
  static func seekTableFrame(in bytes: UnsafeRawBufferPointer) -> UInt64? {
    var off = 0
    while off + 8 <= bytes.count {
      let magic = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: off, as: UInt32.self))
      if magic == ZstdSeekTable.skippableMagic { return UInt64(off) }
      let n = ZSTD_findFrameCompressedSize(bytes.baseAddress! + off, bytes.count - off)
      if ZSTD_isError(n) != 0 || n == 0 { return nil }
      off += n
    }
    return nil
  }

  private static func verifySeekable(
    _ archive: MappedFile, name: String, original originalFile: MappedFile?, threads: Int
  ) throws(BinlogError) -> Report {
    let bytes = archive.bytes
    let original = originalFile?.bytes
    let table = try ZstdSeekTable(parsingTailOf: bytes, name: name)
    if let original, table.decompressedSize != UInt64(original.count) {
      throw BinlogError(
        .malformed, "the seek table restores \(table.decompressedSize) bytes, the original has \(original.count)",
        file: name)
    }
    let pipeline = try OrderedWorkerPool<FrameDecompressor, Int, BinlogError?, Never>(
      threads: threads > 1 ? threads : 0,
      makeWorker: { () throws(BinlogError) in try FrameDecompressor() },
      work: { worker, index, _ in
        let f = table.frames[index]
        let out = worker.reserve(Int(f.decompressedSize))
        do throws(BinlogError) {
          try worker.decoder.decompress(frame: index, of: table, archive: bytes, into: out, name: name)
        } catch {
          return error
        }
        // No other frame reads these pages (shared edge pages go in order, below).
        archive.dontNeed(offset: Int(f.compressedOffset), length: Int(f.compressedSize))
        guard let originalFile else { return nil }
        let restored = UnsafeRawBufferPointer(rebasing: out[0..<Int(f.decompressedSize)])
        if let d = firstDifference(restored, originalFile, at: Int(f.decompressedOffset)) {
          return BinlogError(
            .malformed, "zstd frame \(index) restores bytes that differ from the original", file: name,
            offset: f.decompressedOffset + UInt64(d))
        }
        return nil
      })
    defer { pipeline.finish() }
    var next = 0
    var checked = 0
    var releaseArchive = PageRelease(archive)
    var releaseOriginal = originalFile.map { PageRelease($0) }
    let window = Swift.max(1, threads) * 2
    while next < table.frames.count || pipeline.outstanding > 0 {
      while next < table.frames.count && pipeline.outstanding < window {
        pipeline.submit(next)
        next += 1
      }
      if let e = pipeline.takeNext() { throw e }
      // Results come in order: frames up to `checked` are done with.
      let f = table.frames[checked]
      checked += 1
      releaseArchive.release(upTo: Int(f.compressedEnd))
      releaseOriginal?.release(upTo: Int(f.decompressedEnd))
    }
    return Report(
      seekable: true, frames: table.frames.count, restoredSize: table.decompressedSize, comparedWithOriginal: original != nil)
  }

  /// `firstDifference` of `restored` and the same number of bytes of `original` from `offset`,
  /// compared a piece at a time and each piece's pages released once compared: a frame's worth
  /// of the original is never resident at once.
  static func firstDifference(_ restored: UnsafeRawBufferPointer, _ original: MappedFile, at offset: Int) -> Int? {
    let step = 1 << 20
    var i = 0
    while i < restored.count {
      let n = Swift.min(step, restored.count - i)
      let expected = UnsafeRawBufferPointer(rebasing: original.bytes[(offset + i)..<(offset + i + n)])
      if let d = firstDifference(UnsafeRawBufferPointer(rebasing: restored[i..<(i + n)]), expected) { return i + d }
      original.dontNeed(offset: offset + i, length: n)
      i += n
    }
    return nil
  }

  /// Offset of the first differing byte, or nil when equal (same length assumed).
  static func firstDifference(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int? {
    let n = Swift.min(a.count, b.count)
    if n > 0 && memcmp(a.baseAddress!, b.baseAddress!, n) == 0 { return a.count == b.count ? nil : n }
    if n == 0 { return a.count == b.count ? nil : 0 }
    var i = 0
    while i < n && a[i] == b[i] { i += 1 }
    return i
  }
}

/// One worker's decoder and output buffer for whole frames. The buffer grows in powers of two:
/// reallocated frame by frame to slightly bigger sizes it would fragment the heap and memory
/// would grow with the file.
final class FrameDecompressor {
  let decoder: ZstdFrameDecoder
  private var buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
  init() throws(BinlogError) { decoder = try ZstdFrameDecoder() }
  deinit { if buffer.count > 0 { buffer.deallocate() } }

  /// A buffer of at least `n` bytes, valid until the next call.
  func reserve(_ n: Int) -> UnsafeMutableRawBufferPointer {
    if buffer.count < n {
      if buffer.count > 0 { buffer.deallocate() }
      var size = 1 << 20
      while size < n { size *= 2 }
      buffer = .allocate(byteCount: size, alignment: 16)
    }
    return buffer
  }
}

/// Streaming decompression of a whole zstd file (any number of frames, skippable ones
/// skipped) in bounded memory, chunk by chunk, releasing the file's pages behind it.
enum ZstdStreamDecompression {
  static func run(
    _ file: MappedFile, name: String, frames: inout Int,
    _ consume: (UnsafeRawBufferPointer) throws(BinlogError) -> Void
  ) throws(BinlogError) {
    let stream = try DecompressedByteStream(input: .mapped(file), name: name)
    let out = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { out.deallocate() }
    var release = PageRelease(file)
    while true {
      let n = try stream.read(into: out)
      if n == 0 { break }
      try consume(UnsafeRawBufferPointer(rebasing: out[0..<n]))
      release.release(upTo: Int(stream.compressedPosition))
    }
    frames = stream.framesCompleted
  }
}
