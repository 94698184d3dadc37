#!/usr/bin/env bash
# Generate a wide-row MariaDB binlog for benchmarks (written by a real server); the sibling of
# scripts/make-big-binlog.sh (narrow rows), with the same sandbox, settings, cache and meta file.
#
#   scripts/make-wide-binlog.sh [SIZE_MB] [OUTDIR]
#
#   SIZE_MB  target binlog size in MiB (default 280).
#   OUTDIR   where the binlog lands (default .bench-data/wide/ in the repository root).
#
# Result: OUTDIR/binlog.000001 and OUTDIR/binlog.meta, written by a throwaway MariaDB
# (scripts/mariadb-sandbox.sh) with ROW format, FULL row image, FULL row metadata, CRC32
# checksums and Annotate_rows events. Cached like make-big-binlog.sh (FORCE=1 regenerates).
#
# Workload (database `wide`): most bytes are large values, the shape many production tables write:
#   - articles: MEDIUMTEXT bodies, JSON documents and MEDIUMBLOB attachments of 10-200 KB each
#     (log-uniform), utf8mb4 text with 4-byte characters (emoji, 𠮷, 𝄞), JSON/SQL specials
#     (quotes, backslashes, tabs, newlines), a latin1 (cp1252) summary and an sjis summary;
#     single-row inserts carry every value as a literal, so their Annotate_rows statements are
#     as long as the row (up to ~600 KB); updates rewrite 10-100 KB bodies (FULL image: before
#     and after); deletes carry whole wide before images;
#   - comments: 1-100 rows per transaction, 0.2-2 KB utf8mb4 bodies, sjis and latin1 notes;
#   - events (most transactions): 1-8 rows, JSON payloads, utf8mb4 messages, latin1 and gbk notes;
#   - every ~400 small transactions a 1,000-10,000-row INSERT ... SELECT FROM seq into events;
#   - bulk transactions at fixed points: a 100,000-row and a 20,000-row INSERT ... SELECT FROM
#     seq (utf8mb4/latin1/gbk/JSON values), a 20,000-row JSON/gbk/latin1 UPDATE, a sjis/latin1
#     comment UPDATE, a 30,000-row DELETE, 1,000- and 3,000-row comment inserts;
#   - event times over 6 hours via SET timestamp, proportional to the byte offset, as in
#     make-big-binlog.sh (a one-minute window is ~1/360 of the file). The file ends with a Rotate.
#
# Environment: FORCE=1 regenerate even if cached; KEEP_SANDBOX=1 keep OUTDIR/sandbox.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
size_mb=${1:-280}
outdir=${2:-$root/.bench-data/wide}
[[ "$size_mb" =~ ^[0-9]+$ && "$size_mb" -ge 8 ]] || { echo "make-wide-binlog: SIZE_MB must be an integer >= 8" >&2; exit 64; }
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd -P)
generator=wide3   # bump when the workload changes, so cached files are regenerated
name=make-wide-binlog

. "$here/lib/binlog-generator.sh"
use_cache_or_exit
generate 128 "$here/lib/wide_workload.py"
