import BinlogFormat
import BinlogQuery
import BinlogSchema
import Foundation
import SluiceTestSupport
import SwiftProtobuf
import XCTest

@testable import CanalProtocol
@testable import CanalServer

/// `serve --start-position/--start-datetime/--include-gtids/--exclude-gtids` over the three-file
/// MariaDB fixture archive: what a client receives is the right suffix (or subset) of what it
/// receives from the beginning.
final class ServerStartPointTests: XCTestCase {
  func binlogs(_ dir: String = "mariadb-10.11") throws -> [String] {
    let paths = try TestPaths.requireFixtureSet(dir)
    guard paths.count >= 3 else { throw XCTSkip("no binlog archive in \(dir)") }
    return paths
  }

  /// Every entry a client gets from a server over `paths` starting at `start`.
  func served(_ paths: [String], _ start: CanalStartPoint, schema: SchemaTimeline? = nil) throws -> [CanalEntry] {
    let (entries, complete) = try ServedBinlogs.drain(ServedBinlogs.core(paths, start: start, schema: schema), fetch: 50)
    XCTAssertTrue(complete, "SUB or a GET failed")
    return try entries.map { try CanalEntry(serializedBytes: $0) }
  }

  func position(_ e: CanalEntry) -> String { "\(e.header.logfileName):\(e.header.logfileOffset)" }

  /// Indexes of the entries that start a transaction or a statement of their own, as a client
  /// sees them (MariaDB writes no BEGIN: a transaction starts after the previous one's END or
  /// after a statement entry).
  func unitStarts(_ all: [CanalEntry]) -> [Int] {
    all.indices.filter { k in
      if k == 0 || all[k].entryType == .transactionbegin { return true }
      if all[k - 1].entryType == .transactionbegin || all[k].entryType == .transactionend { return false }
      let prev = all[k - 1]
      let prevIsRows = [.insert, .update, .delete].contains(prev.header.eventType) && prev.entryType == .rowdata
      return prev.entryType == .transactionend || !prevIsRows
    }
  }

  func testStartPositionInTheSecondFileServesExactlyTheEntriesFromThere() throws {
    let paths = try binlogs()
    let all = try served(paths, CanalStartPoint())
    // A transaction start in binlog.000002: the entries from it on, and nothing before it.
    guard
      let i = unitStarts(all).first(where: {
        all[$0].header.logfileName == "binlog.000002" && all[$0].entryType == .rowdata
      })
    else { return XCTFail("no transaction in binlog.000002") }
    let target = all[i]
    let start = CanalStartPoint(
      position: BinlogPosition(file: "binlog.000002", offset: UInt64(target.header.logfileOffset)))
    let got = try served(paths, start)
    XCTAssertGreaterThan(i, 10)
    XCTAssertEqual(got.count, all.count - i, "served from \(position(target))")
    XCTAssertEqual(got.map(position), all[i...].map(position))
    XCTAssertEqual(
      try got.map { try $0.serializedBytes() as Data }, try all[i...].map { try $0.serializedBytes() as Data })
  }

  func testStartPositionInsideATransactionDropsItsEarlierEvents() throws {
    let paths = try binlogs()
    let all = try served(paths, CanalStartPoint())
    // The second rows entry of a transaction in the first file: the first is left out.
    let starts = Set(unitStarts(all))
    guard
      let i = all.indices.first(where: {
        $0 > 5 && all[$0].entryType == .rowdata && all[$0 - 1].entryType == .rowdata
          && starts.contains($0 - 1) && !starts.contains($0)
      })
    else { return XCTFail("no row transaction") }
    let start = CanalStartPoint(position: BinlogPosition(file: "", offset: UInt64(all[i].header.logfileOffset)))
    let got = try served(paths, start)
    XCTAssertEqual(got.first.map(position), position(all[i]))
    XCTAssertEqual(got.first?.entryType, .rowdata)
    XCTAssertEqual(got.map(position), all[i...].map(position))
  }

  func testStartPositionNamingAMissingFileIsAnError() throws {
    let paths = try binlogs()
    let start = CanalStartPoint(position: BinlogPosition(file: "binlog.000009", offset: 4))
    XCTAssertThrowsError(
      try CanalBinlogEntrySource(paths: paths, options: quietOptions(), readerOptions: ReaderOptions(), start: start)
    ) { error in
      XCTAssertTrue("\(error)".contains("binlog.000009"), "\(error)")
    }
  }

  func testStartDatetimeServesFromTheFirstTransactionAtOrAfterIt() throws {
    let paths = try binlogs()
    let all = try served(paths, CanalStartPoint())
    let begins = unitStarts(all)
    XCTAssertGreaterThan(begins.count, 20)
    // The workload sets its session time: pick the time of a transaction in the middle.
    let pick = begins[begins.count / 2]
    let t = all[pick].header.executeTime
    let got = try served(paths, CanalStartPoint(startMillis: t))
    // Expected: the suffix from the first transaction start (or statement outside a
    // transaction) whose time is at or after t.
    guard let first = begins.first(where: { all[$0].header.executeTime >= t }) else {
      return XCTFail("no start")
    }
    XCTAssertLessThanOrEqual(first, pick)
    XCTAssertGreaterThanOrEqual(got.first?.header.executeTime ?? 0, t)
    XCTAssertEqual(got.map(position), all[first...].map(position))
    // A time past every event serves nothing.
    XCTAssertEqual(try served(paths, CanalStartPoint(startMillis: Int64.max / 2)).count, 0)
  }

  func testIncludeAndExcludeGTIDsKeepWholeTransactions() throws {
    let paths = try binlogs()
    // The source before the server's own shaping still has the GTIDLOG entries: each entry is
    // labelled with the GTID of the last GTIDLOG before it (MariaDB's GTID event starts each
    // transaction and each DDL); a GTID list entry is labelled "list".
    func entries(_ start: CanalStartPoint) throws -> [(gtid: String, bytes: [UInt8])] {
      let source = try CanalBinlogEntrySource(
        paths: paths, options: quietOptions(), readerOptions: ReaderOptions(), start: start)
      var out: [(gtid: String, bytes: [UInt8])] = []
      var current = ""
      while true {
        let batch = try source.next(max: 100)
        if batch.isEmpty { break }
        for p in batch {
          let e = try CanalEntry(serializedBytes: p.bytes)
          if e.entryType == .gtidlog {
            let pair = try CanalPair(serializedBytes: e.storeValue)
            // MariaDB writes a GTID list right after each file's 252-byte Format_description.
            current = e.header.logfileOffset == 256 ? "list" : pair.value
          }
          out.append((current, p.bytes))
        }
      }
      return out
    }
    let all = try entries(CanalStartPoint())
    XCTAssertGreaterThan(Set(all.map(\.gtid)).count, 80)
    XCTAssertEqual(all.filter { $0.gtid == "list" }.count, paths.count, "one GTID list per file")
    let wanted: Set<String> = ["0-1-5", "0-1-6", "0-1-7", "0-1-8", "0-1-9", "0-1-30"]
    let kept = try entries(CanalStartPoint(includeGTIDs: try GTIDFilter(parsing: "0-1-5..9,0-1-30")))
    XCTAssertEqual(kept.map(\.gtid), all.filter { wanted.contains($0.gtid) }.map(\.gtid))
    XCTAssertEqual(kept.map(\.bytes), all.filter { wanted.contains($0.gtid) }.map(\.bytes))
    XCTAssertEqual(Set(kept.map(\.gtid)), wanted)

    let unwanted = Set((1...10).map { "0-1-\($0)" })
    let dropped = try entries(CanalStartPoint(excludeGTIDs: try GTIDFilter(parsing: "0-1-1..10")))
    XCTAssertEqual(dropped.map(\.bytes), all.filter { !unwanted.contains($0.gtid) }.map(\.bytes))
    XCTAssertTrue(dropped.contains { $0.gtid == "list" })
  }

  /// An Entry dump (what `export --format canal` writes) behind the same start point serves what
  /// the binlog source serves.
  func testEntryDumpStartsAtTheSamePositionAndTime() throws {
    let paths = try binlogs()
    var dump: [UInt8] = []
    for e in try ServedBinlogs.clientView(paths) { try EntryFraming.append(e, to: &dump) }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-start-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let dumpPath = dir.appendingPathComponent("all.canal").path
    try Data(dump).write(to: URL(fileURLWithPath: dumpPath))

    func fromDump(_ start: CanalStartPoint) throws -> [String] {
      let source = CanalStartGatedSource(CanalEntryDumpSource(paths: [dumpPath]), start: start)
      var out: [String] = []
      while true {
        let batch = try source.next(max: 37)
        if batch.isEmpty { break }
        out += batch.map { "\($0.position)" }
      }
      return out
    }
    let all = try served(paths, CanalStartPoint())
    XCTAssertEqual(try fromDump(CanalStartPoint()), all.map(position))
    let starts = unitStarts(all)
    let k = starts[starts.count * 2 / 3]
    let byPosition = CanalStartPoint(
      position: BinlogPosition(file: all[k].header.logfileName, offset: UInt64(all[k].header.logfileOffset)))
    XCTAssertEqual(try fromDump(byPosition), try served(paths, byPosition).map(position))
    XCTAssertEqual(try fromDump(byPosition).count, all.count - k)
    let byTime = CanalStartPoint(startMillis: all[starts[starts.count / 2]].header.executeTime)
    XCTAssertEqual(try fromDump(byTime), try served(paths, byTime).map(position))
  }

  /// Serving a MINIMAL-metadata archive names columns by DDL replay, as export does; started in
  /// the second file, the first file's DDL comes from its index.
  func testServedMinimalBinlogsAreNamedByDDLReplayFromAnyStart() throws {
    let paths = try binlogs("mariadb-10.11-minimal")
    let tracker = SchemaTracker(timeline: SchemaTimeline())
    let expected = try ServedBinlogs.clientView(paths) { stream in
      stream.schema = tracker
      stream.mapper.tableMapSource = { id, _ in tracker.tableMap(id) }
    }
    let all = try served(paths, CanalStartPoint(), schema: SchemaTimeline())
    XCTAssertEqual(all.count, expected.count)
    XCTAssertTrue(try all.map { try $0.serializedBytes() as Data } == expected.map { try $0.serializedBytes() as Data })
    // Names, not Canal's positional fallback.
    let rows = try all.filter { $0.entryType == .rowdata }.map { try CanalRowChange(serializedBytes: $0.storeValue) }
    let names = Set(rows.flatMap { $0.rowDatas.flatMap { $0.afterColumns.map(\.name) + $0.beforeColumns.map(\.name) } })
    XCTAssertTrue(names.contains("id"), "\(names.prefix(10))")
    let unnamed = try served(paths, CanalStartPoint())
    let unnamedNames = Set(
      try unnamed.filter { $0.entryType == .rowdata }.map { try CanalRowChange(serializedBytes: $0.storeValue) }
        .flatMap { $0.rowDatas.flatMap { $0.afterColumns.map(\.name) } })
    XCTAssertFalse(unnamedNames.contains("id"))

    guard let k = all.firstIndex(where: { $0.header.logfileName == "binlog.000002" }) else {
      return XCTFail("no entries in binlog.000002")
    }
    let start = CanalStartPoint(position: BinlogPosition(file: "binlog.000002", offset: 4))
    let later = try served(paths, start, schema: SchemaTimeline())
    XCTAssertEqual(later.count, all.count - k)
    XCTAssertTrue(try later.map { try $0.serializedBytes() as Data } == all[k...].map { try $0.serializedBytes() as Data })
  }

  /// Through the index, reading starts at the transaction holding the start point, not at the
  /// start of its file; what is served is the same.
  func testStartSeeksToItsTransactionThroughTheIndex() throws {
    let paths = try binlogs()
    let all = try served(paths, CanalStartPoint())
    let starts = unitStarts(all)
    let k = starts[starts.count / 3]
    let offset = UInt64(all[k].header.logfileOffset)
    let point = CanalStartPoint(position: BinlogPosition(file: all[k].header.logfileName, offset: offset))
    let source = try CanalBinlogEntrySource(
      paths: paths, options: quietOptions(), readerOptions: ReaderOptions(), start: point)
    XCTAssertEqual(source.stream.position.file, all[k].header.logfileName)
    XCTAssertGreaterThan(source.stream.position.offset, 4)
    XCTAssertLessThanOrEqual(source.stream.position.offset, offset)
    XCTAssertEqual(try served(paths, point).map(position), all[k...].map(position))

    let t = all[starts[starts.count * 2 / 3]].header.executeTime
    let byTime = try CanalBinlogEntrySource(
      paths: paths, options: quietOptions(), readerOptions: ReaderOptions(), start: CanalStartPoint(startMillis: t))
    XCTAssertGreaterThan(byTime.stream.position.offset, 4)
  }
}
