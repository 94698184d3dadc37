import BinlogSchema

/// Text and JSON for the Table_map events that disagreed with the replayed schema (`info`, `stats`).
public enum SchemaMismatchText {
  public static func text(_ counts: [MismatchCount]) -> String {
    let maps = counts.reduce(0) { $0 + $1.tableMaps }
    var s = "schema mismatches: \(maps) table maps"
    if counts.isEmpty { return s + "\n" }
    s += " in \(counts.count) table\(counts.count == 1 ? "" : "s") (binlog types and @N names used for them)\n"
    for c in counts {
      s += "  \(c.table.database).\(c.table.name): \(c.tableMaps) table maps, first at \(c.first.position): "
      s += c.first.differences.joined(separator: "; ") + "\n"
    }
    return s
  }

  /// `{"table_maps":N,"tables":[{"table":"db.t","table_maps":n,"first":"file:offset","differences":[...]}]}`
  public static func appendJSON(_ counts: [MismatchCount], into o: inout [UInt8]) {
    JSONWriter.appendRaw("{\"table_maps\":", into: &o)
    JSONWriter.appendUInt(UInt64(counts.reduce(0) { $0 + $1.tableMaps }), into: &o)
    JSONWriter.appendRaw(",\"tables\":[", into: &o)
    for (i, c) in counts.enumerated() {
      if i > 0 { o.append(0x2C) }
      JSONWriter.appendRaw("{\"table\":", into: &o)
      JSONWriter.appendString(c.table.database + "." + c.table.name, into: &o)
      JSONWriter.appendRaw(",\"table_maps\":", into: &o)
      JSONWriter.appendUInt(UInt64(c.tableMaps), into: &o)
      JSONWriter.appendRaw(",\"first\":", into: &o)
      JSONWriter.appendString(c.first.position.description, into: &o)
      JSONWriter.appendRaw(",\"binlog_columns\":", into: &o)
      JSONWriter.appendUInt(UInt64(c.first.binlogColumns), into: &o)
      JSONWriter.appendRaw(",\"schema_columns\":", into: &o)
      JSONWriter.appendUInt(UInt64(c.first.schemaColumns), into: &o)
      JSONWriter.appendRaw(",\"differences\":[", into: &o)
      for (k, d) in c.first.differences.enumerated() {
        if k > 0 { o.append(0x2C) }
        JSONWriter.appendString(d, into: &o)
      }
      JSONWriter.appendRaw("]}", into: &o)
    }
    JSONWriter.appendRaw("]}", into: &o)
  }
}
