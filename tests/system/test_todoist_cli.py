"""Scenarios through the CLI against the fake Todoist server (via `api_url`).

The user's Todoist app is played by the fake's `user_*` helpers; requests are
counted in the fake's request log. The fake's clock follows `--today` so "today"
means the same thing to the CLI and to Todoist.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup_sync_todoist.provider import parse_marker

pytestmark = [pytest.mark.network]

APP = "acme-backend-engineer"
UID = f"followup-sync.{APP}.r1."
STEPS = ("nudge-1", "nudge-2", "nudge-3", "move-on")
TOKEN_ENV = "FOLLOWUP_TEST_TODOIST_TOKEN"
NY = ZoneInfo("America/New_York")


class Target:
    """One user with a [providers.todo] pointing at the fake server."""

    def __init__(self, env, server, token: str | None = None, extra: str = ""):
        self.env, self.server, self.fake = env, server, server.app
        env.write_config(
            "[providers.todo]\n"
            'type = "todoist"\n'
            f'api_url = "{server.api_url}"\n'
            f'token_env = "{TOKEN_ENV}"\n'
            "max_wait = 10\n" + extra
        )
        self.os_env = {
            TOKEN_ENV: self.fake.token if token is None else token,
            "FOLLOWUP_SYNC_NO_KEYRING": "1",
        }

    def at(self, today: str) -> None:
        noon = datetime.combine(date.fromisoformat(today), datetime.min.time(), NY)
        stamp = noon + timedelta(hours=12)
        self.fake.clock = lambda: stamp

    def run(self, *args, expect=0, today="2026-11-26"):
        self.at(today)
        return self.env.run(*args, env=self.os_env, expect=expect, today=today)

    def push(self, expect=0, today="2026-11-26"):
        return self.run("push", "--json", expect=expect, today=today)

    def push_json(self, today="2026-11-26") -> dict:
        return json.loads(self.push(today=today).stdout)["providers"][0]

    def tasks(self) -> dict[str, dict]:
        """uid -> task, as the user's Todoist shows them (active and completed)."""
        out = {}
        for t in self.fake.live_tasks():
            m = parse_marker(t["description"])
            if m:
                assert m.uid not in out, f"duplicate task for {m.uid}"
                out[m.uid] = t
        return out

    def dues(self) -> dict[str, datetime]:
        out = {}
        for uid, t in self.tasks().items():
            text = t["due"]["date"]
            out[uid] = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return out


def plan_dues(env, today="2026-11-26") -> dict:
    return {
        i["uid"]: datetime.fromisoformat(i["due"])
        for i in env.plan(today=today)
        if i["status"] in ("planned", "overdue")
    }


def per_nudge_requests(fake) -> float:
    """Requests to write the new tasks per new nudge, leaving out the once-per-run ones
    (the project, the listing of active and completed tasks)."""
    once = [
        r
        for r in fake.requests()
        if re.search(r"/projects$|/tasks/completed", r.path)
        or (r.path.endswith("/tasks") and "ids" not in r.query)
    ]
    nudges = sum(1 for c in fake.command_log if c.type == "note_add" and c.status == "ok")
    return (len(fake.requests()) - len(once)) / max(1, nudges)


@pytest.fixture
def target(env, todoist_server):
    return Target(env, todoist_server)


def test_first_push_creates_the_series(env, target):
    env.add_acme()
    report = target.push_json()
    assert report["result"]["created"] == 4 and report["result"]["failed"] == 0
    tasks = target.tasks()
    assert sorted(tasks) == sorted(UID + s for s in STEPS)
    assert target.dues() == plan_dues(env)
    first = tasks[UID + "nudge-1"]
    assert "Jane" in first["content"] and "mailto:" in first["description"]
    assert first["due"]["timezone"] == "America/New_York"
    assert [t["priority"] for t in (tasks[UID + s] for s in STEPS)] == [2, 3, 4, 1]
    for step in STEPS[:3]:
        (comment,) = target.fake.task_comments(tasks[UID + step]["id"])
        assert comment["file_attachment"]["file_name"].endswith(".eml")
    assert target.fake.task_comments(tasks[UID + "move-on"]["id"]) == []
    # 3 uploads, then one batch (4 tasks, 3 comments) and one read-back for 3 nudges.
    assert per_nudge_requests(target.fake) == 5 / 3
    assert len(target.fake.requests("POST", "/sync$")) == 1


def test_without_attachments_a_first_push_is_one_batch(env, todoist_server):
    target = Target(env, todoist_server, extra="attach_eml = false\n")
    for company in ("Acme", "Globex", "Initech"):
        env.add_acme(company=company)
    report = target.push_json()
    assert report["result"]["created"] == 12 and report["result"]["failed"] == 0
    fake = target.fake
    assert fake.requests("POST", "/uploads$") == [] and fake.comments == {}
    assert len(fake.requests("POST", "/sync$")) == 1
    assert all("mailto:" in t["description"] for u, t in target.tasks().items() if "nudge" in u)
    fake.reset_log()
    assert target.push_json()["result"]["updated"] == 0
    assert len(fake.requests()) == 1


def test_attach_eml_must_be_true_or_false(env, todoist_server):
    target = Target(env, todoist_server, extra='attach_eml = "no"\n')
    env.add_acme()
    r = target.push(expect=3)
    assert "[providers.todo] attach_eml must be true or false" in r.stderr
    assert todoist_server.app.requests() == []


def test_second_push_writes_nothing_with_one_request(env, target):
    env.add_acme()
    target.push()
    target.fake.reset_log()
    result = target.push_json()["result"]
    assert result["created"] == result["updated"] == result["deleted"] == 0
    assert target.fake.writes() == []
    assert [(r.method, r.path) for r in target.fake.requests()] == [("GET", "/api/v1/tasks")]


def test_sent_closes_the_task_and_redates_the_rest(env, target):
    env.add_acme()
    target.push()
    before = target.dues()
    # Nudge 1 was due Fri 11-27; sent late, on Wed 12-02: the rest moves later.
    target.run("sent", APP, "--attempt", "1", "--on", "2026-12-02", today="2026-12-02")
    target.push(today="2026-12-02")
    tasks = target.tasks()
    assert set(tasks) == set(before)  # same UIDs, nothing duplicated
    assert tasks[UID + "nudge-1"]["checked"] is True
    after = target.dues()
    for step in STEPS[1:]:
        assert after[UID + step] > before[UID + step]
    assert {u: d for u, d in after.items() if u in plan_dues(env, "2026-12-02")} == plan_dues(
        env, "2026-12-02"
    )
    # Settled: the closed task is remembered, so a no-op push is one request again.
    target.fake.reset_log()
    assert target.push_json(today="2026-12-02")["result"]["updated"] == 0
    assert len(target.fake.requests()) == 1 and target.fake.writes() == []


def test_heard_deletes_the_pending_tasks(env, target):
    env.add_acme()
    target.push()
    target.run("heard", APP)
    result = target.push_json()["result"]
    assert result["deleted"] == 4
    assert target.tasks() == {}


def test_user_completion_is_pulled_back_as_sent(env, target):
    env.add_acme()
    target.push()
    before = target.dues()
    ref = target.tasks()[UID + "nudge-1"]["id"]
    target.fake.user_complete(ref, datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    report = target.push_json(today="2026-12-02")
    assert {"kind": "completed", "uid": UID + "nudge-1"} in report["pulled"]
    item = next(i for i in env.plan(today="2026-12-02") if i["uid"] == UID + "nudge-1")
    assert item["status"] == "sent" and item["sent_on"] == "2026-12-02"
    assert target.dues()[UID + "nudge-2"] > before[UID + "nudge-2"]
    assert target.tasks()[UID + "nudge-1"]["checked"] is True
    target.fake.reset_log()
    report = target.push_json(today="2026-12-02")
    assert report["pulled"] == [] and target.fake.writes() == []
    assert len(target.fake.requests()) == 1


def test_user_deletion_is_not_recreated(env, target):
    env.add_acme()
    target.push()
    target.fake.user_delete(target.tasks()[UID + "nudge-3"]["id"])
    report = target.push_json()
    assert {"kind": "deleted", "uid": UID + "nudge-3"} in report["pulled"]
    target.fake.reset_log()
    report = target.push_json()
    assert report["result"]["created"] == 0
    assert sorted(target.tasks()) == sorted(UID + s for s in ("nudge-1", "nudge-2", "move-on"))
    # The deletion is remembered: no completed-tasks lookup on every push after it.
    assert len(target.fake.requests()) == 1 and target.fake.writes() == []


def test_user_redate_is_kept_and_the_rest_follows(env, target):
    env.add_acme()
    target.push()
    before = target.dues()
    moved = before[UID + "nudge-1"] + timedelta(days=3)
    target.fake.user_set_due(target.tasks()[UID + "nudge-1"]["id"], moved)
    report = target.push_json()
    assert {"kind": "moved", "uid": UID + "nudge-1"} in report["pulled"]
    after = target.dues()
    assert after[UID + "nudge-1"] == moved
    assert after[UID + "nudge-2"] > before[UID + "nudge-2"]  # the series follows
    target.push_json()
    assert target.dues()[UID + "nudge-1"] == moved


def test_user_edit_is_kept(env, target):
    env.add_acme()
    target.push()
    ref = target.tasks()[UID + "nudge-2"]["id"]
    target.fake.user_edit_task(ref, content="Call Jane instead")
    target.run("sent", APP, "--attempt", "1", "--on", "2026-12-02", today="2026-12-02")
    report = target.push_json(today="2026-12-02")
    assert {"kind": "edited", "uid": UID + "nudge-2"} in report["pulled"]
    assert target.fake.tasks[ref]["content"] == "Call Jane instead"
    assert target.push_json(today="2026-12-02")["result"]["updated"] == 0
    assert target.fake.tasks[ref]["content"] == "Call Jane instead"


def test_push_killed_between_writes_then_rerun_has_no_duplicates(env, target):
    env.add_acme()
    fake = target.fake
    # The batch (4 tasks, 3 comments) is applied, then its answer hangs and we kill
    # the push: nothing is recorded, and the journal says the tasks may be unfinished.
    fake.fail_next("delay_after", 1, seconds=30, match="POST /api/v1/sync$")
    cmd = env.argv("push")
    target.at("2026-11-26")
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **target.os_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            posts = fake.requests("POST", r"/sync$")
            if posts and posts[0].applied:
                break
            time.sleep(0.02)
        assert fake.requests("POST", r"/sync$")[0].applied
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert len(target.tasks()) == 4
    result = target.push_json()["result"]
    # Found by their markers: adopted, the nudges finished (their drafts' commands
    # sent again with the same uuids, which Todoist applies once), none created.
    assert result["created"] == 0 and result["failed"] == 0
    assert result["adopted"] + result["updated"] == 4
    tasks = target.tasks()  # raises on a duplicate UID
    assert sorted(tasks) == sorted(UID + s for s in STEPS)
    for step in STEPS[:3]:
        assert len(fake.task_comments(tasks[UID + step]["id"])) == 1, step
    result = target.push_json()["result"]
    assert result["created"] == result["updated"] == 0


def test_429_storm_is_waited_out(env, target):
    env.add_acme()
    target.fake.fail_next("429", 2, retry_after="1")
    started = time.monotonic()
    result = target.push_json()["result"]
    assert time.monotonic() - started >= 2.0
    assert result["created"] == 4 and result["failed"] == 0
    assert len(target.tasks()) == 4


def test_429_beyond_the_bound_fails_clearly_and_loses_nothing(env, target):
    env.add_acme()
    target.fake.fail_next("429", 1, retry_after="900")
    r = target.push(expect=4)
    assert r.stderr.count("\n") == 1 and "rate limit" in r.stderr and "900s" in r.stderr
    assert target.tasks() == {}
    # On a write: writing stops at once (every further request would be refused
    # too: errors.RateLimited), the batch is not sent, the next push completes.
    target.fake.fail_next("429", 1, retry_after="900", match="POST /api/v1/uploads")
    r = target.push(expect=5)
    assert "rate limit" in r.stderr
    assert target.tasks() == {} and target.fake.requests("POST", "/sync$") == []
    result = target.push_json()["result"]
    assert result["created"] == 4 and result["failed"] == 0
    assert len(target.tasks()) == 4


def test_bad_token_is_one_clear_line(env, todoist_server):
    secret = "wrong-token-0000-1111-2222"
    target = Target(env, todoist_server, token=secret)
    env.add_acme()
    r = target.push(expect=4)
    assert r.stderr.count("\n") == 1
    assert "401" in r.stderr and TOKEN_ENV in r.stderr
    assert secret not in r.stderr + r.stdout
    assert len(todoist_server.app.requests()) == 1
