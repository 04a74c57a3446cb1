"""`capture` through the CLI: an invitation file, an ICS address served on loopback, the
review-and-add session, re-runs, moved and cancelled interviews, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support import capture_corpus as cc
from tests.support.ics_feed import FeedServer, google_feed

URL_ENV = "CAPTURE_TEST_ICS_URL"
NY = ZoneInfo("America/New_York")
EXPECTED = cc.expected()
#: The candidate keys README documents, then the ones we add.
CONTRACT = {
    "n",
    "uid",
    "source",
    "start",
    "end",
    "company",
    "role",
    "stage",
    "interviewers",
    "signals",
    "status",
}
EXTRA = {"at", "application", "round", "recorded_at", "sessions", "title"}


@pytest.fixture
def cap_env(env):
    env.write_config(cc.CAPTURE_CONFIG)
    return env


@pytest.fixture
def feed():
    servers = []

    def start(ids):
        server = FeedServer(google_feed([cc.ROOT / f"{i}.ics" for i in ids]))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def with_url_source(env, server, name="google"):
    env.write_config(
        cc.CAPTURE_CONFIG + f'\n[capture.sources.{name}]\ntype = "ics_url"\nurl_env = "{URL_ENV}"\n'
    )
    return {URL_ENV: server.url}


# --- an invitation file ----------------------------------------------------------------------
def test_an_invitation_file_is_proposed_then_added_like_add(cap_env):
    invite = cc.ROOT / "i01-greenhouse-acme-technical.ics"
    assert "METHOD:REQUEST" in invite.read_text()
    out = cap_env.run("capture", "--file", str(invite)).stdout
    assert (
        "[1] Wed 2026-11-18 14:00 EST  Acme Robotics | Senior Backend Engineer | technical" in out
    )
    assert "Rita Recruiter <rita.recruiter@acme-robotics.example>" in out
    assert "sent through Greenhouse" in out
    assert cap_env.json("list")["applications"] == []  # nothing added without confirmation
    added = cap_env.run("capture", "--file", str(invite), "--add", "1").stdout
    assert "[1] new application acme-robotics-senior-backend-engineer" in added
    shown = cap_env.json("show", "acme-robotics")
    assert shown["rounds"][0]["at"] == "2026-11-18T14:00:00-05:00"
    assert shown["rounds"][0]["stage"] == "technical"
    assert shown["rounds"][0]["interviewers"] == [
        "Rita Recruiter <rita.recruiter@acme-robotics.example>",
        "Jane Doe <jane.doe@acme-robotics.example>",
    ]
    assert cap_env.plan()[0]["due"] == "2026-11-25T09:30:00-05:00"
    # A second run proposes nothing new.
    again = cap_env.json("capture", "--file", str(invite))
    assert again["candidates"] == []
    assert "1 added before" in cap_env.run("capture", "--file", str(invite)).stdout


def test_a_saved_invitation_email_is_read_like_its_attachment(cap_env, tmp_path):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"] = "Invitation: Interview: Platform Engineer"
    msg["From"] = "Thomas Blue <thomas.blue@bluedev.onmicrosoft.com>"
    msg["To"] = "alex@example.com"
    msg.set_content("You have been invited.")
    ics = (cc.ROOT / "i10-teams-bluedev.ics").read_bytes()
    msg.add_alternative(ics.decode(), subtype="calendar", params={"method": "REQUEST"})
    path = tmp_path / "invite.eml"
    path.write_bytes(bytes(msg))
    data = cap_env.json("capture", "--file", str(path))
    (c,) = data["candidates"]
    assert (c["company"], c["role"]) == ("Bluedev", "Platform Engineer")
    assert c["start"] == "2026-11-17T08:30:00-05:00"  # 14:30 W. Europe Standard Time


def test_a_cancellation_file_reports_the_added_interview(cap_env, tmp_path):
    invite = cc.ROOT / "i10-teams-bluedev.ics"
    cap_env.run("capture", "--file", str(invite), "--add", "1")
    cancel = tmp_path / "cancel.ics"
    cancel.write_text(
        invite.read_text()
        .replace("METHOD:REQUEST", "METHOD:CANCEL")
        .replace("STATUS:CONFIRMED", "STATUS:CANCELLED")
    )
    out = cap_env.run("capture", "--file", str(cancel)).stdout
    assert "No longer standing" in out
    assert "cancelled; followup-sync close bluedev-platform-engineer" in out
    assert "followup-sync remove bluedev-platform-engineer" in out
    data = cap_env.json("capture", "--file", str(cancel))
    assert data["cancelled"][0]["commands"] == [
        "followup-sync close bluedev-platform-engineer",
        "followup-sync remove bluedev-platform-engineer",
    ]


# --- an ICS address ------------------------------------------------------------------------
def test_a_google_feed_gives_every_interview_round_and_nothing_else(cap_env, feed):
    server = feed(sorted(EXPECTED))
    env_vars = with_url_source(cap_env, server)
    data = json.loads(cap_env.run("capture", "--json", env=env_vars).stdout)
    assert len(server.requests) == 1  # fetched whole, once
    assert data["window"] == {"since": "2026-09-27", "until": "2026-12-26"}
    assert cc.got_rounds(data) == cc.expected_rounds()
    for c in data["candidates"]:
        assert set(c) == CONTRACT | EXTRA
        assert c["status"] == "new" and c["source"] == "google"
        assert datetime.fromisoformat(c["start"]).utcoffset() is not None
    assert [c["n"] for c in data["candidates"]] == list(range(1, len(data["candidates"]) + 1))
    # The Teams invitation keeps its own zone although the feed has X-WR-TIMEZONE.
    bluedev = next(c for c in data["candidates"] if c["company"] == "Bluedev")
    assert bluedev["start"] == "2026-11-17T08:30:00-05:00"
    # The secret address reaches no output.
    out = cap_env.run("capture", env=env_vars)
    for text in (out.stdout, out.stderr, json.dumps(data)):
        assert server.token not in text
    # Titles of events that are not candidates are never printed.
    for title in ("Dentist", "Sam's birthday", "Entretien chaudière", "Weekly 1:1"):
        assert title not in out.stdout and title not in json.dumps(data, ensure_ascii=False)


def test_url_cmd_runs_once_per_capture(cap_env, feed, tmp_path):
    """url_cmd may be `pass show ...`, which asks for a passphrase: once is enough."""
    server = feed(["i12-google-piedpiper"])
    runs = tmp_path / "runs"
    script = tmp_path / "url.sh"
    script.write_text(f"#!/bin/sh\necho run >> {runs}\necho {server.url}\n")
    script.chmod(0o700)
    cap_env.write_config(
        cc.CAPTURE_CONFIG + f'\n[capture.sources.google]\ntype = "ics_url"\nurl_cmd = "{script}"\n'
    )
    data = cap_env.json("capture")
    assert [c["company"] for c in data["candidates"]] == ["Pied Piper"]
    assert runs.read_text().count("run") == 1


def test_a_refused_or_wrong_address_is_one_line_without_the_secret(cap_env, feed):
    server = feed(["i12-google-piedpiper"])
    env_vars = with_url_source(cap_env, server)
    server.status = 404
    r = cap_env.run("capture", env=env_vars, expect=4)
    assert r.stderr.count("\n") == 1 and "HTTP 404" in r.stderr and "reset" in r.stderr
    assert server.token not in r.stderr + r.stdout
    assert "127.0.0.1" in r.stderr  # the host, never the path
    server.status = 200
    server.body = b"<html><body>Sign in</body></html>"
    r = cap_env.run("capture", env=env_vars, expect=4)
    assert "did not return a calendar" in r.stderr and server.token not in r.stderr
    # Deciding on a list that could not be read completely is refused.
    r = cap_env.run("capture", "--add", "1", env=env_vars, expect=4)
    assert cap_env.json("list")["applications"] == []


def test_an_unreadable_event_is_counted_and_its_title_never_shown(cap_env, feed):
    server = feed(["i12-google-piedpiper"])
    server.body = server.body.replace(
        b"END:VCALENDAR",
        b"BEGIN:VEVENT\r\nUID:bad1\r\nDTSTART:20261120T99\r\nSUMMARY:Therapy with Dr. Secret\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR",
    )
    env_vars = with_url_source(cap_env, server)
    out = cap_env.run("capture", env=env_vars).stdout
    assert "Pied Piper" in out
    assert "1 event(s) could not be read" in out
    assert "Secret" not in out


def test_review_add_rerun_move_and_cancel(cap_env, feed):
    server = feed(["i12-google-piedpiper", "i06-calendly-hooli-recruiter", "i14-workable-wayne"])
    env_vars = with_url_source(cap_env, server)

    def capture(*args, expect=0):
        return cap_env.run("capture", *args, env=env_vars, expect=expect)

    listed = json.loads(capture("--json").stdout)["candidates"]
    assert [(c["n"], c["company"]) for c in listed] == [
        (1, "Pied Piper"),
        (2, "Hooli"),
        (3, "Wayne Enterprises"),
    ]
    out = capture("--add", "1,2").stdout
    assert "[1] new application pied-piper-frontend-developer" in out
    assert "[2] new application hooli-platform-engineer" in out
    assert "Next: followup-sync push" in out
    # Numbers stay put while deciding one command at a time.
    assert "[3] Ignored" not in capture("--ignore", "3").stdout
    assert json.loads(capture("--json").stdout)["candidates"] == []
    assert "2 added before, 1 ignored before" in capture().stdout
    ignored = json.loads(capture("--json", "--all").stdout)["candidates"]
    assert [(c["n"], c["status"]) for c in ignored] == [(3, "ignored")]
    before = [i["due"] for i in cap_env.plan() if i["application"].startswith("pied")]

    # The recruiter moves the interview by two days.
    server.body = server.body.replace(b"DTSTART:20261002T170000Z", b"DTSTART:20261004T170000Z")
    server.body = server.body.replace(b"DTEND:20261002T174500Z", b"DTEND:20261004T174500Z")
    (moved,) = json.loads(capture("--json").stdout)["candidates"]
    assert moved["status"] == "update" and moved["application"] == "pied-piper-frontend-developer"
    assert moved["recorded_at"] == "2026-10-02T13:00:00-04:00"
    assert moved["start"] == "2026-10-04T13:00:00-04:00"
    assert "update the interview date of pied-piper-frontend-developer round 1" in capture().stdout
    assert "moved; follow-ups re-planned" in capture("--add", str(moved["n"])).stdout
    after = [i["due"] for i in cap_env.plan() if i["application"].startswith("pied")]
    assert after != before
    assert cap_env.json("show", "pied")["rounds"][0]["at"] == "2026-10-04T13:00:00-04:00"
    assert json.loads(capture("--json").stdout)["candidates"] == []

    # Then it is cancelled.
    server.body = server.body.replace(
        b"SUMMARY:Interview with Pied Piper", b"SUMMARY:Interview with Pied Piper"
    )
    server.body = server.body.replace(
        b"STATUS:CONFIRMED\r\nSUMMARY:Interview with Pied Piper",
        b"STATUS:CANCELLED\r\nSUMMARY:Interview with Pied Piper",
    )
    data = json.loads(capture("--json").stdout)
    assert [(x["application"], x["why"]) for x in data["cancelled"]] == [
        ("pied-piper-frontend-developer", "cancelled")
    ]
    cap_env.run("close", "pied")
    assert json.loads(capture("--json").stdout)["cancelled"] == []

    # An added interview that disappears from the calendar is reported too.
    start = server.body.index(b"BEGIN:VEVENT\r\nDTSTART:20261014T160000Z")
    end = server.body.index(b"END:VEVENT\r\n", start) + len(b"END:VEVENT\r\n")
    server.body = server.body[:start] + server.body[end:]
    gone = json.loads(capture("--json").stdout)["cancelled"]
    assert [(x["application"], x["why"]) for x in gone] == [
        ("hooli-platform-engineer", "no longer in google (deleted, or moved out of the window)")
    ]


def test_edit_before_adding_and_the_next_round(cap_env, feed):
    server = feed(["i06-calendly-hooli-recruiter", "i05-ashby-hooli-onsite-1"])
    env_vars = with_url_source(cap_env, server)
    out = cap_env.run(
        "capture", "--edit", "1", "--role", "Staff Platform Engineer", env=env_vars
    ).stdout
    assert "Hooli | Staff Platform Engineer" in out and "Nothing recorded" in out
    assert cap_env.json("list")["applications"] == []
    cap_env.run(
        "capture", "--edit", "1", "--role", "Staff Platform Engineer", "--add", "1", env=env_vars
    )
    # The onsite is offered as a new round only once the role agrees.
    data = json.loads(cap_env.run("capture", "--json", env=env_vars).stdout)
    assert [c["status"] for c in data["candidates"]] == ["new"]
    out = cap_env.run(
        "capture", "--edit", "2", "--role", "Staff Platform Engineer", "--add", "2", env=env_vars
    ).stdout
    assert "[2] round 2 of hooli-staff-platform-engineer" in out
    assert [r["number"] for r in cap_env.json("show", "hooli")["rounds"]] == [1, 2]


def test_a_candidate_without_a_role_needs_one(cap_env, tmp_path):
    invite = tmp_path / "invite.ics"
    invite.write_text(
        (cc.ROOT / "i12-google-piedpiper.ics")
        .read_bytes()
        .decode()
        .replace("Position: Frontend Developer", "")
    )
    r = cap_env.run("capture", "--file", str(invite), "--add", "1", expect=1)
    assert "candidate 1 (Pied Piper) has no role: give one with --edit 1 --role ROLE" in r.stderr
    cap_env.run("capture", "--file", str(invite), "--edit", "1", "--role", "Engineer", "--add", "1")
    assert cap_env.json("list")["applications"][0]["role"] == "Engineer"


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "config,args,code,message",
    [
        ("", ["capture"], 3, "no capture source is configured"),
        ("", ["capture", "--source", "nope"], 3, "no capture source 'nope'"),
        ('[capture.sources.x]\npath = "a.ics"\n', ["capture"], 3, "needs a type"),
        ('[capture.sources.x]\ntype = "file"\n', ["capture"], 3, "needs path"),
        (
            '[capture.sources.x]\ntype = "file"\npath = "a"\nurl = 1\n',
            ["capture"],
            3,
            "unknown key",
        ),
        ('[capture.sources.x]\ntype = "ics_url"\n', ["capture"], 3, "needs url"),
        ('[capture.sources.x]\ntype = "ics_url"\nurl = "ftp://x"\n', ["capture"], 3, "https://"),
        ('[capture.sources.x]\ntype = "todoist"\n', ["capture"], 3, "cannot read a calendar"),
        ('[capture.sources.x]\ntype = "gcal"\n', ["capture"], 3, "unknown type 'gcal'"),
        ('[capture.sources.x]\nprovider = "nope"\n', ["capture"], 3, "is not a [providers.NAME]"),
        (
            '[providers.dav]\ntype = "caldav"\nurl = "http://127.0.0.1:9/"\n'
            '[capture.sources.x]\nprovider = "dav"\n',
            ["capture"],
            3,
            "needs calendar",
        ),
        ("[capture]\nmy_domains = [1]\n", ["capture"], 3, "must be a list of strings"),
        ("[capture]\npast_days = -1\n", ["capture"], 3, "between 0 and 3650"),
        ("", ["capture", "--company", "X"], 2, "go with --edit N"),
        ("", ["capture", "--edit", "1"], 2, "needs what to change"),
        ("", ["capture", "--file", "missing.ics"], 1, "no such file"),
        ("", ["capture", "--file", "{corpus}", "--add", "7"], 1, "no candidate 7"),
        ("", ["capture", "--file", "{corpus}", "--add", "1", "--ignore", "1"], 1, "both"),
        (
            "",
            ["capture", "--file", "{corpus}", "--since", "2026-12-01", "--until", "2026-11-01"],
            1,
            "before --since",
        ),
    ],
)
def test_bad_input_is_one_line_and_its_exit_code(cap_env, config, args, code, message):
    cap_env.write_config(config)
    args = [a.replace("{corpus}", str(cc.ROOT / "i12-google-piedpiper.ics")) for a in args]
    r = cap_env.run(*args, expect=code)
    assert message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    if code != 2:
        assert r.stderr.count("\n") == 1


def test_a_missing_url_variable_is_a_config_error_before_anything_is_read(cap_env, feed):
    server = feed(["i12-google-piedpiper"])
    with_url_source(cap_env, server)
    r = cap_env.run("capture", env={URL_ENV: ""}, expect=3)
    assert f"environment variable {URL_ENV}" in r.stderr and r.stderr.count("\n") == 1
    assert server.requests == []


def test_a_file_that_is_not_a_calendar(cap_env, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Interview with Acme on Friday\n")
    r = cap_env.run("capture", "--file", str(path), expect=1)
    assert "is not an iCalendar file" in r.stderr and r.stderr.count("\n") == 1


def test_capture_help_imports_nothing_heavy(cap_env):
    code = (
        "import sys\nfrom followup_sync.cli import cli\n"
        "try:\n    cli.main(sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('caldav', 'icalendar', 'recurring_ical_events', 'urllib.request',"
        " 'http.client', 'dateparser') if m in sys.modules]\nprint('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "capture", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "HEAVY="
