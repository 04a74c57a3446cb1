"""The provider contract suite that every provider runs, ours and third-party ones,
and an in-memory provider for testing the sync engine without any server.

Subclass `ProviderContract` in a pytest module and provide a `provider` fixture
that returns a provider writing to a fresh, empty target:

    class TestMyProvider(ProviderContract):
        @pytest.fixture
        def provider(self, tmp_path):
            return MyProvider("t", {...}, make_context(tmp_path))

Optional hooks (override to enable the matching tests):
- `add_foreign(provider)`: put an item the tool did not create into the target.
- `edit_remotely(provider, remote)`: change an item behind our back (user edit).
- `complete_remotely(provider, remote, day)`: mark a task/VTODO done as the user would.
- `stored_text(provider, uid)`: (summary, description) as the target stores them,
  read without the provider's code, so the round trip of user text is checked.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .errors import ConflictError, ProviderError
from .models import (
    Channel,
    Draft,
    FollowUpItem,
    ItemKind,
    ItemStatus,
    PushItem,
    RemoteItem,
    User,
    item_uid,
)
from .provider import MemoryState, Provider, ProviderContext
from .text import single_line

TZ = ZoneInfo("America/New_York")


DictState = MemoryState  # an in-memory StateMap for tests


def make_context(tmp_path: Path, **kw) -> ProviderContext:
    """A ProviderContext for tests; `secrets` maps option names to values."""
    secrets = kw.pop("secrets", {})

    def secret(prefix: str) -> str | None:
        return secrets.get(prefix)

    return ProviderContext(
        user=kw.pop("user", User("Alex Rivera", "alex@example.com", "America/New_York")),
        data_dir=tmp_path,
        state=kw.pop("state", DictState()),
        secret=secret,
        **kw,
    )


def make_push_item(
    app_id: str = "acme-backend-engineer",
    attempt: int | None = 1,
    due: datetime | None = None,
    *,
    company: str = "Acme",
    role: str = "Backend Engineer",
    contact: str = "Jane Doe",
    status: ItemStatus = ItemStatus.PLANNED,
    sequence: int = 0,
    summary: str | None = None,
    description: str | None = None,
) -> PushItem:
    """A self-consistent PushItem without running the rules engine."""
    due = due or datetime(2026, 12, 7, 9, 30, tzinfo=TZ)
    kind = ItemKind.NUDGE if attempt else ItemKind.MOVE_ON
    step = f"nudge-{attempt}" if attempt else "move-on"
    item = FollowUpItem(
        uid=item_uid(app_id, 1, step),
        application_id=app_id,
        round_number=1,
        kind=kind,
        attempt=attempt,
        due=due,
        status=status,
        channel=Channel.EMAIL if attempt else None,
    )
    if summary is None:
        summary = (
            f"Follow up with {contact} at {company}: {role} ({attempt}/3)"
            if attempt
            else f"No reply from {company} after 3 follow-ups: time to move on"
        )
    draft = (
        Draft(
            subject=f"Following up: {role}",
            body=f"Dear {contact.split()[0]},\n\nChecking in.\n\nBest,\nAlex",
            to_name=contact,
            to_addr="jane@acme.example",
            from_name="Alex Rivera",
            from_addr="alex@example.com",
        )
        if attempt
        else None
    )
    mailto = "mailto:jane@acme.example?subject=Following%20up" if attempt else None
    eml = b"X-Unsent: 1\r\nSubject: Following up\r\n\r\nChecking in.\r\n" if attempt else None
    if description is None:
        description = (draft.body + "\n\n" + mailto) if draft else "Close it with followup-sync."
    h = hashlib.sha256(
        "\x1f".join([item.uid, due.isoformat(), status, summary, description]).encode()
    ).hexdigest()[:16]
    return PushItem(
        item=item,
        company=company,
        role=role,
        contact=contact,
        summary=summary,
        description=description,
        draft=draft,
        mailto=mailto,
        eml=eml,
        duration=timedelta(minutes=15),
        alarm_before=timedelta(0),
        content_hash=h,
        sequence=sequence,
        last_modified=datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC")),
    )


def redate(item: PushItem, due: datetime) -> PushItem:
    """The same item moved to `due`, with a new hash and a bumped SEQUENCE."""
    new = replace(item, item=replace(item.item, due=due), sequence=item.sequence + 1)
    return replace(
        new, content_hash=hashlib.sha256(f"{item.content_hash}{due}".encode()).hexdigest()[:16]
    )


class ProviderContract:
    """Behaviour every provider must have. Subclasses supply the `provider` fixture."""

    #: set False for providers that cannot detect stale writes
    supports_conflicts = True

    @pytest.fixture
    def provider(self) -> Provider:  # pragma: no cover - overridden
        raise NotImplementedError("subclass must provide a `provider` fixture")

    # --- optional hooks -------------------------------------------------------
    def add_foreign(self, provider: Provider) -> None:
        pytest.skip("provider test does not implement add_foreign")

    def edit_remotely(self, provider: Provider, remote: RemoteItem) -> None:
        pytest.skip("provider test does not implement edit_remotely")

    def complete_remotely(self, provider: Provider, remote: RemoteItem, day: date) -> None:
        pytest.skip("provider does not support completion")

    def stored_text(self, provider: Provider, uid: str) -> tuple[str, str]:
        pytest.skip("provider test does not implement stored_text")

    # --- helpers --------------------------------------------------------------
    @staticmethod
    def _write(provider: Provider, fn, *args):
        with provider.batch():
            return fn(*args)

    # --- tests ----------------------------------------------------------------
    def test_empty_target_lists_nothing(self, provider):
        assert provider.list_items({}) == {}

    def test_create_then_list(self, provider):
        item = make_push_item()
        remote = self._write(provider, provider.create, item)
        assert remote.uid == item.uid
        listed = provider.list_items({})
        assert set(listed) == {item.uid}
        got = listed[item.uid]
        assert got.due == item.item.due
        assert got.content_hash == item.content_hash
        assert got.ref == remote.ref
        if remote.etag is not None:
            assert got.etag == remote.etag

    def test_create_several_in_one_batch(self, provider):
        items = [make_push_item(attempt=a) for a in (1, 2, 3)] + [make_push_item(attempt=None)]
        with provider.batch():
            for it in items:
                provider.create(it)
        assert set(provider.list_items({})) == {it.uid for it in items}

    def test_create_existing_uid_is_a_conflict(self, provider):
        item = make_push_item()
        self._write(provider, provider.create, item)
        with pytest.raises(ConflictError):
            self._write(provider, provider.create, item)
        assert len(provider.list_items({})) == 1

    def test_update_changes_due_and_etag(self, provider):
        item = make_push_item()
        first = self._write(provider, provider.create, item)
        moved = redate(item, item.item.due + timedelta(days=3))
        second = self._write(provider, provider.update, moved, first)
        got = provider.list_items({})[item.uid]
        assert got.due == moved.item.due
        assert got.content_hash == moved.content_hash
        if first.etag is not None:
            assert second.etag != first.etag
            assert got.etag == second.etag

    def test_stale_update_is_refused(self, provider):
        if not self.supports_conflicts:
            pytest.skip("provider cannot detect stale writes")
        item = make_push_item()
        first = self._write(provider, provider.create, item)
        self._write(
            provider, provider.update, redate(item, item.item.due + timedelta(days=1)), first
        )
        with pytest.raises(ConflictError):
            self._write(
                provider, provider.update, redate(item, item.item.due + timedelta(days=2)), first
            )

    def test_delete(self, provider):
        a, b = make_push_item(attempt=1), make_push_item(attempt=2)
        with provider.batch():
            ra = provider.create(a)
            provider.create(b)
        self._write(provider, provider.delete, ra)
        assert set(provider.list_items({})) == {b.uid}

    def test_delete_missing_is_not_an_error(self, provider):
        item = make_push_item()
        remote = self._write(provider, provider.create, item)
        self._write(provider, provider.delete, remote)
        self._write(provider, provider.delete, remote)
        assert provider.list_items({}) == {}

    def test_incremental_listing_equals_full_listing(self, provider):
        a, b, c = (make_push_item(attempt=n) for n in (1, 2, 3))
        with provider.batch():
            ra, rb = provider.create(a), provider.create(b)
        known = provider.list_items({})
        with provider.batch():
            provider.update(redate(a, a.item.due + timedelta(days=2)), known[a.uid])
            provider.delete(known[b.uid])
            provider.create(c)
        incremental = provider.list_items(known)
        full = provider.list_items({})
        assert incremental == full
        assert set(full) == {a.uid, c.uid}
        del ra, rb

    def test_listing_twice_is_stable(self, provider):
        self._write(provider, provider.create, make_push_item())
        first = provider.list_items({})
        assert provider.list_items(first) == first
        assert provider.list_items({}) == first

    def test_summary_and_description_round_trip(self, provider):
        item = make_push_item()
        self._write(provider, provider.create, item)
        summary, description = self.stored_text(provider, item.uid)
        assert summary == item.summary
        # Every line of the draft arrives as it is; the mailto: link may be marked up
        # (a Markdown link in Todoist) but its URL is kept whole.
        text = [line for line in _lines(item.description) if "mailto:" not in line]
        stored = [line for line in _lines(description) if "mailto:" not in line]
        assert stored[: len(text)] == text
        assert item.mailto in description

    def test_hostile_text_round_trips_as_one_item(self, provider):
        nasty = "Acme\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\nX-Unsent: 0; \u2603 \x00\x1b"
        description = (
            "Dear Jane,\r\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\n"
            "Semicolons; commas, backslash \\ and \u2603 snow\x00\x1b\n\nBest,\nAlex"
        )
        item = make_push_item(
            company=nasty,
            contact="Jane\nBcc: evil@example.com Doe",
            summary=f"Follow up with Jane at {nasty}",
            description=description,
        )
        self._write(provider, provider.create, item)
        listed = provider.list_items({})
        assert set(listed) == {item.uid}
        assert listed[item.uid].content_hash == item.content_hash
        summary, stored = self.stored_text(provider, item.uid)
        # Control characters may be dropped; no other character is lost or added.
        assert single_line(summary) == single_line(_no_controls(item.summary))
        expected = _lines(_no_controls(description))
        assert _lines(stored)[: len(expected)] == expected

    def test_stale_delete_is_refused(self, provider):
        if not self.supports_conflicts:
            pytest.skip("provider cannot detect stale writes")
        item = make_push_item()
        first = self._write(provider, provider.create, item)
        self._write(
            provider, provider.update, redate(item, item.item.due + timedelta(days=1)), first
        )
        with pytest.raises(ConflictError):
            self._write(provider, provider.delete, first)
        assert set(provider.list_items({})) == {item.uid}

    def test_foreign_items_are_never_listed(self, provider):
        self.add_foreign(provider)
        self._write(provider, provider.create, make_push_item())
        assert set(provider.list_items({})) == {make_push_item().uid}

    def test_remote_edit_changes_etag(self, provider):
        item = make_push_item()
        remote = self._write(provider, provider.create, item)
        self.edit_remotely(provider, remote)
        got = provider.list_items({})[item.uid]
        assert got.etag != remote.etag

    def test_remote_completion_is_reported(self, provider):
        item = make_push_item()
        remote = self._write(provider, provider.create, item)
        day = date(2026, 12, 8)
        self.complete_remotely(provider, remote, day)
        got = provider.list_items({})[item.uid]
        assert got.completed_on == day


def _no_controls(text: str) -> str:
    return "".join(c for c in text if c in "\n\t" or c.isprintable() or c == "\r")


def _lines(text: str) -> list[str]:
    """Non-empty lines, each with its whitespace collapsed (what a reader would see)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [single_line(line) for line in text.split("\n") if single_line(line)]


# --- an in-memory provider ---------------------------------------------------------------


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
    ):
        context = context or ProviderContext(user=User(timezone="UTC"), data_dir=Path("."))
        super().__init__(name, options or {}, context)
        self.deferred_writes = deferred  # type: ignore[misc]  # per instance in tests
        self.items: dict[str, StoredItem] = {}
        self.writes: list[tuple[str, str]] = []
        self._staged: dict[str, StoredItem | None] | None = None
        self._failures: dict[str, list[Exception]] = {}
        self._tags = itertools.count(1)

    # --- what a test does -----------------------------------------------------------
    def fail_next(self, op: str, error: Exception | None = None) -> None:
        self._failures.setdefault(op, []).append(error or ProviderError(f"{op} failed"))

    def _maybe_fail(self, op: str) -> None:
        if self._failures.get(op):
            raise self._failures[op].pop(0)

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
        self._maybe_fail("create")
        if item.uid in self._current():
            raise ConflictError(f"{item.uid} already exists")
        stored = self._store(item, item.uid)
        self._put(item.uid, stored)
        self.writes.append(("create", item.uid))
        return self._remote(item.uid, stored)

    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        self._maybe_fail("update")
        now = self._current().get(item.uid)
        if now is None or now.etag != current.etag:
            raise ConflictError(f"{item.uid} changed since it was read")
        stored = self._store(item, now.ref)
        self._put(item.uid, stored)
        self.writes.append(("update", item.uid))
        return self._remote(item.uid, stored)

    def delete(self, current: RemoteItem) -> None:
        self._maybe_fail("delete")
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
