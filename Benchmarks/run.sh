#!/usr/bin/env bash
# Sluice speed benchmarks on two MariaDB binlogs of different shapes, each against mariadb-binlog
# on the same file: narrow rows (~1 GiB, scripts/make-big-binlog.sh) and wide rows (~280 MiB of
# 10-200 KB TEXT/BLOB/JSON values, scripts/make-wide-binlog.sh).
#
#   Benchmarks/run.sh [--head] [--no-build] [--no-write]
#
# 1. (Re)uses the binlogs: scripts/make-big-binlog.sh $SIZE_MB $BENCH_DATA/narrow and
#    scripts/make-wide-binlog.sh $WIDE_MB $BENCH_DATA/wide (cached).
# 2. Builds sluice in release mode from a snapshot of the working tree (tracked and untracked,
#    not ignored files) copied to $BENCH_DATA/src, so edits made meanwhile cannot break the
#    build (swift build -c release --static-swift-stdlib --scratch-path .build-bench; retried). --head: snapshot the
#    committed HEAD instead (git archive), so the numbers belong to exactly that commit.
#    --no-build: use $SLUICE or the last build.
# 3. Runs every benchmark with a warm page cache under /usr/bin/time (wall and CPU time to the
#    millisecond from wait4 around it): wall time, CPU time,
#    peak RSS, exit code; best of $RUNS for the short ones (a first run longer than
#    $LONG_SECONDS is not repeated). Throughput is file size / wall time (MB = 10^6 bytes).
#    Sluice maps the file, so its RSS counts the mapped pages of the binlog it has touched;
#    the anonymous (heap) part is sampled from /proc/PID/status every 0.1 s.
# 4. Prints a markdown table and (unless --no-write) writes BENCHMARKS.md.
#
# Environment: SIZE_MB (1024, narrow file), WIDE_MB (280, wide file), SHAPES ("narrow wide"),
# BENCH_DATA (.bench-data), RUNS (3), LONG_SECONDS (30),
# SLUICE (path to a sluice binary; implies no build), BENCH_OUT (BENCHMARKS.md),
# BUILD_ATTEMPTS (5).
#
# The benchmarks run on a hard link of each binlog in BENCH_DATA/run/, a directory holding only
# that file: anything else that appears there is a sidecar written by sluice (the index), and
# is deleted before every benchmark except "query with the index".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
SIZE_MB=${SIZE_MB:-1024}
WIDE_MB=${WIDE_MB:-280}
SHAPES=${SHAPES:-narrow wide}
DATA=${BENCH_DATA:-$root/.bench-data}
RUNS=${RUNS:-3}
SHORT_RUNS=${SHORT_RUNS:-11}
LONG_SECONDS=${LONG_SECONDS:-30}
OUT_MD=${BENCH_OUT:-$root/BENCHMARKS.md}
BUILD_ATTEMPTS=${BUILD_ATTEMPTS:-5}
build=1; write=1; head=0
for a in "$@"; do
  case "$a" in
    --head) head=1 ;;
    --no-build) build=0 ;;
    --no-write) write=0 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--head] [--no-build] [--no-write]" >&2; exit 64 ;;
  esac
done
[[ -n "${SLUICE:-}" ]] && build=0

log() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

# ---- tools --------------------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  log "installing GNU time"
  apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi
command -v python3 >/dev/null || die "python3 missing (it times the runs)"
command -v mariadb-binlog >/dev/null || die "mariadb-binlog missing (scripts/install-deps.sh)"

# ---- data ---------------------------------------------------------------------------------
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd -P)
for shape in $SHAPES; do
  case "$shape" in
    narrow) "$root/scripts/make-big-binlog.sh" "$SIZE_MB" "$DATA/narrow" >&2 ;;
    wide) "$root/scripts/make-wide-binlog.sh" "$WIDE_MB" "$DATA/wide" >&2 ;;
    *) die "unknown shape $shape (SHAPES: narrow, wide)" ;;
  esac
done
run_dir="$DATA/run"

# use_shape SHAPE: FILE, fname, size, meta... for the binlog of that shape, hard-linked alone
# into $run_dir.
use_shape() {
  shape=$1
  meta="$DATA/$shape/binlog.meta"
  fname=$(grep -m1 '^file=' "$meta" | cut -d= -f2 | cut -d' ' -f1)
  src="$DATA/$shape/$fname"
  [[ -f "$src" ]] || die "$src missing after the generator"
  nfiles=$(grep -c '^file=' "$meta")
  rm -rf "$run_dir"; mkdir -p "$run_dir"
  ln "$src" "$run_dir/$fname" 2>/dev/null || cp "$src" "$run_dir/$fname"
  FILE="$run_dir/$fname"
  size=$(stat -c %s "$FILE")
}
meta_val() { grep "^$1=" "$meta" | head -1 | cut -d= -f2; }

# ---- build --------------------------------------------------------------------------------
pkg="$DATA/src"; scratch="$root/.build-bench"
build_desc="prebuilt binary (--no-build or SLUICE)"
snapshot() {
  rm -rf "$pkg"; mkdir -p "$pkg"
  local c dirty
  c=$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
  if (( head )); then
    build_desc="commit $c (built from \`git archive HEAD\`)"
    (cd "$root" && git archive HEAD) | tar -x -C "$pkg"
  else
    dirty=$(cd "$root" && git status --porcelain -- Sources Package.swift 2>/dev/null | wc -l)
    build_desc="commit $c"
    if [[ "$dirty" != 0 ]]; then build_desc="$build_desc + $dirty uncommitted source files (working-tree snapshot)"; fi
    (cd "$root" && git ls-files -z -co --exclude-standard -- . ':!:.bench-data' ':!:.build*' \
      | xargs -0 tar -c --ignore-failed-read -f - 2>/dev/null) | tar -x -C "$pkg"
  fi
}
if (( build )); then
  ok=0
  for ((i = 1; i <= BUILD_ATTEMPTS; i++)); do
    snapshot
    log "swift build -c release --static-swift-stdlib --package-path $pkg --scratch-path $scratch (attempt $i)"
    if swift build -c release --static-swift-stdlib --package-path "$pkg" --scratch-path "$scratch" --product sluice >"$DATA/build.log" 2>&1; then
      ok=1; break
    fi
    tail -n 5 "$DATA/build.log" >&2
    if (( i < BUILD_ATTEMPTS )); then log "build failed; retrying in 60 s"; sleep 60; fi
  done
  (( ok )) || die "release build failed $BUILD_ATTEMPTS times (log: $DATA/build.log)"
  SLUICE="$(swift build -c release --static-swift-stdlib --package-path "$pkg" --scratch-path "$scratch" --show-bin-path)/sluice"
fi
SLUICE=${SLUICE:-$scratch/release/sluice}
[[ -x "$SLUICE" ]] || die "no sluice binary at $SLUICE"
log "sluice: $SLUICE"

help_top=$("$SLUICE" --help 2>&1 || true)
has_cmd() { grep -qE "^[[:space:]]+$1([[:space:]]|$)" <<<"$help_top"; }
cmd_help() { "$SLUICE" "$1" --help 2>&1 || true; }

# ---- helpers ------------------------------------------------------------------------------
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
clean_sidecars() { find "$run_dir" -mindepth 1 ! -name "$fname" -exec rm -rf {} + 2>/dev/null || true; }
sidecars() { find "$run_dir" -mindepth 1 ! -name "$fname" -printf '%f (%s bytes) ' 2>/dev/null || true; }

# timer OUT CMD...: runs CMD under /usr/bin/time and writes "wall maxrss-KiB exit user sys" to
# OUT, like /usr/bin/time -f '%e %M %x %U %S' but with wall and CPU time to the millisecond
# (wait4; GNU time rounds to 10 ms, too coarse for the indexed query). The peak RSS stays GNU
# time's: ru_maxrss survives execve, so a child spawned straight from Python would report
# Python's own RSS for a small command.
# With BENCH_DIRECT=1 (set for commands under a second) the command is first timed on its own,
# spawned straight from Python, and then run once more under /usr/bin/time for its peak RSS and
# exit code: starting /usr/bin/time costs ~1.5 ms of wall and CPU, 15% of a 10 ms query, and
# would be counted against it.
cat >"$tmp/timer.py" <<'PY'
import os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
direct = os.environ.get("BENCH_DIRECT") == "1"
if direct:
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)
    _, status, ru_direct = os.wait4(pid, 0)
    wall_direct = time.perf_counter() - start
start = time.perf_counter()
pid = os.posix_spawnp("/usr/bin/time", ["/usr/bin/time", "-f", "%M %x", "-o", out + ".gnu", *cmd], os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - start
rss, code = open(out + ".gnu").read().split("\n")[-2].split()
if direct:
    wall, ru = wall_direct, ru_direct
with open(out, "w") as f:
    f.write(f"{wall:.3f} {rss} {code} {ru.ru_utime:.3f} {ru.ru_stime:.3f}\n")
PY

# sampler OUT ERR CMD...: runs CMD under the timer (report in OUT.time), stdout to /dev/null,
# stderr to ERR, and writes the peak RssAnon (KiB) of CMD, sampled every 0.1 s, to OUT.anon.
cat >"$tmp/sampler.sh" <<SH
timer="$tmp/timer.py"
SH
cat >>"$tmp/sampler.sh" <<'SH'
out=$1; err=$2; shift 2
python3 "$timer" "$out.time" "$@" >/dev/null 2>"$err" &
tpid=$!
max=0; cpid=""
while kill -0 "$tpid" 2>/dev/null; do
  # The measured command is the timer's grandchild (timer -> /usr/bin/time -> command).
  # (the children file has no final newline: read fails at EOF but still sets the pid)
  if [[ -z "$cpid" ]]; then
    gpid=""; read -r gpid _ <"/proc/$tpid/task/$tpid/children" 2>/dev/null || true
    if [[ -n "$gpid" ]]; then read -r cpid _ <"/proc/$gpid/task/$gpid/children" 2>/dev/null || true; fi
  fi
  if [[ -n "$cpid" ]]; then
    { while read -r k v _; do
      if [[ "$k" == RssAnon: ]]; then (( v > max )) && max=$v; break; fi
    done <"/proc/$cpid/status"; } 2>/dev/null || true
  fi
  sleep 0.1
done
wait "$tpid"; rc=$?
echo "$max" >"$out.anon"
exit $rc
SH

declare -A WALL CPU RSS ANON CODE NRUN CMDTXT ERR SIDE
# Keys are SHAPE/NAME; notes are "SHAPE|text".
order=()
notes=()
note() { notes+=("$shape|$1"); }

# measure KEY PREP CMD... — PREP is "clean" (delete sidecars first) or "keep".
measure() {
  local key=$shape/$1 prep=$2; shift 2
  local i best="" best_cpu="" maxrss=0 maxanon=0 code=0 wall rss c u s line anon
  CMDTXT[$key]="$*"
  order+=("$key")
  local runs=$RUNS direct=0
  for ((i = 1; i <= runs; i++)); do
    [[ "$prep" == clean ]] && clean_sidecars
    BENCH_DIRECT=$direct bash "$tmp/sampler.sh" "$tmp/m" "$tmp/err" "$@" || true
    line=$(tail -n 1 "$tmp/m.time")
    read -r wall rss c u s <<<"$line"
    anon=$(cat "$tmp/m.anon" 2>/dev/null || echo 0)
    if (( anon > maxanon )); then maxanon=$anon; fi
    if [[ "$c" != 0 ]]; then
      code=$c
      ERR[$key]=$(head -c 400 "$tmp/err" | head -n 3 | tr '\n' ' ')
    fi
    if (( rss > maxrss )); then maxrss=$rss; fi
    if [[ -z "$best" ]] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a<b)}'; then
      best=$wall; best_cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.3f", u+s}')
    fi
    log "$(printf '%-22s run %d: %6.2f s  CPU %6.2f s  RSS %7.1f MiB  anon %7.1f MiB  exit %s' "$key" "$i" "$wall" \
      "$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')" "$(awk -v r="$rss" 'BEGIN{printf "%.1f", r/1024}')" \
      "$(awk -v r="$anon" 'BEGIN{printf "%.1f", r/1024}')" "$c")"
    awk -v a="$wall" -v l="$LONG_SECONDS" 'BEGIN{exit !(a>l)}' && { i=$((i + 1)); break; }
    # Sub-second commands (the window queries) vary by milliseconds: more runs, each timed
    # without /usr/bin/time around it (see timer.py). The first run is not counted for them.
    if (( i == 1 )) && awk -v a="$wall" 'BEGIN{exit !(a<1)}'; then
      runs=$((SHORT_RUNS + 1)); direct=1; best=""
    fi
  done
  WALL[$key]=$best; CPU[$key]=$best_cpu; RSS[$key]=$maxrss; ANON[$key]=$maxanon; CODE[$key]=$code; NRUN[$key]=$((i - 1))
  if [[ "$prep" == clean ]]; then SIDE[$key]=$(sidecars); fi
}

# ---- per file: warm the page cache, counts, benchmarks -------------------------------------
declare -A S_FNAME S_SIZE S_NFILES S_REF_EVENTS S_ROWS S_INS S_UPD S_DEL S_SLROWS S_SLRC S_WIN S_WINROWS S_QROWS \
  S_SIDECAR S_META S_LOAD0 S_LOAD1 S_GEN
bench_shape() {
  use_shape "$1"
  cat "$FILE" >/dev/null
  log "[$shape] file: $FILE ($size bytes), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  S_LOAD0[$shape]=$(cut -d' ' -f1-3 /proc/loadavg)
  S_FNAME[$shape]=$fname; S_SIZE[$shape]=$size; S_NFILES[$shape]=$nfiles; S_META[$shape]=$meta

  # Reference counts from mariadb-binlog, cached beside the binlog (they depend on the file only).
  local counts="$DATA/$shape/binlog.counts" stamp
  stamp="$(stat -c '%s %Y' "$src")"
  if [[ ! -s "$counts" ]] || [[ "$(head -n 1 "$counts")" != "$stamp" ]]; then
    log "[$shape] counting events and rows with mariadb-binlog (once per file)"
    local ev rc
    ev=$(mariadb-binlog "$FILE" 2>/dev/null | grep -cE '^#[0-9]{6} +[0-9:]+ server id ') || true
    mapfile -t rc < <(mariadb-binlog --base64-output=decode-rows -v "$FILE" 2>/dev/null \
      | awk '/^### INSERT INTO /{i++} /^### UPDATE /{u++} /^### DELETE FROM /{d++} END{print i+0; print u+0; print d+0}')
    printf '%s\nevents=%s\ninserts=%s\nupdates=%s\ndeletes=%s\n' "$stamp" "$ev" "${rc[0]}" "${rc[1]}" "${rc[2]}" >"$counts"
  fi
  cval() { grep "^$1=" "$counts" | cut -d= -f2; }
  S_REF_EVENTS[$shape]=$(cval events); S_INS[$shape]=$(cval inserts); S_UPD[$shape]=$(cval updates); S_DEL[$shape]=$(cval deletes)
  ROWS=$(( $(cval inserts) + $(cval updates) + $(cval deletes) ))
  S_ROWS[$shape]=$ROWS

  # Rows as Sluice sees them (an untimed export run), checked against mariadb-binlog -v.
  clean_sidecars
  local sl_rows
  sl_rows=$( { "$SLUICE" export --format ndjson "$FILE" 2>"$tmp/export.err"; echo $? >"$tmp/export.rc"; } \
    | grep -cE '"type":"(insert|update|delete)"') || true
  S_SLROWS[$shape]=$sl_rows; S_SLRC[$shape]=$(cat "$tmp/export.rc")
  if [[ "$sl_rows" != "$ROWS" ]]; then
    note "**Row count mismatch**: \`sluice export\` wrote $sl_rows row changes, \`mariadb-binlog -v\` shows $ROWS ($(head -c 300 "$tmp/export.err"))"
  fi

  measure mariadb-binlog clean mariadb-binlog "$FILE"
  measure mariadb-binlog-v clean mariadb-binlog --base64-output=decode-rows -v "$FILE"
  measure info clean "$SLUICE" info "$FILE"
  measure events clean "$SLUICE" events "$FILE"
  measure export-ndjson clean "$SLUICE" export --format ndjson "$FILE"
  measure export-ndjson-1 clean "$SLUICE" export --format ndjson --threads 1 "$FILE"

  S_SIDECAR[$shape]=""
  if has_cmd index; then
    measure index clean "$SLUICE" index "$FILE"
    "$SLUICE" index "$FILE" >/dev/null 2>&1 || true
    S_SIDECAR[$shape]=$(sidecars)
    [[ -n "${S_SIDECAR[$shape]}" ]] || note "\`sluice index\` left no file beside the binlog; the index location is unknown to this script."
  else
    note "\`sluice index\` skipped: not in \`sluice --help\` yet."
  fi

  if has_cmd export && grep -qi canal <<<"$(cmd_help export)"; then
    measure export-canal clean "$SLUICE" export --format canal "$FILE"
    measure export-canal-1 clean "$SLUICE" export --format canal --threads 1 "$FILE"
  else
    note "\`sluice export --format canal\` skipped: not in \`sluice export --help\` yet."
  fi
  measure export-sql clean "$SLUICE" export --format sql "$FILE"

  # One minute in the middle of the time range.
  local t_first t_last mid win_start win_stop win_rows q_rows cut_rows qhelp
  t_first=$(meta_val time_first); t_last=$(meta_val time_last)
  mid=$(( (t_first + t_last) / 2 / 60 * 60 ))
  # The minute in the middle, or the nearest one after it that holds row changes (the wide
  # file has few, large transactions: a minute can fall between two of them).
  local try
  for ((try = 0; try < 30; try++)); do
    win_start=$(date -u -d "@$mid" '+%Y-%m-%d %H:%M:%S')
    win_stop=$(date -u -d "@$((mid + 60))" '+%Y-%m-%d %H:%M:%S')
    win_rows=$(TZ=UTC mariadb-binlog --base64-output=decode-rows -v --start-datetime="$win_start" --stop-datetime="$win_stop" "$FILE" 2>/dev/null \
      | grep -cE '^### (INSERT INTO|UPDATE|DELETE FROM) ') || true
    [[ "$win_rows" -gt 0 ]] && break
    mid=$((mid + 60))
  done
  S_WIN[$shape]="$win_start|$win_stop"
  measure mariadb-binlog-window clean env TZ=UTC mariadb-binlog --start-datetime="$win_start" --stop-datetime="$win_stop" "$FILE"
  # The anchor for queries that decode the window's rows (issue 15 names this one).
  measure mariadb-binlog-window-v clean env TZ=UTC mariadb-binlog --base64-output=decode-rows -v --start-datetime="$win_start" --stop-datetime="$win_stop" "$FILE"
  S_WINROWS[$shape]=$win_rows; S_QROWS[$shape]=""
  if has_cmd query; then
    qhelp=$(cmd_help query)
    if grep -q -- '--start-datetime' <<<"$qhelp"; then
      local qargs=(--start-datetime "$win_start" --stop-datetime "$win_stop")
      if grep -q -- '--no-index' <<<"$qhelp"; then
        measure query-no-index clean "$SLUICE" query --no-index "${qargs[@]}" "$FILE"
      else
        measure query-no-index clean "$SLUICE" query "${qargs[@]}" "$FILE"
      fi
      if has_cmd index; then
        clean_sidecars; "$SLUICE" index "$FILE" >/dev/null 2>&1 || true
        measure query-index keep "$SLUICE" query "${qargs[@]}" "$FILE"
        if grep -q 'binlog' <<<"$qhelp"; then
          measure query-index-binlog keep "$SLUICE" query --format binlog "${qargs[@]}" "$FILE"
          # The cut must hold the window's rows: mariadb-binlog -v counts them.
          "$SLUICE" query --format binlog "${qargs[@]}" -o "$tmp/window.bin" "$FILE" 2>/dev/null || true
          cut_rows=$(mariadb-binlog --base64-output=decode-rows -v "$tmp/window.bin" 2>/dev/null \
            | grep -cE '^### (INSERT INTO|UPDATE|DELETE FROM) ') || true
          if [[ "$cut_rows" != "$win_rows" ]]; then
            note "**Window cut mismatch**: \`mariadb-binlog -v\` shows $cut_rows row changes in \`sluice query --format binlog\`'s cut, $win_rows in the source window."
          fi
        fi
      fi
      local qfmt=(); if grep -q 'ndjson' <<<"$qhelp"; then qfmt=(--format ndjson); fi
      q_rows=$("$SLUICE" query "${qfmt[@]}" "${qargs[@]}" "$FILE" 2>/dev/null | grep -cE '"type":"(insert|update|delete)"') || true
      S_QROWS[$shape]=$q_rows
      if [[ "$q_rows" != "$win_rows" ]]; then
        note "**Window row count mismatch**: \`sluice query\` wrote $q_rows row changes for $win_start – $win_stop, \`mariadb-binlog -v\` with the same window shows $win_rows."
      fi
    else
      note "\`sluice query\` skipped: it has no \`--start-datetime\` option yet."
    fi
  else
    note "\`sluice query\` skipped: not in \`sluice --help\` yet."
  fi
  clean_sidecars
  S_LOAD1[$shape]=$(cut -d' ' -f1-3 /proc/loadavg)
}

for s in $SHAPES; do bench_shape "$s"; done

# ---- report -------------------------------------------------------------------------------
declare -A LABEL ANCHOR
LABEL[mariadb-binlog]="anchor: \`mariadb-binlog FILE\`"
LABEL[mariadb-binlog-v]="anchor: \`mariadb-binlog --base64-output=decode-rows -v FILE\`"
LABEL[info]="\`sluice info FILE\`"
LABEL[events]="\`sluice events FILE\`"
LABEL[export-ndjson]="\`sluice export --format ndjson FILE\` (default threads)"
LABEL[export-ndjson-1]="\`sluice export --format ndjson --threads 1 FILE\`"
LABEL[index]="\`sluice index FILE\` (no index before)"
LABEL[export-canal]="\`sluice export --format canal FILE\` (default threads)"
LABEL[export-canal-1]="\`sluice export --format canal --threads 1 FILE\`"
LABEL[export-sql]="\`sluice export --format sql FILE\`"
LABEL[mariadb-binlog-window]="anchor: \`TZ=UTC mariadb-binlog --start-datetime --stop-datetime FILE\` (1 min)"
LABEL[mariadb-binlog-window-v]="anchor: \`TZ=UTC mariadb-binlog --base64-output=decode-rows -v --start-datetime --stop-datetime FILE\` (1 min, rows decoded)"
LABEL[query-no-index]="\`sluice query --start-datetime --stop-datetime FILE\` (1 min, no index)"
LABEL[query-index]="\`sluice query --start-datetime --stop-datetime FILE\` (1 min, with index)"
LABEL[query-index-binlog]="\`sluice query --format binlog --start-datetime --stop-datetime FILE\` (1 min, with index; the window as a binlog, like the anchor's raw events)"
ANCHOR[info]=mariadb-binlog; ANCHOR[events]=mariadb-binlog; ANCHOR[index]=mariadb-binlog
for k in export-ndjson export-ndjson-1 export-canal export-canal-1 export-sql; do ANCHOR[$k]=mariadb-binlog-v; done
# Queries that decode rows are paired with the anchor that decodes them; the binlog cut (raw
# events) with the raw one.
ANCHOR[query-no-index]=mariadb-binlog-window-v; ANCHOR[query-index]=mariadb-binlog-window-v; ANCHOR[query-index-binlog]=mariadb-binlog-window
HASROWS=" mariadb-binlog-v export-ndjson export-ndjson-1 export-canal export-canal-1 export-sql "

fmt_row() {
  local sh=$1 name=$2 k="$1/$2" w mbps rows="" rss anon ratio="—" cratio="—" status a
  w=${WALL[$k]}
  mbps=$(awk -v s="${S_SIZE[$sh]}" -v w="$w" 'BEGIN{ if (w > 0) printf "%.0f", s/1e6/w; else print "—" }')
  [[ "$HASROWS" == *" $name "* ]] && rows=$(awk -v r="${S_ROWS[$sh]}" -v w="$w" 'BEGIN{ if (w > 0) printf "%.2f M", r/w/1e6; else print "—" }')
  rss=$(awk -v r="${RSS[$k]}" 'BEGIN{printf "%.1f", r/1024}')
  anon=$(awk -v r="${ANON[$k]}" 'BEGIN{printf "%.1f", r/1024}')
  a=${ANCHOR[$name]:-}
  if [[ -n "$a" && -n "${WALL[$sh/$a]:-}" ]]; then
    ratio=$(awk -v a="${WALL[$sh/$a]}" -v b="$w" 'BEGIN{ if (b > 0) printf "%.2f×", a/b; else print "—" }')
    cratio=$(awk -v a="${CPU[$sh/$a]}" -v b="${CPU[$k]}" 'BEGIN{ if (b > 0) printf "%.2f×", a/b; else print "—" }')
  fi
  status=${CODE[$k]}
  [[ "$status" == 0 ]] && status="0" || status="**$status**"
  # Three decimals under a second (the indexed query), two above.
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$name]}" \
    "$(awk -v x="$w" 'BEGIN{printf (x < 1 ? "%.3f" : "%.2f"), x}')" "$(awk -v x="${CPU[$k]}" 'BEGIN{printf (x < 1 ? "%.3f" : "%.2f"), x}')" "$mbps" "${rows:-}" \
    "$rss" "$anon" "$ratio" "$cratio" "$status" "${NRUN[$k]}"
}

cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(free -g | awk '/^Mem:/{print $2 " GiB total, " $7 " GiB available"}')
swiftv=$(swift --version 2>/dev/null | head -n 1 || true)
mbv=$(mariadb-binlog --version 2>/dev/null | head -n 1)
now=$(date -u '+%Y-%m-%d %H:%M UTC')

shape_section() {
  local sh=$1 k name t_first t_last win_start win_stop title gen
  meta=${S_META[$sh]}
  t_first=$(meta_val time_first); t_last=$(meta_val time_last)
  win_start=${S_WIN[$sh]%|*}; win_stop=${S_WIN[$sh]#*|}
  if [[ "$sh" == narrow ]]; then
    title="Narrow rows"; gen="scripts/make-big-binlog.sh $SIZE_MB"
  else
    title="Wide rows"; gen="scripts/make-wide-binlog.sh $WIDE_MB"
  fi
  echo "## $title"
  echo
  echo "- File: \`${S_FNAME[$sh]}\`, ${S_SIZE[$sh]} bytes ($(awk -v s="${S_SIZE[$sh]}" 'BEGIN{printf "%.2f", s/1073741824}') GiB), written by MariaDB $(meta_val server) (ROW, FULL image, FULL metadata, CRC32, Annotate_rows) by \`$gen\` in $(meta_val generation_seconds) s$( (( ${S_NFILES[$sh]} > 1 )) && echo " (first of ${S_NFILES[$sh]} files)")"
  echo "- Content: ${S_REF_EVENTS[$sh]} events, $(meta_val transactions) transactions ($(meta_val bulk_transactions) of them 1k–100k rows), ${S_ROWS[$sh]} row changes (${S_INS[$sh]} inserts, ${S_UPD[$sh]} updates, ${S_DEL[$sh]} deletes; counted with \`mariadb-binlog -v\`), $(date -u -d "@$t_first" '+%Y-%m-%d %H:%M:%S')–$(date -u -d "@$t_last" '+%H:%M:%S') UTC"
  echo "- Load average ${S_LOAD0[$sh]} before, ${S_LOAD1[$sh]} after"
  echo
  echo "| command | wall s | CPU s | MB/s | rows/s | peak RSS MiB | peak anon MiB | vs anchor (wall) | vs anchor (CPU) | exit | runs |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for k in "${order[@]}"; do
    [[ "$k" == "$sh/"* ]] || continue
    fmt_row "$sh" "${k#*/}"
  done
  echo
  echo "Time window: $win_start – $win_stop UTC, ${S_WINROWS[$sh]} row changes (\`mariadb-binlog -v\`)$( [[ -n "${S_QROWS[$sh]}" ]] && echo "; \`sluice query\` wrote ${S_QROWS[$sh]}")."
  [[ -n "${S_SIDECAR[$sh]}" ]] && echo "Index sidecar written by \`sluice index\`: ${S_SIDECAR[$sh]% }."
  echo "Row changes written by \`sluice export --format ndjson\`: ${S_SLROWS[$sh]} (exit ${S_SLRC[$sh]}); \`mariadb-binlog -v\`: ${S_ROWS[$sh]}."
  local printed=0 n
  for k in "${order[@]}"; do
    [[ "$k" == "$sh/"* ]] || continue
    if [[ -n "${SIDE[$k]:-}" && "${k#*/}" != index ]]; then
      notes+=("$sh|\`${CMDTXT[$k]}\` left a file beside the binlog: ${SIDE[$k]}")
    fi
    if [[ "${CODE[$k]}" != 0 ]]; then
      notes+=("$sh|**\`${CMDTXT[$k]}\` exited with ${CODE[$k]}**: \`${ERR[$k]:-}\`")
    fi
  done
  for n in "${notes[@]}"; do
    [[ "$n" == "$sh|"* ]] || continue
    (( printed++ )) || echo
    echo "- ${n#*|}"
  done
  echo
}

{
  echo "# Benchmarks"
  echo
  echo "Generated by \`Benchmarks/run.sh\` on $now. Rerun with:"
  echo
  echo '```sh'
  echo 'Benchmarks/run.sh            # makes both binlogs once (~5 min + ~30 s), builds, measures, rewrites this file'
  echo 'Benchmarks/run.sh --head     # the same for exactly the committed HEAD'
  echo '```'
  echo
  echo "See [Benchmarks/README.md](Benchmarks/README.md) for what is measured and how."
  echo
  echo "## Setup"
  echo
  echo "- Machine: $(nproc) CPUs ($cpu_model), $mem (other jobs may share the machine: see each table's load average)"
  echo "- Sluice: $build_desc, release build; $swiftv"
  echo "- Anchor: $mbv"
  echo "- Page cache warm; wall time is the best of up to $RUNS runs ($SHORT_RUNS for commands under a second; a first run over ${LONG_SECONDS} s is not repeated); peak RSS is the largest of the runs; output to \`/dev/null\`"
  echo "- Two files of different shapes, each measured against the anchor on the same file in the same run: narrow rows (many small rows, ~3 row changes per KB) and wide rows (10–200 KB TEXT/BLOB/JSON values, long Annotate_rows statements)."
  echo
  for sh in $SHAPES; do shape_section "$sh"; done
  echo "## How to read the tables"
  echo
  echo "MB/s is file size (10^6 bytes) / wall time, for the time-window queries too (they scan or seek in the whole file)."
  echo "Peak RSS (from \`/usr/bin/time\`) includes the pages of the memory-mapped binlog Sluice has touched; peak anon"
  echo "is the heap part (RssAnon, sampled every 0.1 s). CPU s is user + system time of the best run."
  echo "\"vs anchor\" is anchor time / Sluice time, by wall and by CPU (above 1: Sluice is faster; the CPU ratio is the"
  echo "steadier one when the machine is shared): \`info\`, \`events\` and \`index\` against plain"
  echo "\`mariadb-binlog FILE\`; the exports against \`mariadb-binlog --base64-output=decode-rows -v\`; the queries that"
  echo "decode rows against \`TZ=UTC mariadb-binlog --base64-output=decode-rows -v --start-datetime=A --stop-datetime=B\`,"
  echo "the binlog cut against the same without \`--base64-output=decode-rows -v\`, over the same minute (the middle of the"
  echo "file's time range, or the first minute after it with row changes)."
  echo
  echo "Physical limits and the survey numbers for the same tools are in \`../shared/docs/anchors.md\` section 5."
} >"$tmp/report.md"

cat "$tmp/report.md"
if (( write )); then
  cp "$tmp/report.md" "$OUT_MD"
  log "wrote $OUT_MD"
fi
