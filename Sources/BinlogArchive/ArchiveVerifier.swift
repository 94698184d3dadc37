#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import BinlogFormat
import CZstd

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
  /// threads, checking it against `original` when given.
  public static func verify(
    archive: MappedFile, name: String, original: UnsafeRawBufferPointer?, threads: Int = 1
  ) throws(BinlogError) -> Report {
    let bytes = archive.bytes
    guard ZstdBinlog.isZstd(bytes) else {
      throw BinlogError(.notABinlog, "not a zstd file (bad magic bytes)", file: name, offset: 0)
    }
    if ZstdSeekTable.hasSeekableFooter(bytes) {
      return try verifySeekable(bytes, name: name, original: original, threads: threads)
    }
    var restored: UInt64 = 0
    var frames = 0
    try ZstdStreamDecompression.run(bytes, name: name, frames: &frames) { (chunk) throws(BinlogError) in
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
    }
    if let original, restored != UInt64(original.count) {
      throw BinlogError(
        .truncated, "restores \(restored) bytes, the original has \(original.count)", file: name, offset: restored)
    }
    return Report(seekable: false, frames: frames, restoredSize: restored, comparedWithOriginal: original != nil)
  }

  private final class Checker {
    let decoder: ZstdFrameDecoder
    var buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    init() throws(BinlogError) { decoder = try ZstdFrameDecoder() }
    deinit { if buffer.count > 0 { buffer.deallocate() } }
    func reserve(_ n: Int) -> UnsafeMutableRawBufferPointer {
      if buffer.count < n {
        if buffer.count > 0 { buffer.deallocate() }
        buffer = .allocate(byteCount: Swift.max(n, 1), alignment: 16)
      }
      return buffer
    }
  }

  private static func verifySeekable(
    _ bytes: UnsafeRawBufferPointer, name: String, original: UnsafeRawBufferPointer?, threads: Int
  ) throws(BinlogError) -> Report {
    let table = try ZstdSeekTable(parsingTailOf: bytes, name: name)
    if let original, table.decompressedSize != UInt64(original.count) {
      throw BinlogError(
        .malformed, "the seek table restores \(table.decompressedSize) bytes, the original has \(original.count)",
        file: name)
    }
    let pipeline = try OrderedPipeline<Checker, Int, BinlogError?>(
      threads: threads > 1 ? threads : 0,
      makeWorker: { () throws(BinlogError) in try Checker() },
      work: { checker, index in
        let f = table.frames[index]
        let out = checker.reserve(Int(f.decompressedSize))
        do throws(BinlogError) {
          try checker.decoder.decompress(frame: index, of: table, archive: bytes, into: out, name: name)
        } catch {
          return error
        }
        guard let original else { return nil }
        let restored = UnsafeRawBufferPointer(rebasing: out[0..<Int(f.decompressedSize)])
        let expected = UnsafeRawBufferPointer(rebasing: original[Int(f.decompressedOffset)..<Int(f.decompressedEnd)])
        if let d = firstDifference(restored, expected) {
          return BinlogError(
            .malformed, "zstd frame \(index) restores bytes that differ from the original", file: name,
            offset: f.decompressedOffset + UInt64(d))
        }
        return nil
      })
    defer { pipeline.finish() }
    var next = 0
    let window = Swift.max(1, threads) * 2
    while next < table.frames.count || pipeline.outstanding > 0 {
      while next < table.frames.count && pipeline.outstanding < window {
        pipeline.submit(next)
        next += 1
      }
      if let e = pipeline.takeNext() { throw e }
    }
    return Report(
      seekable: true, frames: table.frames.count, restoredSize: table.decompressedSize, comparedWithOriginal: original != nil)
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

/// Streaming decompression of a whole zstd file (any number of frames, skippable ones
/// skipped) in bounded memory, chunk by chunk.
enum ZstdStreamDecompression {
  static func run(
    _ input: UnsafeRawBufferPointer, name: String, frames: inout Int,
    _ consume: (UnsafeRawBufferPointer) throws(BinlogError) -> Void
  ) throws(BinlogError) {
    guard let dctx = ZSTD_createDCtx() else { throw BinlogError(.io, "cannot allocate a zstd decompression context") }
    defer { ZSTD_freeDCtx(dctx) }
    let outSize = Swift.max(ZSTD_DStreamOutSize(), 1 << 20)
    let out = UnsafeMutableRawBufferPointer.allocate(byteCount: outSize, alignment: 16)
    defer { out.deallocate() }
    var zin = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
    var hint = 0
    var frameStart = 0
    var restored: UInt64 = 0
    frames = 0
    while zin.pos < zin.size || hint != 0 {
      var zout = ZSTD_outBuffer(dst: out.baseAddress, size: outSize, pos: 0)
      let before = zin.pos
      let r = ZSTD_decompressStream(dctx, &zout, &zin)
      if ZSTD_isError(r) != 0 {
        throw BinlogError(
          .malformed,
          "zstd frame \(frames) (compressed offset \(frameStart)) is corrupt: \(String(cString: ZSTD_getErrorName(r)))",
          file: name, offset: restored + UInt64(zout.pos))
      }
      if zout.pos > 0 { try consume(UnsafeRawBufferPointer(rebasing: out[0..<zout.pos])) }
      restored += UInt64(zout.pos)
      hint = r
      if r == 0 {
        frames += 1
        frameStart = zin.pos
      } else if zin.pos == zin.size && zout.pos == 0 && zin.pos == before {
        throw BinlogError(
          .truncated,
          "the zstd stream ends inside frame \(frames) (started at compressed offset \(frameStart)): the archive is truncated",
          file: name, offset: restored)
      }
    }
  }
}
