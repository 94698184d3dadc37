import CanalProtocol
import SwiftProtobuf
import XCTest

final class EntryFramingTests: XCTestCase {
  func sampleEntries() throws -> [CanalEntry] {
    var begin = CanalTransactionBegin()
    begin.threadID = 12
    var first = CanalEntry()
    first.header = EntryGoldenBytesTests.header(offset: 235, eventLength: 75)
    first.entryType = .transactionbegin
    first.storeValue = try begin.serializedBytes()

    // A large entry so that its length prefix takes two varint bytes.
    var change = CanalRowChange()
    change.eventType = .query
    change.sql = String(repeating: "x", count: 300)
    var second = CanalEntry()
    second.header = EntryGoldenBytesTests.header(offset: 310, eventLength: 400)
    second.entryType = .rowdata
    second.storeValue = try change.serializedBytes()

    var end = CanalTransactionEnd()
    end.transactionID = "42"
    var third = CanalEntry()
    third.header = EntryGoldenBytesTests.header(offset: 415, eventLength: 31)
    third.entryType = .transactionend
    third.storeValue = try end.serializedBytes()
    return [first, second, third]
  }

  func testRoundTripPreservesEntriesAndBytes() throws {
    let entries = try sampleEntries()
    var stream: [UInt8] = []
    for entry in entries { try EntryFraming.append(entry, to: &stream) }

    let decoded = try EntryFraming.decodeEntries(stream)
    XCTAssertEqual(decoded, entries)
    var again: [UInt8] = []
    for entry in decoded { try EntryFraming.append(entry, to: &again) }
    XCTAssertEqual(again, stream)
  }

  func testFrameIsVarintLengthThenMessage() throws {
    let entries = try sampleEntries()
    var stream: [UInt8] = []
    try EntryFraming.append(entries[0], to: &stream)
    XCTAssertEqual(stream[0], 0x33, "the BEGIN entry is 51 bytes")
    XCTAssertEqual(Array(stream.dropFirst()), try entries[0].serializedBytes() as [UInt8])

    var long: [UInt8] = []
    try EntryFraming.append(entries[1], to: &long)
    let body: [UInt8] = try entries[1].serializedBytes()
    XCTAssertGreaterThan(body.count, 127)
    XCTAssertEqual(
      Array(long.prefix(2)), [UInt8(body.count & 0x7F) | 0x80, UInt8(body.count >> 7)])
  }

  func testVarintEncoding() {
    func varint(_ v: UInt64) -> [UInt8] {
      var out: [UInt8] = []
      EntryFraming.appendVarint(v, to: &out)
      return out
    }
    XCTAssertEqual(varint(0), [0])
    XCTAssertEqual(varint(127), [0x7F])
    XCTAssertEqual(varint(128), [0x80, 0x01])
    XCTAssertEqual(varint(300), [0xAC, 0x02])
    XCTAssertEqual(
      varint(UInt64.max), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
  }

  func testReaderReturnsFramesWithOffsets() throws {
    var stream: [UInt8] = []
    EntryFraming.appendFrame([UInt8](), to: &stream)  // an empty Entry is a valid frame
    EntryFraming.appendFrame([0x10, 0x04], to: &stream)
    try stream.withUnsafeBytes { raw in
      var reader = EntryFrameReader(raw)
      XCTAssertEqual(try reader.nextFrame()?.count, 0)
      XCTAssertEqual(reader.offset, 1)
      let entry = try reader.nextEntry()
      XCTAssertEqual(entry?.entryType, .heartbeat)
      XCTAssertTrue(reader.isAtEnd)
      XCTAssertNil(try reader.nextFrame())
      XCTAssertNil(try reader.nextEntry())
    }
  }

  func testEmptyStreamHasNoEntries() throws {
    XCTAssertEqual(try EntryFraming.decodeEntries([]), [])
  }

  func testTruncatedMessageReportsFrameOffset() throws {
    var stream: [UInt8] = []
    var frameOffsets: [Int] = []
    for entry in try sampleEntries() {
      frameOffsets.append(stream.count)
      try EntryFraming.append(entry, to: &stream)
    }
    XCTAssertThrowsError(try EntryFraming.decodeEntries(Array(stream.dropLast(1)))) { error in
      let e = error as? EntryFramingError
      XCTAssertEqual(e?.kind, .truncatedMessage)
      XCTAssertEqual(e?.offset, frameOffsets[2])
    }
    // Cut inside the second frame's two-byte length prefix.
    XCTAssertThrowsError(try EntryFraming.decodeEntries(Array(stream.prefix(frameOffsets[1] + 1)))) { error in
      let e = error as? EntryFramingError
      XCTAssertEqual(e?.kind, .truncatedLength)
      XCTAssertEqual(e?.offset, frameOffsets[1])
      XCTAssertEqual(e?.description.hasPrefix("Entry stream at offset \(frameOffsets[1]): "), true)
    }
  }

  func testOversizeFrameIsRejectedBeforeReading() {
    var stream: [UInt8] = []
    EntryFraming.appendVarint(5000, to: &stream)
    stream += [UInt8](repeating: 0, count: 5000)
    XCTAssertThrowsError(try EntryFraming.decodeEntries(stream, maxMessageSize: 4096)) { error in
      XCTAssertEqual((error as? EntryFramingError)?.kind, .oversize)
    }
    // A huge announced length with few bytes behind it is oversize, not a huge allocation.
    XCTAssertThrowsError(
      try EntryFraming.decodeEntries([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    ) {
      XCTAssertEqual(($0 as? EntryFramingError)?.kind, .oversize)
    }
  }

  func testOverlongVarintIsMalformed() {
    let stream = [UInt8](repeating: 0x80, count: 10) + [0x00]
    XCTAssertThrowsError(try EntryFraming.decodeEntries(stream)) { error in
      XCTAssertEqual((error as? EntryFramingError)?.kind, .malformedLength)
      XCTAssertEqual((error as? EntryFramingError)?.offset, 0)
    }
  }

  func testGarbageFrameIsInvalidEntry() throws {
    var stream: [UInt8] = []
    try EntryFraming.append(try sampleEntries()[0], to: &stream)
    let second = stream.count
    EntryFraming.appendFrame([0x0A, 0x05, 0x01], to: &stream)  // header claims 5 bytes, has 1
    try stream.withUnsafeBytes { raw in
      var reader = EntryFrameReader(raw)
      XCTAssertNotNil(try reader.nextEntry())
      XCTAssertThrowsError(try reader.nextEntry()) { error in
        XCTAssertEqual((error as? EntryFramingError)?.kind, .invalidEntry)
        XCTAssertEqual((error as? EntryFramingError)?.offset, second)
      }
      XCTAssertEqual(reader.offset, second, "a failed read does not advance")
    }
  }
}
