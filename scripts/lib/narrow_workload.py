# SQL generator: writes the workload to stdout, watching the binlog size to pace the clock.
# Run by scripts/lib/binlog-generator.sh; the client, pacing and counters: binlog_workload.py.
import random

from binlog_workload import clock, counts, finish, run, w

rnd = random.Random(20240601)
STOP_MARGIN = 3 * 1048576  # stop this far below target (the client/server lag a little behind)

def q(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"

FIRST = ["Anna", "José", "Zoë", "Łukasz", "Søren", "Françoise", "Björn", "Ольга", "Дмитрий",
         "王小明", "李娜", "佐藤", "さくら", "김민준", "Αλέξανδρος", "محمد", "יעל", "Priya", "Chidi",
         "Mateo", "Ngozi", "Nguyễn", "Đức", "Ayşe", "Émile", "O'Brien", "Tomás", "Ægir"]
LAST = ["Müller", "García", "Smith", "Kowalski", "Øvergaard", "Dubois", "Иванова", "张", "田中",
        "박", "Papadopoulos", "Haddad", "Cohen", "Sharma", "Okafor", "Trần", "Yılmaz", "Lefèvre",
        "O'Connor", "da Silva", "van der Berg", "Ström"]
EMOJI = ["🎉", "🚚", "📦", "✅", "❤️", "🔥", "👍", "🙂", "☕", "🛒", "💳", "⭐"]
NOTES = ["leave at the door", "call before delivery", "gift wrap please", "fragile — handle with care",
         "Lieferung an Nachbarn erlaubt", "请放在门口", "配達前に電話してください", "sin cebolla",
         "priority customer", "", "back-order OK", "deliver after 18:00", "увага: злий пес",
         "second attempt", "rush order"]
COUNTRIES = ["DE", "FR", "US", "GB", "PL", "CN", "JP", "KR", "BR", "IN", "NG", "VN", "TR", "IL", "SE", "NL", "ES"]
CURR = ["EUR", "USD", "GBP", "PLN", "JPY", "CNY", "BRL"]
STATUS = ["new", "paid", "shipped", "delivered", "cancelled", "refunded"]
ACTIONS = ["order.create", "order.pay", "order.ship", "order.cancel", "login", "logout",
           "profile.update", "password.reset", "cart.add", "cart.remove", "search"]
MIMES = ["image/png", "image/jpeg", "application/pdf", "application/octet-stream", "text/plain"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4)",
          "curl/8.5.0", "okhttp/4.12.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/126.0"]

N_CUST0, N_INV = 200000, 20000
next_cust = N_CUST0 + 1
next_order = 1
next_audit = 1
min_audit = 1
next_att = 1
altered = False

def name():
    s = rnd.choice(FIRST) + " " + rnd.choice(LAST)
    if rnd.random() < 0.08:
        s += " " + rnd.choice(EMOJI)
    return s

def sku(i=None):
    return "SKU-%06d" % (i if i is not None else rnd.randint(1, N_INV))

def money(lo, hi, scale=2):
    return ("%." + str(scale) + "f") % rnd.uniform(lo, hi)

def profile_json():
    tags = rnd.sample(["vip", "newsletter", "b2b", "returns", "fraud-check", "mobile", "学生", "früh"], rnd.randint(0, 3))
    return ('{"lang":"%s","newsletter":%s,"tags":[%s],"address":{"city":"%s","zip":"%05d"},"score":%.3f}'
            % (rnd.choice(["de", "en", "fr", "zh", "ja", "pl"]), rnd.choice(["true", "false"]),
               ",".join('"%s"' % t for t in tags),
               rnd.choice(["Berlin", "Paris", "Kraków", "東京", "北京", "São Paulo", "Zürich", "Łódź", "Austin"]),
               rnd.randint(1000, 99999), rnd.uniform(0, 100)))

def audit_json(action, ref):
    return ('{"action":"%s","ref":%d,"ua":"%s","ok":%s,"ms":%d,"meta":{"ip_v6":%s,"retries":%d}}'
            % (action, ref, rnd.choice(AGENTS), rnd.choice(["true", "true", "true", "false"]),
               rnd.randint(1, 2500), rnd.choice(["true", "false"]), rnd.randint(0, 3)))

def ip_expr():
    if rnd.random() < 0.8:
        return "INET6_ATON('%d.%d.%d.%d')" % (rnd.randint(1, 223), rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))
    return "INET6_ATON('2001:db8:%x:%x::%x')" % (rnd.randint(0, 65535), rnd.randint(0, 65535), rnd.randint(1, 65535))

def audit_insert(action, ref):
    global next_audit
    aid = next_audit; next_audit += 1
    counts["stmt_rows_insert"] += 1
    return ("INSERT INTO audit_log (id,at,actor,action,payload,ip) VALUES (%d,NOW(3),%s,%s,%s,%s);"
            % (aid, q("user%d@example.com" % rnd.randint(1, next_cust - 1)), q(action), q(audit_json(action, ref)), ip_expr()))

# ---- small transactions -------------------------------------------------------------------
def t_new_order():
    global next_order
    oid = next_order; next_order += 1
    k = rnd.choice([1, 1, 1, 2, 2, 3, 4, 5, 6])
    skus = rnd.sample(range(1, N_INV + 1), k)
    cols = "id,customer_id,status,amount,tax,currency,items,note,created_at,updated_at"
    vals = "%d,%d,'new',%s,%s,%s,%d,%s,NOW(6),NOW(3)" % (
        oid, rnd.randint(1, next_cust - 1), money(5, 2500), money(0, 99, 4), q(rnd.choice(CURR)), k,
        "NULL" if rnd.random() < 0.3 else q(rnd.choice(NOTES) + (" " + rnd.choice(EMOJI) if rnd.random() < 0.1 else "")))
    if altered:
        cols += ",coupon"
        vals += "," + ("NULL" if rnd.random() < 0.7 else q("SUMMER%02d" % rnd.randint(0, 99)))
    s = "INSERT INTO orders (%s) VALUES (%s);" % (cols, vals)
    items = ",".join("(%d,%d,%s,%d,%s,%s)" % (oid, i + 1, q(sku(x)), rnd.randint(1, 5), money(1, 400),
                                             rnd.choice(["0", "0", "0.05", "0.1", "0.15", "0.333"]))
                     for i, x in enumerate(skus))
    s += "INSERT INTO order_items (order_id,line,sku,qty,price,discount) VALUES %s;" % items
    s += "UPDATE inventory SET qty=qty-%d, updated_at=NOW(2) WHERE sku IN (%s);" % (
        rnd.randint(1, 3), ",".join(q(sku(x)) for x in skus))
    counts["stmt_rows_insert"] += 1 + k; counts["stmt_rows_update"] += k
    return s

def t_order_status():
    if next_order < 2: return t_new_order()
    oid = rnd.randint(max(1, next_order - 5000), next_order - 1)
    st = rnd.choice(["paid", "paid", "shipped", "delivered"])
    counts["stmt_rows_update"] += 1
    return ("UPDATE orders SET status='%s', updated_at=NOW(3) WHERE id=%d;" % (st, oid)
            + audit_insert("order." + ("pay" if st == "paid" else "ship"), oid))

def t_customer_touch():
    cid = rnd.randint(1, next_cust - 1)
    counts["stmt_rows_update"] += 1
    return ("UPDATE customers SET last_login=NOW(6), score=score+%.4f, balance=balance-%s, profile=%s WHERE id=%d;"
            % (rnd.uniform(-2, 5), money(0, 50, 4), q(profile_json()), cid))

def t_cancel():
    if next_order < 2: return t_new_order()
    oid = rnd.randint(max(1, next_order - 3000), next_order - 1)
    counts["stmt_rows_update"] += 1
    return ("DELETE FROM order_items WHERE order_id=%d;" % oid
            + "UPDATE orders SET status='cancelled', updated_at=NOW(3) WHERE id=%d;" % oid
            + audit_insert("order.cancel", oid))

def t_attachment():
    global next_att
    aid = next_att; next_att += 1
    n = rnd.randint(1, 6)
    blob = "CONCAT(%s)" % ",".join(["RANDOM_BYTES(1024)"] * (n - 1) + ["RANDOM_BYTES(%d)" % rnd.randint(1, 1024)])
    counts["stmt_rows_insert"] += 1
    return ("INSERT INTO attachments (id,order_id,mime,data,sha1,created) VALUES (%d,%d,%s,%s,SHA1(RAND()),NOW(6));"
            % (aid, rnd.randint(1, max(1, next_order - 1)), q(rnd.choice(MIMES)), blob))

def t_new_customer():
    global next_cust
    cid = next_cust; next_cust += 1
    counts["stmt_rows_insert"] += 1
    return ("INSERT INTO customers (id,email,name,country,balance,birthday,profile,last_login,score,vip,tier) "
            "VALUES (%d,%s,%s,%s,%s,'%04d-%02d-%02d',%s,NULL,%.6f,%d,%s);"
            % (cid, q("user%d@example.com" % cid), q(name()), q(rnd.choice(COUNTRIES)), money(0, 1000, 4),
               rnd.randint(1940, 2006), rnd.randint(1, 12), rnd.randint(1, 28), q(profile_json()),
               rnd.uniform(0, 100), rnd.random() < 0.05, q(rnd.choice(["free", "basic", "pro", "enterprise"]))))

def t_purge():
    global min_audit
    if next_audit - min_audit < 5000: return t_customer_touch()
    n = rnd.randint(5, 40)
    s = "DELETE FROM audit_log WHERE id BETWEEN %d AND %d;" % (min_audit, min_audit + n - 1)
    min_audit += n
    counts["stmt_rows_delete"] += n  # upper bound: ids deleted by earlier purges are skipped
    return s

SMALL = [(t_new_order, 34), (t_order_status, 24), (t_customer_touch, 14), (t_cancel, 7),
         (t_attachment, 3), (t_new_customer, 5), (t_purge, 3)]
SMALL_FUNCS = [f for f, wgt in SMALL for _ in range(wgt)]

def small_trx(progress):
    counts["transactions"] += 1; counts["small_transactions"] += 1
    if rnd.random() < 0.08:   # autocommit single statement, no BEGIN/COMMIT
        return clock(progress) + audit_insert(rnd.choice(ACTIONS), rnd.randint(1, 10**6))
    return clock(progress) + "BEGIN;" + rnd.choice(SMALL_FUNCS)() + "COMMIT;"

# ---- bulk transactions --------------------------------------------------------------------
def bulk_import_orders(progress):
    global next_order
    b = next_order - 1; next_order += 100000
    counts["stmt_rows_insert"] += 100000
    return (clock(progress) + "BEGIN;INSERT INTO orders (id,customer_id,status,amount,tax,currency,items,note,created_at,updated_at) "
            "SELECT %d+seq, 1+(seq*7919)%%%d, ELT(1+seq%%6,'new','paid','shipped','delivered','cancelled','refunded'), "
            "ROUND(RAND(seq)*2500,2), ROUND(RAND(seq+1)*99,4), ELT(1+seq%%7,'EUR','USD','GBP','PLN','JPY','CNY','BRL'), "
            "1+seq%%9, IF(seq%%3=0,NULL,CONCAT('import batch 2024-06 #',seq,IF(seq%%11=0,' — nachgeliefert ✅',''))), "
            "NOW(6) - INTERVAL seq*37 SECOND, NOW(3) FROM seq_1_to_100000;COMMIT;" % (b, N_CUST0))

def bulk_customer_update(progress):
    counts["stmt_rows_update"] += 100000
    return (clock(progress) + "BEGIN;UPDATE customers SET tier=ELT(1+id%%4,'free','basic','pro','enterprise'), "
            "balance=balance*1.0125, profile=JSON_SET(profile,'$.migrated',true,'$.migration','2024-06-01 v2'), "
            "score=score*0.97 WHERE id BETWEEN 50001 AND 150000;COMMIT;").replace("%%", "%")

def bulk_audit_insert(progress):
    global next_audit
    b = next_audit - 1; next_audit += 100000
    counts["stmt_rows_insert"] += 100000
    return (clock(progress) + "BEGIN;INSERT INTO audit_log (id,at,actor,action,payload,ip) SELECT %d+seq, NOW(3) - INTERVAL seq SECOND, "
            "CONCAT('batch-job-',seq%%17), 'reindex', "
            "CONCAT('{\"doc\":',seq,',\"shard\":',seq%%64,',\"status\":\"',ELT(1+seq%%3,'ok','skipped','retried'),'\"}'), "
            "INET6_ATON(CONCAT('10.',seq%%256,'.',(seq DIV 256)%%256,'.1')) FROM seq_1_to_100000;COMMIT;" % b)

def bulk_audit_purge(progress):
    global min_audit
    lo, hi = min_audit, min_audit + 99999
    min_audit = hi + 1
    counts["stmt_rows_delete"] += 100000
    return clock(progress) + "BEGIN;DELETE FROM audit_log WHERE id BETWEEN %d AND %d;COMMIT;" % (lo, hi)

def bulk_order_sweep(progress):
    counts["stmt_rows_update"] += 100000
    return (clock(progress) + "BEGIN;UPDATE orders SET status='delivered', updated_at=NOW(3) "
            "WHERE id BETWEEN 1 AND 100000;COMMIT;")

def alter_orders(progress):
    global altered
    altered = True
    return clock(progress) + "ALTER TABLE orders ADD COLUMN coupon VARCHAR(16) CHARACTER SET ascii NULL AFTER note;"

def price_update(progress):
    lo = rnd.randint(1, N_INV - 2000)
    counts["stmt_rows_update"] += 2000
    counts["transactions"] += 1
    return (clock(progress) + "BEGIN;UPDATE inventory SET price=ROUND(price*%s,2), updated_at=NOW(2), "
            "tags=IF(qty<100,'sale,bulky',tags) WHERE sku BETWEEN %s AND %s;COMMIT;"
            % (rnd.choice(["1.01", "0.99", "1.05", "0.95"]), q(sku(lo)), q(sku(lo + 1999))))

BULK = [(0.12, bulk_import_orders), (0.30, bulk_customer_update), (0.45, bulk_audit_insert),
        (0.50, alter_orders), (0.62, bulk_audit_purge), (0.85, bulk_order_sweep)]

# ---- schema and initial load -------------------------------------------------------------
w("DELIMITER $$\n")
w(clock(0) + """CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;$$
USE shop$$
CREATE TABLE customers (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  email VARCHAR(191) CHARACTER SET ascii NOT NULL,
  name VARCHAR(100) NOT NULL,
  country CHAR(2) CHARACTER SET ascii NOT NULL,
  balance DECIMAL(18,4) NOT NULL DEFAULT 0,
  birthday DATE NULL,
  profile TEXT NULL,
  last_login TIMESTAMP(6) NULL DEFAULT NULL,
  score DOUBLE NOT NULL DEFAULT 0,
  vip TINYINT(1) NOT NULL DEFAULT 0,
  tier ENUM('free','basic','pro','enterprise') NOT NULL DEFAULT 'free'
) ENGINE=InnoDB$$
CREATE TABLE inventory (
  sku VARCHAR(32) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  title VARCHAR(200) NOT NULL,
  qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  weight FLOAT NULL,
  tags SET('new','sale','fragile','bulky','digital') NOT NULL DEFAULT '',
  updated_at DATETIME(2) NOT NULL,
  description MEDIUMTEXT NULL
) ENGINE=InnoDB$$
CREATE TABLE orders (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('new','paid','shipped','delivered','cancelled','refunded') NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  tax DECIMAL(8,4) NULL,
  currency CHAR(3) CHARACTER SET ascii NOT NULL,
  items SMALLINT NOT NULL,
  note VARCHAR(255) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY (customer_id)
) ENGINE=InnoDB$$
CREATE TABLE order_items (
  order_id BIGINT UNSIGNED NOT NULL,
  line SMALLINT UNSIGNED NOT NULL,
  sku VARCHAR(32) CHARACTER SET ascii NOT NULL,
  qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  discount FLOAT NOT NULL DEFAULT 0,
  PRIMARY KEY (order_id, line)
) ENGINE=InnoDB$$
CREATE TABLE audit_log (
  id BIGINT NOT NULL PRIMARY KEY,
  at DATETIME(3) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  action VARCHAR(32) NOT NULL,
  payload JSON NULL,
  ip VARBINARY(16) NULL
) ENGINE=InnoDB$$
CREATE TABLE attachments (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  mime VARCHAR(64) NOT NULL,
  data BLOB NOT NULL,
  sha1 CHAR(40) CHARACTER SET ascii NOT NULL,
  created TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB$$
""")
for b in range(0, N_CUST0, 10000):
    counts["transactions"] += 1; counts["bulk_transactions"] += 1
    counts["stmt_rows_insert"] += 10000
    w(clock(0) + "BEGIN;INSERT INTO customers (id,email,name,country,balance,birthday,profile,last_login,score,vip,tier) "
      "SELECT %d+seq, CONCAT('user',%d+seq,'@example.com'), "
      "CONCAT(ELT(1+seq%%12,'Anna','José','Zoë','Łukasz','Ольга','王小明','さくら','김민준','Αλέξανδρος','محمد','Priya','Nguyễn'),' ',"
      "ELT(1+(seq DIV 12)%%10,'Müller','García','Smith','Kowalski','Иванова','张','田中','Haddad','Øvergaard','Trần'),IF(seq%%50=0,' 🎉','')), "
      "ELT(1+seq%%8,'DE','FR','US','GB','PL','CN','JP','BR'), ROUND(RAND(seq)*1000,4), "
      "DATE'1950-01-01' + INTERVAL (seq*17)%%20000 DAY, "
      "CONCAT('{\"lang\":\"',ELT(1+seq%%4,'de','en','fr','zh'),'\",\"newsletter\":',IF(seq%%2,'true','false'),',\"signup\":',seq,'}'), "
      "IF(seq%%5=0,NULL,NOW(6) - INTERVAL seq SECOND), RAND(seq+7)*100, seq%%20=0, ELT(1+seq%%4,'free','basic','pro','enterprise') "
      "FROM seq_1_to_10000;COMMIT;$$\n" % (b, b))
for b in range(0, N_INV, 10000):
    counts["transactions"] += 1; counts["bulk_transactions"] += 1
    counts["stmt_rows_insert"] += 10000
    w(clock(0) + "BEGIN;INSERT INTO inventory (sku,title,qty,price,weight,tags,updated_at,description) "
      "SELECT CONCAT('SKU-',LPAD(%d+seq,6,'0')), CONCAT(ELT(1+seq%%6,'Tasse','Chaise','茶碗','Lampe','Блокнот','Kabel'),' #',seq,IF(seq%%40=0,' ⭐','')), "
      "100+seq%%5000, ROUND(1+RAND(seq)*400,2), RAND(seq+3)*20, ELT(1+seq%%5,'','new','sale,fragile','bulky','digital,new'), "
      "NOW(2), IF(seq%%3=0,NULL,REPEAT(CONCAT('Beschreibung/description ',seq,'. '),1+seq%%6)) FROM seq_1_to_10000;COMMIT;$$\n" % b)

# ---- main loop: ~40 transactions per round trip; the clock follows the bytes written --------
run(small_trx, per_round=40, sync_every=25, bulk=BULK, periodic=price_update, periodic_every=2000,
    stop_margin=STOP_MARGIN, counted=lambda make: make is not alter_orders)

finish()
