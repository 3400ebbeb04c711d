#!/usr/bin/python3
"""Turns a `farm bench` export into a PNG of speedup versus workers.

usage: scripts/plot_bench.py BENCH.csv|BENCH.json|BENCH.md OUT.png [--title TITLE]

Reads any of bench's exports: --csv and --json hold every run, and
--export-markdown the median, fastest and slowest run of each
configuration, which is all the plot needs. One line per mode (median wall
time of each worker count, against the median sequential run), the ideal
line y = x, and whiskers for the fastest and slowest run. Needs Debian's
python3-matplotlib, hence /usr/bin/python3.
"""
import argparse
import csv
import json
import re
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

MODE_STYLE = {"thread": ("tab:blue", "o"), "process": ("tab:orange", "s"),
              "sequential": ("tab:gray", "D")}


def read_csv(path):
    walls = defaultdict(list)  # (mode, workers) -> wall seconds of each run
    task = None
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            task = task or row["task"]
            walls[(row["mode"], int(row["workers"]))].append(float(row["wall_s"]))
    return task, walls


def read_json(path):
    with open(path) as f:
        bench = json.load(f)
    walls = defaultdict(list)
    for run in bench["runs"]:
        walls[(run["mode"], int(run["workers"]))].append(float(run["wall_s"]))
    return bench.get("task"), walls


def read_markdown(path):
    """The title line, then a table: | mode | workers | median s | ... | min–max s | ..."""
    walls = defaultdict(list)
    task = None
    columns = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if task is None and line.startswith("farm bench:"):
                task = line.split(":", 1)[1].split(",")[0].strip()
            if not line.startswith("|"):
                continue
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if columns is None:
                columns = cells
                continue
            if set(cells[0]) <= set(":-"):
                continue
            row = dict(zip(columns, cells))
            low, high = re.split("\u2013|-", row["min\u2013max s"])
            # median, fastest and slowest: the same median, min and max.
            walls[(row["mode"], int(row["workers"]))] = [float(low), float(row["median s"]),
                                                         float(high)]
    return task, walls


def read_runs(path):
    if path.endswith(".json"):
        return read_json(path)
    if path.endswith(".md"):
        return read_markdown(path)
    return read_csv(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", help="bench's --csv, --json or --export-markdown file")
    parser.add_argument("png")
    parser.add_argument("--title")
    args = parser.parse_args()

    task, walls = read_runs(args.export)
    if not walls:
        sys.exit(f"{args.export}: no runs")
    sequential = [w for (mode, _), runs in walls.items() if mode == "sequential" for w in runs]
    if not sequential:
        sys.exit(f"{args.export}: no sequential runs to measure speedup against")
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
