#!/usr/bin/env bash
# The test command: installs dependencies, builds, runs the unit and corpus tests (swift test),
# then the SluiceKit documentation and Examples package, then the live MariaDB round trips (every column type; ALTERs under
# MINIMAL vs FULL metadata; SQL replay and flashback; every charset; old-format temporals; --follow),
# then the fixture reports in headless chromium (screenshots in .ci-artifacts/report/).
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Style: swift format with the committed .swift-format, warnings are errors (generated protobuf code aside).
git ls-files '*.swift' | grep -v '/Generated/' | xargs swift format lint --strict --parallel
swift build
swift test
# SluiceKit's DocC catalog must build without a warning (broken symbol links fail it).
swift package generate-documentation --target SluiceKit --warnings-as-errors
# The Examples package: a user's CI tests through SluiceKit, in its own build (Examples/.build).
swift test --package-path Examples
SLUICE="$PWD/.build/debug/sluice" python3 Tests/roundtrip/roundtrip.py
SLUICE="$PWD/.build/debug/sluice" python3 Tests/roundtrip/alter_roundtrip.py
SLUICE="$PWD/.build/debug/sluice" python3 Tests/roundtrip/sql_replay.py
SLUICE="$PWD/.build/debug/sluice" python3 Tests/roundtrip/window_flashback.py
SLUICE="$PWD/.build/debug/sluice" python3 Tests/roundtrip/charsets.py
SLUICE="$PWD/.build/debug/sluice" python3 Tests/roundtrip/roundtrip.py live --no-100k --workload Fixtures/workload-oldtemporal.sql --server-arg=--mysql56-temporal-format=OFF
# --follow on export, query, events and serve (canal-python) while a live MariaDB writes and rotates (about 20 s).
SLUICE="$PWD/.build/debug/sluice" timeout 60 python3 Tests/roundtrip/follow.py
SLUICE="$PWD/.build/debug/sluice" python3 Tests/report/report_browser.py
SLUICE="$PWD/.build/debug/sluice" timeout 240 python3 integrations/spark/tests/test_cluster.py
# Issue 16: a seeded, bounded subset of the mutation sweep (damaged fixture and corpus files,
# every reading command, 20 s and 2 GB per run; the full sweep: Tests/mutation/sweep.py --sample 0),
# then the libFuzzer target with AddressSanitizer for 25 s (fails on any finding).
SLUICE="$PWD/.build/debug/sluice" timeout 200 python3 Tests/mutation/sweep.py --seed 1 --sample 8 --mutants 8 --budget 90
timeout 420 Tests/fuzz/run.sh 25
