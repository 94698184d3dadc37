import BinlogFormat
import BinlogIO
import CZstd

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How to compress.
public struct ArchiveSettings: Sendable, Equatable {
  /// zstd level (1...19 sensible; negative levels are faster).
  public var level: Int32
  /// Target uncompressed bytes per frame; frames end at the first transaction boundary past it.
  public var frameSize: Int
  /// Compression threads (frames are compressed in parallel and written in order).
  public var threads: Int

  public static let defaultFrameSize = 4 << 20
  public static let minimumFrameSize = 1 << 10
  public static let maximumFrameSize = 256 << 20

  public init(level: Int32 = 3, frameSize: Int = ArchiveSettings.defaultFrameSize, threads: Int = 1) {
    self.level = level
    self.frameSize = frameSize
    self.threads = threads
  }

  /// Levels libzstd accepts.
  public static var levels: ClosedRange<Int32> { ZSTD_minCLevel()...ZSTD_maxCLevel() }
}

/// What writing an archive produced.
public struct ArchiveStatistics: Sendable, Equatable {
  public var originalSize: UInt64 = 0
  /// Whole archive, seek table included.
  public var archiveSize: UInt64 = 0
  public var frames = 0
  public var transactionCuts = 0
  public var eventCuts = 0
  public var blindCuts = 0
  /// Where event framing failed (a damaged binlog is archived all the same), if it did.
  public var framingStoppedAt: Int?

  public var ratio: Double { archiveSize == 0 ? 0 : Double(originalSize) / Double(archiveSize) }
}

/// Writes the zstd seekable format: independent frames cut by `FramePlanner`, compressed on
/// `settings.threads` threads and written in order, then the seek table. At most two frames per
/// thread are in memory at once, and the source's pages are released once their frame is
/// written, so memory stays flat whatever the file's size.
public enum ArchiveWriter {
  public static func write(
    source: MappedFile, name: String, to fd: Int32, outputName: String, settings: ArchiveSettings
  ) throws(BinlogError) -> ArchiveStatistics {
    var planner = FramePlanner(file: source, name: name, frameSize: settings.frameSize)
    let threads = Swift.max(1, settings.threads)
    let maxFrame = planner.hardLimit
    let level = settings.level
    let bytes = source.bytes
    let pipeline = try OrderedWorkerPool<FrameCompressor, Range<Int>, Result<CompressedFrame, BinlogError>, Never>(
      threads: threads > 1 ? threads : 0,
      makeWorker: { () throws(BinlogError) in try FrameCompressor(level: level, maxFrameSize: maxFrame) },
      work: { compressor, range, _ in
        let frame = compressor.compress(UnsafeRawBufferPointer(rebasing: bytes[range]))
        // The planner is past this range and no other frame reads it: drop its pages now (the
        // ones it shares with a neighbour go in order, below).
        source.dontNeed(offset: range.lowerBound, length: range.count)
        return frame
      })
    defer { pipeline.finish() }
    var table = ZstdSeekTable(checksums: true)
    var written: UInt64 = 0
    var compressedUpTo = 0
    var release = PageRelease(source)
    var planning = true
    let window = threads * 2
    while true {
      while planning && pipeline.outstanding < window {
        guard let range = planner.nextFrame() else {
          planning = false
          break
        }
        // The planner touched the range's event headers: drop those pages until a compressor
        // reads the range, or every queued frame would stay resident meanwhile.
        source.dontNeed(offset: range.lowerBound, length: range.count)
        pipeline.submit(range)
      }
      if pipeline.outstanding == 0 { break }
      let frame: CompressedFrame
      switch pipeline.takeNext() {
      case .success(let f): frame = f
      case .failure(let e): throw e.with(file: name)
      }
      try writeAll(fd, frame.bytes, name: outputName)
      table.append(compressedSize: UInt32(frame.bytes.count), decompressedSize: frame.decompressedSize, checksum: frame.checksum)
      written += UInt64(frame.bytes.count)
      // Frames come back in order and the planner is past this one: no one reads it again.
      compressedUpTo += Int(frame.decompressedSize)
      release.release(upTo: compressedUpTo)
    }
    let encoded = table.encoded()
    try writeAll(fd, encoded, name: outputName)
    written += UInt64(encoded.count)
    var stats = ArchiveStatistics()
    stats.originalSize = UInt64(bytes.count)
    stats.archiveSize = written
    stats.frames = table.frames.count
    stats.transactionCuts = planner.transactionCuts
    stats.eventCuts = planner.eventCuts
    stats.blindCuts = planner.blindCuts
    stats.framingStoppedAt = planner.framingStoppedAt
    return stats
  }
}

/// Writes all of `bytes`, retrying short writes and EINTR.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, name: String) throws(BinlogError) {
  var done = 0
  while done < bytes.count {
    let r = write(fd, bytes.baseAddress! + done, bytes.count - done)
    if r < 0 {
      if errno == EINTR { continue }
      throw BinlogError(.io, "cannot write: \(String(cString: strerror(errno)))", file: name)
    }
    done += r
  }
}

/// Writes all of `bytes` at `offset` (pwrite), retrying short writes and EINTR.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64, name: String) throws(BinlogError) {
  var done = 0
  while done < bytes.count {
    let r = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
    if r < 0 {
      if errno == EINTR { continue }
      throw BinlogError(.io, "cannot write: \(String(cString: strerror(errno)))", file: name)
    }
    done += r
  }
}

func writeAll(_ fd: Int32, _ bytes: [UInt8], name: String) throws(BinlogError) {
  let failure: BinlogError? = bytes.withUnsafeBytes { b in
    do throws(BinlogError) {
      try writeAll(fd, b, name: name)
      return nil
    } catch {
      return error
    }
  }
  if let failure { throw failure }
}
