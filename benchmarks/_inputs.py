"""The applications the network benchmarks push: one interview each, in the last two weeks.

Every application then has its four items (three nudges and the move-on marker)
ahead of the benchmarks' `--today`.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

USER = '[user]\nname = "Alex Rivera"\nemail = "alex@example.com"\ntimezone = "America/New_York"\n'


def interviewer(n: int) -> str:
    return f"jane{n}@company{n:03d}.example"


def write_applications(path: Path, apps: int, *, skills: bool = False) -> Path:
    """`apps` applications as an `import` TOML file at `path`."""
    rows = []
    for n in range(apps):
        day = date(2026, 11, 12) + timedelta(days=n % 14)
        rows.append(
            "[[application]]\n"
            f'company = "Company {n:03d}"\n'
            'role = "Backend Engineer"\n'
            f'date = "{day} 14:00"\n'
            f'interviewers = ["Jane Doe{n} <{interviewer(n)}>"]\n'
            + ('skills = "Python, PostgreSQL and on-call leadership"\n' if skills else "")
        )
    path.write_text("\n".join(rows), encoding="utf-8")
    return path
