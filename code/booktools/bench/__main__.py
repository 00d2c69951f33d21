"""``python -m booktools.bench [--only 1,2] [--repeats N] [--keep DIR]``: the table of figures and budgets."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from booktools import ROOT

from . import __doc__ as ABOUT
from .build import bench_build_and_tests
from .execution import bench_execution
from .experiments import bench_experiments
from .page_weight import bench_page_weight
from .race_frames import bench_race


def main(argv=None):
    """Run the items asked for and print one table of figures, budgets and notes."""
    parser = argparse.ArgumentParser(description=ABOUT.splitlines()[0])
    parser.add_argument("--only", default="1,2,3,4,5,6", help="comma-separated items to run (default: all)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of item 1 (best is kept)")
    parser.add_argument("--keep", type=Path, help="build in this (empty) directory and keep it")
    args = parser.parse_args(argv)
    items = {int(i) for i in args.only.split(",")}
    rows = []
    if 1 in items:
        rows += bench_experiments(args.repeats)
    if 2 in items:
        rows += bench_execution()
    copy = None
    if items & {3, 4, 5}:
        built, copy = bench_build_and_tests(run_tests=4 in items, run_build=3 in items, keep=args.keep)
        rows += built
    if 5 in items:
        rows += bench_page_weight((copy or ROOT) / "_build" / "html")
    if 6 in items:
        rows += bench_race((copy or ROOT) / "_build" / "html")
    if copy is not None and args.keep is None:
        shutil.rmtree(copy, ignore_errors=True)
    print_table(rows)


def print_table(rows):
    """Rows ``(figure, measured, budget, met, note)`` as aligned columns, "yes"/"NO" for the budget."""
    header = ("figure", "measured", "budget", "met", "note")
    cells = [header] + [(a, b, c, "" if d is None else ("yes" if d else "NO"), e) for a, b, c, d, e in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    for row in cells:
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + "  " + row[4])


if __name__ == "__main__":
    main()
