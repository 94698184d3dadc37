#!/usr/bin/env python3
"""Benchmark: the Spark `convert` job on the loopback cluster against one local sluice process.

  python3 integrations/spark/bench.py [--sluice .build/release/sluice] [--data DIR] [--out FILE.json]

1. Data: a fleet archive from two real MariaDB servers (tests/make_archive.py with bulk traffic:
   two sources, plain and .zst mixed), made once into --data (default .bench-data/spark).
2. Local reference: `sluice export --format ndjson --threads 1` of each source as one stream, to
   /dev/null (one process, one core), and the same with sluice's default threads.
3. The cluster (cluster.sh: a master and W one-core workers) runs `convert` to Parquet; the job's
   summary gives the planning stage (index + info per file) and the conversion stage, and the sum
   of the tasks' own times (the busy core-seconds).
4. Per-task overhead: `convert` of tiny files (a binlog holding almost nothing, copied N times as N
   sources), whose time is all overhead; and an empty Spark job of N tasks (the scheduler alone).
5. Per-core throughput: bytes / busy core-seconds of the conversion tasks on the bulk archive.

Prints a JSON document and a Markdown section for BENCHMARKS.md (with the model).
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CLUSTER = HERE / "cluster.sh"
SUBMIT = HERE / "submit.py"
sys.path.insert(0, str(HERE))
from sluice_spark import inputs as inputs_mod  # noqa: E402


def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def timed(cmd, **kw):
    """(wall seconds, cpu seconds of the child, returncode, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    r = subprocess.run([str(c) for c in cmd], capture_output=True, **kw)
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if r.returncode not in (0,):
        sys.stderr.write(r.stderr.decode("utf-8", "replace")[-3000:])
    return wall, cpu, r.returncode, r.stdout


def submit_convert(cluster_dir, sluice, inputs, out, index_dir, split, extra=()):
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    wall, cpu, code, stdout = timed(["bash", CLUSTER, "submit", cluster_dir, SUBMIT, "convert", "-o", out,
                                     "--index-dir", index_dir, "--split-size", split, "--sluice", sluice]
                                    + list(extra) + inputs)
    summary = json.loads(stdout.decode().strip().splitlines()[-1])
    summary["wall"] = wall
    return code, summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sluice", default=str(ROOT / ".build/release/sluice"))
    ap.add_argument("--data", default=str(ROOT / ".bench-data/spark"))
    ap.add_argument("--batches", type=int, default=21)
    ap.add_argument("--bulk", type=int, default=6000, help="bulk rows per batch")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tiny", type=int, default=40, help="tiny files for the overhead run")
    ap.add_argument("--split", default="8M")
    ap.add_argument("--out", help="write the JSON result here")
    args = ap.parse_args()
    sluice = os.path.abspath(args.sluice)
    data = Path(args.data).resolve()
    result = {"load_before": loadavg(), "cpus": os.cpu_count()}

    gen = data / "archive"
    if not any(gen.glob("srv*/binlog.*")):
        shutil.rmtree(gen, ignore_errors=True)
        r = subprocess.run([sys.executable, HERE / "tests" / "make_archive.py", gen, "--batches", str(args.batches),
                            "--bulk-per-batch", str(args.bulk), "--sluice", sluice], check=True, capture_output=True)
        result["generated"] = json.loads(r.stdout.decode().strip().splitlines()[-1])
    sources = inputs_mod.expand([str(gen)])
    files = [f for s in sources for f in s.files]
    nbytes = sum(f.size for f in files)
    result["files"] = len(files)
    result["bytes"] = nbytes
    result["archived"] = sum(1 for f in files if f.archived)

    # 2. one local sluice process.
    local = {}
    for threads in ("1", None):
        wall = cpu = 0.0
        for s in sources:
            cmd = [sluice, "export", "--format", "ndjson"] + (["--threads", threads] if threads else []) + [f.path for f in s.files]
            best = None
            for _ in range(3):
                w, c, code, _ = timed(cmd)
                assert code == 0
                if best is None or w < best[0]:
                    best = (w, c)
            wall += best[0]
            cpu += best[1]
        local["threads1" if threads else "default"] = {"wall": wall, "cpu": cpu}
    result["local"] = local

    work = Path(tempfile.mkdtemp(prefix="sluice-spark-bench-"))
    cluster_dir = work / "cluster"
    try:
        t0 = time.time()
        subprocess.run(["bash", CLUSTER, "start", cluster_dir, str(args.workers), "1"], check=True)
        result["cluster_start"] = time.time() - t0
        result["workers"] = args.workers

        # An empty job: the scheduler's own per-task cost.
        noop = work / "noop.py"
        noop.write_text("""import sys, time
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("noop").getOrCreate(); sc = spark.sparkContext
n = int(sys.argv[1]); sc.parallelize(range(4), 4).count()
t = time.time(); sc.parallelize(range(n), n).map(lambda x: x).count(); print(time.time() - t)
spark.stop()
""")
        wall, _, code, out = timed(["bash", CLUSTER, "submit", cluster_dir, noop, "400"])
        result["noop_400_tasks"] = float(out.decode().strip().splitlines()[-1])
        result["app_start_noop"] = wall - result["noop_400_tasks"]

        # Tiny files: all overhead (index, info, the query's start, Spark's task, Parquet's file).
        tiny_dir = work / "tiny"
        smallest = min((f for f in files if not f.archived), key=lambda f: f.size)
        for i in range(args.tiny):
            d = tiny_dir / ("t%03d" % i)
            d.mkdir(parents=True)
            shutil.copyfile(smallest.path, d / smallest.name)
        code, tiny = submit_convert(cluster_dir, sluice, [str(tiny_dir)], work / "tiny-out", work / "tiny-index", args.split)
        result["tiny"] = dict(tiny, file_bytes=smallest.size)

        # The archive, twice (best).
        runs = []
        for _ in range(2):
            code, s = submit_convert(cluster_dir, sluice, [str(gen)], work / "out", work / "index", args.split)
            assert code == 0, s
            runs.append(s)
        result["cluster_runs"] = runs
    finally:
        subprocess.run(["bash", CLUSTER, "stop", cluster_dir])
        shutil.rmtree(work, ignore_errors=True)
    result["load_after"] = loadavg()

    # The model.
    best = min(result["cluster_runs"], key=lambda s: s["wall"])
    w = args.workers
    tiny = result["tiny"]
    tiny_files = args.tiny
    # Per file (plan task + convert task, both stages, core-seconds): the tiny run's busy time per file.
    per_file = (tiny["plan_task_seconds"] + tiny["task_seconds"]) / tiny_files
    sched = result["noop_400_tasks"] * w / 400
    # Per-core throughput: bytes over the busy core-seconds of the archive's tasks, net of per-file cost.
    busy = best["plan_task_seconds"] + best["task_seconds"]
    net = busy - per_file * best["files"]
    per_core = nbytes / net if net > 0 else None
    fixed = best["wall"] - (best["plan_seconds"] + best["convert_seconds"])
    result["model"] = {"per_file_overhead_s": per_file, "per_task_scheduler_s": sched,
                       "per_core_bytes_per_s": per_core, "fixed_s": fixed, "busy_core_s": busy}
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    print(markdown(result, best))


def markdown(r, best):
    """The BENCHMARKS.md section: measured figures, then the model for more workers."""
    mb = r["bytes"] / 1e6
    m = r["model"]
    loc1, locd = r["local"]["threads1"], r["local"]["default"]
    lines = [
        "## Sluice on Apache Spark (`integrations/spark/bench.py`)",
        "",
        "- Data: %d files (%d of them `.zst` archives), %.1f MB of binlog from two live MariaDB servers "
        "(`integrations/spark/tests/make_archive.py`); %d CPUs, load average %s before and %s after."
        % (r["files"], r["archived"], mb, r["cpus"], r["load_before"], r["load_after"]),
        "- Cluster: standalone master and %d one-core workers on 127.0.0.1 (`cluster.sh`), `convert` to Parquet "
        "with `--split-size %s`; best of %d runs." % (r["workers"], "8M", len(r["cluster_runs"])),
        "",
        "| run | wall s | files/s | MB/s | CPU s (busy core-s for Spark) |",
        "|---|---:|---:|---:|---:|",
        "| one local `sluice export --format ndjson --threads 1` per source | %.2f | %.1f | %.1f | %.2f |"
        % (loc1["wall"], r["files"] / loc1["wall"], mb / loc1["wall"], loc1["cpu"]),
        "| one local `sluice export --format ndjson` (default threads) per source | %.2f | %.1f | %.1f | %.2f |"
        % (locd["wall"], r["files"] / locd["wall"], mb / locd["wall"], locd["cpu"]),
        "| Spark `convert` to Parquet, %d workers (whole job) | %.2f | %.1f | %.1f | %.2f |"
        % (r["workers"], best["wall"], r["files"] / best["wall"], mb / best["wall"], m["busy_core_s"]),
        "| Spark `convert`, planning + conversion stages only | %.2f | %.1f | %.1f | |"
        % (best["plan_seconds"] + best["convert_seconds"], r["files"] / (best["plan_seconds"] + best["convert_seconds"]),
           mb / (best["plan_seconds"] + best["convert_seconds"])),
        "",
        "Measured costs: application start and JVM warm-up %.1f s (an empty job), scheduler %.1f ms per task "
        "(400 empty tasks), %.0f ms of busy core time per input file (index, info, sluice start, Parquet file: "
        "%d copies of a %d-byte binlog), and %s MB/s per core of conversion net of that."
        % (r["app_start_noop"], m["per_task_scheduler_s"] * 1000, m["per_file_overhead_s"] * 1000,
           r["tiny"]["files"] if "files" in r["tiny"] else 0, r["tiny"]["file_bytes"],
           "%.1f" % (m["per_core_bytes_per_s"] / 1e6) if m["per_core_bytes_per_s"] else "n/a"),
        "",
        "Model for W one-core workers (files and ranges spread evenly, no straggler thanks to the split):",
        "`T(W) ≈ fixed + (F × per_file + B / per_core) / W`, with fixed = %.1f s (job start, planning "
        "and commit outside the tasks), per_file = %.3f s, per_core = %s MB/s."
        % (m["fixed_s"], m["per_file_overhead_s"],
           "%.1f" % (m["per_core_bytes_per_s"] / 1e6) if m["per_core_bytes_per_s"] else "n/a"),
    ]
    if m["per_core_bytes_per_s"]:
        for w, f, gb in ((2, r["files"], mb / 1e3), (40, 2000, 1000.0), (160, 20000, 10000.0)):
            t = m["fixed_s"] + (f * m["per_file_overhead_s"] + gb * 1e9 / m["per_core_bytes_per_s"]) / w
            lines.append("- W = %d, %d files, %.3g GB: about %.0f s (%.0f MB/s)" % (w, f, gb, t, gb * 1e3 / t))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
