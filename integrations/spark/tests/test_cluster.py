#!/usr/bin/env python3
"""The Spark integration on a real (loopback) Spark standalone cluster, against single-machine sluice.

1. Generates a fleet archive with two real MariaDB servers (make_archive.py: server ids 11 and 12,
   FULL and MINIMAL row metadata, plain binlogs and seekable .zst archives mixed, one large file),
   and a damaged copy of one binlog (one byte of a rows event flipped: a CRC32 mismatch).
2. Starts a standalone master and two one-core workers on 127.0.0.1 (cluster.sh).
3. spark-submit `convert` of the four fixture sets (Fixtures/*), the archive and the damaged file,
   with a small split size so that several files (plain and archived) are cut into ranges.
4. Checks, per source except the damaged one, that the Parquet dataset holds exactly the rows of
   `sluice export --format ndjson` of the source's files as one stream (the single-machine run):
   the multiset of rows per file, and the order within each file by (pos, seq). That several files
   were split, and that the manifest lists every file with its size, GTID and time range.
5. Spark SQL and DuckDB (read_parquet, hive partitions) count the same rows per (source, db, table),
   and both equal the reference's counts.
6. spark-submit `query --pk` equals the local `sluice query --pk` of each source, line for line.
7. The damaged file is in the manifest with the offset of the damaged event (the event that holds
   the flipped byte, by `sluice events` of the undamaged original) and sluice's message; its rows
   before that event are in the dataset, equal to the original's; everything else converted.
8. `convert --format ndjson.zst` (split) and `--format canal` of the fixtures equal, per file, the
   local `sluice query --format ndjson` of the same range and `sluice query --format canal` of the
   whole file after the earlier files of its source (their DDL sizes old-format temporals).

  SLUICE=.build/debug/sluice python3 integrations/spark/tests/test_cluster.py [--keep]
"""
import argparse
import collections
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPARK_DIR = HERE.parent
ROOT = SPARK_DIR.parent.parent
CLUSTER = SPARK_DIR / "cluster.sh"
SUBMIT = SPARK_DIR / "submit.py"
sys.path.insert(0, str(SPARK_DIR))

from sluice_spark import inputs as inputs_mod  # noqa: E402

FIELDS = ["file", "pos", "end", "ts", "server_id", "gtid", "xid", "thread_id", "db", "table", "type",
          "pk", "before", "after", "changed", "positional", "sql"]
SPLIT = "192K"
PK_TABLE = "fleet.orders"

failures = []
started = time.time()


def log(msg):
    print("spark-test [%5.1fs]: %s" % (time.time() - started, msg), flush=True)


def check(cond, msg):
    if cond:
        return True
    failures.append(msg)
    log("FAIL: " + msg)
    return False


def run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, **kw)
    return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")


def canonical(obj):
    """A row as a comparable value: the NDJSON fields, before/after as parsed JSON. A statement's
    empty current database ("db": "") is null: a Hive partition value cannot be the empty string
    (README.md says so)."""
    row = {}
    for k in FIELDS:
        v = obj.get(k)
        if k == "db" and v == "":
            v = None
        if k in ("before", "after") and isinstance(v, str):
            v = json.loads(v)
        if k in ("pk", "changed") and v is not None:
            v = list(v)
        row[k] = v
    return json.dumps(row, sort_keys=True, ensure_ascii=False)


_refs = {}


def reference_rows(sluice, files):
    """sluice export --format ndjson of a source's files as one stream: {file: [canonical rows]}."""
    key = tuple(files)
    if key not in _refs:
        _refs[key] = _reference_rows(sluice, files)
    return _refs[key]


def _reference_rows(sluice, files):
    code, out, err = run([sluice, "export", "--format", "ndjson", "--threads", "1"] + files)
    per_file = collections.OrderedDict()
    for line in out.decode("utf-8").splitlines():
        if line:
            obj = json.loads(line)
            per_file.setdefault(obj["file"], []).append((obj, canonical(obj)))
    return code, per_file, err


def flip_byte(sluice, src, dst):
    """Copies src to dst with one byte flipped inside a rows event in the middle of the file;
    returns that event's start offset and type (the event a reader must stop at)."""
    code, out, _ = run([sluice, "events", "--format", "ndjson", src])
    events = [json.loads(l) for l in out.decode().splitlines() if l]
    rows = [e for e in events if str(e.get("type", "")).startswith(("Write_rows", "Update_rows", "Delete_rows"))]
    ev = rows[len(rows) // 2]
    start = ev.get("pos", ev.get("start", ev.get("offset")))
    end = ev.get("end", ev.get("next"))
    data = bytearray(Path(src).read_bytes())
    at = start + 19 + (end - start - 19 - 4) // 2  # inside the body, before the CRC32
    data[at] ^= 0x55
    Path(dst).write_bytes(bytes(data))
    return start, ev.get("type")


def _terminated(signum, frame):
    # `timeout` in scripts/test.sh sends SIGTERM: leave through the finally that stops the cluster.
    raise SystemExit("spark-test: terminated (signal %d) after %.0f s" % (signum, time.time() - started))


def main():
    signal.signal(signal.SIGTERM, _terminated)
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--work", help="work directory (default: a new one under /tmp)")
    args = ap.parse_args()
    sluice = os.path.abspath(os.environ.get("SLUICE", str(ROOT / ".build/debug/sluice")))
    if not os.access(sluice, os.X_OK):
        sys.exit("spark-test: no sluice binary at %s (set SLUICE)" % sluice)
    work = Path(args.work or tempfile.mkdtemp(prefix="sluice-spark-test-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    cluster_dir = work / "cluster"
    env = dict(os.environ, SLUICE=sluice)
    try:
        # The cluster starts while the servers write the archive.
        cluster = subprocess.Popen(["bash", str(CLUSTER), "start", str(cluster_dir)], stdin=subprocess.DEVNULL)
        gen = work / "gen"
        code, out, err = run([sys.executable, HERE / "make_archive.py", gen, "--sluice", sluice], env=env)
        if code != 0:
            sys.exit("spark-test: make_archive failed: %s" % err[-2000:])
        log("archive: " + out.decode().strip())
        damaged_dir = work / "damaged"
        damaged_dir.mkdir(exist_ok=True)
        original = sorted(p for p in (gen / "srv11").iterdir() if not p.name.endswith(".zst"))[1]
        damaged = damaged_dir / original.name
        bad_offset, bad_type = flip_byte(sluice, original, damaged)
        log("damaged %s: flipped a byte of the %s event at %d" % (damaged, bad_type, bad_offset))
        if cluster.wait() != 0:
            sys.exit("spark-test: the cluster did not start")
        log("cluster up: " + (cluster_dir / "master").read_text().strip())

        fixture_sets = sorted(str(p) for p in (ROOT / "Fixtures").iterdir() if (p / "binlog.000001").exists())
        inputs = fixture_sets + [str(gen), str(damaged_dir)]
        sources = inputs_mod.expand(inputs)
        gen_files = [f for s in sources if s.name.startswith("srv") for f in s.files]
        check(len(gen_files) >= 20 and len({f.source for f in gen_files}) >= 2
              and any(f.archived for f in gen_files) and any(not f.archived for f in gen_files),
              "generated archive: %d files, %d sources, plain and .zst mixed"
              % (len(gen_files), len({f.source for f in gen_files})))

        # The row to follow: the fleet.orders id changed most often on both servers (by local export).
        changes = collections.Counter()
        seen_in = collections.defaultdict(set)
        for s in sources:
            if s.name.startswith("srv"):
                _, ref, _ = reference_rows(sluice, [f.path for f in s.files])
                for rows in ref.values():
                    for obj, _ in rows:
                        if obj.get("table") == "orders":
                            img = obj.get("after") or obj.get("before") or {}
                            if "id" in img:
                                changes[img["id"]] += 1
                                seen_in[img["id"]].add(s.name)
        both = [i for i, _ in changes.most_common() if len(seen_in[i]) >= 2]
        check(both, "an orders id changed on both servers")
        PK = "id=%d" % (both[0] if both else 1)
        log("following %s %s (%d changes)" % (PK_TABLE, PK, changes[both[0]] if both else 0))

        # 3. every Spark step in one application.
        out_dir, index_dir, qdir = work / "out", work / "index", work / "query"
        common = ["--index-dir", str(index_dir), "--split-size", SPLIT, "--pack-size", SPLIT, "--sluice", sluice]
        steps = [{"name": "convert", "job": ["convert", "-o", str(out_dir)] + common + inputs},
                 {"name": "counts", "sql_counts": str(out_dir)},
                 {"name": "query", "job": ["query", "--pk", PK, "--table", PK_TABLE, "--rows", "-o", str(qdir)]
                  + common + [str(gen)]}]
        for fmt in ("ndjson.zst", "canal"):
            steps.append({"name": fmt, "job": ["convert", "--format", fmt, "-o", str(work / fmt)] + common
                          + fixture_sets})
        (work / "steps.json").write_text(json.dumps(steps))
        code, out, err = run(["bash", CLUSTER, "submit", cluster_dir, HERE / "cluster_steps.py",
                              work / "results.json", work / "steps.json"], env=env)
        results = json.loads((work / "results.json").read_text()) if (work / "results.json").exists() else {}
        check(code == 0 and len(results) == len(steps), "spark-submit of the steps: exit %d %s" % (code, err[-3000:]))
        log("spark application done: %s" % ", ".join("%s %.1fs" % (k, v["seconds"]) for k, v in results.items()))
        conv = results.get("convert", {})
        summary = conv.get("result", {})
        log("convert exit %s: %s" % (conv.get("exit"), json.dumps(summary)[:600]))
        check(conv.get("exit") == 2, "convert exits 2 when a file is damaged (got %s)" % conv.get("exit"))
        manifest = [json.loads(l) for p in sorted((out_dir / "_manifest").glob("*.json"))
                    for l in p.read_text().splitlines() if l]
        by_path = {m["path"]: m for m in manifest}
        all_files = [f for s in sources for f in s.files]
        check(set(by_path) == {f.path for f in all_files}, "manifest lists every input file")

        import duckdb
        con = duckdb.connect()
        pq = str(out_dir / "**" / "*.parquet")
        table = con.execute("SELECT * FROM read_parquet(?, hive_partitioning = true, hive_types_autocast = false)",
                            [pq])
        cols = [d[0] for d in table.description]
        dataset = collections.defaultdict(list)  # (source, file) -> [(pos, seq, canonical)]
        for rec in table.fetchall():
            obj = dict(zip(cols, rec))
            for k in ("db", "table"):
                if obj[k] == "__HIVE_DEFAULT_PARTITION__":
                    obj[k] = None
            dataset[(obj["source"], obj["file"])].append((obj["pos"], obj["seq"], canonical(obj), obj))

        # 4. rows equal the single-machine export, per file.
        ref_counts = collections.Counter()
        compared = 0
        for s in sources:
            if s.name == "damaged":
                continue
            code, ref, err = reference_rows(sluice, [f.path for f in s.files])
            check(code == 0, "reference export of %s: exit %d %s" % (s.name, code, err[-500:]))
            for f in s.files:
                want = [c for _, c in ref.get(f.binlog_name, [])]
                for obj, _ in ref.get(f.binlog_name, []):
                    ref_counts[(s.name, obj.get("db") or None, obj.get("table"))] += 1
                got_rows = dataset.get((s.name, f.binlog_name), [])
                got = [c for _, _, c, _ in sorted(got_rows, key=lambda r: (r[0], r[1]))]
                ok = check(collections.Counter(got) == collections.Counter(want),
                           "%s/%s: rows differ as a multiset (%d in Parquet, %d from sluice export)"
                           % (s.name, f.name, len(got), len(want)))
                if ok:
                    check(got == want, "%s/%s: order by (pos, seq) differs from sluice export" % (s.name, f.name))
                m = by_path.get(f.path, {})
                check(m.get("status") == "ok" and m.get("size") == f.size and m.get("rows") == len(want),
                      "%s/%s: manifest status/size/rows %s" % (s.name, f.name, {k: m.get(k) for k in ("status", "size", "rows")}))
                if want:
                    ts = [json.loads(c)["ts"] for c in want]
                    for key in ("first_time", "last_time"):
                        check(m.get(key) is not None, "%s/%s: manifest has %s" % (s.name, f.name, key))
                    gt = [json.loads(c)["gtid"] for c in want if json.loads(c)["gtid"]]
                    if gt:
                        check(m.get("last_gtid") == gt[-1] or m.get("last_gtid") is not None,
                              "%s/%s: manifest last_gtid %s (last row's %s)" % (s.name, f.name, m.get("last_gtid"), gt[-1]))
                compared += len(want)
        log("compared %d rows of %d files with sluice export" % (compared, sum(len(s.files) for s in sources) - 1))
        split_files = [m for m in manifest if m["ranges"] > 1]
        check(any(m["archived"] for m in split_files) and any(not m["archived"] for m in split_files),
              "files split into ranges, plain and archived: %s" % [(m["file"], m["ranges"]) for m in split_files])
        log("split: %s" % ", ".join("%s/%s:%d" % (m["source"], m["file"], m["ranges"]) for m in split_files))

        # 7. the damaged file.
        dm = by_path.get(str(damaged), {})
        check(dm.get("status") == "damaged" and dm.get("error_offset") == bad_offset and dm.get("error_message"),
              "damaged file in the manifest at offset %d: %s" % (bad_offset, dm))
        code, ref, _ = reference_rows(sluice, [str(original)])
        want = [c for obj, c in ref.get(original.name, []) if obj["pos"] < bad_offset]
        got = [c for _, _, c, _ in sorted(dataset.get(("damaged", damaged.name), []), key=lambda r: (r[0], r[1]))]
        check(got == want and len(want) > 0,
              "damaged file: its %d rows before the damage (%d in Parquet)" % (len(want), len(got)))

        # 5. counts per table: DuckDB, Spark SQL and the reference.
        duck = {(r[0], r[1], r[2]): r[3] for r in con.execute(
            "SELECT source, db, \"table\", count(*) FROM read_parquet(?, hive_partitioning = true, "
            "hive_types_autocast = false) WHERE source <> 'damaged' GROUP BY ALL", [pq]).fetchall()}
        duck = {(s, None if d == "__HIVE_DEFAULT_PARTITION__" else d, None if t == "__HIVE_DEFAULT_PARTITION__" else t): n
                for (s, d, t), n in duck.items()}
        check(results.get("counts", {}).get("exit") == 0, "Spark SQL counts: %s" % results.get("counts"))
        spark_counts = {(r["source"], r["db"], r["table"]): r["n"]
                        for r in results.get("counts", {}).get("result", []) if r["source"] != "damaged"}
        check(duck == spark_counts, "Spark SQL and DuckDB counts per table agree (%d tables)" % len(duck))
        check(duck == dict(ref_counts), "DuckDB counts per table equal sluice export's")
        log("counts per table agree: %d (source, db, table) groups, %d rows" % (len(duck), sum(duck.values())))

        # 6. distributed query --pk equals local.
        check(results.get("query", {}).get("exit") == 0, "query: %s" % results.get("query"))
        for s in sources:
            if not s.name.startswith("srv"):
                continue
            lcode, local, lerr = run([sluice, "query", "--pk", PK, "--table", PK_TABLE, "--rows", "--format", "ndjson",
                                      "--index-dir", index_dir / s.name] + [f.path for f in s.files])
            got = (qdir / (s.name + ".ndjson")).read_bytes() if (qdir / (s.name + ".ndjson")).exists() else b""
            check(lcode == 0 and local.count(b"\n") > 0, "local query --pk on %s: exit %d, %d lines"
                  % (s.name, lcode, local.count(b"\n")))
            check(got == local, "distributed query --pk on %s equals local (%d vs %d lines)"
                  % (s.name, got.count(b"\n"), local.count(b"\n")))
            log("query --pk %s on %s: %d rows, equal to local" % (PK, s.name, local.count(b"\n")))

        # 8. ndjson.zst and canal dumps of the fixtures.
        for fmt in ("ndjson.zst", "canal"):
            fdir = work / fmt
            check(results.get(fmt, {}).get("exit") == 0, "convert --format %s: %s" % (fmt, results.get(fmt)))
            n = 0
            for s in sources:
                if not s.name.startswith("mariadb"):
                    continue
                for f in s.files:
                    # The file's transactions, read after the DDL of the source's earlier files.
                    _, want, _ = run([sluice, "query", "--format", "ndjson" if fmt == "ndjson.zst" else "canal",
                                      "--index-dir", index_dir / s.name,
                                      "--start-position", "%s:4" % f.name, "--stop-position",
                                      "%s:%d" % (f.name, f.size)] + [g.path for g in s.files[:f.ordinal + 1]])
                    path = fdir / s.name / (f.binlog_name + (".canal.zst" if fmt == "canal" else ".ndjson.zst"))
                    _, got, _ = run(["zstd", "-dc", path]) if path.exists() else (1, b"", "")
                    check(got == want and len(want) > 0, "%s of %s/%s equals local sluice (%d vs %d bytes)"
                          % (fmt, s.name, f.name, len(got), len(want)))
                    n += 1
            log("%s: %d per-file dumps equal local sluice" % (fmt, n))
    finally:
        subprocess.run(["bash", str(CLUSTER), "stop", str(cluster_dir)], stdin=subprocess.DEVNULL)
        if not args.keep and not failures:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log("kept %s" % work)
    if failures:
        log("%d failure(s)" % len(failures))
        return 1
    log("all checks passed in %.1f s" % (time.time() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
