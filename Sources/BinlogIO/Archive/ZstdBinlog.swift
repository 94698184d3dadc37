import BinlogFormat

/// A binlog read out of a zstd file: a seekable archive (random access through its seek table)
/// or a plain zstd stream (read front to back).
public protocol CompressedBinlogSource: EventSource, AnyObject {
  var checksumsVerified: Int { get }
  /// Bytes of the original handed out as events so far.
  var bytesTouched: UInt64 { get }
  /// Size of the original binlog, when the archive records it (seekable archives).
  var originalSize: UInt64? { get }
  /// True when `seek(to:)` jumps without reading what lies before.
  var isSeekable: Bool { get }
  /// Moves to an event boundary, reading the format description first when needed.
  func seek(to offset: UInt64) throws(BinlogError)
  /// The xid of the transaction whose next event starts at `offset` (see `CommitLookahead`);
  /// nil when it has none or the source cannot look ahead (streams).
  func lookaheadXid(from offset: UInt64) -> UInt64?
  /// The size of the event starting at `offset`, when the source can look there (not streams).
  func eventSize(at offset: UInt64) -> Int?
}

extension ArchiveBinlogReader: CompressedBinlogSource {
  public var originalSize: UInt64? { archive.uncompressedSize }
  public var isSeekable: Bool { true }
}

/// Recognizes zstd files and opens the right reader for them.
public enum ZstdBinlog {
  /// True for the first four bytes of a zstd frame (28 B5 2F FD) or a skippable frame
  /// (5? 2A 4D 18: magic 0x184D2A50...0x184D2A5F).
  @inlinable public static func isZstdMagic(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) -> Bool {
    (b0 == 0x28 && b1 == 0xB5 && b2 == 0x2F && b3 == 0xFD) || (b0 & 0xF0 == 0x50 && b1 == 0x2A && b2 == 0x4D && b3 == 0x18)
  }

  /// True when the file starts like a zstd file.
  public static func isZstd(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= 4 && isZstdMagic(bytes[0], bytes[1], bytes[2], bytes[3])
  }

  /// The reader for a mapped file when it is zstd, else nil (read it as a plain binlog).
  /// A file with a seek table is opened for random access; without one, as a stream. A seek
  /// table that does not describe the file is an error, not a silent fallback: the message
  /// says how to read the frames as a stream anyway. A `.zst` file that is neither zstd nor a
  /// binlog is an error too.
  ///
  /// The reader is named after the original binlog (`name` without `.zst`), so its events
  /// carry the same file name as the binlog's, as Rotate events and positions expect; errors
  /// about the compressed bytes name the archive.
  public static func open(file: MappedFile, name: String? = nil, options: ReaderOptions = ReaderOptions()) throws(BinlogError)
    -> (any CompressedBinlogSource)?
  {
    let n = name ?? binlogBaseName(file.path)
    let b = file.bytes
    guard isZstd(b) else {
      if file.path.hasSuffix(".zst") && !(b.count >= 4 && b.prefix(4).elementsEqual(binlogMagic)) {
        throw BinlogError(
          .notABinlog, "named .zst but neither zstd-compressed nor a binlog (bad magic bytes)", file: n, offset: 0)
      }
      return nil
    }
    let binlogName = originalName(n)
    if ZstdSeekTable.hasSeekableFooter(b) {
      let archive: SeekableZstdArchive
      do {
        archive = try SeekableZstdArchive(file: file, name: n)
      } catch {
        var e = error
        e.message += " (to read its frames front to back anyway: zstd -dc FILE | sluice ... -)"
        throw e
      }
      return try ArchiveBinlogReader(archive: archive, name: binlogName, options: options)
    }
    return try ByteStreamBinlogReader(input: .mapped(file), name: binlogName, streamName: n, options: options)
  }

  /// The original's name for an archive's name: `binlog.000001.zst` → `binlog.000001` (a
  /// directory in front stays; `originalBinlogName` gives the base name).
  public static func originalName(_ archiveName: String) -> String {
    archiveName.hasSuffix(".zst") && archiveName.count > 4 ? String(archiveName.dropLast(4)) : archiveName
  }

  /// Opens `path` when it is a zstd file, else returns nil.
  public static func open(path: String, options: ReaderOptions = ReaderOptions()) throws(BinlogError) -> (
    any CompressedBinlogSource
  )? {
    try open(file: MappedFile(path: path), name: binlogBaseName(path), options: options)
  }
}

/// The binlog a file stands for: its base name without `.zst` (`/backups/binlog.000001.zst` →
/// `binlog.000001`; a plain binlog's path gives its base name).
public func originalBinlogName(_ path: String) -> String { ZstdBinlog.originalName(binlogBaseName(path)) }
