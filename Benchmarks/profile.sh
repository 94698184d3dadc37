#!/usr/bin/env bash
# Where a sluice command spends its CPU: perf record + report of one run, as a short table.
#
#   Benchmarks/profile.sh [-n TOP] [-o OUT.txt] [--prep 'SHELL-CMD'] -- SLUICE-ARGS...
#   Benchmarks/profile.sh -- export --format ndjson --threads 1 .bench-data/wide/binlog.000001
#   Benchmarks/profile.sh --prep 'rm -rf /tmp/idx' -- index --index-dir /tmp/idx .bench-data/wide/binlog.000001
#
# The command runs twice (perf stat, then perf record); --prep runs before each (for commands
# whose first run changes what the second does, like index).
# Uses $SLUICE (default: the benchmark build, .build-bench/release/sluice; build it with
# Benchmarks/run.sh). Prints CPU time (perf stat task-clock), then the TOP hottest symbols by
# self time (demangled when swift-demangle is present) and the same grouped by module
# (the binary, libc, the kernel...). Output goes to stdout (and OUT.txt with -o). perf needs
# kernel.perf_event_paranoid <= 1 or root; hardware counters are not needed (cpu-clock sampling).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
top=25
out=""
prep=":"
while (($#)); do
  case "$1" in
    -n) top=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    --prep) prep=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
(($#)) || { sed -n '2,14p' "$0"; exit 64; }
SLUICE=${SLUICE:-$root/.build-bench/release/sluice}
[[ -x "$SLUICE" ]] || { echo "profile.sh: no sluice binary at $SLUICE (run Benchmarks/run.sh or set SLUICE)" >&2; exit 1; }
command -v perf >/dev/null || { echo "profile.sh: perf is not installed (apt install linux-perf)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
demangle() { if command -v swift-demangle >/dev/null; then swift-demangle --simplified; else cat; fi; }
{
  echo "# sluice $*"
  echo "# commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
  bash -c "$prep"
  perf stat -e task-clock -o "$tmp/stat" "$SLUICE" "$@" >/dev/null 2>"$tmp/err" || true
  grep -E "task-clock|elapsed" "$tmp/stat" | sed 's/^ */# /'
  bash -c "$prep"
  perf record -q -F 2000 -e cpu-clock -o "$tmp/data" -- "$SLUICE" "$@" >/dev/null 2>>"$tmp/err" || true
  echo "## hottest symbols (self time)"
  perf report -i "$tmp/data" --no-children --sort sym -g none --percent-limit 0.3 2>/dev/null \
    | grep -E '^ +[0-9]' | head -n "$top" | demangle | cut -c1-180
  echo "## by module"
  perf report -i "$tmp/data" --no-children --sort dso -g none 2>/dev/null | grep -E '^ +[0-9]' | head -n 8
} | if [[ -n "$out" ]]; then tee "$out"; else cat; fi
