"""Opening the store: one SQLite file, migrations, transactions, backup and restore.

Secrets never come here. Schema changes are numbered migrations (PRAGMA
user_version). Every command's changes happen in one write transaction; a push
records each remote write in its own small transaction right after it succeeds,
so a crash loses at most the record of one write, which the next push recovers
by adoption.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ..atomic import write_atomic
from ..errors import StoreError, UserInputError
from ..models import Application
from .transaction import Transaction

STORE_NAME = "followup-sync.sqlite3"

# Each entry upgrades the schema by one version; never edit a released one.
MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE applications (
        id TEXT PRIMARY KEY,
        company TEXT NOT NULL,
        role TEXT NOT NULL,
        skills TEXT NOT NULL DEFAULT '',
        accomplishment TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'waiting',
        outcome TEXT,
        status_on TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE rounds (
        app_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        at TEXT NOT NULL,            -- ISO 8601 with UTC offset
        tz TEXT NOT NULL,            -- IANA zone the time was given in
        interviewers TEXT NOT NULL DEFAULT '[]',
        stage TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        reply_by TEXT,
        PRIMARY KEY (app_id, number)
    );
    CREATE TABLE sent (
        app_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
        round INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        on_day TEXT NOT NULL,
        PRIMARY KEY (app_id, round, attempt)
    );
    CREATE TABLE moved (
        uid TEXT PRIMARY KEY,
        app_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
        due TEXT NOT NULL,
        tz TEXT NOT NULL
    );
    -- What we wrote to each provider; no foreign key: a removed application's
    -- records must survive until the next push deletes its remote items.
    CREATE TABLE records (
        provider TEXT NOT NULL,
        uid TEXT NOT NULL,
        app_id TEXT NOT NULL,
        ref TEXT NOT NULL,
        etag TEXT,
        hash TEXT NOT NULL,
        sequence INTEGER NOT NULL DEFAULT 0,
        due TEXT,
        last_modified TEXT NOT NULL,
        PRIMARY KEY (provider, uid)
    );
    -- Items the user deleted on a provider: never recreated there.
    CREATE TABLE dismissed (
        provider TEXT NOT NULL,
        uid TEXT NOT NULL,
        on_day TEXT NOT NULL,
        PRIMARY KEY (provider, uid)
    );
    CREATE TABLE provider_state (
        provider TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (provider, key)
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta (key, value) VALUES ('revision', '0');
    """,
    # 2: `add` and `import` look applications up by company and role; without an
    # index each lookup scans the table (10,000 imports took 27 s, now under 2 s).
    """
    CREATE INDEX applications_company_role ON applications (lower(company), lower(role));
    CREATE INDEX records_app ON records (provider, app_id);
    """,
    # 3: replies found in the mailbox (outcome "replied"): who, when, the subject,
    # and the Message-ID, so one message never stops a series twice (after a
    # `reopen`, say). Nothing else of a message is stored.
    """
    CREATE TABLE replies (
        app_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
        round INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        at TEXT NOT NULL,            -- ISO 8601 with UTC offset
        subject TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (app_id, message_id)
    );
    """,
    # 4: what the user decided about events `capture` proposed, by a hash of the
    # event's UID and RECURRENCE-ID. An ignored event keeps only that hash; an added
    # one also its application, round, start (to notice a reschedule) and source.
    # No foreign key: a removed application's events must stay decided.
    """
    CREATE TABLE capture_decisions (
        key TEXT PRIMARY KEY,
        decision TEXT NOT NULL CHECK (decision IN ('added', 'ignored')),
        app_id TEXT,
        round INTEGER,
        start TEXT,                  -- ISO 8601 with UTC offset
        source TEXT
    );
    CREATE INDEX capture_decisions_app ON capture_decisions (app_id, round);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """One SQLite file in the data dir; every access goes through a Transaction."""

    #: seconds to wait for another process's transaction before giving up
    busy_timeout: float = 10.0

    def __init__(self, path: Path):
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    @classmethod
    def open(cls, data_dir: Path, *, create: bool = True) -> Store:
        store = cls(Path(data_dir) / STORE_NAME)
        store._connect(create=create)
        return store

    def _connect(self, *, create: bool = True) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        exists = self.path.exists()
        if not exists and not create:
            raise StoreError(f"no store at {self.path}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create data dir {self.path.parent}: {e.strerror}") from None
        if not exists:
            # The store holds personal data: owner-only from the first byte.
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and exists and os.path.getsize(self.path) > 0:
                tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if tables:
                    raise StoreError(
                        f"{self.path} is not a followup-sync store; it was left untouched"
                    )
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"cannot read store {self.path} ({e}); it was left untouched:"
                " restore a backup with `followup-sync restore`"
            ) from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} has schema version {version}, newer than this"
                f" followup-sync understands ({SCHEMA_VERSION}): upgrade followup-sync"
            )
        self._migrate(conn, version)
        self._conn = conn
        return conn

    def _migrate(self, conn: sqlite3.Connection, version: int) -> None:
        for number in range(version, SCHEMA_VERSION):
            try:
                conn.execute("BEGIN IMMEDIATE")
                for statement in _split_sql(MIGRATIONS[number]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as e:
                conn.execute("ROLLBACK")
                raise StoreError(
                    f"migrating store {self.path} to version {number + 1} failed: {e}"
                ) from None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # --- transactions -----------------------------------------------------------------
    @contextlib.contextmanager
    def write(self, *, content: bool = True) -> Iterator[Transaction]:
        """One write transaction (BEGIN IMMEDIATE): committed if the block ends, else rolled back.

        `content` changes bump the store revision the feed caches on; a push's
        bookkeeping (records, provider state) passes content=False so a feed
        polled during a push does not re-render for nothing.
        """
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise StoreError(f"store is busy ({e}); try again") from None
        tx = Transaction(conn)
        try:
            yield tx
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if tx.rolled_back:
            conn.execute("ROLLBACK")
            return
        try:
            if content:
                conn.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Transaction]:
        """A read transaction: every query in it sees one committed snapshot (WAL)."""
        conn = self._connect()
        conn.execute("BEGIN")
        try:
            yield Transaction(conn)
        finally:
            conn.execute("COMMIT")

    def snapshot(self) -> tuple[int, list[Application]]:
        """(revision, applications) read together, for the feed's cache key."""
        with self.read() as tx:
            return tx.revision(), tx.applications()

    # --- backup ---------------------------------------------------------------------
    def backup_to(self, dest: Path) -> None:
        """A consistent copy (SQLite online backup), owner-only."""
        if dest.exists():
            raise UserInputError(f"{dest} exists; choose a new file name")
        try:
            fd = os.open(dest, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        except OSError as e:
            raise UserInputError(f"cannot write {dest}: {e.strerror}") from None
        os.close(fd)
        target = sqlite3.connect(dest)
        try:
            self._connect().backup(target)
        finally:
            target.close()


def restore_store(data_dir: Path, backup: Path) -> Path | None:
    """Put `backup` in place of the store, keeping the current one aside; returns where.

    The caller holds the data dir's lock (lock.py): a push must not have the store
    moved aside under it.
    """
    if not backup.is_file():
        raise UserInputError(f"no such backup file: {backup}")
    try:
        conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute("SELECT count(*) FROM applications").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise UserInputError(f"{backup} is not a followup-sync backup ({e})") from None
    if ok != "ok":
        raise UserInputError(f"{backup} is damaged ({ok}); nothing was changed")
    if not 1 <= version <= SCHEMA_VERSION:
        raise StoreError(
            f"{backup} has schema version {version}; this followup-sync reads up to {SCHEMA_VERSION}"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / STORE_NAME
    kept = None
    if target.exists():
        kept = target.with_name(f"{STORE_NAME}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
        os.replace(target, kept)
        for suffix in ("-wal", "-shm"):
            side = Path(str(target) + suffix)
            if side.exists():
                os.replace(side, Path(str(kept) + suffix))
    with open(backup, "rb") as src:
        write_atomic(target, src)
    return kept


def _split_sql(script: str) -> list[str]:
    """Statements of a migration, so they run inside our own transaction.

    sqlite3's executescript() would COMMIT first; splitting on ';' is enough for
    our own migrations, which hold no string literals with semicolons.
    """
    lines = [ln.split("--", 1)[0] for ln in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
