"""Start-up: `followup-sync --help` and `plan` (50 applications) against `python -c "import click"`.

Goals: ratio at most 1.5 for --help and 2.0 for plan (issue 6), 1.5 for
plan --json (issue 15). Prints medians measured in this run; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _table import add_rows_option, emit, median_wall

BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    add_rows_option(parser)
    args = parser.parse_args()
    exe = str(BIN / "followup-sync")
    # Measure what a user sees: Python caches compiled bytecode (__pycache__). Some
    # shells and CI images set PYTHONDONTWRITEBYTECODE, which makes every run of an
    # editable install compile our modules from source (~11 ms) while click's
    # bytecode was compiled by pip at install time: an unfair comparison.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        data, config = Path(tmp) / "data", Path(tmp) / "config.toml"
        config.write_text('[user]\nname = "Alex"\ntimezone = "America/New_York"\n')
        csv = Path(tmp) / "apps.csv"
        rows = ["company,role,date,interviewers"]
        rows += [
            f"Company {i},Engineer,2026-11-{1 + i % 25:02d} 10:00,Pat <p{i}@x.example>"
            for i in range(50)
        ]
        csv.write_text("\n".join(rows) + "\n")
        base = [exe, "--data-dir", str(data), "--config", str(config)]
        subprocess.run([*base, "import", str(csv)], check=True, capture_output=True, env=env)
        click = median_wall([sys.executable, "-c", "import click"], args.runs, env=env)
        helptime = median_wall([exe, "--help"], args.runs, env=env)
        plan = median_wall([*base, "--today", "2026-11-26", "plan"], args.runs, env=env)
        plan_json = median_wall(
            [*base, "--today", "2026-11-26", "plan", "--json"], args.runs, env=env
        )
    print(f"Start-up, median of {args.runs} runs (interpreter start included):")
    emit(args.rows, "start-up", 'python -c "import click"', f"{click * 1000:.0f} ms")
    emit(args.rows, "start-up", "followup-sync --help", f"{helptime * 1000:.0f} ms")
    emit(args.rows, "start-up", "--help / import click", f"{helptime / click:.2f}", "<= 1.5")
    emit(args.rows, "start-up", "followup-sync plan (50 applications)", f"{plan * 1000:.0f} ms")
    emit(args.rows, "start-up", "plan / import click", f"{plan / click:.2f}", "<= 2.0")
    emit(args.rows, "start-up", "plan --json / import click", f"{plan_json / click:.2f}", "<= 1.5")


if __name__ == "__main__":
    main()
