"""The spark-submit entry point: `convert` and `query` over a fleet's binlog archive.

    spark-submit [spark options] integrations/spark/submit.py convert -o OUT [options] INPUT...
    spark-submit [spark options] integrations/spark/submit.py query [filters] [-o DIR] INPUT...

See README.md ("Sluice on Apache Spark") for the dataset schema and for running on a cluster.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile

from . import inputs as inputs_mod
from . import plan as plan_mod
from . import tasks as tasks_mod
from .schema import PARTITIONS, WRAPPED


def _size(text):
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    t = text.strip().lower().rstrip("ib").rstrip("b")
    if t and t[-1] in units:
        return int(float(t[:-1]) * units[t[-1]])
    return int(t)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="sluice-spark", description="Sluice on Apache Spark: convert or search "
                                "binlog archives of many servers, one task per file or range of transactions.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp):
        sp.add_argument("inputs", nargs="+", help="binlogs, .zst archives, directories (one source per "
                        "directory of binlogs) or globs, on a filesystem every worker mounts")
        sp.add_argument("--sluice", default=os.environ.get("SLUICE", "sluice"),
                        help="the sluice binary: an absolute path on every worker, the name of a file "
                        "shipped with --files, or a name on PATH (default: $SLUICE or sluice)")
        sp.add_argument("--index-dir", help="where the per-file indexes go, one subdirectory per source "
                        "(default: beside each binlog, as sluice index does); must be shared by the workers")
        sp.add_argument("--split-size", type=_size, default=_size("256M"),
                        help="files whose binlog is larger are cut into ranges of about this many bytes "
                        "(whole transactions); 0: never split (default 256M)")
        sp.add_argument("--pack-size", type=_size, default=_size("32M"),
                        help="ranges smaller than this share a Spark task, up to this many bytes "
                        "(each still runs its own sluice); 0: one task per range (default 32M)")
        sp.add_argument("--threads", type=int, default=1, help="sluice --threads per task (default 1: "
                        "one core per task, Spark runs one task per core)")
        sp.add_argument("--timezone", help="TIMESTAMP columns (and query times) in this zone (sluice --timezone)")
        sp.add_argument("--schema", help="schema snapshot for binlogs without column names (sluice --schema), "
                        "a path every worker reads")
        sp.add_argument("--strict", action="store_true", help="fail the job on a damaged file instead of "
                        "recording it in the manifest")

    c = sub.add_parser("convert", help="binlogs to a Parquet dataset (or per-file NDJSON/Canal dumps)")
    common(c)
    c.add_argument("-o", "--output", required=True, help="output directory (any Spark filesystem for "
                   "parquet; a shared filesystem for ndjson.zst and canal)")
    c.add_argument("--format", default="parquet", choices=["parquet", "ndjson.zst", "canal"])
    c.add_argument("--mode", default="overwrite", choices=["overwrite", "append", "error"],
                   help="what to do when the Parquet output exists (default overwrite)")
    c.add_argument("--no-split", action="store_true", help="one task per file (the reference the split "
                   "run equals)")

    q = sub.add_parser("query", help="sluice query's filters over the whole archive")
    common(q)
    for opt in ("--start-datetime", "--stop-datetime", "--include-gtids", "--exclude-gtids", "--type",
                "--pk"):
        q.add_argument(opt)
    for opt in ("--database", "--table", "--server-id", "--thread-id", "--xid"):
        q.add_argument(opt, action="append", default=[])
    q.add_argument("--rows", action="store_true", help="only the matching rows, not whole transactions")
    q.add_argument("-o", "--output", help="directory for SOURCE.ndjson files (one per source, in binlog "
                   "order, each what sluice query writes for that source); default: stdout, each line "
                   "with a leading \"source\" field")
    return p.parse_args(argv)


def _ship_package(sc):
    """Zip this package and add it to the job, so executors import it without an install."""
    here = os.path.dirname(os.path.abspath(__file__))
    tmp = tempfile.mkdtemp(prefix="sluice-spark-")
    path = os.path.join(tmp, "sluice_spark.zip")
    with zipfile.ZipFile(path, "w") as z:
        for name in sorted(os.listdir(here)):
            if name.endswith(".py"):
                z.write(os.path.join(here, name), os.path.join("sluice_spark", name))
    sc.addPyFile(path)
    return tmp


def session(app):
    from pyspark.sql import SparkSession
    builder = SparkSession.builder.appName(app).config("spark.sql.session.timeZone", "UTC")
    return builder.getOrCreate()


def task_options(args):
    return {"sluice": args.sluice, "index_dir": os.path.abspath(args.index_dir) if args.index_dir else None,
            "threads": args.threads, "timezone": args.timezone,
            "schema": os.path.abspath(args.schema) if args.schema else None, "strict": args.strict}


def plan(spark, args):
    """Expand the inputs, index and summarize every file; returns the planned files (dicts) in
    source and file order."""
    sources = inputs_mod.expand(args.inputs)
    files = [vars(f) for s in sources for f in s.files]
    if not files:
        raise SystemExit("sluice-spark: no input files")
    opts = task_options(args)
    sc = spark.sparkContext
    sc.setJobDescription("sluice-spark: index %d files" % len(files))
    # Indexing is quick next to converting: a few tasks per core, each a share of the files dealt
    # largest first (round robin), so a small file does not pay a task's overhead of its own.
    slices = max(1, min(len(files), 2 * sc.defaultParallelism))
    shares = [[] for _ in range(slices)]
    for i, f in enumerate(sorted(files, key=lambda f: -f["size"])):
        shares[i % slices].append(f)
    planned = sc.parallelize(shares, slices).flatMap(
        lambda share: [tasks_mod.plan_file(f, opts) for f in share]).collect()
    planned.sort(key=lambda p: (p["source"], p["ordinal"]))
    return planned


def manifest_rows(planned, reports):
    """One manifest row per input file: what sluice info says of it and how its tasks ended."""
    by_file = {}
    for r in reports:
        by_file.setdefault(r["path"], {})[(r["range"], r["start"])] = r  # a retried task reports twice
    rows = []
    for p in planned:
        info = p.get("info") or {}
        rs = sorted(by_file.get(p["path"], {}).values(), key=lambda r: r["start"])
        failed = [r for r in rs if r["exit"] != 0]
        error = failed[0] if failed else None
        offset = error["error_offset"] if error else p.get("error_offset")
        message = error["error_message"] if error else p.get("error_message")
        if not rs:
            status = "not converted"
        elif failed or message:
            status = "damaged"
        else:
            status = "ok"
        rows.append({
            "source": p["source"], "path": p["path"], "file": p["name"], "ordinal": p["ordinal"],
            "size": p["size"], "archived": p["archived"], "binlog_size": plan_mod.binlog_size(p),
            "server_version": info.get("server_version"), "flavor": info.get("flavor"),
            "checksum": info.get("checksum"),
            "first_gtid": info.get("first_gtid"), "last_gtid": info.get("last_gtid"),
            "gtids_before": info.get("gtid_list") or info.get("previous_gtids"),
            "first_time": info.get("first_time"), "last_time": info.get("last_time"),
            "events": info.get("events"), "transactions": info.get("transactions"),
            "ends": info.get("ends"), "end_offset": info.get("end_offset"),
            "indexed": bool(p.get("indexed")), "ranges": len(rs),
            "rows": sum(r["rows"] or 0 for r in rs) if rs and rs[0]["rows"] is not None else None,
            "status": status, "error_offset": offset, "error_message": message,
        })
    return rows


def write_manifest(spark, rows, output):
    """The manifest as one JSON-lines file under OUTPUT/_manifest (Spark and DuckDB skip `_` paths
    when they read the dataset)."""
    from pyspark.sql import Row
    text = [json.dumps(r, sort_keys=True) for r in rows]
    df = spark.read.json(spark.sparkContext.parallelize(text, 1))
    df.coalesce(1).write.mode("overwrite").json(output.rstrip("/") + "/_manifest")
    return df


def convert(spark, args):
    from pyspark.sql import functions as F
    sc = spark.sparkContext
    started = time.time()
    planned = plan(spark, args)
    planned_at = time.time()
    opts = task_options(args)
    work = plan_mod.tasks(planned, args.split_size, split=not args.no_split)
    reports = sc.accumulator([], tasks_mod.ListParam())
    if args.format == "parquet":
        extra = []
        shares = plan_mod.pack(work, args.pack_size)
        sc.setJobDescription("sluice-spark: convert %d files, %d ranges in %d tasks" % (len(planned), len(work), len(shares)))
        lines = sc.parallelize(shares, len(shares)).mapPartitions(
            lambda it: (line for share in it for t in share for line in tasks_mod.stream_range(t, opts, extra, reports)))
        raw = spark.read.schema(WRAPPED).option("mode", "FAILFAST").json(lines)
        ts = F.timestamp_seconds(F.col("r.ts"))
        df = raw.select(
            F.col("r.file").alias("file"), F.col("r.pos").alias("pos"), F.col("r.end").alias("end"),
            F.col("q").alias("seq"), F.col("r.ts").alias("ts"), ts.alias("time"),
            F.col("r.server_id").alias("server_id"), F.col("r.gtid").alias("gtid"),
            F.col("r.xid").alias("xid"), F.col("r.thread_id").alias("thread_id"),
            F.col("r.type").alias("type"), F.col("r.pk").alias("pk"), F.col("r.before").alias("before"),
            F.col("r.after").alias("after"), F.col("r.changed").alias("changed"),
            F.col("r.positional").alias("positional"), F.col("r.sql").alias("sql"),
            F.col("s").alias("source"), F.col("r.db").alias("db"), F.col("r.table").alias("table"),
            F.date_format(ts, "yyyy-MM-dd").alias("date"))
        df.write.mode(args.mode).partitionBy(*PARTITIONS).parquet(args.output)
        got = list(reports.value)
    else:
        out_root = inputs_mod._local(args.output)
        fmt_tasks = []
        for t in work:
            t = dict(t)
            if args.format == "canal":
                # One Canal Entry dump per file: the query of the whole file over the source's files
                # up to it (the DDL of the earlier files names and sizes the columns, as in one pass);
                # a file that could not be indexed is exported alone.
                if t["range"] != 0:
                    continue
                t["format"] = "canal"
                if t["mode"] == "query":
                    t.update(start=4, stop=t["size"])
                t["output"] = os.path.join(out_root, t["source"], t["name"].removesuffix(".zst") + ".canal.zst")
            else:
                t["output"] = os.path.join(out_root, t["source"], ".parts",
                                           "%s.%06d.ndjson.zst" % (t["name"].removesuffix(".zst"), t["range"]))
            fmt_tasks.append(t)
        sc.setJobDescription("sluice-spark: %s of %d files in %d tasks" % (args.format, len(planned), len(fmt_tasks)))
        shares = plan_mod.pack(fmt_tasks, args.pack_size)
        got = sc.parallelize(shares, len(shares)).flatMap(
            lambda share: [tasks_mod.write_range(t, opts, []) for t in share]).collect()
        if args.format == "ndjson.zst":
            # zstd frames concatenate: the parts of a file, in range order, are the file's stream.
            parts = {}
            for r in got:
                parts.setdefault((r["source"], r["name"]), []).append(r)
            for (source, name), rs in parts.items():
                target = os.path.join(out_root, source, name.removesuffix(".zst") + ".ndjson.zst")
                with open(target + ".tmp", "wb") as out:
                    for r in sorted(rs, key=lambda r: r["start"]):
                        if os.path.exists(r["output"]):
                            with open(r["output"], "rb") as f:
                                shutil.copyfileobj(f, out)
                            os.unlink(r["output"])
                os.replace(target + ".tmp", target)
            for source in {r["source"] for r in got}:
                shutil.rmtree(os.path.join(out_root, source, ".parts"), ignore_errors=True)
    rows = manifest_rows(planned, got)
    write_manifest(spark, rows, args.output)
    done = time.time()
    summary = {"files": len(planned), "ranges": len(work), "tasks": len(shares), "bytes": sum(p["size"] for p in planned),
               "rows": sum(r["rows"] or 0 for r in rows),
               "damaged": [{"file": r["path"], "offset": r["error_offset"], "message": r["error_message"]}
                           for r in rows if r["status"] != "ok"],
               "plan_task_seconds": round(sum(p.get("plan_seconds", 0) for p in planned), 3),
               "task_seconds": round(sum(r.get("seconds", 0) for r in got), 3),
               "plan_seconds": round(planned_at - started, 3), "convert_seconds": round(done - planned_at, 3),
               "seconds": round(done - started, 3)}
    print(json.dumps(summary), flush=True)
    return summary


def query_filters(args):
    extra = []
    for opt in ("start_datetime", "stop_datetime", "include_gtids", "exclude_gtids", "type", "pk"):
        v = getattr(args, opt)
        if v is not None:
            extra += ["--" + opt.replace("_", "-"), v]
    for opt in ("database", "table", "server_id", "thread_id", "xid"):
        for v in getattr(args, opt):
            extra += ["--" + opt.replace("_", "-"), v]
    if args.rows:
        extra.append("--rows")
    return extra


def query(spark, args):
    sc = spark.sparkContext
    planned = plan(spark, args)
    opts = task_options(args)
    work = plan_mod.tasks(planned, args.split_size)
    extra = query_filters(args)
    sc.setJobDescription("sluice-spark: query %d files in %d tasks" % (len(planned), len(work)))
    shares = plan_mod.pack(work, args.pack_size)
    results = sc.parallelize(shares, len(shares)).flatMap(
        lambda share: [tasks_mod.collect_range(t, opts, extra) for t in share]).collect()
    # Binlog order per source: file order, then range order; a range's lines are in sluice's order.
    results.sort(key=lambda r: (r[0], r[1], r[2]))
    per_source = {}
    for source, _, _, lines, _ in results:
        per_source.setdefault(source, []).extend(lines)
    if args.output:
        out_root = inputs_mod._local(args.output)
        os.makedirs(out_root, exist_ok=True)
        for source in sorted({p["source"] for p in planned}):
            target = os.path.join(out_root, source.replace("/", "_") + ".ndjson")
            with open(target, "w") as f:
                for line in per_source.get(source, []):
                    f.write(line + "\n")
    else:
        for source in sorted(per_source):
            head = '{"source":' + json.dumps(source) + ","
            for line in per_source[source]:
                sys.stdout.write(head + line[1:] + "\n")
    reports = [r[4] for r in results]
    damaged = [r for r in reports if r["exit"] != 0]
    for r in damaged:
        print("sluice-spark: %s: %s" % (r["path"], r["error_message"]), file=sys.stderr)
    return per_source, damaged


_shipped = {}


def run(spark, argv):
    """Runs one command in an existing SparkSession: (exit code, result). convert's result is its
    summary; query's the matching lines per source. Exit code 2 when a file was damaged."""
    args = parse_args(argv)
    sc = spark.sparkContext
    if sc.applicationId not in _shipped:
        _shipped[sc.applicationId] = _ship_package(sc)
    if args.command == "convert":
        summary = convert(spark, args)
        return (0 if not summary["damaged"] else 2), summary
    per_source, damaged = query(spark, args)
    return (0 if not damaged else 2), per_source


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parse_args(argv)  # --help and usage errors before Spark starts
    spark = session("sluice-spark " + argv[0])
    try:
        return run(spark, argv)[0]
    finally:
        spark.stop()
        for tmp in _shipped.values():
            shutil.rmtree(tmp, ignore_errors=True)
