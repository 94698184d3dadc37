import ArgumentParser
import BinlogFormat
import BinlogSchema

/// `--schema` / `--no-schema` for `info` and `stats`: replay the DDL (from a snapshot when given)
/// and count the Table_maps that disagree with it.
struct SchemaAuditOptions: ParsableArguments {
  @Option(
    name: .customLong("schema"),
    help:
      "Schema snapshot in force before the first file (mysqldump --no-data, SHOW CREATE TABLE text or information_schema.COLUMNS export) for the schema-mismatch count."
  )
  var snapshot: String?

  @Flag(name: .customLong("no-schema"), help: "Do not replay DDL to count Table_maps that disagree with the schema.")
  var noSchema = false

  /// nil with --no-schema. Warnings about the snapshot go to stderr.
  func makeAudit(inputs: [String], read: ReadOptions) throws -> SchemaAudit? {
    if noSchema { return nil }
    // The snapshot is read with the flavor of the server that wrote the binlogs.
    let (timeline, _) = try SchemaTimeline.seeded(
      firstFile: inputs.first, readerOptions: read.readerOptions, snapshot: snapshot,
      onIssue: { report("warning: \($0)") })
    return SchemaAudit(timeline: timeline)
  }
}
