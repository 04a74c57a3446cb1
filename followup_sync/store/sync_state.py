"""Sync state per provider: what each push wrote (records), what the user deleted
there (dismissals), and small provider state such as sync tokens."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from ..models import Record
from .applications import parse_dt

if TYPE_CHECKING:
    from .database import Store


class SyncStateQueries:
    conn: sqlite3.Connection

    def records(self, provider: str) -> dict[str, Record]:
        # Plain tuples, not sqlite3.Row: a push reads every record (40,000 at 10,000
        # applications), and name lookups were a tenth of a no-op push.
        rows = self.conn.execute(
            "SELECT uid, app_id, ref, etag, hash, sequence, due, last_modified"
            " FROM records WHERE provider = ?",
            (provider,),
        )
        return {
            uid: Record(uid, app_id, ref, etag, h, seq, parse_dt(due), parse_dt(modified))
            for uid, app_id, ref, etag, h, seq, due, modified in rows
        }

    def record_count(self, provider: str) -> int:
        row = self.conn.execute("SELECT count(*) FROM records WHERE provider = ?", (provider,))
        return row.fetchone()[0]

    def save_records(self, provider: str, changes: Sequence[tuple[str, Record | None]]) -> None:
        """Record writes (None: forget the uid)."""
        for uid, rec in changes:
            if rec is None:
                self.conn.execute(
                    "DELETE FROM records WHERE provider = ? AND uid = ?", (provider, uid)
                )
            else:
                self.conn.execute(
                    "INSERT OR REPLACE INTO records (provider, uid, app_id, ref, etag, hash,"
                    " sequence, due, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    def dismissed(self, provider: str) -> set[str]:
        rows = self.conn.execute("SELECT uid FROM dismissed WHERE provider = ?", (provider,))
        return {r[0] for r in rows}

    def dismiss(self, provider: str, uid: str, on: date) -> None:
        """The user deleted `uid` on `provider`: never recreate it there."""
        self.conn.execute(
            "INSERT OR REPLACE INTO dismissed (provider, uid, on_day) VALUES (?, ?, ?)",
            (provider, uid, on.isoformat()),
        )
        self.conn.execute("DELETE FROM records WHERE provider = ? AND uid = ?", (provider, uid))

    def provider_state(self, provider: str) -> dict[str, str]:
        rows = self.conn.execute(
            "SELECT key, value FROM provider_state WHERE provider = ?", (provider,)
        )
        return {k: v for k, v in rows}

    def save_provider_state(self, provider: str, state: dict[str, str]) -> None:
        self.conn.execute("DELETE FROM provider_state WHERE provider = ?", (provider,))
        self.conn.executemany(
            "INSERT INTO provider_state (provider, key, value) VALUES (?, ?, ?)",
            [(provider, k, v) for k, v in state.items()],
        )


class StoreRecorder:
    """The sync engine's recorder for one provider: each call is one durable transaction."""

    def __init__(self, store: Store, provider: str):
        self.store = store
        self.provider = provider

    def record(self, changes: Sequence[tuple[str, Record | None]]) -> None:
        if changes:
            with self.store.write(content=False) as tx:
                tx.save_records(self.provider, changes)
