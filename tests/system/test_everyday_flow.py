"""A job seeker's month without surprises: the everyday flow, one test per reported bug.

Each test drives the CLI on real files as a new user would and failed before its fix.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
from datetime import datetime

import icalendar
import pytest

UID = "followup-sync.acme-backend-engineer.r1.{}"


def ics_config(env, component: str = "VEVENT"):
    path = env.root / "cal.ics"
    env.write_config(f'[providers.cal]\ntype = "ics"\npath = "{path}"\ncomponent = "{component}"\n')
    return path


def components(path, kind="VEVENT"):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(c["UID"]): c for c in cal.walk(kind)}


# --- 1. the next round after "heard --outcome next-round" ------------------------------
def test_next_interview_after_a_next_round_answer_is_the_next_round(env):
    env.add_acme()
    env.run("heard", "acme", "--outcome", "next-round")
    r = env.run("add", "Acme", "--role", "Backend Engineer", "--date", "2026-11-25 10:00")
    assert r.stdout.strip() == "acme-backend-engineer"  # not acme-backend-engineer-2
    assert "Round 2 of acme-backend-engineer" in r.stderr and "reopened" in r.stderr
    (listed,) = env.json("list")["applications"]
    assert (listed["status"], listed["outcome"], listed["rounds"]) == ("waiting", None, 2)
    assert "Subject: Following up" in env.run("draft", "acme").stdout  # not ambiguous


@pytest.mark.parametrize("ending", [["heard", "acme", "--outcome", "rejected"], ["close", "acme"]])
def test_after_a_rejection_or_close_the_same_role_is_a_new_application(env, ending):
    env.add_acme()
    env.run(*ending)
    r = env.run("add", "Acme", "--role", "Backend Engineer", "--date", "2026-11-25 10:00")
    assert r.stdout.strip() == "acme-backend-engineer-2"
    assert "New application acme-backend-engineer-2" in r.stderr


# --- 2. weekday words ----------------------------------------------------------------------
def test_a_reply_by_weekday_is_the_next_one_after_the_interview(env):
    # Monday 2026-11-02: "friday" was 2026-10-30 (and an error) before.
    r = env.run(
        "add",
        "Acme",
        "--role",
        "Dev",
        "--date",
        "today 10:00",
        "--reply-by",
        "friday",
        today="2026-11-02",
    )
    assert "reply by:        Fri 2026-11-06" in r.stderr
    assert env.plan(today="2026-11-02")[0]["due"] == "2026-11-09T09:30:00-05:00"  # 2 days after


def test_an_interview_weekday_is_the_coming_one_unless_it_says_last(env):
    r = env.run("add", "Acme", "--role", "Dev", "--date", "friday 10:00", today="2026-11-18")
    # Wednesday the 18th: the coming Friday, not the 13th; and it says so.
    assert "interview:       Fri 2026-11-20 10:00 EST (America/New_York)" in r.stderr
    assert "first follow-up: Fri 2026-11-27 09:30" in r.stderr
    r = env.run("add", "Globex", "--role", "Dev", "--date", "last friday 10:00", today="2026-11-18")
    assert "interview:       Fri 2026-11-13 10:00 EST" in r.stderr


def test_edit_echoes_what_it_understood(env):
    env.add_acme()
    r = env.run("edit", "acme", "--reply-by", "wednesday")
    # Counted from the interview (Friday the 20th), not from today.
    assert "reply by:        Wed 2026-11-25" in r.stderr
    assert "interview:       Fri 2026-11-20 14:00 EST" in r.stderr


# --- 3. a late draft is phrased from the day it is written ----------------------------------
def test_an_overdue_draft_is_phrased_from_today(env):
    env.run("add", "Acme", "--role", "Backend Engineer", "--date", "2026-11-02 10:00",
            "--interviewer", "Jane Doe <jane@acme.example>", today="2026-11-02")  # fmt: skip
    # Nudge 1 was due Monday the 9th; the user writes it on Friday the 20th.
    text = env.run("draft", "acme", today="2026-11-20").stdout
    assert "speaking with me on November 2 about" in text and "last Monday" not in text
    eml = env.run("draft", "acme", "--format", "eml", today="2026-11-20").stdout.encode()
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    assert msg["Date"].datetime.date().isoformat() == "2026-11-20"
    # Written on time, it says "last Monday".
    assert "last Monday" in env.run("draft", "acme", today="2026-11-09").stdout


# --- 5. remove without a terminal ----------------------------------------------------------
def test_remove_without_a_terminal_needs_yes(env):
    env.add_acme()
    r = env.run("remove", "acme", expect=1)  # CliRunner's stdin is not a terminal
    assert "needs --yes when not run at a terminal" in r.stderr
    assert len(env.json("list")["applications"]) == 1
    env.run("remove", "acme", "--yes")
    assert env.json("list")["applications"] == []


# --- 6. interviewers as people type them -----------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "to", "greeting"),
    [
        (["Jane Doe jane@x.example"], ["jane@x.example"], "Dear Jane,"),
        (
            ["jane@x.example, bob@x.example"],
            ["jane@x.example", "bob@x.example"],
            "Dear Acme hiring team,",
        ),
        (["Lang, Petra <p@x.example>"], ["p@x.example"], "Dear Petra,"),
        (
            ["Jane Doe <jane@x.example>", "Bob Roe <bob@x.example>"],
            ["jane@x.example", "bob@x.example"],
            "Dear Jane and Bob,",
        ),
    ],
)
def test_interviewer_addresses_are_never_lost(env, typed, to, greeting):
    args = [a for t in typed for a in ("--interviewer", t)]
    env.run("add", "Acme", "--role", "Dev", "--date", "2026-11-20 14:00", *args)
    eml = env.run("draft", "acme", "--format", "eml").stdout.encode()
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    assert [a.addr_spec for a in msg["To"].addresses] == to
    assert greeting in msg.get_content()
    assert ",," not in msg.get_content()


def test_an_unreadable_interviewer_is_refused_naming_the_value(env):
    r = env.run(
        "add", "Acme", "--role", "Dev", "--date", "2026-11-20", "--interviewer", "Jane Doe <jane@x>",
        expect=1,
    )  # fmt: skip
    assert "interviewer 'Jane Doe <jane@x>': 'jane@x' is not an email address" in r.stderr
    assert env.json("list")["applications"] == []


def test_a_csv_cell_with_two_people_gives_both(env):
    path = env.root / "apps.csv"
    path.write_text(
        "company,role,date,interviewers\n"
        'Acme,Dev,2026-11-20 14:00,"Jane Doe <jane@x.example>, Bob Roe <bob@x.example>"\n'
    )
    env.run("import", str(path))
    text = env.run("draft", "acme").stdout
    assert text.split("\n")[2] == "Dear Jane and Bob,"


# --- 7. importing an edited spreadsheet again ---------------------------------------------------
def test_reimporting_an_edited_spreadsheet_updates_the_changed_fields(env):
    path = env.root / "apps.csv"
    header = "company,role,date,skills\n"
    path.write_text(header + "Acme,Dev,2026-11-20 14:00,Python\n")
    assert (
        "1 new application, 0 new rounds, 0 updated, 0 unchanged"
        in env.run("import", str(path)).stdout
    )
    assert (
        "0 new applications, 0 new rounds, 0 updated, 1 unchanged"
        in env.run("import", str(path)).stdout
    )
    # The skills cell changed: updated, and the draft uses it.
    path.write_text(header + "Acme,Dev,2026-11-20 14:00,Python and Go\n")
    assert "1 updated" in env.run("import", str(path)).stdout
    assert "experience with Python and Go" in env.run("draft", "acme").stdout
    # A corrected date: the same round moves, no phantom round 2.
    path.write_text(header + "Acme,Dev,2026-11-19 14:00,Python and Go\n")
    assert "1 updated" in env.run("import", str(path)).stdout
    (listed,) = env.json("list")["applications"]
    assert listed["rounds"] == 1 and listed["last_interview"] == "2026-11-19T14:00:00-05:00"


def test_relative_dates_in_a_file_are_refused(env):
    path = env.root / "apps.csv"
    path.write_text("company,role,date\nAcme,Dev,yesterday\n")
    r = env.run("import", str(path), expect=1)
    assert "apps.csv row 2: column date: 'yesterday' depends on the day you import it" in r.stderr
    assert "write the date itself (e.g. 2026-11-25)" in r.stderr
    assert env.json("list")["applications"] == []


# --- 8. impossible sent marks -------------------------------------------------------------------
def test_sent_refuses_impossible_marks(env):
    env.add_acme()
    r = env.run("sent", "acme", "--attempt", "3", expect=1)
    assert "follow-up 1 of acme-backend-engineer is not marked sent yet" in r.stderr
    r = env.run("sent", "acme", "--on", "2026-11-30", expect=1)  # today is the 26th
    assert "is in the future" in r.stderr
    env.run("sent", "acme", "--on", "2026-11-25")
    r = env.run("sent", "acme", "--attempt", "1", "--on", "2026-11-26", expect=1)
    assert "already marked sent on 2026-11-25; add --force" in r.stderr
    env.run("sent", "acme", "--attempt", "1", "--on", "2026-11-26", "--force")
    assert env.plan()[0]["sent_on"] == "2026-11-26"


# --- 9. a sent follow-up shows on the day it was sent ---------------------------------------------
def test_a_sent_follow_up_shows_on_its_sent_day(env):
    path = ics_config(env)
    env.add_acme()
    env.run("sent", "acme", "--on", "2026-11-24")  # planned for the 27th, sent early
    assert env.plan()[0]["due"] == "2026-11-24T09:30:00-05:00"
    env.run("push")
    event = components(path)[UID.format("nudge-1")]
    assert event["DTSTART"].dt.date().isoformat() == "2026-11-24"
    assert str(event["SUMMARY"]).startswith("Sent: ")


# --- 10. the move-on marker --------------------------------------------------------------------------
def test_completing_the_move_on_task_closes_the_application(env):
    path = ics_config(env, "VTODO")
    env.add_acme()
    env.run("push")
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    for todo in cal.walk("VTODO"):
        if str(todo["UID"]) == UID.format("move-on"):
            todo["STATUS"] = "COMPLETED"
            todo.add("COMPLETED", datetime(2026, 12, 1, 15, 0))
    path.write_bytes(cal.to_ical())
    out = env.run("push", today="2026-12-01").stdout
    assert "acme-backend-engineer closed (you moved on)" in out
    (listed,) = env.json("list", "--all", today="2026-12-01")["applications"]
    assert listed["status"] == "closed"
    assert "you edited" not in out


def test_the_move_on_marker_counts_the_follow_ups_actually_sent(env):
    env.add_acme()
    env.run("sent", "acme", "--on", "2026-11-26")
    env.run("sent", "acme", "--on", "2026-12-04", today="2026-12-04")
    plan = env.run("push", "--dry-run", today="2026-12-04").stdout
    assert "No reply from Acme after 2 of 3 follow-ups: time to move on" in plan
    assert "after 3 follow-ups" not in plan


# --- 11. no library warning on the terminal -------------------------------------------------------
def test_holidays_of_any_country_print_no_warning(env):
    env.write_config('[rules]\nholidays = "IN"\n')
    env.add_acme()
    out = subprocess.run(
        env.argv("plan"), capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": ""}
    )
    assert out.returncode == 0 and out.stderr == "", out.stderr


# --- 12. a missing config ---------------------------------------------------------------------------
def test_a_named_config_that_does_not_exist_is_an_error(env):
    missing = env.root / "nope.toml"
    r = env.run("--config", str(missing), "list", expect=3)
    assert f"config file {missing} does not exist" in r.stderr and "init" in r.stderr
    # init creates exactly that file.
    env.run("--config", str(missing), "init", "--name", "Alex", "--timezone", "Europe/Berlin")
    assert missing.exists()


def test_without_any_config_the_user_is_told_once_how_to_set_name_and_zone(env, tmp_path):
    os_env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "FOLLOWUP_SYNC_CONFIG": ""}
    argv = ["--data-dir", str(env.data_dir), "--today", "2026-11-26"]
    from click.testing import CliRunner

    from followup_sync.cli import cli

    r = CliRunner().invoke(
        cli, [*argv, "add", "Acme", "--role", "Dev", "--date", "2026-11-20"], env=os_env
    )
    assert r.exit_code == 0, r.stderr
    assert r.stderr.count("Note: no config at") == 1
    assert "followup-sync init --name NAME --email ADDRESS --timezone ZONE" in r.stderr


# --- 13. the small ones -----------------------------------------------------------------------------
def test_editing_a_field_only_nudge_1_uses_rewrites_only_nudge_1(env):
    path = ics_config(env)
    env.add_acme()
    env.run("push")
    # The user retitles nudge 2 in their calendar app.
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    for ev in cal.walk("VEVENT"):
        if str(ev["UID"]) == UID.format("nudge-2"):
            ev["SUMMARY"] = "My own words"
    path.write_bytes(cal.to_ical())
    assert "1 kept (your edits)" in env.run("push").stdout
    # Later the user adds an accomplishment: only nudge 1's email mentions it, so
    # only nudge 1 is rewritten; nudge 2 (and the user's title for it) stay.
    env.run("edit", "acme", "--accomplishment", "shipped the billing API")
    out = env.run("push").stdout
    assert "0 created, 1 updated, 0 deleted, 3 unchanged" in out
    events = components(path)
    assert str(events[UID.format("nudge-2")]["SUMMARY"]) == "My own words"
    assert "shipped the billing API" in str(events[UID.format("nudge-1")]["DESCRIPTION"])


def test_an_existing_calendar_files_name_and_producer_are_kept(env):
    path = ics_config(env)
    path.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 14//EN\r\n"
        b"X-WR-CALNAME:Work\r\nBEGIN:VEVENT\r\nUID:dentist@example.com\r\n"
        b"DTSTAMP:20261101T000000Z\r\nDTSTART:20261203T150000Z\r\nSUMMARY:Dentist\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    env.add_acme()
    env.run("push")
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(cal["PRODID"]) == "-//Apple Inc.//macOS 14//EN"
    assert str(cal["X-WR-CALNAME"]) == "Work"
    assert len(list(cal.walk("VEVENT"))) == 5


def test_wording(env):
    env.add_acme()
    out = env.run("sent", "acme", "--on", "2026-11-25").stdout
    assert "Next: follow-up 2, " in out
    for n in (2, 3):
        env.run("sent", "acme", "--on", "2026-11-26", "--attempt", str(n), "--force")
    out = env.run("sent", "acme", "--on", "2026-11-26", "--attempt", "3", "--force").stdout
    assert "move on on" not in out and "Next: the move-on marker, " in out
    path = env.root / "one.json"
    path.write_text(
        json.dumps([{"company": "Acme", "role": "Backend Engineer", "date": "2026-12-01 10:00"}])
    )
    # Rows are numbered by date within the file: this one is round 1, an update.
    assert "1 updated" in env.run("import", str(path)).stdout
    path.write_text(
        json.dumps(
            [
                {"company": "Acme", "role": "Backend Engineer", "date": "2026-12-01 10:00"},
                {"company": "Acme", "role": "Backend Engineer", "date": "2026-12-08 10:00"},
            ]
        )
    )
    assert (
        "0 new applications, 1 new round, 0 updated, 1 unchanged"
        in env.run("import", str(path)).stdout
    )
    r = env.run("feed", "url")
    assert "https://" not in r.stdout + r.stderr or r.stdout.startswith("https://")
    assert "paste the first URL" in r.stderr


def test_the_same_interview_twice_in_a_file_is_one_round_at_every_import(env):
    """Found by hypothesis: duplicate rows shifted the round numbers of later rows."""
    path = env.root / "dup.json"
    row = {"company": "Acme", "role": "Dev", "date": "2026-11-20 14:00"}
    path.write_text(json.dumps([row, row, {**row, "date": "2026-11-27 15:00"}]))
    first = env.run("import", str(path), today="2026-11-28").stdout
    assert "1 new application, 1 new round, 0 updated, 1 unchanged" in first
    again = env.run("import", str(path), today="2026-11-28").stdout
    assert "0 new applications, 0 new rounds, 0 updated, 3 unchanged" in again
