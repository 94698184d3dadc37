-- Runs before the schema dump: the tables the workload then ALTERs between its DML.
SET SESSION timestamp = 1709251200;
CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE shop;
CREATE TABLE items (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(20) NOT NULL,
  qty INT NOT NULL DEFAULT 0,
  note TEXT
) ENGINE=InnoDB;
CREATE TABLE people (
  pid INT NOT NULL,
  email VARCHAR(50) NOT NULL,
  nick VARCHAR(10) CHARACTER SET latin1,
  UNIQUE KEY uk_email (email)
) ENGINE=InnoDB;
CREATE TABLE ledger (
  a INT NOT NULL,
  b CHAR(2) NOT NULL,
  amount DECIMAL(10,2),
  PRIMARY KEY (b, a)
) ENGINE=InnoDB;
INSERT INTO items VALUES (1, 'apple', 3, 'red'), (2, 'pear', 5, NULL);
INSERT INTO people VALUES (1, 'a@x', 'ann'), (2, 'b@x', NULL);
INSERT INTO ledger VALUES (1, 'eu', 1.50), (2, 'us', -2.25);
