"""`make bench`: run every benchmark and print one table of figures measured in this run.

Each script also prints its own details; the table at the end gathers the
figures and the goals from issue 6. Nothing here asserts a timing.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    ("bench_startup.py", []),
    ("bench_scale.py", []),
    ("bench_caldav.py", []),
    ("bench_todoist.py", []),
    ("bench_feed.py", []),
    ("bench_imap.py", []),
    ("bench_capture.py", []),
]


def machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {cpus} cores{mem}, {model}, Python {platform.python_version()}"


def main() -> None:
    only = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        rows_file = Path(tmp) / "rows.jsonl"
        failed = []
        for script, extra in SCRIPTS:
            if only and script not in only:
                continue
            print(f"\n=== {script}", flush=True)
            t = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, str(HERE / script), "--rows", str(rows_file), *extra]
            )
            print(f"=== {script}: {time.perf_counter() - t:.0f} s", flush=True)
            if proc.returncode:
                failed.append(script)
        rows = (
            [json.loads(line) for line in rows_file.read_text().splitlines()]
            if rows_file.exists()
            else []
        )
    print(f"\nfollowup-sync benchmarks on {machine()}\n")
    print(f"| {'area':<8} | {'figure':<56} | {'value':>12} | {'goal':<7} |")
    print(f"|{'-' * 10}|{'-' * 58}|{'-' * 14}|{'-' * 9}|")
    for r in rows:
        print(f"| {r['area']:<8} | {r['figure']:<56} | {r['value']:>12} | {r['goal']:<7} |")
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
