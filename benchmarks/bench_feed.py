"""Feed server benchmark: render cost for 500 applications, then requests/second.

    .venv/bin/python benchmarks/bench_feed.py [--apps 500] [--seconds 3] [--threads 8]

1. A full render on our path (read the store in one snapshot, plan, build the
   VCALENDAR, to_ical(), gzip) against icalendar's own to_ical() of the same
   prebuilt calendar, as a ratio: how much the feed adds on top of serialising.
2. `followup-sync serve` on a free loopback port, hit by a short threaded
   Python client (keep-alive connections, bounded by time and count): full GETs
   (identity and gzip) and conditional GETs answered 304.

Prints figures; never asserts timings (they depend on the machine).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from _table import add_rows_option, emit
from click.testing import CliRunner

from followup_sync import feed, ical
from followup_sync.cli import cli
from followup_sync.config import load_settings
from followup_sync.desired import DesiredState
from followup_sync.store import Store

TODAY = "2026-11-26"
CONFIG = """
[user]
name = "Alex Rivera"
email = "alex@example.com"
timezone = "America/New_York"
"""


def populate(data_dir: Path, config: Path, apps: int) -> None:
    """Import `apps` applications through the CLI, as a user would (one transaction)."""
    rows = ["company,role,date,interviewers,skills"]
    for n in range(apps):
        day = 10 + n % 15
        rows.append(
            f"Company {n},Engineer {n % 7},2026-11-{day:02d} {9 + n % 8:02d}:00,"
            f"Pat Kim <pat{n}@co{n}.example>,Python and SQL"
        )
    csv = data_dir.parent / "apps.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    argv = ["--data-dir", str(data_dir), "--config", str(config), "--today", TODAY]
    result = CliRunner().invoke(cli, [*argv, "import", str(csv)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.1f} ms  (min {min(samples) * 1000:.1f})"


ROWS: Path | None = None


def bench_render(data_dir: Path, config: Path, repeat: int) -> None:
    settings = load_settings(config)
    store = Store.open(data_dir)
    with store.read() as tx:
        apps = tx.applications()
    store.close()
    planner = DesiredState(
        settings.user,
        settings.rules,
        settings.tz,
        date.fromisoformat(TODAY),
        settings.templates_dir,
    )
    items = planner.live_push_items(apps)
    prebuilt = ical.build_calendar(items.values(), ical.VEVENT, settings.feed.name)

    def full_render():
        # A new FeedSource has no cache: this is exactly what a request pays after a change.
        feed.FeedSource(data_dir, config, date.fromisoformat(TODAY)).current()

    def read_store():
        s = Store.open(data_dir)
        with s.read() as tx:
            tx.applications()
        s.close()

    stages = {
        "store read (one snapshot)": timed(read_store, repeat),
        "plan + PushItems (drafts)": timed(lambda: planner.live_push_items(apps), repeat),
        "build_calendar (+VTIMEZONE)": timed(
            lambda: ical.build_calendar(items.values(), ical.VEVENT, settings.feed.name), repeat
        ),
    }
    to_ical = timed(prebuilt.to_ical, repeat)
    body = prebuilt.to_ical()
    stages["to_ical() (icalendar)"] = to_ical
    stages["gzip -6"] = timed(lambda: gzip.compress(body, 6, mtime=0), repeat)
    ours = timed(full_render, repeat)

    print(f"Feed: {len(apps)} applications, {len(items)} events, {len(body) / 1e6:.2f} MB")
    print(f"      gzipped {len(gzip.compress(body, 6, mtime=0)) / 1e6:.2f} MB")
    for name, samples in stages.items():
        print(f"  {name:<30} {ms(samples)}")
    print(f"  {'full render (our path)':<30} {ms(ours)}")
    ratio = statistics.median(ours) / statistics.median(to_ical)
    print(f"  ratio full render / icalendar to_ical(): {ratio:.2f}x")
    n = len(items)
    emit(
        ROWS,
        "feed",
        f"full render, {len(apps)} apps / {n} events (plan+drafts+ICS)",
        f"{statistics.median(ours):.2f} s",
    )
    emit(
        ROWS,
        "feed",
        "icalendar to_ical() of the same prebuilt calendar",
        f"{statistics.median(to_ical):.2f} s",
    )
    emit(ROWS, "feed", "ratio full render / to_ical()", f"{ratio:.2f}")


def start_server(data_dir: Path, config: Path) -> tuple[subprocess.Popen, str, Path]:
    log = data_dir.parent / "serve.log"
    argv = [sys.executable, "-m", "followup_sync", "--data-dir", str(data_dir)]
    argv += ["--config", str(config), "--today", TODAY, "serve", "--host", "127.0.0.1"]
    argv += ["--port", "0", "--threads", "4"]
    with open(log, "wb") as f:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=f)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        m = re.search(r"Serving the feed on http://127\.0\.0\.1:(\d+)/", log.read_text())
        if m:
            return proc, m[1], log
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"serve did not start:\n{log.read_text()}")


def load(port: int, path: str, headers: dict, threads: int, seconds: float, cap: int) -> dict:
    """Requests/second from `threads` keep-alive clients, stopping at `seconds` or `cap`."""
    counts = [0] * threads
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    budget = [cap]

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop_at:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.will_close:
                    conn.close()  # waitress closes after a 304: reconnect, as a client would
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            counts[i] += 1
            with lock:
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
        conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "rps": sum(counts) / elapsed,
        "n": sum(counts),
        "elapsed": elapsed,
        "statuses": statuses,
    }


def bench_server(data_dir: Path, config: Path, threads: int, seconds: float) -> None:
    proc, port, _log = start_server(data_dir, config)
    try:
        token = feed.read_token(data_dir)
        path = f"/feed/{token}.ics"

        def timed_get() -> tuple[float, str]:
            conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
            t = time.perf_counter()
            conn.request("GET", path, headers={"Accept-Encoding": "identity"})
            resp = conn.getresponse()
            resp.read()
            elapsed = time.perf_counter() - t
            conn.close()
            return elapsed, resp.getheader("ETag")

        first, etag = timed_get()
        print(f"\nServer on 127.0.0.1:{port}, {threads} client threads, up to {seconds:.0f} s each")
        print(f"  first GET (rendered at startup):  {first * 1000:7.1f} ms")
        argv = ["--data-dir", str(data_dir), "--config", str(config), "--today", TODAY]
        CliRunner().invoke(cli, [*argv, "sent", "company-0-engineer-0"], catch_exceptions=False)
        changed, new_etag = timed_get()
        assert new_etag != etag, "the feed did not change after `sent`"
        print(f"  first GET after `sent` (renders): {changed * 1000:7.1f} ms")
        etag = new_etag
        runs = {
            "full GET, identity": {"Accept-Encoding": "identity"},
            "full GET, gzip": {"Accept-Encoding": "gzip"},
            "conditional GET -> 304": {"Accept-Encoding": "identity", "If-None-Match": etag},
        }
        for name, headers in runs.items():
            r = load(int(port), path, headers, threads, seconds, cap=200_000)
            print(
                f"  {name:<32} {r['rps']:8.0f} req/s  ({r['n']} requests in {r['elapsed']:.1f} s,"
                f" statuses {r['statuses']})"
            )
            emit(ROWS, "feed", f"{name} ({threads} client threads)", f"{r['rps']:.0f} req/s")
    finally:
        proc.terminate()
        proc.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0)
    add_rows_option(parser)
    args = parser.parse_args()
    global ROWS
    ROWS = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        config = Path(tmp) / "config.toml"
        config.write_text(CONFIG, encoding="utf-8")
        t = time.perf_counter()
        populate(data_dir, config, args.apps)
        print(f"Imported {args.apps} applications in {time.perf_counter() - t:.1f} s\n")
        bench_render(data_dir, config, args.repeat)
        bench_server(data_dir, config, args.threads, args.seconds)


if __name__ == "__main__":
    main()
