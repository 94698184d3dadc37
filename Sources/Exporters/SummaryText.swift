import BinlogFormat
import BinlogIndex
import BinlogSchema

/// Text and JSON renderings of `FileSummary` for `sluice info`.
public enum SummaryText {
  static func time(_ t: UInt32?) -> String { t.map { TemporalText.isoUTC(Int64($0)) } ?? "-" }

  static func gtidText(_ g: GTID?) -> String { g?.description ?? "-" }

  public static func text(_ s: FileSummary) -> String {
    var out = "file:            \(s.file)\n"
    out += "size:            \(s.size) bytes\n"
    if let f = s.format {
      out += "server:          \(f.serverVersion) (\(f.flavor.rawValue))\n"
      out += "binlog version:  \(f.binlogVersion)\n"
      var ck = f.checksum.rawValue
      if f.checksum == .crc32 {
        ck +=
          s.checksumVerification
          ? " (\(s.checksumsVerified) verified\(s.error?.kind == .checksumMismatch ? ", MISMATCH" : ", all OK"))"
          : " (not verified)"
      }
      out += "checksum:        \(ck)\n"
    }
    for r in s.skipped {
      out += "skipped corrupt: \(r.start)-\(r.end) (damage at offset \(r.damageAt): \(r.reason))\n"
    }
    out += "first event:     \(time(s.firstTimestamp))\n"
    out += "last event:      \(time(s.lastTimestamp))\n"
    if let t = s.formatDescriptionTimestamp { out += "file opened:     \(time(t)) (Format_description)\n" }
    if let t = s.stopTimestamp { out += "server stopped:  \(time(t)) (Stop)\n" }
    out += "events:          \(s.eventCount)"
    if s.innerEventCount > 0 { out += " (+\(s.innerEventCount) inside transaction payloads)" }
    out += "\n"
    for (t, n) in s.eventCounts.sorted(by: { $0.key < $1.key }) {
      out += "  \(t.name):" + String(repeating: " ", count: Swift.max(1, 26 - t.name.count)) + "\(n)\n"
    }
    for (t, n) in s.innerEventCounts.sorted(by: { $0.key < $1.key }) {
      out += "  +\(t.name):" + String(repeating: " ", count: Swift.max(1, 25 - t.name.count)) + "\(n)\n"
    }
    out += "transactions:    \(s.transactions)\n"
    if let p = s.previousGTIDs { out += "previous GTIDs:  \(p.isEmpty ? "(empty)" : p.text(.compact))\n" }
    if let l = s.mariaGTIDList {
      out += "GTID list:       \(l.isEmpty ? "(empty)" : l.map { $0.description }.joined(separator: ","))\n"
    }
    out += "first GTID:      \(gtidText(s.firstGTID))\n"
    out += "last GTID:       \(gtidText(s.lastGTID))\n"
    switch s.ending {
    case .stop: out += "ends:            cleanly with Stop at \(s.endOffset)\n"
    case .rotate: out += "ends:            cleanly with Rotate to \(s.rotateTo ?? "?") at \(s.endOffset)\n"
    case .open: out += "ends:            \(s.ending.rawValue), at \(s.endOffset)\n"
    case .error: out += "ends:            ERROR after \(s.endOffset): \(s.error!.message)\n"
    }
    return out
  }

  /// `schemaMismatches`: the file's Table_maps that disagreed with the replayed schema (`SchemaAudit`).
  public static func json(_ s: FileSummary, schemaMismatches: [MismatchCount]? = nil) -> String {
    var o: [UInt8] = []
    func key(_ k: String) {
      if o.count > 1 { o.append(0x2C) }
      JSONWriter.appendString(k, into: &o)
      o.append(0x3A)
    }
    func str(_ k: String, _ v: String?) {
      key(k)
      if let v { JSONWriter.appendString(v, into: &o) } else { JSONWriter.appendRaw("null", into: &o) }
    }
    func num(_ k: String, _ v: UInt64?) {
      key(k)
      if let v { JSONWriter.appendUInt(v, into: &o) } else { JSONWriter.appendRaw("null", into: &o) }
    }
    o.append(0x7B)
    str("file", s.file)
    num("size", s.size)
    str("server_version", s.format?.serverVersion)
    str("flavor", s.format?.flavor.rawValue)
    num("binlog_version", s.format.map { UInt64($0.binlogVersion) })
    str("checksum", s.format?.checksum.rawValue)
    num("checksums_verified", UInt64(s.checksumsVerified))
    key("checksums_ok")
    JSONWriter.appendRaw(s.error?.kind == .checksumMismatch ? "false" : "true", into: &o)
    key("skipped_ranges")
    o.append(0x5B)
    for (k, r) in s.skipped.enumerated() {
      if k > 0 { o.append(0x2C) }
      o.append(0x7B)
      JSONWriter.appendString("start", into: &o)
      o.append(0x3A)
      JSONWriter.appendUInt(r.start, into: &o)
      o.append(0x2C)
      JSONWriter.appendString("end", into: &o)
      o.append(0x3A)
      JSONWriter.appendUInt(r.end, into: &o)
      o.append(0x2C)
      JSONWriter.appendString("damage_at", into: &o)
      o.append(0x3A)
      JSONWriter.appendUInt(r.damageAt, into: &o)
      o.append(0x2C)
      JSONWriter.appendString("reason", into: &o)
      o.append(0x3A)
      JSONWriter.appendString(r.reason, into: &o)
      o.append(0x7D)
    }
    o.append(0x5D)
    num("first_timestamp", s.firstTimestamp.map(UInt64.init))
    str("first_time", s.firstTimestamp.map { TemporalText.isoUTC(Int64($0)) })
    num("last_timestamp", s.lastTimestamp.map(UInt64.init))
    str("last_time", s.lastTimestamp.map { TemporalText.isoUTC(Int64($0)) })
    num("format_description_timestamp", s.formatDescriptionTimestamp.map(UInt64.init))
    str("format_description_time", s.formatDescriptionTimestamp.map { TemporalText.isoUTC(Int64($0)) })
    num("stop_timestamp", s.stopTimestamp.map(UInt64.init))
    str("stop_time", s.stopTimestamp.map { TemporalText.isoUTC(Int64($0)) })
    num("events", UInt64(s.eventCount))
    num("payload_events", UInt64(s.innerEventCount))
    key("event_counts")
    o.append(0x7B)
    for (k, (t, n)) in s.eventCounts.sorted(by: { $0.key < $1.key }).enumerated() {
      if k > 0 { o.append(0x2C) }
      JSONWriter.appendString(t.name, into: &o)
      o.append(0x3A)
      JSONWriter.appendUInt(UInt64(n), into: &o)
    }
    o.append(0x7D)
    num("transactions", UInt64(s.transactions))
    str("previous_gtids", s.previousGTIDs.map { $0.text(.compact) })
    str("gtid_list", s.mariaGTIDList.map { $0.map { $0.description }.joined(separator: ",") })
    str("first_gtid", s.firstGTID?.description)
    str("last_gtid", s.lastGTID?.description)
    str("ends", s.ending == .open ? "open" : s.ending.rawValue.lowercased())
    num("end_offset", s.endOffset)
    str("rotate_to", s.rotateTo)
    str("error", s.error?.description)
    if let m = schemaMismatches {
      key("schema_mismatches")
      SchemaMismatchText.appendJSON(m, into: &o)
    }
    o.append(0x7D)
    return String(decoding: o, as: UTF8.self)
  }
}
