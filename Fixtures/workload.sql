-- Sluice fixture workload for MariaDB 10.11 (run with the `mariadb` client,
-- --default-character-set=utf8mb4, against a fresh sandbox server; see
-- Fixtures/generate.sh). Deterministic: every event timestamp comes from
-- SET timestamp, starting at 2024-03-01 00:00:00 UTC (1709251200) and
-- spreading over about six hours. `connect;` starts a new session (new
-- thread id), so session settings are repeated after it.
--
-- Databases: sluice_types (one table per type family), sluice_shop (an
-- application-like schema with updates/deletes/triggers), sluice_misc
-- (DDL churn, no-PK tables, XA, savepoints, MyISAM, sequences),
-- sluice_tmp (created and dropped). FLUSH BINARY LOGS is issued twice so
-- the archive has at least three files.

SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';
SET SESSION timestamp = 1709251200;            -- 2024-03-01 00:00:00

-- ---------------------------------------------------------------------
-- sluice_types: schema
-- ---------------------------------------------------------------------
CREATE DATABASE sluice_types CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE sluice_types;

CREATE TABLE ints (
  id INT NOT NULL PRIMARY KEY,
  ti TINYINT, tu TINYINT UNSIGNED,
  si SMALLINT, su SMALLINT UNSIGNED,
  mi MEDIUMINT, mu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED,
  bi BIGINT, bu BIGINT UNSIGNED,
  b BOOL,
  iz INT(8) UNSIGNED ZEROFILL
) ENGINE=InnoDB;

CREATE TABLE decimals (
  id INT NOT NULL PRIMARY KEY,
  d1 DECIMAL(1,0),
  d5_2 DECIMAL(5,2),
  d9_9 DECIMAL(9,9),
  d10_0 DECIMAL(10,0),
  d10_4 DECIMAL(10,4),
  d18_9 DECIMAL(18,9),
  d19_0 DECIMAL(19,0),
  d20_10 DECIMAL(20,10),
  d30_30 DECIMAL(30,30),
  d38_6 DECIMAL(38,6),
  d65_0 DECIMAL(65,0),
  d65_30 DECIMAL(65,30),
  du DECIMAL(10,2) UNSIGNED
) ENGINE=InnoDB;

CREATE TABLE floats (
  id INT NOT NULL PRIMARY KEY,
  f FLOAT,
  d DOUBLE,
  f7_3 FLOAT(7,3),
  d10_2 DOUBLE(10,2),
  r REAL,
  fu FLOAT UNSIGNED
) ENGINE=InnoDB;

CREATE TABLE bits (
  id INT NOT NULL PRIMARY KEY,
  b1 BIT(1), b8 BIT(8), b17 BIT(17), b33 BIT(33), b64 BIT(64)
) ENGINE=InnoDB;

CREATE TABLE enums_sets (
  id INT NOT NULL PRIMARY KEY,
  e ENUM('small','medium','large','x-large'),
  e_utf8 ENUM('été','hiver','☃ snow','🙂'),
  s SET('read','write','exec','admin'),
  s9 SET('a','b','c','d','e','f','g','h','i'),
  s_latin1 SET('ä','ö','ü') CHARACTER SET latin1
) ENGINE=InnoDB;

-- ENUM with 300 labels (2-byte storage) and SET with 64 members (8 bytes).
SET @labels = (SELECT GROUP_CONCAT(CONCAT('''v', seq, '''') ORDER BY seq) FROM seq_1_to_300);
SET @members = (SELECT GROUP_CONCAT(CONCAT('''m', seq, '''') ORDER BY seq) FROM seq_1_to_64);
SET @ddl = CONCAT('CREATE TABLE enums_big (id INT NOT NULL PRIMARY KEY, e300 ENUM(', @labels,
                  '), s64 SET(', @members, ')) ENGINE=InnoDB');
PREPARE stmt FROM @ddl; EXECUTE stmt; DEALLOCATE PREPARE stmt;

CREATE TABLE temporals (
  id INT NOT NULL PRIMARY KEY,
  d DATE,
  t TIME, t1 TIME(1), t3 TIME(3), t6 TIME(6),
  dt DATETIME, dt1 DATETIME(1), dt3 DATETIME(3), dt6 DATETIME(6),
  ts TIMESTAMP NULL DEFAULT NULL,
  ts3 TIMESTAMP(3) NULL DEFAULT NULL,
  ts6 TIMESTAMP(6) NULL DEFAULT NULL,
  y YEAR
) ENGINE=InnoDB;

CREATE TABLE strings (
  id INT NOT NULL PRIMARY KEY,
  c10 CHAR(10),
  c255 CHAR(255),
  v10 VARCHAR(10),
  v300 VARCHAR(300),
  v_mb3 VARCHAR(20) CHARACTER SET utf8mb3,
  c_mb3 CHAR(20) CHARACTER SET utf8mb3,
  v_latin1 VARCHAR(20) CHARACTER SET latin1,
  c_latin1 CHAR(20) CHARACTER SET latin1,
  v_ascii VARCHAR(20) CHARACTER SET ascii,
  tt TINYTEXT,
  t TEXT,
  mt MEDIUMTEXT,
  lt LONGTEXT,
  t_latin1 TEXT CHARACTER SET latin1,
  v_bin_coll VARCHAR(20) COLLATE utf8mb4_bin
) ENGINE=InnoDB;

CREATE TABLE wide_charsets (
  id INT NOT NULL PRIMARY KEY,
  v_ucs2 VARCHAR(20) CHARACTER SET ucs2,
  v_utf16 VARCHAR(20) CHARACTER SET utf16,
  v_utf16le VARCHAR(20) CHARACTER SET utf16le,
  v_utf32 VARCHAR(20) CHARACTER SET utf32,
  c_utf32 CHAR(5) CHARACTER SET utf32,
  v_cp1251 VARCHAR(20) CHARACTER SET cp1251,
  v_latin2 VARCHAR(20) CHARACTER SET latin2,
  v_greek VARCHAR(20) CHARACTER SET greek,
  v_gbk VARCHAR(20) CHARACTER SET gbk,
  v_sjis VARCHAR(20) CHARACTER SET sjis,
  v_ujis VARCHAR(20) CHARACTER SET ujis
) ENGINE=InnoDB;

CREATE TABLE binaries (
  id INT NOT NULL PRIMARY KEY,
  b8 BINARY(8),
  b1 BINARY(1),
  b255 BINARY(255),
  vb10 VARBINARY(10),
  vb300 VARBINARY(300),
  c_bin CHAR(4) CHARACTER SET binary,
  tb TINYBLOB,
  bl BLOB,
  mb MEDIUMBLOB,
  lb LONGBLOB
) ENGINE=InnoDB;

CREATE TABLE json_docs (
  id INT NOT NULL PRIMARY KEY,
  j JSON
) ENGINE=InnoDB;

CREATE TABLE geo (
  id INT NOT NULL PRIMARY KEY,
  g GEOMETRY,
  p POINT,
  ls LINESTRING,
  pg POLYGON,
  mp MULTIPOINT,
  gc GEOMETRYCOLLECTION
) ENGINE=InnoDB;

CREATE TABLE net_uuid (
  id INT NOT NULL PRIMARY KEY,
  i6 INET6,
  i4 INET4,
  u UUID
) ENGINE=InnoDB;

CREATE TABLE generated_cols (
  id INT NOT NULL PRIMARY KEY,
  a INT,
  b VARCHAR(20),
  a2 INT AS (a * 2) VIRTUAL,
  a3 INT AS (a + 3) PERSISTENT,
  bu VARCHAR(20) AS (UPPER(b)) VIRTUAL,
  inv INT INVISIBLE DEFAULT 7
) ENGINE=InnoDB;

-- 300 columns: column count and null bitmap need multi-byte encodings.
SET @cols = (SELECT GROUP_CONCAT(
               CASE seq % 3 WHEN 0 THEN CONCAT('c', seq, ' INT')
                            WHEN 1 THEN CONCAT('c', seq, ' VARCHAR(8)')
                            ELSE CONCAT('c', seq, ' SMALLINT UNSIGNED') END
               ORDER BY seq) FROM seq_1_to_300);
SET @ddl = CONCAT('CREATE TABLE wide300 (id INT NOT NULL PRIMARY KEY, ', @cols, ') ENGINE=InnoDB');
PREPARE stmt FROM @ddl; EXECUTE stmt; DEALLOCATE PREPARE stmt;

-- ---------------------------------------------------------------------
-- sluice_types: data
-- ---------------------------------------------------------------------
SET SESSION timestamp = 1709251500;            -- 00:05:00
INSERT INTO ints VALUES
  (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, 0),
  (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, 1, 4294967295),
  (3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
  (4, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, 1, 1),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, 100, 200, -12345, 54321, -1234567, 12345678, -123456789, 3000000000, -1234567890123456789, 9223372036854775808, 0, 42);
INSERT INTO ints (id, bu) VALUES (7, 18446744073709551614);

SET SESSION timestamp = 1709251800;            -- 00:10:00
INSERT INTO decimals VALUES
  (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
  (2, 9, 999.99, 0.999999999, 9999999999, 999999.9999, 999999999.999999999, 9999999999999999999,
      9999999999.9999999999, 0.999999999999999999999999999999, 99999999999999999999999999999999.999999,
      99999999999999999999999999999999999999999999999999999999999999999,
      99999999999999999999999999999999999.999999999999999999999999999999, 99999999.99),
  (3, -9, -999.99, -0.999999999, -9999999999, -999999.9999, -999999999.999999999, -9999999999999999999,
      -9999999999.9999999999, -0.999999999999999999999999999999, -99999999999999999999999999999999.999999,
      -99999999999999999999999999999999999999999999999999999999999999999,
      -99999999999999999999999999999999999.999999999999999999999999999999, 0.01),
  (4, -1, -10.55, 0.000000001, -1, -0.0001, 0.000000001, 1, -0.0000000001, 0.000000000000000000000000000001, -0.000001,
      -1, -0.000000000000000000000000000001, 1.5),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, 3, 12.3, 0.123456789, 1234567890, 123456.789, -123456789.123456789, -1234567890123456789,
      1234567890.0123456789, 0.123456789012345678901234567890, 12345678901234567890123456789012.345678,
      12345678901234567890123456789012345678901234567890123456789012345,
      -12345678901234567890123456789012345.012345678901234567890123456789, 0.00);

SET SESSION timestamp = 1709252100;            -- 00:15:00
INSERT INTO floats VALUES
  (1, 0, 0, 0, 0, 0, 0),
  (2, 1.5, -3.25, 1234.567, 12345678.91, 0.1, 1.5),
  (3, 3.40282e38, 1.7976931348623157e308, -9999.999, -99999999.99, 2.2250738585072014e-308, 3.40282e38),
  (4, -1.17549e-38, -2.2250738585072014e-308, 0.001, 0.01, -1e-300, 1e-38),
  (5, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, 3.14159265, 3.141592653589793, 3.14159265, 3.14159265, 2.718281828459045, 0.1),
  (7, 0.1, 0.1, 0.1, 0.1, 1e100, 16777217),
  (8, -123456.789, 123456789.123456789, -1.5, -1.555, 5e-324, 0);

SET SESSION timestamp = 1709252400;            -- 00:20:00
INSERT INTO bits VALUES
  (1, b'0', b'0', b'0', b'0', b'0'),
  (2, b'1', b'11111111', b'11111111111111111', b'111111111111111111111111111111111', x'FFFFFFFFFFFFFFFF'),
  (3, b'1', b'10000001', b'10000000000000001', b'100000000000000000000000000000001', x'8000000000000001'),
  (4, NULL, NULL, NULL, NULL, NULL),
  (5, 0, 42, 65537, 4294967296, 1311768467463790320);

INSERT INTO enums_sets VALUES
  (1, 'small', 'été', 'read', 'a', 'ä'),
  (2, 'x-large', '🙂', 'read,write,exec,admin', 'a,b,c,d,e,f,g,h,i', 'ä,ö,ü'),
  (3, 'medium', '☃ snow', '', '', ''),
  (4, NULL, NULL, NULL, NULL, NULL),
  (5, 'no-such-label', 'hiver', 'exec,read', 'i', 'ü'),
  (6, 3, 2, 5, 256, 6);

INSERT INTO enums_big VALUES
  (1, 'v1', 'm1'),
  (2, 'v300', (SELECT GROUP_CONCAT(CONCAT('m', seq) ORDER BY seq) FROM seq_1_to_64)),
  (3, 'v256', 'm8,m9,m32,m33,m63,m64'),
  (4, NULL, NULL),
  (5, 'v255', '');

SET SESSION timestamp = 1709252700;            -- 00:25:00
INSERT INTO temporals VALUES
  (1, '2024-03-01', '12:34:56', '12:34:56.7', '12:34:56.789', '12:34:56.789012',
      '2024-03-01 12:34:56', '2024-03-01 12:34:56.7', '2024-03-01 12:34:56.789', '2024-03-01 12:34:56.789012',
      '2024-03-01 12:34:56', '2024-03-01 12:34:56.789', '2024-03-01 12:34:56.789012', 2024),
  (2, '0000-00-00', '00:00:00', '00:00:00.0', '00:00:00.000', '00:00:00.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000', 0),
  (3, '1000-01-01', '-838:59:59', '-838:59:58.9', '-838:59:58.999', '-838:59:58.999999',
      '1000-01-01 00:00:00', '1000-01-01 00:00:00.1', '1000-01-01 00:00:00.001', '1000-01-01 00:00:00.000001',
      '1970-01-01 00:00:01', '1970-01-01 00:00:01.001', '1970-01-01 00:00:01.000001', 1901),
  (4, '9999-12-31', '838:59:59', '838:59:58.9', '838:59:58.999', '838:59:58.999999',
      '9999-12-31 23:59:59', '9999-12-31 23:59:59.9', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999',
      '2038-01-19 03:14:07', '2038-01-19 03:14:07.999', '2038-01-19 03:14:07.999999', 2155),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, '2024-00-15', '-00:00:01', '-00:00:00.5', '-00:00:00.001', '-00:00:00.000001',
      '2024-02-00 10:00:00', '2024-02-29 23:59:59.5', '2024-02-29 23:59:59.05', '2024-02-29 23:59:59.000500',
      '2000-02-29 12:00:00', '2000-02-29 12:00:00.5', '2000-02-29 12:00:00.050000', 1970),
  (7, '1970-01-01', '-01:02:03', '100:00:00.1', '-12:34:56.78', '-100:00:00.123456',
      '1970-01-01 00:00:00', '1969-12-31 23:59:59.9', '1999-12-31 23:59:59.999', '2000-01-01 00:00:00.000001',
      '2024-03-01 00:25:00', '2024-03-01 00:25:00.123', '2024-03-01 00:25:00.123456', 2000);
-- TIMESTAMP literals are read in the session time zone; the binlog holds UTC.
SET SESSION time_zone = '+05:30';
INSERT INTO temporals (id, dt, ts, ts6) VALUES (8, '2024-03-01 05:30:00', '2024-03-01 05:30:00', '2024-03-01 05:30:00.654321');
SET SESSION time_zone = '+00:00';
-- CURRENT_TIMESTAMP follows SET timestamp, fractional part included.
SET SESSION timestamp = 1709252701.250000;
INSERT INTO temporals (id, ts, ts3, ts6, dt6) VALUES (9, NOW(), NOW(3), NOW(6), NOW(6));

SET SESSION timestamp = 1709253000;            -- 00:30:00
INSERT INTO strings VALUES
  (1, 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc'),
  (2, '', '', '', '', '', '', '', '', '', '', '', '', '', '', ''),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, '😀🎉ü', 'Ünïcödé ✓ 😀', 'emoji😀', CONCAT(REPEAT('ж', 150), REPEAT('😀', 150)), 'Grüße ✓', 'naïve', 'café crème', 'Ærø €uro',
      'plain ascii', 'tiny 😀', 'text with\nnewline and\ttab', 'medium ☃', 'long 🙂', 'Größe: Ü', 'CaseSensitive'),
  (5, 'pad  ', 'trailing   ', ' lead', 'a''quote"dbl\\bs', 'x  ', '  y', 'ÿ', 'é ', '~!@#$%^&*()', 'x', 'line1\r\nline2', '', '', '', 'tab\there'),
  (6, REPEAT('x', 10), REPEAT('é', 255), REPEAT('z', 10), REPEAT('😀', 300), REPEAT('€', 20), REPEAT('ß', 20),
      REPEAT('é', 20), REPEAT('ñ', 20), REPEAT('a', 20), REPEAT('t', 255), REPEAT('T', 3000), REPEAT('m', 300),
      REPEAT('L', 1000), REPEAT('à', 300), REPEAT('b', 20)),
  (7, 'ctrl\0nul', CHAR(1, 2, 3, 127), 'bell\a', '{"not": "json"}', '\\x41', 'NULL', 'null', '''', '"', '\\', '\\\\', '', '', '', '');

INSERT INTO wide_charsets VALUES
  (1, 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', 'abc'),
  (2, 'Ünï ☃', 'Ünï 😀', 'Ünï 😀', 'Ünï 😀', '😀☃', 'Привет', 'Zażółć', 'Καλημέρα', '中文测试', 'こんにちは', '日本語テキスト'),
  (3, '', '', '', '', '', '', '', '', '', '', ''),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, 'x ', ' x', 'x ', 'x ', 'x ', 'ё ', 'ł', 'ω', '汉字', 'ｶﾀｶﾅ', '漢字');

SET SESSION timestamp = 1709253300;            -- 00:35:00
INSERT INTO binaries VALUES
  (1, x'0102000000000000', x'00', x'00', x'00', x'00', x'00', x'00', x'00', x'00', x'00'),
  (2, x'0000000000000000', x'FF', x'FF00', x'', x'', x'', x'', x'', x'', x''),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, x'FFFFFFFFFFFFFFFF', x'7F', REPEAT(x'AB', 255), x'00010203040506070809', REPEAT(x'00FF', 150), x'DEADBEEF',
      REPEAT(x'C3', 255), REPEAT(x'5A', 300), REPEAT(x'01', 65600), REPEAT(x'02', 300)),
  (5, 'abc', 'a', 'abc', 'abc', 'abc', 'ab', 'text', 'more text', 'mediumblob', 'longblob'),
  (6, x'00000000000000FF', x'20', x'2020', x'20', x'2000', x'20202020', x'0A', x'0D0A', x'FFFE', x'EFBBBF');

INSERT INTO json_docs VALUES
  (1, '{"a": 1, "b": [1, 2, 3], "c": {"d": null, "e": true}}'),
  (2, '[]'),
  (3, '{}'),
  (4, NULL),
  (5, '"just a string with ünïcödé 😀"'),
  (6, '12345678901234567890'),
  (7, '{"nested": {"deeper": {"deepest": [1.5, -2e10, "x\\"y", "\\u00e9"]}}}'),
  (8, 'null'),
  (9, CONCAT('[', (SELECT GROUP_CONCAT(seq) FROM seq_1_to_500), ']'));

INSERT INTO geo VALUES
  (1, ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(-122.4194 37.7749)', 4326),
      ST_GeomFromText('LINESTRING(0 0, 1 1, 2 4)'), ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))'),
      ST_GeomFromText('MULTIPOINT(1 1, 2 2)'), ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1), LINESTRING(0 0, 5 5))')),
  (2, ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))', 4326), ST_GeomFromText('POINT(0 0)'),
      NULL, NULL, NULL, ST_GeomFromText('GEOMETRYCOLLECTION EMPTY')),
  (3, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, ST_GeomFromText('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))', 3857), ST_GeomFromText('POINT(1e300 -1e-300)'),
      ST_GeomFromText('LINESTRING(-1.5 2.25, 3.125 -4.0625)', 4326), NULL, ST_GeomFromText('MULTIPOINT(0 0)', 4326), NULL);

INSERT INTO net_uuid VALUES
  (1, '::', '0.0.0.0', '00000000-0000-0000-0000-000000000000'),
  (2, '2001:db8::ff00:42:8329', '192.168.1.254', '123e4567-e89b-12d3-a456-426614174000'),
  (3, '::ffff:10.1.2.3', '255.255.255.255', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
  (4, NULL, NULL, NULL),
  (5, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '10.0.0.1', '6ccd780c-baba-1026-9564-5b8c656024db'),
  (6, 'fe80::1', '127.0.0.1', '01890a5d-ac96-774b-bcce-b302099a8057');

INSERT INTO generated_cols (id, a, b, inv) VALUES (1, 10, 'abc', 1), (2, NULL, NULL, NULL), (3, -5, 'Ünï', 3);
INSERT INTO generated_cols (id, a, b) VALUES (4, 0, '');

SET @vals = (SELECT GROUP_CONCAT(
               CASE seq % 3 WHEN 0 THEN seq * 1000 WHEN 1 THEN CONCAT('''s', seq, '''') ELSE seq END
               ORDER BY seq) FROM seq_1_to_300);
SET @dml = CONCAT('INSERT INTO wide300 VALUES (1, ', @vals, ')');
PREPARE stmt FROM @dml; EXECUTE stmt; DEALLOCATE PREPARE stmt;
INSERT INTO wide300 (id) VALUES (2);
SET @vals = (SELECT GROUP_CONCAT(IF(seq % 2 = 0, 'NULL', IF(seq % 3 = 1, '''odd''', seq)) ORDER BY seq) FROM seq_1_to_300);
SET @dml = CONCAT('INSERT INTO wide300 VALUES (3, ', @vals, ')');
PREPARE stmt FROM @dml; EXECUTE stmt; DEALLOCATE PREPARE stmt;

-- Updates and deletes touching every type family.
SET SESSION timestamp = 1709253600;            -- 00:40:00
UPDATE ints SET ti = ti - 1, bu = 12345678901234567890 WHERE id = 4;
UPDATE ints SET tu = NULL, iz = 7 WHERE id = 3;
UPDATE ints SET b = 1, i = 5, iu = 5 WHERE id = 5;
DELETE FROM ints WHERE id = 6;
UPDATE decimals SET d65_30 = d65_30 / 3, d5_2 = -d5_2 WHERE id IN (4, 6);
UPDATE decimals SET d1 = NULL, du = 0.5 WHERE id = 1;
UPDATE floats SET f = f * 2, d = d / 3 WHERE id = 6;
UPDATE floats SET f = NULL WHERE id = 1;
UPDATE bits SET b64 = b64 >> 1, b1 = 0 WHERE id = 2;
UPDATE enums_sets SET e = 'large', s = CONCAT(s, ',admin') WHERE id = 1;
UPDATE enums_sets SET s9 = NULL, e_utf8 = '🙂' WHERE id = 3;
UPDATE enums_big SET e300 = 'v299', s64 = 'm64' WHERE id = 1;
UPDATE temporals SET t6 = ADDTIME(t6, '00:00:01.5'), dt6 = dt6 + INTERVAL 1 DAY WHERE id = 1;
UPDATE temporals SET d = '0000-00-00', y = 0, ts = '0000-00-00 00:00:00' WHERE id = 7;
UPDATE strings SET v300 = CONCAT(v300, '!'), c10 = 'changed' WHERE id = 1;
UPDATE strings SET mt = NULL, lt = 'lt' WHERE id = 4;
UPDATE wide_charsets SET v_utf16 = 'Ωmega 😀', v_gbk = '更新' WHERE id = 1;
UPDATE binaries SET b8 = x'0000000000000001', vb10 = x'00' WHERE id = 2;
UPDATE binaries SET lb = REPEAT(x'03', 20), tb = x'' WHERE id = 5;
UPDATE json_docs SET j = JSON_SET(j, '$.a', 2, '$.z', 'new') WHERE id = 1;
UPDATE geo SET p = ST_GeomFromText('POINT(3 4)') WHERE id = 2;
UPDATE net_uuid SET i6 = '::1', u = '11111111-2222-3333-4444-555555555555' WHERE id = 1;
UPDATE generated_cols SET a = a + 1, inv = 9 WHERE id IN (1, 3);
UPDATE wide300 SET c150 = 150, c151 = 'upd', c299 = NULL WHERE id = 1;
DELETE FROM wide300 WHERE id = 2;
DELETE FROM strings WHERE id = 2;
DELETE FROM geo WHERE id = 3;
UPDATE floats SET id = 80 WHERE id = 8;
-- An UPDATE that matches rows but changes nothing logs no row event.
UPDATE ints SET ti = ti WHERE id = 1;

-- ---------------------------------------------------------------------
-- sluice_shop: application-like schema, new session
-- ---------------------------------------------------------------------
connect;
SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION';
SET SESSION time_zone = '+00:00';
SET SESSION timestamp = 1709254800;            -- 01:00:00
CREATE DATABASE sluice_shop;
USE sluice_shop;

CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(100) NOT NULL,
  name VARCHAR(100) NOT NULL,
  country CHAR(2) NOT NULL DEFAULT 'US',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP(3) NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uk_email (email)
) ENGINE=InnoDB;

CREATE TABLE products (
  sku VARCHAR(20) NOT NULL PRIMARY KEY,
  title VARCHAR(200) NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  stock INT NOT NULL DEFAULT 0,
  tags SET('new','sale','eco','limited') NOT NULL DEFAULT ''
) ENGINE=InnoDB;

CREATE TABLE orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('new','paid','shipped','cancelled') NOT NULL DEFAULT 'new',
  total DECIMAL(12,2) NOT NULL DEFAULT 0,
  placed_at DATETIME(6) NOT NULL,
  note TEXT NULL,
  KEY (customer_id)
) ENGINE=InnoDB;

CREATE TABLE order_items (
  order_id BIGINT UNSIGNED NOT NULL,
  line_no SMALLINT UNSIGNED NOT NULL,
  sku VARCHAR(20) NOT NULL,
  qty INT NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
) ENGINE=InnoDB;

-- No primary key; written by a trigger (trigger rows are logged with the statement).
CREATE TABLE audit_log (
  at DATETIME NOT NULL,
  tbl VARCHAR(30) NOT NULL,
  action VARCHAR(20) NOT NULL,
  ref BIGINT NULL
) ENGINE=InnoDB;

CREATE TRIGGER orders_ai AFTER INSERT ON orders FOR EACH ROW
  INSERT INTO audit_log VALUES (NOW(), 'orders', 'insert', NEW.id);
CREATE TRIGGER orders_au AFTER UPDATE ON orders FOR EACH ROW
  INSERT INTO audit_log VALUES (NOW(), 'orders', CONCAT('status:', NEW.status), NEW.id);

DELIMITER //
CREATE PROCEDURE add_item(IN p_order BIGINT UNSIGNED, IN p_line SMALLINT UNSIGNED, IN p_sku VARCHAR(20), IN p_qty INT)
BEGIN
  INSERT INTO order_items SELECT p_order, p_line, sku, p_qty, price FROM products WHERE sku = p_sku;
  UPDATE products SET stock = stock - p_qty WHERE sku = p_sku;
  UPDATE orders SET total = total + p_qty * (SELECT price FROM products WHERE sku = p_sku) WHERE id = p_order;
END //
DELIMITER ;

SET SESSION timestamp = 1709255400;            -- 01:10:00
INSERT INTO customers (email, name, country) VALUES
  ('ada@example.com', 'Ada Lovelace', 'GB'),
  ('alan@example.com', 'Alan Turing', 'GB'),
  ('grace@example.com', 'Grace Hopper', 'US'),
  ('zoë@example.com', 'Zoë Ünïcödé 😀', 'DE'),
  ('linus@example.com', 'Linus', 'FI');
INSERT INTO products VALUES
  ('SKU-001', 'Widget', 9.99, 100, 'new'),
  ('SKU-002', 'Gadget ☃', 24.50, 50, 'sale,eco'),
  ('SKU-003', 'Gizmo', 0.99, 1000, ''),
  ('SKU-004', 'Doohickey', 1234.00, 3, 'limited,new');

SET SESSION timestamp = 1709256000;            -- 01:20:00
BEGIN;
INSERT INTO orders (customer_id, placed_at, note) VALUES (1, NOW(6), 'first order');
CALL add_item(LAST_INSERT_ID(), 1, 'SKU-001', 2);
CALL add_item(1, 2, 'SKU-002', 1);
COMMIT;

SET SESSION timestamp = 1709256600.125;        -- 01:30:00.125
BEGIN;
INSERT INTO orders (customer_id, placed_at) VALUES (3, NOW(6)), (4, NOW(6)), (2, '2024-02-29 23:59:59.999999');
CALL add_item(2, 1, 'SKU-003', 10);
CALL add_item(3, 1, 'SKU-004', 1);
CALL add_item(3, 2, 'SKU-001', 5);
CALL add_item(4, 1, 'SKU-002', 3);
COMMIT;

SET SESSION timestamp = 1709258400;            -- 02:00:00
UPDATE orders SET status = 'paid' WHERE id IN (1, 3);
INSERT INTO customers (email, name) VALUES ('ada@example.com', 'dupe') ON DUPLICATE KEY UPDATE name = 'Ada King', country = 'UK';
REPLACE INTO products VALUES ('SKU-003', 'Gizmo v2', 1.09, 990, 'new,sale');
REPLACE INTO products VALUES ('SKU-005', 'Thingamajig', 5.00, 10, 'eco');
INSERT IGNORE INTO products VALUES ('SKU-001', 'ignored', 0, 0, '');
UPDATE orders o JOIN customers c ON c.id = o.customer_id
   SET o.note = CONCAT('ships to ', c.country), c.name = UPPER(c.name)
 WHERE o.status = 'paid';

SET SESSION timestamp = 1709260200;            -- 02:30:00
UPDATE orders SET status = 'shipped' WHERE id = 1;
UPDATE orders SET status = 'cancelled', total = 0 WHERE id = 4;
DELETE FROM order_items WHERE order_id = 4;
DELETE o, i FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = 2;
UPDATE order_items SET qty = qty + 1, line_no = line_no + 10 WHERE order_id = 3;
DELETE FROM customers WHERE email = 'linus@example.com';

-- First rotation: the next events go to binlog.000002.
FLUSH BINARY LOGS;
DO SLEEP(0.3);

-- ---------------------------------------------------------------------
-- sluice_misc: DDL churn, keyless tables, transactions
-- ---------------------------------------------------------------------
connect;
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';
SET SESSION timestamp = 1709262000;            -- 03:00:00
CREATE DATABASE sluice_misc;
USE sluice_misc;

-- Keyless table with duplicate rows.
CREATE TABLE nopk (a INT, b VARCHAR(10), c DOUBLE) ENGINE=InnoDB;
INSERT INTO nopk VALUES (1, 'x', 1.5), (1, 'x', 1.5), (1, 'x', 1.5), (2, NULL, NULL), (NULL, NULL, NULL), (3, 'y', -0.25);
DELETE FROM nopk WHERE a = 1 LIMIT 1;
UPDATE nopk SET b = 'z' WHERE a = 1 LIMIT 1;
UPDATE nopk SET c = 99 WHERE a IS NULL;

-- Unique key but no primary key.
CREATE TABLE uniq_only (code CHAR(3) NOT NULL, val INT, UNIQUE KEY (code)) ENGINE=InnoDB;
INSERT INTO uniq_only VALUES ('aaa', 1), ('bbb', 2), ('ccc', 3);
UPDATE uniq_only SET code = 'zzz' WHERE code = 'aaa';
DELETE FROM uniq_only WHERE code = 'bbb';

-- Composite primary key of mixed types, declared out of column order.
CREATE TABLE composite (
  region CHAR(2) NOT NULL,
  day DATE NOT NULL,
  seq INT UNSIGNED NOT NULL,
  amount DECIMAL(8,3),
  PRIMARY KEY (day, region, seq)
) ENGINE=InnoDB;
INSERT INTO composite VALUES ('eu', '2024-03-01', 1, 1.5), ('eu', '2024-03-01', 2, 2.5), ('us', '2024-03-01', 1, -3.125), ('us', '2024-02-29', 9, NULL);
UPDATE composite SET seq = 3 WHERE region = 'eu' AND seq = 2;
UPDATE composite SET amount = amount * 2 WHERE region = 'us';

-- Prefix primary key on a text column.
CREATE TABLE prefix_pk (name VARCHAR(200) NOT NULL, body TEXT, PRIMARY KEY (name(10))) ENGINE=InnoDB;
INSERT INTO prefix_pk VALUES ('alpha-0000001', 'a'), ('beta-0000002', 'b');
UPDATE prefix_pk SET body = 'bb' WHERE name = 'beta-0000002';

-- CREATE/ALTER/RENAME/TRUNCATE/DROP.
SET SESSION timestamp = 1709262600;            -- 03:10:00
CREATE TABLE churn (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB;
INSERT INTO churn VALUES (1, 'one'), (2, 'two'), (3, 'three');
ALTER TABLE churn ADD COLUMN extra INT NOT NULL DEFAULT 42;
INSERT INTO churn VALUES (4, 'four', 4);
ALTER TABLE churn MODIFY v VARCHAR(50), ADD INDEX (v);
UPDATE churn SET v = CONCAT(v, '!'), extra = extra + 1;
ALTER TABLE churn DROP COLUMN extra;
UPDATE churn SET v = UPPER(v) WHERE id <= 2;
RENAME TABLE churn TO churned;
CREATE TABLE churn_copy LIKE churned;
INSERT INTO churn_copy SELECT * FROM churned;
CREATE TABLE churn_sel AS SELECT id, v, id * 10 AS tenfold FROM churned WHERE id > 1;
TRUNCATE TABLE churned;
INSERT INTO churned VALUES (10, 'after truncate');
CREATE TABLE doomed (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO doomed VALUES (1), (2);
DROP TABLE doomed;
CREATE TABLE doomed (id INT PRIMARY KEY, reborn VARCHAR(5)) ENGINE=InnoDB;
INSERT INTO doomed VALUES (7, 'yes');
CREATE TABLE `odd name ✓` (`the id` INT PRIMARY KEY, `weird-col ü` VARCHAR(10), `select` INT) ENGINE=InnoDB;
INSERT INTO `odd name ✓` VALUES (1, 'quoted', 2), (2, NULL, NULL);
UPDATE `odd name ✓` SET `select` = 3 WHERE `the id` = 1;
CREATE INDEX idx_sel ON `odd name ✓` (`select`);
CREATE VIEW v_composite AS SELECT region, SUM(amount) AS total FROM composite GROUP BY region;

-- Transactions: rollback, savepoints, MyISAM mixed in.
SET SESSION timestamp = 1709263200;            -- 03:20:00
CREATE TABLE tx_inno (id INT PRIMARY KEY, note VARCHAR(20)) ENGINE=InnoDB;
CREATE TABLE tx_myisam (id INT PRIMARY KEY, note VARCHAR(20)) ENGINE=MyISAM;
CREATE TABLE tx_aria (id INT PRIMARY KEY, note VARCHAR(20)) ENGINE=Aria;
BEGIN;
INSERT INTO tx_inno VALUES (1, 'rolled back');
ROLLBACK;
BEGIN;
INSERT INTO tx_inno VALUES (2, 'rolled back too');
INSERT INTO tx_myisam VALUES (1, 'survives rollback');
ROLLBACK;
BEGIN;
INSERT INTO tx_inno VALUES (3, 'kept');
SAVEPOINT sp1;
INSERT INTO tx_inno VALUES (4, 'undone by savepoint');
ROLLBACK TO SAVEPOINT sp1;
INSERT INTO tx_inno VALUES (5, 'kept after sp');
COMMIT;
INSERT INTO tx_aria VALUES (1, 'aria'), (2, 'aria 2');
UPDATE tx_aria SET note = 'aria updated' WHERE id = 2;
CREATE TABLE mem (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=MEMORY;
INSERT INTO mem VALUES (1, 'memory');

-- Temporary tables are not logged in ROW format; the INSERT..SELECT from one is.
CREATE TEMPORARY TABLE tmp_src (id INT, v VARCHAR(10));
INSERT INTO tmp_src VALUES (100, 'from tmp'), (101, 'from tmp 2');
INSERT INTO tx_inno SELECT * FROM tmp_src;
DROP TEMPORARY TABLE tmp_src;

-- XA: rows are logged at XA PREPARE; the decision comes later.
SET SESSION timestamp = 1709263800;            -- 03:30:00
CREATE TABLE xa_t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
XA START 'xa-commit-1';
INSERT INTO xa_t VALUES (1, 'xa committed'), (2, 'xa committed 2');
UPDATE tx_inno SET note = 'touched by xa' WHERE id = 3;
XA END 'xa-commit-1';
XA PREPARE 'xa-commit-1';
SET SESSION timestamp = 1709263860;
XA COMMIT 'xa-commit-1';
SET SESSION timestamp = 1709263920;
XA START 'xa-rollback-1', 'bq', 7;
INSERT INTO xa_t VALUES (3, 'xa rolled back');
DELETE FROM xa_t WHERE id = 1;
XA END 'xa-rollback-1', 'bq', 7;
XA PREPARE 'xa-rollback-1', 'bq', 7;
SET SESSION timestamp = 1709263980;
XA ROLLBACK 'xa-rollback-1', 'bq', 7;
XA START X'0102ff';
INSERT INTO xa_t VALUES (4, 'xa one phase');
XA END X'0102ff';
XA COMMIT X'0102ff' ONE PHASE;

-- Sequence (refills are logged as row events) and a partitioned table.
SET SESSION timestamp = 1709264400;            -- 03:40:00
CREATE SEQUENCE seq_ids START WITH 100 INCREMENT BY 5 CACHE 3;
CREATE TABLE seq_users (id BIGINT PRIMARY KEY, name VARCHAR(10)) ENGINE=InnoDB;
INSERT INTO seq_users VALUES (NEXT VALUE FOR seq_ids, 'a'), (NEXT VALUE FOR seq_ids, 'b'),
                             (NEXT VALUE FOR seq_ids, 'c'), (NEXT VALUE FOR seq_ids, 'd');
CREATE TABLE parted (id INT NOT NULL, created DATE NOT NULL, v INT, PRIMARY KEY (id, created))
  PARTITION BY RANGE (YEAR(created)) (PARTITION p2023 VALUES LESS THAN (2024), PARTITION pmax VALUES LESS THAN MAXVALUE);
INSERT INTO parted VALUES (1, '2023-06-01', 1), (2, '2024-03-01', 2), (3, '2025-01-01', 3), (4, '2023-01-01', 4);
UPDATE parted SET created = '2024-06-01' WHERE id = 1;
ALTER TABLE parted TRUNCATE PARTITION pmax;

-- Statements that are Query events in ROW format.
CREATE USER 'sluice_reader'@'localhost' IDENTIFIED BY 'not-a-secret';
GRANT SELECT ON sluice_shop.* TO 'sluice_reader'@'localhost';
DROP USER 'sluice_reader'@'localhost';

-- A database that does not survive.
SET SESSION timestamp = 1709265000;            -- 03:50:00
CREATE DATABASE sluice_tmp;
CREATE TABLE sluice_tmp.gone (id INT PRIMARY KEY, v TEXT) ENGINE=InnoDB;
INSERT INTO sluice_tmp.gone VALUES (1, 'soon gone'), (2, 'also gone');
UPDATE sluice_tmp.gone SET v = 'going' WHERE id = 1;
-- Cross-database statement with a different current database.
INSERT INTO sluice_misc.tx_inno SELECT id + 200, v FROM sluice_tmp.gone;
DROP DATABASE sluice_tmp;

-- Second rotation.
FLUSH BINARY LOGS;
DO SLEEP(0.3);

-- ---------------------------------------------------------------------
-- Later activity spread over a few more hours, in yet another session.
-- ---------------------------------------------------------------------
connect;
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';
SET SESSION timestamp = 1709269200;            -- 05:00:00
USE sluice_shop;
INSERT INTO customers (email, name, country) VALUES ('late@example.com', 'Late Comer', 'JP');
INSERT INTO orders (customer_id, placed_at, note) VALUES (LAST_INSERT_ID(), NOW(6), 'late order 🕔');
SET SESSION timestamp = 1709271000;            -- 05:30:00
UPDATE products SET stock = stock + 100, tags = 'sale' WHERE price < 10;
DELETE FROM audit_log WHERE action = 'insert' AND ref = 2;
SET SESSION timestamp = 1709272800;            -- 06:00:00
USE sluice_types;
INSERT INTO ints (id, ti, bu) VALUES (100, 1, 1) ON DUPLICATE KEY UPDATE ti = 2;
INSERT INTO ints (id, ti, bu) VALUES (100, 1, 1) ON DUPLICATE KEY UPDATE ti = 2;
-- REPLACE resets unnamed columns to their defaults; with binlog_row_image=MINIMAL
-- those resets would not be logged, so every column is named here.
REPLACE INTO strings VALUES (1, 'replaced', NULL, NULL, 'replaced row', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SET SESSION timestamp = 1709274600;            -- 06:30:00
USE sluice_misc;
ALTER TABLE tx_inno ADD COLUMN added_late DATETIME NULL;
UPDATE tx_inno SET added_late = IF(id >= 100, '2024-03-01 06:30:00', '2024-03-01 00:00:00');
DELETE FROM nopk WHERE a IS NULL;
