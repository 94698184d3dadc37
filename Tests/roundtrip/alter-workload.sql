-- Live ALTER round trip (alter_roundtrip.py), part 2: after the dump and FLUSH BINARY LOGS.
-- ALTERs between DML: add/drop/reorder (FIRST/AFTER)/rename columns, type changes, key changes,
-- ENUM/SET label changes, charset conversion, RENAME TABLE (single, multi, across databases),
-- CREATE/CREATE LIKE/CREATE SELECT/DROP inside the workload.
USE rt_shop;
SET SESSION timestamp = 1709254800;
INSERT INTO items VALUES (3, 'plum', 7, 'purple', '2024-01-02 03:04:05.67');
ALTER TABLE items ADD COLUMN price DECIMAL(8,2) AFTER name;
UPDATE items SET price = qty * 1.25;
ALTER TABLE items DROP COLUMN note;
INSERT INTO items (id, name, price, qty, made) VALUES (4, 'fig', 1.00, 9, NULL);
ALTER TABLE items MODIFY qty BIGINT UNSIGNED NOT NULL DEFAULT 0 FIRST;
UPDATE items SET qty = 18446744073709551615 WHERE id = 1;
ALTER TABLE items CHANGE name title VARCHAR(40) NOT NULL AFTER made;
UPDATE items SET title = CONCAT(title, ' ✓') WHERE id = 3;
ALTER TABLE items RENAME COLUMN price TO cost, MODIFY made DATETIME(6);
UPDATE items SET made = '2024-03-01 01:02:03.123456' WHERE id = 2;
DELETE FROM items WHERE id = 4;
ALTER TABLE items DROP PRIMARY KEY, ADD PRIMARY KEY (title, id);
UPDATE items SET cost = cost + 1;
ALTER TABLE items ADD COLUMN kind ENUM('fruit','veg') NOT NULL DEFAULT 'fruit', ADD COLUMN tags SET('a','b','c') AFTER qty;
UPDATE items SET kind = 'veg', tags = 'a,c' WHERE id = 1;
ALTER TABLE items MODIFY kind ENUM('fruit','veg','other') NOT NULL DEFAULT 'fruit' FIRST;
UPDATE items SET kind = 'other' WHERE id = 2;
ALTER TABLE items MODIFY cost DECIMAL(20,6), MODIFY tags SET('a','b','c','d') AFTER title;
INSERT INTO items (id, title, cost, qty, kind, tags, made) VALUES (5, 'kiwi', 12345678901234.123456, 1, 'veg', 'b,d', '1999-12-31 23:59:59.5');

SET SESSION timestamp = 1709256600;
UPDATE people SET nick = 'bee', born = '2000-02-29' WHERE pid = 2;
ALTER TABLE people ADD PRIMARY KEY (pid);
UPDATE people SET email = 'c@x' WHERE pid = 2;
ALTER TABLE people DROP INDEX uk_email, CONVERT TO CHARACTER SET latin1;
UPDATE people SET nick = 'zoë' WHERE pid = 1;
RENAME TABLE people TO persons;
INSERT INTO persons VALUES (3, 'd@x', 'dee', '1970-01-01');
ALTER TABLE persons ADD COLUMN joined DATETIME(3) NULL FIRST, ALGORITHM=COPY;
UPDATE persons SET joined = '2024-03-01 01:02:03.456';
ALTER TABLE persons MODIFY born DATETIME, CHANGE nick handle VARCHAR(20) CHARACTER SET utf8mb4 AFTER joined;
UPDATE persons SET handle = CONCAT(IFNULL(handle, '-'), ' 🙂') WHERE pid <= 2;
RENAME TABLE persons TO rt_archive.persons;
DELETE FROM rt_archive.persons WHERE pid = 3;

SET SESSION timestamp = 1709258400;
UPDATE ledger SET amount = amount * 2;
ALTER TABLE ledger ADD COLUMN memo VARCHAR(30) CHARACTER SET utf8mb3 AFTER b, MODIFY amount DECIMAL(12,3);
UPDATE ledger SET memo = 'doubled', flag = 'y';
ALTER TABLE ledger DROP PRIMARY KEY;
UPDATE ledger SET amount = -amount WHERE a = 2;
ALTER TABLE ledger ADD UNIQUE KEY uk_ab (a, b);
DELETE FROM ledger WHERE a = 1;
RENAME TABLE ledger TO ledger_old, events TO audit_events;
INSERT INTO ledger_old (a, b, memo, amount, flag) VALUES (3, 'jp', 'new', 0.001, 'n');
ALTER TABLE audit_events MODIFY at TIMESTAMP(6) NULL DEFAULT NULL, MODIFY bits BIT(12), MODIFY payload VARBINARY(300);
INSERT INTO audit_events (at, payload, bits) VALUES ('2038-01-19 03:14:07.999999', REPEAT(X'AB', 260), b'111100001111');
ALTER TABLE audit_events DROP COLUMN payload, ADD COLUMN label CHAR(3) CHARACTER SET ascii FIRST;
UPDATE audit_events SET label = 'ok' WHERE id = 1;

ALTER TABLE notes ADD COLUMN id INT NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST;
UPDATE notes SET body = UPPER(body) WHERE k = 1;
ALTER TABLE notes MODIFY k TINYINT UNSIGNED NOT NULL AFTER body;
DELETE FROM notes WHERE id = 2;
FLUSH BINARY LOGS;
CREATE TABLE extra LIKE items;
INSERT INTO extra SELECT * FROM items;
ALTER TABLE extra ADD COLUMN z INT FIRST, DROP COLUMN made;
UPDATE extra SET z = id;
DROP TABLE extra;
CREATE TABLE extra (k INT PRIMARY KEY, v VARCHAR(5)) ENGINE=InnoDB;
INSERT INTO extra VALUES (1, 'one');
CREATE TABLE summary ENGINE=InnoDB AS SELECT kind, COUNT(*) AS n FROM items GROUP BY kind;
INSERT INTO summary VALUES ('other', 0);
ALTER TABLE summary ADD COLUMN id INT NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST;
UPDATE summary SET n = n + 1;
