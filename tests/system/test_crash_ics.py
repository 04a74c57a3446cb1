"""Crashes and concurrency with the ICS file provider, using real processes.

A `followup-sync push` killed with SIGKILL at random moments (seeded) is re-run:
the file then holds exactly the plan, with no duplicate UIDs, the store passes
PRAGMA integrity_check, and its records match the file. Two pushes at once on one
data dir are serialised by a lock.
"""

from __future__ import annotations

import fcntl
import os
import random
import signal
import sqlite3
import subprocess
import time

import icalendar
import pytest

from followup_sync.store import STORE_NAME

pytestmark = [pytest.mark.slow]


def many_apps(env, n):
    path = env.root / "apps.csv"
    rows = ["company,role,date,interviewers"]
    for i in range(n):
        rows.append(
            f"Company {i},Engineer,2026-11-{10 + i % 15:02d} 10:00,Pat Lee <pat{i}@c{i}.example>"
        )
    path.write_text("\n".join(rows) + "\n")
    env.run("import", str(path))


def file_uids(path):
    if not path.exists():
        return []
    return [str(c["UID"]) for c in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")]


def check_consistent(env, ics):
    uids = file_uids(ics)
    assert len(uids) == len(set(uids)), "duplicate UIDs"
    planned = {i["uid"] for i in env.plan() if i["status"] != "withdrawn"}
    assert set(uids) == planned
    conn = sqlite3.connect(env.data_dir / STORE_NAME)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    recorded = {r[0] for r in conn.execute("SELECT uid FROM records WHERE provider = 'cal'")}
    conn.close()
    assert recorded == set(uids)


def test_sigkill_at_random_moments_then_repush_converges(env):
    ics = env.root / "cal.ics"
    env.write_config(f'[providers.cal]\ntype = "ics"\npath = "{ics}"\n')
    many_apps(env, 60)
    rng = random.Random(20261126)
    kills = 0
    for run in range(20):
        if run:
            # Every push has work: items withdrawn (heard), back (reopen), re-dated (sent).
            app = f"company-{rng.randrange(60)}-engineer"
            verb = ("heard", "reopen", "sent")[run % 3]
            env.run(verb, app, expect=None)
        # Kill somewhere inside a push of this size, whatever this machine's speed:
        # a dry run (the same listing and planning, no writes) sets the scale.
        started = time.perf_counter()
        subprocess.run(env.argv("push", "--dry-run"), check=True, capture_output=True)
        scale = time.perf_counter() - started
        proc = subprocess.Popen(
            env.argv("push"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.0, 1.5 * scale))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        # Whatever state the kill left, file and store never disagree in a harmful
        # way: no duplicates now, and a clean push converges.
        uids = file_uids(ics)
        assert len(uids) == len(set(uids))
        subprocess.run(env.argv("push"), check=True, capture_output=True)
        check_consistent(env, ics)
        out = subprocess.run(env.argv("push"), check=True, capture_output=True, text=True).stdout
        assert " 0 created, 0 updated, 0 deleted" in out
    print(f"ICS SIGKILL: {kills} of 20 pushes killed mid-push")
    assert kills >= 8, f"only {kills} of 20 runs were killed mid-push; timing too short"


def test_second_push_waits_for_the_lock_or_refuses_clearly(env):
    ics = env.root / "cal.ics"
    env.write_config(f'[providers.cal]\ntype = "ics"\npath = "{ics}"\n')
    env.add_acme()
    env.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(env.data_dir / "push.lock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        out = subprocess.run(
            env.argv("push"),
            capture_output=True,
            text=True,
            env={**os.environ, "FOLLOWUP_SYNC_LOCK_WAIT": "0.5"},
        )
        assert out.returncode == 6
        assert "another followup-sync push is running" in out.stderr
        assert out.stderr.count("\n") == 1
        assert not ics.exists()
    finally:
        os.close(fd)
    # Two pushes at once: the lock serialises them; one creates, the other finds it done.
    procs = [
        subprocess.Popen(
            env.argv("push"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    created = sorted(int(o.split(" created")[0].rsplit(" ", 1)[1]) for o, _ in outs)
    assert created == [0, 4]
    check_consistent(env, ics)
