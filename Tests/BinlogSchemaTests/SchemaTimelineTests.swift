import BinlogFormat
import SluiceTestSupport
import XCTest

@testable import BinlogSchema

final class SchemaTimelineTests: XCTestCase {
  let f1 = "binlog.000001"
  func at(_ o: UInt64, _ f: String = "binlog.000001") -> BinlogPosition { BinlogPosition(file: f, offset: o) }
  func names(_ t: TableSchema?) -> [String] { t?.columns.map(\.name) ?? [] }

  func testAlterSequenceAtPositions() {
    let t = timeline(
      [
        "CREATE TABLE churn (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB",  // 100
        "ALTER TABLE churn ADD COLUMN extra INT NOT NULL DEFAULT 42",  // 200
        "ALTER TABLE churn MODIFY v VARCHAR(50), ADD INDEX (v)",  // 300
        "ALTER TABLE churn DROP COLUMN extra",  // 400
        "RENAME TABLE churn TO churned",  // 500
        "CREATE TABLE churn_copy LIKE churned",  // 600
        "TRUNCATE TABLE churned",  // 700
      ], db: "m")
    let churn = TableName("m", "churn")
    XCTAssertNil(t.table(churn, at: at(100)), "a statement takes effect after its own position")
    XCTAssertEqual(names(t.table(churn, at: at(101))), ["id", "v"])
    XCTAssertEqual(names(t.table(churn, at: at(250))), ["id", "v", "extra"])
    XCTAssertEqual(t.table(churn, at: at(250))?.columns[1].length, 10)
    XCTAssertEqual(t.table(churn, at: at(350))?.columns[1].length, 50)
    XCTAssertEqual(t.table(churn, at: at(350))?.indexes.map(\.name), [nil, "v"])
    XCTAssertEqual(names(t.table(churn, at: at(450))), ["id", "v"])
    XCTAssertNil(t.table(churn, at: at(550)))
    XCTAssertEqual(names(t.table(TableName("m", "churned"), at: at(550))), ["id", "v"])
    XCTAssertEqual(t.table(TableName("m", "churned"), at: at(550))?.primaryKeyNames, ["id"])
    XCTAssertEqual(names(t.table(TableName("m", "churn_copy"), at: at(650))), ["id", "v"])
    XCTAssertEqual(t.tables(at: at(10_000)).map(\.name), ["churn_copy", "churned"])
    XCTAssertTrue(t.issues.isEmpty, "\(t.issues)")
  }

  func testColumnPositionsFirstAfterAndChange() {
    let t = timeline([
      "CREATE TABLE t (a INT, b INT, c INT)",
      "ALTER TABLE t ADD z INT FIRST, ADD y INT AFTER a, MODIFY c INT AFTER z, CHANGE b bb BIGINT FIRST",
    ])
    XCTAssertEqual(names(t.table(TableName("test", "t"))), ["bb", "z", "c", "a", "y"])
    XCTAssertEqual(t.table(TableName("test", "t"))?.columns[0].dataType, .bigint)
  }

  func testRenameColumnFollowsIntoKeys() {
    let t = timeline([
      "CREATE TABLE t (a INT NOT NULL, b INT, PRIMARY KEY (b, a)) ",
      "ALTER TABLE t RENAME COLUMN a TO a2, CHANGE b b2 INT",
    ])
    let s = t.table(TableName("test", "t"))!
    XCTAssertEqual(s.primaryKeyNames, ["b2", "a2"])
    XCTAssertEqual(s.primaryKey, [1, 0])
    XCTAssertFalse(s.columns[1].nullable, "CHANGE keeps a primary-key column NOT NULL")
  }

  func testPrimaryKeyChangesAndImplicitPrimaryKey() {
    let t = timeline([
      "CREATE TABLE u (code CHAR(3) NOT NULL, val INT, UNIQUE KEY (code))",  // 100
      "ALTER TABLE u ADD PRIMARY KEY (val)",  // 200
      "ALTER TABLE u DROP PRIMARY KEY",  // 300
      "ALTER TABLE u DROP INDEX code",  // 400
    ])
    let u = TableName("test", "u")
    XCTAssertEqual(t.table(u, at: at(150))?.primaryKeyNames, ["code"], "a UNIQUE key over NOT NULL columns is the primary key")
    XCTAssertEqual(t.table(u, at: at(150))?.declaredPrimaryKey, [])
    XCTAssertEqual(t.table(u, at: at(250))?.primaryKeyNames, ["val"])
    XCTAssertEqual(t.table(u, at: at(250))?.columns[1].nullable, false)
    XCTAssertEqual(t.table(u, at: at(350))?.primaryKeyNames, ["code"])
    XCTAssertEqual(t.table(u, at: at(450))?.primaryKeyNames, [])
  }

  func testUniqueKeyWithNullableColumnIsNotPrimary() {
    let t = timeline(["CREATE TABLE u (code CHAR(3), val INT, UNIQUE KEY (code))"])
    XCTAssertEqual(t.table(TableName("test", "u"))?.primaryKey, [])
  }

  func testDropTablesAndDatabase() {
    let t = timeline([
      "CREATE DATABASE d2",
      "CREATE TABLE a (x INT)",
      "CREATE TABLE d2.b (x INT)",
      "CREATE TABLE d2.c (x INT)",
      "DROP TABLE IF EXISTS a, nothere",
      "DROP DATABASE d2",
    ])
    XCTAssertNil(t.table(TableName("test", "a")))
    XCTAssertNotNil(t.table(TableName("test", "a"), at: at(450)))
    XCTAssertNotNil(t.table(TableName("d2", "c"), at: at(550)))
    XCTAssertNil(t.table(TableName("d2", "c"), at: at(650)))
    XCTAssertEqual(t.tables(at: at(10_000)).count, 0)
  }

  func testCharsetResolutionFromDatabaseTableAndColumn() {
    let t = timeline([
      "CREATE DATABASE db1 CHARACTER SET latin1",
      "CREATE TABLE db1.t (a VARCHAR(10), b VARCHAR(10) CHARACTER SET utf8mb4, c TEXT COLLATE utf8mb4_bin, d CHAR(4) CHARACTER SET binary, e CHAR(2) BINARY)",
      "CREATE TABLE db1.u (a VARCHAR(10)) DEFAULT CHARSET=utf8",
    ])
    let s = t.table(TableName("db1", "t"))!
    XCTAssertEqual(s.columns.map(\.charset), ["latin1", "utf8mb4", "utf8mb4", nil, "latin1"])
    XCTAssertEqual(s.columns.map(\.collation), ["latin1_swedish_ci", "utf8mb4_general_ci", "utf8mb4_bin", nil, "latin1_bin"])
    XCTAssertEqual(s.columns[3].dataType, .binary)
    XCTAssertEqual(t.table(TableName("db1", "u"))!.columns[0].charset, "utf8mb3")
  }

  func testConvertToCharacterSetGrowsText() {
    let t = timeline([
      "CREATE TABLE t (a VARCHAR(10), b TEXT, c TINYTEXT, d INT) DEFAULT CHARSET=latin1",
      "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4",
    ])
    let s = t.table(TableName("test", "t"))!
    XCTAssertEqual(s.columns.map(\.dataType), [.varchar, .mediumtext, .text, .int])
    XCTAssertEqual(s.columns.map(\.charset), ["utf8mb4", "utf8mb4", "utf8mb4", nil])
    XCTAssertEqual(s.defaultCharset, "utf8mb4")
  }

  func testTextWithLengthPicksTheSmallestType() {
    let t = timeline(["CREATE TABLE t (a TEXT(100), b BLOB(300), c TEXT(100) CHARACTER SET utf8mb4) DEFAULT CHARSET=latin1"])
    XCTAssertEqual(t.table(TableName("test", "t"))!.columns.map(\.dataType), [.tinytext, .blob, .text])
  }

  func testUnsupportedStatementMarksTableUncertainUntilRecreated() {
    let t = timeline([
      "CREATE TABLE t (a INT)",  // 100
      "ALTER TABLE t ADD COLUMN b GIZMO",  // 200
      "ALTER TABLE t ADD COLUMN c INT",  // 300
      "DROP TABLE t",  // 400
      "CREATE TABLE t (a INT, b INT)",  // 500
    ])
    let n = TableName("test", "t")
    XCTAssertEqual(t.table(n, at: at(150))?.uncertain, false)
    XCTAssertEqual(t.table(n, at: at(250))?.uncertain, true)
    XCTAssertEqual(t.table(n, at: at(350))?.uncertain, true, "later DDL does not make a table certain again")
    XCTAssertEqual(t.table(n, at: at(550))?.uncertain, false)
    XCTAssertEqual(t.issues.count, 1)
    XCTAssertEqual(t.issues[0].position, at(200))
    guard case .unsupported(let why) = t.issues[0].outcome else { return XCTFail() }
    XCTAssertTrue(why.contains("GIZMO"), why)
  }

  func testAlterNamingUnknownColumnIsAProblem() {
    let t = timeline(["CREATE TABLE t (a INT)", "ALTER TABLE t DROP COLUMN nope"])
    XCTAssertEqual(t.table(TableName("test", "t"))?.uncertain, true)
    guard case .problems(let ps) = t.issues.first?.outcome else { return XCTFail("\(t.issues)") }
    XCTAssertTrue(ps[0].contains("nope"))
    let ok = timeline(["CREATE TABLE t (a INT)", "ALTER TABLE t DROP COLUMN IF EXISTS nope"], flavor: .mariadb)
    XCTAssertEqual(ok.table(TableName("test", "t"))?.uncertain, false)
  }

  func testCreateTableAsSelectIsUncertain() {
    let t = timeline(["CREATE TABLE src (a INT)", "CREATE TABLE dst AS SELECT a, a * 2 AS b FROM src"])
    let s = t.table(TableName("test", "dst"))!
    XCTAssertTrue(s.uncertain)
    XCTAssertTrue(s.uncertainReason!.contains("SELECT"), s.uncertainReason!)
  }

  func testCreateIfNotExistsKeepsTheExistingTable() {
    let t = timeline(["CREATE TABLE t (a INT)", "CREATE TABLE IF NOT EXISTS t (b INT, c INT)"])
    XCTAssertEqual(names(t.table(TableName("test", "t"))), ["a"])
    let r = timeline(["CREATE TABLE t (a INT)", "CREATE OR REPLACE TABLE t (b INT, c INT)"], flavor: .mariadb)
    XCTAssertEqual(names(r.table(TableName("test", "t"))), ["b", "c"])
  }

  func testMariaDBSequenceAndSystemVersioning() {
    let t = timeline(
      [
        "CREATE SEQUENCE s START WITH 100",
        "CREATE TABLE v (a INT) WITH SYSTEM VERSIONING",
      ], flavor: .mariadb)
    XCTAssertEqual(t.table(TableName("test", "s"))?.columns.count, 8)
    XCTAssertEqual(names(t.table(TableName("test", "v"))), ["a", "row_start", "row_end"])
  }

  func testPositionsAcrossFilesUseApplyOrder() {
    var t = SchemaTimeline()
    t.apply(sql: Array("CREATE TABLE t (a INT)".utf8), database: "d", at: at(500, "mysql-bin.000009"))
    t.apply(sql: Array("ALTER TABLE t ADD b INT".utf8), database: "d", at: at(200, "mysql-bin.000010"))
    let n = TableName("d", "t")
    XCTAssertEqual(names(t.table(n, at: at(900, "mysql-bin.000009"))), ["a"])
    XCTAssertEqual(names(t.table(n, at: at(300, "mysql-bin.000010"))), ["a", "b"])
    XCTAssertEqual(names(t.table(n, at: at(4, "mysql-bin.000010"))), ["a"])
    XCTAssertTrue(BinlogPosition(file: "b.999999", offset: 9) < BinlogPosition(file: "b.1000000", offset: 4))
    XCTAssertEqual(BinlogPosition(parsing: "/x/y/binlog.000002:1234"), BinlogPosition(file: "binlog.000002", offset: 1234))
  }

  func testCaseInsensitiveLookupFallback() {
    let t = timeline(["CREATE TABLE Orders (a INT)"], db: "Shop")
    XCTAssertNotNil(t.table(TableName("shop", "orders")))
    XCTAssertNotNil(t.table(TableName("shop", "orders"), at: at(1000)))
  }

  func testCreateTableRendering() {
    let t = timeline([
      "CREATE TABLE t (id INT UNSIGNED NOT NULL AUTO_INCREMENT, name VARCHAR(20) DEFAULT NULL COMMENT 'n', b BLOB, PRIMARY KEY (id), KEY k (name(4))) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
    ])
    let s = t.table(TableName("test", "t"))!
    XCTAssertEqual(
      TypeText.createTable(s),
      """
      CREATE TABLE `t` (
        `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
        `name` varchar(20) DEFAULT NULL COMMENT 'n',
        `b` blob,
        PRIMARY KEY (`id`),
        KEY `k` (`name`(4))
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
      """)
    // Rendered text parses back to the same columns.
    let again = timeline([TypeText.createTable(s)])
    let back = again.table(TableName("test", "t"))!
    XCTAssertEqual(back.columns.map(\.name), s.columns.map(\.name))
    XCTAssertEqual(back.columns.map { $0.columnType(.mysql57) }, s.columns.map { $0.columnType(.mysql57) })
    XCTAssertEqual(back.columns.map(\.collation), s.columns.map(\.collation))
    XCTAssertEqual(back.indexes, s.indexes)
  }
}

extension SchemaTimelineTests {
  /// An index can keep only the records and rebuild the timeline from them.
  func testReplayingRecordsRebuildsTheTimeline() throws {
    let tracker = SchemaTracker()
    let files = try TestPaths.requireFixtureSet("mariadb-10.11-minimal")
    _ = try walkEnriched(files, tracker: tracker)
    var again = SchemaTimeline(flavor: .mariadb, style: .mariadb)
    for r in tracker.timeline.records {
      again.apply(sql: Array(r.sql.utf8), database: r.database, at: r.position, sqlMode: r.sqlMode, environment: r.environment)
    }
    let end = BinlogPosition(file: "binlog.000003", offset: .max)
    XCTAssertEqual(again.tables(at: end), tracker.timeline.tables(at: end))
    XCTAssertEqual(again.records.count, tracker.timeline.records.count)
  }
}

extension SchemaTimelineTests {
  /// The server logs CREATE TABLE IF NOT EXISTS even when the table existed: unless the timeline
  /// knows the table cannot have existed, the definition is uncertain.
  func testCreateIfNotExistsOfAnUnseenTableIsUncertain() {
    let unseen = timeline(["CREATE TABLE IF NOT EXISTS t (a INT)"])
    XCTAssertEqual(unseen.table(TableName("test", "t"))?.uncertain, true)
    let newDB = timeline(["CREATE DATABASE fresh", "CREATE TABLE IF NOT EXISTS fresh.t (a INT)"])
    XCTAssertEqual(newDB.table(TableName("fresh", "t"))?.uncertain, false)
    let dropped = timeline(["DROP TABLE IF EXISTS t", "CREATE TABLE IF NOT EXISTS t (a INT)"])
    XCTAssertEqual(dropped.table(TableName("test", "t"))?.uncertain, false)
    var seeded = SchemaTimeline()
    seeded.apply(sql: Array("CREATE TABLE other (x INT)".utf8), database: "test", at: .start)
    seeded.apply(
      sql: Array("CREATE TABLE IF NOT EXISTS t (a INT)".utf8), database: "test", at: BinlogPosition(file: "b.1", offset: 9))
    XCTAssertEqual(seeded.table(TableName("test", "t"))?.uncertain, false, "a snapshot of the database says t did not exist")
  }
}
