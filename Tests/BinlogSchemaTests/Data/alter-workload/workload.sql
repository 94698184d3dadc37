-- The workload: ALTERs (add/drop/reorder/rename columns, type and key changes) between DML.
-- Runs after FLUSH BINARY LOGS, so the workload's binlogs start after the dump.
USE shop;
SET SESSION timestamp = 1709254800;
INSERT INTO items VALUES (3, 'plum', 7, 'purple');
ALTER TABLE items ADD COLUMN price DECIMAL(8,2) AFTER name;
UPDATE items SET price = qty * 1.25;
ALTER TABLE items DROP COLUMN note;
INSERT INTO items VALUES (4, 'fig', 1.00, 9);
ALTER TABLE items MODIFY qty BIGINT UNSIGNED NOT NULL DEFAULT 0 FIRST;
UPDATE items SET qty = qty + 100 WHERE id <= 2;
ALTER TABLE items CHANGE name title VARCHAR(40) NOT NULL;
UPDATE items SET title = CONCAT(title, '!') WHERE id = 3;
ALTER TABLE items RENAME COLUMN price TO cost;
DELETE FROM items WHERE id = 4;
ALTER TABLE items DROP PRIMARY KEY, ADD PRIMARY KEY (title, id);
UPDATE items SET cost = cost + 1;
ALTER TABLE items ADD COLUMN kind ENUM('fruit','veg','other') NOT NULL DEFAULT 'fruit', ADD COLUMN tags SET('a','b','c') AFTER qty;
UPDATE items SET kind = 'other', tags = 'a,c' WHERE id = 1;

SET SESSION timestamp = 1709256600;
UPDATE people SET nick = 'bee' WHERE pid = 2;
ALTER TABLE people ADD PRIMARY KEY (pid);
UPDATE people SET email = 'c@x' WHERE pid = 2;
ALTER TABLE people DROP INDEX uk_email, CONVERT TO CHARACTER SET latin1;
UPDATE people SET nick = 'zed' WHERE pid = 1;
RENAME TABLE people TO persons;
INSERT INTO persons VALUES (3, 'd@x', 'dee');
ALTER TABLE persons ADD COLUMN joined DATETIME(3) NULL FIRST, ALGORITHM=COPY;
UPDATE persons SET joined = '2024-03-01 01:02:03.456';

SET SESSION timestamp = 1709258400;
UPDATE ledger SET amount = amount * 2;
ALTER TABLE ledger ADD COLUMN memo VARCHAR(30) CHARACTER SET utf8mb3 AFTER b, MODIFY amount DECIMAL(12,3);
UPDATE ledger SET memo = 'doubled';
FLUSH BINARY LOGS;
CREATE TABLE extra LIKE items;
INSERT INTO extra SELECT * FROM items;
ALTER TABLE extra ADD COLUMN z INT FIRST;
UPDATE extra SET z = id;
DROP TABLE extra;
CREATE TABLE extra (k INT PRIMARY KEY, v VARCHAR(5)) ENGINE=InnoDB;
INSERT INTO extra VALUES (1, 'one');
ALTER TABLE ledger DROP COLUMN memo;
DELETE FROM ledger WHERE a = 1;
