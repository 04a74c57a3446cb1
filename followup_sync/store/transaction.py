"""The one object every store access goes through: a connection inside BEGIN...COMMIT.

Its methods come from the concern modules (applications.py, sync_state.py,
capture.py); use cases take a Transaction, never a connection, and never write
SQL themselves.
"""

from __future__ import annotations

import sqlite3

from .applications import ApplicationQueries
from .capture import CaptureQueries
from .sync_state import SyncStateQueries


class Transaction(ApplicationQueries, SyncStateQueries, CaptureQueries):
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.rolled_back = False

    def rollback(self) -> None:
        """End this write transaction without keeping anything (a dry run): the
        changes stay visible to the reads inside it, then are discarded."""
        self.rolled_back = True

    def revision(self) -> int:
        """Bumped by every content-changing write; the feed re-renders when it moves."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row[0])
