#!/usr/bin/env bash
# Serves a binlog with `sluice serve` and drains it with canal-python's stock client
# (Benchmarks/serve-drain.py), then reports the server's CPU per row change next to
# `export --format canal --threads 1 -o /dev/null` on the same file.
#
#   Benchmarks/serve-bench.sh SLUICE FILE [--batch 100] [--decode rows|entries] [serve options...]
#
# Server CPU: utime + stime from /proc/PID/stat just before the client subscribes and after it
# has drained the destination (the drain), and for the whole process (start-up included) from
# /usr/bin/time, which also gives the peak RSS. Rows are the client's count of row changes.
set -euo pipefail

sluice=$1
file=$2
shift 2
batch=100
decode=rows
serve_args=()
while (($#)); do
  case $1 in
    --batch) batch=$2; shift 2 ;;
    --decode) decode=$2; shift 2 ;;
    *) serve_args+=("$1"); shift ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tick=$(getconf CLK_TCK)
port=$((20000 + RANDOM % 20000))
log=$(mktemp)
timing=$(mktemp)

cpu_of() { awk -v t="$tick" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }

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
client=$(python3 "$here/serve-drain.py" "$port" --batch "$batch" --decode "$decode")
after=$(cpu_of "$pid")
kill -TERM "$pid"
wait "$timer" || true
read -r user sys maxrss <"$timing"

start=$(date +%s.%N)
export_cpu=$(/usr/bin/time -f '%U %S %M' "$sluice" export --format canal --threads 1 -o /dev/null "$file" 2>&1 >/dev/null | tail -1)
end=$(date +%s.%N)

python3 - "$client" "$before" "$after" "$user" "$sys" "$maxrss" "$export_cpu" "$start" "$end" <<'EOF'
import json, sys
c = json.loads(sys.argv[1])
before, after, user, sys_, maxrss = map(float, sys.argv[2:7])
eu, es, em = map(float, sys.argv[7].split())
start, end = float(sys.argv[8]), float(sys.argv[9])
rows = max(c["rows"], 1)
drain = after - before
c.update({
    "server_drain_cpu_s": round(drain, 3),
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
