"""The SQLite store: applications, rounds, sent/moved marks, and what each push wrote.

Secrets never come here. Schema changes are numbered migrations (PRAGMA
user_version); every command's changes happen in one transaction (`write()`),
while a push records each remote write in its own small transaction right after
it succeeds, so a crash loses at most the record of one write, which the next
push recovers by adoption.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .errors import StoreError, UserInputError
from .models import (
    Application,
    Interviewer,
    MovedMark,
    Outcome,
    RemoteItem,
    Round,
    SentMark,
    Status,
)

STORE_NAME = "followup-sync.sqlite3"
UTC = ZoneInfo("UTC")

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
]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Record:
    """What we last wrote for one item on one provider."""

    uid: str
    app_id: str
    ref: str
    etag: str | None
    hash: str
    sequence: int
    due: datetime | None
    last_modified: datetime

    def as_remote(self) -> RemoteItem:
        return RemoteItem(
            uid=self.uid, ref=self.ref, etag=self.etag, due=self.due, content_hash=self.hash
        )


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = []
    for ch in text.lower():
        out.append(ch if ch.isalnum() else "-")
    slug = "-".join(p for p in "".join(out).split("-") if p)
    return slug[:48].strip("-")


@functools.lru_cache(maxsize=65536)
def _dt(text: str | None, tz: str | None = None) -> datetime | None:
    # Cached: 40,000 records share a few hundred distinct due times, and parsing
    # them was a fifth of a no-op push. datetimes are immutable, so sharing is safe.
    if not text:
        return None
    dt = datetime.fromisoformat(text)
    return dt.astimezone(ZoneInfo(tz)) if tz else dt


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _zone_name(dt: datetime) -> str:
    key = getattr(dt.tzinfo, "key", None)
    return key or "UTC"


class Store:
    """One SQLite file in the data dir."""

    #: seconds to wait for another process's transaction before giving up
    busy_timeout: float = 10.0

    def __init__(self, path: Path):
        self.path = path
        self._conn: sqlite3.Connection | None = None

    # --- opening ------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: Path, *, create: bool = True) -> Store:
        store = cls(Path(data_dir) / STORE_NAME)
        store.connect(create=create)
        return store

    def connect(self, *, create: bool = True) -> sqlite3.Connection:
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
            conn.row_factory = sqlite3.Row
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
        self._conn = conn
        self._migrate(version)
        return conn

    def _migrate(self, version: int) -> None:
        conn = self._conn
        assert conn is not None
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

    @property
    def conn(self) -> sqlite3.Connection:
        return self.connect()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextlib.contextmanager
    def write(self, *, content: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction. `content` changes bump the revision the feed caches on;
        a push's bookkeeping (records, provider state) passes content=False so a
        feed polled during a push does not re-render for nothing."""
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise StoreError(f"store is busy ({e}); try again") from None
        try:
            yield conn
            if content:
                conn.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def revision(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row[0])

    # --- applications -------------------------------------------------------
    def application_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM applications ORDER BY id")]

    def resolve(self, prefix: str) -> str:
        """The id that `prefix` uniquely starts; a clear error otherwise."""
        prefix = prefix.strip()
        if not prefix:
            raise UserInputError("empty application id")
        ids = self.application_ids()
        if prefix in ids:
            return prefix
        matches = [i for i in ids if i.startswith(prefix)]
        if not matches:
            raise UserInputError(f"no application matches {prefix!r} (see `followup-sync list`)")
        if len(matches) > 1:
            shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
            raise UserInputError(f"{prefix!r} matches several applications: {shown}")
        return matches[0]

    def find_open(self, company: str, role: str) -> str | None:
        row = self.conn.execute(
            "SELECT id FROM applications WHERE lower(company) = lower(?) AND lower(role) = lower(?)"
            " AND status = 'waiting' ORDER BY created_at DESC LIMIT 1",
            (company, role),
        ).fetchone()
        return row[0] if row else None

    def find_round(self, company: str, role: str, at: datetime) -> tuple[str, int] | None:
        """(application id, round number) of this exact interview, if recorded."""
        rows = self.conn.execute(
            "SELECT a.id, r.number, r.at FROM applications a JOIN rounds r ON r.app_id = a.id"
            " WHERE lower(a.company) = lower(?) AND lower(a.role) = lower(?)",
            (company, role),
        )
        for app_id, number, text in rows:
            # Compare instants in UTC: `==` between zones is always False for a time in
            # a DST gap or overlap (PEP 495), so re-importing an interview at 01:30 on
            # the night clocks go back failed as "a new round must come after it".
            if datetime.fromisoformat(text).astimezone(UTC) == at.astimezone(UTC):
                return app_id, number
        return None

    def new_id(self, company: str, role: str) -> str:
        base = slugify(f"{company}-{role}") or "application"
        # A range on the primary key ("base-" up to "base."), so the lookup uses the index.
        rows = self.conn.execute(
            "SELECT id FROM applications WHERE id = ? OR (id >= ? AND id < ?)",
            (base, base + "-", base + "."),
        )
        taken = {r[0] for r in rows}
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def insert_application(
        self,
        conn: sqlite3.Connection,
        app_id: str,
        company: str,
        role: str,
        *,
        skills: str = "",
        accomplishment: str = "",
        notes: str = "",
        now: datetime,
    ) -> None:
        conn.execute(
            "INSERT INTO applications (id, company, role, skills, accomplishment, notes,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                app_id,
                company,
                role,
                skills,
                accomplishment,
                notes,
                now.isoformat(),
                now.isoformat(),
            ),
        )

    def insert_round(self, conn: sqlite3.Connection, app_id: str, rnd: Round) -> None:
        conn.execute(
            "INSERT INTO rounds (app_id, number, at, tz, interviewers, stage, notes, reply_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                app_id,
                rnd.number,
                rnd.at.isoformat(),
                _zone_name(rnd.at),
                json.dumps([[i.name, i.email] for i in rnd.interviewers]),
                rnd.stage,
                rnd.notes,
                rnd.reply_by.isoformat() if rnd.reply_by else None,
            ),
        )

    def update_round(self, conn: sqlite3.Connection, app_id: str, rnd: Round) -> None:
        conn.execute("DELETE FROM rounds WHERE app_id = ? AND number = ?", (app_id, rnd.number))
        self.insert_round(conn, app_id, rnd)

    def touch(self, conn: sqlite3.Connection, app_id: str, now: datetime, **fields) -> None:
        """Update application columns and bump its revision."""
        allowed = {
            "company",
            "role",
            "skills",
            "accomplishment",
            "notes",
            "status",
            "outcome",
            "status_on",
        }
        assert set(fields) <= allowed, fields
        sets = "".join(f"{k} = ?, " for k in fields)
        conn.execute(
            f"UPDATE applications SET {sets}updated_at = ?, revision = revision + 1 WHERE id = ?",
            (*fields.values(), now.isoformat(), app_id),
        )

    def delete_application(self, conn: sqlite3.Connection, app_id: str) -> None:
        conn.execute("DELETE FROM applications WHERE id = ?", (app_id,))
        # Its ids (and so its UIDs) may be reused by a new application with the
        # same company and role: the old one's dismissals must not carry over.
        prefix = f"followup-sync.{app_id}.r"
        conn.execute("DELETE FROM dismissed WHERE substr(uid, 1, ?) = ?", (len(prefix), prefix))

    def mark_sent(self, conn: sqlite3.Connection, app_id: str, mark: SentMark) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO sent (app_id, round, attempt, on_day) VALUES (?, ?, ?, ?)",
            (app_id, mark.round_number, mark.attempt, mark.on.isoformat()),
        )

    def mark_moved(self, conn: sqlite3.Connection, app_id: str, mark: MovedMark) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO moved (uid, app_id, due, tz) VALUES (?, ?, ?, ?)",
            (mark.uid, app_id, mark.due.isoformat(), _zone_name(mark.due)),
        )

    def applications(self, ids: list[str] | None = None) -> list[Application]:
        # Plain tuples with named columns, not sqlite3.Row: every push and plan reads
        # all applications, and Row lookups by name were a fifth of that time.
        cursor = self.conn.cursor()
        cursor.row_factory = None
        if ids is None:
            where, args = "", ()
        else:
            where, args = f" WHERE {{col}} IN ({', '.join('?' * len(ids))})", tuple(ids)
        rows = cursor.execute(
            "SELECT id, company, role, skills, accomplishment, notes, status, outcome,"
            " status_on, revision, updated_at FROM applications"
            + where.format(col="id")
            + " ORDER BY id",
            args,
        ).fetchall()
        rounds: dict[str, list[Round]] = {}
        for app_id, number, at, tz, people, stage, notes, reply_by in cursor.execute(
            "SELECT app_id, number, at, tz, interviewers, stage, notes, reply_by FROM rounds"
            + where.format(col="app_id")
            + " ORDER BY app_id, number",
            args,
        ):
            rounds.setdefault(app_id, []).append(
                Round(
                    number=number,
                    at=_dt(at, tz),
                    interviewers=tuple(Interviewer(n, e) for n, e in json.loads(people)),
                    stage=stage,
                    notes=notes,
                    reply_by=_day(reply_by),
                )
            )
        sent: dict[str, list[SentMark]] = {}
        for app_id, rnd, attempt, on_day in cursor.execute(
            "SELECT app_id, round, attempt, on_day FROM sent"
            + where.format(col="app_id")
            + " ORDER BY app_id, round, attempt",
            args,
        ):
            sent.setdefault(app_id, []).append(SentMark(rnd, attempt, _day(on_day)))
        moved: dict[str, list[MovedMark]] = {}
        for app_id, uid, due, tz in cursor.execute(
            "SELECT app_id, uid, due, tz FROM moved" + where.format(col="app_id") + " ORDER BY uid",
            args,
        ):
            moved.setdefault(app_id, []).append(MovedMark(uid, _dt(due, tz)))
        statuses = {s.value: s for s in Status}
        apps = []
        for (
            app_id,
            company,
            role,
            skills,
            accomplishment,
            notes,
            status,
            outcome,
            status_on,
            revision,
            updated_at,
        ) in rows:
            if app_id not in rounds:
                continue  # cannot happen: rounds are written with their application
            apps.append(
                Application(
                    id=app_id,
                    company=company,
                    role=role,
                    rounds=tuple(rounds[app_id]),
                    skills=skills,
                    accomplishment=accomplishment,
                    notes=notes,
                    status=statuses[status],
                    outcome=Outcome(outcome) if outcome else None,
                    status_on=_day(status_on),
                    sent=tuple(sent.get(app_id, ())),
                    moved=tuple(moved.get(app_id, ())),
                    revision=revision,
                    updated_at=_dt(updated_at),
                )
            )
        return apps

    def application(self, app_id: str) -> Application:
        apps = self.applications([app_id])
        if not apps:
            raise UserInputError(f"no application {app_id!r}")
        return apps[0]

    # --- push records -------------------------------------------------------
    def records(self, provider: str) -> dict[str, Record]:
        # Plain tuples, not sqlite3.Row: a push reads every record (40,000 at 10,000
        # applications), and name lookups were a tenth of a no-op push.
        cursor = self.conn.cursor()
        cursor.row_factory = None
        rows = cursor.execute(
            "SELECT uid, app_id, ref, etag, hash, sequence, due, last_modified"
            " FROM records WHERE provider = ?",
            (provider,),
        )
        return {
            uid: Record(uid, app_id, ref, etag, h, seq, _dt(due), _dt(modified))
            for uid, app_id, ref, etag, h, seq, due, modified in rows
        }

    def save_record(self, provider: str, rec: Record) -> None:
        self.save_records(provider, [(rec.uid, rec)])

    def save_records(self, provider: str, changes: list[tuple[str, Record | None]]) -> None:
        """Record writes (None: forget the uid), all in one transaction."""
        with self.write(content=False) as conn:
            for uid, rec in changes:
                if rec is None:
                    conn.execute(
                        "DELETE FROM records WHERE provider = ? AND uid = ?", (provider, uid)
                    )
                else:
                    self._put_record(conn, provider, rec)

    def _put_record(self, conn: sqlite3.Connection, provider: str, rec: Record) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO records (provider, uid, app_id, ref, etag, hash, sequence,"
            " due, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                provider,
                rec.uid,
                rec.app_id,
                rec.ref,
                rec.etag,
                rec.hash,
                rec.sequence,
                rec.due.isoformat() if rec.due else None,
                rec.last_modified.isoformat(),
            ),
        )

    def forget_record(self, provider: str, uid: str) -> None:
        self.save_records(provider, [(uid, None)])

    def dismissed(self, provider: str) -> set[str]:
        rows = self.conn.execute("SELECT uid FROM dismissed WHERE provider = ?", (provider,))
        return {r[0] for r in rows}

    def dismiss(self, conn: sqlite3.Connection, provider: str, uid: str, on: date) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO dismissed (provider, uid, on_day) VALUES (?, ?, ?)",
            (provider, uid, on.isoformat()),
        )
        conn.execute("DELETE FROM records WHERE provider = ? AND uid = ?", (provider, uid))

    def provider_state(self, provider: str) -> dict[str, str]:
        rows = self.conn.execute(
            "SELECT key, value FROM provider_state WHERE provider = ?", (provider,)
        )
        return {r[0]: r[1] for r in rows}

    def save_provider_state(
        self, conn: sqlite3.Connection, provider: str, state: dict[str, str]
    ) -> None:
        conn.execute("DELETE FROM provider_state WHERE provider = ?", (provider,))
        conn.executemany(
            "INSERT INTO provider_state (provider, key, value) VALUES (?, ?, ?)",
            [(provider, k, v) for k, v in state.items()],
        )

    # --- backup -------------------------------------------------------------
    def backup_to(self, dest: Path) -> None:
        """A consistent copy (SQLite online backup), owner-only."""
        if dest.exists():
            raise UserInputError(f"{dest} exists; choose a new file name")
        try:
            fd = os.open(dest, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        except OSError as e:  # a missing directory or no permission was exit 70
            raise UserInputError(f"cannot write {dest}: {e.strerror}") from None
        os.close(fd)
        target = sqlite3.connect(dest)
        try:
            self.conn.backup(target)
        finally:
            target.close()


def _split_sql(script: str) -> list[str]:
    """Statements of a migration, so they run inside our own transaction.

    sqlite3's executescript() would COMMIT first; splitting on ';' is enough for
    our own migrations, which hold no string literals with semicolons.
    """
    lines = [ln.split("--", 1)[0] for ln in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
