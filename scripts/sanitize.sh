#!/usr/bin/env bash
# Builds farm and its tests with AddressSanitizer and UndefinedBehaviorSanitizer
# (in BUILD_DIR, default build/sanitize) and runs the suite there. Any report
# fails the run. Built to build quickly, stacks still readable: farm at -O1
# with line tables, the test code at -O0 as in every build, and several
# sources to a compiler run (a unity build): a third of the time. The main
# build keeps one source to a run, so each still compiles on its own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/sanitize}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="-O1 -g1" -DCMAKE_UNITY_BUILD=ON \
  -DFARM_SANITIZE=address,undefined >/dev/null
# What the suite runs, not the benchmarks.
cmake --build "$build" --target farm farm_tests farm_library_app farm_library_tests
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
ctest --test-dir "$build" --output-on-failure -j 2
