#!/usr/bin/env bash
# Fuzzes Sluice's readers, index scanner and exporters with libFuzzer and AddressSanitizer for
# SECONDS (default 300), seeded with the fixtures and the small corpus files. Crashes are written
# to Tests/fuzz/crashes/ (replay one: Tests/fuzz/.build-asan/debug/FuzzBinlog Tests/fuzz/crashes/crash-...).
# Prints the executions and the findings; exits 1 when this run found any.
#   Tests/fuzz/run.sh [SECONDS] [extra libFuzzer flags]
# FUZZ_SANITIZE=none builds without AddressSanitizer (faster, finds fewer memory errors).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-300}
shift || true
cd "$here"
if [[ "${FUZZ_SANITIZE:-address}" == none ]]; then
  build=(swift build -c debug --sanitize fuzzer --product FuzzBinlog --scratch-path "$here/.build")
else
  build=(swift build -c debug --sanitize fuzzer --sanitize address --product FuzzBinlog --scratch-path "$here/.build-asan")
fi
"${build[@]}" >/dev/null
binary="$("${build[@]}" --show-bin-path)/FuzzBinlog"
seeds=$(mktemp -d)
for f in "$root"/Fixtures/*/binlog.0*; do cp "$f" "$seeds/$(basename "$(dirname "$f")")-$(basename "$f")"; done
if [[ -d "$root/../shared/corpus" ]]; then
  find "$root/../shared/corpus" -type f -size -64k ! -name '*.tsv' ! -name '*.md' ! -name '*.gz' | while read -r f; do
    cp "$f" "$seeds/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
fi
# Compressed seeds reach the gzip/zstd stream readers and, from `sluice archive`, the seek table.
for f in "$root"/Fixtures/mariadb-10.11/binlog.000001; do
  command -v gzip >/dev/null && gzip -c "$f" >"$seeds/fixture.gz"
  command -v zstd >/dev/null && zstd -q -c "$f" >"$seeds/fixture.zst"
  if [[ -x "$root/.build/debug/sluice" ]]; then
    "$root/.build/debug/sluice" archive -o "$seeds" --frame-size 4096 "$f" >/dev/null 2>&1 || true
  fi
done
mkdir -p "$here/crashes" "$here/work"
before=$(find "$here/crashes" -type f | wc -l)
log=$(mktemp)
trap 'rm -rf "$seeds" "$log"' EXIT
status=0
# ASan's leak check would report the process-lifetime caches: off. The first finding stops the
# run and is saved under crashes/.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 SWIFT_BACKTRACE=enable=no "$binary" "$here/work" "$seeds" \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$here/crashes/" -print_final_stats=1 "$@" 2>"$log" || status=$?
grep -E "^(stat::|#[0-9]+ *DONE|==[0-9]+==ERROR|SUMMARY)" "$log" || true
after=$(find "$here/crashes" -type f | wc -l)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
echo "fuzz: ${execs:-0} executions in ${seconds} s, $((after - before)) findings (AddressSanitizer: ${FUZZ_SANITIZE:-address}), libFuzzer exit ${status}"
if (( after > before || status != 0 )); then
  tail -40 "$log"
  exit 1
fi
