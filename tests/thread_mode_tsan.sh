#!/usr/bin/env bash
# Builds farm with ThreadSanitizer in its own build directory and runs thread
# mode on batches that exercise every hand-over between threads: many tiny
# tasks, keep-order, per-worker randomness. Any data race fails the run.
#
# usage: tests/thread_mode_tsan.sh SOURCE_DIR BUILD_DIR [GENERATOR]
set -euo pipefail
source_dir=$1
build_dir=$2
generator=${3:-Ninja}

# -O1 without debug info, as a unity build: the build is most of this
# test's time.
cmake -S "$source_dir" -B "$build_dir" -G "$generator" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O1 \
  -DCMAKE_UNITY_BUILD=ON -DFARM_SANITIZE=thread -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build_dir" --target farm >/dev/null

farm="$build_dir/farm"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"

# Every id 1..N exactly once, every line ok.
check() {
  local results=$1 count=$2
  local ids
  ids=$(grep -o '^{"id":[0-9]*' "$results" | cut -d: -f2 | sort -n | uniq)
  [ "$(echo "$ids" | wc -l)" -eq "$count" ] || { echo "ids missing or duplicated in $results"; exit 1; }
  [ "$(echo "$ids" | head -1)" -eq 1 ] && [ "$(echo "$ids" | tail -1)" -eq "$count" ] ||
    { echo "unexpected ids in $results"; exit 1; }
  [ "$(wc -l <"$results")" -eq "$count" ] || { echo "$results: expected $count lines"; exit 1; }
  ! grep -q '"ok":false' "$results" || { echo "a task failed in $results"; exit 1; }
}

"$farm" gen fib --n 20 --count 20000 >"$work/tiny.jsonl"
"$farm" run --mode thread -j 4 --seed 3 "$work/tiny.jsonl" -o "$work/tiny.out"
check "$work/tiny.out" 20000

{
  "$farm" gen pi --samples 20000 --count 200
  "$farm" gen random --values 5 --count 200
  "$farm" gen sleep --ms 1 --count 50
} >"$work/mixed.jsonl"
"$farm" run --mode thread -j 3 --keep-order --seed 4 <"$work/mixed.jsonl" >"$work/mixed.out"
check "$work/mixed.out" 450
echo "thread mode under ThreadSanitizer: no races, every task exactly once"
