#!/usr/bin/env bash
# Serves a binlog with `sluice serve` and drains it with a stock Canal client, canal-python
# (Benchmarks/serve-drain.py, the default) or canal-go (--client go: Benchmarks/canal-go/drain.go,
# built by Benchmarks/canal-go-drain.sh, which needs CANAL_GO_SRC), then reports the server's CPU
# per row change next to `export --format canal --threads 1 -o /dev/null` on the same file.
#
#   Benchmarks/serve-bench.sh SLUICE FILE [--client python|go] [--batch 100] [--decode rows|entries] [serve options...]
#
# Server CPU: utime + stime from /proc/PID/stat just before the client subscribes and after it
# has drained the destination (the drain), and for the whole process (start-up included) from
# /usr/bin/time, which also gives the peak RSS. Rows are the client's count of row changes.
# The drain's CPU is also split by thread (the network event loop, NIO-ELT-*, and the workers
# that build entries ahead, TP-*), with the event loop's voluntary context switches (one per
# wake-up: canal-python's four writes per batch each wake it).
set -euo pipefail

sluice=$1
file=$2
shift 2
batch=100
decode=rows
client_kind=python
serve_args=()
while (($#)); do
  case $1 in
    --client) client_kind=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --decode) decode=$2; shift 2 ;;
    *) serve_args+=("$1"); shift ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case $client_kind in
  python) drain=(python3 "$here/serve-drain.py") ;;
  go) drain=("$("$here/canal-go-drain.sh")") ;;
  *) echo "serve-bench: --client takes python or go, not $client_kind" >&2; exit 64 ;;
esac
tick=$(getconf CLK_TCK)
port=$((20000 + RANDOM % 20000))
log=$(mktemp)
timing=$(mktemp)

cpu_of() { awk -v t="$tick" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }
# "loop_cpu worker_cpu loop_switches" summed over the process's threads.
threads_of() {
  local loop=0 work=0 switches=0 t name ticks v
  for t in /proc/"$1"/task/*; do
    name=$(cat "$t/comm")
    ticks=$(awk '{ print $14 + $15 }' "$t/stat")
    case $name in
      NIO-ELT*)
        loop=$((loop + ticks))
        v=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status")
        switches=$((switches + v))
        ;;
      TP-*) work=$((work + ticks)) ;;
    esac
  done
  echo "$loop $work $switches"
}

/usr/bin/time -f '%U %S %M' -o "$timing" "$sluice" serve --port "$port" "${serve_args[@]}" "$file" 2>"$log" &
timer=$!
pid=""
for _ in $(seq 1 600); do
  pid=$(pgrep -P "$timer" || true)
  if [[ -n $pid ]] && grep -q "serving" "$log"; then break; fi
  sleep 0.1
done
[[ -n $pid ]] || { echo "server did not start: $(cat "$log")" >&2; exit 1; }
before=$(cpu_of "$pid")
threads_before=$(threads_of "$pid")
client=$("${drain[@]}" --batch "$batch" --decode "$decode" "$port")
after=$(cpu_of "$pid")
threads_after=$(threads_of "$pid")
kill -TERM "$pid"
wait "$timer" || true
read -r user sys maxrss <"$timing"

start=$(date +%s.%N)
export_cpu=$(/usr/bin/time -f '%U %S %M' "$sluice" export --format canal --threads 1 -o /dev/null "$file" 2>&1 >/dev/null | tail -1)
end=$(date +%s.%N)

python3 - "$client" "$before" "$after" "$user" "$sys" "$maxrss" "$export_cpu" "$start" "$end" \
  "$threads_before" "$threads_after" "$tick" <<'EOF'
import json, sys
c = json.loads(sys.argv[1])
t0, t1 = (list(map(int, a.split())) for a in sys.argv[10:12])
tick = float(sys.argv[12])
before, after, user, sys_, maxrss = map(float, sys.argv[2:7])
eu, es, em = map(float, sys.argv[7].split())
start, end = float(sys.argv[8]), float(sys.argv[9])
rows = max(c["rows"], 1)
drain = after - before
c.update({
    "server_drain_cpu_s": round(drain, 3),
    "server_loop_cpu_s": round((t1[0] - t0[0]) / tick, 3),
    "server_worker_cpu_s": round((t1[1] - t0[1]) / tick, 3),
    "server_loop_switches": t1[2] - t0[2],
    "server_total_cpu_s": round(user + sys_, 3),
    "server_us_per_row": round(drain / rows * 1e6, 2),
    "server_peak_rss_mib": round(maxrss / 1024, 1),
    "export_cpu_s": round(eu + es, 3),
    "export_wall_s": round(end - start, 3),
    "export_us_per_row": round((eu + es) / rows * 1e6, 2),
    "export_peak_rss_mib": round(em / 1024, 1),
    "server_cpu_vs_export": round(drain / (eu + es), 3),
    "wall_vs_client_cpu": round(c["wall_s"] / max(c["client_cpu_s"], 1e-9), 3),
})
print(json.dumps(c, indent=1))
EOF
rm -f "$log" "$timing"
