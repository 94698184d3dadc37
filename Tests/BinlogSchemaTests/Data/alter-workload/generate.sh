#!/usr/bin/env bash
# Regenerates this directory: the same workload under binlog_row_metadata=MINIMAL and FULL.
#
#   Tests/BinlogSchemaTests/Data/alter-workload/generate.sh
#
# For each metadata mode a throwaway MariaDB (scripts/mariadb-sandbox.sh) runs setup.sql, the
# schema is dumped (mariadb-dump --no-data, into schema-before.sql, from the MINIMAL run), the
# binary log is rotated, workload.sql runs, the server stops, and the binlogs written after the
# rotation are copied to minimal/ or full/. Needs mariadb-server and mariadb-client.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../../../.." && pwd -P)
sandbox="$repo/scripts/mariadb-sandbox.sh"
client=$(command -v mariadb || command -v mysql)
dump=$(command -v mariadb-dump || command -v mysqldump)

work=""
cleanup() {
  if [[ -n "$work" && -d "$work" ]]; then
    "$sandbox" stop "$work/server" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
}
trap cleanup EXIT

for mode in MINIMAL FULL; do
  work=$(mktemp -d /tmp/sluice-alter.XXXXXX)
  "$sandbox" start "$work/server" --binlog-row-metadata=$mode
  sql() { "$client" --no-defaults -uroot --socket="$work/server/sock" --default-character-set=utf8mb4 "$@"; }
  sql <"$here/setup.sql"
  if [[ $mode == MINIMAL ]]; then
    "$dump" --no-defaults -uroot --socket="$work/server/sock" --no-data --skip-dump-date --databases shop \
      >"$here/schema-before.sql"
  fi
  first=$(sql -N -e "FLUSH BINARY LOGS; SHOW MASTER STATUS" | cut -f1)
  sql <"$here/workload.sql"
  "$sandbox" stop "$work/server"
  out="$here/$(echo $mode | tr A-Z a-z)"
  rm -rf "$out"
  mkdir -p "$out"
  while IFS= read -r line; do
    name=$(basename "$line")
    [[ "$name" < "$first" ]] && continue
    cp "$work/server/$name" "$out/$name"
  done <"$work/server/binlog.index"
  chmod 644 "$out"/*
  cleanup
  work=""
done
ls -l "$here"/minimal "$here"/full >&2
