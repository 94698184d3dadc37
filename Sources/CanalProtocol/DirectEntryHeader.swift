/// The `Header` of an entry outside GTID mode, written from its values without a `CanalHeader`:
/// the bytes `EntryEncoding.appendHeaderField` writes (after its tag and length) for the header
/// `EntryMapper.header` builds (rows, Annotate_rows, BEGIN and Xid entries).
struct DirectEntryHeader {
  var logfileName = ""
  var logfileOffset: Int64 = 0
  var serverID: Int64 = 0
  var executeTime: Int64 = 0
  var schemaName = ""
  var tableName = ""
  var eventLength: Int64 = 0
  /// Unset for TRANSACTIONBEGIN/END.
  var eventType: CanalEventType?
  /// Written as the `rowsCount` prop when above 0.
  var rowsCount = 0

  private static func stringSize(_ s: String) -> Int {
    let n = s.utf8.count
    return n == 0 ? 0 : 1 + EntryEncoding.varintSize(UInt64(n)) + n
  }

  private static func intFieldSize(_ v: Int64) -> Int { v == 0 ? 0 : 1 + EntryEncoding.intSize(v) }

  /// The `rowsCount` Pair message: key (11 bytes with tag and length) and the count's digits.
  private var rowsCountPairSize: Int {
    let digits = CanalValueText.decimalDigits(UInt64(rowsCount))
    return 11 + 1 + EntryEncoding.varintSize(UInt64(digits)) + digits
  }

  /// The serialized header's size.
  var bodySize: Int {
    var n = 2  // version 1
    n += Self.stringSize(logfileName)
    n += Self.intFieldSize(logfileOffset)
    n += Self.intFieldSize(serverID)
    n += 7  // serverenCode "UTF-8"
    n += Self.intFieldSize(executeTime)
    n += 1 + EntryEncoding.intSize(Int64(CanalType.mysql.rawValue))
    n += Self.stringSize(schemaName)
    n += Self.stringSize(tableName)
    n += Self.intFieldSize(eventLength)
    if let eventType { n += 1 + EntryEncoding.intSize(Int64(eventType.rawValue)) }
    if rowsCount > 0 {
      let p = rowsCountPairSize
      n += 1 + EntryEncoding.varintSize(UInt64(p)) + p
    }
    return n
  }

  /// Writes the `bodySize` bytes, fields in tag order.
  func write(_ w: inout ProtobufWriter) {
    w.bytes(0x08, 1)
    w.string(0x12, logfileName)
    if logfileOffset != 0 {
      w.byte(0x18)
      w.int(logfileOffset)
    }
    if serverID != 0 {
      w.byte(0x20)
      w.int(serverID)
    }
    w.bytes(0x2A, 5)
    w.ascii("UTF-8")
    if executeTime != 0 {
      w.byte(0x30)
      w.int(executeTime)
    }
    w.byte(0x38)
    w.int(Int64(CanalType.mysql.rawValue))
    w.string(0x42, schemaName)
    w.string(0x4A, tableName)
    if eventLength != 0 {
      w.byte(0x50)
      w.int(eventLength)
    }
    if let eventType {
      w.byte(0x58)
      w.int(Int64(eventType.rawValue))
    }
    if rowsCount > 0 {
      w.byte(0x62)
      w.varint(UInt64(rowsCountPairSize))
      w.bytes(0x0A, 9)
      w.ascii("rowsCount")
      let digits = CanalValueText.decimalDigits(UInt64(rowsCount))
      w.bytes(0x12, UInt8(digits))
      CanalValueText.writeDigits(UInt64(rowsCount), count: digits, to: w.position)
      w.skip(digits)
    }
  }
}

/// How `EntryMapper` holds the header of a prepared rows entry: its values, or (GTID mode, with
/// the executed set and props) the serialized `header` field, tag and length included.
enum PreparedEntryHeader {
  case direct(DirectEntryHeader)
  case field([UInt8])
}
