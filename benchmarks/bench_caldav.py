"""CalDAV push benchmark on local Radicale and Xandikos: prints figures, asserts nothing.

1. Loopback: 200 applications (800 items) pushed through the CLI into a fresh
   Radicale calendar, against a plain loop of caldav `add_event` calls for the same
   pre-rendered items into a fresh calendar of a fresh Radicale, in the same run.
   Goal: ratio <= 1.1 (never slower than writing one item after another).
2. Over a slow link: the proxy of the test suite (tests/support/fault_proxy.py) in
   latency mode adds `--latency` seconds (default 0.1) to every request. A first
   push of 20 applications (80 items) through it, to Radicale and to Xandikos,
   against a plain sequential `add_event` loop of the same items over the same
   link; ours with the default `concurrency` and with `concurrency = 1`.
   Goal: ours <= 0.35x the plain loop.
3. A no-op push right after (1): HTTP requests and writes. Goal: 0 writes, <= 2 requests.

Each measurement gets a fresh server, so no server cache favours whichever run
comes second. Everything runs in one warm process (caldav imported once before
any timing), so both sides are timed from their first request to their last.

Run: .venv/bin/python benchmarks/bench_caldav.py [--apps 200] [--link-apps 20] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _inputs import USER, write_applications  # noqa: E402
from _table import add_rows_option, emit  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from followup_sync.cli import cli  # noqa: E402
from followup_sync_caldav.provider import DEFAULT_CONCURRENCY  # noqa: E402
from tests.support.caldav_servers import start_radicale, start_xandikos  # noqa: E402
from tests.support.fault_proxy import FaultProxy  # noqa: E402

TODAY = "2026-11-26"
PW_ENV = "BENCH_CALDAV_PASSWORD"
STARTERS = {"radicale": start_radicale, "xandikos": start_xandikos}


def write_inputs(root: Path, server, apps: int, url: str, concurrency: int | None) -> Path:
    write_applications(root / "applications.toml", apps, skills=True)
    lines = [
        USER,
        "[providers.bench]",
        'type = "caldav"',
        f'url = "{url}"',
        'calendar = "Bench ours"',
        "create = true",
        f'features = "{server.kind}"',
    ]
    if server.username:
        lines += [f'username = "{server.username}"', f'password_env = "{PW_ENV}"']
    if concurrency is not None:
        lines.append(f"concurrency = {concurrency}")
    config = root / "config.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


def run_cli(root: Path, config: Path, *args: str, password: str | None):
    argv = ["--data-dir", str(root / "data"), "--config", str(config), "--today", TODAY, *args]
    env = {PW_ENV: password or ""}
    result = CliRunner().invoke(cli, argv, env=env, catch_exceptions=False)
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


class Setup:
    """A fresh server (and, over a slow link, the latency proxy in front of it)."""

    def __init__(self, root: Path, kind: str, latency: float | None):
        self.server = STARTERS[kind](root / "server")
        self.proxy = None
        self.url = self.server.url
        if latency:
            self.proxy = FaultProxy(self.server.url)
            self.proxy.slow_down(latency)  # every request waits, as over a long link
            self.url = self.proxy.url

    def close(self) -> None:
        if self.proxy is not None:
            self.proxy.close()
        self.server.stop()


def push_ours(
    root: Path, kind: str, apps: int, latency: float | None, concurrency: int | None, noop=False
):
    """A first push through the CLI: seconds, the resources it wrote, and a no-op push."""
    root.mkdir(parents=True)
    setup = Setup(root, kind, latency)
    try:
        config = write_inputs(root, setup.server, apps, setup.url, concurrency)
        pw = setup.server.password
        run_cli(root, config, "import", str(root / "applications.toml"), password=pw)
        start = time.perf_counter()
        out = run_cli(root, config, "push", password=pw).stdout.strip()
        seconds = time.perf_counter() - start
        resources = pushed_resources(setup.server, "Bench ours")
        noop_out = counter = None
        if noop:
            with RequestCounter() as counter:
                noop_out = run_cli(root, config, "push", password=pw).stdout.strip()
        return seconds, out, resources, (noop_out, counter)
    finally:
        setup.close()


def plain_loop(root: Path, kind: str, resources: list[str], latency: float | None) -> float:
    """caldav `add_event` for each resource, one after another, on a fresh server."""
    root.mkdir(parents=True)
    setup = Setup(root, kind, latency)
    try:
        client = setup.server.client(url=setup.url)
        cal = client.principal().make_calendar(name="Bench plain")
        start = time.perf_counter()
        for data in resources:
            cal.add_event(data)
        return time.perf_counter() - start
    finally:
        setup.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--link-apps", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1)
    add_rows_option(parser)
    args = parser.parse_args()
    import caldav  # noqa: F401 - imported before any timing (see the docstring)

    rows = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # 1. Loopback, 800 items, Radicale.
        ours, out, resources, (noop, counter) = push_ours(
            root / "loop-ours", "radicale", args.apps, None, None, noop=True
        )
        n = len(resources)
        plain = plain_loop(root / "loop-plain", "radicale", resources, None)
        print(f"loopback ours:  {out}")
        print(f"items: {n} ({args.apps} applications), concurrency {DEFAULT_CONCURRENCY}")
        print(f"followup-sync push (CLI: plan + render + conditional PUT + record): {ours:.2f} s")
        print(f"plain caldav add_event loop, pre-rendered:                       {plain:.2f} s")
        print(f"ratio ours / plain add_event: {ours / plain:.2f} (goal <= 1.1)")
        print(f"no-op push: {noop}")
        print(
            f"no-op push: {sum(counter.counts.values())} HTTP requests "
            f"({dict(counter.counts)}), {counter.writes} writes (goal: 0 writes, <= 2 requests)"
        )
        emit(rows, "caldav", f"loopback: push {n} items to Radicale (ours)", f"{ours:.1f} s")
        emit(rows, "caldav", "loopback: plain caldav add_event loop, same items", f"{plain:.1f} s")
        emit(
            rows,
            "caldav",
            "loopback: ratio ours / plain add_event",
            f"{ours / plain:.2f}",
            "<= 1.1",
        )
        emit(rows, "caldav", "no-op push: HTTP requests", str(sum(counter.counts.values())), "<= 2")
        emit(rows, "caldav", "no-op push: writes", str(counter.writes), "0")

        # 2. Over a slow link, 80 items, both servers.
        ms = f"+{args.latency * 1000:.0f} ms"
        for kind in ("radicale", "xandikos"):
            ours, out, resources, _ = push_ours(
                root / f"link-{kind}-ours", kind, args.link_apps, args.latency, None
            )
            n = len(resources)
            one, _, _, _ = push_ours(
                root / f"link-{kind}-one", kind, args.link_apps, args.latency, 1
            )
            plain = plain_loop(root / f"link-{kind}-plain", kind, resources, args.latency)
            print(f"\n{kind}, {ms} per request, {n} items: {out}")
            print(f"  ours, concurrency {DEFAULT_CONCURRENCY}: {ours:.2f} s")
            print(f"  ours, concurrency 1:  {one:.2f} s")
            print(f"  plain add_event loop: {plain:.2f} s")
            print(f"  ratio ours / plain: {ours / plain:.2f} (goal <= 0.35)")
            name = kind.capitalize()
            emit(rows, "caldav", f"{ms}: push {n} items to {name} (ours)", f"{ours:.2f} s")
            emit(rows, "caldav", f"{ms}: same, concurrency = 1", f"{one:.2f} s")
            emit(rows, "caldav", f"{ms}: plain add_event loop, same items", f"{plain:.2f} s")
            emit(
                rows,
                "caldav",
                f"{ms}: ratio ours / plain ({name})",
                f"{ours / plain:.2f}",
                "<= 0.35",
            )


if __name__ == "__main__":
    main()
