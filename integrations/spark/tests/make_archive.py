#!/usr/bin/env python3
"""A small fleet archive written by real MariaDB servers, for the Spark tests and the benchmark.

Two throwaway servers (scripts/mariadb-sandbox.sh), started side by side: server id 11 with the
sandbox defaults (FULL row metadata) and server id 12 with binlog_row_metadata=MINIMAL (no column
names in the binlog: they come from replaying the DDL of earlier files). Each runs a seeded
workload in batches separated by FLUSH BINARY LOGS, so each writes many small binlogs; server 11
also writes one large batch (a file big enough to be split into several ranges), and both ALTER a
table halfway. Then every other file is archived with `sluice archive --remove-source`, so each
source mixes plain binlogs and seekable .zst archives.

  python3 make_archive.py OUT [--seed N] [--batches N] [--big-rows N] [--sluice PATH]

OUT/srv11/ and OUT/srv12/ receive the files (binlog.000001 ...; the server's index file is not
copied). Prints one JSON line: files, bytes, seconds.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SANDBOX = ROOT / "scripts" / "mariadb-sandbox.sh"

SCHEMA = [
    "CREATE DATABASE fleet",
    """CREATE TABLE fleet.orders (
         id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, qty INT NOT NULL,
         price DECIMAL(10,2) NOT NULL, status ENUM('new','paid','shipped','cancelled') NOT NULL,
         created DATETIME(3) NOT NULL, note TEXT)""",
    """CREATE TABLE fleet.readings (
         sensor BIGINT UNSIGNED NOT NULL, v DOUBLE, raw VARBINARY(16), at TIMESTAMP(3) NULL)""",
    "CREATE TABLE fleet.counters (name VARCHAR(20) PRIMARY KEY, n BIGINT NOT NULL)",
]

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
         "kilo", "lima", "mike", "ñandú", "über", "日本", "😀"]


def connect(sock):
    import pymysql
    return pymysql.connect(unix_socket=sock, user="root", password="", charset="utf8mb4", autocommit=True)


def text(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def run_batch(cur, rng, server, batch, ids, big_rows):
    """One batch: a few transactions of inserts, updates and deletes over the three tables."""
    if big_rows:
        for start in range(0, big_rows, 100):
            cur.execute("BEGIN")
            rows = []
            for i in range(start, min(start + 100, big_rows)):
                oid = 100000 + i
                ids.add(oid)
                rows.append((oid, "bulk-%d" % (i % 37), i % 9 + 1, "%d.%02d" % (i % 500, i % 100), "new",
                             "2026-12-01 00:00:%02d.%03d" % (i % 60, i % 1000), text(rng, 30)))
            cur.executemany("INSERT INTO fleet.orders VALUES (%s,%s,%s,%s,%s,%s,%s)", rows)
            cur.execute("COMMIT")
        return
    for _ in range(rng.randint(8, 16)):
        cur.execute("BEGIN")
        for _ in range(rng.randint(1, 6)):
            op = rng.random()
            if op < 0.45 or len(ids) < 10:
                oid = rng.randint(1, 400)
                if oid in ids:
                    continue
                ids.add(oid)
                cur.execute("INSERT INTO fleet.orders (id, customer, qty, price, status, created, note) "
                            "VALUES (%s,%s,%s,%s,%s,%s,%s)",
                            (oid, text(rng, 2), rng.randint(1, 50), "%d.%02d" % (rng.randint(0, 9999), rng.randint(0, 99)),
                             rng.choice(["new", "paid"]), "2026-12-0%d %02d:%02d:%02d.%03d" % (
                                 rng.randint(1, 7), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
                                 rng.randint(0, 999)), rng.choice([None, text(rng, 5)])))
            elif op < 0.75:
                oid = rng.choice(sorted(ids))
                cur.execute("UPDATE fleet.orders SET qty = qty + %s, status = %s WHERE id = %s",
                            (rng.randint(1, 3), rng.choice(["paid", "shipped"]), oid))
            elif op < 0.85:
                oid = rng.choice(sorted(ids))
                ids.discard(oid)
                cur.execute("DELETE FROM fleet.orders WHERE id = %s", (oid,))
            elif op < 0.95:
                cur.execute("INSERT INTO fleet.readings VALUES (%s,%s,%s,%s)",
                            (rng.randint(0, 2 ** 64 - 1), rng.choice([None, rng.uniform(-1e6, 1e6)]),
                             bytes(rng.randrange(256) for _ in range(rng.randint(0, 16))),
                             "2026-12-07 0%d:00:00.%03d" % (rng.randint(0, 9), rng.randint(0, 999))))
            else:
                cur.execute("INSERT INTO fleet.counters VALUES (%s, 1) ON DUPLICATE KEY UPDATE n = n + 1",
                            ("c%d" % rng.randint(0, 5),))
        cur.execute("COMMIT")


def run_bulk(cur, rng, server, batch, rows):
    """Bulk traffic for benchmarks: inserts into fleet.readings, 200 rows per transaction."""
    for start in range(0, rows, 200):
        cur.execute("BEGIN")
        cur.executemany("INSERT INTO fleet.readings VALUES (%s,%s,%s,%s)",
                        [(rng.randint(0, 2 ** 64 - 1), rng.uniform(-1e6, 1e6),
                          bytes(rng.randrange(256) for _ in range(16)), "2026-12-07 01:00:00.000")
                         for _ in range(start, min(start + 200, rows))])
        cur.execute("COMMIT")


def start_server(work, server_id, extra_args):
    """Starts a sandbox (one at a time: two mariadb-install-db runs at once have failed here); one retry."""
    d = work / ("server%d" % server_id)
    for attempt in (1, 2):
        r = subprocess.run(["bash", str(SANDBOX), "start", str(d), "--server-id=%d" % server_id] + extra_args,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode == 0:
            return d
        subprocess.run(["bash", str(SANDBOX), "stop", str(d)], stdin=subprocess.DEVNULL, capture_output=True)
        shutil.rmtree(d, ignore_errors=True)
    raise RuntimeError("sandbox for server %d did not start: %s" % (server_id, r.stderr.decode()[-2000:]))


def run_server(d, server_id, batches, big_rows, seed, out, bulk_per_batch=0):
    try:
        conn = connect(str(d / "sock"))
        cur = conn.cursor()
        cur.execute("SET time_zone = '+00:00'")
        for stmt in SCHEMA:
            cur.execute(stmt)
        cur.execute("FLUSH BINARY LOGS")
        rng = random.Random(seed * 1000 + server_id)
        ids = set()
        for b in range(batches):
            run_batch(cur, rng, server_id, b, ids, big_rows if (big_rows and b == batches // 3) else 0)
            if bulk_per_batch:
                run_bulk(cur, rng, server_id, b, bulk_per_batch)
            if b == batches // 2:
                cur.execute("ALTER TABLE fleet.orders ADD COLUMN region CHAR(2) NULL AFTER customer")
                cur.execute("UPDATE fleet.orders SET region = 'eu' WHERE MOD(id, 3) = 0")
            if b < batches - 1:
                cur.execute("FLUSH BINARY LOGS")
        conn.close()
    finally:
        subprocess.run(["bash", str(SANDBOX), "stop", str(d)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    target = out / ("srv%d" % server_id)
    target.mkdir(parents=True, exist_ok=True)
    names = [l.strip().split("/")[-1] for l in (d / "binlog.index").read_text().splitlines() if l.strip()]
    for name in names:
        shutil.copyfile(d / name, target / name)
    return [target / n for n in names]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--batches", type=int, default=11)
    ap.add_argument("--big-rows", type=int, default=2500)
    ap.add_argument("--bulk-per-batch", type=int, default=0, help="extra rows per batch (benchmarks)")
    ap.add_argument("--sluice", default=os.environ.get("SLUICE", str(ROOT / ".build/debug/sluice")))
    ap.add_argument("--work", help="where the servers run (default: OUT/.servers, removed after)")
    args = ap.parse_args()
    started = time.time()
    out = Path(args.out).resolve()
    work = Path(args.work).resolve() if args.work else out / ".servers"
    d11 = start_server(work, 11, [])
    try:
        d12 = start_server(work, 12, ["--binlog-row-metadata=MINIMAL"])
    except Exception:
        subprocess.run(["bash", str(SANDBOX), "stop", str(d11)], stdin=subprocess.DEVNULL, capture_output=True)
        raise
    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(run_server, d11, 11, args.batches, args.big_rows, args.seed, out, args.bulk_per_batch)
        b = pool.submit(run_server, d12, 12, args.batches - 1, args.big_rows // 2, args.seed, out,
                        args.bulk_per_batch)
        files = a.result() + b.result()
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    # Every other file of each source becomes a seekable archive (the big one stays plain).
    # The largest file stays plain, the second largest (server 12's big batch) is archived: both
    # kinds have a file big enough to be split.
    by_size = sorted(files, key=lambda f: -f.stat().st_size)
    to_archive = [f for i, f in enumerate(files) if (i % 2 == 1 or f == by_size[1]) and f != by_size[0]]
    subprocess.run([args.sluice, "archive", "--remove-source", "--frame-size", "16K"] + [str(f) for f in to_archive],
                   check=True, stdout=subprocess.DEVNULL)
    final = sorted(p for p in out.glob("srv*/binlog.*"))
    print(json.dumps({"files": len(final), "bytes": sum(p.stat().st_size for p in final),
                      "archived": len(to_archive), "seconds": round(time.time() - started, 2)}))


if __name__ == "__main__":
    sys.exit(main())
