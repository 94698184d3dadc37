import Foundation
import XCTest

@testable import BinlogFormat

// MARK: - Corpus access (test-only; the real event reader lives elsewhere)

/// One event found by a plain v4 header walk over a corpus file.
private struct GTIDCorpusEvent {
  var file: String
  var offset: Int
  var type: EventType
  var timestamp: UInt32
  var serverID: UInt32
  var size: Int
  /// Bytes after the 19-byte header, without the CRC32 trailer when the FDE announced one.
  var body: [UInt8]

  var label: String { "\(file) @\(offset) (\(type.name))" }

  func withBody<R>(_ f: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try body.withUnsafeBytes(f)
  }
}

private struct GTIDCorpusError: Error, CustomStringConvertible {
  var description: String
}

private enum GTIDCorpus {
  /// `<package root>/../shared/corpus`, the package root being three levels above this file.
  static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared/corpus").standardizedFileURL

  static func bytes(_ path: String) throws -> [UInt8] {
    let url = root.appendingPathComponent(path)
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw GTIDCorpusError(description: "corpus file missing: \(url.path)")
    }
    return [UInt8](data)
  }

  /// All complete events of a binlog file. The FDE (type 15) says whether a CRC32 follows each
  /// event: servers from MySQL 5.6.1 / MariaDB 5.3 on put the checksum algorithm byte just before
  /// the FDE's last 4 bytes (1 = CRC32); older servers have no such byte and no checksums.
  static func events(_ path: String) throws -> [GTIDCorpusEvent] {
    let b = try bytes(path)
    guard b.count >= 4, b[0..<4] == [0xfe, 0x62, 0x69, 0x6e] else {
      throw GTIDCorpusError(description: "\(path): not a binlog (bad magic)")
    }
    func le32(_ at: Int) -> UInt32 {
      UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
    var out: [GTIDCorpusEvent] = []
    var pos = 4
    var crcLength = 0
    while pos + 19 <= b.count {
      let type = EventType(b[pos + 4])
      let size = Int(le32(pos + 9))
      guard size >= 19, pos + size <= b.count else { break }
      var bodyEnd = pos + size - crcLength
      if type == .formatDescription {
        let version = String(decoding: b[(pos + 21)..<(pos + 71)].prefix { $0 != 0 }, as: UTF8.self)
        let hasAlgorithmByte = supportsChecksums(version)
        crcLength = hasAlgorithmByte && b[pos + size - 5] == 1 ? 4 : 0
        bodyEnd = hasAlgorithmByte ? pos + size - 5 : pos + size
      }
      out.append(
        GTIDCorpusEvent(
          file: path, offset: pos, type: type, timestamp: le32(pos), serverID: le32(pos + 5), size: size,
          body: Array(b[(pos + 19)..<bodyEnd])))
      pos += size
    }
    return out
  }

  static func supportsChecksums(_ version: String) -> Bool {
    let numbers = version.split(whereSeparator: { !$0.isNumber }).prefix(3).compactMap { Int($0) }
    guard numbers.count == 3 else { return false }
    let minimum = version.contains("MariaDB") ? [5, 3, 0] : [5, 6, 1]
    return !numbers.lexicographicallyPrecedes(minimum)
  }

  static func events(_ path: String, ofType type: EventType) throws -> [GTIDCorpusEvent] {
    try events(path).filter { $0.type == type }
  }

  /// Every binlog in the corpus (files starting with the binlog magic), relative paths.
  static func allBinlogs() throws -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: root.path) else {
      throw GTIDCorpusError(description: "corpus directory missing: \(root.path)")
    }
    var paths: [String] = []
    for case let path as String in walker where !path.contains("/expected/") {
      let full = root.appendingPathComponent(path).path
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
        let handle = FileHandle(forReadingAtPath: full)
      else { continue }
      let head = (try? handle.read(upToCount: 4)) ?? Data()
      try? handle.close()
      if [UInt8](head) == [0xfe, 0x62, 0x69, 0x6e] { paths.append(path) }
    }
    return paths.sorted()
  }
}

private func uuid(_ text: String) -> UUID128 { UUID128(text)! }

private func gtidSet(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> GTIDSet {
  do { return try GTIDSet(parsing: text) } catch {
    XCTFail("\(error)", file: file, line: line)
    return GTIDSet()
  }
}

/// Asserts `body` throws a BinlogError of `kind` and returns it.
@discardableResult
private func assertThrowsBinlogError<T>(
  _ kind: BinlogError.Kind, _ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line
) -> BinlogError? {
  do {
    let value = try body()
    XCTFail("expected \(kind) error, got \(value)", file: file, line: line)
  } catch let e as BinlogError {
    XCTAssertEqual(e.kind, kind, "\(e)", file: file, line: line)
    return e
  } catch {
    XCTFail("unexpected error \(error)", file: file, line: line)
  }
  return nil
}

private func parseBytes<T>(_ bytes: [UInt8], _ f: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
  try bytes.withUnsafeBytes(f)
}

private func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

final class GTIDTests: XCTestCase {

  // MARK: UUID128

  func testUUIDParsesDashedUndashedBracedAnyCase() throws {
    let a = try UUID128(parsing: "3E11FA47-71CA-11E1-9E33-C80AA9429562")
    XCTAssertEqual(a.description, "3e11fa47-71ca-11e1-9e33-c80aa9429562")
    XCTAssertEqual(UUID128("3e11fa4771ca11e19e33c80aa9429562"), a)
    XCTAssertEqual(UUID128("{3e11fa47-71ca-11e1-9e33-c80aa9429562}"), a)
    XCTAssertEqual(
      a.bytes, [0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62])
    XCTAssertEqual(UUID128(bytes: a.bytes), a)
    XCTAssertEqual(UUID128.zero.description, "00000000-0000-0000-0000-000000000000")
  }

  func testUUIDRejectsBadText() {
    for bad in [
      "", "3e11fa47-71ca-11e1-9e33-c80aa942956", "3e11fa47-71ca-11e1-9e33-c80aa942956g",
      "3e11fa4771ca-11e1-9e33-c80aa9429562x", "3e11fa47_71ca_11e1_9e33_c80aa9429562",
    ] {
      XCTAssertNil(UUID128(bad), bad)
    }
    let e = assertThrowsBinlogError(.malformed) { try UUID128(parsing: "nope") }
    XCTAssertTrue(e?.message.contains("\"nope\"") ?? false)
  }

  func testUUIDOrderIsByteOrder() {
    let a = uuid("00000000-0000-0000-ffff-ffffffffffff")
    let b = uuid("00000000-0000-0001-0000-000000000000")
    let c = uuid("80000000-0000-0000-0000-000000000000")
    XCTAssertLessThan(a, b)
    XCTAssertLessThan(b, c)
  }

  // MARK: Single GTIDs

  func testMySQLGTIDParseAndFormat() throws {
    let g = try MySQLGTID(parsing: " 3E11FA47-71CA-11E1-9E33-C80AA9429562 : 23 ")
    XCTAssertEqual(g, MySQLGTID(sid: uuid("3e11fa47-71ca-11e1-9e33-c80aa9429562"), gno: 23))
    XCTAssertEqual(g.description, "3e11fa47-71ca-11e1-9e33-c80aa9429562:23")
    let t = try MySQLGTID(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:Web_1:7")
    XCTAssertEqual(t.tag, "web_1")
    XCTAssertEqual(t.description, "3e11fa47-71ca-11e1-9e33-c80aa9429562:web_1:7")
    assertThrowsBinlogError(.malformed) { try MySQLGTID(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:0") }
    assertThrowsBinlogError(.malformed) { try MySQLGTID(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-2") }
    assertThrowsBinlogError(.malformed) { try MySQLGTID(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562") }
  }

  func testTagValidation() {
    XCTAssertTrue(MySQLGTID.isValidTag("_a1"))
    XCTAssertTrue(MySQLGTID.isValidTag(String(repeating: "a", count: 32)))
    XCTAssertFalse(MySQLGTID.isValidTag(String(repeating: "a", count: 33)))
    XCTAssertFalse(MySQLGTID.isValidTag("1abc"))
    XCTAssertFalse(MySQLGTID.isValidTag("a-b"))
    XCTAssertFalse(MySQLGTID.isValidTag(""))
  }

  func testMariaGTIDParseFormatAndGTIDEnum() throws {
    let m = try MariaGTID(parsing: " 0-3704-2815 ")
    XCTAssertEqual(m, MariaGTID(domain: 0, server: 3704, seq: 2815))
    XCTAssertEqual(m.description, "0-3704-2815")
    XCTAssertEqual(try GTID(parsing: "1-2-18446744073709551615"), .mariadb(MariaGTID(domain: 1, server: 2, seq: .max)))
    XCTAssertEqual(
      try GTID(parsing: "3e11fa47-71ca-11e1-9e33-c80aa9429562:5").description, "3e11fa47-71ca-11e1-9e33-c80aa9429562:5")
    assertThrowsBinlogError(.malformed) { try MariaGTID(parsing: "0-1") }
    assertThrowsBinlogError(.malformed) { try MariaGTID(parsing: "4294967296-1-1") }
    assertThrowsBinlogError(.malformed) { try MariaGTID(parsing: "0-1-2-3") }
  }

  // MARK: GTIDSet text

  let u1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
  let u2 = "8186fc1e-c5ff-11e3-8df9-e66ccf50db66"

  func testGTIDSetNormalizesAndMergesIntervals() {
    let s = gtidSet("\(u1):7:1-3:4-5,\(u1):6")
    XCTAssertEqual(s.text(), "\(u1):1-7")
    XCTAssertEqual(s, gtidSet("\(u1):1-7"))
    XCTAssertEqual(gtidSet("\(u1):9:1-2:5:3").text(), "\(u1):1-3:5:9")
    XCTAssertEqual(s.intervals(for: GTIDSet.TSID(sid: uuid(u1))), [1...7])
    XCTAssertEqual(s.count, 7)
    XCTAssertEqual(s.lastGNO(for: GTIDSet.TSID(sid: uuid(u1))), 7)
  }

  func testGTIDSetFormatsLikeMySQLWithUUIDsInOrder() {
    let s = gtidSet("\(u2):1-11, \(u1):1-5")
    XCTAssertEqual(s.text(.mysql), "\(u1):1-5,\n\(u2):1-11")
    XCTAssertEqual(s.description, "\(u1):1-5,\n\(u2):1-11")
    XCTAssertEqual(s.text(.compact), "\(u1):1-5,\(u2):1-11")
  }

  func testGTIDSetToleratesWhitespaceNewlinesAndEmptyEntries() {
    let s = gtidSet("  \n\(u1) : 1 - 5 ,\n\t\(u2):3 ,, ")
    XCTAssertEqual(s.text(.compact), "\(u1):1-5,\(u2):3")
    XCTAssertTrue(gtidSet("").isEmpty)
    XCTAssertTrue(gtidSet(" ,, \n").isEmpty)
    XCTAssertEqual(gtidSet("").text(), "")
    // A UUID with no intervals (or only a tag) is accepted and adds nothing, as in MySQL.
    XCTAssertTrue(gtidSet("\(u1),\(u2):tag").isEmpty)
  }

  func testGTIDSetAcceptsUndashedUppercaseUUIDs() {
    let s = gtidSet("7E23401AC60311E38E135E10E6A05CFB:1-5")
    XCTAssertEqual(s.text(), "7e23401a-c603-11e3-8e13-5e10e6a05cfb:1-5")
  }

  func testGTIDSetTagsSwitchWithinAnEntryAndFormatUnderOneUUID() {
    let s = gtidSet("\(u1):1-5:Batch:3-4:web:1:batch:5,\(u1):7")
    XCTAssertEqual(s.text(.compact), "\(u1):1-5:7:batch:3-5:web:1")
    XCTAssertEqual(s.sources.map(\.tag), [nil, "batch", "web"])
    // MySQL prints the UUID once, tagged groups after the untagged one.
    let t = gtidSet("\(u2):a:1,\(u1):z:2,\(u1):1-13,\(u1):mytag:1-2")
    XCTAssertEqual(t.text(.mysql), "\(u1):1-13:mytag:1-2:z:2,\n\(u2):a:1")
  }

  func testGTIDSetContainsRespectsTags() {
    let s = gtidSet("\(u1):1-5:10-20:web:7")
    let sid = uuid(u1)
    XCTAssertTrue(s.contains(MySQLGTID(sid: sid, gno: 1)))
    XCTAssertTrue(s.contains(MySQLGTID(sid: sid, gno: 5)))
    XCTAssertFalse(s.contains(MySQLGTID(sid: sid, gno: 6)))
    XCTAssertTrue(s.contains(MySQLGTID(sid: sid, gno: 10)))
    XCTAssertTrue(s.contains(MySQLGTID(sid: sid, gno: 20)))
    XCTAssertFalse(s.contains(MySQLGTID(sid: sid, gno: 21)))
    XCTAssertFalse(s.contains(MySQLGTID(sid: sid, gno: 7)))
    XCTAssertTrue(s.contains(MySQLGTID(sid: sid, tag: "web", gno: 7)))
    XCTAssertFalse(s.contains(MySQLGTID(sid: sid, tag: "web", gno: 1)))
    XCTAssertFalse(s.contains(MySQLGTID(sid: uuid(u2), gno: 1)))
    XCTAssertTrue(s.contains(sid: sid, tag: nil, gno: 15))
  }

  func testGTIDSetUnionSubtractIntersectionSubset() {
    var a = gtidSet("\(u1):1-10:tag:1-3,\(u2):5")
    let b = gtidSet("\(u1):4-6:12,\(u1):tag:3-9,\(u2):1-4")
    XCTAssertEqual(a.union(b).text(.compact), "\(u1):1-10:12:tag:1-9,\(u2):1-5")
    XCTAssertEqual(a.subtracting(b).text(.compact), "\(u1):1-3:7-10:tag:1-2,\(u2):5")
    XCTAssertEqual(a.intersection(b).text(.compact), "\(u1):4-6:tag:3")
    XCTAssertTrue(gtidSet("\(u1):2-3:tag:1").isSubset(of: a))
    XCTAssertFalse(gtidSet("\(u1):tag:4").isSubset(of: a))
    XCTAssertFalse(gtidSet("\(u1):11").isSubset(of: a))
    XCTAssertTrue(GTIDSet().isSubset(of: a))
    // Subtracting everything of a source removes it.
    a.subtract(gtidSet("\(u2):1-100"))
    XCTAssertEqual(a.text(.compact), "\(u1):1-10:tag:1-3")
    a.subtract(a)
    XCTAssertTrue(a.isEmpty)
    // Union of touching ranges merges; insert bridges a gap.
    var c = gtidSet("\(u1):1-3:7-9")
    c.insert(MySQLGTID(sid: uuid(u1), gno: 5))
    XCTAssertEqual(c.text(), "\(u1):1-3:5:7-9")
    c.insert(4...6, for: GTIDSet.TSID(sid: uuid(u1)))
    XCTAssertEqual(c.text(), "\(u1):1-9")
    XCTAssertEqual(gtidSet("\(u1):1-3").union(gtidSet("\(u1):4-5")).text(), "\(u1):1-5")
    XCTAssertEqual(gtidSet("\(u1):1-10").subtracting(gtidSet("\(u1):1:3:5-6:10")).text(), "\(u1):2:4:7-9")
  }

  func testGTIDSetLargestGNOAndBounds() {
    let s = gtidSet("\(u1):9223372036854775800-9223372036854775806")
    XCTAssertTrue(s.contains(MySQLGTID(sid: uuid(u1), gno: MySQLGTID.maxGNO)))
    XCTAssertEqual(s.count, 7)
    assertThrowsBinlogError(.malformed) { try GTIDSet(parsing: "\(u1):9223372036854775807") }
  }

  func testGTIDSetRejectsBadTextWithPosition() {
    let cases: [(String, String)] = [
      ("\(u1):0", "transaction number"),
      ("\(u1):5-3", "range end"),
      ("not-a-uuid:1", "a UUID"),
      ("\(u1):", "transaction number"),
      ("\(u1):1-", "transaction number"),
      ("\(u1):1 2", "':', ',' or the end"),
      ("\(u1)::1", "transaction number"),
      ("\(u1):\(String(repeating: "t", count: 33)):1", "at most 32"),
      ("\(u1):1-99999999999999999999", "no larger than"),
      ("\(u1);1", "':', ',' or the end"),
    ]
    for (text, expected) in cases {
      guard let e = assertThrowsBinlogError(.malformed, { try GTIDSet(parsing: text) }) else { continue }
      XCTAssertTrue(e.message.contains(expected), "\(text): \(e.message)")
      XCTAssertTrue(e.message.contains("GTID set"), e.message)
      XCTAssertTrue(e.message.contains("character") || e.message.contains("the end"), e.message)
    }
  }

  // MARK: MariaDB lists and filters

  func testMariaGTIDListPositionsContainEverythingUpToSeqPerDomain() throws {
    let list = try MariaGTIDList(parsing: " 0-1-100, 1-2-5 ")
    XCTAssertEqual(list.description, "0-1-100,1-2-5")
    XCTAssertTrue(list.contains(MariaGTID(domain: 0, server: 1, seq: 100)))
    XCTAssertTrue(list.contains(MariaGTID(domain: 0, server: 9, seq: 1)))  // server id not compared
    XCTAssertFalse(list.contains(MariaGTID(domain: 0, server: 1, seq: 101)))
    XCTAssertTrue(list.contains(MariaGTID(domain: 1, server: 2, seq: 5)))
    XCTAssertFalse(list.contains(MariaGTID(domain: 2, server: 1, seq: 1)))
    XCTAssertEqual(list.domains, [0, 1])
    XCTAssertEqual(list.position(forDomain: 1), MariaGTID(domain: 1, server: 2, seq: 5))
    XCTAssertNil(list.position(forDomain: 7))
    XCTAssertTrue(try MariaGTIDList(parsing: "").isEmpty)

    // Several servers in one domain: the highest seq counts; record() replaces per server.
    var state = try MariaGTIDList(parsing: "0-1-10,0-2-12")
    XCTAssertEqual(state.position(forDomain: 0), MariaGTID(domain: 0, server: 2, seq: 12))
    state.record(MariaGTID(domain: 0, server: 1, seq: 13))
    XCTAssertEqual(state.description, "0-1-13,0-2-12")
    XCTAssertTrue(state.contains(MariaGTID(domain: 0, server: 3, seq: 13)))
    state.record(MariaGTID(domain: 5, server: 1, seq: 1))
    XCTAssertEqual(state.description, "0-1-13,0-2-12,5-1-1")

    assertThrowsBinlogError(.malformed) { try MariaGTIDList(parsing: "0-1-x") }
    assertThrowsBinlogError(.malformed) { try MariaGTIDList(parsing: "0-1-2 0-1-3") }
  }

  func testMariaGTIDFilterMatchesExactAndRanges() throws {
    let f = try MariaGTIDFilter(parsing: "0-1-5..0-1-9, 0-1-20, 1-2-3..4, 2-*-7")
    XCTAssertEqual(f.description, "0-1-5..9,0-1-20,1-2-3..4,2-*-7")
    XCTAssertTrue(f.contains(MariaGTID(domain: 0, server: 1, seq: 5)))
    XCTAssertTrue(f.contains(MariaGTID(domain: 0, server: 1, seq: 9)))
    XCTAssertFalse(f.contains(MariaGTID(domain: 0, server: 1, seq: 10)))
    XCTAssertFalse(f.contains(MariaGTID(domain: 0, server: 1, seq: 4)))  // not a position: nothing "before"
    XCTAssertTrue(f.contains(MariaGTID(domain: 0, server: 1, seq: 20)))
    XCTAssertFalse(f.contains(MariaGTID(domain: 0, server: 2, seq: 20)))
    XCTAssertTrue(f.contains(MariaGTID(domain: 1, server: 2, seq: 4)))
    XCTAssertTrue(f.contains(MariaGTID(domain: 2, server: 99, seq: 7)))
    XCTAssertFalse(f.contains(MariaGTID(domain: 2, server: 99, seq: 8)))
    XCTAssertTrue(try MariaGTIDFilter(parsing: " ").isEmpty)

    let reversed = assertThrowsBinlogError(.malformed) { try MariaGTIDFilter(parsing: "0-1-9..5") }
    XCTAssertTrue(reversed?.message.contains("no smaller than") ?? false)
    let crossDomain = assertThrowsBinlogError(.malformed) { try MariaGTIDFilter(parsing: "0-1-5..1-1-9") }
    XCTAssertTrue(crossDomain?.message.contains("same domain and server") ?? false)
    assertThrowsBinlogError(.malformed) { try MariaGTIDFilter(parsing: "0-1-5.9") }
  }

  // MARK: MySQL serialization varints (libs/mysql/serialization/readme.md examples)

  func testSerializationVarintsFromMySQLReadme() throws {
    func read(_ bytes: [UInt8], signed: Bool = false) throws -> (Int64, Int) {
      try bytes.withUnsafeBytes { raw in
        var s = SerializationCursor(ByteCursor(raw))
        let v = signed ? try s.varInt("v") : Int64(bitPattern: try s.varUInt("v"))
        return (v, s.position)
      }
    }
    // "00000111 11111111 11111011" (big-endian display) = 65535 unsigned in 3 bytes.
    XCTAssertEqual(try read([0xfb, 0xff, 0x07]).0, 65535)
    XCTAssertEqual(try read([0xfb, 0xff, 0x07]).1, 3)
    XCTAssertEqual(try read([0xf3, 0xff, 0x0f], signed: true).0, 65535)
    XCTAssertEqual(try read([0xeb, 0xff, 0x0f], signed: true).0, -65535)
    XCTAssertEqual(try read([0xfb, 0xff, 0x0f], signed: true).0, -65536)
    XCTAssertEqual(try read([0x00]).0, 0)
    XCTAssertEqual(try read([0xfe]).0, 127)  // largest 1-byte value
    XCTAssertEqual(try read([0x01, 0x02]).0, 128)
    XCTAssertEqual(try read([0x01, 0x02]).1, 2)
    XCTAssertEqual(try read([0xff] + le(UInt64.max, 8)).0, -1)  // 9 bytes carry the raw 64 bits
    XCTAssertEqual(try read([0xff] + le(UInt64.max, 8)).1, 9)
    assertThrowsBinlogError(.truncated) { try read([0x01]) }
  }

  // MARK: MySQL corpus: Previous_gtids and GTID events

  func testPreviousGTIDsTaggedFormatFromMySQL96() throws {
    let file = "blackbeam__rust_mysql_common/binlog_transaction_with_GTID_TAG.000001"
    let events = try GTIDCorpus.events(file, ofType: .previousGTIDs)
    XCTAssertEqual(events.count, 1)
    let e = events[0]
    let prev = try e.withBody { try PreviousGTIDsEvent(parsing: $0) }
    XCTAssertTrue(prev.isTaggedFormat, e.label)
    let sid = uuid("55778904-0299-11f1-b1b8-4ef0c4956feb")
    XCTAssertEqual(prev.gtids.sources, [GTIDSet.TSID(sid: sid), GTIDSet.TSID(sid: sid, tag: "mytag")], e.label)
    XCTAssertEqual(prev.gtids.intervals(for: GTIDSet.TSID(sid: sid)), [1...13], e.label)
    XCTAssertEqual(prev.gtids.intervals(for: GTIDSet.TSID(sid: sid, tag: "mytag")), [1...2], e.label)
    XCTAssertEqual(prev.gtids.text(), "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2", e.label)
  }

  func testGTIDTaggedEventFromMySQL96() throws {
    let file = "blackbeam__rust_mysql_common/binlog_transaction_with_GTID_TAG.000001"
    let all = try GTIDCorpus.events(file)
    guard let i = all.firstIndex(where: { $0.type == .gtidTagged }) else { return XCTFail("no GTID_TAGGED in \(file)") }
    let e = all[i]
    let tagged = try e.withBody { try GTIDTaggedEvent(parsing: $0) }
    XCTAssertEqual(tagged.tag, "mytag", e.label)
    XCTAssertEqual(tagged.gno, 3, e.label)
    XCTAssertEqual(tagged.sid, uuid("55778904-0299-11f1-b1b8-4ef0c4956feb"), e.label)
    XCTAssertEqual(tagged.gtid?.description, "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3", e.label)
    XCTAssertEqual(tagged.flags, 0, e.label)
    XCTAssertEqual(tagged.logicalClock, GTIDEvent.LogicalClock(lastCommitted: 0, sequenceNumber: 1), e.label)
    XCTAssertEqual(tagged.immediateServerVersion, 90600, e.label)
    XCTAssertEqual(tagged.originalServerVersion, 90600, e.label)
    XCTAssertEqual(tagged.originalCommitTimestamp, tagged.immediateCommitTimestamp, e.label)
    XCTAssertNil(tagged.commitGroupTicket, e.label)
    let ts = try XCTUnwrap(tagged.immediateCommitTimestamp, e.label)
    XCTAssertLessThanOrEqual(abs(Int64(ts / 1_000_000) - Int64(e.timestamp)), 1, e.label)
    // transaction_length covers this event through the XID: up to the ROTATE that follows.
    let end = try XCTUnwrap(all[(i + 1)...].first { $0.type == .rotate }).offset
    XCTAssertEqual(tagged.transactionLength, UInt64(end - e.offset), e.label)
    // The generic entry point dispatches on the type.
    let generic = try e.withBody { try GTIDEvent(parsing: $0, type: .gtidTagged) }
    XCTAssertEqual(generic, tagged.event)
    // The tagged GTID is in neither the untagged part nor beyond the tagged interval of Previous_gtids.
    let prev = try GTIDCorpus.events(file, ofType: .previousGTIDs)[0].withBody { try PreviousGTIDsEvent(parsing: $0) }
    XCTAssertFalse(prev.gtids.contains(try XCTUnwrap(tagged.gtid)))
    XCTAssertTrue(prev.gtids.contains(MySQLGTID(sid: tagged.sid, tag: "mytag", gno: 2)))
  }

  func testPreviousGTIDsClassicFormatSingleEntry() throws {
    let e = try GTIDCorpus.events(
      "blackbeam__rust_mysql_common/binlog_transaction_previous_GTID_no_tag.000001", ofType: .previousGTIDs)[0]
    let prev = try e.withBody { try PreviousGTIDsEvent(parsing: $0) }
    XCTAssertFalse(prev.isTaggedFormat, e.label)
    XCTAssertEqual(prev.gtids.text(), "b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2", e.label)
  }

  func testPreviousGTIDsMySQL56FourUUIDsMatchMysqlbinlog() throws {
    let file = "ikarishinjieva__mysql_binlog_utils/mysql-bin56.000002"
    let all = try GTIDCorpus.events(file)
    let prevEvent = try XCTUnwrap(all.first { $0.type == .previousGTIDs })
    let prev = try prevEvent.withBody { try PreviousGTIDsEvent(parsing: $0) }
    // The source test writes the UUIDs upper case without dashes.
    let expected = try GTIDSet(
      parsing: "7E23401AC60311E38E135E10E6A05CFB:1-5, 8186FC1EC5FF11E38DF9E66CCF50DB66:1-11, "
        + "A6CE328CC60211E38E0DE66CCF50DB66:1-6, B7009920C60111E38E075E10E6A05CFB:1-6")
    XCTAssertEqual(prev.gtids, expected, prevEvent.label)
    // mysqlbinlog printed it as "# uuid:1-5,\n# uuid:1-11,..."; our MySQL format is the same text.
    let printed = try String(
      contentsOf: GTIDCorpus.root.appendingPathComponent(
        "ikarishinjieva__mysql_binlog_utils/expected/mysql-bin56-result.000002"), encoding: .utf8)
    let lines = printed.split(separator: "\n").drop { !$0.hasPrefix("# \tPrevious-GTIDs") }.dropFirst()
      .prefix(4).map { $0.dropFirst(2) }
    XCTAssertEqual(prev.gtids.text(.mysql), lines.joined(separator: "\n"))

    // The one 5.6 GTID event: 25-byte body, no logical clock.
    let g = try XCTUnwrap(all.first { $0.type == .gtid })
    XCTAssertEqual(g.body.count, 25, g.label)
    let gtid = try g.withBody { try GTIDEvent(parsing: $0) }
    XCTAssertEqual(gtid.gtid?.description, "7e23401a-c603-11e3-8e13-5e10e6a05cfb:6", g.label)
    XCTAssertTrue(gtid.mayHaveStatementEvents, g.label)  // mysqlbinlog: "GTID [commit=yes]"
    XCTAssertNil(gtid.logicalClock, g.label)
    XCTAssertNil(gtid.immediateCommitTimestamp, g.label)
    XCTAssertFalse(prev.gtids.contains(try XCTUnwrap(gtid.gtid)))
  }

  func testMySQL57GTIDEventHasLogicalClockOnly() throws {
    let events = try GTIDCorpus.events("rust-us__mysql-cdc-rs/5.7_33_35_gtid_prev_gtid_log.bin")
    XCTAssertEqual(events[1].type, .previousGTIDs)
    let prev = try events[1].withBody { try PreviousGTIDsEvent(parsing: $0) }
    XCTAssertTrue(prev.gtids.isEmpty, events[1].label)
    XCTAssertEqual(events[2].type, .gtid)
    let g = try events[2].withBody { try GTIDEvent(parsing: $0) }
    XCTAssertEqual(g.gtid, MySQLGTID(sid: uuid("80549ecc-d2f2-11ea-b790-0242ac130002"), gno: 1), events[2].label)
    XCTAssertEqual(g.flags, 1, events[2].label)
    XCTAssertEqual(g.logicalClock, GTIDEvent.LogicalClock(lastCommitted: 0, sequenceNumber: 1), events[2].label)
    XCTAssertNil(g.immediateCommitTimestamp, events[2].label)
    XCTAssertNil(g.transactionLength, events[2].label)
    XCTAssertNil(g.immediateServerVersion, events[2].label)
  }

  func testMySQL57AnonymousGTIDEvent() throws {
    let events = try GTIDCorpus.events("rust-us__mysql-cdc-rs/5.7_34_anonymous_gtid_log.bin")
    let e = events[2]
    XCTAssertEqual(e.type, .anonymousGTID)
    let g = try e.withBody { try GTIDEvent(parsing: $0) }
    XCTAssertTrue(g.isAnonymous, e.label)
    XCTAssertNil(g.gtid, e.label)
    XCTAssertEqual(g.sid, .zero, e.label)
    XCTAssertEqual(g.gno, 0, e.label)
    XCTAssertEqual(g.logicalClock, GTIDEvent.LogicalClock(lastCommitted: 0, sequenceNumber: 1), e.label)
  }

  func testPercona57GTIDSequence() throws {
    let file = "EasyPost__rust-mysql-binlog/bin-log.000001"
    let gtids = try GTIDCorpus.events(file, ofType: .gtid).map { e in try e.withBody { try GTIDEvent(parsing: $0) } }
    let sid = uuid("87cee3a4-6b31-11e7-bdfd-0d98d6698870")
    XCTAssertEqual(gtids.compactMap(\.gtid), [14917, 14918, 14919].map { MySQLGTID(sid: sid, gno: $0) })
    let prev = try GTIDCorpus.events(file, ofType: .previousGTIDs)[0].withBody { try PreviousGTIDsEvent(parsing: $0) }
    XCTAssertFalse(prev.gtids.contains(MySQLGTID(sid: sid, gno: 14917)), "\(prev.gtids)")
  }

  func testPerconaServer84PreviousAndNextGTID() throws {
    let file = "percona__percona-server-mysql-operator/binlog.000003"
    let prev = try GTIDCorpus.events(file, ofType: .previousGTIDs)[0].withBody { try PreviousGTIDsEvent(parsing: $0) }
    XCTAssertEqual(prev.gtids.text(), "ca3ce93b-9bea-11f1-b808-e608fdb6e3c5:1-2")
    let e = try GTIDCorpus.events(file, ofType: .gtid)[0]
    let g = try e.withBody { try GTIDEvent(parsing: $0) }
    XCTAssertEqual(g.gtid?.description, "ca3ce93b-9bea-11f1-b808-e608fdb6e3c5:3", e.label)
    XCTAssertEqual(g.immediateServerVersion, 80410, e.label)
    XCTAssertEqual(g.originalServerVersion, 80410, e.label)
    XCTAssertNil(g.commitGroupTicket, e.label)
    // A replica already holding Previous_gtids must be served from this file on: the GTID is new.
    XCTAssertFalse(prev.gtids.contains(try XCTUnwrap(g.gtid)))
    var executed = prev.gtids
    executed.insert(try XCTUnwrap(g.gtid))
    XCTAssertEqual(executed.text(), "ca3ce93b-9bea-11f1-b808-e608fdb6e3c5:1-3")
    // 000002 holds :1-2, exactly the Previous_gtids of 000003.
    let earlier = try GTIDCorpus.events("percona__percona-server-mysql-operator/binlog.000002", ofType: .gtid)
      .compactMap { e in try e.withBody { try GTIDEvent(parsing: $0) }.gtid }
    XCTAssertEqual(GTIDSet(earlier), prev.gtids)
  }

  func testMySQL80CommitTimestampsTransactionLengthAndServerVersion() throws {
    let file = "zendesk__maxwell/binlog.000004"
    let all = try GTIDCorpus.events(file)
    let prev = try XCTUnwrap(all.first { $0.type == .previousGTIDs }).withBody { try PreviousGTIDsEvent(parsing: $0) }
    XCTAssertEqual(prev.gtids.text(), "83759871-1141-11ed-b12d-0242ac130003:1-5")
    var executed = prev.gtids
    var gnos: [Int64] = []
    for (i, e) in all.enumerated() where e.type == .gtid {
      let g = try e.withBody { try GTIDEvent(parsing: $0) }
      let gtid = try XCTUnwrap(g.gtid, e.label)
      gnos.append(gtid.gno)
      XCTAssertFalse(executed.contains(gtid), e.label)
      executed.insert(gtid)
      let immediate = try XCTUnwrap(g.immediateCommitTimestamp, e.label)
      XCTAssertEqual(g.originalCommitTimestamp, immediate, "not replicated: original == immediate, \(e.label)")
      XCTAssertLessThanOrEqual(abs(Int64(immediate / 1_000_000) - Int64(e.timestamp)), 1, e.label)
      XCTAssertEqual(g.immediateServerVersion, 80029, e.label)
      XCTAssertNotNil(g.logicalClock, e.label)
      // The transaction runs from this event to the next GTID (or the end of the file's events).
      let next = all[(i + 1)...].first { $0.type == .gtid || $0.type == .anonymousGTID || $0.type == .rotate }
      let end = next?.offset ?? (all.last.map { $0.offset + $0.size } ?? 0)
      XCTAssertEqual(g.transactionLength, UInt64(end - e.offset), e.label)
    }
    XCTAssertEqual(gnos, Array(6...26))
    XCTAssertEqual(executed.text(), "83759871-1141-11ed-b12d-0242ac130003:1-26")
  }

  func testMySQL80AnonymousGTIDsCarryTimestamps() throws {
    let e = try GTIDCorpus.events("blackbeam__rust_mysql_common/json.binlog.000001", ofType: .anonymousGTID)[0]
    let g = try e.withBody { try GTIDEvent(parsing: $0) }
    XCTAssertTrue(g.isAnonymous, e.label)
    XCTAssertNotNil(g.immediateCommitTimestamp, e.label)
    XCTAssertNotNil(g.transactionLength, e.label)
    XCTAssertEqual(g.immediateServerVersion, 80022, e.label)
  }

  /// Every GTID-family event in every corpus binlog decodes, and each file's GTIDs are new
  /// relative to its own Previous_gtids.
  func testEveryCorpusGTIDEventDecodes() throws {
    var decoded = 0
    for file in try GTIDCorpus.allBinlogs() {
      var previous: GTIDSet?
      for e in try GTIDCorpus.events(file) {
        do {
          switch e.type {
          case .previousGTIDs:
            previous = try e.withBody { try PreviousGTIDsEvent(parsing: $0) }.gtids
          case .gtid, .anonymousGTID, .gtidTagged:
            let g = try e.withBody { try GTIDEvent(parsing: $0, type: e.type) }
            XCTAssertEqual(g.isAnonymous, e.type == .anonymousGTID, e.label)
            if let gtid = g.gtid, let previous {
              XCTAssertFalse(previous.contains(gtid), "\(e.label): \(gtid) already in Previous_gtids")
            }
          case .mariaGTID:
            let g = try e.withBody { try MariaGTIDEvent(parsing: $0, serverID: e.serverID) }
            XCTAssertEqual(g.server, e.serverID, e.label)
          case .mariaGTIDList:
            _ = try e.withBody { try MariaGTIDListEvent(parsing: $0) }
          default:
            continue
          }
          decoded += 1
        } catch {
          XCTFail("\(e.label): \(error)")
        }
      }
    }
    XCTAssertGreaterThan(decoded, 5000)
  }

  /// Every prefix of real GTID-family bodies, and deterministic random byte flips of them, either
  /// decode or throw a BinlogError: no traps, no other errors.
  func testDecodersNeverTrapOnTruncatedOrMutatedBodies() throws {
    let files = [
      "blackbeam__rust_mysql_common/binlog_transaction_with_GTID_TAG.000001",
      "ikarishinjieva__mysql_binlog_utils/mysql-bin56.000002",
      "zendesk__maxwell/binlog.000004",
      "mariadb-operator__mariadb-poc/domain_id_0_mariadb-repl-bin.000009",
      "zalora__binlog-parser/mysql-bin.07",
    ]
    func decode(_ type: EventType, _ body: [UInt8]) {
      do {
        try body.withUnsafeBytes { raw in
          switch type {
          case .previousGTIDs: _ = try PreviousGTIDsEvent(parsing: raw)
          case .gtid, .anonymousGTID, .gtidTagged: _ = try GTIDEvent(parsing: raw, type: type)
          case .mariaGTID: _ = try MariaGTIDEvent(parsing: raw, serverID: 1)
          case .mariaGTIDList: _ = try MariaGTIDListEvent(parsing: raw)
          default: break
          }
        }
      } catch is BinlogError {
      } catch {
        XCTFail("\(type.name): non-BinlogError \(error)")
      }
    }
    var rng: UInt64 = 0x9e37_79b9_7f4a_7c15
    func next() -> UInt64 {
      rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return rng >> 33
    }
    let interesting: Set<EventType> = [.previousGTIDs, .gtid, .anonymousGTID, .gtidTagged, .mariaGTID, .mariaGTIDList]
    for file in files {
      for e in try GTIDCorpus.events(file) where interesting.contains(e.type) {
        for n in 0...e.body.count { decode(e.type, Array(e.body.prefix(n))) }
        for _ in 0..<200 {
          var b = e.body
          for _ in 0..<(1 + Int(next() % 3)) where !b.isEmpty {
            b[Int(next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: next())
          }
          decode(e.type, b)
        }
      }
    }
  }

  // MARK: MySQL synthetic bodies (fields the corpus does not exercise)

  func testGTIDEventWithOriginalTimestampServerVersionAndTicket() throws {
    let sid = uuid(u1)
    var body: [UInt8] = [0x00] + sid.bytes + le(42, 8) + [2] + le(7, 8) + le(9, 8)
    body += le(1_700_000_000_123_456 | (1 << 55), 7) + le(1_600_000_000_000_001, 7)
    body += [0xfc, 0x2c, 0x01]  // transaction_length 300 as a packed integer
    body += le(80036 | (1 << 31), 4) + le(50744, 4)
    body += le(77, 8)
    let g = try parseBytes(body) { try GTIDEvent(parsing: $0) }
    XCTAssertEqual(g.gtid, MySQLGTID(sid: sid, gno: 42))
    XCTAssertFalse(g.mayHaveStatementEvents)
    XCTAssertEqual(g.logicalClock, GTIDEvent.LogicalClock(lastCommitted: 7, sequenceNumber: 9))
    XCTAssertEqual(g.immediateCommitTimestamp, 1_700_000_000_123_456)
    XCTAssertEqual(g.originalCommitTimestamp, 1_600_000_000_000_001)
    XCTAssertEqual(g.transactionLength, 300)
    XCTAssertEqual(g.immediateServerVersion, 80036)
    XCTAssertEqual(g.originalServerVersion, 50744)
    XCTAssertEqual(g.commitGroupTicket, 77)

    // Cut inside the original timestamp promised by bit 55: truncated, with the offset.
    let cut = Array(body[0..<52])
    let e = assertThrowsBinlogError(.truncated) { try parseBytes(cut) { try GTIDEvent(parsing: $0) } }
    XCTAssertEqual(e?.innerOffset, 49)
    XCTAssertTrue(e?.message.contains("original_commit_timestamp") ?? false)
  }

  func testGTIDEventRejectsTruncatedAndInvalidBodies() {
    let sid = uuid(u1)
    assertThrowsBinlogError(.truncated) { try parseBytes([0x01] + sid.bytes + [1, 0]) { try GTIDEvent(parsing: $0) } }
    let bad = [0x01] + sid.bytes + le(UInt64(bitPattern: -5), 8)
    assertThrowsBinlogError(.malformed) { try parseBytes(bad) { try GTIDEvent(parsing: $0) } }
    let maxGNO = [0x01] + sid.bytes + le(UInt64(Int64.max), 8)
    assertThrowsBinlogError(.malformed) { try parseBytes(maxGNO) { try GTIDEvent(parsing: $0) } }
    // lt_type 2 promises 16 bytes of clocks.
    assertThrowsBinlogError(.truncated) {
      try parseBytes([0x01] + sid.bytes + le(1, 8) + [2] + le(0, 8)) { try GTIDEvent(parsing: $0) }
    }
    // A 5.7.4- lt_type ends the event; the rest is ignored.
    let old = try? parseBytes([0x01] + sid.bytes + le(1, 8) + [1, 0xaa, 0xbb]) { try GTIDEvent(parsing: $0) }
    XCTAssertNotNil(old)
    XCTAssertNil(old?.logicalClock)
    assertThrowsBinlogError(.unsupported) { try parseBytes([0]) { try GTIDEvent(parsing: $0, type: .query) } }
    // The type decides whether GNO 0 is allowed.
    let zero = [0x01] + sid.bytes + le(0, 8)
    let one = [0x01] + sid.bytes + le(1, 8)
    XCTAssertNotNil(try? parseBytes(zero) { try GTIDEvent(parsing: $0, type: .anonymousGTID) })
    assertThrowsBinlogError(.malformed) { try parseBytes(zero) { try GTIDEvent(parsing: $0, type: .gtid) } }
    assertThrowsBinlogError(.malformed) { try parseBytes(one) { try GTIDEvent(parsing: $0, type: .anonymousGTID) } }
  }

  /// Builds a GTID_TAGGED body from `(field id, encoded value)` pairs.
  private func taggedBody(_ fields: [(UInt8, [UInt8])], lastNonIgnorable: UInt8 = 0) -> [UInt8] {
    var payload: [UInt8] = []
    for (id, value) in fields { payload += [id << 1] + value }
    // version 1, size (1 byte while < 128), last non-ignorable id, fields
    let size = 3 + payload.count
    precondition(size < 128)
    return [1 << 1, UInt8(size) << 1, lastNonIgnorable << 1] + payload
  }

  private func varint(_ v: UInt64) -> [UInt8] {
    // Smallest MySQL varint encoding for v (up to 8 bytes here).
    var n = 1
    while n < 9, v >> UInt64(7 * n) != 0 { n += 1 }
    precondition(n <= 8)
    let first = UInt8(truncatingIfNeeded: (1 << (n - 1)) - 1) | UInt8(truncatingIfNeeded: v << UInt64(n))
    return [first] + le(v >> UInt64(8 - n), n - 1)
  }

  private func signedVarint(_ v: Int64) -> [UInt8] {
    varint(v >= 0 ? UInt64(v) << 1 : (UInt64(bitPattern: ~v) << 1) | 1)
  }

  func testGTIDTaggedEventOptionalFieldsAndUnknownFields() throws {
    let sid = uuid(u2)
    let uuidField = sid.bytes.flatMap { varint(UInt64($0)) }
    let full = taggedBody([
      (0, varint(1)), (1, uuidField), (2, signedVarint(1_000_000)), (3, [5 << 1] + Array("Batch".utf8)),
      (4, signedVarint(10)), (5, signedVarint(11)),
      (6, varint(1_700_000_000_000_000)), (7, varint(1_690_000_000_000_000)),
      (8, varint(500)), (9, varint(90100)), (10, varint(80400)), (11, varint(3)),
    ])
    let t = try parseBytes(full) { try GTIDTaggedEvent(parsing: $0) }
    XCTAssertEqual(t.tag, "batch")
    XCTAssertEqual(t.gtid, MySQLGTID(sid: sid, tag: "batch", gno: 1_000_000))
    XCTAssertTrue(t.mayHaveStatementEvents)
    XCTAssertEqual(t.logicalClock, GTIDEvent.LogicalClock(lastCommitted: 10, sequenceNumber: 11))
    XCTAssertEqual(t.immediateCommitTimestamp, 1_700_000_000_000_000)
    XCTAssertEqual(t.originalCommitTimestamp, 1_690_000_000_000_000)
    XCTAssertEqual(t.transactionLength, 500)
    XCTAssertEqual(t.immediateServerVersion, 90100)
    XCTAssertEqual(t.originalServerVersion, 80400)
    XCTAssertEqual(t.commitGroupTicket, 3)

    // Optional fields omitted: originals default to the immediate values; an unknown ignorable
    // field 12 after the known ones is skipped.
    let sparse = taggedBody([
      (1, uuidField), (2, signedVarint(7)), (3, [2 << 1] + Array("ab".utf8)), (6, varint(99)), (9, varint(80400)),
      (12, varint(5)),
    ])
    let s = try parseBytes(sparse) { try GTIDTaggedEvent(parsing: $0) }
    XCTAssertEqual(s.flags, 0)
    XCTAssertNil(s.logicalClock)
    XCTAssertEqual(s.originalCommitTimestamp, 99)
    XCTAssertEqual(s.originalServerVersion, 80400)
    XCTAssertNil(s.transactionLength)

    // A non-ignorable field the decoder does not know is unsupported (MySQL refuses it too).
    let future = taggedBody([(1, uuidField), (2, signedVarint(7)), (12, varint(5))], lastNonIgnorable: 13)
    assertThrowsBinlogError(.unsupported) { try parseBytes(future) { try GTIDTaggedEvent(parsing: $0) } }
    // Bad GNO, bad tag, bad version, size beyond the body.
    let zeroGNO = taggedBody([(1, uuidField), (2, signedVarint(0))])
    assertThrowsBinlogError(.malformed) { try parseBytes(zeroGNO) { try GTIDTaggedEvent(parsing: $0) } }
    let badTag = taggedBody([(1, uuidField), (2, signedVarint(1)), (3, [2 << 1] + Array("1a".utf8))])
    assertThrowsBinlogError(.malformed) { try parseBytes(badTag) { try GTIDTaggedEvent(parsing: $0) } }
    var version2 = full
    version2[0] = 2 << 1
    assertThrowsBinlogError(.unsupported) { try parseBytes(version2) { try GTIDTaggedEvent(parsing: $0) } }
    assertThrowsBinlogError(.truncated) { try parseBytes(Array(full.dropLast(3))) { try GTIDTaggedEvent(parsing: $0) } }
  }

  func testPreviousGTIDsRejectsMalformedEncodings() {
    let sid = uuid(u1).bytes
    let good = le(1, 8) + sid + le(1, 8) + le(1, 8) + le(4, 8)
    XCTAssertEqual(try parseBytes(good) { try PreviousGTIDsEvent(parsing: $0) }.gtids.text(), "\(u1):1-3")
    assertThrowsBinlogError(.malformed) { try parseBytes(good + [0]) { try PreviousGTIDsEvent(parsing: $0) } }
    let short = Array(good.dropLast())
    assertThrowsBinlogError(.truncated) { try parseBytes(short) { try PreviousGTIDsEvent(parsing: $0) } }
    assertThrowsBinlogError(.truncated) { try parseBytes(le(1_000_000, 8)) { try PreviousGTIDsEvent(parsing: $0) } }
    let empty = le(1, 8) + sid + le(1, 8) + le(4, 8) + le(4, 8)
    assertThrowsBinlogError(.malformed) { try parseBytes(empty) { try PreviousGTIDsEvent(parsing: $0) } }
    let unordered = le(1, 8) + sid + le(2, 8) + le(5, 8) + le(6, 8) + le(1, 8) + le(2, 8)
    assertThrowsBinlogError(.malformed) { try parseBytes(unordered) { try PreviousGTIDsEvent(parsing: $0) } }
    assertThrowsBinlogError(.unsupported) { try parseBytes(le(2 << 56, 8)) { try PreviousGTIDsEvent(parsing: $0) } }
    assertThrowsBinlogError(.truncated) { try parseBytes([1, 0, 0]) { try PreviousGTIDsEvent(parsing: $0) } }
    XCTAssertTrue(try parseBytes(le(0, 8)) { try PreviousGTIDsEvent(parsing: $0) }.gtids.isEmpty)
  }

  // MARK: MariaDB corpus

  func testMariaDB100GTIDsAndListFromZalora() throws {
    let file = "zalora__binlog-parser/mysql-bin.07"
    let list = try GTIDCorpus.events(file, ofType: .mariaGTIDList)[0].withBody { try MariaGTIDListEvent(parsing: $0) }
    XCTAssertEqual(list.gtids, [MariaGTID(domain: 0, server: 3704, seq: 2814)])
    XCTAssertEqual(list.flags, [])
    XCTAssertEqual(list.list.description, "0-3704-2814")
    let events = try GTIDCorpus.events(file, ofType: .mariaGTID)
    let gtids = try events.map { e in try e.withBody { try MariaGTIDEvent(parsing: $0, serverID: e.serverID) } }
    // mysqlbinlog: "GTID 0-3704-2815" (CREATE TABLE, standalone), then "GTID 0-3704-2816" + BEGIN.
    XCTAssertEqual(gtids.map(\.gtid.description), ["0-3704-2815", "0-3704-2816"])
    XCTAssertEqual(gtids[0].flags, [.standalone])
    XCTAssertEqual(gtids[1].flags, [])
    XCTAssertEqual(gtids[1].extraFlags, [])
    XCTAssertNil(gtids[1].commitID)
    XCTAssertNil(gtids[1].threadID)
    XCTAssertFalse(list.list.contains(gtids[0].gtid))
  }

  func testMariaDB105GTIDsFromRustMysqlCommon() throws {
    let file = "blackbeam__rust_mysql_common/mariadb-bin.000001"
    let list = try GTIDCorpus.events(file, ofType: .mariaGTIDList)[0].withBody { try MariaGTIDListEvent(parsing: $0) }
    XCTAssertTrue(list.gtids.isEmpty)
    let gtids = try GTIDCorpus.events(file, ofType: .mariaGTID).map { e in
      try e.withBody { try MariaGTIDEvent(parsing: $0, serverID: e.serverID) }
    }
    XCTAssertEqual(gtids.map(\.gtid.description), ["0-1-1", "0-1-2"])
    for g in gtids {
      XCTAssertEqual(g.flags, [.transactional, .allowParallel])
      XCTAssertEqual(g.extraFlags, [])
    }
  }

  /// The GTID list table in EXPECTED.md for mariadb-operator/mariadb-poc (MariaDB 11.8.5, server 10).
  func testMariaDB118GTIDListsAndRangesMatchExpectedTable() throws {
    // (file, GTID list, first GTID, last GTID); every list entry is domain 0, server 10.
    let table: [(String, UInt64?, String?, String?)] = [
      ("domain_id_0_mariadb-repl-bin.000001", nil, nil, nil),
      ("domain_id_0_mariadb-repl-bin.000002", nil, "0-10-250080", "0-10-254512"),
      ("domain_id_0_mariadb-repl-bin.000004", 262175, "0-10-262176", "0-10-262580"),
      ("domain_id_0_mariadb-repl-bin.000005", 262580, "0-10-262581", "0-10-262667"),
      ("domain_id_0_mariadb-repl-bin.000006", 262667, "0-10-262668", "0-10-262733"),
      ("domain_id_0_mariadb-repl-bin.000007", 262733, "0-10-262734", "0-10-262796"),
      ("domain_id_0_mariadb-repl-bin.000009", 292193, "0-10-292194", "0-10-292196"),
      ("domain_id_0_mariadb-repl-bin.000010", 292196, "0-10-292197", "0-10-292206"),
      ("domain_id_1_mariadb-repl-bin.000002", nil, "1-10-1", "1-10-12"),
    ]
    for (name, listSeq, first, last) in table {
      let expectedList = listSeq.map { [MariaGTID(domain: 0, server: 10, seq: $0)] } ?? []
      let file = "mariadb-operator__mariadb-poc/" + name
      let all = try GTIDCorpus.events(file)
      let listEvents = all.filter { $0.type == .mariaGTIDList }
      XCTAssertEqual(listEvents.count, 1, file)
      let list = try listEvents[0].withBody { try MariaGTIDListEvent(parsing: $0) }
      XCTAssertEqual(list.gtids, expectedList, file)
      let gtids = try all.filter { $0.type == .mariaGTID }.map { e in
        try e.withBody { try MariaGTIDEvent(parsing: $0, serverID: e.serverID) }
      }
      XCTAssertEqual(gtids.first?.gtid.description, first, file)
      XCTAssertEqual(gtids.last?.gtid.description, last, file)
      // Consecutive seq numbers in one domain, all after the file's GTID list position.
      var state = list.list
      for (i, g) in gtids.enumerated() {
        XCTAssertEqual(g.server, 10, file)
        if i > 0 { XCTAssertEqual(g.seq, gtids[i - 1].seq + 1, "\(file) #\(i)") }
        XCTAssertFalse(state.contains(g.gtid), "\(file): \(g.gtid) already in \(state)")
        state.record(g.gtid)
        // 11.8 writes the originating connection id (MDEV-7850).
        XCTAssertTrue(g.extraFlags.contains(.threadID), "\(file) \(g.gtid)")
        XCTAssertNotNil(g.threadID, "\(file) \(g.gtid)")
      }
    }
    let big = try GTIDCorpus.events(
      "mariadb-operator__mariadb-poc/domain_id_0_mariadb-repl-bin.000002", ofType: .mariaGTID)
    XCTAssertEqual(big.count, 4433)
  }

  func testMariaDB118StandaloneDDLFlagsAndThreadID() throws {
    let e = try GTIDCorpus.events(
      "mariadb-operator__mariadb-poc/domain_id_0_mariadb-repl-bin.000009", ofType: .mariaGTID)[0]
    let g = try e.withBody { try MariaGTIDEvent(parsing: $0, serverID: e.serverID) }
    XCTAssertEqual(g.gtid.description, "0-10-292194", e.label)
    XCTAssertEqual(g.flags, [.standalone, .allowParallel, .ddl], e.label)
    XCTAssertEqual(g.extraFlags, [.threadID], e.label)
    XCTAssertEqual(g.threadID, 1423, e.label)
  }

  // MARK: MariaDB synthetic bodies

  func testMariaGTIDEventGroupCommitXAAndExtraFlags() throws {
    var body = le(500, 8) + le(3, 4) + [0x02 | 0x04 | 0x40] + le(0xabcdef, 8)
    body += le(UInt64(UInt32(bitPattern: -1)), 4) + [3, 2] + Array("abcXY".utf8)
    body += [0x01 | 0x04 | 0x10, 2] + le(498, 8) + le(77, 4)
    let g = try parseBytes(body) { try MariaGTIDEvent(parsing: $0, serverID: 9) }
    XCTAssertEqual(g.gtid, MariaGTID(domain: 3, server: 9, seq: 500))
    XCTAssertEqual(g.flags, [.groupCommitID, .transactional, .preparedXA])
    XCTAssertEqual(g.commitID, 0xabcdef)
    XCTAssertEqual(g.xid, MariaGTIDEvent.XID(formatID: -1, gtrid: Array("abc".utf8), bqual: Array("XY".utf8)))
    XCTAssertEqual(g.extraFlags, [.multiEngine, .commitAlter, .threadID])
    XCTAssertEqual(g.extraEngines, 2)
    XCTAssertEqual(g.startAlterSeq, 498)
    XCTAssertEqual(g.threadID, 77)

    // Flags promise data the body lacks.
    assertThrowsBinlogError(.truncated) {
      try parseBytes(le(1, 8) + le(0, 4) + [0x02] + [0, 0, 0]) { try MariaGTIDEvent(parsing: $0, serverID: 1) }
    }
    assertThrowsBinlogError(.truncated) {
      try parseBytes(le(1, 8) + le(0, 4) + [0x00, 0x10, 1]) { try MariaGTIDEvent(parsing: $0, serverID: 1) }
    }
    assertThrowsBinlogError(.malformed) {
      try parseBytes(le(1, 8) + le(0, 4) + [0x80] + le(1, 4) + [65, 0]) { try MariaGTIDEvent(parsing: $0, serverID: 1) }
    }
    assertThrowsBinlogError(.malformed) {
      try parseBytes(le(0, 8) + le(0, 4) + [0, 0, 0, 0, 0, 0, 0]) { try MariaGTIDEvent(parsing: $0, serverID: 1) }
    }
  }

  func testMariaGTIDListEventFlagsAndTruncation() throws {
    let body = le(2 | (UInt64(2) << 28), 4) + le(0, 4) + le(1, 4) + le(10, 8) + le(1, 4) + le(2, 4) + le(5, 8)
    let l = try parseBytes(body) { try MariaGTIDListEvent(parsing: $0) }
    XCTAssertEqual(l.flags, [.ignoreGTIDs])
    XCTAssertEqual(l.list.description, "0-1-10,1-2-5")
    let short = Array(body.dropLast())
    assertThrowsBinlogError(.truncated) { try parseBytes(short) { try MariaGTIDListEvent(parsing: $0) } }
  }
}
