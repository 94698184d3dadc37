#!/usr/bin/env bash
# Generate a realistic, large MariaDB binlog for benchmarks (written by a real server).
#
#   scripts/make-big-binlog.sh [SIZE_MB] [OUTDIR]
#
#   SIZE_MB  target binlog size in MiB (default 1024 = one ~1 GiB file, MariaDB's maximum
#            max_binlog_size). Above 1024 the server rotates and OUTDIR holds several files.
#   OUTDIR   where the binlog lands (default .bench-data/ in the repository root).
#
# Result: OUTDIR/binlog.000001 (…), written by a throwaway MariaDB (scripts/mariadb-sandbox.sh)
# with ROW format, FULL row image, FULL row metadata, CRC32 checksums, Annotate_rows events,
# and OUTDIR/binlog.meta describing it (size, workload counters, time range, generation time).
# Cached: when binlog.meta says the files were made for this SIZE_MB and they still have the
# recorded sizes, nothing is done. Delete OUTDIR (or pass FORCE=1) to regenerate.
#
# Workload (database `shop`, six tables with ints, unsigned bigints, decimals, float/double,
# char/varchar/text in utf8mb4 (accents, CJK, emoji), date, datetime(2/3/6), timestamp(3/6),
# enum, set, blobs, MariaDB JSON (= LONGTEXT with a CHECK), varbinary IPs):
#   - initial load: 200k customers and 20k inventory items, in 10k-row transactions;
#   - mostly small transactions (1-12 row changes: new orders with items and stock updates,
#     status changes with an audit row, customer touches, cancellations with deletes,
#     attachments with random blobs, autocommit audit inserts, audit purges);
#   - every ~2000 small transactions a 2000-row price update;
#   - five 100k-row transactions (bulk import, mass customer update, bulk audit insert,
#     audit purge, order-status sweep) and one ALTER TABLE, at fixed points of the file;
#   - event times spread over 6 hours via `SET timestamp`, proportional to the byte offset, so
#     a one-minute window is ~1/360 of the file. The clock starts at the first full hour after
#     the server started: the events the server writes itself at startup (Format_description,
#     Gtid_list, Binlog_checkpoint) carry the real time, and an earlier workload time would put
#     them out of order (mariadb-binlog --stop-datetime stops at the first event past the
#     window). One side effect: Query events show exec_time = real - SET time, a wrapped
#     negative number. The file ends with a Rotate (FLUSH BINARY LOGS under the last workload
#     time); the next file, opened by that flush, is discarded.
# The SQL is produced by a Python generator (scripts/lib/narrow_workload.py) and sent through one `mariadb` client over the
# unix socket as multi-statement batches (DELIMITER $$, ~40 transactions per round trip; a
# `SELECT 'sync'` every 1000 transactions keeps the clock in step with the binlog size);
# bulk rows come from INSERT … SELECT FROM seq_1_to_N (the SEQUENCE engine).
#
# Environment: FORCE=1 regenerate even if cached; KEEP_SANDBOX=1 keep OUTDIR/sandbox (datadir);
# ROTATE_MB=N the server rotates at N MiB (max_binlog_size), for a multi-file archive of SIZE_MB.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
size_mb=${1:-1024}
outdir=${2:-$root/.bench-data}
[[ "$size_mb" =~ ^[0-9]+$ && "$size_mb" -ge 8 ]] || { echo "make-big-binlog: SIZE_MB must be an integer >= 8" >&2; exit 64; }
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd -P)
generator=4   # bump when the workload changes, so cached files are regenerated
name=make-big-binlog

. "$here/lib/binlog-generator.sh"
use_cache_or_exit
generate 64 "$here/lib/narrow_workload.py"
