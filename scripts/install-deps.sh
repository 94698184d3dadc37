#!/usr/bin/env bash
# Installs what Sluice needs on a Debian machine: libzstd and zlib headers (build), MariaDB server
# and client (fixtures, round-trip tests, mariadb-binlog as reference decoder), protoc, zstd, Java 17
# (the Spark integration's test cluster), and the Python packages the tests use (pymysql,
# canal-python; pyspark and duckdb for integrations/spark). Idempotent; quiet when all is there.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need_apt=()
for pkg in libzstd-dev zlib1g-dev mariadb-server mariadb-client protobuf-compiler zstd openjdk-17-jre-headless; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import pymysql, canal.protocol.EntryProtocol_pb2' >/dev/null 2>&1; then
  echo "install-deps: pip install pymysql canal-python protobuf" >&2
  python3 -m pip install -q pymysql canal-python protobuf 2>&1 | grep -v -i "warning: running pip as" || true
fi

if ! python3 -c 'import pyspark, duckdb' >/dev/null 2>&1; then
  echo "install-deps: pip install pyspark duckdb" >&2
  python3 -m pip install -q 'pyspark>=4,<5' duckdb 2>&1 | grep -v -i "warning: running pip as" || true
fi
