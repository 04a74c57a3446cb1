"""`capture` from real Radicale and Xandikos calendars filled with the corpus.

The user's calendar app is played by a plain caldav client (it PUTs the
invitations, moves and deletes them); requests are counted on the wire by the
loopback proxy. The session the README shows runs here end to end: capture,
review, add, push.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from tests.support import capture_corpus as cc

pytestmark = [pytest.mark.network]

PW_ENV = "CAPTURE_TEST_CALDAV_PASSWORD"
NY = ZoneInfo("America/New_York")
EXPECTED = cc.expected()
_FILLED: dict[str, str] = {}  # server kind -> the calendar holding the whole corpus


def stored(case_id: str) -> str:
    """A corpus file as a calendar object resource: no METHOD (RFC 4791 4.1)."""
    text = (cc.ROOT / f"{case_id}.ics").read_bytes().decode()
    return text.replace("METHOD:REQUEST\r\n", "").replace("METHOD:CANCEL\r\n", "")


def fill(server, ids, name=None):
    name = name or server.new_calendar_name("Personal")
    cal = server.client().principal().make_calendar(name=name)
    for case_id in ids:
        cal.add_event(stored(case_id))
    return name, cal


def corpus_calendar(server) -> str:
    if server.kind not in _FILLED:
        _FILLED[server.kind] = fill(server, sorted(EXPECTED))[0]
    return _FILLED[server.kind]


def configure(env, server, calendar, url=None):
    lines = [
        cc.CAPTURE_CONFIG,
        "[providers.dav]",
        'type = "caldav"',
        f'url = "{url or server.url}"',
        'calendar = "Job follow-ups"',
        "create = true",
        f'features = "{server.features}"',
    ]
    if server.username:
        lines += [f'username = "{server.username}"', f'password_env = "{PW_ENV}"']
    lines += ["", "[capture.sources.personal]", 'provider = "dav"', f'calendar = "{calendar}"']
    env.write_config("\n".join(lines) + "\n")
    return {PW_ENV: server.password or ""}


def test_every_interview_round_from_one_report_and_nothing_written(
    env, caldav_server, counting_proxy_factory
):
    calendar = corpus_calendar(caldav_server)
    proxy = counting_proxy_factory(caldav_server.url)
    os_env = configure(env, caldav_server, calendar, url=proxy.url)
    data = json.loads(env.run("capture", "--json", env=os_env).stdout)
    assert cc.got_rounds(data) == cc.expected_rounds()
    assert {c["source"] for c in data["candidates"]} == {"personal"}
    assert proxy.writes == 0
    assert proxy.counts["REPORT"] == 1, proxy.log
    # The calendar's URL is remembered: the next run is that one REPORT alone.
    proxy.reset()
    again = json.loads(env.run("capture", "--json", env=os_env).stdout)
    assert again["candidates"] == data["candidates"]
    assert proxy.total == 1 and proxy.counts["REPORT"] == 1, proxy.log


def test_capture_review_add_push_then_a_moved_and_a_deleted_interview(env, caldav_server):
    ids = ["i12-google-piedpiper", "i06-calendly-hooli-recruiter", "n13-prep-01"]
    calendar, cal = fill(caldav_server, ids)
    os_env = configure(env, caldav_server, calendar)

    def run(*args, expect=0):
        return env.run(*args, env=os_env, expect=expect)

    listed = json.loads(run("capture", "--json").stdout)["candidates"]
    assert [(c["company"], c["role"]) for c in listed] == [
        ("Pied Piper", "Frontend Developer"),
        ("Hooli", "Platform Engineer"),
    ]
    run("capture", "--add", "all")
    pushed = json.loads(run("push", "--json").stdout)["providers"][0]["result"]
    assert pushed["created"] == 8  # 2 applications x (3 nudges + the move-on marker)
    # A second run proposes nothing new.
    assert json.loads(run("capture", "--json").stdout)["candidates"] == []

    # The recruiter moves the Pied Piper interview; the calendar app stores the update.
    event = cal.event_by_uid("3q8v2m1n0b9c8x7z6l5k4j3h2g@google.com")
    event.data = (
        event.data.replace("DTSTART:20261002T170000Z", "DTSTART:20261008T170000Z")
        .replace("DTEND:20261002T174500Z", "DTEND:20261008T174500Z")
        .replace("SEQUENCE:0", "SEQUENCE:1")
    )
    event.save()
    (moved,) = json.loads(run("capture", "--json").stdout)["candidates"]
    assert (moved["status"], moved["application"]) == ("update", "pied-piper-frontend-developer")
    before = [i["due"] for i in env.plan() if i["application"].startswith("pied")]
    run("capture", "--add", str(moved["n"]))
    after = [i["due"] for i in env.plan() if i["application"].startswith("pied")]
    assert after[0] > before[0]
    pushed = json.loads(run("push", "--json").stdout)["providers"][0]["result"]
    assert pushed["updated"] >= 1 and pushed["created"] == 0

    # The Hooli screen disappears from the calendar.
    cal.event_by_uid("8d1c0c2bbfb24e0f9e1f@calendly.com").delete()
    gone = json.loads(run("capture", "--json").stdout)["cancelled"]
    assert [(x["application"], x["why"]) for x in gone] == [
        ("hooli-platform-engineer", "no longer in personal (deleted, or moved out of the window)")
    ]


def test_a_wrong_password_or_calendar_is_one_line(env, radicale_server):
    os_env = configure(env, radicale_server, corpus_calendar(radicale_server))
    r = env.run("capture", env={PW_ENV: "wrong-password"}, expect=4)
    assert r.stderr.count("\n") == 1 and "refused the credentials" in r.stderr
    assert "wrong-password" not in r.stderr
    configure(env, radicale_server, "No such calendar")
    r = env.run("capture", env=os_env, expect=4)
    assert "no calendar named 'No such calendar'" in r.stderr
