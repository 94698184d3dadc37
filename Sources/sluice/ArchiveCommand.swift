import ArgumentParser
import BinlogArchive
import BinlogFormat
import Exporters

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
    guard let size = ArchiveBatch.parseByteSize(frameSize),
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
      var options = Archiver.Options()
      options.settings.threads = ArchiveBatch.threadCount(threads)
      if verify { return try ArchiveBatch.runPrinting(.verify, paths: ArchiveBatch.archives(in: files), options: options) }
      options.settings.level = level
      options.settings.frameSize = ArchiveBatch.parseByteSize(frameSize)!
      options.outputDirectory = outputDirectory
      options.force = force
      options.removeSource = removeSource
      return try ArchiveBatch.runPrinting(.archive, paths: expandInputs(files), options: options)
    }
  }
}

extension ArchiveBatch {
  /// Runs the batch with each file's line on stdout and its warning or error on stderr; the exit
  /// code of the worst error.
  static func runPrinting(_ job: Job, paths: [String], options: Archiver.Options) throws -> Int32 {
    let sink = OutputSink.standardOutput()
    var worst: Int32 = 0
    try run(job, paths: paths, options: options) { r in
      if let line = r.line { sink.write(line) }
      if let warning = r.warning { report(warning) }
      if let e = r.error {
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
