import BinlogFormat

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `sluice archive`, `archive --verify` and `extract` over many files: each file in turn, one line
/// saying what was done, and a file that fails reported without stopping the others.
public enum ArchiveBatch {
  public enum Job: Sendable {
    /// `Archiver.archive` each binlog.
    case archive
    /// `Archiver.extract` each archive.
    case extract
    /// `Archiver.verify` each archive (against the original beside it when there is one).
    case verify
  }

  /// What became of one file.
  public struct FileReport: Sendable {
    public var path: String
    /// The line (with its newline) saying what was written or verified; nil when it failed.
    public var line: String?
    /// Something worth a warning that did not stop the file.
    public var warning: String?
    public var error: BinlogError?
  }

  /// Runs `job` over `paths` in order, handing each file's report to `each` as it is done.
  public static func run(
    _ job: Job, paths: [String], options: Archiver.Options, each: (FileReport) throws -> Void
  ) rethrows {
    for path in paths {
      var r = FileReport(path: path)
      do throws(BinlogError) {
        switch job {
        case .archive:
          let o = try Archiver.archive(path, options: options)
          let s = o.statistics!
          var line = "\(path) -> \(o.output): \(s.originalSize) -> \(s.archiveSize) bytes (\(ratioText(s.ratio))), "
          line += "\(s.frames) frame\(s.frames == 1 ? "" : "s"), verified"
          if o.sourceRemoved { line += ", source removed" }
          r.line = line + ", \(secondsText(o.seconds))\n"
          if let at = s.framingStoppedAt {
            r.warning =
              "\(path): the binlog cannot be framed past offset \(at) (damaged or truncated); archived byte for byte anyway"
          }
        case .extract:
          let o = try Archiver.extract(path, options: options)
          var line = "\(path) -> \(o.output): \(o.verification.restoredSize) bytes, verified"
          if o.sourceRemoved { line += ", archive removed" }
          r.line = line + ", \(secondsText(o.seconds))\n"
        case .verify:
          let v = try Archiver.verify(path, threads: options.settings.threads)
          let how =
            v.comparedWithOriginal
            ? "identical to \(String(path.dropLast(4)))"
            : "frame sizes and checksums correct (no original beside it to compare)"
          r.line = "\(path): ok, \(v.frames) frame\(v.frames == 1 ? "" : "s") restore \(v.restoredSize) bytes, \(how)\n"
        }
      } catch {
        r.error = error
      }
      try each(r)
    }
  }

  /// Thread count for a `--threads` value: 0 means one per core.
  public static func threadCount(_ requested: Int) -> Int {
    requested == 0 ? Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) : requested
  }

  /// Parses `123`, `64K`, `4M`, `1G` (also `4MiB`, `4MB`: all binary multiples).
  public static func parseByteSize(_ text: String) -> Int? {
    var digits = Substring(text)
    var multiplier = 1
    for (suffixes, m) in [(["G", "GB", "GiB"], 1 << 30), (["M", "MB", "MiB"], 1 << 20), (["K", "KB", "KiB"], 1 << 10)] {
      if let s = suffixes.first(where: { text.uppercased().hasSuffix($0.uppercased()) }) {
        digits = digits.dropLast(s.count)
        multiplier = m
        break
      }
    }
    guard let n = Int(digits), n >= 0 else { return nil }
    let (v, overflow) = n.multipliedReportingOverflow(by: multiplier)
    return overflow ? nil : v
  }

  /// Expands directories into the zstd files in them (name order) and keeps files as given.
  public static func archives(in inputs: [String]) throws(BinlogError) -> [String] {
    var out: [String] = []
    for p in inputs {
      var st = stat()
      guard stat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
        out.append(p)
        continue
      }
      guard let d = opendir(p) else {
        throw BinlogError(.io, "cannot read directory: \(String(cString: strerror(errno)))", file: p)
      }
      defer { closedir(d) }
      var found: [String] = []
      while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) {
          String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name.hasPrefix(".") || !name.hasSuffix(".zst") { continue }
        found.append(p.hasSuffix("/") ? p + name : p + "/" + name)
      }
      out.append(contentsOf: found.sorted(by: BinlogPosition.naturalLess))
    }
    return out
  }

  /// "3.27x".
  static func ratioText(_ r: Double) -> String {
    let hundredths = Int((r * 100).rounded())
    let frac = hundredths % 100
    return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)x"
  }

  /// "1.042 s".
  static func secondsText(_ s: Double) -> String {
    let ms = Int((s * 1000).rounded())
    let frac = ms % 1000
    return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(frac).count))\(frac) s"
  }
}
