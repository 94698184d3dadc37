import BinlogFormat
import XCTest

@testable import BinlogSchema

final class DDLParserTests: XCTestCase {
  // MARK: Databases

  func testCreateDatabaseWithCharsetAndCollation() {
    XCTAssertEqual(
      parse("CREATE DATABASE sluice_types CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"),
      .createDatabase(
        name: "sluice_types", ifNotExists: false, orReplace: false, charset: "utf8mb4", collation: "utf8mb4_general_ci"))
  }

  func testCreateSchemaIfNotExistsInVersionedComments() {
    // mysqldump's form.
    XCTAssertEqual(
      parse("CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET latin1 */"),
      .createDatabase(name: "shop", ifNotExists: true, orReplace: false, charset: "latin1", collation: nil))
    XCTAssertEqual(
      parse(
        "/* ApplicationName=DBeaver */ CREATE SCHEMA `maxwell` DEFAULT CHARACTER SET utf8mb4 DEFAULT COLLATE utf8mb4_unicode_ci"),
      .createDatabase(name: "maxwell", ifNotExists: false, orReplace: false, charset: "utf8mb4", collation: "utf8mb4_unicode_ci"))
  }

  func testMariaDBCreateOrReplaceDatabase() {
    XCTAssertEqual(
      parse("CREATE OR REPLACE DATABASE d", flavor: .mariadb),
      .createDatabase(name: "d", ifNotExists: false, orReplace: true, charset: nil, collation: nil))
  }

  func testDropAndAlterDatabase() {
    XCTAssertEqual(parse("DROP DATABASE IF EXISTS `sluice_tmp`"), .dropDatabase(name: "sluice_tmp", ifExists: true))
    XCTAssertEqual(parse("drop schema x"), .dropDatabase(name: "x", ifExists: false))
    XCTAssertEqual(
      parse("ALTER DATABASE d CHARACTER SET = utf8mb4"), .alterDatabase(name: "d", charset: "utf8mb4", collation: nil))
    XCTAssertEqual(
      parse("ALTER SCHEMA DEFAULT COLLATE latin1_bin", db: "cur"),
      .alterDatabase(name: "cur", charset: nil, collation: "latin1_bin"))
    // Option values are skipped as CREATE DATABASE skips them (MySQL 8's READ ONLY, a COMMENT).
    XCTAssertEqual(
      parse("ALTER DATABASE d COMMENT = 'charset big5' READ ONLY = 0 DEFAULT CHARSET=sjis COLLATE = sjis_bin"),
      .alterDatabase(name: "d", charset: "sjis", collation: "sjis_bin"))
  }

  // MARK: CREATE TABLE columns and types

  func testCreateTableFullTypeSyntax() throws {
    let c = try XCTUnwrap(
      createTable(
        """
        CREATE TABLE `exception` (
          `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT COMMENT '主键',
          `task_name` varchar(64) NOT NULL COMMENT '任务名称',
          iz INT(8) UNSIGNED ZEROFILL,
          d DECIMAL(10, 4) NOT NULL DEFAULT '0.0000',
          f FLOAT(7,3), r REAL, dp DOUBLE PRECISION, f30 FLOAT(30),
          name CHAR(20) CHARACTER SET latin1 COLLATE latin1_bin DEFAULT 'x',
          b BOOL, n NUMERIC(5), bits BIT(17),
          t TIME(3), dt DATETIME(6), ts TIMESTAMP NULL DEFAULT NULL, y YEAR(4),
          e ENUM('a','b''s','c\\\\d') NOT NULL DEFAULT 'a',
          s SET("x","y"),
          lt LONGTEXT, mb MEDIUMBLOB, lv LONG VARCHAR, lvb LONG VARBINARY,
          nc NATIONAL CHAR(3), nv NVARCHAR(4), cv CHARACTER VARYING(5),
          j JSON, g GEOMETRY SRID 4326, p POINT NOT NULL,
          PRIMARY KEY (`id`),
          KEY `idx_task` (`task_name`(10), d DESC)
        ) ENGINE=InnoDB AUTO_INCREMENT=674122 DEFAULT CHARSET=utf8 COMMENT='异常'
        """))
    XCTAssertEqual(c.table, TableName("test", "exception"))
    XCTAssertEqual(
      c.columns.map(\.name),
      [
        "id", "task_name", "iz", "d", "f", "r", "dp", "f30", "name", "b", "n", "bits", "t", "dt", "ts", "y", "e", "s",
        "lt", "mb", "lv", "lvb", "nc", "nv", "cv", "j", "g", "p",
      ])
    func col(_ n: String) -> ColumnDefinition { c.columns.first { $0.name == n }! }
    XCTAssertEqual(col("id").dataType, .bigint)
    XCTAssertTrue(col("id").unsigned)
    XCTAssertTrue(col("id").autoIncrement)
    XCTAssertFalse(col("id").nullable)
    XCTAssertEqual(col("id").comment, "主键")
    XCTAssertEqual(col("iz").columnType(.mysql57), "int(8) unsigned zerofill")
    XCTAssertEqual(col("iz").columnType(.mysql80), "int(8) unsigned zerofill")
    XCTAssertEqual(col("id").columnType(.mysql57), "bigint(20) unsigned")
    XCTAssertEqual(col("id").columnType(.mysql80), "bigint unsigned")
    XCTAssertEqual(col("d").precision, 10)
    XCTAssertEqual(col("d").scale, 4)
    XCTAssertEqual(col("d").defaultValue, "'0.0000'")
    XCTAssertEqual(col("f").columnType(.mysql57), "float(7,3)")
    XCTAssertEqual(col("r").dataType, .double)
    XCTAssertEqual(col("dp").dataType, .double)
    XCTAssertEqual(col("f30").dataType, .double)
    XCTAssertEqual(col("name").charset, "latin1")
    XCTAssertEqual(col("name").collation, "latin1_bin")
    XCTAssertEqual(col("b").columnType(.mysql80), "tinyint(1)")
    XCTAssertEqual(col("n").columnType(.mysql57), "decimal(5,0)")
    XCTAssertEqual(col("bits").length, 17)
    XCTAssertEqual(col("t").fsp, 3)
    XCTAssertEqual(col("dt").columnType(.mysql57), "datetime(6)")
    XCTAssertEqual(col("ts").defaultValue, "NULL")
    XCTAssertEqual(col("y").columnType(.mysql80), "year")
    XCTAssertEqual(col("e").values, ["a", "b's", "c\\d"])
    XCTAssertEqual(col("e").columnType(.mysql57), "enum('a','b''s','c\\\\d')")
    XCTAssertEqual(col("s").values, ["x", "y"])
    XCTAssertEqual(col("lv").dataType, .mediumtext)
    XCTAssertEqual(col("lvb").dataType, .mediumblob)
    XCTAssertEqual(col("nc").charset, "utf8mb3")
    XCTAssertEqual(col("nv").dataType, .varchar)
    XCTAssertEqual(col("cv").dataType, .varchar)
    XCTAssertEqual(col("j").dataType, .json)
    XCTAssertEqual(col("g").srid, 4326)
    XCTAssertEqual(c.indexes.count, 2)
    XCTAssertEqual(c.indexes[0].kind, .primary)
    XCTAssertEqual(c.indexes[1].name, "idx_task")
    XCTAssertEqual(c.indexes[1].parts, [.init(column: "task_name", prefixLength: 10), .init(column: "d", descending: true)])
    XCTAssertEqual(c.options.charset, "utf8")
    XCTAssertEqual(c.options.engine, "InnoDB")
    XCTAssertEqual(c.options.comment, "异常")
  }

  func testGeneratedInvisibleAndInlineKeys() throws {
    let c = try XCTUnwrap(
      createTable(
        """
        CREATE TABLE generated_cols (
          id INT NOT NULL PRIMARY KEY,
          a INT,
          a2 INT AS (a * 2) VIRTUAL,
          a3 INT AS (a + 3) PERSISTENT,
          a4 INT GENERATED ALWAYS AS ((a + 4)) STORED NOT NULL,
          code CHAR(3) UNIQUE KEY,
          inv INT INVISIBLE DEFAULT 7,
          ts TIMESTAMP(3) NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
          u VARCHAR(10) DEFAULT (uuid()) CHECK (u <> ''),
          ref INT REFERENCES other (id) ON DELETE CASCADE
        ) ENGINE=InnoDB
        """, flavor: .mariadb))
    func col(_ n: String) -> ColumnDefinition { c.columns.first { $0.name == n }! }
    XCTAssertEqual(col("a2").generated, .init(expression: "a * 2", stored: false))
    XCTAssertEqual(col("a3").generated, .init(expression: "a + 3", stored: true))
    XCTAssertEqual(col("a4").generated, .init(expression: "(a + 4)", stored: true))
    XCTAssertFalse(col("a4").nullable)
    XCTAssertTrue(col("inv").invisible)
    XCTAssertEqual(col("inv").defaultValue, "7")
    XCTAssertEqual(col("ts").defaultValue, "CURRENT_TIMESTAMP(3)")
    XCTAssertEqual(col("ts").onUpdate, "CURRENT_TIMESTAMP(3)")
    XCTAssertEqual(col("u").defaultValue, "(uuid())")
    XCTAssertEqual(c.indexes.map(\.kind), [.primary, .unique])
    XCTAssertEqual(c.indexes[1].columnNames, ["code"])
  }

  func testTableConstraints() throws {
    let c = try XCTUnwrap(
      createTable(
        """
        CREATE TABLE t (
          a INT NOT NULL, b INT, c TEXT, g GEOMETRY NOT NULL,
          CONSTRAINT pk PRIMARY KEY USING BTREE (b, a),
          CONSTRAINT uq UNIQUE (a),
          UNIQUE INDEX u2 (b) COMMENT 'x' INVISIBLE,
          INDEX (a) KEY_BLOCK_SIZE = 8,
          FULLTEXT KEY ft (c) WITH PARSER ngram,
          SPATIAL INDEX sp (g),
          CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id) ON UPDATE SET NULL ON DELETE NO ACTION,
          CONSTRAINT chk CHECK (a > 0) NOT ENFORCED,
          CHECK (b < 10)
        )
        """))
    XCTAssertEqual(c.columns.count, 4)
    XCTAssertEqual(c.indexes.map(\.kind), [.primary, .unique, .unique, .index, .fulltext, .spatial, .foreignKey])
    XCTAssertEqual(c.indexes[0].columnNames, ["b", "a"])
    XCTAssertEqual(c.indexes[1].name, "uq")
    XCTAssertEqual(c.indexes[6].name, "fk")
  }

  func testOldPrimaryKeyWithAName() throws {
    let c = try XCTUnwrap(
      createTable(
        "CREATE TABLE IF NOT EXISTS time_zone_name (Name char(64) NOT NULL, Time_zone_id int unsigned NOT NULL, PRIMARY KEY Name (Name)) engine=MyISAM CHARACTER SET utf8"
      ))
    XCTAssertEqual(c.indexes.first?.kind, .primary)
    XCTAssertEqual(c.indexes.first?.columnNames, ["Name"])
    let d = try XCTUnwrap(createTable("CREATE TABLE db (Host char(60) binary DEFAULT '' NOT NULL, PRIMARY KEY Host (Host))"))
    XCTAssertEqual(d.columns[0].collation, "_bin", "binary collation of the charset, resolved when the table is created")
  }

  func testQuotingAndQualifiedNames() throws {
    let c = try XCTUnwrap(
      createTable(
        "CREATE TABLE IF NOT EXISTS `my db`.`odd ``name`` ✓` (`the id` INT PRIMARY KEY, `weird-col ü` VARCHAR(10), `select` INT)")
    )
    XCTAssertEqual(c.table, TableName("my db", "odd `name` ✓"))
    XCTAssertTrue(c.ifNotExists)
    XCTAssertEqual(c.columns.map(\.name), ["the id", "weird-col ü", "select"])
    // ANSI_QUOTES: double quotes name identifiers.
    let a = try XCTUnwrap(createTable(#"CREATE TABLE "s"."t" ("a" INT, "b b" CHAR(2) DEFAULT "x")"#))
    XCTAssertEqual(a.table, TableName("s", "t"))
    XCTAssertEqual(a.columns.map(\.name), ["a", "b b"])
    // Unquoted identifiers may start with digits.
    let d = try XCTUnwrap(createTable("CREATE TABLE 1t (2col INT, c3 INT)"))
    XCTAssertEqual(d.table.name, "1t")
    XCTAssertEqual(d.columns.map(\.name), ["2col", "c3"])
  }

  func testCommentsEverywhere() throws {
    let c = try XCTUnwrap(
      createTable(
        """
        /* ApplicationName=DBeaver 22.1.3 - SQLEditor <Script-3.sql> */ -- maxwell_local.bootstrap definition
        CREATE TABLE `bootstrap` ( # a hash comment
          `id` bigint NOT NULL /* inline */ AUTO_INCREMENT, -- trailing
          `v` varchar(255) CHARACTER SET utf8mb3 COLLATE utf8_general_ci NOT NULL,
          PRIMARY KEY (`id`)
        ) ENGINE=InnoDB /*!50100 PARTITION BY HASH (id) */
        """))
    XCTAssertEqual(c.columns.map(\.name), ["id", "v"])
    XCTAssertEqual(c.columns[1].collation, "utf8_general_ci")
    XCTAssertNil(c.selectClause)
  }

  func testVersionedCommentsAreIncludedUpToTheServerVersion() {
    let sql = "CREATE TABLE t (a INT /*!80023 INVISIBLE */, b INT /*M!100301 INVISIBLE */)"
    guard case .createTable(let all) = parse(sql) else { return XCTFail() }
    XCTAssertEqual(all.columns.map(\.invisible), [true, true])
    let old = DDLParser.parse(sql, context: .init(database: "d", flavor: .mysql, serverVersion: 50730))
    guard case .createTable(let c57) = old else { return XCTFail() }
    XCTAssertEqual(c57.columns.map(\.invisible), [false, false])
  }

  func testCreateTableLike() {
    XCTAssertEqual(
      parse("CREATE TABLE churn_copy LIKE churned", db: "m"),
      .createTableLike(
        table: TableName("m", "churn_copy"), source: TableName("m", "churned"), ifNotExists: false, orReplace: false))
    XCTAssertEqual(
      parse("CREATE TABLE IF NOT EXISTS a.b (LIKE c.d)"),
      .createTableLike(table: TableName("a", "b"), source: TableName("c", "d"), ifNotExists: true, orReplace: false))
  }

  func testCreateTableAsSelectIsMarked() throws {
    let c = try XCTUnwrap(createTable("CREATE TABLE churn_sel AS SELECT id, v, id * 10 AS tenfold FROM churned WHERE id > 1"))
    XCTAssertTrue(c.columns.isEmpty)
    XCTAssertNotNil(c.selectClause)
    let d = try XCTUnwrap(createTable("CREATE TABLE t2 (extra INT) ENGINE=InnoDB SELECT a FROM t1"))
    XCTAssertEqual(d.columns.map(\.name), ["extra"])
    XCTAssertNotNil(d.selectClause)
    let e = try XCTUnwrap(createTable("CREATE TABLE t3 (SELECT * FROM t1)"))
    XCTAssertNotNil(e.selectClause)
    // MySQL 8.0.21+ logs CREATE ... SELECT in ROW format with the resulting columns.
    let f = try XCTUnwrap(createTable("CREATE TABLE `t4` (\n  `a` int DEFAULT NULL\n) START TRANSACTION"))
    XCTAssertNil(f.selectClause)
    XCTAssertEqual(f.columns.map(\.name), ["a"])
  }

  func testMariaDBCreateOrReplaceAndSystemVersioning() throws {
    let c = try XCTUnwrap(createTable("CREATE OR REPLACE TABLE t (a INT) WITH SYSTEM VERSIONING", flavor: .mariadb))
    XCTAssertTrue(c.orReplace)
    XCTAssertTrue(c.systemVersioned)
    let j = try XCTUnwrap(createTable("CREATE TABLE j (doc JSON)", flavor: .mariadb))
    XCTAssertEqual(j.columns[0].dataType, .longtext)
    XCTAssertTrue(j.columns[0].isMariaJSON)
    let n = try XCTUnwrap(createTable("CREATE TABLE n (i6 INET6, i4 INET4, u UUID)", flavor: .mariadb))
    XCTAssertEqual(n.columns.map(\.dataType), [.inet6, .inet4, .uuid])
  }

  func testTemporaryTablesAndOtherStatementsAreNotSchemaChanges() {
    XCTAssertEqual(parse("CREATE TEMPORARY TABLE tmp_src (id INT, v VARCHAR(10))"), .other)
    XCTAssertEqual(parse("DROP TEMPORARY TABLE IF EXISTS tmp_src"), .other)
    XCTAssertEqual(parse("INSERT INTO t VALUES (1)"), .other)
    XCTAssertEqual(parse("CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW v AS SELECT 1"), .other)
    XCTAssertEqual(parse("CREATE VIEW v AS SELECT 1"), .other)
    XCTAssertEqual(parse("CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW INSERT INTO l VALUES (1)"), .other)
    XCTAssertEqual(parse("GRANT SELECT ON *.* TO 'canal'@'%'"), .other)
    XCTAssertEqual(parse("CREATE USER 'x'@'%' IDENTIFIED BY 'y'"), .other)
    XCTAssertEqual(parse("RENAME USER a TO b"), .other)
    XCTAssertEqual(parse("DROP VIEW v"), .other)
  }

  func testCreateSequence() {
    XCTAssertEqual(
      parse("CREATE SEQUENCE seq_ids START WITH 100 INCREMENT BY 5 CACHE 3", db: "m", flavor: .mariadb),
      .createSequence(table: TableName("m", "seq_ids"), ifNotExists: false, orReplace: false))
  }

  // MARK: Index statements

  func testCreateAndDropIndex() {
    XCTAssertEqual(
      parse("CREATE INDEX idx_sel ON `odd name ✓` (`select`)", db: "m"),
      .createIndex(
        table: TableName("m", "odd name ✓"),
        index: IndexDefinition(kind: .index, name: "idx_sel", parts: [.init(column: "select")]),
        ifNotExists: false, orReplace: false))
    XCTAssertEqual(
      parse("CREATE UNIQUE INDEX IF NOT EXISTS u USING HASH ON t (a, b(4)) ALGORITHM=INPLACE LOCK=NONE", flavor: .mariadb),
      .createIndex(
        table: TableName("test", "t"),
        index: IndexDefinition(kind: .unique, name: "u", parts: [.init(column: "a"), .init(column: "b", prefixLength: 4)]),
        ifNotExists: true, orReplace: false))
    XCTAssertEqual(
      parse("DROP INDEX `PRIMARY` ON t"), .dropIndex(table: TableName("test", "t"), name: "PRIMARY", ifExists: false))
  }

  // MARK: DROP / RENAME / TRUNCATE

  func testDropTablesMulti() {
    XCTAssertEqual(
      parse(
        "DROP TABLE IF EXISTS `canal_table_meta_history`,`x`.`canal_table_meta_snapshot` /* generated by server */", db: "tsdb"),
      .dropTables([TableName("tsdb", "canal_table_meta_history"), TableName("x", "canal_table_meta_snapshot")], ifExists: true))
    XCTAssertEqual(parse("drop table t1 cascade"), .dropTables([TableName("test", "t1")], ifExists: false))
  }

  func testRenameTablesMulti() {
    XCTAssertEqual(
      parse("RENAME TABLE a TO b, db2.c TO db3.d"),
      .renameTables([
        .init(from: TableName("test", "a"), to: TableName("test", "b")),
        .init(from: TableName("db2", "c"), to: TableName("db3", "d")),
      ]))
  }

  func testTruncate() {
    XCTAssertEqual(parse("TRUNCATE TABLE churned", db: "m"), .truncate(TableName("m", "churned")))
    XCTAssertEqual(parse("truncate x.y"), .truncate(TableName("x", "y")))
  }

  // MARK: ALTER TABLE

  func testAlterAddDropModifyChangeRename() throws {
    let (t, a) = try XCTUnwrap(
      alterActions(
        """
        ALTER TABLE `exception` ADD COLUMN c1 INT NOT NULL DEFAULT 42 FIRST,
          ADD c2 varchar(5) AFTER `id`, ADD (c3 INT, c4 INT),
          DROP COLUMN old, DROP old2,
          MODIFY COLUMN exp_str text NOT NULL COMMENT '异常' AFTER c1,
          CHANGE `a` `b` BIGINT UNSIGNED,
          RENAME COLUMN x TO y,
          ALTER COLUMN z SET DEFAULT 'q', ALTER w DROP DEFAULT,
          ALGORITHM=INPLACE, LOCK = NONE
        """, db: "local"))
    XCTAssertEqual(t, TableName("local", "exception"))
    XCTAssertEqual(a.count, 13)
    guard case .addColumn(let c1, .first, false) = a[0] else { return XCTFail("\(a[0])") }
    XCTAssertEqual(c1.defaultValue, "42")
    guard case .addColumn(let c2, .after("id"), false) = a[1] else { return XCTFail("\(a[1])") }
    XCTAssertEqual(c2.length, 5)
    guard case .addColumn(let c3, nil, _) = a[2], case .addColumn(let c4, nil, _) = a[3] else { return XCTFail() }
    XCTAssertEqual([c3.name, c4.name], ["c3", "c4"])
    XCTAssertEqual(a[4], .dropColumn("old", ifExists: false))
    XCTAssertEqual(a[5], .dropColumn("old2", ifExists: false))
    guard case .modifyColumn(let m, .after("c1"), false) = a[6] else { return XCTFail("\(a[6])") }
    XCTAssertEqual(m.dataType, .text)
    guard case .changeColumn("a", let b, nil, false) = a[7] else { return XCTFail("\(a[7])") }
    XCTAssertEqual(b.name, "b")
    XCTAssertTrue(b.unsigned)
    XCTAssertEqual(a[8], .renameColumn(from: "x", to: "y", ifExists: false))
    XCTAssertEqual(a[9], .setDefault(column: "z", value: "'q'", ifExists: false))
    XCTAssertEqual(a[10], .setDefault(column: "w", value: nil, ifExists: false))
    guard case .noEffect = a[11], case .noEffect = a[12] else { return XCTFail() }
  }

  func testAlterKeys() throws {
    let (_, a) = try XCTUnwrap(
      alterActions(
        """
        ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b), ADD KEY `idx_task_worker` (`task_name`,`worker_name`),
          DROP KEY `k1`, DROP INDEX k2, ADD UNIQUE u (c), ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p(id),
          DROP FOREIGN KEY fk0, RENAME INDEX i1 TO i2, ADD FULLTEXT (body), ADD CONSTRAINT CHECK (a > 1)
        """))
    XCTAssertEqual(a[0], .dropPrimaryKey)
    XCTAssertEqual(
      a[1],
      .addIndex(IndexDefinition(kind: .primary, name: nil, parts: [.init(column: "a"), .init(column: "b")]), ifNotExists: false))
    XCTAssertEqual(
      a[2],
      .addIndex(
        IndexDefinition(
          kind: .index, name: "idx_task_worker", parts: [.init(column: "task_name"), .init(column: "worker_name")]),
        ifNotExists: false))
    XCTAssertEqual(a[3], .dropIndex("k1", ifExists: false))
    XCTAssertEqual(a[4], .dropIndex("k2", ifExists: false))
    XCTAssertEqual(a[5], .addIndex(IndexDefinition(kind: .unique, name: "u", parts: [.init(column: "c")]), ifNotExists: false))
    guard case .addIndex(let fk, _) = a[6] else { return XCTFail() }
    XCTAssertEqual(fk.kind, .foreignKey)
    guard case .noEffect = a[7] else { return XCTFail() }
    XCTAssertEqual(a[8], .renameIndex(from: "i1", to: "i2"))
    guard case .addIndex(let ft, _) = a[9] else { return XCTFail() }
    XCTAssertEqual(ft.kind, .fulltext)
    guard case .noEffect = a[10] else { return XCTFail("\(a[10])") }
  }

  func testAlterRenameConvertAndOptions() throws {
    let (_, a) = try XCTUnwrap(alterActions("ALTER TABLE t RENAME TO db2.t2"))
    XCTAssertEqual(a, [.rename(to: TableName("db2", "t2"))])
    let (_, b) = try XCTUnwrap(alterActions("ALTER TABLE t RENAME AS t3"))
    XCTAssertEqual(b, [.rename(to: TableName("test", "t3"))])
    let (_, c) = try XCTUnwrap(alterActions("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
    XCTAssertEqual(c, [.convertCharset(charset: "utf8mb4", collation: "utf8mb4_bin")])
    let (_, d) = try XCTUnwrap(alterActions("ALTER TABLE t DEFAULT CHARSET=latin1 ENGINE = MyISAM COMMENT 'hi'"))
    var o1 = TableOptions()
    o1.charset = "latin1"
    var o2 = TableOptions()
    o2.engine = "MyISAM"
    var o3 = TableOptions()
    o3.comment = "hi"
    XCTAssertEqual(d, [.options(o1), .options(o2), .options(o3)])
    let (_, e) = try XCTUnwrap(alterActions("ALTER TABLE parted TRUNCATE PARTITION pmax"))
    XCTAssertEqual(e.count, 1)
    guard case .noEffect = e[0] else { return XCTFail() }
    let (_, f) = try XCTUnwrap(
      alterActions("ALTER TABLE t ADD COLUMN x INT, ALGORITHM=INPLACE PARTITION BY HASH(id) PARTITIONS 4"))
    XCTAssertEqual(f.count, 3)
    let (_, g) = try XCTUnwrap(alterActions("ALTER TABLE t FORCE"))
    XCTAssertEqual(g.count, 1)
    let (_, h) = try XCTUnwrap(alterActions("ALTER TABLE t ORDER BY a, b"))
    XCTAssertEqual(h.count, 1)
  }

  func testMariaDBAlterIfExistsVariants() throws {
    let (_, a) = try XCTUnwrap(
      alterActions(
        """
        ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS a INT, DROP COLUMN IF EXISTS b, MODIFY COLUMN IF EXISTS c BIGINT,
          CHANGE COLUMN IF EXISTS d e INT, DROP INDEX IF EXISTS i, ADD INDEX IF NOT EXISTS j (a), RENAME COLUMN IF EXISTS f TO g
        """, flavor: .mariadb))
    guard case .addColumn(_, nil, true) = a[0] else { return XCTFail("\(a[0])") }
    XCTAssertEqual(a[1], .dropColumn("b", ifExists: true))
    guard case .modifyColumn(_, nil, true) = a[2] else { return XCTFail() }
    guard case .changeColumn("d", _, nil, true) = a[3] else { return XCTFail() }
    XCTAssertEqual(a[4], .dropIndex("i", ifExists: true))
    XCTAssertEqual(a[5], .addIndex(IndexDefinition(kind: .index, name: "j", parts: [.init(column: "a")]), ifNotExists: true))
    XCTAssertEqual(a[6], .renameColumn(from: "f", to: "g", ifExists: true))
  }

  func testNonReservedWordsAsColumnNames() throws {
    let (_, a) = try XCTUnwrap(
      alterActions("ALTER TABLE t ADD system INT, DROP system, ADD period INT, ADD `key` INT", flavor: .mariadb))
    XCTAssertEqual(a.count, 4)
    XCTAssertEqual(a[1], .dropColumn("system", ifExists: false))
    let c = try XCTUnwrap(
      createTable("CREATE TABLE t (type INT, status VARCHAR(3), date DATE, period INT, `key` INT, text TEXT)"))
    XCTAssertEqual(c.columns.map(\.name), ["type", "status", "date", "period", "key", "text"])
  }

  func testTemporaryDropOnDisconnect() {
    XCTAssertEqual(parse("DROP /*!40005 TEMPORARY */ TABLE IF EXISTS `t1`"), .other)
  }

  func testVersionedAlterFromMysqldump() {
    XCTAssertEqual(
      parse("/*!40000 ALTER TABLE `t` DISABLE KEYS */"),
      .alterTable(table: TableName("test", "t"), actions: [.noEffect("DISABLE KEYS")]))
  }

  // MARK: Unsupported

  func testUnparseableStatementIsUnsupportedWithItsTable() {
    guard case .unsupported(let reason, let tables) = parse("ALTER TABLE t ADD COLUMN x FANCYTYPE(3)") else {
      return XCTFail()
    }
    XCTAssertTrue(reason.contains("FANCYTYPE"), reason)
    XCTAssertEqual(tables, [TableName("test", "t")])
    guard case .unsupported(_, let t2) = parse("ALTER TABLE t ADD SYSTEM VERSIONING", flavor: .mariadb) else { return XCTFail() }
    XCTAssertEqual(t2, [TableName("test", "t")])
    guard case .unsupported(_, let t3) = parse("CREATE TABLE u (a INT WIBBLE)") else { return XCTFail() }
    XCTAssertEqual(t3, [TableName("test", "u")])
  }

  func testMayChangeSchemaFilter() {
    XCTAssertTrue(DDLParser.mayChangeSchema(Array("  /* x */ create table t (a int)".utf8)))
    XCTAssertTrue(DDLParser.mayChangeSchema(Array("/*!40000 ALTER TABLE t DISABLE KEYS */".utf8)))
    XCTAssertTrue(DDLParser.mayChangeSchema(Array("-- c\nDROP TABLE t".utf8)))
    XCTAssertTrue(DDLParser.mayChangeSchema(Array("rename table a to b".utf8)))
    XCTAssertTrue(DDLParser.mayChangeSchema(Array("TRUNCATE t".utf8)))
    XCTAssertFalse(DDLParser.mayChangeSchema(Array("INSERT INTO t VALUES (1)".utf8)))
    XCTAssertFalse(DDLParser.mayChangeSchema(Array("BEGIN".utf8)))
    XCTAssertFalse(DDLParser.mayChangeSchema(Array("CREATED".utf8)))
  }

  func testLexerStringsAndEscapes() throws {
    let t = try SQLLexer.tokenize(Array(#"'it''s' 'a\'b' _utf8mb4'x' N'y' X'0A' 0x1F 1.5e3 `q``q` "d""q""#.utf8))
    XCTAssertEqual(
      t.map(\.kind), [.string, .string, .string, .string, .number, .number, .number, .quotedIdentifier, .doubleQuoted, .end])
    XCTAssertEqual(t.map(\.text).prefix(4), ["it's", "a'b", "x", "y"])
    XCTAssertEqual(t[7].text, "q`q")
    XCTAssertEqual(t[8].text, "d\"q")
    let nb = try SQLLexer.tokenize(Array(#"'a\b'"#.utf8), options: .init(backslashEscapes: false))
    XCTAssertEqual(nb[0].text, #"a\b"#)
  }

  func testColumnTypeTextFromInformationSchema() throws {
    let c = try XCTUnwrap(DDLParser.columnDefinition(name: "x", type: "int(10) unsigned zerofill"))
    XCTAssertEqual(c.dataType, .int)
    XCTAssertTrue(c.zerofill)
    XCTAssertEqual(c.length, 10)
    let e = try XCTUnwrap(DDLParser.columnDefinition(name: "e", type: "enum('new','paid')"))
    XCTAssertEqual(e.values, ["new", "paid"])
    XCTAssertNil(DDLParser.columnDefinition(name: "z", type: "nonsense(1) what"))
  }
}
