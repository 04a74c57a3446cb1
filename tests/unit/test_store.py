"""The SQLite store: migrations, damaged files, backups, permissions."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from followup_sync.store import SCHEMA_VERSION, STORE_NAME, Store
from followup_sync.store.applications import slugify
from followup_sync.store.database import MIGRATIONS, _split_sql


def test_fresh_store_is_owner_only_and_current(tmp_path):
    store = Store.open(tmp_path)
    assert stat.S_IMODE((tmp_path / STORE_NAME).stat().st_mode) == 0o600
    with store.read() as tx:
        assert tx.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store.close()


@pytest.mark.parametrize("start", range(SCHEMA_VERSION))
def test_every_migration_path_reaches_the_current_schema(tmp_path, start):
    """A store at each earlier version upgrades to exactly the fresh schema."""
    path = tmp_path / STORE_NAME
    conn = sqlite3.connect(path)
    for number in range(start):
        for statement in _split_sql(MIGRATIONS[number]):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number + 1}")
    conn.commit()
    conn.close()
    if start:
        # Data written at the old version survives the upgrade.
        conn = sqlite3.connect(path)
        conn.execute(
            "INSERT INTO applications (id, company, role, created_at, updated_at)"
            " VALUES ('a', 'Acme', 'Dev', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
        )
        conn.commit()
        conn.close()
    upgraded = Store.open(tmp_path)
    with upgraded.read() as tx:
        assert tx.application_ids() == (["a"] if start else [])
    upgraded.close()
    fresh_dir = tmp_path / "fresh"
    Store.open(fresh_dir).close()

    def schema(p):
        c = sqlite3.connect(p)
        rows = c.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        c.close()
        return rows

    assert schema(path) == schema(fresh_dir / STORE_NAME)


def test_garbage_file_is_a_clear_error_and_left_untouched(env):
    env.data_dir.mkdir(parents=True)
    path = env.data_dir / STORE_NAME
    garbage = b"this is not sqlite at all\x00" * 100
    path.write_bytes(garbage)
    r = env.run("list", expect=6)
    assert "cannot read store" in r.stderr and r.stderr.count("\n") == 1
    assert path.read_bytes() == garbage


def test_foreign_sqlite_file_is_not_adopted(env):
    env.data_dir.mkdir(parents=True)
    path = env.data_dir / STORE_NAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    r = env.run("list", expect=6)
    assert "not a followup-sync store" in r.stderr


def test_newer_schema_is_refused(env):
    env.add_acme()
    conn = sqlite3.connect(env.data_dir / STORE_NAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    r = env.run("list", expect=6)
    assert "newer than this followup-sync" in r.stderr


def test_backup_and_restore_round_trip(env):
    env.add_acme()
    env.run("sent", "acme", "--on", "2026-11-25")
    env.run("push")
    plan = env.plan()
    backup = env.root / "backup.sqlite3"
    env.run("backup", str(backup))
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    env.run("remove", "acme", "--yes")
    assert env.plan() == []
    out = env.run("restore", str(backup)).stdout
    assert "previous store is at" in out
    assert env.plan() == plan
    # The restored store still knows what was pushed: nothing to write.
    assert "0 created, 0 updated, 0 deleted, 4 unchanged" in env.run("push").stdout
    r = env.run("backup", str(backup), expect=1)
    assert "exists" in r.stderr


def test_restore_refuses_a_non_backup(env):
    env.add_acme()
    bogus = env.root / "bogus.sqlite3"
    bogus.write_bytes(b"nope" * 100)
    r = env.run("restore", str(bogus), expect=1)
    assert "not a followup-sync backup" in r.stderr
    assert len(env.plan()) == 4


def test_failed_command_writes_nothing(env):
    """One transaction per command: an error midway leaves no partial change."""
    env.add_acme()
    env.add_acme(date="2026-12-02 10:00")  # round 2
    path = env.root / "two.json"
    # The second row (round 1 of Acme in this file) would move round 1 after round 2.
    path.write_text(
        '[{"company": "New", "role": "X", "date": "2026-11-20"},'
        ' {"company": "Acme", "role": "Backend Engineer", "date": "2026-12-10"}]'
    )
    r = env.run("import", str(path), expect=1)
    assert "out of order with round 2" in r.stderr
    assert [a["id"] for a in env.json("list")["applications"]] == ["acme-backend-engineer"]


def test_locked_store_is_a_clear_error(env, monkeypatch):
    env.add_acme()
    monkeypatch.setattr(Store, "busy_timeout", 0.2)
    conn = sqlite3.connect(env.data_dir / STORE_NAME, timeout=0)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        r = env.run("sent", "acme", expect=6)
        assert "busy" in r.stderr and r.stderr.count("\n") == 1
    finally:
        conn.rollback()
        conn.close()
    assert env.plan()[0]["status"] == "planned"


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Acme-Backend Engineer", "acme-backend-engineer"),
        ("Société Générale-Analyste", "societe-generale-analyste"),
        ("日本-エンジニア", "riben-enjinia"),
        ("A/B  Testing--Co-Role!!", "a-b-testing-co-role"),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_ids_are_unique_and_readable(env):
    assert env.add_acme() == "acme-backend-engineer"
    env.run("close", "acme")
    # A closed application is history: a new interview starts a new one.
    assert env.add_acme(date="2027-02-01 10:00") == "acme-backend-engineer-2"
    r = env.run("add", "日本", "--role", "エンジニア", "--date", "2026-11-20")
    assert r.stdout.strip() == "riben-enjinia"  # transliterated, not a bare "application"


def test_an_application_without_rounds_is_damage_not_silence(env):
    env.add_acme()
    conn = sqlite3.connect(env.data_dir / STORE_NAME)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM rounds")
    conn.commit()
    conn.close()
    r = env.run("list", expect=6)
    assert "has no interview rounds" in r.stderr and "damaged" in r.stderr
    assert r.stderr.count("\n") == 1


def test_restore_waits_for_a_running_push(env):
    """restore takes the push lock: the store is never moved aside under a push."""
    import fcntl
    import os

    env.add_acme()
    backup = env.root / "backup.sqlite3"
    env.run("backup", str(backup))
    env.run("remove", "acme", "--yes")
    fd = os.open(env.data_dir / "push.lock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a push is running
    try:
        r = env.run("restore", str(backup), expect=6, env={"FOLLOWUP_SYNC_LOCK_WAIT": "0.2"})
        assert "another followup-sync push is running" in r.stderr
        assert env.plan() == []  # nothing was restored
    finally:
        os.close(fd)
    env.run("restore", str(backup))
    assert len(env.plan()) == 4
