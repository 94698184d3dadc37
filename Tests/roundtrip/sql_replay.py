#!/usr/bin/env python3
"""SQL export checked against a real MariaDB.

For each committed fixture set (Fixtures/mariadb-10.11*), `sluice export --format sql` of its
binlogs is piped into a fresh throwaway MariaDB (scripts/mariadb-sandbox.sh). The workload's
binlogs start from nothing (CREATE DATABASE ...), so afterwards every table must equal the
fixture's expected-tables.json (the server's own final SELECT when the fixture was recorded),
compared with roundtrip.py's canonical dump. Then `--flashback` SQL is applied: every table the
workload filled must be empty again (DDL is not undone). Last, `sluice query --format binlog`
cuts every transaction of the set into one binlog, `mariadb-binlog` turns the cut into SQL, and
the fresh server it is replayed into must again equal the recorded tables, exactly.

  SLUICE=.build/debug/sluice python3 Tests/roundtrip/sql_replay.py [FIXTURE_DIR ...]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import roundtrip as rt  # noqa: E402


def log(msg):
    print("sql-replay: " + msg, flush=True)


def mariadb_client():
    for c in ("mariadb", "mysql"):
        p = shutil.which(c)
        if p:
            return p
    return None


def apply_sql(client, sock, sql_path, force=False):
    with open(sql_path, "rb") as f:
        r = subprocess.run([client, "--no-defaults", "-uroot", "--socket=" + sock, "--binary-mode"]
                           + (["--force"] if force else []),
                           stdin=f, capture_output=True)
    return r.returncode, r.stderr.decode("utf-8", "replace")


def user_databases(sock):
    conn = rt.connect(sock)
    try:
        cur = conn.cursor()
        cur.execute("SHOW DATABASES")
        return [r[0] for r in cur.fetchall()
                if r[0] not in ("mysql", "information_schema", "performance_schema", "sys", "test")]
    finally:
        conn.close()


def drop_user_databases(sock):
    conn = rt.connect(sock)
    try:
        cur = conn.cursor()
        for db in user_databases(sock):
            cur.execute("DROP DATABASE " + rt.quote_ident(db))
    finally:
        conn.close()


# Known gaps of SQL text output, checked separately from the comparison:
#  - MariaDB INET4/UUID columns: the binlog carries their record bytes as BINARY(4)/BINARY(16) with
#    no type; the bytes written back as X'..' are not read back as the same INET4 or v1 UUID.
KNOWN_UNEXACT = {"sluice_types.net_uuid"}


def canonical(catalog):
    out = {}
    for key, info in catalog.items():
        if info.get("table_type") != "BASE TABLE":
            continue
        rows = info.get("rows") or []
        out["%s.%s" % key] = sorted(json.dumps(list(r.values()), ensure_ascii=False, sort_keys=False) for r in rows)
    return out


def main(argv):
    sluice = os.environ.get("SLUICE") or str(ROOT / ".build/debug/sluice")
    if not Path(sluice).exists():
        log("sluice binary not found at %s" % sluice)
        return 1
    client = mariadb_client()
    if not client:
        log("no mariadb client; install mariadb-client")
        return 1
    dirs = [Path(a) for a in argv] or sorted(p for p in (ROOT / "Fixtures").glob("mariadb-*") if p.is_dir())
    work = Path(tempfile.mkdtemp(prefix="sluice-sql-replay-"))
    sandbox = work / "server"
    failed = 0
    passed = 0
    try:
        subprocess.run([str(ROOT / "scripts/mariadb-sandbox.sh"), "start", str(sandbox)], check=True,
                       stdout=subprocess.DEVNULL)
        sock = str(sandbox / "sock")
        for d in dirs:
            files = rt.binlog_files(d / "binlog.index")
            _, expected = rt.read_expected(d / "expected-tables.json")
            want = canonical(expected)
            for mode in ("replay", "flashback", "cut"):
                sql = work / ("%s.%s.sql" % (d.name, mode))
                if mode == "cut":
                    # query --format binlog over the whole archive, replayed by mariadb-binlog.
                    cut = work / ("%s.cut.bin" % d.name)
                    r = subprocess.run([sluice, "query", "--no-index", "--format", "binlog", "-o", str(cut)]
                                       + [str(f) for f in files], capture_output=True)
                    if r.returncode == 0:
                        with open(sql, "wb") as out:
                            m = subprocess.run(["mariadb-binlog", str(cut)], stdout=out, stderr=subprocess.PIPE)
                        if m.returncode != 0:
                            r = m
                else:
                    args = [sluice, "export", "--format", "sql", "-o", str(sql)] + (["--flashback"] if mode == "flashback" else [])
                    r = subprocess.run(args + [str(f) for f in files], capture_output=True)
                # Sets whose flashback cannot be exact: sluice must say why and exit 2, not guess.
                # Partial before images hold no old values; statement-logged changes carry no rows.
                refusal = {"minimal-image": (b"binlog_row_image=FULL", "refused (partial row images)"),
                           "statement": (b"could not be undone", "statement-logged changes reported")}
                why = next((v for k, v in refusal.items() if k in d.name), None)
                if mode == "flashback" and why:
                    if r.returncode == 2 and why[0] in r.stderr:
                        passed += 1
                        log("ok   %s flashback: %s, exit 2" % (d.name, why[1]))
                    else:
                        failed += 1
                        log("FAIL %s flashback: expected exit 2 and why, got exit %d" % (d.name, r.returncode))
                    continue
                if r.returncode != 0:
                    log("FAIL %s %s: sluice exit %d: %s" % (d.name, mode, r.returncode, r.stderr.decode()[-1500:]))
                    failed += 1
                    break
                if mode in ("replay", "cut"):
                    drop_user_databases(sock)
                # DDL is not undone: a flashback over a range that dropped a table has statements
                # for a table that no longer exists (README). Only those errors are allowed.
                rc, err = apply_sql(client, sock, sql, force=(mode == "flashback"))
                if mode == "flashback":
                    errors = [l for l in err.splitlines() if l.startswith("ERROR")]
                    unexpected = [l for l in errors if not l.startswith("ERROR 1146")]
                    if unexpected:
                        log("FAIL %s flashback: %s" % (d.name, unexpected[:3]))
                        failed += 1
                        break
                    if errors:
                        log("     %s flashback: %d statements for dropped tables failed as expected" % (d.name, len(errors)))
                    rc = 0
                if rc != 0 and mode == "cut":
                    # Some sets cannot be replayed from any binlog (MariaDB rejects a MINIMAL-image
                    # SEQUENCE row): the source binlogs through mariadb-binlog must fail the same way.
                    src_sql = work / ("%s.source.sql" % d.name)
                    with open(src_sql, "wb") as out:
                        subprocess.run(["mariadb-binlog"] + [str(f) for f in files], stdout=out, stderr=subprocess.DEVNULL)
                    drop_user_databases(sock)
                    src_rc, src_err = apply_sql(client, sock, src_sql)
                    last = lambda e: [l.split(" at line ")[0] + ":" + l.split(":", 1)[-1] for l in e.splitlines() if l.startswith("ERROR")]
                    if src_rc != 0 and last(src_err) == last(err):
                        passed += 1
                        log("ok   %s cut: replays like the source binlogs (both: %s)" % (d.name, last(err)[0][:120]))
                        continue
                if rc != 0:
                    log("FAIL %s %s: the server rejected the SQL: %s" % (d.name, mode, err[-1500:]))
                    failed += 1
                    break
                _, catalog = rt.dump_server(sock)
                got = canonical(catalog)
                if mode in ("replay", "cut"):
                    # The cut carries the raw events: every table replays exactly.
                    unexact = KNOWN_UNEXACT if mode == "replay" else set()
                    bad = [t for t in want if got.get(t) != want[t] and t not in unexact]
                    for t in unexact & set(want):
                        if len(got.get(t, [])) != len(want[t]):
                            bad.append(t)
                    missing = [t for t in want if t not in got]
                    if bad:
                        failed += 1
                        for t in bad[:5]:
                            w, g = want[t], got.get(t, [])
                            diff = [x for x in w if x not in g][:2], [x for x in g if x not in w][:2]
                            log("FAIL %s %s: %s differs (%d vs %d rows); only expected: %s; only replayed: %s"
                                % (d.name, mode, t, len(w), len(g), diff[0], diff[1]))
                        if missing:
                            log("  missing tables: %s" % missing[:10])
                    else:
                        passed += 1
                        log("ok   %s %s: %d tables, %d rows equal the recorded server"
                            % (d.name, mode, len(want), sum(len(v) for v in want.values())))
                else:
                    left = {t: len(v) for t, v in got.items() if v and t in want}
                    if left:
                        failed += 1
                        log("FAIL %s flashback: rows left in %s" % (d.name, dict(list(left.items())[:8])))
                    else:
                        passed += 1
                        log("ok   %s flashback: every table empty again" % d.name)
    finally:
        rt.stop_sandbox(sandbox, work, keep=failed > 0, log=log)
    log("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
