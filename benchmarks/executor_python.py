"""Python's concurrent.futures on the same trivial task as
benchmarks/executor_throughput.cc: submit N, then result() of each in order.
usage: executor_python.py [TASKS] [WORKERS] [process,thread]"""
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def identity(x):
    return x


def run(pool_class, workers, tasks):
    with pool_class(max_workers=workers) as pool:
        pool.submit(identity, 0).result()  # the pool is up, as farm's is
        start = time.perf_counter()
        futures = [pool.submit(identity, i) for i in range(tasks)]
        total = sum(f.result() for f in futures)
        seconds = time.perf_counter() - start
    assert total == tasks * (tasks - 1) // 2
    return seconds


def main():
    tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    modes = sys.argv[3] if len(sys.argv) > 3 else "process,thread"
    for name, pool_class in (("process", ProcessPoolExecutor), ("thread", ThreadPoolExecutor)):
        if name not in modes:
            continue
        seconds = run(pool_class, workers, tasks)
        print(f"python {pool_class.__name__:19s} {workers} workers: {tasks} tasks in "
              f"{seconds:.2f} s = {tasks / seconds:.0f} tasks/s", flush=True)


if __name__ == "__main__":
    main()
