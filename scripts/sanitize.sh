#!/usr/bin/env bash
# Builds farm and its tests with AddressSanitizer and UndefinedBehaviorSanitizer
# (in BUILD_DIR, default build/sanitize) and runs the suite there. Any report
# fails the run. -O1 and line tables only: quick to build, stacks still readable.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/sanitize}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="-O1 -g1" -DFARM_SANITIZE=address,undefined >/dev/null
# What the suite runs, not the benchmarks.
cmake --build "$build" --target farm farm_tests farm_library_app farm_library_tests
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
ctest --test-dir "$build" --output-on-failure -j 2
