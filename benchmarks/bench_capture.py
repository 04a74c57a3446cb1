"""Capture benchmark: accuracy on the corpus, and 1,000 events through `capture`.

    .venv/bin/python benchmarks/bench_capture.py [--runs 5]

1. The corpus (tests/corpus/capture): precision, recall, and extraction per field.
2. A 1,000-event calendar written straight into a local Radicale's storage (the
   documented trick for big test calendars): 718 of the user's own events, 200
   friends' invitations (some declined), 40 interviews the user gives at work,
   30 all-day events, a weekly 1:1 and 11 interviews. `capture --json` runs
   in-process through the CLI (after one warm-up: Radicale builds its item cache
   on the first query) with the HTTP library timed, so the split between the
   server (the REPORT round trip) and our own time (parse, expand, judge,
   review) is measured; then the whole command as a process.
3. The same 1,000 events as one Google-style feed served on loopback.

Prints figures; never asserts timings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _table import add_rows_option, emit  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from followup_sync.cli import cli  # noqa: E402
from tests.support import capture_corpus as cc  # noqa: E402
from tests.support.caldav_servers import start_radicale  # noqa: E402
from tests.support.ics_feed import FeedServer  # noqa: E402

TODAY = "2026-11-26"
PW_ENV = "BENCH_CAPTURE_PASSWORD"
URL_ENV = "BENCH_CAPTURE_URL"
INTERVIEWS = [
    "i01-greenhouse-acme-technical",
    "i03-goodtime-initech-virtual-onsite",
    "i06-calendly-hooli-recruiter",
    "i09-gem-umbrella",
    "i10-teams-bluedev",
    "i12-google-piedpiper",
    "i24-de-personio-nordlicht",
    "i27-fr-lumiere",
    "i35-ja-miraitech",
    "i38-ko-hanbit",
    "i41-ashby-panel-sirius",
]
OWN = ["Focus time", "Gym", "Groceries", "Interview prep: STAR stories", "Read", "Call mom", "Walk"]
FRIENDS = ["Dinner", "Board games", "Birthday drinks", "Hike", "Movie night", "Brunch"]


# --- accuracy on the corpus -------------------------------------------------------------------
def corpus_accuracy() -> dict:
    from zoneinfo import ZoneInfo

    from followup_sync.capture.detect import Me, judge
    from followup_sync.capture.domains import normalize_company
    from followup_sync.capture.events import Window, read_calendar
    from followup_sync.capture.extract import extract

    tz = ZoneInfo("America/New_York")
    window = Window(datetime(2026, 9, 27, tzinfo=tz), datetime(2026, 12, 27, tzinfo=tz))
    me = Me(frozenset({cc.USER[1], cc.ALIAS}), cc.USER[0], (cc.MY_DOMAIN,))
    expected = tomllib.loads((cc.ROOT / "expected.toml").read_text(encoding="utf-8"))
    found = missed = false = 0
    fields = dict.fromkeys(("company", "role", "interviewers", "start"), 0)
    started = time.perf_counter()
    for case_id, e in expected.items():
        events = read_calendar(
            (cc.ROOT / f"{case_id}.ics").read_bytes(), window, source="c", default_tz=tz
        ).events
        proposed = [ev for ev in events if judge(ev, me).proposed]
        if e["kind"] != "interview":
            false += bool(proposed)
            continue
        if not proposed:
            missed += 1
            continue
        found += 1
        x = extract(proposed[0], me)
        fields["company"] += normalize_company(x.company) == normalize_company(e["company"])
        fields["role"] += x.role == e["role"]
        fields["interviewers"] += [str(p) for p in x.interviewers] == e["interviewers"]
        fields["start"] += proposed[0].start == datetime.fromisoformat(e["start"])
    seconds = time.perf_counter() - started
    return {
        "interviews": found + missed,
        "negatives": len(expected) - found - missed,
        "precision": found / max(1, found + false),
        "recall": found / max(1, found + missed),
        "false": false,
        "missed": missed,
        "fields": fields,
        "seconds": seconds,
        "files": len(expected),
    }


# --- a 1,000-event calendar ------------------------------------------------------------------
def thousand_events() -> list[str]:
    """1,000 calendar objects (one VCALENDAR each), a year around TODAY."""
    rnd = random.Random(13)
    first = date(2026, 3, 1)
    objects = []

    def when(n: int) -> str:
        day = first + timedelta(days=rnd.randrange(365))
        return f"{day} {8 + n % 10:02d}:{rnd.choice(('00', '30'))}"

    def plus(stamp: str, minutes: int) -> str:
        moment = datetime.fromisoformat(stamp) + timedelta(minutes=minutes)
        return moment.strftime("%Y-%m-%d %H:%M")

    for n in range(718):
        start = when(n)
        objects.append(
            cc.calendar(
                cc.GOOGLE,
                [
                    cc.google_event(
                        f"own{n:04d}@bench.example",
                        start,
                        plus(start, 60),
                        rnd.choice(OWN),
                        None,
                        [],
                        meet=None,
                    )
                ],
            )
        )
    for n in range(200):
        start = when(n)
        friend = (f"Friend {n % 17}", f"friend{n % 17}@gmail.com")
        objects.append(
            cc.calendar(
                cc.GOOGLE,
                [
                    cc.google_event(
                        f"friend{n:04d}@bench.example",
                        start,
                        plus(start, 120),
                        rnd.choice(FRIENDS),
                        friend,
                        [
                            cc.google_attendee(*friend),
                            cc.me_google("DECLINED" if n % 5 == 0 else "ACCEPTED"),
                        ],
                    )
                ],
            )
        )
    for n in range(40):
        start = when(n)
        objects.append(
            cc.calendar(
                cc.GOOGLE,
                [
                    cc.google_event(
                        f"interviewer{n:04d}@bench.example",
                        start,
                        plus(start, 60),
                        f"Interview with Candidate {n} for QA Engineer",
                        ("Initrode Recruiting", "coordinator@initrode.example"),
                        [cc.ME],
                        cc.KIT,
                    )
                ],
            )
        )
    for n in range(30):
        day = first + timedelta(days=rnd.randrange(365))
        objects.append(
            cc.calendar(
                cc.GOOGLE,
                [
                    [
                        "BEGIN:VEVENT",
                        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                        f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
                        "DTSTAMP:20261126T120000Z",
                        f"UID:allday{n:04d}@bench.example",
                        f"SUMMARY:Day off {n}",
                        "END:VEVENT",
                    ]
                ],
            )
        )
    objects.append(
        cc.calendar(
            cc.GOOGLE,
            [
                cc.google_event(
                    "weekly-1on1@bench.example",
                    "2026-03-02 14:00",
                    "2026-03-02 14:30",
                    "Weekly 1:1",
                    ("Sam Lee", "sam.lee@initrode.example"),
                    [cc.google_attendee("Sam Lee", "sam.lee@initrode.example"), cc.ME],
                    extra=["RRULE:FREQ=WEEKLY;BYDAY=MO"],
                )
            ],
        )
    )
    for case_id in INTERVIEWS:
        objects.append(
            (cc.ROOT / f"{case_id}.ics").read_bytes().decode().replace("METHOD:REQUEST\r\n", "")
        )
    assert len(objects) == 1000, len(objects)
    return objects


def write_radicale_storage(storage: Path, objects: list[str]) -> None:
    """The documented trick: .ics files straight into Radicale's storage (no 1,000 PUTs)."""
    import re

    folder = storage / "collection-root" / "alice" / "personal"
    folder.mkdir(parents=True)
    (folder / ".Radicale.props").write_text(
        json.dumps(
            {
                "C:supported-calendar-component-set": "VEVENT",
                "D:displayname": "Personal",
                "tag": "VCALENDAR",
            }
        )
    )
    for n, text in enumerate(objects):
        uid = re.search(r"^UID:(.+)$", text.replace("\r\n ", ""), re.M).group(1).strip()
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", uid) or f"event{n}"
        (folder / f"{name}.ics").write_text(text, encoding="utf-8", newline="")


def config_text(server_url: str) -> str:
    return (
        '[user]\nname = "Alex Rivera"\nemail = "alex@example.com"\n'
        'timezone = "America/New_York"\n' + cc.CAPTURE_CONFIG + "\n[providers.dav]\n"
        'type = "caldav"\n'
        f'url = "{server_url}"\n'
        'username = "alice"\n'
        f'password_env = "{PW_ENV}"\n'
        'calendar = "Job follow-ups"\n'
        'features = "radicale"\n'
        '\n[capture.sources.personal]\nprovider = "dav"\ncalendar = "Personal"\n'
    )


class HttpTimer:
    """Time spent inside the HTTP library caldav uses (niquests), per method."""

    def __init__(self):
        from caldav.lib.http_sync import requests

        self.cls = requests.Session
        self.original = self.cls.request
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def __enter__(self):
        original, seconds, counts = self.original, self.seconds, self.counts

        def timed(session, method, *a, **kw):
            t = time.perf_counter()
            try:
                return original(session, method, *a, **kw)
            finally:
                m = method.upper()
                seconds[m] = seconds.get(m, 0.0) + time.perf_counter() - t
                counts[m] = counts.get(m, 0) + 1

        self.cls.request = timed
        return self

    def __exit__(self, *exc):
        self.cls.request = self.original


def run_cli(argv: list[str], env: dict) -> str:
    result = CliRunner().invoke(cli, argv, env=env, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"capture failed: {result.stderr}")
    return result.stdout


def bench_caldav(root: Path, runs: int) -> dict:
    objects = thousand_events()
    server = start_radicale(root / "radicale")
    server.stop()  # write the storage while nothing reads it, then start again
    write_radicale_storage(root / "radicale" / "storage", objects)
    server = start_radicale(root / "radicale", port=server.port)
    try:
        config = root / "config.toml"
        config.write_text(config_text(server.url))
        env = {PW_ENV: server.password}
        argv = ["--data-dir", str(root / "data"), "--config", str(config), "--today", TODAY]
        t = time.perf_counter()
        first = json.loads(
            run_cli([*argv, "capture", "--json"], env)
        )  # Radicale's cache, discovery
        first_seconds = time.perf_counter() - t
        samples = []
        for _ in range(runs):
            with HttpTimer() as timer:
                t = time.perf_counter()
                data = json.loads(run_cli([*argv, "capture", "--json"], env))
                total = time.perf_counter() - t
            samples.append(
                (
                    total,
                    sum(timer.seconds.values()),
                    timer.seconds.get("REPORT", 0.0),
                    dict(timer.counts),
                )
            )
        assert data["candidates"] == first["candidates"]
        total, http, report, counts = sorted(samples)[len(samples) // 2]
        wall = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "followup_sync", *argv, "capture", "--json"],
                env={**os.environ, **env},
                check=True,
                capture_output=True,
            )
            wall.append(time.perf_counter() - t)
        in_window = sum(s["events"] for s in data["sources"])
        companies = sorted(c["company"] for c in data["candidates"])
    finally:
        server.stop()
    return {
        "first": first_seconds,
        "total": total,
        "http": http,
        "report": report,
        "ours": total - http,
        "counts": counts,
        "process": statistics.median(wall),
        "events": in_window,
        "candidates": len(data["candidates"]),
        "companies": companies,
    }


def bench_feed(root: Path, runs: int) -> dict:
    """The same 1,000 events as one feed: GET time against our time."""
    import urllib.request

    objects = thousand_events()
    body, zones = [], {}
    for text in objects:
        inner = text.split("CALSCALE:GREGORIAN\r\n", 1)[1].rsplit("END:VCALENDAR", 1)[0]
        while "BEGIN:VTIMEZONE" in inner:
            s = inner.index("BEGIN:VTIMEZONE")
            e = inner.index("END:VTIMEZONE\r\n", s) + len("END:VTIMEZONE\r\n")
            zones[inner[s:e].split("TZID:", 1)[1].split("\r\n", 1)[0]] = inner[s:e]
            inner = inner[:s] + inner[e:]
        body.append(inner)
    feed = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        "X-WR-CALNAME:alex.rivera@gmail.com\r\nX-WR-TIMEZONE:America/New_York\r\n"
        + "".join(zones.values())
        + "".join(body)
        + "END:VCALENDAR\r\n"
    ).encode()
    server = FeedServer(feed)
    try:
        config = root / "feed.toml"
        config.write_text(
            '[user]\nname = "Alex Rivera"\nemail = "alex@example.com"\n'
            'timezone = "America/New_York"\n' + cc.CAPTURE_CONFIG + "\n[capture.sources.google]\n"
            f'type = "ics_url"\nurl_env = "{URL_ENV}"\n'
        )
        argv = ["--data-dir", str(root / "feed-data"), "--config", str(config), "--today", TODAY]
        env = {URL_ENV: server.url}
        run_cli([*argv, "capture", "--json"], env)
        samples, gets = [], []
        for _ in range(runs):
            t = time.perf_counter()
            with urllib.request.urlopen(server.url) as r:
                r.read()
            gets.append(time.perf_counter() - t)
            t = time.perf_counter()
            data = json.loads(run_cli([*argv, "capture", "--json"], env))
            samples.append(time.perf_counter() - t)
    finally:
        server.close()
    get = statistics.median(gets)
    total = statistics.median(samples)
    return {
        "bytes": len(feed),
        "get": get,
        "total": total,
        "ours": total - get,
        "candidates": len(data["candidates"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    add_rows_option(parser)
    args = parser.parse_args()
    rows = args.rows

    acc = corpus_accuracy()
    print(
        f"corpus: {acc['files']} files, {acc['interviews']} interviews, {acc['negatives']} negatives;"
        f" precision {acc['precision']:.3f}, recall {acc['recall']:.3f}"
        f" ({acc['missed']} missed, {acc['false']} false alarms); {acc['seconds']:.2f} s"
    )
    print(
        "extraction: " + ", ".join(f"{k} {v}/{acc['interviews']}" for k, v in acc["fields"].items())
    )
    with tempfile.TemporaryDirectory() as tmp:
        dav = bench_caldav(Path(tmp), args.runs)
        feed = bench_feed(Path(tmp), args.runs)
    print(
        f"Radicale, 1,000 events: {dav['events']} occurrences in the window, {dav['candidates']}"
        f" candidates ({', '.join(dav['companies'])})"
    )
    print(f"first capture (Radicale builds its cache, calendar discovery): {dav['first']:.2f} s")
    print(
        f"capture --json in-process, median of {args.runs}: {dav['total']:.3f} s ="
        f" HTTP {dav['http']:.3f} s (REPORT {dav['report']:.3f} s; requests {dav['counts']})"
        f" + ours {dav['ours']:.3f} s"
    )
    print(f"capture --json as a process (start-up and imports included): {dav['process']:.2f} s")
    print(
        f"ICS feed of the same events ({dav['events']} in window, {feed['bytes'] // 1024} KiB):"
        f" GET {feed['get'] * 1000:.0f} ms, capture {feed['total']:.3f} s, ours {feed['ours']:.3f} s,"
        f" {feed['candidates']} candidates"
    )
    emit(
        rows,
        "capture",
        f"corpus precision / recall ({acc['interviews']} interviews, {acc['negatives']} negatives)",
        f"{acc['precision']:.2f} / {acc['recall']:.2f}",
        ">= .95 / .90",
    )
    emit(
        rows,
        "capture",
        "corpus extraction: company / role / interviewers / time",
        "/".join(str(acc["fields"][k]) for k in ("company", "role", "interviewers", "start"))
        + f" of {acc['interviews'] - acc['missed']}",
    )
    emit(
        rows,
        "capture",
        "1,000-event calendar: candidates found (11 interviews)",
        str(dav["candidates"]),
        "11",
    )
    emit(
        rows,
        "capture",
        "from Radicale: the REPORT (server and transfer)",
        f"{dav['report']:.2f} s",
    )
    emit(
        rows,
        "capture",
        "from Radicale: our own time beyond HTTP",
        f"{dav['ours']:.2f} s",
        "< 1 s",
    )
    emit(
        rows,
        "capture",
        "from Radicale: as a process (start-up included)",
        f"{dav['process']:.2f} s",
    )
    emit(
        rows,
        "capture",
        "ICS feed of the same events: GET / our own time",
        f"{feed['get'] * 1000:.0f} ms / {feed['ours']:.2f} s",
    )


if __name__ == "__main__":
    main()
