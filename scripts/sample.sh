#!/usr/bin/env bash
# Installs what is missing, builds, and runs a real sample batch: big
# Fibonacci numbers and Monte Carlo pi on every core.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh
step install-deps "installing missing Debian packages" scripts/install-deps.sh
scripts/build.sh
mkdir -p sample
{
  build/farm gen fib --n 1000000 --count 8
  build/farm gen fib --n 200000 --method iterative --count 4
  build/farm gen pi --samples 20000000 --count 8
} > sample/tasks.jsonl
echo "running the sample batch: build/farm run sample/tasks.jsonl -o sample/results.jsonl" >&2
build/farm run sample/tasks.jsonl -o sample/results.jsonl --summary-json sample/summary.json
echo "results: sample/results.jsonl" >&2
head -n 3 sample/results.jsonl
