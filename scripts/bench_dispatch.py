#!/usr/bin/env python3
"""Per-task overhead: farm -j 2 versus Python's multiprocessing.Pool(2).

Both run the same JSON-lines file of tiny fib tasks to a results file, in one
run, interleaved, best of R each: farm end to end (read, dispatch over pipes,
compute with GMP, write), Python with imap_unordered (json.loads, compute,
json.dumps) at each chunksize, keeping its best.

    scripts/bench_dispatch.py [--tasks 200000] [--repeat 3]
"""
import argparse
import json
import multiprocessing
import os
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FARM = os.path.join(ROOT, "build", "farm")


def fib_task(line):
    task = json.loads(line)
    n = task["n"]
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    text = str(a)
    return json.dumps({"id": task.get("id"), "type": "fib", "ok": True,
                       "result": {"n": n, "digits": len(text), "head": text[:20],
                                  "tail": text[-20:]}})


def run_python(tasks_path, out_path, chunksize):
    start = time.perf_counter()
    with open(tasks_path) as tasks, open(out_path, "w") as out, \
            multiprocessing.Pool(2) as pool:
        for line in pool.imap_unordered(fib_task, tasks, chunksize=chunksize):
            out.write(line + "\n")
    return time.perf_counter() - start


def run_farm(tasks_path, out_path):
    start = time.perf_counter()
    subprocess.run([FARM, "run", "-j", "2", "--seed", "1", "--no-progress", tasks_path,
                    "-o", out_path], check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    chunksizes = [1, 64, 256, 1024, 4096, 16384]
    with tempfile.TemporaryDirectory() as tmp:
        tasks = os.path.join(tmp, "tasks.jsonl")
        out = os.path.join(tmp, "out.jsonl")
        with open(tasks, "w") as f:
            subprocess.run([FARM, "gen", "fib", "--n", str(args.n), "--count", str(args.tasks)],
                           stdout=f, check=True)
        farm_best = float("inf")
        python_best = {c: float("inf") for c in chunksizes}
        for _ in range(args.repeat):  # interleaved: noise hits both alike
            farm_best = min(farm_best, run_farm(tasks, out))
            for c in chunksizes:
                if c == 1 and args.tasks > 50_000:
                    continue  # hopeless, and slow
                python_best[c] = min(python_best[c], run_python(tasks, out, c))
        best_chunk = min(python_best, key=python_best.get)
        py = python_best[best_chunk]
        print(f"{args.tasks} x fib({args.n}), 2 workers, best of {args.repeat}")
        print(f"  farm -j 2                      {farm_best:7.3f} s  {args.tasks / farm_best:10.0f} tasks/s")
        for c in chunksizes:
            if python_best[c] < float("inf"):
                t = python_best[c]
                print(f"  Pool(2).imap_unordered cs={c:<5} {t:7.3f} s  {args.tasks / t:10.0f} tasks/s")
        print(f"  farm / best Python: {py / farm_best:.2f}x faster (chunksize {best_chunk})")


if __name__ == "__main__":
    main()
