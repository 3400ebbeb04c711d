#!/usr/bin/env python3
"""farm over MPI, side by side in one run, interleaved, best of R each:

1. 200,000 tiny fib tasks, mpirun -n 3 over TCP (rank 0 + 2 agents x 1
   worker): farm --mode mpi against Python's mpi4py.futures.MPIPoolExecutor
   doing the same JSON-lines job (json.loads, fib, json.dumps) at each
   chunksize (its best is kept), and against farm's own process mode -j 2.
2. 4 x fib(10^6) iterative: 2 agents x 1 worker against 1 agent x 1 worker.

    scripts/bench_mpi.py [--tasks 200000] [--repeat 3]

Needs openmpi-bin and python3-mpi4py (scripts/install-deps.sh python3-mpi4py).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FARM = os.path.join(ROOT, "build", "farm")
MPIRUN = ["mpirun", "--oversubscribe", "--mca", "btl", "self,tcp",
          "--mca", "btl_tcp_if_include", "lo"]
CHUNKSIZES = [256, 1024, 4096, 16384]


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


def mpi4py_main(tasks_path, out_path, chunksize):
    """Rank 0 under `python3 -m mpi4py.futures`: the other ranks are the pool."""
    from mpi4py.futures import MPIPoolExecutor
    with open(tasks_path) as tasks, open(out_path, "w") as out, MPIPoolExecutor() as pool:
        for line in pool.map(fib_task, tasks, chunksize=chunksize, unordered=True):
            out.write(line + "\n")


def python_with_mpi4py():
    """This interpreter if it has mpi4py, else Debian's, where python3-mpi4py goes."""
    for python in (sys.executable, "/usr/bin/python3"):
        if subprocess.run([python, "-c", "import mpi4py.futures"],
                          stderr=subprocess.DEVNULL).returncode == 0:
            return python
    sys.exit("mpi4py not found: scripts/install-deps.sh python3-mpi4py")


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--mpi4py-child":
        return mpi4py_main(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    with tempfile.TemporaryDirectory() as tmp:
        tiny = os.path.join(tmp, "tiny.jsonl")
        coarse = os.path.join(tmp, "coarse.jsonl")
        out = os.path.join(tmp, "out.jsonl")
        with open(tiny, "w") as f:
            f.write('{"type":"fib","n":20}\n' * args.tasks)
        with open(coarse, "w") as f:
            f.write('{"type":"fib","n":1000000,"method":"iterative"}\n' * 4)
        farm_mpi = lambda ranks, path: MPIRUN + ["-n", str(ranks), FARM, "run", "--mode", "mpi",
                                                 "-j", "1", "--seed", "1", path, "-o", out]
        runs = {
            "farm mpi (3 ranks)": farm_mpi(3, tiny),
            "farm process -j 2": [FARM, "run", "-j", "2", "--seed", "1", tiny, "-o", out],
        }
        python = python_with_mpi4py()
        for size in CHUNKSIZES:
            runs[f"mpi4py chunksize {size}"] = MPIRUN + [
                "-n", "3", python, "-m", "mpi4py.futures", os.path.abspath(__file__),
                "--mpi4py-child", tiny, out, str(size)]
        runs["4 x fib(1e6) iterative, 2 agents"] = farm_mpi(3, coarse)
        runs["4 x fib(1e6) iterative, 1 agent"] = farm_mpi(2, coarse)
        best = {name: float("inf") for name in runs}
        for _ in range(args.repeat):
            for name, command in runs.items():
                best[name] = min(best[name], timed(command))
        for name, seconds in best.items():
            rate = f"{args.tasks / seconds:>10,.0f} tasks/s" if "fib(1e6)" not in name else ""
            print(f"{name:36} {seconds:8.3f} s {rate}")
        mpi4py_best = min(best[f"mpi4py chunksize {size}"] for size in CHUNKSIZES)
        print(f"farm mpi against mpi4py at its best chunksize: "
              f"{mpi4py_best / best['farm mpi (3 ranks)']:.2f}x faster")
        print(f"2 agents / 1 agent on 4 x fib(1e6): "
              f"{best['4 x fib(1e6) iterative, 2 agents'] / best['4 x fib(1e6) iterative, 1 agent']:.2f}")


if __name__ == "__main__":
    main()
