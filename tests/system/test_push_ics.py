"""Push to the ICS file provider through the CLI: plan, apply, re-push, user edits, recovery."""

from __future__ import annotations

import base64
import sqlite3
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

ICS_CONFIG = """
[providers.cal]
type = "ics"
path = "{path}"
"""


@pytest.fixture
def ics(env):
    path = env.root / "out" / "followups.ics"
    env.write_config(ICS_CONFIG.format(path=path))
    env.add_acme()
    return path


def events(path, kind="VEVENT"):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(c["UID"]): c for c in cal.walk(kind)}


def edit_file(path, uid, change):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    for comp in list(cal.subcomponents):
        if comp.get("UID") == uid and change(comp) == "delete":
            cal.subcomponents.remove(comp)
    path.write_bytes(cal.to_ical())


def test_first_push_writes_valid_rfc5545(env, ics):
    out = env.run("push").stdout
    assert "4 created" in out
    cal = icalendar.Calendar.from_ical(ics.read_bytes())
    assert cal.get("UID") is None  # a calendar-level UID collapses feeds in vdirsyncer
    assert str(cal["VERSION"]) == "2.0" and "followup-sync" in str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"])
    raw = ics.read_bytes().decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in raw and "X-PUBLISHED-TTL:PT6H" in raw
    tzids = {str(t["TZID"]) for t in cal.walk("VTIMEZONE")}
    assert tzids == {"America/New_York"}
    evs = events(ics)
    assert len(evs) == 4
    first = evs["followup-sync.acme-backend-engineer.r1.nudge-1"]
    assert str(first["SUMMARY"]) == "Follow up with Jane Doe at Acme: Backend Engineer (1/3)"
    assert first["DTSTART"].dt == datetime.fromisoformat("2026-11-27T09:30:00-05:00")
    assert first["DTSTART"].params["TZID"] == "America/New_York"
    assert first["DTEND"].dt - first["DTSTART"].dt == timedelta(minutes=15)
    for prop in ("DTSTAMP", "SEQUENCE", "LAST-MODIFIED", "URL", "ATTACH"):
        assert prop in first, prop
    assert str(first["URL"]).startswith("mailto:jane@acme.example?")
    assert "mailto:jane@acme.example?" in str(first["DESCRIPTION"])
    assert "Dear Jane," in str(first["DESCRIPTION"])
    attach = first["ATTACH"]
    assert attach.params["FMTTYPE"] == "message/rfc822" and attach.params["ENCODING"] == "BASE64"
    eml = base64.b64decode(str(attach))
    assert b"X-Unsent: 1" in eml and b"jane@acme.example" in eml
    assert first.walk("VALARM")
    move_on = evs["followup-sync.acme-backend-engineer.r1.move-on"]
    # Nothing was marked sent yet: the marker says what actually happened.
    assert (
        str(move_on["SUMMARY"])
        == "No reply from Acme and no follow-up marked sent: time to move on"
    )
    assert "followup-sync close acme-backend-engineer" in str(move_on["DESCRIPTION"])


def test_second_push_writes_nothing(env, ics):
    env.run("push")
    before = ics.read_bytes(), ics.stat().st_mtime_ns
    out = env.run("push").stdout
    assert "0 created, 0 updated, 0 deleted, 4 unchanged, 0 failed" in out
    assert (ics.read_bytes(), ics.stat().st_mtime_ns) == before
    # ... and also not on another day (overdue items render like planned ones).
    out = env.run("push", today="2026-12-09").stdout
    assert "0 created, 0 updated, 0 deleted, 4 unchanged" in out


def test_dry_run_prints_plan_and_writes_nothing(env, ics):
    out = env.run("push", "--dry-run").stdout
    assert "4 to create" in out
    assert out.count("create  ") == 4
    assert not ics.exists()
    assert env.json("push", "--dry-run")["providers"][0]["planned"]["create"] == 4
    assert not ics.exists()


def test_sent_redates_the_rest_with_same_uids_and_bumps_sequence(env, ics):
    env.run("push")
    before = events(ics)
    env.run("sent", "acme", "--on", "2026-11-30", today="2026-11-30")
    out = env.run("push", today="2026-11-30").stdout
    assert "0 created, 4 updated" in out
    after = events(ics)
    assert set(after) == set(before)
    n2 = "followup-sync.acme-backend-engineer.r1.nudge-2"
    assert after[n2]["DTSTART"].dt.date().isoformat() == "2026-12-07"
    assert int(after[n2]["SEQUENCE"]) == int(before[n2]["SEQUENCE"]) + 1
    n1 = "followup-sync.acme-backend-engineer.r1.nudge-1"
    assert str(after[n1]["SUMMARY"]).startswith("Sent: ")


def test_heard_removes_pending_items(env, ics):
    env.run("push")
    env.run("sent", "acme", "--on", "2026-11-25")
    env.run("heard", "acme")
    out = env.run("push").stdout
    assert "3 deleted" in out
    assert list(events(ics)) == ["followup-sync.acme-backend-engineer.r1.nudge-1"]


def test_removed_application_items_are_deleted(env, ics):
    env.run("push")
    env.run("remove", "acme", "--yes")
    assert "4 deleted" in env.run("push").stdout
    assert events(ics) == {}


def test_lost_store_records_are_adopted_without_duplicates_or_writes(env, ics):
    env.run("push")
    before = ics.read_bytes()
    conn = sqlite3.connect(env.data_dir / "followup-sync.sqlite3")
    conn.execute("DELETE FROM records")
    conn.commit()
    conn.close()
    out = env.run("push").stdout
    assert "0 created, 0 updated" in out and "4 adopted" in out
    assert ics.read_bytes() == before
    assert "4 unchanged" in env.run("push").stdout


def test_user_deleted_item_is_not_recreated(env, ics):
    env.run("push")
    uid = "followup-sync.acme-backend-engineer.r1.nudge-2"
    edit_file(ics, uid, lambda c: "delete")
    out = env.run("push").stdout
    assert "you deleted followup-sync.acme-backend-engineer.r1.nudge-2" in out
    assert "1 skipped (deleted by you)" in out
    assert uid not in events(ics)
    assert uid not in events(ics) and "0 created" in env.run("push").stdout


def test_user_moved_item_is_kept_and_the_rest_follow(env, ics):
    env.run("push")
    uid = "followup-sync.acme-backend-engineer.r1.nudge-1"
    new_start = datetime(2026, 11, 30, 11, 0, tzinfo=ZoneInfo("America/New_York"))

    def move(comp):
        comp["DTSTART"] = icalendar.vDDDTypes(new_start)
        comp["DTEND"] = icalendar.vDDDTypes(new_start + timedelta(minutes=15))

    edit_file(ics, uid, move)
    out = env.run("push").stdout
    assert "you moved followup-sync.acme-backend-engineer.r1.nudge-1" in out
    evs = events(ics)
    assert evs[uid]["DTSTART"].dt == new_start
    assert (
        evs["followup-sync.acme-backend-engineer.r1.nudge-2"]["DTSTART"].dt.date().isoformat()
        == "2026-12-07"
    )
    plan = env.plan()
    assert plan[0]["due"] == "2026-11-30T11:00:00-05:00"
    assert "0 created, 0 updated, 0 deleted, 4 unchanged" in env.run("push").stdout


def test_vtodo_completion_marks_sent(env):
    path = env.root / "tasks.ics"
    env.write_config(ICS_CONFIG.format(path=path) + 'component = "VTODO"\n')
    env.add_acme()
    env.run("push")
    uid = "followup-sync.acme-backend-engineer.r1.nudge-1"

    def complete(comp):
        comp["STATUS"] = "COMPLETED"
        comp.add("COMPLETED", datetime.fromisoformat("2026-11-28T15:00:00+00:00"))

    edit_file(path, uid, complete)
    out = env.run("push", today="2026-11-28").stdout
    assert "you completed" in out
    plan = env.plan(today="2026-11-28")
    assert plan[0]["status"] == "sent" and plan[0]["sent_on"] == "2026-11-28"
    assert plan[1]["due"].startswith("2026-12-07")  # Sat 28 + 7 = Sat Dec 5 -> Mon Dec 7
    todos = events(path, "VTODO")
    assert str(todos[uid]["STATUS"]) == "COMPLETED"


def test_emptied_target_needs_force(env, ics):
    env.add_acme(company="Globex", role="Analyst")
    env.run("push")
    cal = icalendar.Calendar.from_ical(ics.read_bytes())
    cal.subcomponents = [c for c in cal.subcomponents if c.name != "VEVENT"]
    ics.write_bytes(cal.to_ical())
    r = env.run("push", expect=4)
    assert "--force" in r.stderr
    assert events(ics) == {}
    env.run("push", "--force")
    assert events(ics) == {}


def test_default_provider_writes_in_the_data_dir(env):
    env.add_acme()
    out = env.run("push").stdout
    assert str(env.data_dir / "followups.ics") in out
    assert len(events(env.data_dir / "followups.ics")) == 4


def test_export_writes_the_live_items(env):
    env.add_acme()
    env.run("heard", "acme")
    env.add_acme(company="Globex", role="Analyst")
    path = env.root / "export.ics"
    assert "Wrote 4 follow-ups" in env.run("export", str(path)).stdout
    assert all(uid.startswith("followup-sync.globex-analyst.") for uid in events(path))


def test_unknown_provider_type_and_keys_are_config_errors(env):
    env.write_config('[providers.x]\ntype = "carrier-pigeon"\n')
    env.add_acme()
    r = env.run("push", expect=3)
    assert "unknown provider type 'carrier-pigeon'" in r.stderr and "ics" in r.stderr
    env.write_config('[providers.x]\ntype = "ics"\ncolour = "red"\n')
    r = env.run("push", expect=3)
    assert "unknown key in [providers.x]: colour" in r.stderr


# --- regressions from review: our own writes are never taken for the user's --------------
class _Died(BaseException):
    pass


def _push_dying_before_records(env):
    """Push in-process; the file is replaced, then the 'process' dies before the
    records commit (only the 'deleting' marks, written before the file, go through)."""
    from followup_sync.config import load_settings
    from followup_sync.push import PushContext, push_all
    from followup_sync.store import Store, StoreRecorder
    from followup_sync.sync import DELETING

    settings = load_settings(env.config)
    store = Store.open(env.data_dir)
    real = StoreRecorder.record

    def die(self, changes):
        if any(rec is None or rec.hash != DELETING for _, rec in changes):
            raise _Died
        return real(self, changes)

    ctx = PushContext(store, settings, env.data_dir, date(2026, 11, 27), datetime.now(UTC))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(StoreRecorder, "record", die)
        try:
            with pytest.raises(_Died):
                push_all(ctx)
        finally:
            store.close()


def test_crash_after_deleting_then_reopen_recreates_the_series(env, ics):
    env.run("push")
    env.run("heard", "acme", today="2026-11-27")
    _push_dying_before_records(env)
    assert events(ics) == {}  # the file was written: deletions happened
    env.run("reopen", "acme", today="2026-11-27")
    out = env.run("push", today="2026-11-27").stdout
    assert "you deleted" not in out
    assert len(events(ics)) == 4


def test_crash_after_rescheduling_is_not_taken_for_a_user_move(env, ics):
    env.run("push")
    env.run("sent", "acme", "--on", "2026-11-27", today="2026-11-27")
    _push_dying_before_records(env)
    out = env.run("push", today="2026-11-27").stdout
    assert "you moved" not in out
    assert "0 created, 0 updated, 0 deleted" in out
    env.run("sent", "acme", "--attempt", "2", "--on", "2026-12-08", today="2026-12-08")
    plan = env.plan(today="2026-12-08")
    assert plan[2]["due"] == "2026-12-15T09:30:00-05:00"  # follows the real send, not frozen


def test_missing_file_is_written_anew_not_dismissed(env, ics):
    env.run("push")
    ics.unlink()
    out = env.run("push").stdout
    assert "was missing" in out and "4 created" in out and "you deleted" not in out
    assert len(events(ics)) == 4


def test_removed_then_re_added_application_gets_every_item(env, ics):
    env.run("push")
    edit_file(ics, "followup-sync.acme-backend-engineer.r1.nudge-1", lambda c: "delete")
    assert "1 skipped (deleted by you)" in env.run("push").stdout
    env.run("remove", "acme", "--yes")
    env.run("push")
    env.add_acme(date="2026-11-30 10:00")
    assert "4 created" in env.run("push").stdout
    assert len(events(ics)) == 4


def test_floating_and_all_day_edits_are_read_in_the_users_zone(env, ics):
    env.run("push")

    def all_day(comp):
        del comp["DTEND"]
        comp["DTSTART"] = icalendar.vDDDTypes(date(2026, 12, 8))

    def floating(comp):
        del comp["DTEND"]
        comp["DTSTART"] = icalendar.vDDDTypes(datetime(2026, 12, 15, 9, 30))

    edit_file(ics, "followup-sync.acme-backend-engineer.r1.nudge-2", all_day)
    edit_file(ics, "followup-sync.acme-backend-engineer.r1.nudge-3", floating)
    env.run("push")
    plan = env.plan()
    assert plan[1]["due"].startswith("2026-12-08T") and plan[1]["due"].endswith("-05:00")
    assert plan[2]["due"] == "2026-12-15T09:30:00-05:00"


def test_unreadable_date_in_the_file_is_a_clear_provider_error(env, ics):
    env.run("push")
    raw = ics.read_bytes().decode()
    head, sep, rest = raw.partition("UID:followup-sync.acme-backend-engineer.r1.nudge-2")
    start = head.rfind("DTSTART")
    end = head.find("\r\n", start)
    ics.write_bytes((head[:start] + "DTSTART:garbage" + head[end:] + sep + rest).encode())
    r = env.run("push", expect=4)
    assert "cannot be read" in r.stderr and r.stderr.count("\n") == 1
