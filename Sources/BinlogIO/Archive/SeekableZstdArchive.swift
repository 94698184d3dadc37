import BinlogFormat

/// The decompressed bytes of one archive frame. Lives as long as someone holds it: the archive's
/// cache drops its reference on eviction, and a reader keeps the frame its last event views.
public final class DecompressedFrame {
  public let index: Int
  /// Uncompressed offset of the first byte.
  public let start: UInt64
  fileprivate var storage: UnsafeMutableRawBufferPointer
  public let count: Int

  fileprivate init(index: Int, start: UInt64, storage: UnsafeMutableRawBufferPointer, count: Int) {
    self.index = index
    self.start = start
    self.storage = storage
    self.count = count
  }

  deinit { if storage.count > 0 { storage.deallocate() } }

  public var end: UInt64 { start + UInt64(count) }
  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage.baseAddress, count: count) }
  @inlinable public func contains(_ offset: UInt64) -> Bool { offset >= start && offset < end }
}

/// A zstd seekable archive opened for random access: the file is mapped, the seek table parsed,
/// and frames are decompressed on demand into a small most-recently-used cache. Counts every
/// frame it decompresses, so callers (and tests) can see how much of the archive a read touched.
/// One reader at a time (not thread-safe); open one per thread.
public final class SeekableZstdArchive {
  public let file: MappedFile
  public let name: String
  public let seekTable: ZstdSeekTable
  /// Frames kept decompressed (most recently used first).
  public var cacheCapacity: Int {
    didSet {
      cacheCapacity = Swift.max(1, cacheCapacity)
      trimCache()
    }
  }
  /// Frames decompressed so far (cache hits not counted).
  public private(set) var framesDecompressed = 0
  /// Decompressed bytes produced so far.
  public private(set) var bytesDecompressed: UInt64 = 0
  /// Which frames have been decompressed at least once.
  public private(set) var framesTouched: Set<Int> = []
  private var cache: [DecompressedFrame] = []
  private var spare: UnsafeMutableRawBufferPointer?
  private let decoder: ZstdFrameDecoder

  /// Opens `path` and parses its seek table. Throws when the file is not a seekable archive or
  /// its seek table does not describe it.
  public convenience init(path: String, cacheFrames: Int = 4) throws(BinlogError) {
    try self.init(file: MappedFile(path: path), name: binlogBaseName(path), cacheFrames: cacheFrames)
  }

  public init(file: MappedFile, name: String, cacheFrames: Int = 4) throws(BinlogError) {
    self.file = file
    self.name = name
    seekTable = try ZstdSeekTable(parsingTailOf: file.bytes, name: name)
    cacheCapacity = Swift.max(1, cacheFrames)
    decoder = try ZstdFrameDecoder()
  }

  deinit { spare?.deallocate() }

  /// Size of the original (uncompressed) file.
  public var uncompressedSize: UInt64 { seekTable.decompressedSize }
  public var frameCount: Int { seekTable.frames.count }

  /// Frame `index`, from the cache or freshly decompressed.
  public func frame(_ index: Int) throws(BinlogError) -> DecompressedFrame {
    if let k = cache.firstIndex(where: { $0.index == index }) {
      let f = cache[k]
      if k != 0 {
        cache.remove(at: k)
        cache.insert(f, at: 0)
      }
      return f
    }
    let entry = seekTable.frames[index]
    let need = Int(entry.decompressedSize)
    try ZstdFrameDecoder.checkHeader(frame: index, of: seekTable, archive: file.bytes, name: name)
    var storage: UnsafeMutableRawBufferPointer
    if let s = spare, s.count >= need {
      storage = s
      spare = nil
    } else {
      // Power-of-two sizes: frame buffers of slightly different sizes, freed and allocated in
      // turn, would fragment the heap and memory would grow with the archive.
      var size = 1 << 16
      while size < need { size *= 2 }
      storage = need == 0 ? UnsafeMutableRawBufferPointer(start: nil, count: 0) : .allocate(byteCount: size, alignment: 16)
    }
    do {
      try decoder.decompress(frame: index, of: seekTable, archive: file.bytes, into: storage, name: name)
    } catch {
      if storage.count > 0 {
        if spare == nil { spare = storage } else { storage.deallocate() }
      }
      throw error
    }
    // The compressed bytes are not needed again unless the frame leaves the cache: drop their
    // pages so reading a whole archive keeps memory flat (they fault back in from the file).
    file.dontNeed(offset: Int(entry.compressedOffset), length: Int(entry.compressedSize))
    framesDecompressed += 1
    bytesDecompressed += UInt64(need)
    framesTouched.insert(index)
    let f = DecompressedFrame(index: index, start: entry.decompressedOffset, storage: storage, count: need)
    cache.insert(f, at: 0)
    trimCache()
    return f
  }

  /// The frame holding uncompressed byte `offset`, or nil when `offset` is past the end.
  public func frame(containing offset: UInt64) throws(BinlogError) -> DecompressedFrame? {
    guard let i = seekTable.frameIndex(containing: offset) else { return nil }
    return try frame(i)
  }

  /// Copies uncompressed bytes `offset ..< offset + output.count`, across frames as needed.
  public func copyBytes(from offset: UInt64, into output: UnsafeMutableRawBufferPointer) throws(BinlogError) {
    let (end, overflow) = offset.addingReportingOverflow(UInt64(output.count))
    guard !overflow, end <= uncompressedSize else {
      throw BinlogError(
        .truncated, "\(output.count) bytes wanted at offset \(offset), but the archive holds \(uncompressedSize) bytes",
        file: name, offset: offset)
    }
    var pos = offset
    var done = 0
    while done < output.count {
      guard let f = try frame(containing: pos) else { break }
      let from = Int(pos - f.start)
      let n = Swift.min(f.count - from, output.count - done)
      (output.baseAddress! + done).copyMemory(from: f.bytes.baseAddress! + from, byteCount: n)
      done += n
      pos += UInt64(n)
    }
  }

  /// Forgets the counters (not the cache).
  public func resetCounters() {
    framesDecompressed = 0
    bytesDecompressed = 0
    framesTouched = []
  }

  private func trimCache() {
    while cache.count > cacheCapacity {
      var f = cache.removeLast()
      // Reuse the buffer when nobody else still views this frame.
      if isKnownUniquelyReferenced(&f), f.storage.count > 0 {
        if let s = spare, s.count >= f.storage.count {
          continue
        }
        spare?.deallocate()
        spare = f.storage
        f.storage = UnsafeMutableRawBufferPointer(start: nil, count: 0)
      }
    }
  }
}
