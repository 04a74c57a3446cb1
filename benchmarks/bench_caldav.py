"""CalDAV push benchmark on a local Radicale: prints figures, asserts nothing.

1. 200 applications (800 items) pushed through the CLI into a fresh calendar,
   against a plain loop of caldav `add_event` calls for the same pre-rendered items
   into another fresh calendar, in the same run. Goal: ratio <= 1.2.
2. A no-op push right after: HTTP requests and writes. Goal: 0 writes, <= 2 requests.

Run: .venv/bin/python benchmarks/bench_caldav.py [--apps 200]
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _table import add_rows_option, emit  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from followup_sync.cli import cli  # noqa: E402
from tests.support.caldav_servers import start_radicale  # noqa: E402

TODAY = "2026-11-26"
PW_ENV = "BENCH_CALDAV_PASSWORD"


def write_inputs(root: Path, server, apps: int) -> tuple[Path, Path]:
    rows = []
    for n in range(apps):
        # Interviews in the last two weeks: every application has its 4 items ahead.
        day = date(2026, 11, 12) + timedelta(days=n % 14)
        rows.append(
            "[[application]]\n"
            f'company = "Company {n:03d}"\n'
            'role = "Backend Engineer"\n'
            f'date = "{day} 14:00"\n'
            f'interviewers = ["Jane Doe{n} <jane{n}@company{n:03d}.example>"]\n'
            'skills = "Python, PostgreSQL and on-call leadership"\n'
        )
    apps_file = root / "applications.toml"
    apps_file.write_text("\n".join(rows))
    config = root / "config.toml"
    config.write_text(
        '[user]\nname = "Alex Rivera"\nemail = "alex@example.com"\n'
        'timezone = "America/New_York"\n\n'
        "[providers.bench]\n"
        'type = "caldav"\n'
        f'url = "{server.url}"\n'
        f'username = "{server.username}"\n'
        f'password_env = "{PW_ENV}"\n'
        'calendar = "Bench ours"\n'
        "create = true\n"
        'features = "radicale"\n'
    )
    return apps_file, config


def run_cli(root: Path, config: Path, *args: str, password: str):
    argv = ["--data-dir", str(root / "data"), "--config", str(config), "--today", TODAY, *args]
    result = CliRunner().invoke(cli, argv, env={PW_ENV: password}, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"followup-sync {' '.join(args)} failed: {result.stderr}")
    return result


class RequestCounter:
    """Counts HTTP requests at the HTTP library (caldav sends all through Session.request)."""

    def __init__(self):
        from caldav.lib.http_sync import requests

        self.session_cls = requests.Session
        self.original = self.session_cls.request
        self.counts: collections.Counter[str] = collections.Counter()

    def __enter__(self):
        original, counts = self.original, self.counts

        def counting(session, method, *a, **kw):
            counts[method.upper()] += 1
            return original(session, method, *a, **kw)

        self.session_cls.request = counting
        return self

    def __exit__(self, *exc):
        self.session_cls.request = self.original

    @property
    def writes(self) -> int:
        return sum(self.counts[m] for m in ("PUT", "DELETE", "MKCALENDAR", "PROPPATCH"))


def pushed_resources(server, calendar: str) -> list[str]:
    """The exact iCalendar resources our push wrote, to replay with plain caldav."""
    client = server.client()
    cal = client.principal().calendar(name=calendar)
    return [o.data for o in cal.get_objects_by_sync_token(load_objects=True)]


def baseline(root: Path, resources: list[str], no_overwrite: bool) -> float:
    """add_event for each resource, on its own fresh Radicale.

    A separate server keeps Radicale's item cache (keyed by content) from favouring
    whichever run comes second with the same bytes.
    """
    server = start_radicale(root / f"radicale-plain-{no_overwrite}")
    try:
        client = server.client()
        cal = client.principal().make_calendar(name="Bench plain")
        start = time.perf_counter()
        for data in resources:
            cal.add_event(data, no_overwrite=no_overwrite)
        return time.perf_counter() - start
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=200)
    add_rows_option(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = start_radicale(root / "radicale")
        try:
            apps_file, config = write_inputs(root, server, args.apps)
            pw = server.password
            run_cli(root, config, "import", str(apps_file), password=pw)

            start = time.perf_counter()
            out = run_cli(root, config, "push", password=pw).stdout.strip()
            ours = time.perf_counter() - start
            print(f"ours:  {out}")
            resources = pushed_resources(server, "Bench ours")
            n = len(resources)

            with RequestCounter() as counter:
                noop = run_cli(root, config, "push", password=pw).stdout.strip()
        finally:
            server.stop()
        plain = baseline(root, resources, no_overwrite=False)
        guarded = baseline(root, resources, no_overwrite=True)

    print(f"items: {n} ({args.apps} applications)")
    print(f"followup-sync push (CLI: plan + render + conditional PUT + record): {ours:.2f} s")
    print(f"plain caldav add_event loop, pre-rendered:                       {plain:.2f} s")
    print(f"plain caldav add_event(no_overwrite=True), pre-rendered:         {guarded:.2f} s")
    print(f"ratio ours / plain add_event: {ours / plain:.2f} (goal <= 1.2)")
    print(f"ratio ours / add_event(no_overwrite=True): {ours / guarded:.2f}")
    print(f"no-op push: {noop}")
    print(
        f"no-op push: {sum(counter.counts.values())} HTTP requests "
        f"({dict(counter.counts)}), {counter.writes} writes (goal: 0 writes, <= 2 requests)"
    )
    rows = args.rows
    emit(rows, "caldav", f"push {n} items to Radicale (ours)", f"{ours:.1f} s")
    emit(rows, "caldav", "plain caldav add_event loop, same items", f"{plain:.1f} s")
    emit(rows, "caldav", "push ratio ours / plain add_event", f"{ours / plain:.2f}", "<= 1.2")
    emit(rows, "caldav", "no-op push: HTTP requests", str(sum(counter.counts.values())), "<= 2")
    emit(rows, "caldav", "no-op push: writes", str(counter.writes), "0")


if __name__ == "__main__":
    main()
