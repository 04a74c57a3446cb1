"""Every benchmark script still runs, at toy sizes, and emits its table rows.

Benchmarks are not timed here (timing goals live in benchmarks/ only): this only
keeps them from rotting. Twice a rename in the library left `make bench` stopping
at an AttributeError (`followup_sync.payload`, then `Store.applications`) that
no test noticed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"

#: Each script with arguments small enough for a test run, and the areas of its rows.
SMALL = {
    "bench_startup.py": (["--runs", "1"], {"start-up"}),
    "bench_scale.py": (["--apps", "40"], {"scale"}),
    "bench_caldav.py": (["--apps", "6", "--link-apps", "3", "--latency", "0.01"], {"caldav"}),
    "bench_todoist.py": (["--apps", "4", "--big", "6"], {"todoist"}),
    "bench_feed.py": (["--apps", "8", "--repeat", "1", "--seconds", "0.3"], {"feed"}),
    "bench_imap.py": (["--apps", "4", "--messages", "40"], {"imap"}),
    "bench_capture.py": (["--runs", "1"], {"capture"}),
}

pytestmark = [pytest.mark.slow, pytest.mark.network]


def test_every_script_is_listed():
    from benchmarks import run_all  # noqa: F401 - importable as a module too

    scripts = {p.name for p in BENCH.glob("bench_*.py")}
    assert scripts == set(SMALL)
    assert {s for s, _ in run_all.SCRIPTS} == scripts


@pytest.mark.parametrize("script", sorted(SMALL))
def test_a_benchmark_runs_and_prints_its_rows(script, tmp_path):
    args, areas = SMALL[script]
    rows = tmp_path / "rows.jsonl"
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), "--rows", str(rows), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = [json.loads(line) for line in rows.read_text().splitlines()]
    assert got and {r["area"] for r in got} == areas
    assert all(r["value"].strip() for r in got), got
