"""`followup-sync push` killed with SIGKILL at random moments, against Radicale and the fake Todoist.

Like tests/test_crash_ics.py, for the network providers. Each seeded run changes
the data so the push has real work (three applications closed or reopened: 12
deletes or creates; one re-dated: 4 updates), starts `python -m followup_sync push`
as a subprocess, and kills it at a random moment: after a random number of
requests seen on the wire, plus a random fraction of a request's time (so a kill
lands before a write reaches the server, while it is applied, or after it was
answered but before it was recorded). CalDAV writes several items at once (the
default concurrency), so a kill leaves several writes in flight; Todoist writes in
batches, and half its runs aim the kill at a batch Todoist applied but has not
answered yet (the answer is held back 0.05-0.25 s). Then:

- right after the kill: no duplicate UIDs remotely, PRAGMA integrity_check ok;
- a push without faults succeeds, and then the remote holds exactly the plan, no
  duplicates, the store's records are the remote items, integrity ok;
- one more push writes nothing.

The share of runs really killed mid-push (the process still running and at least
one write on the wire) is asserted and printed in the terminal summary, with the
Todoist runs killed mid-batch.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup_sync.store import STORE_NAME
from tests.conftest import Env
from tests.support.fault_proxy import FaultProxy
from tests.support.network_checks import (
    TODAY,
    caldav_items,
    check_converged,
    todoist_drafts_attached,
    todoist_items,
)

pytestmark = [pytest.mark.slow, pytest.mark.network]

RUNS = 20
APPS = 6
TOGGLED = (0, 1, 2)  # closed on even runs, reopened on odd ones
REDATED = 4  # re-dated on every run
PW_ENV = "FOLLOWUP_TEST_CALDAV_PASSWORD"
TOKEN_ENV = "FOLLOWUP_TEST_TODOIST_TOKEN"
NY = ZoneInfo("America/New_York")
WRITE_METHODS = ("PUT", "DELETE", "POST", "MKCALENDAR", "PROPPATCH")


def app_id(i: int) -> str:
    return f"company-{i}-engineer"


def import_apps(env, n: int) -> None:
    path = env.root / "apps.csv"
    rows = ["company,role,date,interviewers"]
    for i in range(n):
        rows.append(
            f"Company {i},Engineer,2026-11-{10 + i:02d} 10:00,Pat Lee <pat{i}@c{i}.example>"
        )
    path.write_text("\n".join(rows) + "\n")
    env.run("import", str(path))


def change(env, run: int) -> None:
    """Work for the next push: deletes or creates, and updates."""
    verb = "close" if run % 2 == 0 else "reopen"
    for i in TOGGLED:
        env.run(verb, app_id(i))
    env.run("edit", app_id(REDATED), "--date", f"2026-11-{11 + run % 12:02d} 09:00")


def push_cmd(env) -> list[str]:
    return [
        sys.executable,
        "-m",
        "followup_sync",
        "--data-dir",
        str(env.data_dir),
        "--config",
        str(env.config),
        "--today",
        TODAY,
        "push",
    ]


def integrity_ok(env) -> None:
    conn = sqlite3.connect(f"file:{env.data_dir / STORE_NAME}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def no_duplicates(items) -> None:
    uids = [i.uid for i in items]
    assert len(uids) == len(set(uids)), f"duplicate UIDs: {sorted(uids)}"


def kill_runs(
    env,
    os_env,
    requests,
    writes,
    remote,
    check,
    name,
    figure,
    seed,
    budget,
    arm=None,
    mid_batch=None,
) -> None:
    """RUNS seeded runs: change, push in a subprocess, SIGKILL it, re-push, check.

    `requests()` and `writes()` count what reached the server so far; `remote()`
    lists the remote items; `check()` runs the full convergence checks;
    `budget(planned)` is about how many requests the push makes for its planned
    creates, updates and deletes; `arm(rng)` may set up the server before a push
    (and undo it with `arm(None)` after the kill); `mid_batch(before)` tells whether
    a batch is applied but not yet answered: half the runs then aim the kill there.
    """
    rng = random.Random(seed)
    killed = mid_push = batches = 0
    started = time.monotonic()
    for run in range(RUNS):
        change(env, run)
        planned = json.loads(env.run("push", "--dry-run", "--json", env=os_env).stdout)
        counts = planned["providers"][0]["planned"]
        work = sum(counts[k] for k in ("create", "update", "delete"))
        assert work >= 12, planned
        before, writes_before = requests(), writes()
        # A kill point among the push's requests (a few more for the listing), or
        # the kill may come after the end.
        target = before + rng.randrange(0, budget(counts) + 3)
        pause = rng.uniform(0.0, 0.03)
        aim_batch = mid_batch is not None and rng.random() < 0.5
        if arm:
            arm(rng)
        proc = subprocess.Popen(
            push_cmd(env),
            env={**os.environ, **os_env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while (
                not (mid_batch(before) if aim_batch else requests() > target)
                and proc.poll() is None
                and time.monotonic() < deadline
            ):
                time.sleep(0.002)
            time.sleep(pause)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
                if writes() > writes_before:
                    mid_push += 1
                if mid_batch and mid_batch(before):
                    batches += 1
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            if arm:
                arm(None)
        # Whatever the kill left: no duplicates now, and a sound SQLite file.
        no_duplicates(remote())
        integrity_ok(env)
        try:
            r = env.run("push", env=os_env, expect=None)
            assert r.exit_code == 0, r.stderr
            check()
        except AssertionError as e:
            raise AssertionError(
                f"{name} run {run}: killed after {requests() - before} requests: {e}"
            ) from None
    seconds = time.monotonic() - started
    in_batch = f", {batches} of them mid-batch (applied, unanswered)" if mid_batch else ""
    figure(
        f"kills {name}: {RUNS} seeded runs, {killed} killed, {mid_push} mid-push "
        f"(after a write reached the server){in_batch}, {seconds:.1f}s"
    )
    assert mid_push >= RUNS // 2, f"only {mid_push} of {RUNS} runs were killed mid-push"


def radicale_config(server, url: str, calendar: str, timeout: int | None = None) -> str:
    """[providers.cal] for a Radicale calendar reached at `url` (directly or via a proxy)."""
    text = (
        "[providers.cal]\n"
        'type = "caldav"\n'
        f'url = "{url}"\n'
        f'calendar = "{calendar}"\n'
        "create = true\n"
        'features = "radicale"\n'
        f'username = "{server.username}"\n'
        f'password_env = "{PW_ENV}"\n'
    )
    return text + (f"timeout = {timeout}\n" if timeout is not None else "")


def test_sigkill_radicale_then_repush_converges(env, radicale_server, figure):
    server = radicale_server
    calendar = server.new_calendar_name("kills")
    with FaultProxy(server.url) as proxy:
        env.write_config(radicale_config(server, proxy.url, calendar, timeout=10))
        os_env = {PW_ENV: server.password}
        import_apps(env, APPS)
        env.run("push", env=os_env)

        def remote():
            return caldav_items(server, calendar, "VEVENT")

        def check():
            check_converged(env, "cal", remote(), completes=False)
            out = json.loads(env.run("push", "--json", env=os_env).stdout)
            result = out["providers"][0]["result"]
            assert result["created"] == result["updated"] == result["deleted"] == 0, result

        def writes():
            return sum(1 for e in list(proxy.log) if e.method in WRITE_METHODS)

        # One request per write; several in flight at once (the default concurrency).
        kill_runs(
            env,
            os_env,
            lambda: proxy.count,
            writes,
            remote,
            check,
            "radicale",
            figure,
            20261126,
            lambda counts: counts["create"] + counts["update"] + counts["delete"],
        )


def test_sigkill_todoist_then_repush_converges(env, todoist_server, figure):
    fake = todoist_server.app
    noon = datetime.combine(date.fromisoformat(TODAY), datetime.min.time(), NY)
    stamp = noon + timedelta(hours=12)
    fake.clock = lambda: stamp
    env.write_config(
        "[providers.todo]\n"
        'type = "todoist"\n'
        f'api_url = "{todoist_server.api_url}"\n'
        f'token_env = "{TOKEN_ENV}"\n'
        "timeout = 10\n"
        "max_wait = 10\n"
    )
    os_env = {TOKEN_ENV: fake.token, "FOLLOWUP_SYNC_NO_KEYRING": "1"}
    import_apps(env, APPS)
    env.run("push", env=os_env)

    def remote():
        return todoist_items(fake)

    def check():
        items = remote()
        check_converged(env, "todo", items, completes=True)
        todoist_drafts_attached(fake, items)
        n = len(fake.writes())
        out = json.loads(env.run("push", "--json", env=os_env).stdout)
        result = out["providers"][0]["result"]
        assert result["created"] == result["updated"] == result["deleted"] == 0, result
        assert len(fake.writes()) == n

    def budget(counts):
        # An upload per new nudge (3 of every 4 creates), then a few requests: read the
        # tasks to change, one batch, read the written tasks back.
        return counts["create"] * 3 // 4 + 4

    def arm(rng):
        # The batch's answer comes 0.05-0.25 s after Todoist applied it, so kills can
        # land mid-batch: applied, unanswered, unrecorded.
        fake.clear_faults()
        if rng is not None:
            fake.fail_next(
                "delay_after", seconds=rng.uniform(0.05, 0.25), match="POST /api/v1/sync$"
            )

    kill_runs(
        env,
        os_env,
        lambda: len(fake.log),
        lambda: len(fake.writes()),
        remote,
        check,
        "fake Todoist",
        figure,
        20261127,
        budget,
        arm,
        lambda before: any(
            r.path.endswith("/sync") and r.applied and r.status is None for r in fake.log[before:]
        ),
    )


@pytest.mark.parametrize(
    "reopen_first", [False, True], ids=["push-then-reopen", "reopen-then-push"]
)
def test_killed_after_a_delete_reached_the_server_then_reopen_recreates(
    env, radicale_server, figure, reopen_first
):
    """Regression: a push killed between a DELETE and forgetting its record used to
    make the next push take the deletion for the user's and dismiss the item for
    good, so after `reopen` the follow-up never came back. The record now carries
    a "deleting" mark while the DELETE is under way, so this holds even when the
    user reopens before the next push (the item is then wanted again)."""
    server = radicale_server
    calendar = server.new_calendar_name("kill-delete")
    with FaultProxy(server.url, stall_seconds=30) as proxy:
        env.write_config(radicale_config(server, proxy.url, calendar, timeout=20))
        os_env = {PW_ENV: server.password}
        env.add_acme()
        env.run("push", env=os_env)
        env.run("close", "acme-backend-engineer")
        # The first DELETE is applied by the server, and its answer never comes; the
        # other three go out beside it (the default concurrency) and are answered.
        proxy.arm_next("DELETE", "stall")
        proc = subprocess.Popen(
            push_cmd(env),
            env={**os.environ, **os_env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and (
                sum(1 for e in list(proxy.log) if e.method == "DELETE" and e.upstream) < 4
            ):
                time.sleep(0.01)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        assert caldav_items(server, calendar, "VEVENT") == []
        if not reopen_first:
            env.run("push", env=os_env)  # finishes the deletes
            assert caldav_items(server, calendar, "VEVENT") == []
        env.run("reopen", "acme-backend-engineer")
        out = env.run("push", env=os_env).stdout
        assert "you deleted" not in out
        check_converged(env, "cal", caldav_items(server, calendar, "VEVENT"), completes=False)
        assert len(caldav_items(server, calendar, "VEVENT")) == 4


def test_two_pushes_at_once_are_serialised_radicale_and_todoist(
    tmp_path, radicale_server, todoist_server
):
    """Two `push` processes on one data dir, against each network provider: the lock
    makes the second wait; one creates everything, the other finds it done."""
    fake = todoist_server.app
    noon = datetime.combine(date.fromisoformat(TODAY), datetime.min.time(), NY)
    stamp = noon + timedelta(hours=12)
    fake.clock = lambda: stamp
    calendar = radicale_server.new_calendar_name("two-pushes")
    for name, config, os_env, remote in (
        (
            "cal",
            radicale_config(radicale_server, radicale_server.url, calendar),
            {PW_ENV: radicale_server.password},
            lambda: caldav_items(radicale_server, calendar, "VEVENT"),
        ),
        (
            "todo",
            "[providers.todo]\n"
            'type = "todoist"\n'
            f'api_url = "{todoist_server.api_url}"\n'
            f'token_env = "{TOKEN_ENV}"\n',
            {TOKEN_ENV: fake.token, "FOLLOWUP_SYNC_NO_KEYRING": "1"},
            lambda: todoist_items(fake),
        ),
    ):
        (tmp_path / name).mkdir()
        env = Env(tmp_path / name)
        env.write_config(config)
        import_apps(env, 3)
        procs = [
            subprocess.Popen(
                push_cmd(env),
                env={**os.environ, **os_env},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), outs
        created = sorted(int(re.search(r"(\d+) created, ", o)[1]) for o, _ in outs)
        assert created == [0, 12], outs
        check_converged(env, name, remote(), completes=name == "todo")
