#!/usr/bin/env bash
# --db, side by side in one run:
#   1. 200,000 tiny tasks with --db (and -o) against -o only, interleaved,
#      best of 3: the writer thread's cost per row
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

echo "== 1. 200,000 tiny tasks: --db against -o only (best of 3, interleaved)"
"$farm" gen sleep --ms 0 --count 200000 > "$tmp/small.jsonl"
best_o=0 best_db=0
for _ in 1 2 3; do
  read -r _ rate _ _ < <(run -o "$tmp/out.jsonl" "$tmp/small.jsonl")
  best_o=$(python3 -c "print(max($best_o, $rate))")
  rm -f "$tmp/small.sqlite"
  read -r _ rate _ _ < <(run -o "$tmp/out.jsonl" --db "$tmp/small.sqlite" "$tmp/small.jsonl")
  best_db=$(python3 -c "print(max($best_db, $rate))")
done
python3 -c "o, d = $best_o, $best_db
print(f'-o only: {o:,.0f} tasks/s   --db and -o: {d:,.0f} tasks/s   ratio {d / o:.2f}')
print(f'cost per row: {1e6 / d - 1e6 / o:.2f} us of wall time')"

echo "== 2. $big tiny tasks into a database"
"$farm" gen sleep --ms 0 --count "$big" > "$tmp/big.jsonl"
read -r wall rate _ rss < <(run -o /dev/null --db "$tmp/big.sqlite" "$tmp/big.jsonl")
echo "wall ${wall} s, ${rate} tasks/s, coordinator peak RSS ${rss} MB"
ls -l "$tmp/big.sqlite" | awk '{printf "database: %.0f MB\n", $5 / 1e6}'

echo "== 3. --resume --db over the finished batch"
read -r wall _ skipped rss < <(run -o /dev/null --resume --db "$tmp/big.sqlite" "$tmp/big.jsonl")
python3 -c "print(f'{$skipped:,} ids checked in {$wall:.2f} s: {$skipped / $wall:,.0f} ids/s, coordinator peak RSS $rss MB')"
