#!/usr/bin/env bash
# The core benchmarks, each a ratio measured in one run:
#   1. per-task overhead: farm -j 2 against multiprocessing.Pool(2) (tiny fib tasks)
#   2. fib kernels against a plain mpz_add loop and mpz_fib_ui
#   3. scaling: 4 x fib(10^6) iterative, -j 2 against -j 1
#   4. coordinator peak RSS on a 10-million-line input
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
farm=build/farm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== 1. dispatch overhead"
python3 scripts/bench_dispatch.py --tasks 200000 --repeat 3

echo "== 2. fib kernels"
build/fib_kernels 5

echo "== 3. scaling, 4 x fib(10^6) iterative"
$farm gen fib --n 1000000 --method iterative --count 4 >"$tmp/fib4.jsonl"
best1=1e9 best2=1e9
for _ in 1 2; do  # interleaved, best of 2
  for j in 1 2; do
    $farm run -j $j --seed 1 --no-progress "$tmp/fib4.jsonl" -o /dev/null --summary-json "$tmp/s.json" 2>/dev/null
    t=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["wall_s"])' "$tmp/s.json")
    if [ $j = 1 ]; then best1=$(python3 -c "print(min($best1,$t))"); else best2=$(python3 -c "print(min($best2,$t))"); fi
  done
done
python3 -c "print(f'  -j 1 {$best1:.3f} s, -j 2 {$best2:.3f} s: -j 2 takes {$best2/$best1:.3f}x the -j 1 time (goal <= 0.53)')"

echo "== 4. coordinator memory, 10,000,000 tiny tasks"
$farm gen sleep --ms 0 --count 10000000 >"$tmp/ten-million.jsonl"
$farm run -j 2 --seed 1 --no-progress "$tmp/ten-million.jsonl" -o /dev/null --summary-json "$tmp/s.json" 2>/dev/null
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("  %d tasks in %.1f s, coordinator peak RSS %.1f MB (goal < 30)" % (s["tasks"], s["wall_s"], s["coordinator_peak_rss_mb"]))' "$tmp/s.json"
