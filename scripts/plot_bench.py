#!/usr/bin/python3
"""Turns a `farm bench --csv` file into a PNG of speedup versus workers.

usage: scripts/plot_bench.py BENCH.csv OUT.png [--title TITLE]

One line per mode (median wall time of each worker count, against the
median sequential run), the ideal line y = x, and whiskers for the fastest
and slowest run. Needs Debian's python3-matplotlib, hence /usr/bin/python3.
"""
import argparse
import csv
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

MODE_STYLE = {"thread": ("tab:blue", "o"), "process": ("tab:orange", "s"),
              "sequential": ("tab:gray", "D")}


def read_runs(path):
    walls = defaultdict(list)  # (mode, workers) -> wall seconds of each run
    task = None
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            task = task or row["task"]
            walls[(row["mode"], int(row["workers"]))].append(float(row["wall_s"]))
    return task, walls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("png")
    parser.add_argument("--title")
    args = parser.parse_args()

    task, walls = read_runs(args.csv)
    if not walls:
        sys.exit(f"{args.csv}: no runs")
    sequential = [w for (mode, _), runs in walls.items() if mode == "sequential" for w in runs]
    if not sequential:
        sys.exit(f"{args.csv}: no sequential runs to measure speedup against")
    baseline = statistics.median(sequential)

    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    max_workers = max(workers for _, workers in walls)
    ax.plot([1, max_workers], [1, max_workers], "k--", linewidth=1, label="ideal")
    for mode in ("thread", "process"):
        points = sorted((w, runs) for (m, w), runs in walls.items() if m == mode)
        if not points:
            continue
        xs = [w for w, _ in points]
        ys = [baseline / statistics.median(runs) for _, runs in points]
        low = [y - baseline / max(runs) for y, (_, runs) in zip(ys, points)]
        high = [baseline / min(runs) - y for y, (_, runs) in zip(ys, points)]
        color, marker = MODE_STYLE[mode]
        ax.errorbar(xs, ys, yerr=[low, high], color=color, marker=marker, capsize=3, label=mode)
    ax.axhline(1, color=MODE_STYLE["sequential"][0], linewidth=1, label="sequential")
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup against sequential (median)")
    ax.set_xticks(sorted({w for _, w in walls}))
    ax.set_ylim(bottom=0)
    ax.set_title(args.title or f"farm bench: {task}")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.png)
    print(f"wrote {args.png}", file=sys.stderr)


if __name__ == "__main__":
    main()
