-- Bulk part of the fixture workload (run after workload.sql, only for the
-- main fixture set): one transaction with a few thousand rows spread over
-- many Rows events, then a mixed transaction of updates and deletes.
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';
SET SESSION timestamp = 1709276400;            -- 2024-03-01 07:00:00
CREATE DATABASE sluice_bulk;
USE sluice_bulk;

CREATE TABLE events (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  kind ENUM('click','view','buy','refund') NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  amount DECIMAL(12,4) NULL,
  score DOUBLE NULL,
  label VARCHAR(64) NULL,
  payload VARBINARY(32) NULL,
  at DATETIME(3) NOT NULL,
  seen TIMESTAMP(6) NULL DEFAULT NULL
) ENGINE=InnoDB;

BEGIN;
INSERT INTO events
SELECT seq,
       ELT(1 + seq % 4, 'click', 'view', 'buy', 'refund'),
       (seq * 2654435761) % 18446744073709551557,
       IF(seq % 7 = 0, NULL, (seq % 1000) * 1.2345 - 600),
       IF(seq % 11 = 0, NULL, seq / 7.0e0),
       IF(seq % 5 = 0, NULL, CONCAT('label-', seq, IF(seq % 3 = 0, '-ü😀', ''))),
       IF(seq % 13 = 0, NULL, UNHEX(LPAD(HEX(seq * 31), 8 + seq % 16, '0'))),
       TIMESTAMP'2024-03-01 07:00:00' + INTERVAL seq * 1001000 MICROSECOND,
       IF(seq % 2 = 0, NULL, FROM_UNIXTIME(1709276400 + seq + (seq % 1000) / 1000000))
  FROM seq_1_to_3000;
COMMIT;

SET SESSION timestamp = 1709278200;            -- 07:30:00
BEGIN;
UPDATE events SET amount = amount + 1, label = CONCAT(IFNULL(label, 'nolabel'), '+') WHERE id % 3 = 0;
DELETE FROM events WHERE id % 10 = 5;
INSERT INTO events (id, kind, user_id, at) VALUES (5000, 'buy', 18446744073709551615, '2024-03-01 07:30:00.000');
COMMIT;
