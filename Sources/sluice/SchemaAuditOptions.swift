import ArgumentParser
import BinlogPipeline

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

  var settings: SchemaAuditSettings { SchemaAuditSettings(enabled: !noSchema, snapshot: snapshot) }
}
