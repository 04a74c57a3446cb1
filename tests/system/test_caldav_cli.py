"""Scenarios through the CLI against real Radicale and Xandikos servers.

The user's calendar app is played by a plain caldav client; requests are counted
on the wire by a loopback proxy (tests/support/fault_proxy.py).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest

from followup_sync.store import STORE_NAME
from tests.support import caldav_servers

pytestmark = [pytest.mark.network]

APP = "acme-backend-engineer"
UID = f"followup-sync.{APP}.r1."
PW_ENV = "FOLLOWUP_TEST_CALDAV_PASSWORD"


def caldav_config(server, calendar: str, component: str = "VEVENT", url: str | None = None):
    lines = [
        "[providers.cal]",
        'type = "caldav"',
        f'url = "{url or server.url}"',
        f'calendar = "{calendar}"',
        "create = true",
        f'component = "{component}"',
        f'features = "{server.features}"',
    ]
    if server.username:
        lines += [f'username = "{server.username}"', f'password_env = "{PW_ENV}"']
    return "\n".join(lines) + "\n"


class Target:
    """One user, one server, one fresh calendar; `app` is the user's calendar app."""

    def __init__(self, env, server, component="VEVENT", url=None, password=None):
        self.env, self.server, self.component = env, server, component
        self.calendar = server.new_calendar_name("Job follow-ups")
        env.write_config(caldav_config(server, self.calendar, component, url))
        self.os_env = {PW_ENV: password or server.password or ""}

    def run(self, *args, expect=0, today="2026-11-26"):
        return self.env.run(*args, env=self.os_env, expect=expect, today=today)

    def push(self, expect=0, today="2026-11-26"):
        return self.run("push", "--json", expect=expect, today=today)

    def push_json(self, today="2026-11-26"):
        import json

        return json.loads(self.push(today=today).stdout)["providers"][0]

    def _cal(self):
        client = self.server.client()
        return client.principal().calendar(name=self.calendar)

    def objects(self) -> dict:
        """uid -> caldav object, as the user's calendar app sees them."""
        cal = self._cal()
        if self.component == "VTODO":
            objs = cal.get_todos(include_completed=True)
        else:
            objs = cal.get_events()
        return {str(o.icalendar_component["UID"]): o for o in objs}

    def dues(self) -> dict:
        key = "DUE" if self.component == "VTODO" else "DTSTART"
        return {uid: o.icalendar_component[key].dt for uid, o in self.objects().items()}


def plan_dues(env, today="2026-11-26") -> dict:
    return {
        i["uid"]: datetime.fromisoformat(i["due"])
        for i in env.plan(today=today)
        if i["status"] in ("planned", "overdue")
    }


@pytest.fixture(params=["radicale", "xandikos"])
def server(request):
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture(params=["VEVENT", "VTODO"])
def component(request):
    return request.param


def test_first_push_creates_the_series(env, server, component):
    t = Target(env, server, component)
    env.add_acme()
    result = t.push_json()["result"]
    assert result["created"] == 4 and result["failed"] == 0
    objs = t.objects()
    assert sorted(objs) == sorted(UID + s for s in ("nudge-1", "nudge-2", "nudge-3", "move-on"))
    assert t.dues() == plan_dues(env)
    first = objs[UID + "nudge-1"].icalendar_component
    assert "Jane" in str(first["SUMMARY"]) and "mailto:" in str(first["DESCRIPTION"])


def test_second_push_writes_nothing(env, server, counting_proxy_factory):
    proxy = counting_proxy_factory(server.url)
    t = Target(env, server, url=proxy.url)
    env.add_acme()
    t.push()
    proxy.reset()
    result = t.push_json()["result"]
    assert result["created"] == result["updated"] == result["deleted"] == 0
    assert proxy.writes == 0
    assert proxy.total <= 2, proxy.log


def test_sent_redates_the_rest_with_the_same_uids(env, server, component):
    t = Target(env, server, component)
    env.add_acme()
    t.push()
    before = t.dues()
    # Nudge 1 was due Fri 11-27; sent late, on Wed 12-02: the rest moves later.
    t.run("sent", APP, "--attempt", "1", "--on", "2026-12-02", today="2026-12-02")
    t.push(today="2026-12-02")
    after = t.dues()
    assert set(after) == set(before)  # same UIDs, nothing duplicated
    for step in ("nudge-2", "nudge-3", "move-on"):
        assert after[UID + step] > before[UID + step]
    assert {u: d for u, d in after.items() if u in plan_dues(env, "2026-12-02")} == plan_dues(
        env, "2026-12-02"
    )


def test_heard_removes_pending_items(env, server):
    t = Target(env, server)
    env.add_acme()
    t.push()
    t.run("heard", APP)
    result = t.push_json()["result"]
    assert result["deleted"] == 4
    assert t.objects() == {}


def test_user_edit_is_kept(env, server, component):
    t = Target(env, server, component)
    env.add_acme()
    t.push()
    obj = t.objects()[UID + "nudge-2"]
    obj.icalendar_component["SUMMARY"] = "Call Jane instead"
    obj.save(precondition="etag")
    # Something that re-plans nudge 2: nudge 1 sent late.
    t.run("sent", APP, "--attempt", "1", "--on", "2026-12-02", today="2026-12-02")
    report = t.push_json(today="2026-12-02")
    assert {"kind": "edited", "uid": UID + "nudge-2"} in report["pulled"]
    assert report["result"]["kept"] >= 1
    assert str(t.objects()[UID + "nudge-2"].icalendar_component["SUMMARY"]) == "Call Jane instead"
    # And it stays that way.
    report = t.push_json(today="2026-12-02")
    assert report["result"]["updated"] == 0
    assert str(t.objects()[UID + "nudge-2"].icalendar_component["SUMMARY"]) == "Call Jane instead"


def test_user_moved_date_is_kept_and_the_rest_follows(env, server):
    t = Target(env, server)
    env.add_acme()
    t.push()
    obj = t.objects()[UID + "nudge-1"]
    ev = obj.icalendar_component
    moved = ev["DTSTART"].dt + timedelta(days=3)
    end = ev["DTEND"].dt + timedelta(days=3)
    ev.pop("DTSTART")
    ev.pop("DTEND")
    ev.add("DTSTART", moved)
    ev.add("DTEND", end)
    obj.save(precondition="etag")
    before = t.dues()
    report = t.push_json()
    assert {"kind": "moved", "uid": UID + "nudge-1"} in report["pulled"]
    after = t.dues()
    assert after[UID + "nudge-1"] == moved
    assert after[UID + "nudge-2"] > before[UID + "nudge-2"]  # the series follows the move
    t.push_json()
    assert t.dues()[UID + "nudge-1"] == moved


def test_user_deletion_is_not_recreated(env, server):
    t = Target(env, server)
    env.add_acme()
    t.push()
    t.objects()[UID + "nudge-3"].delete()
    report = t.push_json()
    assert {"kind": "deleted", "uid": UID + "nudge-3"} in report["pulled"]
    assert UID + "nudge-3" not in t.objects()
    report = t.push_json()
    assert report["result"]["created"] == 0
    assert UID + "nudge-3" not in t.objects()
    assert len(t.objects()) == 3


def test_vtodo_completion_is_pulled_back_as_sent(env, server):
    t = Target(env, server, "VTODO")
    env.add_acme()
    t.push()
    before = t.dues()
    todo = t.objects()[UID + "nudge-1"]
    todo.complete(completion_timestamp=datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    report = t.push_json(today="2026-12-02")
    assert {"kind": "completed", "uid": UID + "nudge-1"} in report["pulled"]
    item = next(i for i in env.plan(today="2026-12-02") if i["uid"] == UID + "nudge-1")
    assert item["status"] == "sent" and item["sent_on"] == "2026-12-02"
    after = t.dues()
    assert after[UID + "nudge-2"] > before[UID + "nudge-2"]
    assert str(t.objects()[UID + "nudge-1"].icalendar_component["STATUS"]) == "COMPLETED"


def test_push_killed_between_writes_then_rerun_has_no_duplicates(
    env, server, counting_proxy_factory
):
    proxy = counting_proxy_factory(server.url)
    t = Target(env, server, url=proxy.url)
    env.add_acme()
    # The third PUT reaches the server, then its answer hangs; the other three writes
    # (in flight beside it: the default concurrency) finish and are recorded. We kill
    # the push there: after the third write and before its record.
    proxy.inject("PUT", "pass")
    proxy.inject("PUT", "pass")
    proxy.inject("PUT", "hang-after:30")
    cmd = env.argv("push")
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **t.os_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (proxy.counts["PUT"] == 4 and records(env) == 3):
            time.sleep(0.02)
        assert proxy.counts["PUT"] == 4 and records(env) == 3
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert len(t.objects()) == 4
    result = t.push_json()["result"]
    assert result["adopted"] == 1 and result["created"] == 0  # adopted, not duplicated
    assert len(t.objects()) == 4
    assert t.push_json()["result"]["created"] == 0


def records(env) -> int:
    """Records in the store right now (read-only, beside a running push)."""
    path = env.data_dir / STORE_NAME
    if not path.exists():
        return 0
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM records").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet
    finally:
        conn.close()


def test_wrong_password_is_one_clear_line(env, radicale_server):
    t = Target(env, radicale_server, password="not-the-password")
    env.add_acme()
    r = t.push(expect=4)
    assert r.stderr.count("\n") == 1
    assert "401" in r.stderr and "'alice'" in r.stderr and radicale_server.url[:-1] in r.stderr
    assert "not-the-password" not in r.stderr + r.stdout


def test_server_stopped_is_a_clear_error_and_nothing_is_lost(env, tmp_path):
    fx = caldav_servers
    server = fx.start_radicale(tmp_path / "srv")
    t = Target(env, server)
    env.add_acme()
    t.push()
    server.stop()
    try:
        t.run("sent", APP, "--attempt", "1", "--on", "2026-12-02", today="2026-12-02")
        r = t.push(expect=4, today="2026-12-02")
        assert r.stderr.count("\n") == 1 and "cannot connect" in r.stderr
        # Same port, same storage: the next push converges.
        server = fx.start_radicale(tmp_path / "srv", port=server.port)
        t.server = server
        result = t.push_json(today="2026-12-02")["result"]
        assert result["created"] == 0 and result["failed"] == 0 and result["updated"] >= 1
        assert {u: t.dues()[u] for u in plan_dues(env, "2026-12-02")} == plan_dues(
            env, "2026-12-02"
        )
    finally:
        server.stop()
