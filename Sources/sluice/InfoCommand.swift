import ArgumentParser
import BinlogFormat
import BinlogIndex
import BinlogSchema
import Exporters

struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Summarize binlog files: server, checksums, time range, event counts, GTIDs, ending.",
    discussion: """
      Examples:
        sluice info binlog.000001
        sluice info --format json /var/lib/mysql/   # every binlog in a directory
      """)

  @Option(help: "Output format: text or json.")
  var format: SummaryFormat = .text

  @OptionGroup var read: ReadOptions

  @OptionGroup var schema: SchemaAuditOptions

  @Argument(help: "Binlog files, directories, or '-' for stdin.")
  var files: [String]

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one binlog file") }
  }

  func run() throws {
    try runReporting {
      let sink = OutputSink.standardOutput()
      var worst: Int32 = 0
      let inputs = try expandInputs(files)
      // Stdin cannot be read twice: no schema audit for it.
      let audit = inputs.contains("-") ? nil : try schema.makeAudit(inputs: inputs, read: read)
      // JSON is one array whatever the number of files.
      if format == .json { sink.write("[") }
      for (k, path) in inputs.enumerated() {
        let summary: FileSummary
        do {
          let input = try BinlogInput(path: path, options: read.readerOptions)
          var s = FileSummary.scan(input, size: input.size ?? 0, verify: !read.noVerifyChecksum)
          // A stream (stdin, .gz) has no size of its own: the binlog bytes read.
          if input.size == nil { s.size = Swift.max(s.endOffset, input.position) }
          summary = s
        } catch let e as BinlogError {
          var s = FileSummary(file: path)
          s.error = e
          summary = s
        }
        if let e = summary.error {
          worst = Swift.max(worst, Exit.code(for: e))
        }
        // The file's Table_maps against the schema replayed from every file before it.
        var mismatches: [MismatchCount]?
        // Checksums were verified by the summary's pass.
        if let audit, summary.error == nil,
          let input = try? BinlogInput(path: path, options: ReaderOptions(verifyChecksums: false))
        {
          let r = audit.scanFile(input, skipErrors: read.skipErrors)
          mismatches = r.counts
          if let e = r.error { report("warning: schema mismatch count stops at: \(e)") }
        }
        if format == .json {
          if k > 0 { sink.write(",") }
          sink.write(SummaryText.json(summary, schemaMismatches: mismatches))
        } else {
          if k > 0 { sink.write("\n") }
          sink.write(SummaryText.text(summary))
          if let mismatches { sink.write(SchemaMismatchText.text(mismatches)) }
        }
        try sink.flush()
        if let e = summary.error { report(e.description) }
      }
      if format == .json { sink.write("]\n") }
      try sink.close()
      return worst
    }
  }
}
