import CanalProtocol
import SwiftProtobuf
import XCTest

/// The golden Entries of canal-protocol.md §1.5 (proto3 layout of canal 1.1.x), built with the
/// generated types and compared byte for byte.
final class EntryGoldenBytesTests: XCTestCase {
  // Header fields shared by the three entries, in tag order up to sourceType:
  // version=1, logfileName, logfileOffset (varint inserted per entry), serverId=1,
  // serverenCode="UTF-8", executeTime=1700000000000, sourceType=MYSQL.
  static let fileField = "1210" + hex("mysql-bin.000001")
  static let afterOffset = "2001" + "2a05" + hex("UTF-8") + "3080d095ffbc31" + "3802"

  static func header(offset: Int64, eventLength: Int64) -> CanalHeader {
    var header = CanalHeader()
    header.version = 1
    header.logfileName = "mysql-bin.000001"
    header.logfileOffset = offset
    header.serverID = 1
    header.serverenCode = "UTF-8"
    header.executeTime = 1_700_000_000_000
    header.sourceType = .mysql
    header.eventLength = eventLength
    return header
  }

  func testTransactionBeginMatchesSpecBytes() throws {
    var begin = CanalTransactionBegin()
    begin.threadID = 12
    var entry = CanalEntry()
    entry.header = Self.header(offset: 235, eventLength: 75)
    entry.entryType = .transactionbegin
    entry.storeValue = try begin.serializedBytes()

    let expected =
      "0a2b 0801 1210 6d7973716c2d62696e2e303030303031 18eb01 2001 2a05 5554462d38 3080d095ffbc31 3802 504b"
      + " 1001 1a02 200c"
    try assertBytes(entry.serializedBytes(), expected, "BEGIN entry")
    XCTAssertNil(entry.header.eventTypePresent, "BEGIN has no header eventType (§2.2)")
  }

  func testInsertRowChangeMatchesSpecBytes() throws {
    var id = CanalColumn()
    id.index = 0  // proto3: not written
    id.sqlType = 4
    id.name = "id"
    id.isKey = true
    id.updated = true
    id.isNull = false  // oneof: written as 30 00
    id.value = "1"
    id.mysqlType = "int(11)"
    var name = CanalColumn()
    name.index = 1
    name.sqlType = 12
    name.name = "name"
    name.isKey = false
    name.updated = true
    name.isNull = false
    name.value = "a"
    name.mysqlType = "varchar(10)"
    var row = CanalRowData()
    row.afterColumns = [id, name]
    var change = CanalRowChange()
    change.tableID = 90
    change.eventType = .insert
    change.isDdl = false  // oneof: written as 50 00
    change.rowDatas = [row]

    let storeValue: [UInt8] = try change.serializedBytes()
    let expectedStoreValue =
      "085a 1001 5000 623a 1218 1004 1a026964 2001 2801 3000 420131 5207696e7428313129 121e 0801 100c"
      + " 1a046e616d65 2801 3000 420161 520b7661726368617228313029"
    assertBytes(storeValue, expectedStoreValue, "INSERT RowChange")

    var header = Self.header(offset: 365, eventLength: 50)
    header.schemaName = "test"
    header.tableName = "t1"
    header.eventType = .insert
    var rowsCount = CanalPair()
    rowsCount.key = "rowsCount"
    rowsCount.value = "1"
    header.props = [rowsCount]
    var entry = CanalEntry()
    entry.header = header
    entry.entryType = .rowdata
    entry.storeValue = Data(storeValue)

    // Header in tag order: common part with offset 365 (ed02), schema, table, eventLength 50,
    // eventType INSERT, props rowsCount=1.
    let headerHex =
      "0801" + Self.fileField + "18ed02" + Self.afterOffset + "4204" + hex("test") + "4a02"
      + hex("t1")
      + "5032" + "5801" + "620e 0a09 726f7773436f756e74 1201 31"
    let headerLength = bytes(headerHex).count
    let expected =
      "0a" + String(headerLength, radix: 16) + headerHex + "1002" + "1a"
      + String(storeValue.count, radix: 16)
      + expectedStoreValue
    try assertBytes(entry.serializedBytes(), expected, "INSERT entry")
  }

  func testTransactionEndMatchesSpecBytes() throws {
    var end = CanalTransactionEnd()
    end.transactionID = "42"
    let storeValue: [UInt8] = try end.serializedBytes()
    assertBytes(storeValue, "12 02 34 32", "COMMIT TransactionEnd")

    var entry = CanalEntry()
    entry.header = Self.header(offset: 415, eventLength: 31)
    entry.entryType = .transactionend
    entry.storeValue = Data(storeValue)
    let headerHex = "0801" + Self.fileField + "189f03" + Self.afterOffset + "501f"
    let expected =
      "0a" + String(bytes(headerHex).count, radix: 16) + headerHex + "1003" + "1a04" + "12023432"
    try assertBytes(entry.serializedBytes(), expected, "COMMIT entry")
  }

  func testOneofPresenceSurvivesZeroAndDecoding() throws {
    var column = CanalColumn()
    column.isNull = false
    var change = CanalRowChange()
    change.isDdl = false
    assertBytes(try column.serializedBytes(), "3000", "isNull=false is written")
    assertBytes(try change.serializedBytes(), "5000", "isDdl=false is written")

    let decoded = try CanalRowChange(serializedBytes: bytes("5000"))
    XCTAssertNotNil(decoded.isDdlPresent)
    XCTAssertNil(
      decoded.eventTypePresent, "an absent oneof enum reads as unset (proto3), not UPDATE")
    XCTAssertEqual(decoded.eventType, .compatibleproto2)
  }

  func testNonOneofZeroScalarsAreOmitted() throws {
    var column = CanalColumn()
    column.index = 0
    column.isKey = false
    column.updated = false
    column.value = ""
    assertBytes(try column.serializedBytes(), "", "proto3 omits zero non-oneof scalars (§1.4)")
  }

  func testNegativeInt64IsTenByteVarint() throws {
    var get = CanalGet()
    get.timeout = -1
    assertBytes(try get.serializedBytes(), "20 ffffffffffffffffff01", "Get.timeout = -1")
  }

  func testEmptyMessagesPacketMatchesServerBytes() throws {
    // §3.5: the empty GET reply, without its 4-byte TCP length (00 00 00 11).
    var messages = CanalMessages()
    messages.batchID = -1
    var packet = CanalPacket()
    packet.version = 1
    packet.type = .messages
    packet.body = try messages.serializedBytes()
    assertBytes(
      try packet.serializedBytes(), "1001 1807 2a0b 08ffffffffffffffffff01", "empty MESSAGES")
  }

  func testHandshakeAndAckMatchServerBytes() throws {
    // §3.3: 10 01 18 01 2a 0a 12 08 <seed> and 10 01 18 03 (TCP length prefix excluded).
    var handshake = CanalHandshake()
    handshake.seeds = Data([1, 2, 3, 4, 5, 6, 7, 8])
    var packet = CanalPacket()
    packet.version = 1
    packet.type = .handshake
    packet.body = try handshake.serializedBytes()
    assertBytes(try packet.serializedBytes(), "1001 1801 2a0a 1208 0102030405060708", "HANDSHAKE")

    var ack = CanalPacket()
    ack.version = 1
    ack.type = .ack
    ack.body = try CanalAck().serializedBytes()
    assertBytes(try ack.serializedBytes(), "1001 1803", "auth success ACK")
  }

  func testFullNamesMatchCanalDescriptors() {
    XCTAssertEqual(CanalEntry.protoMessageName, "com.alibaba.otter.canal.protocol.Entry")
    XCTAssertEqual(CanalRowChange.protoMessageName, "com.alibaba.otter.canal.protocol.RowChange")
    XCTAssertEqual(CanalPacket.protoMessageName, "com.alibaba.otter.canal.protocol.Packet")
    XCTAssertEqual(CanalPacketType.heartbeat.rawValue, 11)
    XCTAssertEqual(CanalEntryType.heartbeat.rawValue, 4)
    XCTAssertEqual(CanalEventType.mheartbeat.rawValue, 15)
  }
}

/// Lowercase hex of a string's UTF-8 bytes.
func hex(_ text: String) -> String {
  hex(Array(text.utf8))
}

func hex(_ data: [UInt8]) -> String {
  let digits = Array("0123456789abcdef")
  var s = ""
  for b in data {
    s.append(digits[Int(b >> 4)])
    s.append(digits[Int(b & 0xF)])
  }
  return s
}

/// Bytes of a hex string; spaces are ignored.
func bytes(_ hexText: String) -> [UInt8] {
  let digits = Array(hexText.filter { !$0.isWhitespace })
  precondition(digits.count % 2 == 0, "odd hex string \(hexText)")
  return stride(from: 0, to: digits.count, by: 2).map {
    UInt8(String(digits[$0...$0 + 1]), radix: 16)!
  }
}

/// Compares bytes with a hex string and reports the first differing offset.
func assertBytes(
  _ actual: [UInt8], _ expectedHex: String, _ what: String, file: StaticString = #filePath,
  line: UInt = #line
) {
  let expected = bytes(expectedHex)
  guard actual != expected else { return }
  let firstDifference =
    zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
    ?? min(actual.count, expected.count)
  XCTFail(
    "\(what): bytes differ at offset \(firstDifference)\n  expected \(hex(expected))\n  actual   \(hex(actual))",
    file: file, line: line)
}
