import BinlogFormat
import XCTest

@testable import BinlogSchema

final class ReconcileTests: XCTestCase {
  let pos = BinlogPosition(file: "binlog.000002", offset: 5000)

  func schema(_ sql: String, flavor: FormatDescription.Flavor = .mysql) -> TableSchema {
    let t = timeline([sql], db: "shop", flavor: flavor)
    return t.tables(at: pos).first!
  }

  func testMatchingMapGetsNamesKeysSignednessCollationsAndLabels() throws {
    let s = schema(
      """
      CREATE TABLE t (id INT UNSIGNED NOT NULL, name VARCHAR(20), e ENUM('a','b'), d DECIMAL(10,2),
        body BLOB, st SET('x','y','z'), code CHAR(3) NOT NULL, PRIMARY KEY (code, id)) DEFAULT CHARSET=utf8mb4
      """)
    let map = try makeTableMap(
      "shop", "t",
      [
        .long(), .varchar(80), .enumeration(1), .decimal(10, 2), .blob(2), .set(1), .char(12),
      ])
    XCTAssertFalse(map.hasColumnNames)
    let r = Reconciliation.make(map: map, schema: s, position: pos, flavor: .mysql)
    XCTAssertEqual(r.status, .matched)
    let cols = try XCTUnwrap(r.columns)
    XCTAssertEqual(cols.map(\.name), ["id", "name", "e", "d", "body", "st", "code"])
    XCTAssertEqual(r.primaryKeyOrder, [6, 0])
    XCTAssertEqual(cols.map(\.isPrimaryKey), [true, false, false, false, false, false, true])
    XCTAssertEqual(cols[0].unsigned, true)
    XCTAssertEqual(cols[3].unsigned, false)
    XCTAssertEqual(cols[1].collation, 45, "utf8mb4_general_ci")
    XCTAssertEqual(cols[4].collation, 63, "BLOB is binary")
    XCTAssertEqual(cols[2].enumValues, ["a", "b"])
    XCTAssertEqual(cols[5].setValues, ["x", "y", "z"])
  }

  func testColumnCountMismatchIsReportedWithPositionAndTable() throws {
    let s = schema("CREATE TABLE t (a INT, b INT)")
    let map = try makeTableMap("shop", "t", [.long(), .long(), .long()])
    let r = Reconciliation.make(map: map, schema: s, position: pos, flavor: .mysql)
    XCTAssertEqual(r.status, .mismatch)
    XCTAssertNil(r.columns)
    let m = try XCTUnwrap(r.mismatch)
    XCTAssertEqual(m.table, TableName("shop", "t"))
    XCTAssertEqual(m.binlogColumns, 3)
    XCTAssertEqual(m.schemaColumns, 2)
    XCTAssertTrue(m.description.hasPrefix("binlog.000002:5000: `shop`.`t`:"), m.description)
    XCTAssertTrue(m.description.contains("binlog has 3 columns, schema has 2"), m.description)
    XCTAssertTrue(m.description.contains("@N names until the next DDL"), m.description)
  }

  func testTypeMismatchesNameTheColumn() throws {
    let s = schema("CREATE TABLE t (a INT, b VARCHAR(20), c DECIMAL(10,2), d DATETIME(3), e TEXT) DEFAULT CHARSET=latin1")
    func diffs(_ cols: [MapColumn]) throws -> [String] {
      let r = Reconciliation.make(map: try makeTableMap("shop", "t", cols), schema: s, position: pos, flavor: .mysql)
      return r.mismatch?.differences ?? []
    }
    XCTAssertEqual(try diffs([.long(), .varchar(20), .decimal(10, 2), .datetime2(3), .blob(2)]), [])
    let d1 = try diffs([.longlong(), .varchar(20), .decimal(10, 2), .datetime2(3), .blob(2)])
    XCTAssertEqual(d1, ["column 1 `a` int(11): binlog type LONGLONG"])
    let d2 = try diffs([.long(), .varchar(64), .decimal(12, 2), .datetime2(0), .blob(3)])
    XCTAssertEqual(d2.count, 4)
    XCTAssertTrue(d2[0].contains("`b`") && d2[0].contains("64 bytes"), d2[0])
    XCTAssertTrue(d2[1].contains("DECIMAL(12,2)"), d2[1])
    XCTAssertTrue(d2[2].contains("datetime(0)"), d2[2])
    XCTAssertTrue(d2[3].contains("1 more"), d2[3])
  }

  func testTemporalOldFormatsAndCharsetFreeLengthsAreAccepted() throws {
    // No charset known anywhere: any 1–4 bytes per character.
    let s = schema("CREATE TABLE t (v VARCHAR(10), c CHAR(5), t DATETIME, ts TIMESTAMP)")
    let map = try makeTableMap("shop", "t", [.varchar(30), .char(15), MapColumn(type: .datetime), MapColumn(type: .timestamp)])
    let r = Reconciliation.make(map: map, schema: s, position: pos, flavor: .mysql)
    XCTAssertEqual(r.status, .matched, "\(r.mismatch?.description ?? "")")
    XCTAssertNil(r.columns?[0].collation, "a charset guess is never filled in")
  }

  func testMySQLInvisiblePrimaryKeyIsAddedWhenTheMapHasIt() throws {
    let s = schema("CREATE TABLE t (a INT, b VARCHAR(5)) DEFAULT CHARSET=latin1")
    let map = try makeTableMap("shop", "t", [.longlong(), .long(), .varchar(5)])
    let r = Reconciliation.make(map: map, schema: s, position: pos, flavor: .mysql)
    XCTAssertEqual(r.status, .matched)
    XCTAssertEqual(r.columns?.map(\.name), ["my_row_id", "a", "b"])
    XCTAssertEqual(r.primaryKeyOrder, [0])
    XCTAssertEqual(r.columns?[0].visible, false)
  }

  func testUncertainTablesStayPositionalUnlessTrusted() throws {
    var t = timeline(["CREATE TABLE t (a INT)"], db: "shop")
    t.apply(
      sql: Array("ALTER TABLE t ADD COLUMN b GIZMO".utf8), database: "shop",
      at: BinlogPosition(file: "binlog.000001", offset: 900))
    let s = t.table(TableName("shop", "t"))!
    let map = try makeTableMap("shop", "t", [.long()])
    let r = Reconciliation.make(map: map, schema: s, position: pos, flavor: .mysql)
    guard case .uncertain(let why) = r.status else { return XCTFail("\(r.status)") }
    XCTAssertTrue(why.contains("GIZMO"))
    XCTAssertNil(r.columns)
    let trusted = Reconciliation.make(map: map, schema: s, position: pos, flavor: .mysql, trustUncertain: true)
    XCTAssertEqual(trusted.status, .matched)
  }

  func testUnknownTable() throws {
    let r = SchemaTimeline().reconcile(try makeTableMap("x", "y", [.long()]), at: pos)
    XCTAssertEqual(r.status, .unknownTable)
  }

  func testMariaDBJSONIsLongtext() throws {
    let s = schema("CREATE TABLE j (id INT, doc JSON)", flavor: .mariadb)
    let r = Reconciliation.make(
      map: try makeTableMap("shop", "j", [.long(), .blob(4)]), schema: s, position: pos, flavor: .mariadb)
    XCTAssertEqual(r.status, .matched)
    XCTAssertEqual(r.columns?[1].collation, 46, "utf8mb4_bin")
    let my = schema("CREATE TABLE j (id INT, doc JSON)")
    XCTAssertEqual(
      Reconciliation.make(map: try makeTableMap("shop", "j", [.long(), .json()]), schema: my, position: pos, flavor: .mysql)
        .status, .matched)
  }

  func testTypeMappingTable() {
    func expected(_ sql: String, _ flavor: FormatDescription.Flavor = .mysql) -> [ColumnType] {
      schema("CREATE TABLE m (\(sql))", flavor: flavor).columns.map { BinlogTypeMapping.expectedType($0, flavor: flavor) }
    }
    XCTAssertEqual(
      expected("a TINYINT, b SMALLINT, c MEDIUMINT, d INT, e BIGINT, f FLOAT, g DOUBLE, h DECIMAL(5,2), i BIT(3), j YEAR"),
      [.tiny, .short, .int24, .long, .longlong, .float, .double, .newdecimal, .bit, .year])
    XCTAssertEqual(
      expected(
        "a DATE, b TIME, c DATETIME(3), d TIMESTAMP, e CHAR(2), f VARCHAR(3), g BINARY(4), h VARBINARY(5), i TEXT, j BLOB"),
      [.date, .time2, .datetime2, .timestamp2, .string, .varchar, .string, .varchar, .blob, .blob])
    XCTAssertEqual(
      expected("a ENUM('x'), b SET('y'), c JSON, d GEOMETRY, e POINT"), [.enumType, .setType, .json, .geometry, .geometry])
    XCTAssertEqual(expected("c JSON, d INET6", .mariadb), [.blob, .string])
    XCTAssertEqual(BinlogTypeMapping.setPackLength(64), 8)
    XCTAssertEqual(BinlogTypeMapping.setPackLength(9), 2)
    XCTAssertEqual(BinlogTypeMapping.setPackLength(33), 8)
  }

  // MARK: Tracker

  func testTrackerReportsAMismatchOnceAndRecoversAtTheNextDDL() throws {
    let tracker = SchemaTracker()
    var seen: [SchemaMismatch] = []
    tracker.onMismatch = { seen.append($0) }
    let f = "binlog.000001"
    tracker.applyStatement(Array("CREATE TABLE t (a INT, b INT)".utf8), database: "d", at: BinlogPosition(file: f, offset: 100))
    let three = try makeTableMap("d", "t", [.long(), .long(), .long()], tableID: 7)
    for k in 0..<3 {
      let m = tracker.enrich(three, at: BinlogPosition(file: f, offset: UInt64(200 + k)))
      XCTAssertFalse(m.hasColumnNames)
    }
    XCTAssertEqual(seen.count, 1)
    XCTAssertEqual(seen[0].position, BinlogPosition(file: f, offset: 200))
    XCTAssertEqual(tracker.positionalMaps, 3)
    tracker.applyStatement(Array("ALTER TABLE t ADD c INT".utf8), database: "d", at: BinlogPosition(file: f, offset: 300))
    let m = tracker.enrich(three, at: BinlogPosition(file: f, offset: 400))
    XCTAssertEqual(m.columns.map(\.name), ["a", "b", "c"])
    XCTAssertEqual(tracker.enrichedMaps, 1)
    XCTAssertEqual(tracker.mismatches.count, 1)
  }

  func testTrackerLeavesFullMetadataAlone() throws {
    let tracker = SchemaTracker()
    tracker.applyStatement(Array("CREATE TABLE t (a INT)".utf8), database: "d", at: BinlogPosition(file: "f", offset: 1))
    var map = try makeTableMap("d", "t", [.long()])
    map.columns[0].name = "from_binlog"
    XCTAssertEqual(tracker.enrich(map, at: BinlogPosition(file: "f", offset: 9)).columns[0].name, "from_binlog")
  }
}
