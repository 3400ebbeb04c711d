#!/usr/bin/env bash
# Configures and builds farm into build/ (Release), one line per step; the
# compiler's output is kept in build/logs/. FARM_WERROR=ON (as the test
# script sets it) makes every warning an error.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh
options=()
[ -n "${FARM_WERROR:-}" ] && options+=("-DFARM_WERROR=$FARM_WERROR")
step configure "configuring build/" \
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${options[@]}"
step build "building farm and its tests" cmake --build build
