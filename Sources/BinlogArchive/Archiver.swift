import BinlogFormat
import BinlogIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Archives binlogs into seekable zstd files and restores them, safely: output goes to a hidden
/// temporary file in the destination directory, is flushed to disk and verified against the
/// source byte for byte, and only then takes its real name. An existing file is never
/// overwritten without `force`, and a source is deleted only when asked, only after all that,
/// and only if it did not change meanwhile.
public enum Archiver {
  public struct Options: Sendable {
    public var settings = ArchiveSettings()
    /// Directory for the output; nil: beside the input.
    public var outputDirectory: String?
    /// Overwrite an existing output file.
    public var force = false
    /// Delete the input once the output is verified and in place.
    public var removeSource = false
    public init(
      settings: ArchiveSettings = ArchiveSettings(), outputDirectory: String? = nil, force: Bool = false,
      removeSource: Bool = false
    ) {
      self.settings = settings
      self.outputDirectory = outputDirectory
      self.force = force
      self.removeSource = removeSource
    }
  }

  public struct Outcome: Sendable {
    public var source: String
    public var output: String
    /// Archive statistics (for `archive`; nil for `extract`).
    public var statistics: ArchiveStatistics?
    public var verification: ArchiveVerifier.Report
    public var sourceRemoved: Bool
    public var seconds: Double
  }

  /// The archive's path for `source`: `DIR/NAME.zst` (beside the source when DIR is nil).
  public static func archivePath(for source: String, outputDirectory: String?) -> String {
    sibling(of: source, named: binlogBaseName(source) + ".zst", in: outputDirectory)
  }

  /// The original's path for `archive` (`NAME.zst` → `DIR/NAME`), or nil when the archive's
  /// name does not end in `.zst`.
  public static func extractedPath(for archive: String, outputDirectory: String?) -> String? {
    let name = binlogBaseName(archive)
    guard name.hasSuffix(".zst"), name.count > 4 else { return nil }
    return sibling(of: archive, named: String(name.dropLast(4)), in: outputDirectory)
  }

  /// `name` in `dir`, or beside `path` (keeping a bare relative name bare).
  private static func sibling(of path: String, named name: String, in dir: String?) -> String {
    if let dir { return join(dir, name) }
    return path.contains("/") ? join(directory(of: path), name) : name
  }

  /// Compresses the binlog at `path` into `NAME.zst`.
  public static func archive(_ path: String, options: Options = Options()) throws(BinlogError) -> Outcome {
    let started = now()
    let before = try regularFile(path)
    let source = try MappedFile(path: path)
    let name = binlogBaseName(path)
    let b = source.bytes
    if ZstdBinlog.isZstd(b) {
      throw BinlogError(.unsupported, "already zstd-compressed; nothing to archive", file: path)
    }
    guard b.count >= 4, b.prefix(4).elementsEqual(binlogMagic) else {
      throw BinlogError(.notABinlog, "Not a valid binary log: bad magic bytes; only binlogs are archived", file: path, offset: 0)
    }
    if options.removeSource, let why = stillWritten(b) {
      throw BinlogError(
        .unsupported, "\(why): refusing --remove-source (archive it without, or once the server has rotated past it)",
        file: path)
    }
    let output = archivePath(for: path, outputDirectory: options.outputDirectory)
    var stats = ArchiveStatistics()
    let report = try writeVerified(output: output, like: before, force: options.force) { (fd, tmp) throws(BinlogError) in
      stats = try ArchiveWriter.write(source: source, name: name, to: fd, outputName: tmp, settings: options.settings)
      let written = try MappedFile(path: tmp)
      return try ArchiveVerifier.verify(archive: written, name: tmp, original: source, threads: options.settings.threads)
    }
    var removed = false
    if options.removeSource {
      try removeUnchanged(path, expected: before, keptBecause: "the archive \(output) is in place and verified")
      removed = true
    }
    return Outcome(
      source: path, output: output, statistics: stats, verification: report, sourceRemoved: removed, seconds: now() - started)
  }

  /// Restores `NAME` from the archive `NAME.zst` (seekable or plain zstd).
  public static func extract(_ path: String, options: Options = Options()) throws(BinlogError) -> Outcome {
    let started = now()
    let before = try regularFile(path)
    guard let output = extractedPath(for: path, outputDirectory: options.outputDirectory) else {
      throw BinlogError(.unsupported, "the archive's name does not end in .zst, so the original's name is unknown", file: path)
    }
    let archive = try MappedFile(path: path)
    guard ZstdBinlog.isZstd(archive.bytes) else {
      throw BinlogError(.notABinlog, "named .zst but not zstd-compressed (bad magic bytes)", file: path, offset: 0)
    }
    let threads = options.settings.threads
    let report = try writeVerified(output: output, like: before, force: options.force) { (fd, tmp) throws(BinlogError) in
      try decompress(archive, name: path, to: fd, outputName: tmp, threads: threads)
      let restored = try MappedFile(path: tmp)
      return try ArchiveVerifier.verify(archive: archive, name: path, original: restored, threads: threads)
    }
    var removed = false
    if options.removeSource {
      try removeUnchanged(path, expected: before, keptBecause: "\(output) is restored and verified")
      removed = true
    }
    return Outcome(
      source: path, output: output, statistics: nil, verification: report, sourceRemoved: removed, seconds: now() - started)
  }

  /// Checks an archive: against its original `NAME` beside it when that exists (or `original`
  /// when given), else on its own (sizes and checksums of every frame).
  public static func verify(_ path: String, original: String? = nil, threads: Int = 1) throws(BinlogError)
    -> ArchiveVerifier.Report
  {
    let archive = try MappedFile(path: path)
    var originalPath = original
    if originalPath == nil, path.hasSuffix(".zst") {
      let candidate = String(path.dropLast(4))
      var st = stat()
      if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { originalPath = candidate }
    }
    if let originalPath {
      let orig = try MappedFile(path: originalPath)
      return try ArchiveVerifier.verify(archive: archive, name: path, original: orig, threads: threads)
    }
    return try ArchiveVerifier.verify(archive: archive, name: path, original: nil, threads: threads)
  }

  // MARK: - Decompression to a file

  /// Restores an archive into `fd`. Frames of a seekable archive are decompressed on `threads`
  /// threads, each written at its own offset from one reused buffer per thread.
  static func decompress(_ archive: MappedFile, name: String, to fd: Int32, outputName: String, threads: Int) throws(BinlogError)
  {
    let bytes = archive.bytes
    if ZstdSeekTable.hasSeekableFooter(bytes) {
      let table = try ZstdSeekTable(parsingTailOf: bytes, name: name)
      let pipeline = try OrderedWorkerPool<FrameDecompressor, Int, BinlogError?, Never>(
        threads: threads > 1 ? threads : 0,
        makeWorker: { () throws(BinlogError) in try FrameDecompressor() },
        work: { worker, index, _ in
          let f = table.frames[index]
          let out = worker.reserve(Int(f.decompressedSize))
          do throws(BinlogError) {
            try worker.decoder.decompress(frame: index, of: table, archive: bytes, into: out, name: name)
            try writeAll(
              fd, UnsafeRawBufferPointer(rebasing: out[0..<Int(f.decompressedSize)]), at: f.decompressedOffset, name: outputName)
          } catch {
            return error
          }
          archive.dontNeed(offset: Int(f.compressedOffset), length: Int(f.compressedSize))
          return nil
        })
      defer { pipeline.finish() }
      var next = 0
      var done = 0
      var release = PageRelease(archive)
      let window = Swift.max(1, threads) * 2
      while next < table.frames.count || pipeline.outstanding > 0 {
        while next < table.frames.count && pipeline.outstanding < window {
          pipeline.submit(next)
          next += 1
        }
        if let e = pipeline.takeNext() { throw e }
        release.release(upTo: Int(table.frames[done].compressedEnd))
        done += 1
      }
      return
    }
    var frames = 0
    try ZstdStreamDecompression.run(archive, name: name, frames: &frames) { (chunk) throws(BinlogError) in
      try writeAll(fd, chunk, name: outputName)
    }
  }

  // MARK: - Safe file replacement

  /// Writes `output` through a temporary file: `body` fills it (given its descriptor and path)
  /// and verifies it; then it is flushed, given `like`'s mode and times, and moved into place.
  private static func writeVerified(
    output: String, like source: stat, force: Bool,
    _ body: (Int32, String) throws(BinlogError) -> ArchiveVerifier.Report
  ) throws(BinlogError) -> ArchiveVerifier.Report {
    var st = stat()
    if lstat(output, &st) == 0 {
      if (st.st_mode & S_IFMT) == S_IFDIR {
        throw BinlogError(.io, "is a directory; not overwriting it", file: output)
      }
      // A device, pipe or socket (also behind a link): the verified temporary file renamed over
      // it would replace it with a regular file.
      if SpecialOutput.isSpecial(output) && (st.st_mode & S_IFMT) != S_IFDIR {
        throw BinlogError(
          .io, "is not a regular file (a device, pipe or socket); archives are written to regular files only",
          file: output)
      }
      if !force { throw BinlogError(.io, "already exists (use --force to overwrite it)", file: output) }
    }
    let dir = directory(of: output)
    let tmp = join(dir, ".\(binlogBaseName(output)).sluice-tmp-\(getpid())")
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if fd < 0 {
      throw BinlogError(.io, "cannot create a temporary file here: \(String(cString: strerror(errno)))", file: tmp)
    }
    var placed = false
    // Removed by a SIGINT/SIGTERM too, not only on an error.
    let slot = TemporaryFiles.register(tmp)
    defer {
      if !placed { unlink(tmp) }
      TemporaryFiles.forget(slot)
    }
    let report: ArchiveVerifier.Report
    do {
      defer { close(fd) }
      report = try body(fd, tmp)
      if fsync(fd) != 0 { throw BinlogError(.io, "cannot flush to disk: \(String(cString: strerror(errno)))", file: tmp) }
      _ = fchown(fd, source.st_uid, source.st_gid)  // best effort, as zstd does
      _ = fchmod(fd, source.st_mode & 0o7777)
      var times = [source.st_atim, source.st_mtim]
      _ = futimens(fd, &times)
    }
    if force {
      if rename(tmp, output) != 0 {
        throw BinlogError(.io, "cannot move the verified output into place: \(String(cString: strerror(errno)))", file: output)
      }
    } else {
      // link() fails when the name exists, so a file that appeared meanwhile is not clobbered.
      if link(tmp, output) != 0 {
        let e = errno
        if e == EEXIST { throw BinlogError(.io, "already exists (use --force to overwrite it)", file: output) }
        throw BinlogError(.io, "cannot move the verified output into place: \(String(cString: strerror(e)))", file: output)
      }
      unlink(tmp)
    }
    placed = true
    syncDirectory(dir)
    return report
  }

  /// Deletes `path` if it is still the file that was read (same inode, size and mtime).
  private static func removeUnchanged(_ path: String, expected: stat, keptBecause context: String) throws(BinlogError) {
    var now = stat()
    guard stat(path, &now) == 0 else {
      throw BinlogError(.io, "cannot stat before removing: \(String(cString: strerror(errno))); kept", file: path)
    }
    guard now.st_dev == expected.st_dev, now.st_ino == expected.st_ino, now.st_size == expected.st_size,
      now.st_mtim.tv_sec == expected.st_mtim.tv_sec, now.st_mtim.tv_nsec == expected.st_mtim.tv_nsec
    else {
      throw BinlogError(.io, "changed while it was being read; not removed (\(context))", file: path)
    }
    if unlink(path) != 0 {
      throw BinlogError(.io, "cannot remove: \(String(cString: strerror(errno))) (\(context))", file: path)
    }
    syncDirectory(directory(of: path))
  }

  /// A reason to believe the server is still appending to this binlog, or nil.
  static func stillWritten(_ b: UnsafeRawBufferPointer) -> String? {
    // LOG_EVENT_BINLOG_IN_USE_F (flags bit 0 of the format description at offset 4) is set
    // while the server has the file open and cleared when it closes it.
    guard b.count >= 23, b[8] == EventType.formatDescription.rawValue else { return nil }
    let flags = UInt16(b[21]) | UInt16(b[22]) << 8
    return flags & EventHeader.flagBinlogInUse != 0
      ? "the binlog is marked in use (the server has it open, or crashed with it open)" : nil
  }

  private static func regularFile(_ path: String) throws(BinlogError) -> stat {
    var st = stat()
    guard stat(path, &st) == 0 else {
      throw BinlogError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
      throw BinlogError(.io, "is not a regular file", file: path)
    }
    return st
  }

  private static func syncDirectory(_ dir: String) {
    let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
      _ = fsync(fd)
      close(fd)
    }
  }

  static func directory(of path: String) -> String {
    guard let i = path.lastIndex(of: "/") else { return "." }
    if i == path.startIndex { return "/" }
    return String(path[..<i])
  }

  static func join(_ dir: String, _ name: String) -> String {
    dir.hasSuffix("/") ? dir + name : dir + "/" + name
  }

  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}
