-- Round-trip only (not part of the committed fixtures): one transaction of
-- 100,000 inserted rows, then one transaction of updates and deletes.
SET SESSION sql_mode = 'NO_UNSIGNED_SUBTRACTION';
SET SESSION time_zone = '+00:00';
SET SESSION timestamp = 1709280000;            -- 2024-03-01 08:00:00
CREATE DATABASE sluice_rt;
USE sluice_rt;

CREATE TABLE big (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  u BIGINT UNSIGNED NOT NULL,
  i SMALLINT NULL,
  s VARCHAR(40) NULL,
  d DECIMAL(14,4) NULL,
  f FLOAT NULL,
  dbl DOUBLE NULL,
  dt DATETIME(6) NOT NULL,
  ts TIMESTAMP(3) NULL DEFAULT NULL,
  b VARBINARY(16) NULL,
  e ENUM('red','green','blue') NOT NULL,
  t TIME(2) NULL
) ENGINE=InnoDB;

BEGIN;
INSERT INTO big
SELECT seq,
       seq * 184467440737095,
       IF(seq % 9 = 0, NULL, (seq % 65536) - 32768),
       IF(seq % 6 = 0, NULL, CONCAT('row ', seq, IF(seq % 4 = 0, ' ✓ü', ''))),
       IF(seq % 8 = 0, NULL, (seq - 50000) * 1.0001),
       IF(seq % 10 = 0, NULL, seq / 3),
       IF(seq % 12 = 0, NULL, seq * 1.1e-3 - 7),
       TIMESTAMP'2024-03-01 08:00:00' + INTERVAL seq * 12345 MICROSECOND,
       IF(seq % 2 = 0, NULL, FROM_UNIXTIME(1709280000 + seq * 7 + (seq % 1000) / 1000)),
       IF(seq % 5 = 0, NULL, UNHEX(HEX(seq * 7919))),
       ELT(1 + seq % 3, 'red', 'green', 'blue'),
       IF(seq % 7 = 0, NULL, SEC_TO_TIME((seq % 7200) - 3600 + (seq % 100) / 100))
  FROM seq_1_to_100000;
COMMIT;

SET SESSION timestamp = 1709281800;            -- 08:30:00
BEGIN;
UPDATE big SET s = CONCAT(IFNULL(s, 'was null'), ' (upd)'), f = IFNULL(f, 0) + 0.5, e = 'blue' WHERE id % 10 = 1;
DELETE FROM big WHERE id % 20 = 2;
COMMIT;
