"""What the user decided about the events `capture` proposed (see capture/review.py).

Keys are hashes of an event's UID and RECURRENCE-ID: nothing else is kept about
an event the user ignored, and nothing at all about events never proposed.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..models import CaptureDecision
from .applications import parse_dt


class CaptureQueries:
    conn: sqlite3.Connection

    def capture_decisions(self) -> dict[str, CaptureDecision]:
        rows = self.conn.execute(
            "SELECT key, decision, app_id, round, start, source FROM capture_decisions"
        )
        return {
            key: CaptureDecision(key, decision, app_id, number, parse_dt(start), source)
            for key, decision, app_id, number, start, source in rows
        }

    def decide_added(
        self, key: str, app_id: str, round_number: int, start: datetime, source: str
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO capture_decisions (key, decision, app_id, round, start, source)"
            " VALUES (?, 'added', ?, ?, ?, ?)",
            (key, app_id, round_number, start.isoformat(), source),
        )

    def decide_ignored(self, key: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO capture_decisions (key, decision) VALUES (?, 'ignored')",
            (key,),
        )
