"""Our ICS output read by an independent parser (Mozilla's ical.js via node) and by icalendar.

Hostile input never adds a component or property; every TZID resolves to a VTIMEZONE;
start times agree across parsers and across a DST change.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Env
from tests.support import ical_js

pytestmark = [pytest.mark.node]


def push_file(env: Env, component: str = "VEVENT") -> Path:
    path = env.root / "cal.ics"
    env.write_config(f'[providers.cal]\ntype = "ics"\npath = "{path}"\ncomponent = "{component}"\n')
    return path


def test_icaljs_reads_every_event_across_dst_with_resolved_zones(env):
    path = push_file(env)
    # Interview Feb 24, 2027: nudges Mar 3, 10, 17 cross US DST (Mar 14) and Europe's (Mar 28).
    env.add_acme(date="2027-02-24 10:00")
    env.run("push", today="2027-02-25")
    parsed = ical_js.parse(path)
    assert parsed["timezones"] == ["America/New_York"]
    ours = icalendar.Calendar.from_ical(path.read_bytes())
    py_events = {str(e["UID"]): e for e in ours.walk("VEVENT")}
    assert len(parsed["events"]) == len(py_events) == 4
    tz = ZoneInfo("America/New_York")
    for ev in parsed["events"]:
        assert ev["tz_resolved"] and not ev["floating"] and ev["tzid"] == "America/New_York"
        start_utc = datetime.fromisoformat(ev["start"].replace("Z", "+00:00"))
        local = start_utc.astimezone(tz)
        assert (local.hour, local.minute) == (9, 30), ev  # wall clock kept across DST
        assert start_utc == py_events[ev["uid"]]["DTSTART"].dt
        assert ev["alarms"] == 1
    offsets = {
        datetime.fromisoformat(e["start"].replace("Z", "+00:00")).hour for e in parsed["events"]
    }
    assert offsets == {14, 13}  # 09:30 EST = 14:30Z, 09:30 EDT = 13:30Z


def test_icaljs_reads_tasks(env):
    path = push_file(env, "VTODO")
    env.add_acme()
    env.run("push")
    parsed = ical_js.parse(path)
    assert len(parsed["todos"]) == 4 and not parsed["events"]
    assert all(t["tz_resolved"] for t in parsed["todos"])


HOSTILE = [
    "Acme\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:pwned",
    "Acme\nBEGIN:VALARM\nACTION:EMAIL\nEND:VALARM",
    'Acme;X-EVIL="1":x,y\\n',
    "Acme\x00\x1b[31m\u202e",
]


@pytest.mark.parametrize("company", HOSTILE)
def test_hostile_company_stays_inside_its_text(env, company):
    path = push_file(env)
    env.run(
        "add",
        company,
        "--role",
        "Dev\r\nX-INJECTED:1",
        "--date",
        "2026-11-20",
        "--interviewer",
        "Eve\nBcc: all@corp.example <eve@evil.example>",
    )
    env.run("push")
    _assert_single_clean_series(path)


def _assert_single_clean_series(path: Path) -> None:
    raw = path.read_bytes().decode()
    assert "\nX-INJECTED" not in raw and "\nUID:evil" not in raw and "\nBcc:" not in raw
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    evs = list(cal.walk("VEVENT"))
    assert len(evs) == 4
    assert all(str(e["UID"]).startswith("followup-sync.") for e in evs)
    assert sum(len(e.walk("VALARM")) for e in evs) == 4
    parsed = ical_js.parse(path)
    assert sorted(e["uid"] for e in parsed["events"]) == sorted(str(e["UID"]) for e in evs)
    for e in evs:
        assert "\n" not in str(e["SUMMARY"]) and "\r" not in str(e["SUMMARY"])


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    company=st.text(min_size=1, max_size=60),
    role=st.text(min_size=1, max_size=60),
    person=st.text(max_size=40),
)
def test_any_text_gives_one_parseable_series(tmp_path_factory, company, role, person):
    env = Env(tmp_path_factory.mktemp("h"))
    path = push_file(env)
    args = ["add", "--role", role, "--date", "2026-11-20"]
    if person.strip():
        args += ["--interviewer", person]
    args += ["--", company]  # a company may start with "-"
    r = env.run(*args, expect=None)
    if r.exit_code != 0:
        # Only a clean refusal (e.g. an empty or over-long name) is acceptable.
        assert r.exit_code == 1 and r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1
        assert "Traceback" not in r.stderr
        return
    env.run("push")
    _assert_single_clean_series(path)


def test_vtimezone_is_narrowed_to_the_years_used(env):
    path = push_file(env)
    env.add_acme()
    env.run("push")
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    (vtz,) = cal.walk("VTIMEZONE")
    starts = [c["DTSTART"].dt for c in vtz.subcomponents]
    assert min(starts).year >= 2026 and max(starts) <= datetime(2028, 1, 1)
    assert len(vtz.to_ical()) < 3000
