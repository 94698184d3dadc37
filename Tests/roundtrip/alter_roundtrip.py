#!/usr/bin/env python3
"""Live ALTER round trip: the offline schema (DDL replay + a schema dump) against FULL metadata.

Two throwaway MariaDB servers (scripts/mariadb-sandbox.sh), one with
binlog_row_metadata=MINIMAL and one with FULL, run the same statements:
alter-setup.sql, then (MINIMAL only) `mariadb-dump --no-data` of the databases,
FLUSH BINARY LOGS, then alter-workload.sql (ALTERs between DML). The binlogs
written after the flush are decoded with `sluice export --format ndjson`: the
MINIMAL ones with `--schema DUMP`, the FULL ones as they are. Every row event
must carry the same database, table, type, primary key, and the same columns
(names, order) and values in its before/after images; sluice must not warn about
the MINIMAL archive (no mismatch, no statement it could not model).

    SLUICE=.build/debug/sluice python3 Tests/roundtrip/alter_roundtrip.py [--keep]

The last line is `alter_roundtrip: N rows compared, M failed`; exit status 1 on
any failure. Takes a few seconds (both servers run at once).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SANDBOX = REPO / "scripts" / "mariadb-sandbox.sh"
SETUP = HERE / "alter-setup.sql"
WORKLOAD = HERE / "alter-workload.sql"
DATABASES = ["rt_shop", "rt_archive"]
# Fields that name the place in the file or the server's own counters, not the row: offsets
# differ (FULL Table_maps are longer), and the MINIMAL server's dump connection advanced its
# query id (MariaDB's Xid) and thread ids.
POSITIONAL = {"file", "pos", "end", "xid", "thread_id"}


def log(msg):
    print("alter_roundtrip: " + msg, flush=True)


def find_sluice(arg):
    for c in [arg, os.environ.get("SLUICE"), str(REPO / ".build" / "debug" / "sluice")]:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return str(Path(c).resolve())
    return None


def tool(*names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    raise RuntimeError("none of %s found" % (names,))


def sql(sock, text=None, path=None, args=()):
    client = tool("mariadb", "mysql")
    cmd = [client, "--no-defaults", "-uroot", "--socket=" + sock, "--default-character-set=utf8mb4"] + list(args)
    stdin = open(path, "rb") if path else None
    try:
        r = subprocess.run(cmd, input=None if path else (text or "").encode(), stdin=stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    finally:
        if stdin:
            stdin.close()
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (path or text, r.stderr.decode("utf-8", "replace")[-2000:]))
    return r.stdout.decode()


def run_server(work, mode):
    """Starts a server, runs setup (+dump), flush, workload; returns (dir, first binlog, dump path)."""
    d = work / mode.lower()
    subprocess.run(["bash", str(SANDBOX), "start", str(d), "--binlog-row-metadata=" + mode],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=180)
    return d


def load(d, mode, dump_path):
    sock = str(d / "sock")
    sql(sock, path=SETUP)
    if dump_path:
        r = subprocess.run([tool("mariadb-dump", "mysqldump"), "--no-defaults", "-uroot", "--socket=" + sock,
                            "--no-data", "--skip-dump-date", "--databases"] + DATABASES,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        if r.returncode != 0:
            raise RuntimeError("mariadb-dump: " + r.stderr.decode("utf-8", "replace"))
        dump_path.write_bytes(r.stdout)
    first = sql(sock, "FLUSH BINARY LOGS; SHOW MASTER STATUS", args=["-N"]).split("\t")[0].strip()
    sql(sock, path=WORKLOAD)
    return first


def binlogs_after(d, first):
    names = [Path(l.strip()).name for l in (d / "binlog.index").read_text().splitlines() if l.strip()]
    return [str(d / n) for n in names if n >= first]


def export(sluice, files, extra):
    r = subprocess.run([sluice, "export", "--format", "ndjson"] + extra + files,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if r.returncode != 0:
        raise RuntimeError("sluice export %s failed (%d): %s" % (extra, r.returncode, r.stderr.decode()[-2000:]))
    rows = []
    for line in r.stdout.decode("utf-8").splitlines():
        o = json.loads(line)
        if o.get("type") in ("insert", "update", "delete"):
            rows.append(o)
    return rows, r.stderr.decode("utf-8", "replace")


def image(o, key):
    img = o.get(key)
    # Column order matters: object_pairs order is the column order sluice wrote.
    return None if img is None else list(img.items())


def compare(minimal, full):
    failures = []
    if len(minimal) != len(full):
        failures.append("row count: MINIMAL %d, FULL %d" % (len(minimal), len(full)))
    for k, (m, f) in enumerate(zip(minimal, full)):
        where = "row %d (%s.%s %s, FULL %s:%s / MINIMAL %s:%s)" % (
            k, f.get("db"), f.get("table"), f.get("type"), f.get("file"), f.get("pos"), m.get("file"), m.get("pos"))
        for key in sorted(set(m) | set(f)):
            if key in POSITIONAL:
                continue
            if key in ("before", "after"):
                a, b = image(m, key), image(f, key)
            else:
                a, b = m.get(key), f.get(key)
            if a != b:
                failures.append("%s: %s: MINIMAL %s, FULL %s" % (where, key, json.dumps(a)[:300], json.dumps(b)[:300]))
        for img in ("before", "after"):
            for name, _ in image(f, img) or []:
                if name.startswith("@"):
                    failures.append("%s: FULL image has a positional name %s" % (where, name))
    return failures


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sluice")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--tmpdir", default=None, help="parent of the work directory (short path: unix socket)")
    args = ap.parse_args(argv)
    sluice = find_sluice(args.sluice)
    if not sluice:
        log("sluice binary not found (set SLUICE or build .build/debug/sluice)")
        log("0 rows compared, 1 failed")
        return 1
    t0 = time.time()
    work = Path(tempfile.mkdtemp(prefix="sluice-alter-", dir=args.tmpdir))
    started = []
    ok = False
    try:
        try:
            for mode in ("MINIMAL", "FULL"):
                started.append(run_server(work, mode))
            dump = work / "schema-before.sql"
            first_min = load(started[0], "MINIMAL", dump)
            first_full = load(started[1], "FULL", None)
        finally:
            for d in started:
                subprocess.run(["bash", str(SANDBOX), "stop", str(d)], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, timeout=180)
        log("servers ran the workload in %.1fs" % (time.time() - t0))
        min_files = binlogs_after(started[0], first_min)
        full_files = binlogs_after(started[1], first_full)
        minimal, min_err = export(sluice, min_files, ["--schema", str(dump)])
        full, _ = export(sluice, full_files, [])
        failures = compare(minimal, full)
        if min_err.strip():
            failures.append("sluice warned about the MINIMAL archive: " + min_err.strip()[-2000:])
        tables = sorted({"%s.%s" % (o["db"], o["table"]) for o in full})
        if len(full) < 40 or len(tables) < 8:
            failures.append("workload too small: %d rows over %s" % (len(full), tables))
        for f in failures[:50]:
            log("FAIL " + f)
        log("%d tables: %s" % (len(tables), " ".join(tables)))
        log("total time %.1fs" % (time.time() - t0))
        log("%d rows compared, %d failed" % (len(full), len(failures)))
        ok = not failures
        return 0 if ok else 1
    except Exception as e:
        log("error: %s" % e)
        log("0 rows compared, 1 failed")
        return 1
    finally:
        if ok and not args.keep:
            shutil.rmtree(str(work), ignore_errors=True)
        else:
            log("kept %s" % work)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
