#!/usr/bin/env bash
# --db, side by side in one run:
#   1. 200,000 tiny tasks with --db (and -o) against -o only, interleaved,
#      median of 5 by the process's wall time, with -j 2 and -j 1: the
#      writer's cost per row
#   2. 10,000,000 tiny tasks into a database: the coordinator's peak RSS
#   3. --resume --db over that finished batch: ids checked per second, RSS
#
# usage: scripts/bench_db.sh [BIG_COUNT]   (default 10000000; needs ~3 GB free)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
farm=build/farm
big=${1:-10000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One run; prints "wall_s tasks_per_s skipped peak_rss_mb" from its summary.
run() {
  "$farm" run -j 2 --no-progress --seed 1 --summary-json "$tmp/summary.json" "$@" 2>/dev/null || true
  python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(s["wall_s"], s["tasks_per_s"], s["skipped"], s["coordinator_peak_rss_mb"])' "$tmp/summary.json"
}

# The whole process's wall time: for --db, up to its last checkpoint.
timed() {
  local start end
  start=$(date +%s.%N)
  "$farm" run --no-progress --seed 1 "$@" 2>/dev/null || true
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}

# With -j 2 the writer shares the two cores with three busy threads; with
# -j 1 it has a core of its own.
"$farm" gen sleep --ms 0 --count 200000 > "$tmp/small.jsonl"
for workers in 2 1; do
  echo "== 1. 200,000 tiny tasks, -j $workers: --db and -o against -o only" \
       "(process wall time, median of 5, interleaved)"
  walls_o=() walls_db=()
  for _ in 1 2 3 4 5; do
    walls_o+=("$(timed -j "$workers" -o "$tmp/out.jsonl" "$tmp/small.jsonl")")
    rm -f "$tmp/small.sqlite"
    walls_db+=("$(timed -j "$workers" -o "$tmp/out.jsonl" --db "$tmp/small.sqlite" \
                        "$tmp/small.jsonl")")
  done
  python3 -c "import statistics
o, d = statistics.median([${walls_o[*]/%/,}]), statistics.median([${walls_db[*]/%/,}])
print(f'-o only: {2e5 / o:,.0f} tasks/s   --db and -o: {2e5 / d:,.0f} tasks/s   ratio {o / d:.2f}')
print(f'cost per row: {(d - o) / 2e5 * 1e6:.2f} us of wall time')"
done

echo "== 2. $big tiny tasks into a database"
"$farm" gen sleep --ms 0 --count "$big" > "$tmp/big.jsonl"
read -r wall rate _ rss < <(run -o /dev/null --db "$tmp/big.sqlite" "$tmp/big.jsonl")
echo "wall ${wall} s, ${rate} tasks/s, coordinator peak RSS ${rss} MB"
ls -l "$tmp/big.sqlite" | awk '{printf "database: %.0f MB\n", $5 / 1e6}'

echo "== 3. --resume --db over the finished batch"
read -r wall _ skipped rss < <(run -o /dev/null --resume --db "$tmp/big.sqlite" "$tmp/big.jsonl")
python3 -c "print(f'{$skipped:,} ids checked in {$wall:.2f} s: {$skipped / $wall:,.0f} ids/s, coordinator peak RSS $rss MB')"
