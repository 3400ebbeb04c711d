#!/usr/bin/python3
"""The classic GIL experiment, side by side: the same CPU-bound batch
(T x fib(n), iterative) run by farm in its three modes and by Python's
ThreadPoolExecutor and ProcessPoolExecutor, in one run.

usage: scripts/gil_experiment.py [--n 1000000] [--tasks 4] [--workers 2] [--farm build/farm]

Python computes fib with its own int arithmetic (a, b = b, a + b), which
holds the GIL, so its threads take turns; farm's threads run GMP code in
parallel. Both answers are checked against each other (last 20 digits).
"""
import argparse
import concurrent.futures as futures
import json
import os
import subprocess
import sys
import tempfile
import time


def fib_tail(n):
    """F(n) by n additions of Python ints; returns its last 20 digits."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return str(a % 10**20)


def time_farm(farm, mode, workers, tasks_path):
    """Wall seconds of one `farm run`, and the tails of its results."""
    start = time.perf_counter()
    done = subprocess.run([farm, "run", "--mode", mode, "-j", str(workers), "--seed", "1",
                           "--no-progress", tasks_path],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True, text=True)
    wall = time.perf_counter() - start
    tails = {json.loads(line)["result"]["tail"].lstrip("0") or "0" for line in done.stdout.splitlines()}
    return wall, tails


def time_python(executor, n, tasks):
    start = time.perf_counter()
    if executor is None:
        tails = {fib_tail(n) for _ in range(tasks)}
    else:
        with executor:
            tails = set(executor.map(fib_tail, [n] * tasks))
    return time.perf_counter() - start, tails


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--farm", default=os.path.join(root, "build", "farm"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="farm-gil-") as scratch:
        tasks_path = os.path.join(scratch, "tasks.jsonl")
        with open(tasks_path, "w") as f:
            subprocess.run([args.farm, "gen", "fib", "--n", str(args.n), "--method", "iterative",
                            "--count", str(args.tasks)], stdout=f, check=True)
        rows = []
        tails = set()
        for mode in ("sequential", "thread", "process"):
            print(f"farm --mode {mode} ...", file=sys.stderr)
            wall, got = time_farm(args.farm, mode, args.workers, tasks_path)
            rows.append(("farm", f"farm --mode {mode}", wall))
            tails |= got
        pythons = [("python sequential", None),
                   ("python ThreadPoolExecutor", futures.ThreadPoolExecutor(args.workers)),
                   ("python ProcessPoolExecutor", futures.ProcessPoolExecutor(args.workers))]
        for name, executor in pythons:
            print(f"{name} ...", file=sys.stderr)
            wall, got = time_python(executor, args.n, args.tasks)
            rows.append(("python", name, wall))
            tails |= got
    if len(tails) != 1:
        sys.exit(f"the runs disagree on F({args.n}): last digits {sorted(tails)}")

    print(f"{args.tasks} x fib({args.n}) iterative, {args.workers} workers, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"speedup against the same language's sequential run")
    print(f"{'runner':<28} {'wall s':>8} {'speedup':>8}")
    baseline = {}
    for family, name, wall in rows:
        baseline.setdefault(family, wall)
        print(f"{name:<28} {wall:8.2f} {baseline[family] / wall:7.2f}x")
    python_seq = baseline["python"]
    farm_best = min(wall for family, _, wall in rows if family == "farm")
    print(f"farm's fastest mode is {python_seq / farm_best:.1f}x faster than sequential Python")


if __name__ == "__main__":
    main()
