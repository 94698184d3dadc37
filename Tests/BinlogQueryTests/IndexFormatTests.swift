import BinlogArchive
import BinlogFormat
import BinlogIO
import BinlogQuery
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogIndex

final class IndexFormatTests: XCTestCase {
  static let nonTransactional: Set<UInt8> = [
    EventType.formatDescription.rawValue, EventType.rotate.rawValue, EventType.previousGTIDs.rawValue,
    EventType.mariaGTIDList.rawValue, EventType.binlogCheckpoint.rawValue, EventType.stop.rawValue, EventType.startV3.rawValue,
  ]

  var allFiles: [String] {
    TestPaths.fixtureSet("mariadb-10.11") + TestPaths.fixtureSet("mariadb-10.11-compressed")
      + TestPaths.fixtureSet("mariadb-10.11-minimal")
      + TestPaths.corpusFiles()
  }

  /// The index's transactions start exactly where BinlogWalker's transactions start, and its row
  /// counts (sized, not decoded) equal what RowDecoder decodes, per table and kind.
  func testRecordsMatchTheWalkerAndTheRowDecoder() throws {
    var checked = 0
    for f in allFiles {
      let (idx, _) = try IndexStore.build(path: f)
      var starts: [UInt64] = []
      var touches: [UInt64: [String: (UInt32, UInt32, UInt32)]] = [:]
      var w = BinlogWalker(source: try BinlogInput(path: f))
      var lastType: UInt8 = 0
      try w.run { w, ev in
        lastType = ev.raw.type.rawValue
        if Self.nonTransactional.contains(ev.raw.type.rawValue) { return }
        let s = w.transaction.startOffset
        if starts.last != s { starts.append(s) }
        if case .rows(let rows) = ev.body, let map = w.tableMaps[rows.tableID] {
          var n: UInt32 = 0
          if var d = try? RowDecoder(event: rows, table: map) { while (try? d.next()) == true { n += 1 } }
          var c = touches[s, default: [:]][map.database + "." + map.table] ?? (0, 0, 0)
          switch rows.kind {
          case .write: c.0 += n
          case .update: c.1 += n
          case .delete: c.2 += n
          }
          touches[s, default: [:]][map.database + "." + map.table] = c
        }
      }
      var dedup: [UInt64] = []
      for s in starts where dedup.last != s { dedup.append(s) }
      // A transaction still open where the file ends (no commit, no Rotate/Stop after it: the
      // file is live or was cut) is not indexed until it commits.
      if w.transaction.open, lastType != 0x03, lastType != 0x04, dedup.last == w.transaction.startOffset {
        dedup.removeLast()
      }
      let records = Array(idx.transactions)
      XCTAssertEqual(records.map(\.start), dedup, "\(f): transaction starts differ from the walker's")
      for t in records {
        let want = touches[t.start] ?? [:]
        var got: [String: (UInt32, UInt32, UInt32)] = [:]
        for x in t.tables { got[idx.tables[Int(x.table)]] = (x.inserts, x.updates, x.deletes) }
        XCTAssertEqual(Set(got.keys), Set(want.keys), "\(f) @\(t.start)")
        for (k, v) in want {
          let g = got[k] ?? (0, 0, 0)
          XCTAssertTrue(g == v, "\(f) @\(t.start) \(k): index counts \(g), decoder counts \(v)")
        }
        checked += 1
      }
    }
    XCTAssertGreaterThan(checked, 1000)
  }

  func testDDLStatementsAreInTheIndexWithOffsetsAndDatabase() throws {
    let files = TestPaths.fixtureSet("mariadb-10.11")
    var fromExport: [String] = []
    let sink = OutputSink.memory()
    let e = NDJSONExporter(sink: sink)
    for f in files {
      var w = BinlogWalker(source: try BinlogInput(path: f))
      try w.run { w, ev in try e.consume(ev, walker: w) }
    }
    try sink.close()
    for line in sink.captured.split(separator: 0x0A) {
      let o = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
      if o["type"] as? String == "ddl" { fromExport.append("\(o["file"]!):\(o["pos"]!):\(o["db"] ?? ""):\(o["sql"]!)") }
    }
    var fromIndex: [String] = []
    for f in files {
      let (idx, _) = try IndexStore.build(path: f)
      for d in try idx.ddlStatements { fromIndex.append("\(idx.file):\(d.offset):\(d.database):\(d.sql)") }
      for d in try idx.ddlStatements { XCTAssertGreaterThan(d.timestamp, 0) }
    }
    XCTAssertGreaterThan(fromIndex.count, 10)
    XCTAssertEqual(fromIndex, fromExport)
  }

  func testQueryDecodesOnlyTheBlocksItsKeysAdmit() throws {
    let (dir, files) = try TestPaths.scratchCopy([TestPaths.fixtureSet("mariadb-10.11")[0]])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let f = files[0]
    _ = try IndexStore.build(path: f, destination: f + ".sidx", recordsPerBlock: 4)
    let archive = try IndexedBinlogs.open(paths: files, indexDir: nil, useIndex: true, persist: false)
    XCTAssertEqual(archive.files[0].indexOutcome, .loaded)
    let idx = archive.files[0].index
    XCTAssertGreaterThan(idx.blockKeys.count, 10)
    let all = Array(idx.transactions)
    let target = all[all.count / 2]
    let before = idx.blocksDecoded
    var filter = QueryFilter()
    filter.startPosition = BinlogPosition(file: "", offset: target.start)
    filter.stopPosition = BinlogPosition(file: "", offset: target.start + 1)
    let got = try archive.candidates(filter)
    XCTAssertEqual(got.map(\.record.start), [target.start])
    XCTAssertEqual(idx.blocksDecoded - before, 1, "one block holds the transaction")
    // Every filter battery result through small blocks equals the scan's.
    let battery = try filterBattery(files)
    for flt in battery {
      let (a, _) = try runQuery(files, flt, useIndex: true)
      let (b, _) = try runQuery(files, flt, useIndex: false)
      XCTAssertEqual(a, b, "\(flt)")
    }
  }

  /// A query checks only the blocks it reads, before its first output: damage there is reported
  /// and the index rebuilt (the answer is the scan's); damage elsewhere is not read at all.
  func testQueryVerifiesTheBlocksItReadsBeforeAnswering() throws {
    let (dir, files) = try TestPaths.scratchCopy([TestPaths.fixtureSet("mariadb-10.11")[0]])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let f = files[0]
    let ipath = f + ".sidx"
    let (idx, _) = try IndexStore.build(path: f, destination: ipath, recordsPerBlock: 4)
    let all = Array(idx.transactions)
    XCTAssertGreaterThan(idx.blockKeys.count, 10)
    let damagedKey = idx.blockKeys[5]
    var data = try Data(contentsOf: URL(fileURLWithPath: ipath))
    data[Int(damagedKey.dataOffset) + 1] ^= 0x55
    try data.write(to: URL(fileURLWithPath: ipath))
    func window(_ t: TransactionRecord) -> QueryFilter {
      var filter = QueryFilter()
      filter.startPosition = BinlogPosition(file: "", offset: t.start)
      filter.stopPosition = BinlogPosition(file: "", offset: t.start + 1)
      return filter
    }
    // A transaction of block 1: block 5 is never read, so never checked.
    let early = all[Int(idx.blockKeys[1].firstRecord)]
    let a = try IndexedBinlogs.open(
      paths: files, indexDir: nil, useIndex: true, persist: false, verifyingBlocksOf: window(early))
    XCTAssertEqual(a.files[0].indexOutcome, .loaded)
    XCTAssertFalse(a.files[0].index.blocksVerified)
    XCTAssertEqual(a.warnings, [])
    XCTAssertEqual(try a.candidates(window(early)).map(\.record.start), [early.start])
    // A transaction of block 5: found before any output, reported, rebuilt in memory.
    let hit = all[Int(damagedKey.firstRecord)]
    let b = try IndexedBinlogs.open(
      paths: files, indexDir: nil, useIndex: true, persist: false, verifyingBlocksOf: window(hit))
    XCTAssertEqual(b.files[0].indexOutcome, .inMemory)
    XCTAssertEqual(b.warnings.count, 1, "\(b.warnings)")
    XCTAssertTrue(
      b.warnings.first?.contains("block at \(damagedKey.dataOffset) checksum mismatch") == true, "\(b.warnings)")
    XCTAssertEqual(try b.candidates(window(hit)).map(\.record.start), [hit.start])
    // Decoding a block that was not checked checks it.
    XCTAssertThrowsError(try a.files[0].index.forEachRecord { _ in true }) { e in
      XCTAssertTrue("\(e)".contains("block at \(damagedKey.dataOffset) checksum mismatch"), "\(e)")
    }
  }

  func testCorruptBlocksAndHeadersAreDetected() throws {
    let (dir, files) = try TestPaths.scratchCopy([TestPaths.fixtureSet("mariadb-10.11")[0]])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let f = files[0]
    let ipath = f + ".sidx"
    let (idx, _) = try IndexStore.build(path: f, destination: ipath, recordsPerBlock: 8)
    let expected = Array(idx.transactions)
    let k = idx.blockKeys[2]
    var data = try Data(contentsOf: URL(fileURLWithPath: ipath))
    data[Int(k.dataOffset) + 3] ^= 0x55
    try data.write(to: URL(fileURLWithPath: ipath), options: .atomic)
    // Every block is verified on load: a damaged block is found before any record is used.
    XCTAssertThrowsError(try FileIndex.read(from: ipath)) { e in
      XCTAssertTrue("\(e)".contains("block at \(k.dataOffset) checksum mismatch"), "\(e)")
    }
    // A damaged header is not trusted: load reports it and rebuilds.
    data = try Data(contentsOf: URL(fileURLWithPath: ipath))
    data[20] ^= 0xFF
    try data.write(to: URL(fileURLWithPath: ipath))
    XCTAssertThrowsError(try FileIndex.read(from: ipath))
    let r = try IndexStore.load(path: f, indexDir: nil, persist: true)
    XCTAssertEqual(r.outcome, .rebuilt)
    XCTAssertEqual(Array(r.index.transactions), expected)
    // A version 1 index is stale: rebuilt.
    var v1 = Data("SLUICEIX".utf8)
    v1.append(contentsOf: [1, 0, 0, 0])
    v1.append(Data(repeating: 0, count: 60))
    try v1.write(to: URL(fileURLWithPath: ipath))
    let again = try IndexStore.load(path: f, indexDir: nil, persist: true)
    XCTAssertEqual(again.outcome, .rebuilt)
    XCTAssertNotNil(again.note)
  }

  func testChecksumMismatchStopsTheBuildWithItsOffset() throws {
    let (dir, files) = try TestPaths.scratchCopy([TestPaths.fixtureSet("mariadb-10.11")[0]])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let f = files[0]
    let (idx, _) = try IndexStore.build(path: f)
    let t = Array(idx.transactions)[10]
    var data = try Data(contentsOf: URL(fileURLWithPath: f))
    // The first event of the transaction: flip a byte of its body.
    data[Int(t.start) + 25] ^= 0x01
    try data.write(to: URL(fileURLWithPath: f))
    XCTAssertThrowsError(try IndexStore.build(path: f)) { e in
      let b = e as? BinlogError
      XCTAssertEqual(b?.kind, .checksumMismatch, "\(e)")
      XCTAssertEqual(b?.offset, t.start, "\(e)")
    }
    XCTAssertNoThrow(try IndexStore.build(path: f, options: ReaderOptions(verifyChecksums: false)))
  }

  func testZlibCRC32EqualsTheSoftwareCRC32() {
    var bytes = [UInt8](repeating: 0, count: 100_003)
    var x: UInt32 = 12345
    for i in 0..<bytes.count {
      x = x &* 1_103_515_245 &+ 12345
      bytes[i] = UInt8(truncatingIfNeeded: x >> 16)
    }
    bytes.withUnsafeBytes { b in
      for n in [0, 1, 7, 8, 9, 63, 4096, 100_003] {
        let s = UnsafeRawBufferPointer(rebasing: b[0..<n])
        XCTAssertEqual(CRC32.checksum(s), CRC32.softwareChecksum(s), "length \(n)")
      }
      let a = CRC32.checksum(UnsafeRawBufferPointer(rebasing: b[0..<500]))
      XCTAssertEqual(
        CRC32.checksum(UnsafeRawBufferPointer(rebasing: b[500..<1000]), continuing: a),
        CRC32.softwareChecksum(UnsafeRawBufferPointer(rebasing: b[0..<1000])))
    }
  }

  /// A seekable zstd archive is indexed (offsets are binlog offsets) and queried through its
  /// index with the same output as the plain binlog.
  func testSeekableArchiveIsIndexedAndQueried() throws {
    let (dir, files) = try TestPaths.scratchCopy(TestPaths.fixtureSet("mariadb-10.11"))
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let zdir = dir + "/z"
    try FileManager.default.createDirectory(atPath: zdir, withIntermediateDirectories: true)
    var zfiles: [String] = []
    for f in files { zfiles.append(try Archiver.archive(f, options: Archiver.Options(outputDirectory: zdir)).output) }
    for z in zfiles {
      let r = try IndexStore.load(path: z, indexDir: nil, persist: true)
      XCTAssertEqual(r.outcome, .built)
      XCTAssertTrue(r.index.isArchive)
      XCTAssertEqual(try IndexStore.load(path: z, indexDir: nil, persist: true).outcome, .loaded)
    }
    for (z, f) in zip(zfiles, files) {
      let a = try XCTUnwrap(try FileIndex.read(from: z + ".sidx"))
      let (b, _) = try IndexStore.build(path: f)
      XCTAssertEqual(Array(a.transactions), Array(b.transactions), z)
      XCTAssertEqual(a.binlogSize, b.binlogSize)
    }
    for flt in try filterBattery(files) {
      let (plain, _) = try runQuery(files, flt, useIndex: false)
      let (viaIndex, s) = try runQuery(zfiles, flt, useIndex: true)
      XCTAssertEqual(
        plain.replacingOccurrences(of: ".zst", with: ""), viaIndex.replacingOccurrences(of: ".zst", with: ""), "\(flt)")
      XCTAssertEqual(s.bytesIndexed, 0)
    }
    // A rewritten archive is stale.
    var data = try Data(contentsOf: URL(fileURLWithPath: zfiles[0]))
    data.append(0)
    try data.write(to: URL(fileURLWithPath: zfiles[0]))
    let idx = try XCTUnwrap(try FileIndex.read(from: zfiles[0] + ".sidx"))
    let m = try MappedFile(path: zfiles[0])
    if case .stale = idx.freshness(of: m.bytes) {} else { XCTFail("an archive that changed must be stale") }
  }
}
