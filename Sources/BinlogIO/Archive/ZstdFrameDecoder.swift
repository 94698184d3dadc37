import BinlogFormat
import CZstd

/// Decompresses single frames of a seekable archive and checks each one against its seek-table
/// entry: the frame's own magic and size, the decompressed size, and the checksum. One decoder
/// per thread (it owns a `ZSTD_DCtx`).
public final class ZstdFrameDecoder {
  private let dctx: OpaquePointer

  public init() throws(BinlogError) {
    guard let d = ZSTD_createDCtx() else { throw BinlogError(.io, "cannot allocate a zstd decompression context") }
    dctx = d
  }

  deinit { ZSTD_freeDCtx(dctx) }

  /// Checks what can be checked without decompressing: the frame starts with the zstd magic
  /// and, when its header declares a content size, that size is the seek table's. Lets a
  /// reader refuse a lying table before allocating what it claims.
  public static func checkHeader(frame index: Int, of table: ZstdSeekTable, archive: UnsafeRawBufferPointer, name: String)
    throws(BinlogError)
  {
    let f = table.frames[index]
    if f.decompressedSize == 0 { return }
    // The seek table's sizes were checked to add up to the data area, so the range is in bounds.
    let src = UnsafeRawBufferPointer(rebasing: archive[Int(f.compressedOffset)..<Int(f.compressedEnd)])
    guard src.count >= 4 else { throw failure(.malformed, "\(src.count) bytes cannot hold a zstd frame", index, table, name) }
    let magic = ZstdSeekTable.le32(src, 0)
    guard magic == ZstdSeekTable.zstdFrameMagic else {
      throw failure(
        .malformed, "no zstd frame here (magic 0x\(String(magic, radix: 16))): the seek table does not match the file", index,
        table, name)
    }
    let declared = ZSTD_getFrameContentSize(src.baseAddress, src.count)
    // UInt64.max: unknown (streamed frame); UInt64.max - 1: header error (reported on decompression).
    if declared < UInt64.max - 1 && declared != UInt64(f.decompressedSize) {
      // Several frames under one entry may still add up: only a single frame is judged here.
      if ZSTD_findFrameCompressedSize(src.baseAddress, src.count) == src.count {
        throw failure(
          .malformed, "the frame holds \(declared) bytes, the seek table says \(f.decompressedSize)", index, table, name)
      }
    }
  }

  static func failure(_ kind: BinlogError.Kind, _ what: String, _ index: Int, _ table: ZstdSeekTable, _ name: String)
    -> BinlogError
  {
    let f = table.frames[index]
    return BinlogError(
      kind,
      "zstd frame \(index) of \(table.frames.count) (archive bytes \(f.compressedOffset)..<\(f.compressedEnd), binlog bytes \(f.decompressedOffset)..<\(f.decompressedEnd)): \(what)",
      file: name, offset: f.decompressedOffset)
  }

  /// Decompresses frame `index` of `table` out of `archive` (the whole archive file) into
  /// `output`, which must hold at least the frame's decompressed size. Errors name the frame,
  /// its archive bytes and the binlog offsets it should restore.
  public func decompress(
    frame index: Int, of table: ZstdSeekTable, archive: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
    name: String
  ) throws(BinlogError) {
    let f = table.frames[index]
    func fail(_ kind: BinlogError.Kind, _ what: String) -> BinlogError { Self.failure(kind, what, index, table, name) }
    try Self.checkHeader(frame: index, of: table, archive: archive, name: name)
    if f.decompressedSize == 0 { return }
    let src = UnsafeRawBufferPointer(rebasing: archive[Int(f.compressedOffset)..<Int(f.compressedEnd)])
    precondition(output.count >= Int(f.decompressedSize))
    let r = ZSTD_decompressDCtx(dctx, output.baseAddress, Int(f.decompressedSize), src.baseAddress, src.count)
    if ZSTD_isError(r) != 0 {
      let msg = String(cString: ZSTD_getErrorName(r))
      if msg.contains("Destination buffer is too small") {
        throw fail(.malformed, "decompresses to more than the \(f.decompressedSize) bytes the seek table says")
      }
      if msg.contains("checksum") {
        throw fail(.checksumMismatch, "zstd: \(msg): the frame is corrupt")
      }
      throw fail(.malformed, "zstd: \(msg): the frame is corrupt")
    }
    guard r == Int(f.decompressedSize) else {
      throw fail(.malformed, "decompresses to \(r) bytes, the seek table says \(f.decompressedSize)")
    }
    guard let expected = f.checksum else { return }
    let actual: UInt32
    if Self.singleFrameChecksum(src) != nil && ZSTD_findFrameCompressedSize(src.baseAddress, src.count) == src.count {
      // libzstd has already verified the frame's own XXH64 checksum against the bytes it produced.
      actual = Self.singleFrameChecksum(src)!
    } else {
      actual = XXH64.checksum32(UnsafeRawBufferPointer(start: output.baseAddress, count: Int(f.decompressedSize)))
    }
    guard actual == expected else {
      throw fail(
        .checksumMismatch,
        "checksum 0x\(hex32(actual)) of the decompressed bytes differs from the seek table's 0x\(hex32(expected))")
    }
  }

  /// The content checksum stored at the end of a zstd frame, when its header says it has one
  /// (Frame_Header_Descriptor bit 2).
  static func singleFrameChecksum(_ frame: UnsafeRawBufferPointer) -> UInt32? {
    guard frame.count >= 9, frame[4] & 0x04 != 0 else { return nil }
    return ZstdSeekTable.le32(frame, frame.count - 4)
  }
}
