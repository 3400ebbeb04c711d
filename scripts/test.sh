#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the
# whole test suite. One line per step; the logs are in build/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh
step install-deps "installing missing Debian packages" scripts/install-deps.sh
FARM_WERROR=ON scripts/build.sh
step test "running the test suite" ctest --test-dir build --output-on-failure -j 2
grep -E '^[0-9]+% tests passed|^Total Test time' "$FARM_LOGS/test.log" >&2
