#!/usr/bin/env python3
"""The one-command undo of an incident window, checked against a real MariaDB.

For each fixture set (FULL metadata, and MINIMAL metadata where the column names come from the
DDL the index stored), a fresh throwaway MariaDB (scripts/mariadb-sandbox.sh) is brought to the
state before the window with `sluice export --format sql --stop-datetime START` and the table is
SELECTed; the window itself is applied (`export --start-datetime START --stop-datetime STOP`),
which changes the table; then the one command

  sluice query --table T --start-datetime START --stop-datetime STOP --format sql --flashback FILES

is applied, and the table's SELECT must equal the one before the window, row for row.

  SLUICE=.build/debug/sluice python3 Tests/roundtrip/window_flashback.py [FIXTURE_DIR ...]
"""
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
from sql_replay import apply_sql, drop_user_databases, mariadb_client  # noqa: E402

# (table, start, stop): the window starts after the table's CREATE (DDL is not undone) and holds
# inserts, updates and a delete of it, some made by triggers of another table.
WINDOWS = [
    ("sluice_shop.orders", "2024-03-01T02:00:00Z", "2024-03-01 05:30:00.5"),
    ("sluice_shop.order_items", "@1709260200", "2024-03-01T05:00:00+02:00"),
]


def log(msg):
    print("window-flashback: " + msg, flush=True)


def select_all(sock, table):
    db, name = table.split(".", 1)
    conn = rt.connect(sock)
    try:
        cur = conn.cursor()
        cur.execute("SELECT * FROM %s.%s" % (rt.quote_ident(db), rt.quote_ident(name)))
        return sorted(repr(r) for r in cur.fetchall())
    finally:
        conn.close()


def main(argv):
    sluice = os.environ.get("SLUICE") or str(ROOT / ".build/debug/sluice")
    client = mariadb_client()
    if not Path(sluice).exists() or not client:
        log("needs the sluice binary (%s) and a mariadb client" % sluice)
        return 1
    dirs = [Path(a) for a in argv] or [ROOT / "Fixtures/mariadb-10.11", ROOT / "Fixtures/mariadb-10.11-minimal"]
    work = Path(tempfile.mkdtemp(prefix="sluice-window-flashback-"))
    sandbox = work / "server"
    failed = passed = 0
    try:
        subprocess.run([str(ROOT / "scripts/mariadb-sandbox.sh"), "start", str(sandbox)], check=True,
                       stdout=subprocess.DEVNULL)
        sock = str(sandbox / "sock")
        for d in dirs:
            files = [str(f) for f in rt.binlog_files(d / "binlog.index")]
            for table, start, stop in WINDOWS:
                what = "%s %s [%s, %s)" % (d.name, table, start, stop)
                steps = [
                    ("before", ["export", "--format", "sql", "--stop-datetime", start]),
                    ("window", ["export", "--format", "sql", "--start-datetime", start, "--stop-datetime", stop]),
                    ("undo", ["query", "--table", table, "--start-datetime", start, "--stop-datetime", stop,
                              "--format", "sql", "--flashback"]),
                ]
                drop_user_databases(sock)
                seen = {}
                ok = True
                for name, args in steps:
                    sql = work / ("%s.%s.%s.sql" % (d.name, table, name))
                    r = subprocess.run([sluice] + args + ["-o", str(sql)] + files, capture_output=True)
                    if r.returncode != 0:
                        log("FAIL %s: sluice %s: exit %d: %s" % (what, name, r.returncode, r.stderr.decode()[-800:]))
                        ok = False
                        break
                    rc, err = apply_sql(client, sock, sql)
                    if rc != 0:
                        log("FAIL %s: the server rejected the %s SQL: %s" % (what, name, err[-800:]))
                        ok = False
                        break
                    seen[name] = select_all(sock, table)
                if not ok:
                    failed += 1
                    continue
                if seen["window"] == seen["before"] or not seen["before"]:
                    log("FAIL %s: the window does not change the table (a test that proves nothing)" % what)
                    failed += 1
                elif seen["undo"] != seen["before"]:
                    only_before = [x for x in seen["before"] if x not in seen["undo"]][:3]
                    only_after = [x for x in seen["undo"] if x not in seen["before"]][:3]
                    log("FAIL %s: after the flashback the table differs from before the window: "
                        "only before %s; only after %s" % (what, only_before, only_after))
                    failed += 1
                else:
                    passed += 1
                    log("ok   %s: %d rows before, %d after the window, %d after the flashback, equal to before"
                        % (what, len(seen["before"]), len(seen["window"]), len(seen["undo"])))
    finally:
        rt.stop_sandbox(sandbox, work, keep=failed > 0, log=log)
    log("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
