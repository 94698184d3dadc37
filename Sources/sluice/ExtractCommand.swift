import ArgumentParser
import BinlogArchive
import BinlogFormat
import Exporters

struct ExtractCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "extract",
    abstract: "Restore binlogs from their zstd archives: FILE.zst gives back FILE.",
    discussion: """
      Reads seekable archives written by 'sluice archive' and plain zstd files alike, with \
      the same safety rules as 'archive': the output goes to a hidden temporary file, is \
      flushed and compared with the archive's contents, and only then takes its name; an \
      existing file is never overwritten without --force; the archive is deleted only with \
      --remove-source, after all that.

      Examples:
        sluice extract binlog.000001.zst      # writes binlog.000001
        sluice extract -o /tmp/restore /backup/binlogs/
        sluice extract --remove-source binlog.000001.zst
      """)

  @Option(
    name: [.customShort("o"), .customLong("output-dir")], help: "Directory for the restored files (default: beside each archive)."
  )
  var outputDirectory: String?

  @Option(help: "Decompression threads; 0 for one per core.")
  var threads: Int = 1

  @Flag(help: "Overwrite existing files.")
  var force = false

  @Flag(name: .customLong("remove-source"), help: "Delete each archive once its binlog is restored, verified and in place.")
  var removeSource = false

  @Argument(help: "Archives (FILE.zst) or directories holding them.")
  var files: [String]

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one archive") }
    guard !files.contains("-") else { throw ValidationError("extract reads files, not standard input ('-'); use 'zstd -dc'") }
    guard threads >= 0 else { throw ValidationError("--threads must be 0 (one per core) or more") }
  }

  func run() throws {
    try runReporting {
      var options = Archiver.Options()
      options.settings.threads = ArchiveBatch.threadCount(threads)
      options.outputDirectory = outputDirectory
      options.force = force
      options.removeSource = removeSource
      return try ArchiveBatch.runPrinting(.extract, paths: ArchiveBatch.archives(in: files), options: options)
    }
  }
}
