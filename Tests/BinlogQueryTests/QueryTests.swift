import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogPipeline
import BinlogQuery
import BinlogSchema
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

extension TestPaths {
  /// The corpus files the query tests read: not gzip, not broken on purpose, and without
  /// pingcap__tiflow/mysql-bin.000001, which these tests have always left out.
  static func corpusFiles() -> [String] {
    corpusManifestPaths().filter {
      !brokenCorpusFiles.contains($0) && $0 != "pingcap__tiflow/mysql-bin.000001" && !$0.hasSuffix(".gz")
    }.map { corpus + "/" + $0 }
  }

  /// A temporary directory with copies of `files` (indexes are written beside them).
  static func scratchCopy(_ files: [String]) throws -> (String, [String]) {
    let dir = try temporaryDirectory()
    var out: [String] = []
    for f in files {
      let dst = dir + "/" + binlogBaseName(f)
      try FileManager.default.copyItem(atPath: f, toPath: dst)
      out.append(dst)
    }
    return (dir, out)
  }
}

func runQuery(
  _ files: [String], _ filter: QueryFilter, rows: Bool = false, indexDir: String? = nil, useIndex: Bool,
  format: String = "ndjson",
  threads: Int = 1, batchBytes: UInt64 = 256 << 10, maxBuffered: Int = 4 << 20, schema: Bool = false
)
  throws -> (String, QueryRunner.Stats)
{
  let archive = try IndexedBinlogs.open(paths: files, indexDir: indexDir, useIndex: useIndex, persist: false)
  let sink = OutputSink.memory()
  let runner = QueryRunner(
    archive: archive, filter: filter, rowGranularity: rows, format: format == "ndjson" ? .ndjson : .text, sink: sink)
  runner.threads = threads
  runner.batchBytes = batchBytes
  runner.maxBuffered = maxBuffered
  if schema { runner.makeSchema = { SchemaTracker() } }
  let stats = try runner.run()
  try sink.close()
  return (String(decoding: sink.captured, as: UTF8.self), stats)
}

final class IndexTests: XCTestCase {
  func testIndexRoundTripsThroughItsFileFormat() throws {
    let files = TestPaths.fixtureSet("mariadb-10.11") + TestPaths.corpusFiles()
    XCTAssertGreaterThan(files.count, 3)
    let dir = NSTemporaryDirectory() + "sluice-rt-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for f in files {
      let (idx, _) = try IndexStore.build(path: f)
      let dest = dir + "/x.sidx"
      try idx.write(to: dest)
      let back = try XCTUnwrap(try FileIndex.read(from: dest))
      XCTAssertEqual(Array(back.transactions), Array(idx.transactions), f)
      XCTAssertEqual(back.transactionCount, idx.transactions.count, f)
      XCTAssertEqual(back.tables, idx.tables, f)
      XCTAssertEqual(back.formatEvent, idx.formatEvent, f)
      XCTAssertEqual(back.previousGTIDs, idx.previousGTIDs, f)
      XCTAssertEqual(back.indexedEnd, idx.indexedEnd, f)
      XCTAssertEqual(try back.ddlStatements, try idx.ddlStatements, f)
    }
  }

  func testIndexIsASmallFractionOfTheBinlog() throws {
    let (dir, files) = try TestPaths.scratchCopy(TestPaths.fixtureSet("mariadb-10.11"))
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var binlog = 0
    var index = 0
    for f in files {
      let r = try IndexStore.load(path: f, indexDir: nil, persist: true)
      XCTAssertEqual(r.outcome, .built)
      binlog += Int(r.index.sourceSize)
      index += (try FileManager.default.attributesOfItem(atPath: f + ".sidx")[.size] as! Int)
      XCTAssertEqual(try IndexStore.load(path: f, indexDir: nil, persist: true).outcome, .loaded)
    }
    XCTAssertLessThan(Double(index) / Double(binlog), 0.10, "index \(index) bytes for \(binlog) bytes of binlog")
  }

  func testStaleIndexIsRebuiltAndGrownFileExtended() throws {
    let src = TestPaths.fixtureSet("mariadb-10.11")[0]
    let (dir, files) = try TestPaths.scratchCopy([src])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let f = files[0]
    let full = try Data(contentsOf: URL(fileURLWithPath: f))
    let (fullIndex, _) = try IndexStore.build(path: f)
    // Cut the file at a transaction boundary in the middle, index it, then let it "grow" back.
    let cut = fullIndex.transactions[fullIndex.transactions.count / 2].start
    try full.prefix(Int(cut)).write(to: URL(fileURLWithPath: f))
    XCTAssertEqual(try IndexStore.load(path: f, indexDir: nil, persist: true).outcome, .built)
    try full.write(to: URL(fileURLWithPath: f))
    let grown = try IndexStore.load(path: f, indexDir: nil, persist: true)
    XCTAssertEqual(grown.outcome, .extended)
    XCTAssertEqual(grown.index.transactions, fullIndex.transactions)
    XCTAssertEqual(try IndexStore.load(path: f, indexDir: nil, persist: true).outcome, .loaded)
    // Flip a byte inside the indexed part: the index must not be trusted.
    var changed = full
    changed[Int(fullIndex.indexedEnd) - 100] ^= 0xFF
    try changed.write(to: URL(fileURLWithPath: f))
    let r = try IndexStore.load(path: f, indexDir: nil, persist: false, options: ReaderOptions(verifyChecksums: false))
    XCTAssertEqual(r.outcome, .inMemory)
    XCTAssertNotNil(r.note)
    // A corrupt index file is reported and rebuilt.
    try full.write(to: URL(fileURLWithPath: f))
    try Data("SLUICEIXgarbage".utf8).write(to: URL(fileURLWithPath: f + ".sidx"))
    let again = try IndexStore.load(path: f, indexDir: nil, persist: true)
    XCTAssertEqual(again.outcome, .rebuilt)
    XCTAssertEqual(again.index.transactions, fullIndex.transactions)
  }
}

/// Filters of every kind, with values taken from the files (a transaction in the middle).
func filterBattery(_ files: [String]) throws -> [QueryFilter] {

  let archive = try IndexedBinlogs.open(paths: files, indexDir: nil, useIndex: false, persist: false)
  var filters: [QueryFilter] = [QueryFilter()]
  let all = archive.files.flatMap { f in f.index.transactions.map { (f, $0) } }
  guard !all.isEmpty else { return filters }
  let mid = all[all.count / 2].1
  var f = QueryFilter()
  f.startMicros = mid.commitMicros
  filters.append(f)
  f = QueryFilter()
  f.stopMicros = mid.commitMicros + 60_000_000
  f.startMicros = mid.commitMicros
  filters.append(f)
  f = QueryFilter()
  f.types = [.delete]
  filters.append(f)
  f = QueryFilter()
  f.types = [.ddl]
  filters.append(f)
  f = QueryFilter()
  f.types = [.insert, .update]
  filters.append(f)
  if let name = archive.files.flatMap({ $0.index.tables }).first {
    f = QueryFilter()
    f.tables = [TablePattern(parsing: name)]
    filters.append(f)
    f.types = [.update]
    filters.append(f)
    var g = QueryFilter()
    g.databases = [String(name.split(separator: ".")[0])]
    filters.append(g)
  }
  if let g = mid.gtid {
    f = QueryFilter()
    f.includeGTIDs = try GTIDFilter(parsing: g.description)
    filters.append(f)
    f = QueryFilter()
    f.excludeGTIDs = try GTIDFilter(parsing: g.description)
    filters.append(f)
  }
  if let x = mid.xid {
    f = QueryFilter()
    f.xids = [x]
    filters.append(f)
  }
  if let t = mid.threadID {
    f = QueryFilter()
    f.threadIDs = [t]
    filters.append(f)
  }
  f = QueryFilter()
  f.serverIDs = [mid.serverID]
  f.startPosition = BinlogPosition(file: archive.files.first!.name, offset: mid.start)
  filters.append(f)
  f = QueryFilter()
  f.primaryKey = [("id", "1")]
  filters.append(f)
  return filters
}

final class QueryTests: XCTestCase {
  /// The text header names each transaction's GTID as the GTID's own text (MariaDB digits are
  /// written without a String; MySQL through its description).
  func testTextHeaderGTIDIsTheGTIDsText() throws {
    var files = TestPaths.fixtureSet("mariadb-10.11")
    files.append(try TestPaths.corpusFile("zendesk__maxwell/binlog.000004"))  // MySQL GTIDs
    var checked = 0
    for f in files {
      let (idx, _) = try IndexStore.build(path: f)
      for t in idx.transactions {
        let header = TransactionText.header(t, file: "f")
        if let g = t.gtid {
          XCTAssertTrue(header.contains(" gtid \(g.description) "), "\(f) \(t.start): \(header)")
          checked += 1
        } else {
          XCTAssertFalse(header.contains(" gtid "), header)
        }
      }
    }
    XCTAssertGreaterThan(checked, 100)
  }

  func battery(_ files: [String]) throws -> [QueryFilter] { try filterBattery(files) }

  func testQueryWithAndWithoutIndexGivesIdenticalOutput() throws {
    var sets: [[String]] = [
      TestPaths.fixtureSet("mariadb-10.11"), TestPaths.fixtureSet("mariadb-10.11-compressed"),
      TestPaths.fixtureSet("mariadb-10.11-minimal"),
    ]
    sets += TestPaths.corpusFiles().map { [$0] }
    var checked = 0
    for (k, set) in sets.enumerated() where !set.isEmpty {
      let (dir, files) = try TestPaths.scratchCopy(set)
      defer { try? FileManager.default.removeItem(atPath: dir) }
      for f in files { _ = try IndexStore.load(path: f, indexDir: nil, persist: true) }
      // Fixture archives get the whole battery; single corpus files a representative part of it.
      let filters = try battery(files)
      for filter in k < 3 ? filters : Array(filters.prefix(6)) {
        for rows in k < 3 ? [false, true] : [false] {
          let (a, sa) = try runQuery(files, filter, rows: rows, useIndex: true)
          let (b, _) = try runQuery(files, filter, rows: rows, useIndex: false)
          XCTAssertEqual(a, b, "\(set.first!): index and scan differ for \(filter) rows=\(rows)")
          XCTAssertEqual(sa.bytesIndexed, 0, "a fresh index must not be rebuilt")
          checked += 1
        }
      }
    }
    XCTAssertGreaterThan(checked, 150)
  }

  func testNarrowWindowThroughTheIndexTouchesLittleOfTheArchive() throws {
    let (dir, files) = try TestPaths.scratchCopy(TestPaths.fixtureSet("mariadb-10.11"))
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for f in files { _ = try IndexStore.load(path: f, indexDir: nil, persist: true) }
    let archive = try IndexedBinlogs.open(paths: files, indexDir: nil, useIndex: true, persist: false)
    let all = archive.files.flatMap { $0.index.transactions }
    let t = all[all.count / 3]
    var f = QueryFilter()
    f.startMicros = t.commitMicros
    f.stopMicros = t.commitMicros + 1
    let (out, s) = try runQuery(files, f, useIndex: true)
    XCTAssertFalse(out.isEmpty)
    // Only the matching transaction's bytes (and each opened file's format description) are read.
    let matching = all.filter { $0.commitMicros == t.commitMicros }.reduce(0) { $0 + $1.byteCount }
    XCTAssertLessThanOrEqual(s.bytesTouched, matching + 1024, "touched \(s.bytesTouched) of \(s.archiveBytes)")
    XCTAssertLessThan(Double(s.bytesTouched) / Double(s.archiveBytes), 0.05, "touched \(s.bytesTouched) of \(s.archiveBytes)")
    let (_, scan) = try runQuery(files, f, useIndex: false)
    XCTAssertGreaterThanOrEqual(scan.bytesTouched, scan.archiveBytes - 64)
  }

  func testPrimaryKeyFollowsOneRowAcrossFilesInOrder() throws {
    let files = TestPaths.fixtureSet("mariadb-10.11")
    XCTAssertGreaterThan(files.count, 1)
    // Find a table+id that changes in more than one file.
    let lines = try exportLines(files)
    var seen: [String: Set<String>] = [:]
    for l in lines where ["insert", "update", "delete"].contains(l["type"] as? String ?? "") {
      guard let pk = l["pk"] as? [String], pk == ["id"] else { continue }
      let img = (l["after"] as? [String: Any]) ?? (l["before"] as? [String: Any]) ?? [:]
      guard let id = img["id"] as? Int else { continue }
      seen["\(l["db"]!).\(l["table"]!)#\(id)", default: []].insert(l["file"] as! String)
    }
    guard let key = seen.first(where: { $0.value.count > 1 })?.key ?? seen.keys.sorted().first else {
      throw XCTSkip("no table with an id primary key")
    }
    let table = String(key.split(separator: "#")[0])
    let id = String(key.split(separator: "#")[1])
    var filter = QueryFilter()
    filter.tables = [TablePattern(parsing: table)]
    filter.primaryKey = [("id", id)]
    let (out, _) = try runQuery(files, filter, rows: true, useIndex: false)
    let got = out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    let expected = lines.filter { l in
      guard "\(l["db"] ?? "").\(l["table"] ?? "")" == table else { return false }
      let b = (l["before"] as? [String: Any])?["id"] as? Int
      let a = (l["after"] as? [String: Any])?["id"] as? Int
      return b.map(String.init) == id || a.map(String.init) == id
    }
    XCTAssertFalse(got.isEmpty)
    XCTAssertEqual(got.count, expected.count)
    XCTAssertEqual(got.map { "\($0["file"]!):\($0["pos"]!)" }, expected.map { "\($0["file"]!):\($0["pos"]!)" })
  }

  func exportLines(_ files: [String]) throws -> [[String: Any]] {
    let sink = OutputSink.memory()
    let e = NDJSONExporter(sink: sink)
    for f in files {
      var w = BinlogWalker(source: try BinlogInput(path: f))
      try w.run { w, ev in try e.consume(ev, walker: w) }
    }
    try sink.close()
    return sink.captured.split(separator: 0x0A).map { try! JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
  }

  func testGTIDFiltersOnRealFiles() throws {
    let tagged = TestPaths.corpus + "/blackbeam__rust_mysql_common/binlog_transaction_with_GTID_TAG.000001"
    guard FileManager.default.fileExists(atPath: tagged) else { throw XCTSkip("no corpus") }
    var f = QueryFilter()
    f.includeGTIDs = try GTIDFilter(parsing: "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3")
    let archive = try IndexedBinlogs.open(paths: [tagged], indexDir: nil, useIndex: false, persist: false)
    XCTAssertEqual(try archive.candidates(f).count, 1)
    f.includeGTIDs = try GTIDFilter(parsing: "55778904-0299-11f1-b1b8-4ef0c4956feb:3")  // untagged 3 is another source
    XCTAssertEqual(try archive.candidates(f).count, 0)
    let maria = TestPaths.corpus + "/mariadb-operator__mariadb-poc/domain_id_0_mariadb-repl-bin.000010"
    f = QueryFilter()
    f.includeGTIDs = try GTIDFilter(parsing: "0-10-292197..292199")
    let a2 = try IndexedBinlogs.open(paths: [maria], indexDir: nil, useIndex: false, persist: false)
    XCTAssertEqual(try a2.candidates(f).map { $0.record.gtid?.description }, ["0-10-292197", "0-10-292198", "0-10-292199"])
    f.includeGTIDs = nil
    f.excludeGTIDs = try GTIDFilter(parsing: "0-10-292197..292199")
    XCTAssertEqual(try a2.candidates(f).count, a2.files[0].index.transactions.count - 3)
    let prev = TestPaths.corpus + "/zendesk__maxwell/binlog.000004"
    f = QueryFilter()
    f.includeGTIDs = try GTIDFilter(parsing: "83759871-1141-11ed-b12d-0242ac130003:6-10")
    let a3 = try IndexedBinlogs.open(paths: [prev], indexDir: nil, useIndex: false, persist: false)
    XCTAssertEqual(try a3.candidates(f).count, 5)
  }

  func testArchiveOrderAndGapsAreReported() throws {
    let files = TestPaths.fixtureSet("mariadb-10.11")
    let archive = try IndexedBinlogs.open(paths: files.reversed(), indexDir: nil, useIndex: false, persist: false)
    XCTAssertEqual(archive.files.map { $0.name }, files.map { $0.split(separator: "/").last.map(String.init)! })
    XCTAssertTrue(archive.warnings.isEmpty, "\(archive.warnings)")
    let gap = try IndexedBinlogs.open(paths: [files[0], files[2]], indexDir: nil, useIndex: false, persist: false)
    XCTAssertTrue(gap.warnings.contains { $0.hasPrefix("gap:") }, "\(gap.warnings)")
  }
}
