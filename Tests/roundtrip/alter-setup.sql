-- Live ALTER round trip (alter_roundtrip.py), part 1: runs before `mariadb-dump --no-data`.
SET SESSION timestamp = 1709251200;
CREATE DATABASE rt_shop CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE DATABASE rt_archive CHARACTER SET latin1;
USE rt_shop;
CREATE TABLE items (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(20) NOT NULL,
  qty SMALLINT NOT NULL DEFAULT 0,
  note TEXT,
  made DATETIME(2)
) ENGINE=InnoDB;
CREATE TABLE people (
  pid INT NOT NULL,
  email VARCHAR(50) NOT NULL,
  nick VARCHAR(10) CHARACTER SET latin1,
  born DATE,
  UNIQUE KEY uk_email (email)
) ENGINE=InnoDB;
CREATE TABLE ledger (
  a INT NOT NULL,
  b CHAR(2) NOT NULL,
  amount DECIMAL(10,2),
  flag ENUM('y','n') NOT NULL DEFAULT 'n',
  PRIMARY KEY (b, a)
) ENGINE=InnoDB;
CREATE TABLE events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at TIMESTAMP(3) NULL DEFAULT NULL,
  payload VARBINARY(16),
  bits BIT(5)
) ENGINE=InnoDB;
CREATE TABLE notes (k INT NOT NULL, body VARCHAR(30)) ENGINE=InnoDB;
INSERT INTO items VALUES (1, 'apple', 3, 'red', '2024-01-01 00:00:00.25'), (2, 'pear', 5, NULL, NULL);
INSERT INTO people VALUES (1, 'a@x', 'ann', '1990-05-06'), (2, 'b@x', NULL, NULL);
INSERT INTO ledger VALUES (1, 'eu', 1.50, 'y'), (2, 'us', -2.25, 'n');
INSERT INTO events (at, payload, bits) VALUES ('2024-02-29 23:59:59.999', X'00FF10', b'10101');
INSERT INTO notes VALUES (1, 'one'), (1, 'one'), (2, 'two');
