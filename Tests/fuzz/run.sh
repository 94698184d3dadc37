#!/usr/bin/env bash
# Fuzzes Sluice's readers, index scanner and exporters with libFuzzer for SECONDS (default 300),
# seeded with the fixtures and the small corpus files. Crashes are written to Tests/fuzz/crashes/
# (replay one: Tests/fuzz/.build/debug/FuzzBinlog Tests/fuzz/crashes/crash-...).
#   Tests/fuzz/run.sh [SECONDS] [extra libFuzzer flags]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-300}
shift || true
cd "$here"
swift build -c debug --sanitize fuzzer --product FuzzBinlog >/dev/null
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
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
SWIFT_BACKTRACE=enable=no "$here/.build/debug/FuzzBinlog" "$here/work" "$seeds" \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$here/crashes/" -print_final_stats=1 "$@"
