#!/usr/bin/env bash
# `sluice report` against `sluice export --format ndjson` on the same files: the report must take
# under 10% of the export's time with the index already built, under 30% including the index
# build (an index built in memory by the report itself, and `sluice index` + report), with a peak
# RSS of at most 64 MiB.
#
#   Benchmarks/report-bench.sh [--no-build] [DIR...]
#
# Data sets: the committed fixture sets (Fixtures/mariadb-10.11*) and a multi-file archive of
# $SIZE_MB MiB written by a real MariaDB that rotates every $ROTATE_MB MiB
# (ROTATE_MB=... scripts/make-big-binlog.sh $SIZE_MB $DATA, cached); or the DIRs given.
# Builds sluice in release mode (swift build -c release; --no-build or SLUICE=path to skip).
# Every command runs with a warm page cache, output to a file or /dev/null; wall and CPU time
# and peak RSS come from wait4(2) on the child (best wall of $RUNS runs, largest RSS).
# Prints one table; PASS/FAIL per data set and limit. Also prints `uptime` before and after
# (the machine may be shared).
#
# Environment: SLUICE, DATA (.bench-data-multi), SIZE_MB (1024), ROTATE_MB (256), RUNS (3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
DATA=${DATA:-$root/.bench-data-multi}
SIZE_MB=${SIZE_MB:-1024}
ROTATE_MB=${ROTATE_MB:-256}
RUNS=${RUNS:-3}
build=1
sets=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "usage: $0 [--no-build] [DIR...]" >&2; exit 64 ;;
    *) sets+=("$(cd "$a" && pwd -P)") ;;
  esac
done
[[ -n "${SLUICE:-}" ]] && build=0

if [[ $build == 1 ]]; then
  (cd "$root" && swift build -c release --product sluice >&2)
  SLUICE=$root/.build/release/sluice
fi
SLUICE=${SLUICE:-$root/.build/release/sluice}
[[ -x "$SLUICE" ]] || { echo "report-bench: no sluice at $SLUICE" >&2; exit 3; }

if [[ ${#sets[@]} == 0 ]]; then
  for f in "$root"/Fixtures/mariadb-10.11*/; do sets+=("${f%/}"); done
  ROTATE_MB=$ROTATE_MB "$root/scripts/make-big-binlog.sh" "$SIZE_MB" "$DATA" >&2
  sets+=("$DATA")
fi

echo "load before: $(uptime)"
export SLUICE RUNS
status=0
python3 - "${sets[@]}" <<'PY' || status=$?
import glob, os, shutil, sys, tempfile, time

SLUICE = os.environ["SLUICE"]
RUNS = int(os.environ["RUNS"])
LIMIT_RSS = 64 * 1024  # KiB


def timed(argv, out="/dev/null", runs=RUNS):
    """Best wall time, its CPU time, and the largest peak RSS (KiB) over `runs` runs."""
    best = None
    rss = 0
    for _ in range(runs):
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        devnull = os.open("/dev/null", os.O_WRONLY)
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, fd, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        os.close(fd)
        os.close(devnull)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"report-bench: {' '.join(argv)} failed ({os.waitstatus_to_exitcode(status)})")
        cpu = ru.ru_utime + ru.ru_stime
        rss = max(rss, ru.ru_maxrss)
        if best is None or wall < best[0]:
            best = (wall, cpu)
    return best[0], best[1], rss


def binlogs(d):
    return sorted(p for p in glob.glob(os.path.join(d, "binlog.[0-9]*")) if not p.endswith((".sidx", ".meta")))


rows = []
failed = False
for d in sys.argv[1:]:
    files = binlogs(d)
    size = sum(os.path.getsize(f) for f in files)
    work = tempfile.mkdtemp(prefix="report-bench-")
    idx, empty = os.path.join(work, "idx"), os.path.join(work, "empty")
    os.mkdir(idx)
    os.mkdir(empty)
    html = os.path.join(work, "report.html")
    # Warm the page cache.
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass
    start = timed([SLUICE, "--version"], runs=max(RUNS, 5))
    export = timed([SLUICE, "export", "--format", "ndjson", *files])
    built = timed([SLUICE, "report", "--index-dir", empty, *files, "-o", html])
    # One run: a second would find the indexes fresh and time nothing.
    index = timed([SLUICE, "index", "--index-dir", idx, *files], runs=1)
    report = timed([SLUICE, "report", "--index-dir", idx, *files, "-o", html])
    shutil.rmtree(work)
    name = os.path.basename(d.rstrip("/"))
    r_idx = report[0] / export[0]
    r_build = built[0] / export[0]
    r_both = (index[0] + report[0]) / export[0]
    ok = r_idx < 0.10 and r_build < 0.30 and r_both < 0.30 and max(report[2], built[2]) <= LIMIT_RSS
    failed |= not ok
    rows.append((name, len(files), size, start, export, index, report, built, r_idx, r_both, r_build, ok))

print()
print("| data | files | MB | start-up s | export ndjson s (CPU) | index s | report, indexed s (CPU) | RSS MiB | report, index built in memory s | RSS MiB | indexed / export | (index + report) / export | in-memory / export | |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for name, n, size, start, export, index, report, built, r_idx, r_both, r_build, ok in rows:
    print(f"| {name} | {n} | {size / 1e6:.1f} | {start[0]:.3f} | {export[0]:.3f} ({export[1]:.3f}) | {index[0]:.3f} | "
          f"{report[0]:.3f} ({report[1]:.3f}) | {report[2] / 1024:.1f} | {built[0]:.3f} | {built[2] / 1024:.1f} | "
          f"{r_idx * 100:.1f}% | {r_both * 100:.1f}% | {r_build * 100:.1f}% | {'PASS' if ok else 'FAIL'} |")
print()
print("Limits: indexed / export < 10%; with the index build (sluice index + report, or report building it in memory) < 30%; peak RSS <= 64 MiB.")
print("start-up: `sluice --version`, the cost of starting the process, which dominates on the small fixture sets.")
sys.exit(1 if failed else 0)
PY
echo "load after: $(uptime)"
exit $status
