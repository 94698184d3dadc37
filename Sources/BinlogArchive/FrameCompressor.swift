import BinlogFormat
import CZstd

/// One compressed frame, ready to be written, with what its seek-table entry needs.
struct CompressedFrame {
  var bytes: [UInt8]
  var decompressedSize: UInt32
  /// Low 32 bits of XXH64 of the frame's content: the zstd frame checksum, which is exactly
  /// what the seek table's Checksum field holds, so it is copied rather than computed again.
  var checksum: UInt32
}

/// Compresses byte ranges into independent zstd frames, each with its content size and content
/// checksum in the frame (so `zstd -d` checks it) and a window that covers the whole frame.
/// One per thread: it owns a `ZSTD_CCtx`.
final class FrameCompressor {
  private let cctx: OpaquePointer

  init(level: Int32, maxFrameSize: Int) throws(BinlogError) {
    guard let c = ZSTD_createCCtx() else { throw BinlogError(.io, "cannot allocate a zstd compression context") }
    cctx = c
    try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level), "compression level \(level)")
    try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1), "checksum flag")
    // Back-references may reach the start of the frame (at most 128 MiB, so that `zstd -d`
    // needs no --memory option); zstd lowers it again for a smaller frame.
    var log: Int32 = 10
    while log < 27 && (1 << log) < maxFrameSize { log += 1 }
    try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, log), "window log \(log)")
  }

  deinit { ZSTD_freeCCtx(cctx) }

  private func check(_ r: Int, _ what: String) throws(BinlogError) {
    if ZSTD_isError(r) != 0 {
      throw BinlogError(.unsupported, "zstd refuses \(what): \(String(cString: ZSTD_getErrorName(r)))")
    }
  }

  func compress(_ src: UnsafeRawBufferPointer) -> Result<CompressedFrame, BinlogError> {
    let bound = ZSTD_compressBound(src.count)
    var written = 0
    var failure: String?
    let out = [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
      let r = ZSTD_compress2(cctx, buf.baseAddress, bound, src.baseAddress, src.count)
      if ZSTD_isError(r) != 0 {
        failure = String(cString: ZSTD_getErrorName(r))
        count = 0
      } else {
        count = r
      }
      written = count
    }
    if let failure { return .failure(BinlogError(.io, "zstd compression failed: \(failure)")) }
    let checksum =
      UInt32(out[written - 4]) | UInt32(out[written - 3]) << 8 | UInt32(out[written - 2]) << 16 | UInt32(out[written - 1]) << 24
    return .success(CompressedFrame(bytes: out, decompressedSize: UInt32(src.count), checksum: checksum))
  }
}
