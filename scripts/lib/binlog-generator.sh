# What scripts/make-big-binlog.sh and scripts/make-wide-binlog.sh share; sourced by them.
#
# The sourcing script sets: name (for messages), generator (workload version, recorded in the
# meta file so a changed workload regenerates), size_mb, outdir and here. It then calls `use_cache_or_exit`, then
# `generate MARGIN_MB GEN_PY`, GEN_PY being a Python generator that imports
# scripts/lib/binlog_workload.py.

meta="$outdir/binlog.meta"

# True when binlog.meta says the files were made for this size and workload and they still have
# the recorded sizes.
cached_ok() {
  [[ -s "$meta" ]] || return 1
  grep -qx "size_mb=$size_mb" "$meta" || return 1
  # (metas written before ROTATE_MB existed have no rotate_mb line: not rotated)
  grep -qx "rotate_mb=${ROTATE_MB:-}" "$meta" || { [[ -z "${ROTATE_MB:-}" ]] && ! grep -q "^rotate_mb=." "$meta"; } || return 1
  grep -qx "generator=$generator" "$meta" || return 1
  local line f want have n=0
  while IFS= read -r line; do
    [[ "$line" == file=* ]] || continue
    f=${line#file=}; want=${f##* }; f=${f% *}
    [[ -f "$outdir/$f" ]] || return 1
    have=$(stat -c %s "$outdir/$f")
    [[ "$have" == "$want" ]] || return 1
    n=$((n + 1))
  done <"$meta"
  (( n > 0 ))
}

# One line per generated file: path, bytes, MiB.
report() {
  local line f
  while IFS= read -r line; do
    [[ "$line" == file=* ]] || continue
    f=${line#file=}; f=${f% *}
    printf '%s\t%s bytes (%s MiB)\n' "$outdir/$f" "$(stat -c %s "$outdir/$f")" \
      "$(( $(stat -c %s "$outdir/$f") / 1048576 ))"
  done <"$meta"
}

use_cache_or_exit() {
  if [[ "${FORCE:-0}" != 1 ]] && cached_ok; then
    echo "$name: cached ($meta)" >&2
    report
    exit 0
  fi
}

# generate MARGIN_MB GEN_PY: a fresh sandbox server (max_binlog_size SIZE_MB + MARGIN_MB, or
# ROTATE_MB), the workload written through one mariadb client, the files moved to OUTDIR with
# binlog.meta (all but the newest file, which the final FLUSH BINARY LOGS opened).
generate() {
  local margin_mb=$1 gen_py=$2
  command -v mariadb >/dev/null || { echo "$name: mariadb client missing (scripts/install-deps.sh)" >&2; exit 3; }
  local python
  python=$(command -v python3) || { echo "$name: python3 missing" >&2; exit 3; }
  sb="$outdir/sandbox"
  if [[ -d "$sb" ]]; then "$here/mariadb-sandbox.sh" stop "$sb" >/dev/null 2>&1 || true; fi
  rm -rf "$sb" "$meta"
  rm -f "$outdir"/binlog.[0-9]*
  mkdir -p "$sb"

  local max_binlog=$(( size_mb >= 1024 ? 1073741824 : size_mb * 1048576 + margin_mb * 1048576 ))
  if [[ -n "${ROTATE_MB:-}" ]]; then max_binlog=$(( ROTATE_MB * 1048576 )); fi
  local t0 t1
  t0=$(date +%s.%N)
  "$here/mariadb-sandbox.sh" start "$sb" \
    --max-binlog-size="$max_binlog" \
    --innodb-buffer-pool-size=1G --innodb-log-file-size=512M \
    --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 --innodb-doublewrite=0 \
    --binlog-annotate-row-events=ON --max-allowed-packet=256M >/dev/null
  stop_server() { "$here/mariadb-sandbox.sh" stop "$sb" >/dev/null 2>&1 || true; }
  trap stop_server EXIT

  echo "$name: generating ~${size_mb} MiB into $outdir (server pid $(cat "$sb/pid"))" >&2
  local base=$(( ($(date +%s) / 3600 + 1) * 3600 ))
  GEN_NAME=$name PYTHONPATH="$here/lib${PYTHONPATH:+:$PYTHONPATH}" \
    "$python" "$gen_py" "$size_mb" "$sb" "$sb/counters" "$base" \
    mariadb --no-defaults -uroot --socket="$sb/sock" --default-character-set=utf8mb4 --batch --silent --unbuffered
  stop_server
  trap - EXIT
  t1=$(date +%s.%N)

  {
    echo "size_mb=$size_mb"
    echo "rotate_mb=${ROTATE_MB:-}"
    echo "generator=$generator"
    local files f
    mapfile -t files < <(ls "$sb"/binlog.[0-9]* | sort -V)
    for f in "${files[@]:0:${#files[@]}-1}"; do
      mv "$f" "$outdir/"
      echo "file=$(basename "$f") $(stat -c %s "$outdir/$(basename "$f")")"
    done
    cat "$sb/counters"
    echo "generation_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')"
    echo "server=$(mariadbd --version 2>/dev/null | awk '{print $3}')"
    echo "generated_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$meta.tmp"
  mv "$meta.tmp" "$meta"
  [[ "${KEEP_SANDBOX:-0}" == 1 ]] || rm -rf "$sb"
  echo "$name: done in $(grep '^generation_seconds=' "$meta" | cut -d= -f2) s" >&2
  report
}
