#!/usr/bin/env bash
# Regenerate the committed MariaDB binlog fixtures.
#
#   Fixtures/generate.sh [SET...]
#
# SET is one of: mariadb-10.11 mariadb-10.11-compressed mariadb-10.11-minimal
# mariadb-10.11-minimal-image mariadb-10.11-oldtemporal mariadb-10.11-statement (default: all six). For each set a throwaway
# server is started with scripts/mariadb-sandbox.sh (plus the set's extra
# options), the workload is run with the mariadb client over the socket, every
# table is dumped to expected-tables.json (Tests/roundtrip/roundtrip.py dump),
# the server is stopped cleanly (so the last file ends with a Stop event), and
# binlog.NNNNNN + binlog.index are copied into Fixtures/<SET>/.
#
# Needs: mariadb-server, mariadb-client, python3 with pymysql. Runs as root
# or not, without stdin.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/.." && pwd -P)
sandbox="$repo/scripts/mariadb-sandbox.sh"
roundtrip="$repo/Tests/roundtrip/roundtrip.py"
client=$(command -v mariadb || command -v mysql || true)
[[ -n "$client" ]] || { echo "generate: mariadb client not found" >&2; exit 1; }
python3 -c 'import pymysql' 2>/dev/null || { echo "generate: python3 module pymysql missing (pip install pymysql)" >&2; exit 1; }

# name | extra mariadbd options | workload files
set_opts() {
  case "$1" in
    mariadb-10.11)               echo "" ;;
    mariadb-10.11-compressed)    echo "--log-bin-compress=ON --log-bin-compress-min-len=10" ;;
    mariadb-10.11-minimal)       echo "--binlog-row-metadata=MINIMAL" ;;
    mariadb-10.11-minimal-image) echo "--binlog-row-image=MINIMAL" ;;
    mariadb-10.11-oldtemporal)   echo "--mysql56-temporal-format=OFF" ;;
    mariadb-10.11-statement)     echo "" ;;
    *) echo "generate: unknown set $1" >&2; return 1 ;;
  esac
}
set_workloads() {
  case "$1" in
    mariadb-10.11) echo "$here/workload.sql $here/workload-bulk.sql" ;;
    mariadb-10.11-oldtemporal) echo "$here/workload-oldtemporal.sql" ;;
    mariadb-10.11-statement) echo "$here/workload-empty.sql" ;;
    *)             echo "$here/workload.sql" ;;
  esac
}

sets=("$@")
[[ ${#sets[@]} -gt 0 ]] || sets=(mariadb-10.11 mariadb-10.11-compressed mariadb-10.11-minimal mariadb-10.11-minimal-image mariadb-10.11-oldtemporal mariadb-10.11-statement)

work=""
cleanup() {
  if [[ -n "$work" && -d "$work" ]]; then
    "$sandbox" stop "$work/server" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
}
trap cleanup EXIT

for set in "${sets[@]}"; do
  opts=$(set_opts "$set")
  work=$(mktemp -d /tmp/sluice-fixture.XXXXXX)
  echo "generate: $set ${opts:+($opts)}" >&2
  # shellcheck disable=SC2086
  "$sandbox" start "$work/server" $opts
  for f in $(set_workloads "$set"); do
    echo "generate:   running $(basename "$f")" >&2
    "$client" --no-defaults -uroot --socket="$work/server/sock" --default-character-set=utf8mb4 <"$f"
  done
  python3 "$roundtrip" dump --socket "$work/server/sock" --out "$work/expected-tables.json" >&2
  "$sandbox" stop "$work/server"

  out="$here/$set"
  rm -rf "$out"
  mkdir -p "$out"
  : >"$out/binlog.index"
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    name=$(basename "$line")
    cp "$work/server/$name" "$out/$name"
    echo "./$name" >>"$out/binlog.index"
  done <"$work/server/binlog.index"
  cp "$work/expected-tables.json" "$out/expected-tables.json"
  chmod 644 "$out"/*
  echo "generate:   -> $out: $(ls "$out" | tr '\n' ' ')($(du -sh "$out" | cut -f1))" >&2
  rm -rf "$work"
  work=""
done
