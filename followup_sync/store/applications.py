"""Applications, their rounds, and the sent/moved marks the rules read."""

from __future__ import annotations

import functools
import json
import sqlite3
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..errors import StoreError, UserInputError
from ..models import (
    UID_PREFIX,
    Application,
    Interviewer,
    MovedMark,
    Outcome,
    Round,
    SentMark,
    Status,
)

UTC = ZoneInfo("UTC")
# Columns `touch` may change; anything else is a programming error.
_TOUCHABLE = frozenset(
    {"company", "role", "skills", "accomplishment", "notes", "status", "outcome", "status_on"}
)


def slugify(text: str) -> str:
    """A readable ASCII id: ids become UIDs, which CalDAV servers restrict to
    [A-Za-z0-9_.+-]; non-Latin names are transliterated ("日本" -> "riben")."""
    if not text.isascii():
        from anyascii import anyascii  # lazily: only non-ASCII names need it

        text = anyascii(unicodedata.normalize("NFC", text))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = []
    for ch in text.lower():
        out.append(ch if ch.isalnum() else "-")
    slug = "-".join(p for p in "".join(out).split("-") if p)
    return slug[:48].strip("-")


@functools.lru_cache(maxsize=65536)
def parse_dt(text: str | None, tz: str | None = None) -> datetime | None:
    # Cached: 40,000 records share a few hundred distinct due times, and parsing
    # them was a fifth of a no-op push. datetimes are immutable, so sharing is safe.
    if not text:
        return None
    dt = datetime.fromisoformat(text)
    return dt.astimezone(ZoneInfo(tz)) if tz else dt


def parse_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def zone_name(dt: datetime) -> str:
    key = getattr(dt.tzinfo, "key", None)
    return key or "UTC"


class ApplicationQueries:
    conn: sqlite3.Connection

    # --- lookups --------------------------------------------------------------------
    def application_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM applications ORDER BY id")]

    def application_exists(self, app_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM applications WHERE id = ?", (app_id,)).fetchone()
        return row is not None

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

    def find_latest(self, company: str, role: str, *, waiting: bool = False) -> str | None:
        """The newest application with this company and role (only open ones if `waiting`)."""
        row = self.conn.execute(
            "SELECT id FROM applications WHERE lower(company) = lower(?) AND lower(role) = lower(?)"
            + (" AND status = 'waiting'" if waiting else "")
            + " ORDER BY created_at DESC, id DESC LIMIT 1",
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
            # Compare instants in UTC: `==` between zones is always False for a time
            # in a DST gap or overlap (PEP 495).
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

    def has_sent(self, app_id: str, round_number: int, attempt: int) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sent WHERE app_id = ? AND round = ? AND attempt = ?",
            (app_id, round_number, attempt),
        ).fetchone()
        return row is not None

    # --- changes --------------------------------------------------------------------
    def insert_application(
        self,
        app_id: str,
        company: str,
        role: str,
        *,
        skills: str = "",
        accomplishment: str = "",
        notes: str = "",
        now: datetime,
    ) -> None:
        self.conn.execute(
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

    def insert_round(self, app_id: str, rnd: Round) -> None:
        self.conn.execute(
            "INSERT INTO rounds (app_id, number, at, tz, interviewers, stage, notes, reply_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                app_id,
                rnd.number,
                rnd.at.isoformat(),
                zone_name(rnd.at),
                json.dumps([[i.name, i.email] for i in rnd.interviewers]),
                rnd.stage,
                rnd.notes,
                rnd.reply_by.isoformat() if rnd.reply_by else None,
            ),
        )

    def update_round(self, app_id: str, rnd: Round) -> None:
        self.conn.execute(
            "DELETE FROM rounds WHERE app_id = ? AND number = ?", (app_id, rnd.number)
        )
        self.insert_round(app_id, rnd)

    def touch(self, app_id: str, now: datetime, **fields: str | None) -> None:
        """Update application columns and bump its revision."""
        unknown = set(fields) - _TOUCHABLE
        if unknown:
            raise ValueError(f"not an application column: {', '.join(sorted(unknown))}")
        sets = "".join(f"{k} = ?, " for k in fields)
        self.conn.execute(
            f"UPDATE applications SET {sets}updated_at = ?, revision = revision + 1 WHERE id = ?",
            (*fields.values(), now.isoformat(), app_id),
        )

    def delete_application(self, app_id: str) -> None:
        self.conn.execute("DELETE FROM applications WHERE id = ?", (app_id,))
        # Its ids (and so its UIDs) may be reused by a new application with the
        # same company and role: the old one's dismissals must not carry over.
        prefix = f"{UID_PREFIX}.{app_id}.r"
        self.conn.execute(
            "DELETE FROM dismissed WHERE substr(uid, 1, ?) = ?", (len(prefix), prefix)
        )

    def mark_sent(self, app_id: str, mark: SentMark) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO sent (app_id, round, attempt, on_day) VALUES (?, ?, ?, ?)",
            (app_id, mark.round_number, mark.attempt, mark.on.isoformat()),
        )

    def mark_moved(self, app_id: str, mark: MovedMark) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO moved (uid, app_id, due, tz) VALUES (?, ?, ?, ?)",
            (mark.uid, app_id, mark.due.isoformat(), zone_name(mark.due)),
        )

    # --- reading whole applications -----------------------------------------------------
    def application(self, app_id: str) -> Application:
        apps = self.applications([app_id])
        if not apps:
            raise UserInputError(f"no application {app_id!r}")
        return apps[0]

    def applications(self, ids: list[str] | None = None) -> list[Application]:
        """Applications with their rounds and marks, ordered by id."""
        # Plain tuples with named columns, not sqlite3.Row: every push and plan reads
        # all applications, and Row lookups by name were a fifth of that time.
        cursor = self.conn.cursor()
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
                    at=parse_dt(at, tz),
                    interviewers=tuple(Interviewer(n, e) for n, e in json.loads(people)),
                    stage=stage,
                    notes=notes,
                    reply_by=parse_day(reply_by),
                )
            )
        sent: dict[str, list[SentMark]] = {}
        for app_id, rnd, attempt, on_day in cursor.execute(
            "SELECT app_id, round, attempt, on_day FROM sent"
            + where.format(col="app_id")
            + " ORDER BY app_id, round, attempt",
            args,
        ):
            sent.setdefault(app_id, []).append(SentMark(rnd, attempt, parse_day(on_day)))
        moved: dict[str, list[MovedMark]] = {}
        for app_id, uid, due, tz in cursor.execute(
            "SELECT app_id, uid, due, tz FROM moved" + where.format(col="app_id") + " ORDER BY uid",
            args,
        ):
            moved.setdefault(app_id, []).append(MovedMark(uid, parse_dt(due, tz)))
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
                # Rounds are written in the application's own transaction; one
                # without any is damaged data, not something to skip silently.
                raise StoreError(
                    f"application {app_id!r} has no interview rounds: the store is damaged;"
                    " restore a backup (`followup-sync restore`) or remove it"
                    f" (`followup-sync remove {app_id}`)"
                )
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
                    status_on=parse_day(status_on),
                    sent=tuple(sent.get(app_id, ())),
                    moved=tuple(moved.get(app_id, ())),
                    revision=revision,
                    updated_at=parse_dt(updated_at),
                )
            )
        return apps
