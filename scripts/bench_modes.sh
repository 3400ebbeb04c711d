#!/usr/bin/env bash
# Measures how farm scales on this machine, sequential versus threads versus
# processes, on four batches: big Fibonacci numbers (CPU), Monte Carlo pi
# (CPU, no memory traffic), sleeps (waiting, like I/O) and tiny tasks
# (message cost). Writes a table, every run as CSV and JSON, and a plot of
# each into OUT_DIR (default docs/bench), and runs the GIL experiment.
#
# usage: scripts/bench_modes.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/bench}
scripts/install-deps.sh
scripts/build.sh
mkdir -p "$out"

bench() {
  local name=$1
  shift
  echo "== $name: farm bench $*" >&2
  build/farm bench "$@" --csv "$out/$name.csv" --json "$out/$name.json" | tee "$out/$name.txt"
  /usr/bin/python3 scripts/plot_bench.py "$out/$name.csv" "$out/$name.png"
}

bench fib --task fib --n 1000000 --method iterative --tasks 4 --repeat 3
bench pi --task pi --samples 100000000 --tasks 16 --repeat 3
bench sleep --task sleep --ms 100 --tasks 40 --workers 1,2,4,8 --repeat 3
bench tiny --task fib --n 20 --tasks 200000 --repeat 5

echo "== the GIL experiment" >&2
/usr/bin/python3 scripts/gil_experiment.py --n 1000000 --tasks 4 --workers 2 | tee "$out/gil.txt"
