import BinlogFormat
import BinlogIO
import CZstd

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How exporter output is compressed: `--compress zstd[:LEVEL]`, or implied by `-o NAME.zst`.
public enum OutputCompression: Equatable, Sendable, CustomStringConvertible {
  case none
  case zstd(level: Int32)

  public static let defaultZstdLevel: Int32 = 3

  /// `none`, `zstd` or `zstd:LEVEL` (zstd's levels, negative fast levels included).
  public init(parsing text: String) throws(BinlogError) {
    let parts = text.lowercased().split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    switch parts[0] {
    case "none" where parts.count == 1:
      self = .none
    case "zstd":
      guard parts.count == 2 else {
        self = .zstd(level: Self.defaultZstdLevel)
        return
      }
      guard let level = Int32(parts[1]), level != 0, level >= ZSTD_minCLevel(), level <= ZSTD_maxCLevel() else {
        throw BinlogError(
          .malformed, "zstd level must be \(ZSTD_minCLevel())...\(ZSTD_maxCLevel()) (not 0), got '\(parts[1])'")
      }
      self = .zstd(level: level)
    default:
      throw BinlogError(.malformed, "unknown compression '\(text)' (none, zstd or zstd:LEVEL)")
    }
  }

  /// What a path asks for by its name: zstd for `.zst`, else none.
  public static func implied(by path: String) -> OutputCompression {
    path.hasSuffix(".zst") ? .zstd(level: defaultZstdLevel) : .none
  }

  public var description: String {
    switch self {
    case .none: "none"
    case .zstd(let level): "zstd:\(level)"
    }
  }
}

extension OutputSink {
  /// A sink for `path` (`-`: stdout) that writes `compression`. Compressed output to a file is
  /// written to a temporary name beside it and renamed into place by `close()`; when the sink
  /// is dropped without `close()` (an error), the temporary file is removed. Never writes over
  /// `protectedPaths` (the inputs).
  public static func file(
    _ path: String, compression: OutputCompression, protecting protectedPaths: [String] = []
  ) throws -> OutputSink {
    guard case .zstd(let level) = compression else { return try file(path, protecting: protectedPaths) }
    if path == "-" {
      let sink = standardOutput()
      let z = try ZstdOutputStream(level: level, name: "-")
      sink.transform = { chunk, write in try z.compress(chunk, write) }
      return sink
    }
    try OutputFile.refuseInputs(path, protectedPaths)
    let sink: OutputSink
    if SpecialOutput.isSpecial(path) {
      // A device or pipe is written directly (`SpecialOutput`).
      sink = OutputSink(fd: try SpecialOutput.openForWriting(path), ownsFD: true)
    } else {
      let target = try OutputFile(path: path, protecting: protectedPaths)
      sink = OutputSink(fd: target.fd, ownsFD: true)
      sink.target = target
    }
    sink.displayName = path
    let z = try ZstdOutputStream(level: level, name: path)
    sink.transform = { chunk, write in try z.compress(chunk, write) }
    return sink
  }
}

/// A temporary file that becomes `path` on `commit()`, or disappears when dropped uncommitted.
public final class OutputFile {
  let path: String
  let temporaryPath: String
  let fd: Int32
  let protectedPaths: [String]
  private var committed = false

  init(path: String, protecting protectedPaths: [String]) throws {
    self.path = path
    self.protectedPaths = protectedPaths
    let slash = path.lastIndex(of: "/")
    let dir = slash.map { String(path[...$0]) } ?? ""
    let name = binlogBaseName(path)
    temporaryPath = dir + "." + name + ".tmp-\(getpid())"
    fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if fd < 0 {
      throw BinlogError(.io, "cannot create output: \(String(cString: strerror(errno)))", file: path)
    }
    signalSlot = TemporaryFiles.register(temporaryPath)
  }

  private var signalSlot = -1

  /// When set (the CLI sets it), `commit()` only queues the rename: `commitDeferred()` does
  /// them when the whole run succeeded, `discardDeferred()` removes the files when it did not,
  /// so a run that reports an error leaves no output at all.
  nonisolated(unsafe) public static var deferCommits = false
  nonisolated(unsafe) private static var deferred: [OutputFile] = []

  /// Renames every queued output into place.
  public static func commitDeferred() throws {
    let files = deferred
    deferred = []
    for f in files { try f.place() }
  }

  /// Removes every queued output (the run failed after writing them).
  public static func discardDeferred() {
    deferred = []
  }

  /// Refuses `path` when it is one of the inputs (same device and inode).
  static func refuseInputs(_ path: String, _ protectedPaths: [String]) throws {
    var st = stat()
    guard stat(path, &st) == 0 else { return }
    for p in protectedPaths {
      var ps = stat()
      if stat(p, &ps) == 0, ps.st_dev == st.st_dev, ps.st_ino == st.st_ino {
        throw BinlogError(.io, "refusing to write output over an input file", file: path)
      }
    }
  }

  /// Renames the finished temporary file to `path` (the descriptor is closed by the sink).
  func commit() throws {
    if OutputFile.deferCommits {
      OutputFile.deferred.append(self)
      return
    }
    try place()
  }

  private func place() throws {
    // The target may have become an input's name since the sink was created: check again.
    try Self.refuseInputs(path, protectedPaths)
    if rename(temporaryPath, path) != 0 {
      throw BinlogError(.io, "cannot rename \(temporaryPath) into place: \(String(cString: strerror(errno)))", file: path)
    }
    committed = true
    TemporaryFiles.forget(signalSlot)
    signalSlot = -1
  }

  deinit {
    if !committed { unlink(temporaryPath) }
    TemporaryFiles.forget(signalSlot)
  }
}

/// libzstd's streaming compressor: each chunk in, compressed bytes out through `write` as they
/// come, in one output buffer of `ZSTD_CStreamOutSize()` bytes. One frame, with a checksum, so
/// `zstd -d` checks it. A second thread compresses while the exporter produces the next chunk.
final class ZstdOutputStream {
  private let cctx: OpaquePointer
  private let out: UnsafeMutableRawBufferPointer
  private let name: String

  init(level: Int32, name: String) throws(BinlogError) {
    guard let c = ZSTD_createCCtx() else { throw BinlogError(.io, "cannot allocate a zstd compression context") }
    cctx = c
    self.name = name
    out = .allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)
    // Fails harmlessly (stays single-threaded) when libzstd is built without threads.
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, 1)
  }

  deinit {
    ZSTD_freeCCtx(cctx)
    out.deallocate()
  }

  /// Compresses `chunk`; nil ends the frame.
  func compress(_ chunk: UnsafeRawBufferPointer?, _ write: (UnsafeRawBufferPointer) throws -> Void) throws {
    var input = ZSTD_inBuffer(src: chunk?.baseAddress, size: chunk?.count ?? 0, pos: 0)
    let mode = chunk == nil ? ZSTD_e_end : ZSTD_e_continue
    while true {
      var output = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
      let r = ZSTD_compressStream2(cctx, &output, &input, mode)
      if ZSTD_isError(r) != 0 {
        throw BinlogError(.io, "zstd compression failed: \(String(cString: ZSTD_getErrorName(r)))", file: name)
      }
      if output.pos > 0 { try write(UnsafeRawBufferPointer(start: out.baseAddress, count: output.pos)) }
      let done = chunk == nil ? r == 0 : input.pos == input.size
      if done { return }
    }
  }
}
