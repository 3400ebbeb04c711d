#!/usr/bin/env bash
# Builds the libFuzzer target for the pipe messages and the line splitter
# with clang (in BUILD_DIR, default build/fuzz) and fuzzes for a bounded time:
# FUZZ_SECONDS, default 25. New inputs it finds stay in BUILD_DIR/corpus.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/fuzz}"
seconds="${FUZZ_SECONDS:-25}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="-O1 -g1" -DCMAKE_CXX_COMPILER=clang++ -DFARM_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target wire_fuzzer
mkdir -p "$build/corpus"
"$build/wire_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$build/corpus" "$root/tests/fuzz/seeds"
