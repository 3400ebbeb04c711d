#!/usr/bin/env bash
# farm::Executor against Python's ProcessPoolExecutor and ThreadPoolExecutor
# on one trivial task, side by side in one run, interleaved by mode.
# usage: benchmarks/executor_vs_python.sh BUILD_DIR [FARM_TASKS] [PYTHON_TASKS] [WORKERS]
# Python gets fewer tasks by default (it is about 10^4 submits/s): rates compare.
set -euo pipefail
build=$1
farm_tasks=${2:-1000000}
python_tasks=${3:-100000}
workers=${4:-2}
here=$(cd "$(dirname "$0")" && pwd)
for mode in process thread; do
  "$build/executor_throughput" "$farm_tasks" "$workers" "$mode"
  python3 "$here/executor_python.py" "$python_tasks" "$workers" "$mode"
done
