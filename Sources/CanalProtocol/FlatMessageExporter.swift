import BinlogFormat
import BinlogIO
import Exporters

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a flat message's `ts` holds. Canal writes the wall clock at the time it builds the
/// message, which makes output irreproducible (canal-protocol.md §4).
public enum FlatMessageTimestamp: Sendable, Equatable {
  /// `ts` = `es` (the binlog event time in ms): reproducible; the default.
  case executeTime
  /// The wall clock when the message is written, as Canal does.
  case wallClock
  /// A fixed value.
  case fixed(Int64)
}

/// `sluice export --format canal-json`: one Canal flat message (the JSON Canal's MQ producers
/// write with `canal.mq.flatMessage=true`) per line, one per ROWDATA entry a client would
/// receive; TRANSACTIONBEGIN/END are skipped (§4).
///
/// `id` is Canal's batch id; offline there are no batches, so messages are numbered 1, 2, 3…
public final class FlatMessageExporter {
  public let sink: OutputSink
  public let options: CanalOptions
  public let timestamp: FlatMessageTimestamp
  public let mapper: EntryMapper
  private var filter = EntryClientFilter<MappedEntry>(entryOf: { $0 })
  private var delivered: [MappedEntry] = []
  private var nextID: Int64 = 1
  public private(set) var messagesWritten: UInt64 = 0

  public init(sink: OutputSink, options: CanalOptions = CanalOptions(), timestamp: FlatMessageTimestamp = .executeTime) {
    self.sink = sink
    self.options = options
    self.timestamp = timestamp
    self.mapper = EntryMapper(options: options)
  }

  /// Maps one walked event and writes the flat messages of the entries a client would receive.
  public func consume<S: EventSource>(_ ev: WalkedEvent, walker: BinlogWalker<S>) throws {
    guard let mapped = try mapper.map(ev, walker: walker) else { return }
    delivered.removeAll(keepingCapacity: true)
    if options.forClients {
      filter.add(mapped, into: &delivered)
    } else {
      delivered.append(mapped)
    }
    for m in delivered where m.entryType == .rowdata {
      guard let change = m.rowChange else { continue }
      let ts: Int64
      switch timestamp {
      case .executeTime: ts = m.header.executeTime
      case .wallClock: ts = FlatMessageExporter.nowMillis()
      case .fixed(let v): ts = v
      }
      FlatMessage.append(header: m.header, rowChange: change, id: nextID, ts: ts, into: &sink.buffer)
      sink.buffer.append(0x0A)
      nextID += 1
      messagesWritten += 1
      try sink.maybeFlush()
    }
  }

  public func finish() throws {
    try sink.flush()
  }

  static func nowMillis() -> Int64 {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return Int64(t.tv_sec) * 1000 + Int64(t.tv_nsec) / 1_000_000
  }
}

/// Canal's `FlatMessage` built from one ROWDATA entry (`MQMessageUtils.messageConverter`) and
/// serialized as fastjson2 does with `WriteNulls`: compact, keys in alphabetical order, nulls
/// written, non-ASCII as raw UTF-8.
public enum FlatMessage {
  /// Appends the JSON object (no newline).
  public static func append(header: CanalHeader, rowChange change: CanalRowChange, id: Int64, ts: Int64, into out: inout [UInt8])
  {
    let type = change.eventType
    let isDML = type == .insert || type == .update || type == .delete
    var data: [[(String, String?)]] = []
    var old: [[(String, String?)]] = []
    var sqlType: [(String, Int32)] = []
    var mysqlType: [(String, String)] = []
    var pkNames: [String] = []
    if !change.isDdl && isDML {
      var updated = Set<String>()
      var first = true
      for row in change.rowDatas {
        let columns = type == .delete ? row.beforeColumns : row.afterColumns
        var values: [(String, String?)] = []
        values.reserveCapacity(columns.count)
        for (k, c) in columns.enumerated() {
          if first && c.isKey { pkNames.append(c.name) }
          put(&sqlType, c.name, c.sqlType, hint: k)
          put(&mysqlType, c.name, c.mysqlType, hint: k)
          values.append((c.name, c.isNull ? nil : c.value))  // a row's column names are distinct
          // The flagged names accumulate over the rows and are never reset (Canal's quirk).
          if c.updated { updated.insert(c.name) }
        }
        first = false
        if !values.isEmpty { data.append(values) }
        if type == .update {
          var before: [(String, String?)] = []
          for c in row.beforeColumns where updated.contains(c.name) {
            before.append((c.name, c.isNull ? nil : c.value))
          }
          old.append(before)
        }
      }
    }
    appendRaw("{\"data\":", &out)
    if data.isEmpty { appendRaw("null", &out) } else { appendRows(data, &out) }
    appendRaw(",\"database\":", &out)
    appendString(header.schemaName, &out)
    appendRaw(",\"es\":", &out)
    appendRaw(String(header.executeTime), &out)
    appendRaw(",\"gtid\":", &out)
    appendString(header.gtid, &out)
    appendRaw(",\"id\":", &out)
    appendRaw(String(id), &out)
    appendRaw(",\"isDdl\":", &out)
    appendRaw(change.isDdl ? "true" : "false", &out)
    appendRaw(",\"mysqlType\":", &out)
    if mysqlType.isEmpty {
      appendRaw("null", &out)
    } else {
      out.append(UInt8(ascii: "{"))
      for (i, (k, v)) in mysqlType.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        appendString(k, &out)
        out.append(UInt8(ascii: ":"))
        appendString(v, &out)
      }
      out.append(UInt8(ascii: "}"))
    }
    appendRaw(",\"old\":", &out)
    if old.isEmpty { appendRaw("null", &out) } else { appendRows(old, &out) }
    appendRaw(",\"pkNames\":", &out)
    if pkNames.isEmpty {
      appendRaw("null", &out)
    } else {
      out.append(UInt8(ascii: "["))
      for (i, n) in pkNames.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        appendString(n, &out)
      }
      out.append(UInt8(ascii: "]"))
    }
    appendRaw(",\"sql\":", &out)
    appendString(change.sql, &out)
    appendRaw(",\"sqlType\":", &out)
    if sqlType.isEmpty {
      appendRaw("null", &out)
    } else {
      out.append(UInt8(ascii: "{"))
      for (i, (k, v)) in sqlType.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        appendString(k, &out)
        out.append(UInt8(ascii: ":"))
        appendRaw(String(v), &out)
      }
      out.append(UInt8(ascii: "}"))
    }
    appendRaw(",\"table\":", &out)
    appendString(header.tableName, &out)
    appendRaw(",\"ts\":", &out)
    appendRaw(String(ts), &out)
    appendRaw(",\"type\":", &out)
    appendString(eventTypeName(type), &out)
    out.append(UInt8(ascii: "}"))
  }

  /// The Java enum constant name of a Canal event type (`EventType.toString()`).
  public static func eventTypeName(_ t: CanalEventType) -> String {
    switch t {
    case .compatibleproto2: return "EVENTTYPECOMPATIBLEPROTO2"
    case .insert: return "INSERT"
    case .update: return "UPDATE"
    case .delete: return "DELETE"
    case .create: return "CREATE"
    case .alter: return "ALTER"
    case .erase: return "ERASE"
    case .query: return "QUERY"
    case .truncate: return "TRUNCATE"
    case .rename: return "RENAME"
    case .cindex: return "CINDEX"
    case .dindex: return "DINDEX"
    case .gtid: return "GTID"
    case .xacommit: return "XACOMMIT"
    case .xarollback: return "XAROLLBACK"
    case .mheartbeat: return "MHEARTBEAT"
    case .UNRECOGNIZED: return "UNRECOGNIZED"
    }
  }

  /// LinkedHashMap.put: a repeated key keeps its first position and takes the new value.
  /// `hint` is where the key usually is (the column's position in every row of an entry).
  private static func put<V>(_ map: inout [(String, V)], _ key: String, _ value: V, hint: Int) {
    if hint < map.count && map[hint].0 == key {
      map[hint].1 = value
    } else if let i = map.firstIndex(where: { $0.0 == key }) {
      map[i].1 = value
    } else {
      map.append((key, value))
    }
  }

  private static func appendRows(_ rows: [[(String, String?)]], _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (r, row) in rows.enumerated() {
      if r > 0 { out.append(UInt8(ascii: ",")) }
      out.append(UInt8(ascii: "{"))
      for (i, (k, v)) in row.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        appendString(k, &out)
        out.append(UInt8(ascii: ":"))
        if let v { appendString(v, &out) } else { appendRaw("null", &out) }
      }
      out.append(UInt8(ascii: "}"))
    }
    out.append(UInt8(ascii: "]"))
  }

  private static func appendRaw(_ s: String, _ out: inout [UInt8]) {
    out.append(contentsOf: s.utf8)
  }

  /// A JSON string as fastjson2 writes it: `"` and `\` escaped, `\b \t \n \f \r`, other
  /// control characters as `\u00xx` (lowercase hex), everything else raw UTF-8.
  static func appendString(_ s: String, _ out: inout [UInt8]) {
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    out.append(UInt8(ascii: "\""))
    for b in s.utf8 {
      switch b {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        out.append(UInt8(ascii: "\\"))
        out.append(b)
      case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
      case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
      case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
      case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
      case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
      case 0x00..<0x20:
        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
        out.append(hex[Int(b >> 4)])
        out.append(hex[Int(b & 0xF)])
      default:
        out.append(b)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}

extension FlatMessageExporter: EventConsumer {
  public func consume(_ ev: WalkedEvent, walker: BinlogWalker<BinlogInput>) throws {
    func generic<S: EventSource>(_ w: BinlogWalker<S>) throws { try consume(ev, walker: w) }
    try generic(walker)
  }
}
