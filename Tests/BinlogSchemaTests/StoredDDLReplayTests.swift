import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogSchema

/// Rebuilding the schema from a stored DDL list (what the index keeps) instead of the binlogs.
final class StoredDDLReplayTests: XCTestCase {
  func ddl(_ file: String, _ offset: UInt64, _ sql: String, db: String = "test") -> StoredDDL {
    StoredDDL(file: file, offset: offset, timestamp: 1_709_251_200, database: db, sql: sql)
  }

  var list: [StoredDDL] {
    [
      ddl("binlog.000009", 100, "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10))"),
      ddl("binlog.000009", 900, "ALTER TABLE t ADD COLUMN b INT FIRST"),
      ddl("binlog.000010", 200, "ALTER TABLE t RENAME COLUMN a TO aa, DROP PRIMARY KEY, ADD PRIMARY KEY (b)"),
      ddl("binlog.000010", 700, "RENAME TABLE t TO u"),
      ddl("binlog.000011", 50, "DROP TABLE u", db: "other"),
    ]
  }

  func names(_ t: SchemaTimeline, _ table: String) -> [String]? {
    t.table(TableName("test", table))?.columns.map(\.name)
  }

  func testReplayStopsBeforeTheStartPositionAcrossFiles() {
    var t = SchemaTimeline()
    // binlog.000010 comes after binlog.000009 by number, not only by text.
    XCTAssertEqual(t.replay(list, before: BinlogPosition(file: "binlog.000010", offset: 200)), 2)
    XCTAssertEqual(names(t, "t"), ["b", "id", "a"])
    XCTAssertEqual(t.table(TableName("test", "t"))?.primaryKeyNames, ["id"])

    var all = SchemaTimeline()
    XCTAssertEqual(all.replay(list), 5)
    // `DROP TABLE u` ran with `other` as the current database: test.u lives on.
    XCTAssertEqual(names(all, "u"), ["b", "id", "aa"])
    XCTAssertNil(all.table(TableName("test", "t")))
  }

  func testAdvancingInStepsEqualsOneReplay() {
    var stepped = SchemaTimeline()
    let n = stepped.replay(list, before: BinlogPosition(file: "binlog.000010", offset: 201))
    XCTAssertEqual(n, 3)
    XCTAssertEqual(names(stepped, "t"), ["b", "id", "aa"])
    XCTAssertEqual(stepped.table(TableName("test", "t"))?.primaryKeyNames, ["b"])
    stepped.replay(list[n...], before: BinlogPosition(file: "binlog.000011", offset: 0))
    var once = SchemaTimeline()
    once.replay(list, before: BinlogPosition(file: "binlog.000011", offset: 0))
    XCTAssertNil(names(stepped, "t"))
    XCTAssertEqual(names(stepped, "u"), ["b", "id", "aa"])
    XCTAssertEqual(names(once, "u"), names(stepped, "u"))
    XCTAssertEqual(stepped.records.map(\.sql), once.records.map(\.sql))
    // The history keeps every version at its position: the schema as of any point before.
    XCTAssertEqual(
      stepped.table(TableName("test", "t"), at: BinlogPosition(file: "binlog.000010", offset: 100))?.columns.map(\.name),
      ["b", "id", "a"])
  }

  /// A file order given by the archive (names that do not sort) decides what comes first.
  func testFileOrderFromTheArchive() {
    let l = [
      ddl("zeta-bin.000001", 100, "CREATE TABLE t (id INT)"),
      ddl("alpha-bin.000001", 100, "ALTER TABLE t ADD COLUMN x INT"),
    ]
    var t = SchemaTimeline()
    XCTAssertEqual(
      t.replay(
        l, before: BinlogPosition(file: "alpha-bin.000001", offset: 100), fileOrder: ["zeta-bin.000001", "alpha-bin.000001"]), 1)
    XCTAssertEqual(names(t, "t"), ["id"])
    var natural = SchemaTimeline()
    XCTAssertEqual(natural.replay(l, before: BinlogPosition(file: "alpha-bin.000001", offset: 100)), 0, "alpha sorts before zeta")
  }

  /// The alter workload: a tracker resumed mid-archive from the dump plus the stored DDL before
  /// the start names every later Table_map exactly as a walk from the beginning does.
  func testResumedTrackerMatchesAFullWalk() throws {
    let dir = TestPaths.packageRoot + "/Tests/BinlogSchemaTests/Data/alter-workload"
    let files = ["binlog.000002", "binlog.000003"].map { dir + "/minimal/" + $0 }
    for f in files where !FileManager.default.fileExists(atPath: f) { throw XCTSkip("\(f) not found") }
    var snapshot = SchemaTimeline(flavor: .mariadb, style: .mariadb)
    _ = try SchemaSnapshot.load(path: dir + "/schema-before.sql", into: &snapshot)

    // What the index would store: every DDL Query event, in order; and the reference walk.
    var stored: [StoredDDL] = []
    var format: FormatDescription?
    for p in files {
      var walker = BinlogWalker(source: try BinlogInput(path: p))
      try walker.run { w, ev in
        if format == nil { format = w.format }
        guard case .query(let q) = ev.body, StatementKind.isDDL(q.queryBytes) else { return }
        stored.append(
          StoredDDL(
            position: BinlogPosition(file: w.fileName, offset: ev.raw.offset), timestamp: ev.raw.header.timestamp,
            database: q.database, sql: q.queryBytes, sqlMode: q.statusVars.sqlMode))
      }
    }
    XCTAssertGreaterThan(stored.count, 15)
    let reference = try walkEnriched(files, tracker: SchemaTracker(timeline: snapshot))

    // Resume right after `ALTER TABLE items CHANGE name title ...`, then at the start of file 3.
    let change = try XCTUnwrap(stored.first { String(decoding: $0.sql, as: UTF8.self).contains("CHANGE name title") })
    for start in [
      BinlogPosition(file: change.position.file, offset: change.position.offset + 1),
      BinlogPosition(file: "binlog.000003", offset: 4),
    ] {
      let tracker = SchemaTracker(resumingAt: start, statements: stored, snapshot: snapshot, format: format)
      var resumed: [SeenMap] = []
      for p in files {
        var walker = BinlogWalker(source: try BinlogInput(path: p))
        try walker.run { w, ev in
          let here = BinlogPosition(file: w.fileName, offset: ev.raw.offset)
          guard !(here < start) else { return }
          tracker.consume(ev, file: w.fileName)
          if case .tableMap(let raw) = ev.body, let m = tracker.tableMap(raw.tableID) {
            resumed.append(
              SeenMap(
                file: here.file, offset: ev.raw.offset, db: m.database, table: m.table, names: m.columns.map(\.name),
                pk: m.primaryKeyOrder.map { m.columns[$0].name ?? "@\($0 + 1)" }, map: m))
          }
        }
      }
      let expected = reference.filter { !(BinlogPosition(file: $0.file, offset: $0.offset) < start) }
      XCTAssertGreaterThan(resumed.count, 3, "\(start)")
      XCTAssertEqual(resumed.map(\.offset), expected.map(\.offset), "\(start)")
      XCTAssertEqual(resumed.map(\.names), expected.map(\.names), "\(start)")
      XCTAssertEqual(resumed.map(\.pk), expected.map(\.pk), "\(start)")
      XCTAssertFalse(resumed.contains { $0.names.contains(nil) }, "\(start)")
      XCTAssertEqual(tracker.mismatches, [], "\(start)")
    }
  }
}
