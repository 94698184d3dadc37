#!/usr/bin/env bash
# Installs what Sluice needs on a Debian machine: libzstd and zlib headers (build), MariaDB server
# and client (fixtures, round-trip tests, mariadb-binlog as reference decoder), protoc, zstd,
# Debian's chromium with PyPI's playwright for the report's browser test (playwright drives
# /usr/bin/chromium: no browser is downloaded), Java 17 with PyPI's pyspark and duckdb for
# integrations/spark, and the Python packages the tests use (pymysql, canal-python).
# Idempotent; quiet when all is there.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need_apt=()
for pkg in libzstd-dev zlib1g-dev mariadb-server mariadb-client protobuf-compiler zstd chromium openjdk-17-jre-headless; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

pip_install() { python3 -m pip install -q "$@" 2>&1 | grep -v -i "warning: running pip as" || true; }
if ! python3 -c 'import pymysql, canal.protocol.EntryProtocol_pb2' >/dev/null 2>&1; then
  echo "install-deps: pip install pymysql canal-python protobuf" >&2
  pip_install pymysql canal-python protobuf
fi
if ! python3 -c 'import playwright.sync_api' >/dev/null 2>&1; then
  echo "install-deps: pip install playwright" >&2
  pip_install playwright
fi
if ! python3 -c 'import pyspark, duckdb' >/dev/null 2>&1; then
  echo "install-deps: pip install pyspark duckdb" >&2
  pip_install 'pyspark>=4,<5' duckdb
fi
