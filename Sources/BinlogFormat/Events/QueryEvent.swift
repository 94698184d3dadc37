/// Query_event (type 2), also the query part of Execute_load_query (18) and MariaDB's
/// Query_compressed (165).
public struct QueryEvent: Sendable {
  public var threadID: UInt32
  public var executionTime: UInt32
  public var errorCode: UInt16
  public var database: String
  /// The statement text as bytes (decoded with `statusVars.clientCharset` by whoever prints it).
  public var queryBytes: [UInt8]
  public var statusVars: QueryStatusVars

  public var query: String { String(decoding: queryBytes, as: UTF8.self) }

  public init(event: RawEvent, format: FormatDescription) throws(BinlogError) {
    let post = format.postHeaderLength(event.type)
    var c = ByteCursor(event.body)
    threadID = try c.u32("thread id")
    executionTime = try c.u32("execution time")
    let dbLen = Int(try c.u8("database name length"))
    errorCode = try c.u16("error code")
    var statusLen = 0
    if post >= 13 {
      statusLen = Int(try c.u16("status variables length"))
    }
    // Skip the rest of the post-header (Execute_load_query has 13 more bytes there).
    let consumed = post >= 13 ? 13 : 11
    if post > consumed { try c.skip(post - consumed, "post-header") }
    var sv = try c.subCursor(statusLen, "status variables")
    statusVars = QueryStatusVars(parsing: &sv)
    database = try c.string(dbLen, "database name")
    try c.skip(1, "database name terminator")
    let rest = c.rest()
    if event.type == .queryCompressed {
      queryBytes = try MariaCompression.decompress(rest, what: "compressed query")
    } else {
      queryBytes = Array(rest)
    }
  }
}

/// The status variables block of a Query event. Unknown codes stop the walk (their length is
/// not knowable); everything before them is kept.
public struct QueryStatusVars: Sendable {
  public var flags2: UInt32?
  public var sqlMode: UInt64?
  public var catalog: String?
  public var autoIncrementIncrement: UInt16?
  public var autoIncrementOffset: UInt16?
  public var clientCharset: UInt16?
  public var collationConnection: UInt16?
  public var collationServer: UInt16?
  public var timeZone: String?
  public var lcTimeNames: UInt16?
  public var charsetDatabase: UInt16?
  public var tableMapForUpdate: UInt64?
  public var masterDataWritten: UInt32?
  public var invokerUser: String?
  public var invokerHost: String?
  public var updatedDatabases: [String]?
  /// Q_MICROSECONDS (MySQL) / Q_HRNOW (MariaDB): sub-second part of the statement start.
  public var microseconds: UInt32?
  public var explicitDefaultsForTimestamp: UInt8?
  public var ddlLoggedWithXid: UInt64?
  public var defaultCollationForUtf8mb4: UInt16?
  public var sqlRequirePrimaryKey: UInt8?
  public var defaultTableEncryption: UInt8?
  /// MariaDB Q_XID: the xid of a DDL logged as its own transaction.
  public var xid: UInt64?
  public var gtidFlags3: UInt8?
  /// A status code this reader does not know; parsing stopped there.
  public var unknownCode: UInt8?

  public init() {}

  public init(parsing c: inout ByteCursor) {
    do {
      while !c.isAtEnd {
        let code = try c.u8()
        switch code {
        case 0: flags2 = try c.u32()
        case 1: sqlMode = try c.u64()
        case 2:
          let n = Int(try c.u8())
          catalog = try c.string(n)
          try c.skip(1)
        case 3:
          autoIncrementIncrement = try c.u16()
          autoIncrementOffset = try c.u16()
        case 4:
          clientCharset = try c.u16()
          collationConnection = try c.u16()
          collationServer = try c.u16()
        case 5: timeZone = try c.string(Int(try c.u8()))
        case 6: catalog = try c.string(Int(try c.u8()))
        case 7: lcTimeNames = try c.u16()
        case 8: charsetDatabase = try c.u16()
        case 9: tableMapForUpdate = try c.u64()
        case 10: masterDataWritten = try c.u32()
        case 11:
          invokerUser = try c.string(Int(try c.u8()))
          invokerHost = try c.string(Int(try c.u8()))
        case 12:
          let n = Int(try c.u8())
          var names: [String] = []
          if n != 254 {  // OVER_MAX_DBS_IN_EVENT_MTS: no names follow
            for _ in 0..<n {
              let rest = UnsafeRawBufferPointer(rebasing: c.buffer[c.position...])
              let len = rest.firstIndex(of: 0) ?? rest.count
              names.append(try c.string(len))
              if !c.isAtEnd { try c.skip(1) }
            }
          }
          updatedDatabases = names
        case 13: microseconds = UInt32(try c.uint(3))
        case 14: try c.skip(0)  // Q_COMMIT_TS: never written
        case 15: try c.skip(0)
        case 16: explicitDefaultsForTimestamp = try c.u8()
        case 17: ddlLoggedWithXid = try c.u64()
        case 18: defaultCollationForUtf8mb4 = try c.u16()
        case 19: sqlRequirePrimaryKey = try c.u8()
        case 20: defaultTableEncryption = try c.u8()
        case 128: microseconds = UInt32(try c.uint(3))  // MariaDB Q_HRNOW
        case 129: xid = try c.u64()  // MariaDB Q_XID
        case 130: gtidFlags3 = try c.u8()  // MariaDB Q_GTID_FLAGS3
        case 131:  // MariaDB Q_CHARACTER_SET_COLLATIONS: count, then (charset, collation) pairs
          let n = Int(try c.u8())
          try c.skip(n * 4)
        default:
          unknownCode = code
          return
        }
      }
    } catch {
      // A status block that ends mid-variable: keep what was read.
    }
  }
}
