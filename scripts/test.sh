#!/usr/bin/env bash
# The test command: installs dependencies, builds, runs the unit and corpus tests (swift test),
# then the live MariaDB round trips (every column type; ALTERs under MINIMAL vs FULL metadata; SQL replay and flashback).
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build
swift test
SLUICE="$PWD/.build/debug/sluice" python3 Tests/roundtrip/roundtrip.py
SLUICE="$PWD/.build/debug/sluice" python3 Tests/roundtrip/alter_roundtrip.py
SLUICE="$PWD/.build/debug/sluice" python3 Tests/roundtrip/sql_replay.py
SLUICE="$PWD/.build/debug/sluice" timeout 240 python3 integrations/spark/tests/test_cluster.py
