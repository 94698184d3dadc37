# SQL generator for the wide-row workload: writes to the mariadb client, watching the binlog size.
# Run by scripts/lib/binlog-generator.sh; the client, pacing and counters: binlog_workload.py.
import json, random

from binlog_workload import clock, counts, finish, run, w

rnd = random.Random(20261207)
STOP_MARGIN = 2 * 1048576

def q(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"

# Words for utf8mb4 text: ASCII, accents, Cyrillic, Greek, CJK, Arabic, Hebrew, 4-byte emoji and
# supplementary-plane CJK (𠮷), JSON/SQL specials (quotes, backslashes, tabs, newlines).
WORDS = ("the quick brown fox jumps over lazy dog replication binlog offset checksum transaction "
         "Größe Straße naïve café déjà façade Ærø Ørsted Łódź żółć "
         "Привет мир данные журнал Αθήνα δεδομένα 日本語 東京都 数据库 中文测试 한국어 데이터 "
         "مرحبا שלום 😀 🚀 📦 ✅ 🎉 🔥 𠮷野家 𝄞 👩‍💻 "
         "\"quoted\" back\\slash tab\there new\nline C:\\path\\to\\file <tag/> &amp; {json:1}").split(" ")
ASCII_WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()
LATIN1 = ("Café crème brûlée, naïve façade; Straße Größe £5 ½ © ® ° ± µ ¿Qué? ¡Olé! Ærø Øre Åse "
          "Zürich Genève Málaga São Paulo señor àéîõü ÀÉÎÕÜ ß ÿ € „quotes“ – — … ™").split(" ")
SJIS = ("東京 大阪 日本語 テキスト ひらがな カタカナ 株式会社 漢字 変換 文字列 データ 記録 "
        "ｶﾀｶﾅ 全角 ＡＢＣ １２３ 〒 ※ ① 髙 﨑 ～ ① ② Ⅰ").split(" ")
SJIS_SAFE = ("東京 大阪 日本語 テキスト ひらがな カタカナ 株式会社 漢字 変換 文字列 データ 記録 "
             "ｶﾀｶﾅ 全角 ＡＢＣ １２３ 〒 ※ abc 123").split(" ")
GBK = "北京 上海 中文 测试 数据 记录 汉字 转换 字符串 广州 深圳 你好 世界 编码".split(" ")

def text(nbytes, words=WORDS):
    parts, n = [], 0
    while n < nbytes:
        chunk = " ".join(rnd.choices(words, k=64))
        parts.append(chunk)
        n += len(chunk.encode("utf-8")) + 1
    return " ".join(parts)[:nbytes]

def sized(lo, hi):
    # log-uniform 10 KB .. 200 KB: many ~20 KB values, some ~200 KB
    import math
    return int(math.exp(rnd.uniform(math.log(lo), math.log(hi))))

def json_doc(nbytes):
    items, n = [], 0
    while n < nbytes:
        it = {"id": rnd.randint(1, 10**9), "name": text(rnd.randint(20, 200)),
              "price": round(rnd.uniform(0, 1e4), 2), "ok": rnd.random() < 0.5, "none": None,
              "tags": rnd.sample(WORDS, 3), "nested": {"a": [1, 2.5, "x"], "b": {"c": text(30)}}}
        s = json.dumps(it, ensure_ascii=False)
        items.append(s); n += len(s.encode("utf-8"))
    return '{"schema":"wide.v1","items":[' + ",".join(items) + ']}'

def blob_hex(nbytes):
    return "X'" + rnd.randbytes(nbytes).hex() + "'"

next_article = 1
next_comment = 1
next_event = 1
live_articles = []

def t_article_insert():
    global next_article
    aid = next_article; next_article += 1
    live_articles.append(aid)
    counts["stmt_rows_insert"] += 1
    body = text(sized(10_000, 200_000))
    doc = "NULL" if rnd.random() < 0.3 else q(json_doc(sized(10_000, 120_000)))
    att = "NULL" if rnd.random() < 0.5 else blob_hex(sized(10_000, 200_000))
    return ("INSERT INTO articles (id,title,body,doc,attachment,summary_latin1,summary_sjis,tags,score,views,updated,created) "
            "VALUES (%d,%s,%s,%s,%s,%s,%s,%s,%.4f,%d,NOW(6),NOW(6));"
            % (aid, q(text(rnd.randint(20, 400))), q(body), doc, att, q(text(rnd.randint(200, 3000), LATIN1)),
               q(text(rnd.randint(200, 3000), SJIS_SAFE)), q(",".join(rnd.sample(WORDS, 5))),
               rnd.uniform(-1e6, 1e6), rnd.randint(0, 10**12)))

def t_article_update():
    if not live_articles: return t_article_insert()
    aid = rnd.choice(live_articles)
    counts["stmt_rows_update"] += 1
    if rnd.random() < 0.5:
        return ("UPDATE articles SET views=views+%d, score=score+0.5, updated=NOW(6), summary_sjis=%s WHERE id=%d;"
                % (rnd.randint(1, 100), q(text(rnd.randint(100, 2000), SJIS_SAFE)), aid))
    return ("UPDATE articles SET body=CONCAT(LEFT(body, 5000), %s), doc=JSON_SET(COALESCE(doc,'{}'),'$.rev',%d), updated=NOW(6) WHERE id=%d;"
            % (q(text(sized(10_000, 100_000))), rnd.randint(1, 99), aid))

def t_article_delete():
    if len(live_articles) < 50: return t_article_insert()
    aid = live_articles.pop(rnd.randrange(len(live_articles)))
    counts["stmt_rows_delete"] += 1
    return "DELETE FROM articles WHERE id=%d;" % aid

def comment_values(n):
    global next_comment
    rows = []
    for _ in range(n):
        cid = next_comment; next_comment += 1
        rows.append("(%d,%d,%s,%s,%s,%s,NOW(3))" % (
            cid, rnd.randint(1, max(1, next_article - 1)), q(text(rnd.randint(8, 60))),
            q(text(rnd.randint(200, 2000))), q(text(rnd.randint(20, 300), SJIS_SAFE)),
            q(text(rnd.randint(20, 300), LATIN1))))
    counts["stmt_rows_insert"] += n
    return "INSERT INTO comments (id,article_id,author,body,note_sjis,note_latin1,created) VALUES %s;" % ",".join(rows)

def t_comments():
    n = rnd.choice([1, 1, 1, 2, 3, 5, 10, 20, 50, 100])
    return comment_values(n)

def event_values(n):
    global next_event
    rows = []
    for _ in range(n):
        eid = next_event; next_event += 1
        payload = json.dumps({"k": rnd.choice(ASCII_WORDS), "v": text(rnd.randint(20, 600)),
                              "n": rnd.randint(-10**6, 10**6)}, ensure_ascii=rnd.random() < 0.3)
        rows.append("(%d,%s,%s,%s,%s,%s,NOW(3))" % (
            eid, q(rnd.choice(ASCII_WORDS)), q(payload), q(text(rnd.randint(20, 400))),
            q(text(rnd.randint(10, 200), LATIN1)), q(text(rnd.randint(10, 200), GBK))))
    counts["stmt_rows_insert"] += n
    return "INSERT INTO events (id,kind,payload,message,note_latin1,note_gbk,at) VALUES %s;" % ",".join(rows)

def t_events():
    return event_values(rnd.randint(1, 8))

SMALL = [(t_article_insert, 10), (t_article_update, 6), (t_article_delete, 1), (t_comments, 13), (t_events, 70)]
SMALL_FUNCS = [f for f, wgt in SMALL for _ in range(wgt)]

def small_trx(progress):
    counts["transactions"] += 1; counts["small_transactions"] += 1
    if rnd.random() < 0.05:
        return clock(progress) + t_events()
    return clock(progress) + "BEGIN;" + rnd.choice(SMALL_FUNCS)() + "COMMIT;"

# ---- bulk transactions (1k .. 100k rows) ----------------------------------------------------
def bulk_events(progress, n):
    global next_event
    b = next_event - 1; next_event += n
    counts["stmt_rows_insert"] += n
    return (clock(progress) + "BEGIN;INSERT INTO events (id,kind,payload,message,note_latin1,note_gbk,at) "
            "SELECT %d+seq, ELT(1+seq%%5,'click','view','buy','refund','login'), "
            "CONCAT('{\"seq\":',seq,',\"msg\":\"',REPEAT('Größe 😀 данные 東京 ',1+seq%%4),'\",\"ok\":',IF(seq%%2,'true','false'),'}'), "
            "CONCAT('bulk row ',seq,' — ',REPEAT('数据库 replication 🚀 ',1+seq%%3)), "
            "CONCAT('Café crème n°',seq,REPEAT(' Straße',seq%%3)), CONCAT('北京 编码 ',seq,REPEAT(' 中文',seq%%5)), "
            "NOW(3) - INTERVAL seq SECOND FROM seq_1_to_%d;COMMIT;" % (b, n))

def bulk_event_update(progress, lo, n):
    counts["stmt_rows_update"] += n
    return (clock(progress) + "BEGIN;UPDATE events SET payload=JSON_SET(payload,'$.ok',false,'$.note','révisé — 已更新 ✅'), "
            "note_gbk=CONCAT(note_gbk,' 更新'), note_latin1=CONCAT('révisé ',id) WHERE id BETWEEN %d AND %d;COMMIT;" % (lo, lo + n - 1))

def medium_events(progress):
    n = rnd.choice([1000, 2000, 5000, 10000])
    counts["transactions"] += 1; counts["bulk_transactions"] += 1
    return bulk_events(progress, n)

def bulk_comment_update(progress, n):
    counts["stmt_rows_update"] += n
    return (clock(progress) + "BEGIN;UPDATE comments SET note_sjis=CONCAT('更新済み ',id), note_latin1=CONCAT('révisé ',id) "
            "WHERE id <= %d;COMMIT;" % n)

def bulk_event_delete(progress, n):
    counts["stmt_rows_delete"] += n
    return clock(progress) + "BEGIN;DELETE FROM events WHERE id <= %d;COMMIT;" % n

def bulk_comments(progress, n):
    counts["transactions"] += 0
    return clock(progress) + "BEGIN;" + comment_values(n) + "COMMIT;"

BULK = [(0.10, lambda p: bulk_events(p, 100000)), (0.25, lambda p: bulk_comments(p, 1000)),
        (0.40, lambda p: bulk_event_update(p, 20001, 20000)), (0.55, lambda p: bulk_events(p, 20000)),
        (0.62, lambda p: bulk_comment_update(p, 10000)),
        (0.70, lambda p: bulk_event_delete(p, 30000)), (0.85, lambda p: bulk_comments(p, 3000))]

w("DELIMITER $$\n")
w(clock(0) + """CREATE DATABASE wide CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;$$
USE wide$$
CREATE TABLE articles (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  title VARCHAR(500) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  doc JSON NULL,
  attachment MEDIUMBLOB NULL,
  summary_latin1 TEXT CHARACTER SET latin1 NULL,
  summary_sjis TEXT CHARACTER SET sjis NULL,
  tags VARCHAR(1000) NULL,
  score DECIMAL(14,4) NOT NULL,
  views BIGINT UNSIGNED NOT NULL,
  updated DATETIME(6) NOT NULL,
  created TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB$$
CREATE TABLE comments (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  article_id BIGINT UNSIGNED NOT NULL,
  author VARCHAR(300) NOT NULL,
  body TEXT NOT NULL,
  note_sjis VARCHAR(1000) CHARACTER SET sjis NULL,
  note_latin1 VARCHAR(1000) CHARACTER SET latin1 NULL,
  created DATETIME(3) NOT NULL
) ENGINE=InnoDB$$
CREATE TABLE events (
  id BIGINT NOT NULL PRIMARY KEY,
  kind VARCHAR(32) CHARACTER SET ascii NOT NULL,
  payload JSON NULL,
  message TEXT NULL,
  note_latin1 VARCHAR(1000) CHARACTER SET latin1 NULL,
  note_gbk VARCHAR(1000) CHARACTER SET gbk NULL,
  at DATETIME(3) NOT NULL
) ENGINE=InnoDB$$
""")

run(small_trx, per_round=20, sync_every=5, bulk=BULK, periodic=medium_events, periodic_every=400,
    stop_margin=STOP_MARGIN)
finish()
