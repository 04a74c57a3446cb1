"""Scale: 10,000 applications (about 40,000 items).

Prints, measured in one run:
- `import` of 10,000 interviews from CSV (one transaction),
- `plan --json`: wall time and the child process's peak memory,
- ICS render of the same prebuilt items: ours (followup_sync.ical.build_calendar +
  to_ical) against icalendar's own API building the same events by hand + to_ical
  (goal: ratio at most 1.3),
- push to the ICS file: the first one (40,000 creates: goal at most 400 MB), a no-op
  one right after (goal: at most 0.3 s), one after a change to one application, and
  one after the file was edited by another program (every component read again).
Pushes run first, in a lean process: a child forked from this one after its
in-process renders would report this process's size as its own peak.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _table import add_rows_option, emit

BIN = Path(sys.executable).parent
TODAY = "2026-11-26"


def child_peak_mb(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a child, measured with wait4."""
    t = time.perf_counter()
    # As a user runs it: with bytecode caching on (see bench_startup.py).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        raise SystemExit(f"{cmd[-2:]} failed: {proc.stderr.read().decode()[:300]}")
    return wall, usage.ru_maxrss / 1024


def plain_icalendar(items) -> bytes:
    """The same events with icalendar's own API, written by hand, then to_ical()."""
    import icalendar
    from icalendar import vBinary

    cal = icalendar.Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", "-//bench//EN")
    for it in items:
        ev = icalendar.Event()
        ev.add("UID", it.uid)
        ev.add("DTSTAMP", it.last_modified)
        ev.add("LAST-MODIFIED", it.last_modified)
        ev.add("SEQUENCE", it.sequence)
        ev.add("SUMMARY", it.summary)
        ev.add("DESCRIPTION", it.description)
        ev.add("DTSTART", it.item.due)
        ev.add("DTEND", it.item.due + it.duration)
        if it.mailto:
            ev.add("URL", it.mailto)
        if it.eml:
            ev.add(
                "ATTACH",
                vBinary(it.eml),
                parameters={"FMTTYPE": "message/rfc822", "ENCODING": "BASE64", "VALUE": "BINARY"},
            )
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", it.summary)
        alarm.add("TRIGGER", -it.alarm_before)
        ev.add_component(alarm)
        cal.add_component(ev)
    cal.add_missing_timezones(first_date=date(2026, 1, 1), last_date=date(2028, 1, 1))
    return cal.to_ical()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=10_000)
    add_rows_option(parser)
    args = parser.parse_args()
    exe = str(BIN / "followup-sync")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = root / "config.toml"
        ics = root / "followups.ics"
        config.write_text(
            '[user]\nname = "Alex Rivera"\nemail = "alex@example.com"\ntimezone = "America/New_York"\n'
            f'[providers.cal]\ntype = "ics"\npath = "{ics}"\n'
        )
        csv = root / "apps.csv"
        lines = ["company,role,date,interviewers,skills"]
        for i in range(args.apps):
            lines.append(
                f"Company {i},Engineer {i % 7},2026-11-{1 + i % 25:02d} 10:00,"
                f"Pat Lee <pat{i}@c{i}.example>,Python and SQL"
            )
        csv.write_text("\n".join(lines) + "\n")
        base = [exe, "--data-dir", str(root / "data"), "--config", str(config), "--today", TODAY]
        n = args.apps
        print(f"Scale: {n} applications")
        wall, _ = child_peak_mb([*base, "import", str(csv)])
        emit(args.rows, "scale", f"import {n} interviews (CSV, one transaction)", f"{wall:.2f} s")
        wall, peak = child_peak_mb([*base, "plan", "--json"])
        emit(args.rows, "scale", f"plan --json ({n} applications)", f"{wall:.2f} s")
        emit(args.rows, "scale", "plan --json peak memory", f"{peak:.0f} MB")

        wall, peak = child_peak_mb([*base, "push"])
        emit(args.rows, "scale", "first push to the ICS file (all creates)", f"{wall:.1f} s")
        emit(args.rows, "scale", "first push peak memory", f"{peak:.0f} MB", "<= 400 MB")
        wall, peak = child_peak_mb([*base, "push"])
        emit(args.rows, "scale", "no-op push to the ICS file", f"{wall:.2f} s", "<= 0.3 s")
        child_peak_mb([*base, "sent", "company-7-engineer-0", "--on", TODAY])
        wall, peak = child_peak_mb([*base, "push"])
        emit(args.rows, "scale", "push after one application changed", f"{wall:.1f} s")
        emit(args.rows, "scale", "  its peak memory", f"{peak:.0f} MB")
        os.utime(ics)  # a new mtime, as when another program writes the file
        wall, peak = child_peak_mb([*base, "push"])
        emit(
            args.rows, "scale", "push after the file was touched (all read again)", f"{wall:.1f} s"
        )
        emit(args.rows, "scale", "  its peak memory", f"{peak:.0f} MB")

        # ICS render of prebuilt items, ours vs icalendar by hand.
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from followup_sync import ical
        from followup_sync.config import load_settings
        from followup_sync.desired import DesiredState
        from followup_sync.store import Store

        settings = load_settings(config)
        store = Store.open(root / "data")
        planner = DesiredState(
            settings.user, settings.rules, settings.tz, date.fromisoformat(TODAY)
        )
        t = time.perf_counter()
        with store.read() as tx:
            apps = tx.applications()
        items = list(planner.live_push_items(apps).values())
        prep = time.perf_counter() - t
        emit(args.rows, "scale", f"render {len(items)} drafts + .eml (PushItems)", f"{prep:.1f} s")
        t = time.perf_counter()
        ours_bytes = ical.build_calendar(items).to_ical()
        ours = time.perf_counter() - t
        t = time.perf_counter()
        plain_bytes = plain_icalendar(items)
        plain = time.perf_counter() - t
        emit(
            args.rows, "scale", f"ICS render ours ({len(ours_bytes) / 1e6:.0f} MB)", f"{ours:.2f} s"
        )
        emit(
            args.rows,
            "scale",
            f"ICS icalendar by hand ({len(plain_bytes) / 1e6:.0f} MB)",
            f"{plain:.2f} s",
        )
        emit(
            args.rows, "scale", "ICS render ratio ours / icalendar", f"{ours / plain:.2f}", "<= 1.3"
        )
        store.close()
        del items


if __name__ == "__main__":
    main()
