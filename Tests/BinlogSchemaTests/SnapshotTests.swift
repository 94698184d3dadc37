import BinlogFormat
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogSchema

final class SnapshotTests: XCTestCase {
  func load(_ text: String, database: String = "", flavor: FormatDescription.Flavor = .mysql) throws -> (
    SchemaTimeline, SchemaSnapshot.Report
  ) {
    var t = SchemaTimeline(flavor: flavor, style: flavor == .mariadb ? .mariadb : .mysql57)
    let r = try SchemaSnapshot.load(text: Array(text.utf8), name: "snap", database: database, into: &t)
    return (t, r)
  }

  func testMysqldumpNoData() throws {
    let dump = """
      -- MySQL dump 10.13  Distrib 5.7.44, for Linux (x86_64)
      --
      -- Host: localhost    Database: shop
      -- ------------------------------------------------------
      /*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
      /*!40101 SET NAMES utf8 */;
      /*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;

      CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET latin1 */;

      USE `shop`;

      --
      -- Table structure for table `orders`
      --

      DROP TABLE IF EXISTS `orders`;
      /*!40101 SET @saved_cs_client     = @@character_set_client */;
      /*!40101 SET character_set_client = utf8 */;
      CREATE TABLE `orders` (
        `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
        `status` enum('new','paid;shipped','x') NOT NULL DEFAULT 'new',
        `note` text COMMENT 'semi; colon',
        PRIMARY KEY (`id`)
      ) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4;
      /*!40101 SET character_set_client = @saved_cs_client */;

      --
      -- Temporary table structure for view `v`
      --

      DROP TABLE IF EXISTS `v`;
      /*!50001 DROP VIEW IF EXISTS `v`*/;
      /*!50001 CREATE TABLE `v` (
        `id` tinyint NOT NULL
      ) ENGINE=MyISAM */;

      DELIMITER ;;
      /*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER orders_ai AFTER INSERT ON orders FOR EACH ROW BEGIN
        INSERT INTO audit VALUES (NEW.id);
        UPDATE x SET y = 1;
      END */;;
      DELIMITER ;

      USE `shop`;
      /*!50001 DROP TABLE IF EXISTS `v`*/;
      /*!50001 CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `v` AS select 1 AS `id` */;

      CREATE TABLE `latin` (`a` varchar(5) DEFAULT NULL) ENGINE=InnoDB;
      """
    let (t, r) = try load(dump)
    XCTAssertEqual(r.issues, [])
    let orders = try XCTUnwrap(t.table(TableName("shop", "orders")))
    XCTAssertEqual(orders.columns.map(\.name), ["id", "status", "note"])
    XCTAssertEqual(orders.columns[1].values, ["new", "paid;shipped", "x"])
    XCTAssertEqual(orders.columns[2].comment, "semi; colon")
    XCTAssertEqual(orders.primaryKeyNames, ["id"])
    XCTAssertNil(t.table(TableName("shop", "v")), "the view's stand-in table is dropped again")
    XCTAssertEqual(t.table(TableName("shop", "latin"))?.columns[0].charset, "latin1", "database default from the dump")
    XCTAssertEqual(t.tables(at: BinlogPosition(file: "binlog.000001", offset: 4)).map(\.name), ["latin", "orders"])
  }

  func testShowCreateTableVerticalAndBatchOutput() throws {
    let vertical = """
      *************************** 1. row ***************************
             Table: users
      Create Table: CREATE TABLE `users` (
        `id` int(11) NOT NULL,
        `name` varchar(100) DEFAULT NULL,
        PRIMARY KEY (`id`)
      ) ENGINE=InnoDB DEFAULT CHARSET=latin1
      1 row in set (0.00 sec)

      """
    let (t, _) = try load(vertical, database: "testdb")
    XCTAssertEqual(t.table(TableName("testdb", "users"))?.columns.map(\.name), ["id", "name"])
    let batch =
      "Table\tCreate Table\nt1\tCREATE TABLE `t1` (\\n  `a` int(11) DEFAULT NULL,\\n  `b` char(2) DEFAULT 'x\\\\y'\\n) ENGINE=InnoDB\n"
    let (b, _) = try load(batch, database: "d")
    XCTAssertEqual(b.table(TableName("d", "t1"))?.columns.map(\.name), ["a", "b"])
    XCTAssertEqual(b.table(TableName("d", "t1"))?.columns[1].defaultValue, #"'x\y'"#)
  }

  static let columnsHeader =
    "TABLE_CATALOG,TABLE_SCHEMA,TABLE_NAME,COLUMN_NAME,ORDINAL_POSITION,COLUMN_DEFAULT,IS_NULLABLE,DATA_TYPE,CHARACTER_MAXIMUM_LENGTH,CHARACTER_SET_NAME,COLLATION_NAME,COLUMN_TYPE,COLUMN_KEY,EXTRA"

  func testInformationSchemaCSV() throws {
    let csv =
      Self.columnsHeader + "\n" + """
        def,shop,orders,status,2,new,NO,enum,4,utf8mb4,utf8mb4_general_ci,"enum('new','paid,ok')",,
        def,shop,orders,id,1,,NO,bigint,,,,bigint(20) unsigned,PRI,auto_increment
        def,shop,orders,note,3,\\N,YES,varchar,20,latin1,latin1_swedish_ci,varchar(20),,
        def,shop,orders,g,4,\\N,YES,int,,,,int(11),,VIRTUAL GENERATED
        def,shop,items,order_id,1,,NO,bigint,,,,bigint(20) unsigned,PRI,
        def,shop,items,line,2,,NO,smallint,,,,smallint(5) unsigned,PRI,

        """
    let (t, r) = try load(csv)
    XCTAssertEqual(r.issues, [])
    XCTAssertEqual(r.tables, 2)
    let o = try XCTUnwrap(t.table(TableName("shop", "orders")))
    XCTAssertEqual(o.columns.map(\.name), ["id", "status", "note", "g"], "ordered by ORDINAL_POSITION")
    XCTAssertEqual(o.columns[1].values, ["new", "paid,ok"])
    XCTAssertEqual(o.columns[2].charset, "latin1")
    XCTAssertEqual(o.columns[2].length, 20)
    XCTAssertTrue(o.columns[0].unsigned)
    XCTAssertTrue(o.columns[0].autoIncrement)
    XCTAssertEqual(o.columns[3].generated?.stored, false)
    XCTAssertEqual(o.primaryKeyNames, ["id"])
    XCTAssertEqual(t.table(TableName("shop", "items"))?.primaryKeyNames, ["order_id", "line"])
  }

  func testInformationSchemaTSVFromMysqlBatch() throws {
    let tsv =
      "TABLE_SCHEMA\tTABLE_NAME\tCOLUMN_NAME\tORDINAL_POSITION\tCOLUMN_DEFAULT\tIS_NULLABLE\tCOLUMN_TYPE\tCOLUMN_KEY\n"
      + "d\tt\tid\t1\tNULL\tNO\tint unsigned\tPRI\n"
      + "d\tt\tv\t2\tNULL\tYES\tvarchar(10)\t\n"
    let (t, r) = try load(tsv)
    XCTAssertEqual(r.issues, [])
    let s = try XCTUnwrap(t.table(TableName("d", "t")))
    XCTAssertEqual(s.columns.map(\.name), ["id", "v"])
    XCTAssertNil(s.columns[0].defaultValue)
    XCTAssertEqual(s.style, .mysql80, "int without a display width: MySQL 8.0.19+")
  }

  func testInformationSchemaJSON() throws {
    let json = """
      [{"TABLE_SCHEMA":"d","TABLE_NAME":"t","COLUMN_NAME":"id","ORDINAL_POSITION":1,"IS_NULLABLE":"NO","COLUMN_TYPE":"int(11)","COLUMN_KEY":"PRI","EXTRA":""},
       {"table_schema":"d","table_name":"t","column_name":"e","ordinal_position":2,"is_nullable":"YES","column_type":"set('a','b\\u00e9')","character_set_name":"utf8mb4","column_key":"","extra":"INVISIBLE"}]
      """
    let (t, r) = try load(json)
    XCTAssertEqual(r.issues, [])
    let s = try XCTUnwrap(t.table(TableName("d", "t")))
    XCTAssertEqual(s.columns.map(\.name), ["id", "e"])
    XCTAssertEqual(s.columns[1].values, ["a", "bé"])
    XCTAssertTrue(s.columns[1].invisible)
    let wrapped = #"{"COLUMNS": [{"TABLE_SCHEMA":"d","TABLE_NAME":"u","COLUMN_NAME":"x","COLUMN_TYPE":"date"}]}"#
    let (w, _) = try load(wrapped)
    XCTAssertEqual(w.table(TableName("d", "u"))?.columns.map(\.dataType), [.date])
    let ndjson =
      #"{"TABLE_SCHEMA":"d","TABLE_NAME":"n","COLUMN_NAME":"x","DATA_TYPE":"varchar","CHARACTER_MAXIMUM_LENGTH":"7"}"# + "\n"
      + #"{"TABLE_SCHEMA":"d","TABLE_NAME":"n","COLUMN_NAME":"y","DATA_TYPE":"decimal","NUMERIC_PRECISION":"9","NUMERIC_SCALE":"3"}"#
    let (n, _) = try load(ndjson)
    XCTAssertEqual(n.table(TableName("d", "n"))?.columns.map { $0.columnType(.mysql57) }, ["varchar(7)", "decimal(9,3)"])
  }

  func testBadJSONIsAnError() {
    var t = SchemaTimeline()
    XCTAssertThrowsError(try SchemaSnapshot.load(text: Array("[{".utf8), name: "x.json", into: &t))
  }

  func testLoadDirectoryAndMydumperNames() throws {
    let dir = NSTemporaryDirectory() + "sluice-schema-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "CREATE TABLE `a` (`x` int)".write(toFile: dir + "/shop.a-schema.sql", atomically: true, encoding: .utf8)
    try "CREATE TABLE other.b (y int);".write(toFile: dir + "/b.sql", atomically: true, encoding: .utf8)
    var t = SchemaTimeline()
    let r = try SchemaSnapshot.load(path: dir, into: &t)
    XCTAssertEqual(r.files.count, 2)
    XCTAssertNotNil(t.table(TableName("shop", "a")))
    XCTAssertNotNil(t.table(TableName("other", "b")))
    XCTAssertThrowsError(try SchemaSnapshot.load(path: dir + "/missing", into: &t))
  }

  /// A schema printed by `TypeText.script` loads back as the same tables, and a walk that starts
  /// from it in the middle of an archive names every row like the FULL-metadata set does.
  func testScriptRoundTripSeedsAWalkThatStartsMidArchive() throws {
    let minimal = try TestPaths.requireFixtureSet("mariadb-10.11-minimal")
    let full = try TestPaths.requireFixtureSet("mariadb-10.11")
    let first = SchemaTracker()
    _ = try walkEnriched(Array(minimal.prefix(2)), tracker: first)
    let end = BinlogPosition(file: "binlog.000003", offset: 0)
    let tables = first.timeline.tables(at: end)
    let script = TypeText.script(tables, databases: first.timeline.catalog.databases)

    var seeded = SchemaTimeline(flavor: .mariadb, style: .mariadb)
    let r = try SchemaSnapshot.load(text: Array(script.utf8), name: "script", into: &seeded)
    XCTAssertEqual(r.issues, [])
    XCTAssertEqual(seeded.catalog.tables.count, tables.count)
    for t in tables {
      let back = try XCTUnwrap(seeded.table(TableName(t.database, t.name)), "\(t.database).\(t.name)")
      XCTAssertEqual(back.columns.map(\.name), t.columns.map(\.name), t.name)
      XCTAssertEqual(back.columns.map { $0.columnType(.mariadb) }, t.columns.map { $0.columnType(.mariadb) }, t.name)
      XCTAssertEqual(back.columns.map(\.charset), t.columns.map(\.charset), t.name)
      XCTAssertEqual(back.columns.map(\.invisible), t.columns.map(\.invisible), t.name)
      XCTAssertEqual(back.primaryKeyNames, t.primaryKeyNames, t.name)
    }

    let tracker = SchemaTracker(timeline: seeded)
    let mins = try walkEnriched([minimal[2]], tracker: tracker)
    let fulls = try walkEnriched([full[2]])
    XCTAssertFalse(mins.isEmpty)
    var used: [String: Int] = [:]
    for m in mins {
      let n = used[m.key, default: 0]
      used[m.key] = n + 1
      let same = fulls.filter { $0.key == m.key }
      guard n < same.count else { return XCTFail("\(m.key): no FULL counterpart") }
      let f = same[n]
      XCTAssertEqual(m.names, f.names, "\(m.offset) \(m.key)")
      XCTAssertEqual(m.pk, f.pk, "\(m.offset) \(m.key)")
    }
    XCTAssertEqual(tracker.positionalMaps, 0)
  }
}
