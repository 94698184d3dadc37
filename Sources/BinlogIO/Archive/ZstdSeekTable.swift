import BinlogFormat

/// The seek table of a zstd seekable archive (zstd `contrib/seekable_format`, version 0.1.0):
/// a skippable frame at the very end of the file listing every data frame's compressed and
/// decompressed size, so an uncompressed offset maps to the one frame that holds it.
///
/// ```
/// Skippable_Magic_Number 0x184D2A5E (4) | Frame_Size (4) | entries (8 or 12 each) | footer (9)
/// entry:  Compressed_Size (4) | Decompressed_Size (4) | [Checksum (4): low 32 bits of XXH64]
/// footer: Number_Of_Frames (4) | Seek_Table_Descriptor (1; bit 7 checksums, bits 6-2 reserved = 0)
///         | Seekable_Magic_Number 0x8F92EAB1 (4)
/// ```
public struct ZstdSeekTable: Sendable, Equatable {
  /// One data frame: where it sits in the archive and which bytes of the original it restores.
  public struct Frame: Sendable, Equatable {
    public var compressedOffset: UInt64
    public var compressedSize: UInt32
    public var decompressedOffset: UInt64
    public var decompressedSize: UInt32
    /// Low 32 bits of XXH64 of the frame's decompressed bytes, when the table stores checksums.
    public var checksum: UInt32?

    public var compressedEnd: UInt64 { compressedOffset + UInt64(compressedSize) }
    public var decompressedEnd: UInt64 { decompressedOffset + UInt64(decompressedSize) }
  }

  public static let skippableMagic: UInt32 = 0x184D_2A5E
  public static let seekableMagic: UInt32 = 0x8F92_EAB1
  public static let footerSize = 9
  /// The reference implementation's limit on Number_Of_Frames.
  public static let maxFrames = 0x800_0000
  /// zstd frame magic (0xFD2FB528, bytes 28 B5 2F FD).
  public static let zstdFrameMagic: UInt32 = 0xFD2F_B528

  public private(set) var frames: [Frame] = []
  public let hasChecksums: Bool
  /// Sum of the frames' compressed sizes: where the seek table frame starts.
  public private(set) var compressedDataSize: UInt64 = 0
  /// Sum of the frames' decompressed sizes: the size of the original.
  public private(set) var decompressedSize: UInt64 = 0

  /// An empty table to append frames to (the writer's side).
  public init(checksums: Bool) {
    hasChecksums = checksums
  }

  /// Bytes of the seek table's skippable frame, header included.
  public var encodedSize: Int { 8 + frames.count * (hasChecksums ? 12 : 8) + Self.footerSize }

  /// Records the next frame. Sizes are the spec's 32-bit fields, so no overflow is possible here.
  public mutating func append(compressedSize: UInt32, decompressedSize: UInt32, checksum: UInt32?) {
    frames.append(
      Frame(
        compressedOffset: compressedDataSize, compressedSize: compressedSize,
        decompressedOffset: self.decompressedSize, decompressedSize: decompressedSize,
        checksum: hasChecksums ? (checksum ?? 0) : nil))
    compressedDataSize += UInt64(compressedSize)
    self.decompressedSize += UInt64(decompressedSize)
  }

  /// The seek table as the skippable frame that ends the archive.
  public func encoded() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(encodedSize)
    func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    le32(Self.skippableMagic)
    le32(UInt32(encodedSize - 8))
    for f in frames {
      le32(f.compressedSize)
      le32(f.decompressedSize)
      if hasChecksums { le32(f.checksum ?? 0) }
    }
    le32(UInt32(frames.count))
    out.append(hasChecksums ? 0x80 : 0)
    le32(Self.seekableMagic)
    return out
  }

  /// True when `file` ends with the seekable magic number (it may still be malformed).
  public static func hasSeekableFooter(_ file: UnsafeRawBufferPointer) -> Bool {
    file.count >= footerSize && le32(file, file.count - 4) == seekableMagic
  }

  /// Parses the seek table at the end of `file` (the whole archive) and checks it against the
  /// file: the frame sizes must add up to exactly the bytes before the table.
  public init(parsingTailOf file: UnsafeRawBufferPointer, name: String) throws(BinlogError) {
    let size = file.count
    func fail(_ what: String, at offset: Int) -> BinlogError {
      BinlogError(.malformed, "seek table: \(what)", file: name, offset: UInt64(offset))
    }
    guard size >= Self.footerSize, Self.le32(file, size - 4) == Self.seekableMagic else {
      throw BinlogError(
        .malformed, "no zstd seek table at the end of the file (the seekable magic number is missing)", file: name)
    }
    let footer = size - Self.footerSize
    let count = Int(Self.le32(file, footer))
    let descriptor = file[footer + 4]
    if descriptor & 0x7C != 0 {
      throw BinlogError(
        .unsupported, "seek table descriptor 0x\(String(descriptor, radix: 16)) sets reserved bits (a newer seekable format)",
        file: name, offset: UInt64(footer + 4))
    }
    hasChecksums = descriptor & 0x80 != 0
    let entrySize = hasChecksums ? 12 : 8
    guard count <= Self.maxFrames else {
      throw fail("\(count) frames is more than the format allows (\(Self.maxFrames))", at: footer)
    }
    // count ≤ 2^27 and entrySize ≤ 12: no overflow on 64-bit Int.
    let tableFrameSize = 8 + count * entrySize + Self.footerSize
    guard tableFrameSize <= size else {
      throw BinlogError(
        .truncated,
        "seek table claims \(count) frames (\(tableFrameSize) bytes) but the file has only \(size) bytes: truncated or not a seekable archive",
        file: name, offset: UInt64(footer))
    }
    let start = size - tableFrameSize
    let magic = Self.le32(file, start)
    let frameSize = Int(Self.le32(file, start + 4))
    guard magic == Self.skippableMagic, frameSize == tableFrameSize - 8 else {
      throw fail(
        "the skippable frame header at offset \(start) does not match the footer's \(count) frames (magic 0x\(String(magic, radix: 16)), size \(frameSize))",
        at: start)
    }
    frames.reserveCapacity(count)
    var p = start + 8
    for _ in 0..<count {
      let c = Self.le32(file, p)
      let d = Self.le32(file, p + 4)
      append(compressedSize: c, decompressedSize: d, checksum: hasChecksums ? Self.le32(file, p + 8) : nil)
      p += entrySize
    }
    if compressedDataSize != UInt64(start) {
      throw fail(
        "the \(count) frames add up to \(compressedDataSize) compressed bytes, but \(start) bytes precede the seek table: the table does not describe this file",
        at: start)
    }
  }

  /// Index of the frame holding uncompressed byte `offset`, or nil past the end. Empty
  /// (skippable) frames hold nothing and are never returned.
  public func frameIndex(containing offset: UInt64) -> Int? {
    guard offset < decompressedSize else { return nil }
    var lo = 0
    var hi = frames.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if frames[mid].decompressedOffset <= offset { lo = mid } else { hi = mid - 1 }
    }
    // The last frame starting at or before `offset` is never an empty one, since an empty
    // frame shares its start with the frame after it.
    return lo
  }

  @inline(__always) static func le32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
    UInt32(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt32.self))
  }
}
