#!/usr/bin/env bash
# Regenerates Sources/BinlogFormat/Rows/CharsetTableData.swift: the legacy charsets' conversion
# tables, taken from a live MariaDB (every code of every charset of SHOW CHARACTER SET converted by
# the server with CONVERT(... USING utf8mb4); see scripts/charset_tables.py for the format).
#
#   scripts/generate-charset-tables.sh
#
# Needs mariadb-server and python3 with pymysql. About 30 seconds. Tests/roundtrip/charsets.py
# checks the result against a live server (every character of every charset, 0 differences).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/.." && pwd -P)
work=$(mktemp -d /tmp/sluice-charset-tables.XXXXXX)
trap '"$repo/scripts/mariadb-sandbox.sh" stop "$work/server" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$repo/scripts/mariadb-sandbox.sh" start "$work/server" >/dev/null
python3 "$here/charset_tables.py" --socket "$work/server/sock" --out "$repo/Sources/BinlogFormat/Rows/CharsetTableData.swift"
