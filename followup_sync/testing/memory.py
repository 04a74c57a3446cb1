"""MemoryProvider: a provider whose target is a dict, for testing the sync engine."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from ..errors import ConflictError, ProviderError
from ..models import (
    PushItem,
    RemoteItem,
    User,
)
from ..provider import Provider, ProviderContext


@dataclass(frozen=True)
class StoredItem:
    """One item as MemoryProvider keeps it."""

    ref: str
    etag: str
    due: datetime
    content_hash: str
    summary: str
    description: str
    completed_on: date | None = None


class MemoryProvider(Provider):
    """A provider whose target is a dict: the sync engine's tests need no server.

    Conditional like a real one (etags change on every write, ours or the user's),
    with helpers for what a user does in their app (`user_edit`, `user_move`,
    `user_complete`, `user_delete`, `add_foreign`) and a write log (`writes`).
    `fail_next(op, error)` makes the next `op` ("create", "update", "delete",
    "list") raise `error`. With `deferred=True` writes land only when the batch
    ends, like the single-file ICS provider.

    With `concurrency` > 1 the engine writes on that many threads (thread-safe
    here, like a server); `latency` makes each write take that long, so writes
    overlap, and `max_in_flight` tells how many did at most. `busy_next(n, s)`
    makes the next `n` writes meet a "503, Retry-After: s" first, as a busy
    server answers: the provider slows the pool down, waits, and tries again.
    """

    type = "memory"
    options = {}

    def __init__(
        self,
        name: str = "memory",
        options: Mapping | None = None,
        context: ProviderContext | None = None,
        *,
        deferred: bool = False,
        concurrency: int = 1,
        latency: float = 0.0,
    ):
        context = context or ProviderContext(user=User(timezone="UTC"), data_dir=Path("."))
        super().__init__(name, options or {}, context)
        self.deferred_writes = deferred  # type: ignore[misc]  # per instance in tests
        self.concurrency = concurrency
        self.latency = latency
        self.items: dict[str, StoredItem] = {}
        self.writes: list[tuple[str, str]] = []
        self.write_threads: set[str] = set()  # names of the threads that wrote
        self.in_flight = self.max_in_flight = 0
        self.in_flight_log: list[int] = []  # writes in flight as each write began
        self.limit_log: list[int] = []  # the pool's limit as each write began
        self._staged: dict[str, StoredItem | None] | None = None
        self._failures: dict[str, list[Exception]] = {}
        self._busy: list[float] = []
        self._tags = itertools.count(1)
        self._lock = threading.RLock()

    # --- what a test does -----------------------------------------------------------
    def fail_next(self, op: str, error: Exception | None = None) -> None:
        with self._lock:
            self._failures.setdefault(op, []).append(error or ProviderError(f"{op} failed"))

    def busy_next(self, n: int, retry_after: float = 0.0) -> None:
        with self._lock:
            self._busy += [retry_after] * n

    def _maybe_fail(self, op: str) -> None:
        with self._lock:
            error = self._failures[op].pop(0) if self._failures.get(op) else None
        if error is not None:
            raise error

    @contextlib.contextmanager
    def _writing(self, op: str) -> Iterator[None]:
        """One write as a server sees it: it waits for the pool's pause, may be told to
        come back later, takes `latency`, then runs alone under the lock."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.in_flight_log.append(self.in_flight)
            self.limit_log.append(self.throttle.limit)
            self.write_threads.add(threading.current_thread().name)
        try:
            while True:
                self.throttle.wait()
                with self._lock:
                    busy = self._busy.pop(0) if self._busy else None
                if busy is None:
                    break
                self.throttle.slow_down(busy)
            if self.latency:
                time.sleep(self.latency)
            self._maybe_fail(op)
            with self._lock:
                yield
        finally:
            with self._lock:
                self.in_flight -= 1

    def _etag(self) -> str:
        return f"e{next(self._tags)}"

    def user_edit(self, uid: str, *, summary: str = "edited by the user") -> None:
        self.items[uid] = replace(self.items[uid], summary=summary, etag=self._etag())

    def user_move(self, uid: str, due: datetime) -> None:
        self.items[uid] = replace(self.items[uid], due=due, etag=self._etag())

    def user_complete(self, uid: str, day: date) -> None:
        self.items[uid] = replace(self.items[uid], completed_on=day, etag=self._etag())

    def user_delete(self, uid: str) -> None:
        del self.items[uid]

    def add_foreign(self, uid: str, due: datetime) -> None:
        """An item with one of our UIDs that no push wrote (a lost store, another device)."""
        self.items[uid] = StoredItem(uid, self._etag(), due, "foreign", "foreign", "")

    # --- the provider ------------------------------------------------------------------
    def _remote(self, uid: str, s: StoredItem) -> RemoteItem:
        return RemoteItem(
            uid=uid,
            ref=s.ref,
            etag=s.etag,
            due=s.due,
            completed_on=s.completed_on,
            content_hash=s.content_hash,
        )

    def list_items(self, known: Mapping[str, RemoteItem]) -> dict[str, RemoteItem]:
        self._maybe_fail("list")
        return {uid: self._remote(uid, s) for uid, s in sorted(self.items.items())}

    def _current(self) -> dict[str, StoredItem]:
        if self._staged is None:
            return self.items
        view = dict(self.items)
        for uid, s in self._staged.items():
            if s is None:
                view.pop(uid, None)
            else:
                view[uid] = s
        return view

    def _put(self, uid: str, stored: StoredItem | None) -> None:
        if self._staged is not None:
            self._staged[uid] = stored
        elif stored is None:
            self.items.pop(uid, None)
        else:
            self.items[uid] = stored

    def _store(self, item: PushItem, ref: str) -> StoredItem:
        done = item.item.sent_on if item.item.status.value == "sent" else None
        return StoredItem(
            ref,
            self._etag(),
            item.item.due,
            item.content_hash,
            item.summary,
            item.description,
            done,
        )

    def create(self, item: PushItem) -> RemoteItem:
        with self._writing("create"):
            return self._create(item)

    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        with self._writing("update"):
            return self._update(item, current)

    def delete(self, current: RemoteItem) -> None:
        with self._writing("delete"):
            self._delete(current)

    def _create(self, item: PushItem) -> RemoteItem:
        if item.uid in self._current():
            raise ConflictError(f"{item.uid} already exists")
        stored = self._store(item, item.uid)
        self._put(item.uid, stored)
        self.writes.append(("create", item.uid))
        return self._remote(item.uid, stored)

    def _update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        now = self._current().get(item.uid)
        if now is None or now.etag != current.etag:
            raise ConflictError(f"{item.uid} changed since it was read")
        stored = self._store(item, now.ref)
        self._put(item.uid, stored)
        self.writes.append(("update", item.uid))
        return self._remote(item.uid, stored)

    def _delete(self, current: RemoteItem) -> None:
        now = self._current().get(current.uid)
        if now is None:
            return
        if current.etag is not None and now.etag != current.etag:
            raise ConflictError(f"{current.uid} changed since it was read")
        self._put(current.uid, None)
        self.writes.append(("delete", current.uid))

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        if not self.deferred_writes or self._staged is not None:
            yield
            return
        self._staged = {}
        try:
            yield
            staged, self._staged = self._staged, None
            for uid, stored in staged.items():
                self._put(uid, stored)
        finally:
            self._staged = None
