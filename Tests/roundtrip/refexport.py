#!/usr/bin/env python3
"""Stand-in for `sluice export --format ndjson`, built on `mariadb-binlog -vv`.

Only for testing the round-trip harness itself (e.g. before a sluice binary
exists):

    SLUICE=Tests/roundtrip/refexport.py python3 Tests/roundtrip/roundtrip.py

It converts mariadb-binlog's decoded text into the NDJSON export format.
Known limits, inherited from mariadb-binlog's text: FLOAT values only have 6
significant digits, strings containing a literal backslash-x-hex-hex are
ambiguous, and there are no column names without FULL row metadata (then
the lines are positional). Compressed events need a mariadb-binlog that
decodes them (10.11 does).
"""
import base64
import calendar
import json
import os
import re
import shutil
import struct
import subprocess
import sys

RE_AT = re.compile(rb"^# at (\d+)")
RE_HDR = re.compile(rb"^#(\d\d)(\d\d)(\d\d) +(\d+):(\d\d):(\d\d) server id (\d+) +end_log_pos (\d+) ")
RE_TMAP = re.compile(rb"Table_map: `((?:[^`]|``)*)`\.`((?:[^`]|``)*)` mapped to number (\d+)")
RE_ROWS = re.compile(rb"\t(Write|Update|Delete)_(?:compressed_)?rows(?:_v1)?(?:_compressed)?(?:_v1)?: table id (\d+)", re.I)
RE_GTID = re.compile(rb"\tGTID (\d+-\d+-\d+)")
RE_QUERY = re.compile(rb"\tQuery(?:_compressed)?\tthread_id=(\d+)\texec_time=\d+\terror_code=\d+(?:\txid=(\d+))?")
RE_XID = re.compile(rb"\tXid = (\d+)")
RE_COL = re.compile(rb"^`((?:[^`]|``)*)` (.*)$")
RE_VAL = re.compile(rb"^###   @(\d+)=(.*) /\* (.*?) meta=\d+ nullable=\d is_null=(\d) \*/$")
RE_PK = re.compile(rb"^# Primary Key\((.*)\)$")

CODECS = {"utf8mb4": "utf-8", "utf8mb3": "utf-8", "ascii": "ascii", "latin1": "cp1252",
          "ucs2": "utf-16-be", "utf16": "utf-16-be", "utf16le": "utf-16-le", "utf32": "utf-32-be",
          "cp1251": "cp1251", "latin2": "iso8859_2", "greek": "iso8859_7", "gbk": "gbk",
          "sjis": "cp932", "ujis": "euc_jp"}


def unescape(raw):
    assert raw[:1] == b"'" and raw[-1:] == b"'", raw[:40]
    return re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw[1:-1])


def f32_shortest(x):
    v = struct.unpack("<f", struct.pack("<f", x))[0]
    for p in range(1, 10):
        s = "%.*g" % (p, v)
        try:
            if struct.unpack("<f", struct.pack("<f", float(s)))[0] == v:
                return float(s)
        except OverflowError:
            pass
    return v


def labels(defn):
    m = re.match(rb"(?:ENUM|SET)(?: NOT NULL)?\((.*)", defn)
    out, body, pos = [], m.group(1), 0
    while True:
        mm = re.compile(rb"'((?:[^']|'')*)'").match(body, pos)
        if not mm:
            return out
        out.append(mm.group(1).replace(b"''", b"'"))
        pos = mm.end()
        if body[pos:pos + 1] != b",":
            return out
        pos += 1


def convert(raw, mtype, col):
    if raw is None:
        return None
    defn = col["def"] if col else b""
    cs = re.search(rb"CHARSET (\w+)", defn)
    charset = cs.group(1).decode() if cs else None
    base = mtype.split("(")[0]
    text = raw.decode("utf-8", "replace")
    if base in ("TINYINT", "SHORTINT", "MEDIUMINT", "INT", "LONGINT"):
        m = re.match(r"^(-?\d+)(?: \((\d+)\))?$", text)
        if b"UNSIGNED" in defn and m.group(2):
            return int(m.group(2))
        return int(m.group(1))
    if base == "BIT":
        return int(text[2:-1] or "0", 2)
    if base == "DECIMAL":
        return text
    if base == "DOUBLE":
        return float(text)
    if base == "FLOAT":
        return f32_shortest(float(text))
    if base == "DATE":
        return text.strip("'").replace(":", "-")
    if base in ("DATETIME", "TIME"):
        return text.strip("'")
    if base == "TIMESTAMP":
        sec, _, frac = text.partition(".")
        if int(sec) == 0 and not frac.strip("0"):
            return "0000-00-00 00:00:00"
        import time
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(sec))) + ("." + frac if frac else "") + "Z"
    if base == "YEAR":
        y = int(text)
        return 0 if y == 1900 else y
    if base in ("ENUM", "SET") and not re.match(rb"(?:ENUM|SET)(?: NOT NULL)?\(", defn):
        # no labels without FULL metadata: give the index / bit mask
        if base == "ENUM":
            return int(text)
        bits = text[2:-1]
        return int.from_bytes(bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)), "little")
    if base == "ENUM":
        ls = labels(defn)
        i = int(text)
        return "" if i == 0 else ls[i - 1].decode(CODECS.get(charset, "utf-8"))
    if base == "SET":
        ls = labels(defn)
        bits = text[2:-1]
        mask = int.from_bytes(bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)), "little")
        return ",".join(l.decode(CODECS.get(charset, "utf-8")) for i, l in enumerate(ls) if mask >> i & 1)
    b = unescape(raw)
    if charset and charset != "binary":
        return b.decode(CODECS.get(charset, "utf-8"), "replace")
    m = re.match(rb"BINARY\((\d+)\)", defn)
    if m:
        b = b.ljust(int(m.group(1)), b"\0")
    return {"base64": base64.b64encode(b).decode()}


def main(argv):
    if len(argv) < 3 or argv[0] != "export" or argv[1:3] != ["--format", "ndjson"]:
        print("usage: refexport.py export --format ndjson FILE...", file=sys.stderr)
        return 2
    exe = shutil.which("mariadb-binlog") or shutil.which("mysqlbinlog")
    out = sys.stdout
    env = dict(os.environ, TZ="UTC")
    for path in argv[3:]:
        fname = os.path.basename(path)
        proc = subprocess.Popen([exe, "--no-defaults", "-vv", "--base64-output=decode-rows",
                                 "--print-table-metadata", path], stdout=subprocess.PIPE, env=env)
        tmaps, tcols, gtid, db, thread_id = {}, {}, None, None, None
        ends = [4]
        lines_out = []     # dicts; row lines carry "_end" until positions are known
        grp = None         # current statement group of rows events
        qev, qlines = None, None
        collecting, tm_id, row, section = None, None, None, None
        pending = []       # row lines of the current transaction (xid filled at commit)

        def flush_query():
            nonlocal qlines, db
            if qlines is None:
                return
            text = b"\n".join(qlines).decode("utf-8", "replace")
            qlines = None
            sql = None
            for st in (x.strip() for x in text.split("/*!*/;")):
                if not st:
                    continue
                m = re.match(r"^use `((?:[^`]|``)*)`$", st)
                if m:
                    db = m.group(1).replace("``", "`")
                    continue
                if st.startswith("SET ") or st.startswith("/*!\\C"):
                    continue
                sql = st
            if sql is None or sql in ("BEGIN", "COMMIT", "START TRANSACTION", "ROLLBACK"):
                return
            qev["sql"] = sql
            qev["db"] = db
            qev["type"] = "ddl" if re.match(r"(?is)\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b", sql) else "query"
            lines_out.append(qev)

        def close_group():
            nonlocal grp
            if grp is None:
                return
            for tkey, kind, r in grp["rows"]:
                evs = [e for e in grp["events"] if tmaps.get(e["tid"], {}).get("key") == tkey] or grp["events"]
                e = evs[0]
                tm = tmaps[e["tid"]]
                cols = tm["cols"] or []
                imgs = {}
                for side in ("before", "after"):
                    vals = r[side]
                    if vals is None:
                        imgs[side] = None
                        continue
                    d = {}
                    for n, (raw, mtype) in sorted(vals.items()):
                        col = cols[n - 1] if n - 1 < len(cols) else None
                        d[col["name"] if col and col["name"] else "@%d" % n] = convert(raw, mtype, col)
                    imgs[side] = d
                line = {"file": fname, "_end": e["end"], "end": e["end"], "ts": grp["ts"],
                        "time": iso(grp["ts"]), "server_id": grp["server_id"], "gtid": gtid, "xid": None,
                        "thread_id": thread_id, "db": tkey[0], "table": tkey[1],
                        "type": kind, "pk": tm["pk"], "before": imgs["before"], "after": imgs["after"]}
                if kind == "update":
                    line["changed"] = [k for k in imgs["after"] if imgs["before"].get(k, object()) != imgs["after"][k]]
                if not cols or not all(c and c["name"] for c in cols):
                    line["positional"] = True
                pending.append(line)
            grp = None

        def flush_pending(x):
            for line in pending:
                line["xid"] = x
                lines_out.append(line)
            pending.clear()

        for line in proc.stdout:
            line = line.rstrip(b"\n")
            if collecting is not None:
                if line.startswith(b"#         `"):
                    collecting.append(line[10:])
                    continue
                cols = []
                for c in collecting:
                    c = c.rstrip()
                    c = c[:-1] if c[-1:] in (b",", b")") else c
                    m = RE_COL.match(c)
                    cols.append({"name": m.group(1).replace(b"``", b"`").decode(), "def": m.group(2)} if m
                                else {"name": None, "def": c})
                tmaps[tm_id]["cols"] = cols
                collecting = None
            if line.startswith(b"# Primary Key(") and tm_id in tmaps:
                names = RE_PK.match(line).group(1).decode()
                tmaps[tm_id]["pk"] = [re.sub(r"\(\d+\)$", "", n.strip()) for n in names.split(",")]
                continue
            if line.startswith(b"###"):
                if grp is None:
                    continue
                grp["printing"] = True
                if line.startswith(b"### INSERT INTO") or line.startswith(b"### UPDATE ") or line.startswith(b"### DELETE FROM"):
                    m = re.search(rb"`((?:[^`]|``)*)`\.`((?:[^`]|``)*)`\s*$", line)
                    tkey = (m.group(1).replace(b"``", b"`").decode(), m.group(2).replace(b"``", b"`").decode())
                    kind = "insert" if line.startswith(b"### INSERT") else "update" if line.startswith(b"### UPDATE") else "delete"
                    row = {"before": None, "after": None}
                    grp["rows"].append((tkey, kind, row))
                elif line == b"### WHERE":
                    row["before"], section = {}, "before"
                elif line == b"### SET":
                    row["after"], section = {}, "after"
                else:
                    m = RE_VAL.match(line)
                    if m:
                        row[section][int(m.group(1))] = (None if m.group(4) == b"1" else m.group(2), m.group(3).decode())
                continue
            if RE_AT.match(line):
                flush_query()
                continue
            if line.startswith(b"# Columns("):
                collecting = [line[len(b"# Columns("):]]
                continue
            if line.startswith(b"# Number of rows"):
                close_group()
                continue
            mh = RE_HDR.match(line)
            if mh:
                flush_query()
                yy, mo, dd, hh, mi, ss = (int(mh.group(i)) for i in range(1, 7))
                ts = calendar.timegm((2000 + yy, mo, dd, hh, mi, ss, 0, 0, 0))
                server_id, end = int(mh.group(7)), int(mh.group(8))
                ends.append(end)
                mt = RE_TMAP.search(line)
                if mt:
                    tm_id = int(mt.group(3))
                    key = (mt.group(1).replace(b"``", b"`").decode(), mt.group(2).replace(b"``", b"`").decode())
                    tmaps[tm_id] = {"key": key, "cols": None, "pk": []}
                    continue
                mr = RE_ROWS.search(line)
                if mr:
                    if grp is not None and grp["printing"]:
                        close_group()
                    if grp is None:
                        grp = {"events": [], "rows": [], "ts": ts, "server_id": server_id, "printing": False}
                    grp["events"].append({"end": end, "tid": int(mr.group(2))})
                    continue
                if b"Annotate_rows" in line:
                    continue
                close_group()
                mg = RE_GTID.search(line)
                if mg:
                    flush_pending(None)
                    gtid = mg.group(1).decode()
                    continue
                mq = RE_QUERY.search(line)
                if mq:
                    thread_id = int(mq.group(1))
                    qev = {"file": fname, "_end": end, "end": end, "ts": ts, "time": iso(ts),
                           "server_id": server_id, "gtid": gtid, "thread_id": thread_id}
                    qlines = []
                    continue
                mx = RE_XID.search(line)
                if mx:
                    flush_pending(int(mx.group(1)))
                    continue
                if b"\tXID = " in line:
                    flush_pending(None)
                continue
            if qlines is not None:
                mts = re.match(rb"SET TIMESTAMP=(\d+)", line)
                if mts:
                    qev["ts"] = int(mts.group(1))
                    qev["time"] = iso(qev["ts"])
                qlines.append(line)
        flush_query()
        close_group()
        flush_pending(None)
        proc.wait()
        ends.sort()
        start_of = {e: ends[i - 1] for i, e in enumerate(ends) if i > 0}
        for d in lines_out:
            e = d.pop("_end")
            out_d = {"file": d["file"], "pos": start_of.get(e)}
            out_d.update((k, v) for k, v in d.items() if k != "file")
            out.write(json.dumps(out_d, ensure_ascii=False) + "\n")
    return 0


def iso(ts):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
