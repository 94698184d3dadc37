import ArgumentParser
import BinlogArchive
import BinlogFormat
import BinlogQuery
import Exporters

#if canImport(Glibc)
  import Glibc
#endif

struct ArchiveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "archive",
    abstract: "Compress binlogs into seekable zstd archives that plain 'zstd -d' restores.",
    discussion: """
      Each FILE becomes FILE.zst (beside it, or in --output-dir): independent zstd frames cut \
      at transaction boundaries near --frame-size, and a seek table at the end (the zstd \
      seekable format). Every sluice command reads the archive at random like the binlog \
      itself, and 'zstd -d' or 'sluice extract' restores the original byte for byte.

      The archive is written to a hidden temporary file beside its final name, flushed to \
      disk, decompressed and compared with the source byte for byte, and only then renamed \
      into place. An existing archive is never overwritten without --force. The source is \
      deleted only with --remove-source, only after all that, and only if it did not change \
      meanwhile; a binlog the server still has open (in-use flag) is never removed.

      --verify checks existing archives instead: against the original FILE beside FILE.zst \
      when it exists, else every frame's size and checksum.

      Examples:
        sluice archive binlog.000001          # writes binlog.000001.zst
        sluice archive --threads 2 -o /backup/binlogs /var/lib/mysql/
        sluice archive --remove-source --level 9 binlog.0000{01..40}
        sluice archive --verify /backup/binlogs/
        zstd -d binlog.000001.zst             # any zstd restores the binlog
      """)

  @Option(name: [.customShort("o"), .customLong("output-dir")], help: "Directory for the archives (default: beside each file).")
  var outputDirectory: String?

  @Option(help: "zstd compression level, 1-22 (3 is zstd's default; above 19 needs more memory).")
  var level: Int32 = 3

  @Option(
    name: .customLong("frame-size"),
    help:
      "Uncompressed bytes per frame: N, NK, NM or NG (KiB, MiB, GiB). Smaller frames seek faster, larger ones compress better.")
  var frameSize: String = "4M"

  @Option(help: "Compression threads; 0 for one per core.")
  var threads: Int = 1

  @Flag(help: "Overwrite existing archives.")
  var force = false

  @Flag(name: .customLong("remove-source"), help: "Delete each binlog once its archive is written, verified and in place.")
  var removeSource = false

  @Flag(help: "Verify the given archives instead of writing any.")
  var verify = false

  @Argument(help: "Binlog files or directories (with --verify: archives).")
  var files: [String]

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError(verify ? "give at least one archive" : "give at least one binlog file") }
    guard !files.contains("-") else { throw ValidationError("archive reads files, not standard input ('-')") }
    guard (1...ArchiveSettings.levels.upperBound).contains(level) else {
      throw ValidationError("--level must be from 1 to \(ArchiveSettings.levels.upperBound)")
    }
    guard let size = parseByteSize(frameSize),
      (ArchiveSettings.minimumFrameSize...ArchiveSettings.maximumFrameSize).contains(size)
    else {
      throw ValidationError("--frame-size must be a size from 1K to 256M, such as 512K or 4M")
    }
    guard threads >= 0 else { throw ValidationError("--threads must be 0 (one per core) or more") }
    if verify && (removeSource || force || outputDirectory != nil) {
      throw ValidationError("--verify checks archives; it takes no --remove-source, --force or --output-dir")
    }
  }

  func run() throws {
    try runReporting {
      let sink = OutputSink.standardOutput()
      let threadCount = threads == 0 ? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) : threads
      var worst: Int32 = 0
      if verify {
        for path in try expandArchives(files) {
          do {
            let r = try Archiver.verify(path, threads: threadCount)
            let how =
              r.comparedWithOriginal
              ? "identical to \(String(path.dropLast(4)))"
              : "frame sizes and checksums correct (no original beside it to compare)"
            sink.write("\(path): ok, \(r.frames) frame\(r.frames == 1 ? "" : "s") restore \(r.restoredSize) bytes, \(how)\n")
          } catch let e as BinlogError {
            try sink.flush()
            report(e.description)
            worst = max(worst, Exit.code(for: e))
          }
          try sink.flush()
        }
        try sink.close()
        return worst
      }
      var options = Archiver.Options()
      options.settings = ArchiveSettings(level: level, frameSize: parseByteSize(frameSize)!, threads: threadCount)
      options.outputDirectory = outputDirectory
      options.force = force
      options.removeSource = removeSource
      for path in try expandInputs(files) {
        do {
          let o = try Archiver.archive(path, options: options)
          let s = o.statistics!
          var line = "\(path) -> \(o.output): \(s.originalSize) -> \(s.archiveSize) bytes (\(ratioText(s.ratio))), "
          line += "\(s.frames) frame\(s.frames == 1 ? "" : "s"), verified"
          if o.sourceRemoved { line += ", source removed" }
          line += ", \(secondsText(o.seconds))\n"
          sink.write(line)
          if let at = s.framingStoppedAt {
            report("\(path): the binlog cannot be framed past offset \(at) (damaged or truncated); archived byte for byte anyway")
          }
        } catch let e as BinlogError {
          try sink.flush()
          report(e.description)
          worst = max(worst, Exit.code(for: e))
        }
        try sink.flush()
      }
      try sink.close()
      return worst
    }
  }
}

/// Parses `123`, `64K`, `4M`, `1G` (also `4MiB`, `4MB`: all binary multiples).
func parseByteSize(_ text: String) -> Int? {
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
func expandArchives(_ inputs: [String]) throws -> [String] {
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
      let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
      if name.hasPrefix(".") || !name.hasSuffix(".zst") { continue }
      found.append(p.hasSuffix("/") ? p + name : p + "/" + name)
    }
    out.append(contentsOf: found.sorted(by: BinlogPosition.naturalLess))
  }
  return out
}

func ratioText(_ r: Double) -> String {
  let hundredths = Int((r * 100).rounded())
  let frac = hundredths % 100
  return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)x"
}

func secondsText(_ s: Double) -> String {
  let ms = Int((s * 1000).rounded())
  let frac = ms % 1000
  return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(frac).count))\(frac) s"
}
