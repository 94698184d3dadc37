#!/usr/bin/env python3
"""Live round-trip test for Sluice's NDJSON export against a real MariaDB.

Modes (python3 + pymysql only):

  roundtrip.py [live] [--sluice PATH] [--keep] [--no-100k]
      Start a throwaway MariaDB (scripts/mariadb-sandbox.sh), run
      Fixtures/workload.sql, Fixtures/workload-bulk.sql and
      Tests/roundtrip/bulk-100k.sql (a 100,000-row transaction; --workload FILE
      runs FILE instead of the first two, --no-100k leaves out the last), SELECT every
      table, stop the server, run `sluice export --format ndjson` over the
      binlog files in order, rebuild every table from the NDJSON stream alone
      and compare it with the server's rows value by value. A sample of row
      events is also compared with `mariadb-binlog -vv` output.

  roundtrip.py offline FIXTURE_DIR [--sluice PATH]
      Same checks, without a server, against a committed fixture set
      (binlog.index + binlog.NNNNNN + expected-tables.json).

  roundtrip.py dump --socket PATH --out FILE
      Write expected-tables.json for a running server (used by
      Fixtures/generate.sh).

SLUICE (env) or --sluice gives the binary; default .build/debug/sluice, then
.build/release/sluice. The last line printed is always
`roundtrip: N passed, M failed` (N = tables checked plus the stream check).
"""

import argparse
import base64
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict, defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SANDBOX = REPO / "scripts" / "mariadb-sandbox.sh"
FIXTURES = REPO / "Fixtures"
WORKLOADS = [FIXTURES / "workload.sql", FIXTURES / "workload-bulk.sql"]
BULK_100K = Path(__file__).resolve().parent / "bulk-100k.sql"

SYSTEM_DBS = ("mysql", "information_schema", "performance_schema", "sys")
INT_TYPES = {"tinyint", "smallint", "mediumint", "int", "bigint"}
TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json"}
BINARY_TYPES = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}
GEOMETRY_TYPES = {"geometry", "point", "linestring", "polygon", "multipoint",
                  "multilinestring", "multipolygon", "geometrycollection"}
BYTES_TYPES = BINARY_TYPES | GEOMETRY_TYPES | {"inet6", "inet4", "uuid"}
# Workload timestamps: everything the workloads log lies in this window.
TS_MIN, TS_MAX = 1709251200, 1709251200 + 86400

MAX_DETAILS = int(os.environ.get("ROUNDTRIP_MAX_DETAILS", "25"))         # detail lines printed per table
MB_FULL_EVENTS = 300      # mariadb-binlog: events per table always compared
MB_SAMPLE_EVERY = 10      # ... then every Nth event
ALLOW_PARTIAL = False     # binlog_row_image=MINIMAL/NOBLOB: columns may be absent


# ----------------------------------------------------------------------------
# Value canonicalisation (server side), following the NDJSON export spec.
# ----------------------------------------------------------------------------

def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f32_shortest(x):
    """The float32 nearest to x, as the Python float of its shortest text."""
    v = f32(x)
    if v == 0 or math.isinf(v) or math.isnan(v):
        return v
    for p in range(1, 10):
        s = "%.*g" % (p, v)
        try:
            if f32(float(s)) == v:
                return float(s)
        except OverflowError:
            continue
    return v


def b64(b):
    return {"base64": base64.b64encode(bytes(b)).decode("ascii")}


def is_zero_temporal(s):
    return isinstance(s, str) and s.startswith("0000-00-00") and not s.strip("0-: .")


def quote_ident(name):
    return "`" + name.replace("`", "``") + "`"


def select_expr(col):
    n = quote_ident(col["name"])
    t = col["data_type"]
    if t in ("float", "double"):
        return "CAST(%s AS DOUBLE)" % n
    if t == "bit":
        return "CAST(%s AS UNSIGNED)" % n
    if t in ("inet6", "uuid"):
        return "CAST(%s AS BINARY(16))" % n
    if t == "inet4":
        return "CAST(%s AS BINARY(4))" % n
    return n


def canon_server(col, raw):
    """Server SELECT value (pymysql with conv={}) -> NDJSON-spec value."""
    if raw is None:
        return None
    t = col["data_type"]
    if isinstance(raw, (bytes, bytearray)) and not (t in BYTES_TYPES or col.get("charset") == "binary"):
        raw = raw.decode("utf-8", "surrogateescape")
    if t in INT_TYPES or t in ("year", "bit"):
        return int(raw)
    if t == "decimal":
        return raw
    if t == "float":
        return f32_shortest(float(raw))
    if t == "double":
        return float(raw)
    if t in ("date", "datetime", "time"):
        return raw
    if t == "timestamp":
        if is_zero_temporal(raw):
            return "0000-00-00 00:00:00"
        return raw.replace(" ", "T") + "Z"
    if t in ("enum", "set"):
        return raw
    if t in BYTES_TYPES or col.get("charset") == "binary":
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        return b64(raw)
    if t in TEXT_TYPES:
        return raw
    return raw if isinstance(raw, str) else b64(raw)


# ----------------------------------------------------------------------------
# Catalog + dump from a live server
# ----------------------------------------------------------------------------

def stop_sandbox(sandbox, work, keep, log):
    """Stops the sandbox server started in `sandbox`; deletes `work` unless `keep` (a failed run)."""
    subprocess.run([str(Path(__file__).resolve().parent.parent.parent / "scripts/mariadb-sandbox.sh"), "stop",
                    str(sandbox)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if keep:
        log("kept %s" % work)
    else:
        shutil.rmtree(str(work), ignore_errors=True)


def connect(socket_path):
    import pymysql
    return pymysql.connect(unix_socket=socket_path, user="root", password="",
                           charset="utf8mb4", conv={}, autocommit=True)


def load_catalog(conn):
    """[(db, table) -> table info], in name order."""
    cur = conn.cursor()
    cur.execute("SET SESSION time_zone = '+00:00'")
    ph = ",".join(["%s"] * len(SYSTEM_DBS))
    cur.execute("SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA NOT IN (%s) ORDER BY TABLE_SCHEMA, TABLE_NAME" % ph, SYSTEM_DBS)
    tables = OrderedDict()
    for db, name, ttype, engine in cur.fetchall():
        tables[(db, name)] = {"db": db, "table": name, "table_type": ttype, "engine": engine,
                              "pk": [], "columns": []}
    cur.execute("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE, "
                "CHARACTER_SET_NAME, IS_NULLABLE, EXTRA, DATETIME_PRECISION, NUMERIC_SCALE "
                "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA NOT IN (%s) "
                "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION" % ph, SYSTEM_DBS)
    for db, tname, cname, ordinal, dtype, ctype, cs, nullable, extra, dtp, scale in cur.fetchall():
        t = tables.get((db, tname))
        if t is None:
            continue
        t["columns"].append({
            "name": cname, "ordinal": int(ordinal), "data_type": dtype.lower(), "column_type": ctype,
            "charset": cs, "nullable": nullable == "YES", "extra": extra or "",
            "fsp": int(dtp) if dtp not in (None, "") else None,
            "scale": int(scale) if scale not in (None, "") else None,
        })
    cur.execute("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                "WHERE INDEX_NAME = 'PRIMARY' AND TABLE_SCHEMA NOT IN (%s) "
                "ORDER BY TABLE_SCHEMA, TABLE_NAME, SEQ_IN_INDEX" % ph, SYSTEM_DBS)
    for db, tname, cname in cur.fetchall():
        if (db, tname) in tables:
            tables[(db, tname)]["pk"].append(cname)
    # Without a PRIMARY KEY, MariaDB treats the first UNIQUE key over NOT NULL
    # columns as the primary key (and says so in the binlog's FULL metadata).
    cur.execute("SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, COLUMN_NAME, NULLABLE, SUB_PART, SEQ_IN_INDEX "
                "FROM information_schema.STATISTICS WHERE NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY' "
                "AND TABLE_SCHEMA NOT IN (%s)" % ph, SYSTEM_DBS)
    uniq = OrderedDict()
    for db, tname, iname, cname, nullable, sub, seq in cur.fetchall():
        ent = uniq.setdefault((db, tname, iname), {"cols": [], "ok": True})
        ent["cols"].append((int(seq), cname))
        if nullable == "YES" or sub not in (None, ""):
            ent["ok"] = False
    for (db, tname, iname), ent in uniq.items():
        t = tables.get((db, tname))
        if t is not None and not t["pk"] and ent["ok"]:
            t["pk"] = [c for _, c in sorted(ent["cols"])]
            t["pk_implicit"] = iname
    # MariaDB JSON columns are LONGTEXT with a json_valid() CHECK.
    cur.execute("SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
                "WHERE CHECK_CLAUSE LIKE 'json_valid(%%'")
    for db, tname, clause in cur.fetchall():
        t = tables.get((db, tname))
        m = re.match(r"json_valid\(`((?:[^`]|``)*)`\)", clause or "")
        if t and m:
            for c in t["columns"]:
                if c["name"] == m.group(1).replace("``", "`"):
                    c["json"] = True
    return tables


def dump_rows(conn, info):
    cur = conn.cursor()
    cols = info["columns"]
    sql = "SELECT %s FROM %s.%s" % (", ".join(select_expr(c) for c in cols),
                                    quote_ident(info["db"]), quote_ident(info["table"]))
    cur.execute(sql)
    rows = []
    for raw in cur.fetchall():
        rows.append(OrderedDict((c["name"], canon_server(c, v)) for c, v in zip(cols, raw)))
    rows.sort(key=lambda r: [sort_key(v) for v in r.values()])
    return rows


def sort_key(v):
    if v is None:
        return (0, 0, "")
    if is_num(v):
        return (1, v, "")
    if isinstance(v, str):
        return (2, 0, v)
    return (3, 0, json.dumps(v, sort_keys=True))


def load_labels(conn, catalog):
    """ENUM/SET labels exactly (information_schema turns 4-byte characters into '?'):
    copy the column into a temporary table, insert each index / bit, read the labels."""
    cur = conn.cursor()
    cur.execute("SET SESSION sql_log_bin = 0")
    cur.execute("SET SESSION sql_mode = ''")
    for info in catalog.values():
        if info["table_type"] != "BASE TABLE":
            continue
        for c in info["columns"]:
            if c["data_type"] not in ("enum", "set"):
                continue
            n = len(_column_labels(c) or [])
            tmp = "%s.sluice_rt_labels" % quote_ident(info["db"])
            cur.execute("DROP TEMPORARY TABLE IF EXISTS %s" % tmp)
            cur.execute("CREATE TEMPORARY TABLE %s ENGINE=MEMORY SELECT %s AS v FROM %s.%s LIMIT 0"
                        % (tmp, quote_ident(c["name"]), quote_ident(info["db"]), quote_ident(info["table"])))
            vals = [i + 1 for i in range(n)] if c["data_type"] == "enum" else [1 << i for i in range(n)]
            labels = []
            for v in vals:
                cur.execute("DELETE FROM %s" % tmp)
                cur.execute("INSERT INTO %s VALUES (%d)" % (tmp, v))
                cur.execute("SELECT v FROM %s" % tmp)
                labels.append(cur.fetchone()[0])
            c["labels"] = labels
            cur.execute("DROP TEMPORARY TABLE IF EXISTS %s" % tmp)


def dump_server(socket_path):
    conn = connect(socket_path)
    try:
        catalog = load_catalog(conn)
        load_labels(conn, catalog)
        cur = conn.cursor()
        cur.execute("SELECT VERSION()")
        version = cur.fetchone()[0]
        for key, info in catalog.items():
            if info["table_type"] == "BASE TABLE":
                info["rows"] = dump_rows(conn, info)
            else:
                info["rows"] = None
        return version, catalog
    finally:
        conn.close()


def write_expected(path, version, catalog):
    """expected-tables.json: one table object per entry, rows as arrays in column order."""
    out = []
    out.append("{\n")
    out.append('  "format": "sluice-expected-tables/1",\n')
    out.append('  "server_version": %s,\n' % json.dumps(version))
    out.append('  "note": "Final SELECT of every table after the workload. Values use the NDJSON export '
               'encoding (see Fixtures/README.md); rows are arrays in column order.",\n')
    out.append('  "tables": [\n')
    items = list(catalog.values())
    for ti, info in enumerate(items):
        head = OrderedDict((k, info[k]) for k in ("db", "table", "table_type", "engine", "pk"))
        head["columns"] = info["columns"]
        s = json.dumps(head, ensure_ascii=False)
        out.append("    " + s[:-1] + ', "rows": ')
        rows = info.get("rows")
        if rows is None:
            out.append("null")
        elif not rows:
            out.append("[]")
        else:
            out.append("[\n")
            for ri, r in enumerate(rows):
                out.append("      " + json.dumps(list(r.values()), ensure_ascii=False)
                           + (",\n" if ri + 1 < len(rows) else "\n"))
            out.append("    ]")
        out.append("}" + (",\n" if ti + 1 < len(items) else "\n"))
    out.append("  ]\n}\n")
    Path(path).write_text("".join(out), encoding="utf-8")


def read_expected(path):
    data = json.loads(Path(path).read_text(encoding="utf-8"), object_pairs_hook=OrderedDict)
    catalog = OrderedDict()
    for t in data["tables"]:
        info = OrderedDict(t)
        if t.get("rows") is not None:
            names = [c["name"] for c in t["columns"]]
            info["rows"] = [OrderedDict(zip(names, r)) for r in t["rows"]]
        catalog[(t["db"], t["table"])] = info
    return data.get("server_version"), catalog


# ----------------------------------------------------------------------------
# Comparison helpers
# ----------------------------------------------------------------------------

def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def b64_bytes(v):
    if isinstance(v, dict) and isinstance(v.get("base64"), str):
        try:
            return base64.b64decode(v["base64"], validate=True)
        except Exception:
            return None
    return None


def values_equal(col, exp, act):
    if exp is None or act is None:
        return exp is None and act is None
    t = col["data_type"] if col else None
    if t == "float":
        return is_num(act) and is_num(exp) and f32(float(exp)) == f32(float(act))
    if t == "double":
        if not (is_num(act) and is_num(exp)):
            return False
        a, e = float(act), float(exp)
        return a == e or abs(a - e) <= math.ulp(e)
    if isinstance(exp, dict):
        be, ba = b64_bytes(exp), b64_bytes(act)
        return be is not None and be == ba
    if t in INT_TYPES or t in ("year", "bit"):
        return is_num(act) and not isinstance(act, float) and act == exp
    if t in ("date", "datetime", "timestamp") and is_zero_temporal(exp):
        return is_zero_temporal(act) and len(act) >= 10 and (t == "date") == (len(act) == 10)
    if type(exp) is not type(act):
        return False
    return exp == act


def norm_for_key(col, v):
    """Normalise a value so equal values hash equal (for row identity)."""
    if v is None:
        return None
    t = col["data_type"] if col else None
    if is_num(v):
        if t == "float":
            try:
                v = f32_shortest(float(v))
            except (OverflowError, ValueError):
                pass
        if isinstance(v, float) and v.is_integer() and t in ("float", "double", None):
            return int(v)
        return v
    if isinstance(v, dict):
        bb = b64_bytes(v)
        if bb is not None:
            return "b64:" + base64.b64encode(bb).decode()
        return json.dumps(v, sort_keys=True)
    if is_zero_temporal(v):
        return v[:10] if len(v) == 10 else "0000-00-00 00:00:00"
    return v


def show(v, limit=160):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= limit else s[:limit] + "...(%d chars)" % len(s)


def iso_utc(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _column_labels(col):
    if col.get("labels") is not None:
        return col["labels"]
    m = re.match(r"^(enum|set)\((.*)\)$", col.get("column_type") or "", re.S)
    if not m:
        return None
    return [x.replace("''", "'") for x in re.findall(r"'((?:[^']|'')*)'", m.group(2))]


INT_BITS = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}


def positional_values(st, img):
    """Without FULL metadata the binlog has no ENUM/SET labels (and possibly no
    signedness or charset): map indexes, masks, two's complement and raw bytes
    to the server's representation using the catalog, so the rest still compares."""
    if img is None or not st.info:
        return img
    out = OrderedDict()
    for k, v in img.items():
        col = st.cols.get(k)
        t = col["data_type"] if col else None
        if col is None or v is None:
            pass
        elif t == "enum" and is_num(v):
            labels = _column_labels(col) or []
            v = "" if v == 0 or v > len(labels) else labels[v - 1]
        elif t == "set" and is_num(v):
            labels = _column_labels(col) or []
            v = ",".join(l for i, l in enumerate(labels) if v >> i & 1)
        elif t in INT_BITS and is_num(v) and v < 0 and "unsigned" in col["column_type"]:
            v += 1 << INT_BITS[t]
        elif (t in TEXT_TYPES or t in ("enum", "set")) and col.get("charset") not in (None, "binary") \
                and isinstance(v, dict) and b64_bytes(v) is not None:
            codec = CODECS.get(col["charset"], "utf-8")
            try:
                v = b64_bytes(v).decode("cp1252" if codec == "latin1-mariadb" else codec)
            except (UnicodeDecodeError, LookupError):
                pass
        elif (t in BYTES_TYPES or col.get("charset") == "binary") and isinstance(v, str):
            v = b64(v.encode("utf-8", "surrogateescape"))
        if t in ("binary", "inet4", "inet6", "uuid") and isinstance(v, dict) and b64_bytes(v) is not None:
            m = re.match(r"binary\((\d+)\)", col["column_type"])
            width = int(m.group(1)) if m else {"inet4": 4, "inet6": 16, "uuid": 16}.get(t)
            if width:
                v = b64(b64_bytes(v).ljust(width, b"\0"))
        out[k] = v
    return out


# ----------------------------------------------------------------------------
# Rebuilding tables from the NDJSON stream
# ----------------------------------------------------------------------------

class TableState:
    def __init__(self, key, info):
        self.key = key
        self.info = info                      # catalog entry or None
        self.cols = {c["name"]: c for c in info["columns"]} if info else {}
        self.pk = list(info["pk"]) if info and info.get("pk") else None
        self.rows = {}                        # key -> row (pk mode) or [row, count] (multiset)
        self.tainted = None                   # reason string while contents are not row-defined
        self.errors = []                      # (message) recorded while not tainted
        self.error_count = 0
        self.events = 0

    def error(self, msg):
        if self.tainted:
            return
        self.error_count += 1
        if len(self.errors) < MAX_DETAILS:
            self.errors.append(msg)

    def rowkey(self, row):
        if self.pk and all(c in row for c in self.pk):
            return ("pk",) + tuple(json.dumps(norm_for_key(self.cols.get(c), row[c]), ensure_ascii=False)
                                   for c in self.pk)
        return ("row", json.dumps({k: norm_for_key(self.cols.get(k), v) for k, v in row.items()},
                                  sort_keys=True, ensure_ascii=False))

    def pk_desc(self, row):
        if self.pk and all(c in row for c in self.pk):
            return "pk(" + ", ".join("%s=%s" % (c, show(row[c], 60)) for c in self.pk) + ")"
        return "row " + show(row, 200)

    def reset(self):
        self.rows = {}
        self.tainted = None

    def compare_image(self, where, image, stored):
        """Columns present in `image` must equal the tracked row."""
        for name, v in image.items():
            if name not in stored:
                continue
            if not values_equal(self.cols.get(name), stored[name], v):
                self.error("%s: %s column %s: tracked %s, before-image %s"
                           % (where, self.pk_desc(stored), name, show(stored[name]), show(v)))

    def insert(self, where, after):
        k = self.rowkey(after)
        if self.pk and k[0] == "pk":
            if k in self.rows:
                self.error("%s: insert of already present %s" % (where, self.pk_desc(after)))
            self.rows[k] = after
        else:
            ent = self.rows.get(k)
            if ent:
                ent[1] += 1
            else:
                self.rows[k] = [after, 1]

    def delete(self, where, before):
        k = self.rowkey(before)
        if self.pk and k[0] == "pk":
            stored = self.rows.pop(k, None)
            if stored is None:
                self.error("%s: delete of unknown %s" % (where, self.pk_desc(before)))
            else:
                self.compare_image(where, before, stored)
        else:
            ent = self.rows.get(k)
            if not ent:
                self.error("%s: delete of a row not present: %s" % (where, show(before, 300)))
                return
            ent[1] -= 1
            if ent[1] == 0:
                del self.rows[k]

    def update(self, where, before, after):
        k = self.rowkey(before)
        if self.pk and k[0] == "pk":
            stored = self.rows.pop(k, None)
            if stored is None:
                self.error("%s: update of unknown %s" % (where, self.pk_desc(before)))
                base = dict(before)
            else:
                self.compare_image(where, before, stored)
                base = dict(stored)
            base.update(after)
            nk = self.rowkey(base)
            if nk in self.rows and nk != k:
                self.error("%s: update moves onto already present %s" % (where, self.pk_desc(base)))
            self.rows[nk] = base
        else:
            ent = self.rows.get(k)
            if not ent:
                self.error("%s: update of a row not present: %s" % (where, show(before, 300)))
            else:
                ent[1] -= 1
                if ent[1] == 0:
                    del self.rows[k]
            base = dict(before)
            base.update(after)
            self.insert(where, base)

    def final_rows(self):
        if self.pk:
            out = []
            for k, v in self.rows.items():
                if isinstance(v, list):
                    out.extend([v[0]] * v[1])
                else:
                    out.append(v)
            return out
        out = []
        for row, n in self.rows.values():
            out.extend([row] * n)
        return out


# --- a small SQL tokenizer for the DDL that changes table contents ---------

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<c1>/\*.*?\*/)
  | (?P<c2>(?:--\s|\#)[^\n]*)
  | (?P<bq>`(?:[^`]|``)*`)
  | (?P<sq>'(?:[^'\\]|\\.|'')*')
  | (?P<dq>"(?:[^"\\]|\\.|"")*")
  | (?P<word>[A-Za-z0-9_$\u0080-\U0010FFFF]+)
  | (?P<p>.)
""", re.X | re.S)


def tokenize(sql):
    toks = []
    for m in _TOKEN_RE.finditer(sql):
        kind = m.lastgroup
        if kind in ("ws", "c1", "c2"):
            continue
        s = m.group(kind)
        if kind == "bq":
            toks.append(("id", s[1:-1].replace("``", "`")))
        elif kind == "word":
            toks.append(("word", s))
        elif kind in ("sq", "dq"):
            toks.append(("str", s))
        else:
            toks.append(("p", s))
    return toks


class DDL:
    def __init__(self, sql, db):
        self.t = tokenize(sql)
        self.i = 0
        self.db = db

    def peek(self, n=0):
        j = self.i + n
        return self.t[j] if j < len(self.t) else (None, None)

    def kw(self, *words):
        k, v = self.peek()
        if k == "word" and v.upper() in words:
            self.i += 1
            return v.upper()
        return None

    def expect_kw(self, *words):
        save = self.i
        for w in words:
            if not self.kw(w):
                self.i = save
                return False
        return True

    def name(self):
        k, v = self.peek()
        if k not in ("id", "word"):
            return None
        self.i += 1
        k2, v2 = self.peek()
        if k2 == "p" and v2 == ".":
            self.i += 1
            k3, v3 = self.peek()
            if k3 in ("id", "word"):
                self.i += 1
                return (v, v3)
            return None
        return (self.db, v)

    def comma(self):
        k, v = self.peek()
        if k == "p" and v == ",":
            self.i += 1
            return True
        return False


def classify_ddl(sql, db):
    """-> list of actions: ('reset', key) ('drop', key) ('taint', key, why)
    ('rename', old, new) ('dropdb', db)."""
    p = DDL(sql, db)
    acts = []
    first = p.kw("CREATE", "DROP", "TRUNCATE", "ALTER", "RENAME", "DELETE", "INSERT", "UPDATE",
                 "REPLACE", "LOAD")
    if first == "CREATE":
        p.expect_kw("OR", "REPLACE")
        p.kw("DEFINER")  # not a table statement in practice
        temp = bool(p.kw("TEMPORARY"))
        if p.kw("TABLE"):
            p.expect_kw("IF", "NOT", "EXISTS")
            n = p.name()
            if n and not temp:
                acts.append(("reset", n))
    elif first == "DROP":
        temp = bool(p.kw("TEMPORARY"))
        what = p.kw("TABLE", "TABLES", "DATABASE", "SCHEMA")
        if what in ("TABLE", "TABLES") and not temp:
            p.expect_kw("IF", "EXISTS")
            while True:
                n = p.name()
                if not n:
                    break
                acts.append(("drop", n))
                if not p.comma():
                    break
        elif what in ("DATABASE", "SCHEMA"):
            p.expect_kw("IF", "EXISTS")
            k, v = p.peek()
            if k in ("id", "word"):
                acts.append(("dropdb", v))
    elif first == "TRUNCATE":
        p.kw("TABLE")
        n = p.name()
        if n:
            acts.append(("reset", n))
    elif first == "ALTER":
        p.kw("ONLINE")
        p.kw("IGNORE")
        if p.kw("TABLE"):
            n = p.name()
            if n:
                acts.append(("taint", n, "ALTER TABLE"))
                # ALTER TABLE a ... RENAME [TO|AS] b
                rest = p.t[p.i:]
                for j, (k, v) in enumerate(rest):
                    if k == "word" and v.upper() == "RENAME":
                        q = DDL("", p.db)
                        q.t = rest[j + 1:]
                        if q.kw("COLUMN", "INDEX", "KEY"):
                            continue
                        q.kw("TO", "AS")
                        nn = q.name()
                        if nn:
                            acts.append(("rename", n, nn))
                            acts.append(("taint", nn, "ALTER TABLE ... RENAME"))
                        break
    elif first == "RENAME":
        if p.kw("TABLE", "TABLES"):
            while True:
                a = p.name()
                if not a or not p.kw("TO"):
                    break
                b = p.name()
                if not b:
                    break
                acts.append(("rename", a, b))
                if not p.comma():
                    break
    elif first in ("DELETE", "INSERT", "UPDATE", "REPLACE", "LOAD"):
        # A row-changing statement logged as a Query event (e.g. the server's
        # own "DELETE FROM mem" for MEMORY tables after a restart).
        p.kw("LOW_PRIORITY")
        p.kw("QUICK")
        p.kw("IGNORE")
        p.kw("INTO", "FROM")
        n = p.name()
        if n:
            acts.append(("taint", n, "row change logged as a statement"))
    return acts


# ----------------------------------------------------------------------------
# mariadb-binlog -vv parsing (reference decoder)
# ----------------------------------------------------------------------------

_RE_AT = re.compile(rb"^# at (\d+)")
_RE_HDR = re.compile(rb"^#\d{6} +\d+:\d\d:\d\d server id \d+ +end_log_pos (\d+) ")
_RE_TMAP = re.compile(rb"Table_map: `((?:[^`]|``)*)`\.`((?:[^`]|``)*)` mapped to number (\d+)")
_RE_ROWS = re.compile(rb"\t(Write|Update|Delete)_(?:compressed_)?rows(?:_v1)?(?:_compressed)?(?:_v1)?: table id (\d+)",
                      re.I)
_RE_COL = re.compile(rb"^`((?:[^`]|``)*)` (.*)$")
_RE_VAL = re.compile(rb"^###   @(\d+)=(.*) /\* (.*?) meta=\d+ nullable=\d is_null=(\d) \*/$")


def run_mariadb_binlog(files, log):
    """Parse `mariadb-binlog -vv` output into statement groups.

    mariadb-binlog buffers the Rows events of one statement and prints all
    their rows together after the last header, so per-event row boundaries are
    not visible: rows are compared per group of consecutive Rows events.
    -> (groups, key_to_group {(file, pos|end): group}, problems)
    """
    exe = shutil.which("mariadb-binlog") or shutil.which("mysqlbinlog")
    if not exe:
        return None, None, ["mariadb-binlog not found: reference comparison skipped"]
    groups, key_to_group, problems = [], {}, []
    per_table = defaultdict(int)
    for path in files:
        fname = os.path.basename(str(path))
        proc = subprocess.Popen([exe, "--no-defaults", "-vv", "--base64-output=decode-rows",
                                 "--print-table-metadata", str(path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        tcols = {}          # (db, table) -> columns of the latest Table_map
        tmaps = {}          # table id -> (db, table)
        ends = [4]
        file_groups = []
        grp = None
        row = None
        section = None
        collecting = None
        tm_key = None
        for line in proc.stdout:
            line = line.rstrip(b"\n")
            if collecting is not None:
                if line.startswith(b"#         `"):
                    collecting.append(line[10:])
                    continue
                tcols[tm_key] = _parse_cols(collecting)
                collecting = None
            if line.startswith(b"###"):
                if grp is None:
                    continue
                grp["printing"] = True
                if line.startswith(b"### INSERT INTO") or line.startswith(b"### UPDATE ") \
                        or line.startswith(b"### DELETE FROM"):
                    m = re.search(rb"`((?:[^`]|``)*)`\.`((?:[^`]|``)*)`\s*$", line)
                    tkey = (m.group(1).replace(b"``", b"`").decode("utf-8", "replace"),
                            m.group(2).replace(b"``", b"`").decode("utf-8", "replace")) if m else None
                    idx = grp["n"]
                    grp["n"] += 1
                    if grp["keep"](idx):
                        row = {"table": tkey, "cols": tcols.get(tkey), "before": None, "after": None}
                        grp["rows"][idx] = row
                    else:
                        row = None
                    section = None
                elif row is None:
                    continue
                elif line == b"### WHERE":
                    row["before"] = {}
                    section = "before"
                elif line == b"### SET":
                    row["after"] = {}
                    section = "after"
                else:
                    m = _RE_VAL.match(line)
                    if m and section:
                        n = int(m.group(1))
                        row[section][n] = (None if m.group(4) == b"1" else m.group(2), m.group(3).decode())
                continue
            if line.startswith(b"# Columns("):
                collecting = [line[len(b"# Columns("):]]
                continue
            if line.startswith(b"# Number of rows"):
                grp = None
                continue
            if line.startswith(b"#") and b"end_log_pos" in line:
                mh = _RE_HDR.match(line)
                if not mh:
                    continue
                end = int(mh.group(1))
                ends.append(end)
                mt = _RE_TMAP.search(line)
                if mt:
                    tm_key = (mt.group(1).replace(b"``", b"`").decode("utf-8", "replace"),
                              mt.group(2).replace(b"``", b"`").decode("utf-8", "replace"))
                    tmaps[int(mt.group(3))] = tm_key
                    continue
                mr = _RE_ROWS.search(line)
                if mr:
                    tkey = tmaps.get(int(mr.group(2)))
                    if grp is None or grp["printing"]:
                        per_table[tkey] += 1
                        nth = per_table[tkey]
                        whole = nth <= MB_FULL_EVENTS or nth % MB_SAMPLE_EVERY == 0
                        grp = {"file": fname, "ends": [], "n": 0, "rows": {}, "printing": False,
                               "table": tkey, "sampled": not whole,
                               "keep": (lambda i: i < 2000 or i % 97 == 0) if whole
                               else (lambda i: i % 97 == 0)}
                        file_groups.append(grp)
                    grp["ends"].append(end)
                    continue
                if b"Annotate_rows" not in line:
                    grp = None
                continue
        proc.wait()
        err = proc.stderr.read().decode("utf-8", "replace").strip()
        if proc.returncode != 0:
            problems.append("mariadb-binlog exited %d on %s: %s" % (proc.returncode, fname, err[:300]))
        # An event starts where the previous one ends.
        ends.sort()
        start_of = {e: ends[i - 1] for i, e in enumerate(ends) if i > 0}
        for g in file_groups:
            g["starts"] = [start_of.get(e) for e in g["ends"]]
            for s, e in zip(g["starts"], g["ends"]):
                key_to_group[(fname, "pos", s)] = g
                key_to_group[(fname, "end", e)] = g
            del g["keep"]
        groups.extend(file_groups)
    log("mariadb-binlog: %d statement groups of rows events in %d files" % (len(groups), len(files)))
    return groups, key_to_group, problems


def _parse_cols(lines):
    cols = []
    for raw in lines:
        raw = raw.rstrip()
        if raw.endswith(b",") or raw.endswith(b")"):
            raw = raw[:-1]
        m = _RE_COL.match(raw)
        if not m:
            cols.append({"name": None, "def": raw})
            continue
        name = m.group(1).replace(b"``", b"`").decode("utf-8", "replace")
        cols.append({"name": name, "def": m.group(2)})
    return cols


# MariaDB charset -> Python codec (for comparing text bytes).
CODECS = {"utf8mb4": "utf-8", "utf8mb3": "utf-8", "utf8": "utf-8", "ascii": "ascii",
          "ucs2": "utf-16-be", "utf16": "utf-16-be", "utf16le": "utf-16-le", "utf32": "utf-32-be",
          "cp1251": "cp1251", "cp1250": "cp1250", "latin2": "iso8859_2", "greek": "iso8859_7",
          "gbk": "gbk", "sjis": "cp932", "ujis": "euc_jp", "latin1": "latin1-mariadb",
          "koi8r": "koi8_r", "cp866": "cp866", "hebrew": "iso8859_8", "latin5": "iso8859_9",
          "big5": "big5", "euckr": "euc_kr", "gb2312": "gb2312"}


def encode_text(s, charset):
    codec = CODECS.get(charset)
    if codec is None:
        return None
    if codec == "latin1-mariadb":
        # MariaDB latin1 is cp1252 with the five holes mapped 1:1.
        out = bytearray()
        for ch in s:
            try:
                out += ch.encode("cp1252")
            except UnicodeEncodeError:
                o = ord(ch)
                if o in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
                    out.append(o)
                else:
                    return None
        return bytes(out)
    try:
        return s.encode(codec)
    except UnicodeEncodeError:
        return None


def mb_escape(b):
    """mariadb-binlog's my_b_write_quoted: bytes < 0x20 as \\xNN, others raw."""
    out = bytearray(b"'")
    for c in b:
        if c < 0x20:
            out += b"\\x%02x" % c
        else:
            out.append(c)
    out += b"'"
    return bytes(out)


_RE_LABEL = re.compile(rb"'((?:[^']|'')*)'")


def _labels(defn, kind, charset):
    m = re.match(rb"(ENUM|SET)(?: NOT NULL)?\((.*)\)", defn)
    if not m:
        return None
    body = m.group(2)
    # cut at the closing parenthesis of the label list
    labels, pos = [], 0
    while pos < len(body):
        mm = _RE_LABEL.match(body, pos)
        if not mm:
            break
        raw = mm.group(1).replace(b"''", b"'")
        codec = CODECS.get(charset or "utf8mb4", "utf-8")
        try:
            labels.append(raw.decode("cp1252" if codec == "latin1-mariadb" else codec))
        except (UnicodeDecodeError, LookupError):
            return None
        pos = mm.end()
        if pos < len(body) and body[pos:pos + 1] == b",":
            pos += 1
        else:
            break
    return labels


def compare_mb_value(colmeta, catcol, mbraw, mbtype, sval):
    """-> None if equal/not comparable, else a description of the difference."""
    if mbraw is None or sval is None:
        if (mbraw is None) != (sval is None):
            return "mariadb-binlog %s, sluice %s" % ("NULL" if mbraw is None else mbraw.decode("utf-8", "replace")[:80],
                                                     show(sval))
        return None
    defn = colmeta["def"] if colmeta else b""
    mcs = re.search(rb"CHARSET (\w+)", defn)
    charset = mcs.group(1).decode() if mcs else (catcol.get("charset") if catcol else None)
    base = mbtype.split("(")[0]
    text = mbraw.decode("utf-8", "replace")
    if base in ("TINYINT", "SHORTINT", "MEDIUMINT", "INT", "LONGINT"):
        m = re.match(r"^(-?\d+)(?: \((\d+)\))?$", text)
        if not m:
            return None
        ok = {int(m.group(1))} | ({int(m.group(2))} if m.group(2) else set())
        if not (is_num(sval) and not isinstance(sval, float) and sval in ok):
            return "mariadb-binlog %s, sluice %s" % (text, show(sval))
        return None
    if base == "BIT":
        m = re.match(r"^b'([01]*)'$", text)
        if m and not (is_num(sval) and sval == int(m.group(1) or "0", 2)):
            return "mariadb-binlog %s (=%d), sluice %s" % (text, int(m.group(1) or "0", 2), show(sval))
        return None
    if base == "DECIMAL":
        try:
            if not isinstance(sval, str) or Decimal(text) != Decimal(sval):
                return "mariadb-binlog %s, sluice %s" % (text, show(sval))
        except InvalidOperation:
            return "mariadb-binlog %s, sluice %s (not a decimal)" % (text, show(sval))
        return None
    if base == "DOUBLE":
        try:
            if not (is_num(sval) and float(text) == float(sval)):
                return "mariadb-binlog %s, sluice %s" % (text, show(sval))
        except ValueError:
            pass
        return None
    if base == "FLOAT":
        try:
            e = float(text)
            if not (is_num(sval) and math.isclose(e, float(sval), rel_tol=6e-6, abs_tol=1e-45)):
                return "mariadb-binlog %s, sluice %s" % (text.strip(), show(sval))
        except ValueError:
            pass
        return None
    if base == "DATE":
        exp = text.strip("'").replace(":", "-")
        if not (sval == exp or (is_zero_temporal(exp) and is_zero_temporal(sval))):
            return "mariadb-binlog %s, sluice %s" % (text, show(sval))
        return None
    if base in ("DATETIME", "TIME"):
        exp = text.strip("'")
        if not (sval == exp or (is_zero_temporal(exp) and is_zero_temporal(sval))):
            return "mariadb-binlog %s, sluice %s" % (text, show(sval))
        return None
    if base == "TIMESTAMP":
        try:
            e = Decimal(text)
        except InvalidOperation:
            return None
        if e == 0:
            ok = is_zero_temporal(sval)
        else:
            ok = isinstance(sval, str) and _iso_to_epoch(sval) == e
        if not ok:
            return "mariadb-binlog %s (%s UTC), sluice %s" % (text, iso_utc(int(e)), show(sval))
        return None
    if base == "ENUM":
        labels = _labels(defn, "ENUM", charset)
        if labels is None:
            return None
        idx = int(text)
        exp = "" if idx == 0 or idx > len(labels) else labels[idx - 1]
        if sval != exp:
            return "mariadb-binlog index %d (%s), sluice %s" % (idx, show(exp), show(sval))
        return None
    if base == "SET":
        labels = _labels(defn, "SET", charset)
        m = re.match(r"^b'([01]*)'$", text)
        if labels is None or not m:
            return None
        bits = m.group(1)
        bys = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
        mask = int.from_bytes(bytes(bys), "little")
        exp = ",".join(l for i, l in enumerate(labels) if mask >> i & 1)
        if sval != exp:
            return "mariadb-binlog mask %s (%s), sluice %s" % (hex(mask), show(exp), show(sval))
        return None
    if base in ("STRING", "VARSTRING") or "BLOB" in base or "TEXT" in base or base == "GEOMETRY":
        if isinstance(sval, dict):
            bb = b64_bytes(sval)
            if bb is None:
                return "sluice value is not {\"base64\":...}: %s" % show(sval)
            if base == "STRING":
                bb = bb.rstrip(b"\0")  # BINARY(n): the binlog drops trailing zero bytes
                got = mbraw
                if got.startswith(b"'") and got.endswith(b"'"):
                    got = b"'" + got[1:-1].rstrip(b"\0") + b"'"
                    # (\x00 is printed escaped, so strip the escaped form as well)
                    while got.endswith(b"\\x00'"):
                        got = got[:-5] + b"'"
                return None if mb_escape(bb) == got else "mariadb-binlog %s, sluice %s" % (
                    mbraw[:120].decode("utf-8", "replace"), show(sval))
            return None if mb_escape(bb) == mbraw else "mariadb-binlog %s, sluice %s" % (
                mbraw[:120].decode("utf-8", "replace"), show(sval))
        if isinstance(sval, str):
            enc = encode_text(sval, charset or "utf8mb4")
            if enc is None:
                return None
            if mb_escape(enc) != mbraw:
                return "mariadb-binlog %s, sluice %s" % (mbraw[:120].decode("utf-8", "replace"), show(sval))
            return None
        return "mariadb-binlog string %s, sluice %s" % (mbraw[:80].decode("utf-8", "replace"), show(sval))
    return None


def _iso_to_epoch(s):
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$", s)
    if not m:
        return None
    import calendar
    secs = calendar.timegm(tuple(int(m.group(i)) for i in range(1, 7)) + (0, 0, 0))
    return Decimal(secs) + (Decimal(m.group(7)) if m.group(7) else 0)


# ----------------------------------------------------------------------------
# The check itself
# ----------------------------------------------------------------------------

def run_sluice(sluice, files, out_path, log):
    cmd = [str(sluice), "export", "--format", "ndjson"] + [str(f) for f in files]
    log("running: %s > %s" % (" ".join(cmd[:4] + ["<%d files>" % len(files)]), out_path))
    t0 = time.time()
    with open(out_path, "wb") as out, open(str(out_path) + ".stderr", "wb") as err:
        try:
            rc = subprocess.call(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, timeout=900)
        except subprocess.TimeoutExpired:
            rc = "timeout"
    errtext = Path(str(out_path) + ".stderr").read_text("utf-8", "replace")
    log("sluice finished in %.1fs, exit %s, %d bytes of NDJSON" % (time.time() - t0, rc,
                                                                  os.path.getsize(out_path)))
    return rc, errtext


def check(files, catalog, ndjson_path, log, live=True):
    """Rebuild tables from NDJSON, compare with catalog rows. -> (passed, failed)."""
    fnames = [os.path.basename(str(f)) for f in files]
    stream_errors = []
    stream_count = [0]

    def serr(msg):
        stream_count[0] += 1
        if len(stream_errors) < MAX_DETAILS:
            stream_errors.append(msg)

    # --- pass 1: XA groups and their outcome ---------------------------------
    xa_of_gtid, xa_decision = {}, {}
    with open(ndjson_path, "r", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if '"sql"' not in line:
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            sql = ev.get("sql") or ""
            m = re.match(r"\s*XA\s+(END|COMMIT|ROLLBACK)\s+(.*?)\s*(ONE\s+PHASE)?\s*$", sql, re.I | re.S)
            if not m:
                continue
            verb, xid = m.group(1).upper(), re.sub(r"\s+", "", m.group(2))
            if verb == "END" and not m.group(3):
                xa_of_gtid[ev.get("gtid")] = xid
            elif verb == "COMMIT" and not m.group(3):
                xa_decision[xid] = "commit"
            elif verb == "ROLLBACK":
                xa_decision[xid] = "rollback"

    # --- mariadb-binlog reference -------------------------------------------
    mb_groups, mb_keys, mb_problems = run_mariadb_binlog(files, log)
    for p in mb_problems:
        log("note: " + p)
    sl_count = defaultdict(int)       # id(group) -> NDJSON rows seen
    sl_rows = defaultdict(dict)       # id(group) -> {index: (key, before, after)}

    # --- pass 2: apply -------------------------------------------------------
    states = {}

    def state(key):
        st = states.get(key)
        if st is None:
            st = states[key] = TableState(key, catalog.get(key))
        return st

    counts = defaultdict(int)
    notes = OrderedDict()
    dropped_errors = []
    last_pos = {}
    with open(ndjson_path, "r", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                ev = json.loads(line, object_pairs_hook=OrderedDict)
            except ValueError as e:
                serr("line %d: not JSON (%s): %s" % (lineno, e, line[:200]))
                continue
            if not isinstance(ev, dict):
                serr("line %d: not an object" % lineno)
                continue
            typ = ev.get("type")
            counts[typ] += 1
            if isinstance(ev.get("file"), str) and ev["file"] not in fnames and os.path.basename(ev["file"]) in fnames:
                if not notes.get("file"):
                    notes["file"] = "NOTE: \"file\" is the path as given (%r), not the file name %r" % (
                        ev["file"], os.path.basename(ev["file"]))
                ev["file"] = os.path.basename(ev["file"])
            where = "%s:%s" % (ev.get("file"), ev.get("pos"))
            # common metadata
            for f in ("file", "pos", "end", "ts", "time", "server_id", "gtid", "thread_id", "db"):
                if f not in ev:
                    serr("line %d (%s): missing field %r" % (lineno, typ, f))
            if ev.get("file") not in fnames:
                serr("line %d: file %r is not one of the inputs" % (lineno, ev.get("file")))
            if is_num(ev.get("pos")) and is_num(ev.get("end")) and not ev["pos"] < ev["end"]:
                serr("line %d: pos %s >= end %s" % (lineno, ev["pos"], ev["end"]))
            fpos = (fnames.index(ev["file"]) if ev.get("file") in fnames else -1, ev.get("pos") or 0)
            if is_num(fpos[1]) and last_pos.get("p") and fpos < last_pos["p"]:
                serr("line %d: position %s goes backwards (previous %s)" % (lineno, where, last_pos["w"]))
            last_pos["p"], last_pos["w"] = fpos, where
            ts = ev.get("ts")
            if is_num(ts):
                if ev.get("time") not in (iso_utc(ts), None):
                    serr("line %d: time %r does not match ts %r (%s)" % (lineno, ev.get("time"), ts, iso_utc(ts)))
                if live and typ in ("insert", "update", "delete") and not TS_MIN <= ts < TS_MAX:
                    serr("line %d: ts %r outside the workload window" % (lineno, ts))
            if ev.get("gtid") is not None and not re.match(r"^\d+-\d+-\d+$", str(ev.get("gtid"))):
                serr("line %d: gtid %r is not domain-server-seq" % (lineno, ev.get("gtid")))

            if typ in ("ddl", "query"):
                sql = ev.get("sql")
                if not isinstance(sql, str):
                    serr("line %d: %s without sql" % (lineno, typ))
                    continue
                for act in classify_ddl(sql, ev.get("db")):
                    if act[0] == "reset":
                        state(act[1]).reset()
                    elif act[0] == "drop":
                        st = states.pop(act[1], None)
                        if st and st.errors:
                            dropped_errors.append((act[1], st.errors))
                    elif act[0] == "taint":
                        state(act[1]).tainted = act[2]
                    elif act[0] == "rename":
                        st = states.pop(act[1], None) or TableState(act[1], None)
                        new = TableState(act[2], catalog.get(act[2]))
                        new.tainted = st.tainted
                        new.errors, new.error_count = st.errors, st.error_count
                        for r in st.final_rows():
                            new.insert(where, r)
                        states[act[2]] = new
                    elif act[0] == "dropdb":
                        for k in [k for k in states if k[0] == act[1]]:
                            st = states.pop(k)
                            if st.errors:
                                dropped_errors.append((k, st.errors))
                continue
            if typ not in ("insert", "update", "delete"):
                serr("line %d: unknown type %r" % (lineno, typ))
                continue

            key = (ev.get("db"), ev.get("table"))
            st = state(key)
            if st.info is None and st.pk is None and not st.rows and isinstance(ev.get("pk"), list) and ev["pk"]:
                st.pk = list(ev["pk"])
            st.events += 1
            before, after = ev.get("before"), ev.get("after")
            if ev.get("positional") and st.info:
                names = [c["name"] for c in st.info["columns"]]

                def remap(img):
                    if img is None:
                        return None
                    out = OrderedDict()
                    for k, v in img.items():
                        m = re.match(r"^@(\d+)$", k)
                        i = int(m.group(1)) - 1 if m else -1
                        out[names[i] if 0 <= i < len(names) else k] = v
                    return out
                before, after = remap(before), remap(after)
                before, after = positional_values(st, before), positional_values(st, after)
            shape_ok = True
            if typ == "insert" and not (before is None and isinstance(after, dict)):
                shape_ok = False
            if typ == "delete" and not (after is None and isinstance(before, dict)):
                shape_ok = False
            if typ == "update" and not (isinstance(before, dict) and isinstance(after, dict)):
                shape_ok = False
            if not shape_ok:
                st.error("%s: %s line has before=%s after=%s" % (where, typ, show(before, 60), show(after, 60)))
                continue
            if typ == "update":
                ch = ev.get("changed")
                if ev.get("positional") and st.info and isinstance(ch, list):
                    names = [c["name"] for c in st.info["columns"]]
                    ch = [names[int(c[1:]) - 1] if re.match(r"^@\d+$", str(c)) and 0 < int(c[1:]) <= len(names)
                          else c for c in ch]
                if not isinstance(ch, list):
                    st.error("%s: update without a \"changed\" list" % where)
                else:
                    exp = [c for c in after if c not in before or not values_equal(
                        st.cols.get(c) or {"data_type": None}, before[c], after[c])]
                    if sorted(ch) != sorted(exp):
                        st.error("%s: changed=%s, but the images differ in %s" % (where, ch, exp))
            if st.info and st.pk is not None and "pk" in ev and not st.tainted and ev["pk"] != st.pk \
                    and not ev.get("positional"):
                st.error("%s: pk %s, server says %s" % (where, ev.get("pk"), st.pk))
            for img in (before, after):
                if img and st.info and not st.tainted:
                    for c in img:
                        if c not in st.cols:
                            st.error("%s: unknown column %r" % (where, c))
            if mb_groups is not None:
                g = mb_keys.get((ev.get("file"), "pos", ev.get("pos"))) or \
                    mb_keys.get((ev.get("file"), "end", ev.get("end")))
                if g is not None:
                    idx = sl_count[id(g)]
                    sl_count[id(g)] += 1
                    if idx in g["rows"]:
                        sl_rows[id(g)][idx] = (key, before, after)
            gt = ev.get("gtid")
            if gt in xa_of_gtid and xa_decision.get(xa_of_gtid[gt]) != "commit":
                counts["xa-skipped"] += 1
                continue
            if typ == "insert":
                st.insert(where, after)
            elif typ == "delete":
                st.delete(where, before)
            else:
                st.update(where, before, after)

    for n in notes.values():
        log(n)
    log("stream: %s" % ", ".join("%s=%d" % (k, v) for k, v in sorted(counts.items(), key=str)))
    if xa_of_gtid:
        log("stream: XA prepared groups %s, outcomes %s" % (sorted(xa_of_gtid.values()), xa_decision))

    # --- mariadb-binlog comparison -----------------------------------------
    mb_errors = defaultdict(list)
    mb_checked = 0
    if mb_groups is not None:
        for g in mb_groups:
            tkey = g["table"]
            where = "%s:%s" % (g["file"], g["starts"][0])
            got = sl_count.get(id(g), 0)
            if got != g["n"]:
                mb_errors[tkey].append("%s (%d rows events ending at %s): mariadb-binlog prints %d rows, "
                                       "the NDJSON has %d row lines with these positions"
                                       % (where, len(g["ends"]), g["ends"][-1], g["n"], got))
                continue
            srows = sl_rows.get(id(g), {})
            for idx, mrow in sorted(g["rows"].items()):
                rkey = mrow["table"] or tkey
                info = catalog.get(rkey)
                st_now = states.get(rkey)
                skey, sb, sa = srows[idx]
                if skey != rkey:
                    mb_errors[rkey].append("%s row %d: mariadb-binlog table %s.%s, NDJSON %s.%s"
                                           % (where, idx, rkey[0], rkey[1], skey[0], skey[1]))
                    continue
                cols = mrow["cols"]
                catcols = info["columns"] if info else []
                for side, simg in (("before", sb), ("after", sa)):
                    mimg = mrow[side]
                    if mimg is None:
                        if simg is not None and side == "before" and mrow["after"] is not None:
                            mb_errors[rkey].append("%s row %d: NDJSON has a before image for an insert" % (where, idx))
                        continue
                    for n, (raw, mtype) in mimg.items():
                        cmeta = cols[n - 1] if cols and n - 1 < len(cols) else None
                        if cmeta and cmeta["name"]:
                            name = cmeta["name"]
                        elif catcols and n - 1 < len(catcols) and not (st_now and st_now.tainted):
                            name = catcols[n - 1]["name"]
                        else:
                            continue
                        catcol = next((c for c in catcols if c["name"] == name), None)
                        if simg is None or name not in simg:
                            mb_errors[rkey].append("%s row %d %s: column %s (@%d) missing from the NDJSON"
                                                   % (where, idx, side, name, n))
                            continue
                        if mtype == "YEAR":
                            continue
                        mb_checked += 1
                        d = compare_mb_value(cmeta, catcol, raw, mtype, simg[name])
                        if d:
                            mb_errors[rkey].append("%s row %d %s column %s (%s): %s"
                                                   % (where, idx, side, name, mtype, d))
        log("mariadb-binlog: compared %d values in %d statement groups" % (mb_checked, len(mb_groups)))

    # --- final comparison ----------------------------------------------------
    passed = failed = 0
    skipped = []
    for key, info in catalog.items():
        name = "%s.%s" % key
        if info.get("table_type") != "BASE TABLE" or info.get("rows") is None:
            skipped.append((name, "%s (not compared)" % info.get("table_type")))
            continue
        st = states.get(key) or TableState(key, info)
        problems = compare_table(info, st)
        ev_errors = list(st.errors)
        mbe = mb_errors.pop(key, [])
        if st.tainted and problems:
            skipped.append((name, "contents changed without row events (%s); first difference: %s"
                            % (st.tainted, problems[0])))
            if ev_errors or mbe:
                pass
            if mbe:
                failed += 1
                print("FAIL %s: mariadb-binlog cross-check" % name)
                for p in mbe[:MAX_DETAILS]:
                    print("     " + p)
            continue
        if problems or ev_errors or mbe:
            failed += 1
            print("FAIL %s (%d rows expected, %d rebuilt, %d row events)"
                  % (name, len(info["rows"]), len(st.final_rows()), st.events))
            for p in (problems + ev_errors + mbe)[:MAX_DETAILS]:
                print("     " + p)
            extra = len(problems) + st.error_count + len(mbe) - MAX_DETAILS
            if extra > 0:
                print("     ... and %d more" % extra)
        else:
            passed += 1
            print("PASS %s (%d rows, %d row events%s)" % (name, len(info["rows"]), st.events,
                                                         ", after %s" % st.tainted if st.tainted else ""))
    for key, errs in mb_errors.items():
        for e in errs[:MAX_DETAILS]:
            serr("mariadb-binlog %s.%s: %s" % (key[0], key[1], e))
    for key, errs in dropped_errors:
        for e in errs:
            serr("%s.%s (dropped later): %s" % (key[0], key[1], e))
    for name, why in skipped:
        print("SKIP %s: %s" % (name, why))
    if stream_count[0]:
        failed += 1
        print("FAIL (stream): %d problems" % stream_count[0])
        for e in stream_errors:
            print("     " + e)
    else:
        passed += 1
        print("PASS (stream): metadata, ordering%s" % (", mariadb-binlog cross-check" if mb_groups else ""))
    return passed, failed, len(skipped)


def compare_table(info, st):
    cols = info["columns"]
    colmap = {c["name"]: c for c in cols}
    exp_rows = info["rows"]
    act_rows = st.final_rows()
    problems = []
    if info.get("pk"):
        pk = info["pk"]
        key = lambda r: tuple(json.dumps(norm_for_key(colmap.get(c), r.get(c)), ensure_ascii=False) for c in pk)
        exp = OrderedDict((key(r), r) for r in exp_rows)
        act = OrderedDict()
        for r in act_rows:
            k = key(r)
            if k in act:
                problems.append("pk(%s): rebuilt twice" % ", ".join(k))
            act[k] = r
        for k, e in exp.items():
            desc = "pk(" + ", ".join("%s=%s" % (c, v) for c, v in zip(pk, k)) + ")"
            a = act.get(k)
            if a is None:
                problems.append("%s: missing from the stream's result (expected row %s)" % (desc, show(e, 200)))
                continue
            problems.extend(compare_row(desc, cols, e, a))
        for k, a in act.items():
            if k not in exp:
                desc = "pk(" + ", ".join("%s=%s" % (c, v) for c, v in zip(pk, k)) + ")"
                problems.append("%s: present in the stream's result but not on the server: %s" % (desc, show(a, 200)))
    else:
        rk = lambda r: json.dumps({k: norm_for_key(colmap.get(k), v) for k, v in r.items()},
                                  sort_keys=True, ensure_ascii=False)
        exp_c, act_c = defaultdict(list), defaultdict(list)
        for r in exp_rows:
            exp_c[rk(r)].append(r)
        for r in act_rows:
            act_c[rk(r)].append(r)
        missing, extra = [], []
        for k in set(exp_c) | set(act_c):
            d = len(exp_c.get(k, [])) - len(act_c.get(k, []))
            if d > 0:
                missing.extend(exp_c[k][:d])
            elif d < 0:
                extra.extend(act_c[k][:-d])
        # pair them up to show column differences
        for i, e in enumerate(missing):
            if i < len(extra):
                diffs = compare_row("row #%d (no primary key)" % (i + 1), cols, e, extra[i])
                problems.extend(diffs or ["row #%d: differs only in normalisation: %s vs %s"
                                          % (i + 1, show(e), show(extra[i]))])
            else:
                problems.append("row missing from the stream's result: %s" % show(e, 200))
        for a in extra[len(missing):]:
            problems.append("row present in the stream's result but not on the server: %s" % show(a, 200))
    return problems


def compare_row(desc, cols, e, a):
    out = []
    for c in cols:
        n = c["name"]
        if n not in a:
            if not ALLOW_PARTIAL:
                out.append("%s column %s: missing from the stream (expected %s)" % (desc, n, show(e[n])))
            continue
        if not values_equal(c, e[n], a[n]):
            out.append("%s column %s (%s): expected %s, actual %s" % (desc, n, c["column_type"], show(e[n]), show(a[n])))
    for n in a:
        if n not in e:
            out.append("%s: unexpected column %s = %s" % (desc, n, show(a[n])))
    return out


# ----------------------------------------------------------------------------
# Drivers
# ----------------------------------------------------------------------------

def find_sluice(arg):
    cands = [arg] if arg else []
    if os.environ.get("SLUICE"):
        cands.append(os.environ["SLUICE"])
    cands += [str(REPO / ".build" / "debug" / "sluice"), str(REPO / ".build" / "release" / "sluice")]
    for c in cands:
        p = Path(c)
        if not p.is_absolute():
            p = (Path.cwd() / p)
        if p.is_file() and os.access(str(p), os.X_OK):
            return p
    return None


def binlog_files(index_path):
    base = Path(index_path).parent
    files = []
    for line in Path(index_path).read_text().splitlines():
        line = line.strip()
        if not line:
            continue
        p = Path(line)
        files.append(p if p.is_absolute() and p.exists() else base / p.name)
    return files


def log(msg):
    print("roundtrip: " + msg, flush=True)


def run_sql_file(socket_path, path):
    client = shutil.which("mariadb") or shutil.which("mysql")
    with open(path, "rb") as fh:
        r = subprocess.run([client, "--no-defaults", "-uroot", "--socket=" + socket_path,
                            "--default-character-set=utf8mb4"], stdin=fh,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (path, r.stderr.decode("utf-8", "replace")[-2000:]))


def finish(passed, failed):
    print("roundtrip: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


def cmd_live(args):
    global ALLOW_PARTIAL
    ALLOW_PARTIAL = args.allow_partial_images or any(
        re.search(r"binlog[-_]row[-_]image=(minimal|noblob)", a, re.I) for a in (args.server_arg or []))
    sluice = find_sluice(args.sluice)
    if not sluice:
        log("sluice binary not found (set SLUICE or build .build/debug/sluice)")
        return finish(0, 1)
    t0 = time.time()
    work = Path(tempfile.mkdtemp(prefix="sluice-rt-", dir=args.tmpdir))
    log("work dir %s, sluice %s" % (work, sluice))
    sandbox = work / "server"
    started = False
    ok = False
    try:
        subprocess.run(["bash", str(SANDBOX), "start", str(sandbox)] + (args.server_arg or []),
                       check=True, stdin=subprocess.DEVNULL, timeout=180)
        started = True
        sock = str(sandbox / "sock")
        files = ([Path(w).resolve() for w in args.workload] if args.workload else list(WORKLOADS)) + (
            [] if args.no_100k else [BULK_100K])
        for f in files:
            t1 = time.time()
            run_sql_file(sock, f)
            log("ran %s in %.1fs" % (f.relative_to(REPO), time.time() - t1))
        t1 = time.time()
        version, catalog = dump_server(sock)
        write_expected(sandbox / "expected-tables.json", version, catalog)
        log("server %s: dumped %d tables in %.1fs" % (version, len(catalog), time.time() - t1))
    except Exception as e:
        log("setup failed: %s" % e)
        return finish(0, 1)
    finally:
        if started:
            subprocess.run(["bash", str(SANDBOX), "stop", str(sandbox)], stdin=subprocess.DEVNULL, timeout=180)
    try:
        files = binlog_files(sandbox / "binlog.index")
        log("binlogs: %s (%.1f MB)" % (" ".join(f.name for f in files),
                                       sum(f.stat().st_size for f in files) / 1e6))
        nd = work / "export.ndjson"
        rc, err = run_sluice(sluice, files, nd, log)
        if rc != 0:
            log("sluice export failed (exit %s): %s" % (rc, err[-2000:]))
            return finish(0, 1)
        if err.strip():
            log("sluice stderr: %s" % err.strip()[-1000:])
        t1 = time.time()
        passed, failed, skipped = check(files, catalog, nd, log, live=True)
        log("%d skipped; checks took %.1fs, total time %.1fs" % (skipped, time.time() - t1, time.time() - t0))
        ok = failed == 0
        return finish(passed, failed)
    finally:
        if ok and not args.keep:
            shutil.rmtree(str(work), ignore_errors=True)
        else:
            log("kept %s (re-check with: %s offline %s)" % (work, sys.argv[0], sandbox))


def cmd_offline(args):
    sluice = find_sluice(args.sluice)
    if not sluice:
        log("sluice binary not found (set SLUICE or build .build/debug/sluice)")
        return finish(0, 1)
    global ALLOW_PARTIAL
    d = Path(args.dir)
    ALLOW_PARTIAL = args.allow_partial_images or "minimal-image" in d.resolve().name
    if ALLOW_PARTIAL:
        log("partial row images allowed: columns absent from the binlog are not compared")
    files = binlog_files(d / "binlog.index")
    version, catalog = read_expected(d / "expected-tables.json")
    work = Path(tempfile.mkdtemp(prefix="sluice-rt-offline-", dir=args.tmpdir))
    try:
        nd = work / "export.ndjson"
        rc, err = run_sluice(sluice, files, nd, log)
        if rc != 0:
            log("sluice export failed (exit %s): %s" % (rc, err[-2000:]))
            return finish(0, 1)
        passed, failed, skipped = check(files, catalog, nd, log, live=True)
        log("%d skipped" % skipped)
        return finish(passed, failed)
    finally:
        if not args.keep:
            shutil.rmtree(str(work), ignore_errors=True)
        else:
            log("kept %s" % work)


def cmd_dump(args):
    version, catalog = dump_server(args.socket)
    write_expected(args.out, version, catalog)
    n = sum(len(t["rows"] or []) for t in catalog.values())
    print("dump: %d tables, %d rows -> %s" % (len(catalog), n, args.out))
    return 0


def main(argv):
    try:
        return _main(argv)
    except SystemExit:
        raise
    except BaseException:
        import traceback
        traceback.print_exc()
        return finish(0, 1)


def _main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd")
    live = sub.add_parser("live", help="full live round trip (default)")
    for p in (ap, live):
        p.add_argument("--sluice", help="sluice binary (default $SLUICE, .build/debug/sluice)")
        p.add_argument("--keep", action="store_true", help="keep the work directory")
        p.add_argument("--no-100k", action="store_true", help="skip the 100k-row transaction")
        p.add_argument("--tmpdir", default=None, help="parent of the work directory (short path: unix socket)")
        p.add_argument("--server-arg", action="append", help="extra mariadbd argument (repeatable)")
        p.add_argument("--workload", action="append",
                       help="SQL file to run instead of Fixtures/workload.sql + workload-bulk.sql (repeatable)")
        p.add_argument("--allow-partial-images", action="store_true",
                       help="tolerate columns absent from row images (implied by --binlog-row-image=MINIMAL/NOBLOB)")
    off = sub.add_parser("offline", help="check a committed fixture set without a server")
    off.add_argument("dir")
    off.add_argument("--sluice")
    off.add_argument("--keep", action="store_true")
    off.add_argument("--tmpdir", default=None)
    off.add_argument("--allow-partial-images", action="store_true",
                     help="tolerate columns absent from row images (default for *minimal-image* sets)")
    dump = sub.add_parser("dump", help="write expected-tables.json from a running server")
    dump.add_argument("--socket", required=True)
    dump.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    if args.cmd == "offline":
        return cmd_offline(args)
    if args.cmd == "dump":
        return cmd_dump(args)
    return cmd_live(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
