#!/usr/bin/env python3
"""Every character of every charset the server supports, exported by Sluice, against the server's own conversion.

A throwaway MariaDB (scripts/mariadb-sandbox.sh, FULL row metadata) gets one table per charset of
`SHOW CHARACTER SET` (binary excepted), `txt LONGTEXT CHARACTER SET <cs>`. The server itself says
which codes are characters: every single byte, every two-byte code 80..FF x 00..FF (Maxlen >= 2),
every three-byte code after a lead byte that starts no shorter character (Maxlen 3: ujis, eucjpms),
is asked `CONVERT(CAST(code AS CHAR CHARACTER SET cs) USING utf8mb4)`; a code that comes back as
exactly one character other than `?` is a character. For the Unicode charsets (utf8mb3, utf8mb4,
ucs2, utf16, utf16le, utf32) every Unicode scalar value the charset holds is one (utf8mb3 and
ucs2: the BMP). The characters are inserted in order, 256 per row, with the charset's introducer
(`_sjis X'...'`), so the binlog carries exactly the server's bytes.

`sluice export --format ndjson` of the binlog must give, for every row, the text of
`SELECT HEX(CONVERT(txt USING utf8mb4))`: a difference is one character position where the two
differ (a value Sluice keeps as {"base64"} counts all its characters). Pass: 0 differences.

Then SQL replay (issue 17, defect 7): `sluice export --format sql` of the same binlog is piped
into a second server started with `--character-set-server=latin1 --collation-server=latin1_swedish_ci`;
every row's `HEX(txt)` must equal the first server's (the same bytes stored), and a database
created without a charset (so on the source's utf8mb4 default) must get utf8mb4 again, emoji intact.

  SLUICE=.build/debug/sluice python3 Tests/roundtrip/charsets.py [--keep]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import roundtrip as rt  # noqa: E402

PER_ROW = 256
UNICODE = {
    "utf8mb4": ("utf-8", 0x10FFFF), "utf8mb3": ("utf-8", 0xFFFF), "ucs2": ("utf-16-be", 0xFFFF),
    "utf16": ("utf-16-be", 0x10FFFF), "utf16le": ("utf-16-le", 0x10FFFF), "utf32": ("utf-32-be", 0x10FFFF),
}


def log(msg):
    print("charsets: " + msg, flush=True)


def server_characters(cur, cs, maxlen):
    """The codes (bytes) the server converts to one character, in code order."""
    def ask(width, lo, hi, prefix=""):
        cur.execute(
            "SELECT seq, HEX(c) FROM (SELECT seq, CONVERT(CAST(UNHEX(CONCAT('%s', LPAD(HEX(seq), %d, '0'))) "
            "AS CHAR CHARACTER SET %s) USING utf8mb4) AS c FROM seq_%d_to_%d) x WHERE CHAR_LENGTH(c) = 1"
            % (prefix, width, cs, lo, hi))
        out = []
        for seq, h in cur.fetchall():
            code = bytes.fromhex(prefix + format(int(seq), "0%dX" % width))
            if h == "3F" and code != b"?":
                continue
            out.append(code)
        return out

    singles = ask(2, 0, 255)
    doubles = ask(4, 0x8000, 0xFFFF) if maxlen >= 2 else []
    triples = []
    if maxlen >= 3:
        taken = {c[0] for c in singles} | {c[0] for c in doubles}
        for lead in range(0x80, 0x100):
            if lead not in taken:
                triples += ask(4, 0x8080, 0xFFFF, prefix=format(lead, "02X"))
    return singles + doubles + triples


def unicode_characters(encoding, top):
    return [chr(u).encode(encoding) for u in range(0, top + 1) if not 0xD800 <= u < 0xE000]


def sql_replay(sluice, files, work, stored):
    """Replays `sluice export --format sql` into a latin1 server; the number of values whose bytes differ."""
    sql = work / "replay.sql"
    with open(sql, "wb") as f:
        r = subprocess.run([sluice, "export", "--format", "sql"] + [str(p) for p in files], stdout=f,
                           stderr=subprocess.PIPE)
    if r.returncode != 0:
        log("FAIL: sluice export --format sql exited %d: %s" % (r.returncode, r.stderr.decode("utf-8", "replace")[:500]))
        return len(stored)
    server = work / "latin1"
    subprocess.run([str(ROOT / "scripts/mariadb-sandbox.sh"), "start", str(server),
                    "--character-set-server=latin1", "--collation-server=latin1_swedish_ci"], check=True,
                   stdout=subprocess.DEVNULL)
    try:
        sock = str(server / "sock")
        client = shutil.which("mariadb") or shutil.which("mysql")
        with open(sql, "rb") as f:
            r = subprocess.run([client, "--no-defaults", "-uroot", "--socket=" + sock, "--binary-mode"], stdin=f,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode != 0:
            log("FAIL: replay: %s" % r.stderr.decode("utf-8", "replace")[:500])
            return len(stored)
        conn = rt.connect(sock)
        cur = conn.cursor()
        got = {}
        cur.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'cs_all'")
        for (t,) in cur.fetchall():
            cur.execute("SELECT id, HEX(txt) FROM cs_all.`%s`" % t)
            for i, raw in cur.fetchall():
                got[(t[2:], int(i))] = raw
        cur.execute("SELECT id, HEX(txt) FROM cs_default.t")
        for i, raw in cur.fetchall():
            got[("default", int(i))] = raw
        cur.execute("SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'cs_default'")
        dbcs = cur.fetchone()
        conn.close()
    finally:
        subprocess.run([str(ROOT / "scripts/mariadb-sandbox.sh"), "stop", str(server)], stdout=subprocess.DEVNULL)
    bad = 0
    if not dbcs or dbcs[0] != "utf8mb4":
        log("FAIL: cs_default was created with charset %r on the latin1 server, not utf8mb4" % (dbcs,))
        bad += 1
    shown = 0
    for k, want in stored.items():
        if got.get(k) != want:
            bad += 1
            if shown < 5:
                shown += 1
                log("FAIL: replay %s row %d: stored %s, replayed %s" % (k[0], k[1], want[:40], (got.get(k) or "-")[:40]))
    return bad


def main(argv):
    keep = "--keep" in argv
    sluice = os.environ.get("SLUICE") or str(ROOT / ".build/debug/sluice")
    if not Path(sluice).exists():
        log("sluice binary not found at %s" % sluice)
        return 1
    work = Path(tempfile.mkdtemp(prefix="sluice-charsets-"))
    sandbox = work / "server"
    t0 = time.time()
    chars = {}      # (cs) -> [code bytes]
    try:
        subprocess.run([str(ROOT / "scripts/mariadb-sandbox.sh"), "start", str(sandbox)], check=True,
                       stdout=subprocess.DEVNULL)
        sock = str(sandbox / "sock")
        conn = rt.connect(sock)
        cur = conn.cursor()
        cur.execute("SHOW CHARACTER SET")
        charsets = sorted((r[0], int(r[3])) for r in cur.fetchall() if r[0] != "binary")
        cur.execute("CREATE DATABASE cs_all")
        cur.execute("USE cs_all")
        for cs, maxlen in charsets:
            if cs in UNICODE:
                chars[cs] = unicode_characters(*UNICODE[cs])
            else:
                chars[cs] = server_characters(cur, cs, maxlen)
            cur.execute("CREATE TABLE t_%s (id INT PRIMARY KEY, txt LONGTEXT CHARACTER SET %s) ENGINE=InnoDB" % (cs, cs))
            rows = [b"".join(chars[cs][i:i + PER_ROW]) for i in range(0, len(chars[cs]), PER_ROW)]
            for i in range(0, len(rows), 64):
                values = ",".join("(%d, _%s X'%s')" % (i + k, cs, r.hex()) for k, r in enumerate(rows[i:i + 64]))
                cur.execute("INSERT INTO t_%s VALUES %s" % (cs, values))
        # A database and table with no charset: they take the server's (utf8mb4) defaults.
        cur.execute("CREATE DATABASE cs_default")
        cur.execute("CREATE TABLE cs_default.t (id INT PRIMARY KEY, txt TEXT)")
        cur.execute("INSERT INTO cs_default.t VALUES (1, 'emoji \U0001F600 and \u00e9\u4e2d'), (2, '\U0001F9EA\U0001F30D')")
        expected = {}
        stored = {}
        for cs, _ in charsets:
            cur.execute("SELECT id, HEX(CONVERT(txt USING utf8mb4)), HEX(txt) FROM t_%s ORDER BY id" % cs)
            expected[cs] = {}
            for i, h, raw in cur.fetchall():
                expected[cs][int(i)] = bytes.fromhex(h).decode("utf-8")
                stored[(cs, int(i))] = raw
        cur.execute("SELECT id, HEX(txt) FROM cs_default.t")
        for i, raw in cur.fetchall():
            stored[("default", int(i))] = raw
        conn.close()
        log("%d charsets, %d characters inserted (%.1fs)" % (len(charsets), sum(len(v) for v in chars.values()),
                                                            time.time() - t0))
    finally:
        subprocess.run([str(ROOT / "scripts/mariadb-sandbox.sh"), "stop", str(sandbox)], stdout=subprocess.DEVNULL)

    files = rt.binlog_files(sandbox / "binlog.index")
    out = work / "out.ndjson"
    with open(out, "wb") as f:
        r = subprocess.run([sluice, "export", "--format", "ndjson"] + [str(p) for p in files], stdout=f,
                           stderr=subprocess.PIPE)
    if r.returncode != 0:
        log("FAIL: sluice export exited %d: %s" % (r.returncode, r.stderr.decode("utf-8", "replace")[:500]))
        return 1
    got = {}
    with open(out, encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            if ev.get("type") == "insert" and ev.get("db") == "cs_all":
                got[(ev["table"][2:], ev["after"]["id"])] = ev["after"]["txt"]
    total = 0
    failed_sets = 0
    for cs, _ in charsets:
        diffs = 0
        details = []
        for i, want in expected[cs].items():
            have = got.get((cs, i))
            if not isinstance(have, str):
                diffs += len(want)
                if len(details) < 3:
                    details.append("row %d: sluice wrote %s" % (i, json.dumps(have)[:80]))
                continue
            for k in range(max(len(want), len(have))):
                a = want[k] if k < len(want) else None
                b = have[k] if k < len(have) else None
                if a != b:
                    diffs += 1
                    if len(details) < 3:
                        code = chars[cs][i * PER_ROW + k].hex().upper() if i * PER_ROW + k < len(chars[cs]) else "?"
                        details.append("code %s: server %s, sluice %s" % (
                            code, "U+%04X" % ord(a) if a else "-", "U+%04X" % ord(b) if b else "-"))
        n = len(chars[cs])
        total += diffs
        if diffs:
            failed_sets += 1
        log("%s %-9s %7d characters, %d differences%s" % ("PASS" if diffs == 0 else "FAIL", cs, n, diffs,
                                                          ("; " + "; ".join(details)) if details else ""))
    log("%d charsets, %d differences, %d failed (%.1fs)" % (len(charsets), total, failed_sets, time.time() - t0))
    replay_failures = sql_replay(sluice, files, work, stored)
    log("SQL replay into a latin1 server: %d of %d values differ (%.1fs)" % (replay_failures, len(stored),
                                                                             time.time() - t0))
    total += replay_failures
    if not keep:
        subprocess.run(["rm", "-rf", str(work)])
    else:
        log("kept " + str(work))
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
