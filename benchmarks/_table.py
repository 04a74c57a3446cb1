"""Rows for `make bench`'s one table: every script appends its figures here.

A script run by benchmarks/run_all.py gets `--rows FILE`; each figure becomes one
JSON line {"area", "figure", "value", "goal"}. Run alone, scripts just print.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path


def add_rows_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=Path, help="append figures as JSON lines (for run_all.py)")


def emit(rows: Path | None, area: str, figure: str, value: str, goal: str = "") -> None:
    print(f"  {area:<9} {figure:<52} {value:>14}  {goal}")
    if rows is not None:
        with rows.open("a", encoding="utf-8") as f:
            f.write(
                json.dumps({"area": area, "figure": figure, "value": value, "goal": goal}) + "\n"
            )


def median_wall(cmd: list[str], runs: int, **kw) -> float:
    """Median wall time of a command over `runs` runs (after one warm-up run)."""
    subprocess.run(cmd, check=True, capture_output=True, **kw)
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, **kw)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)
