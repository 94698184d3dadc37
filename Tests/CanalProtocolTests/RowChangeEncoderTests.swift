import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import CanalProtocol

/// Rows events encoded straight to bytes give the same Entry bytes as the CanalRowChange
/// messages the mapper builds for other users (flat JSON, the server).
final class RowChangeEncoderTests: XCTestCase {
  /// Compares every entry of `paths`; returns the number of rows entries compared.
  @discardableResult
  func assertSameEntries(
    _ paths: [String], gtidMode: Bool = false, file: StaticString = #filePath, line: UInt = #line
  ) throws -> Int {
    var options = CanalOptions()
    options.onWarning = { _ in }
    options.gtidMode = gtidMode
    let messages = EntryMapper(options: options)
    let direct = EntryMapper(options: options)
    direct.encodeRowsDirectly = true
    var rowEntries = 0
    for path in paths {
      let input = try BinlogInput(path: path)
      var walker = BinlogWalker(source: input)
      try walker.run { w, ev in
        let a = try messages.map(ev, walker: w)
        let b = try direct.map(ev, walker: w)
        XCTAssertEqual(a == nil, b == nil, "\(path) at \(ev.raw.offset)", file: file, line: line)
        guard let a, let b else { return }
        if case .rows = ev.body {
          rowEntries += 1
          guard case .encodedRowChange = b.store else {
            return XCTFail("\(path) at \(ev.raw.offset): not encoded directly", file: file, line: line)
          }
        }
        // Annotate_rows statements (valid UTF-8 here) are written from their bytes, no String.
        if case .annotateRows = ev.body, case .encodedRowChange = b.store {
        } else if case .annotateRows = ev.body {
          XCTFail("\(path) at \(ev.raw.offset): Annotate_rows not encoded directly", file: file, line: line)
        }
        let x = try a.serializedEntry()
        let y = try b.serializedEntry()
        if x != y {
          XCTFail(
            "\(path) at \(ev.raw.offset) (\(ev.raw.type.name)): entries differ, \(x.count) vs \(y.count) bytes", file: file,
            line: line)
        }
        // The framed form CanalExporter writes: the varint length, then the same bytes.
        var framed: [UInt8] = [0xEE]
        var scratch: [UInt8] = [1, 2, 3]
        try b.appendFramedEntry(to: &framed, scratch: &scratch)
        var expected: [UInt8] = [0xEE]
        EntryFraming.appendFrame(x, to: &expected)
        XCTAssertEqual(framed, expected, "\(path) at \(ev.raw.offset): framed entry", file: file, line: line)
        XCTAssertEqual(try a.entry().serializedBytes() as [UInt8], x, "\(path) at \(ev.raw.offset)", file: file, line: line)
        XCTAssertEqual(try b.entry().serializedBytes() as [UInt8], y, "\(path) at \(ev.raw.offset)", file: file, line: line)
      }
    }
    return rowEntries
  }

  func testDirectRowChangesMatchMessagesWithFullMetadata() throws {
    XCTAssertGreaterThan(try assertSameEntries(TestPaths.fixtureSet("mariadb-10.11")), 100)
  }

  func testDirectRowChangesMatchMessagesWithMinimalImages() throws {
    XCTAssertGreaterThan(try assertSameEntries(TestPaths.fixtureSet("mariadb-10.11-minimal-image")), 100)
    XCTAssertGreaterThan(try assertSameEntries(TestPaths.fixtureSet("mariadb-10.11-minimal")), 100)
  }

  /// MySQL 8 JSON, partial updates and many column types from the shared corpus.
  func testDirectRowChangesMatchMessagesOnCorpusFiles() throws {
    let manifest = TestPaths.corpus + "/MANIFEST.tsv"
    guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { throw XCTSkip("no corpus") }
    var files: [String] = []
    for row in text.split(separator: "\n").dropFirst() {
      let rel = String(row.split(separator: "\t").first ?? "")
      let p = TestPaths.corpus + "/" + rel
      if let size = (try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? Int, size < 4 << 20,
        !rel.hasSuffix(".zst"), !rel.hasSuffix(".gz")
      {
        files.append(p)
      }
    }
    var checked = 0
    var rows = 0
    for f in files {
      // Damaged or unusual files throw in both mappers alike; only readable ones are compared.
      do { rows += try assertSameEntries([f]) } catch { continue }
      checked += 1
    }
    XCTAssertGreaterThan(checked, 10)
    XCTAssertGreaterThan(rows, 200)
  }

  /// With gtidMode every header also carries the executed GTID set and the `curtGtid*` props:
  /// the hand-written header encoding equals SwiftProtobuf's for MariaDB and MySQL GTIDs.
  func testHeadersWithGTIDPropsMatchSwiftProtobuf() throws {
    XCTAssertGreaterThan(try assertSameEntries(TestPaths.fixtureSet("mariadb-10.11"), gtidMode: true), 100)
    let mysql = TestPaths.corpus + "/apecloud__mysql-binlog-connector-rust/mysql-bin.000057"
    guard FileManager.default.fileExists(atPath: mysql) else { throw XCTSkip("no corpus") }
    XCTAssertGreaterThan(try assertSameEntries([mysql], gtidMode: true), 0)
  }
}

/// Canal computes `updated` with Java's `String.equals`: code unit for code unit. Swift's `==`
/// on Strings is canonical equivalence, under which a precomposed "é" equals "e" + U+0301:
/// an UPDATE between the two is a change for Canal, so the flag is set.
final class UpdatedFlagTests: XCTestCase {
  func column(_ index: Int32, _ value: String?) -> CanalColumn {
    var c = CanalColumn()
    c.index = index
    if let value { c.value = value } else { c.isNull = true }
    return c
  }

  func testCanonicallyEquivalentTextsAreAnUpdate() {
    let precomposed = "caf\u{E9}"
    let decomposed = "cafe\u{301}"
    XCTAssertTrue(precomposed == decomposed, "Swift compares Strings by canonical equivalence")
    XCTAssertTrue(CanalValueText.isUpdated(column(1, precomposed), before: [column(1, decomposed)]))
    XCTAssertFalse(CanalValueText.isUpdated(column(1, precomposed), before: [column(1, precomposed)]))
    XCTAssertFalse(CanalValueText.isUpdated(column(1, nil), before: [column(1, nil)]))
    XCTAssertTrue(CanalValueText.isUpdated(column(1, "x"), before: [column(1, nil)]))
    XCTAssertTrue(CanalValueText.isUpdated(column(2, "x"), before: [column(1, "x")]), "no before column of its index")
  }

  func testTheDirectEncoderComparesBytes() {
    let a = Array("caf\u{E9}".utf8)
    let b = Array("cafe\u{301}".utf8)
    a.withUnsafeBytes { x in
      b.withUnsafeBytes { y in XCTAssertFalse(RowChangeEncoder.sameText(x, y)) }
      a.withUnsafeBytes { y in XCTAssertTrue(RowChangeEncoder.sameText(x, y)) }
    }
    [UInt8]().withUnsafeBytes { e in XCTAssertTrue(RowChangeEncoder.sameText(e, e)) }
  }
}
