"""A provider contract suite that every provider runs, ours and third-party ones.

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
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .errors import ConflictError
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

TZ = ZoneInfo("America/New_York")


DictState = MemoryState  # an in-memory StateMap for tests


def make_context(tmp_path: Path, **kw) -> ProviderContext:
    """A ProviderContext for tests; `secrets` maps option prefixes to values."""
    secrets = kw.pop("secrets", {})

    def secret(prefix: str, options: Mapping | None = None) -> str | None:
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

    def test_hostile_text_round_trips_as_one_item(self, provider):
        nasty = "Acme\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\nX-Unsent: 0; \u2603 \x00\x1b"
        item = make_push_item(company=nasty, contact="Jane\nBcc: evil@example.com Doe")
        self._write(provider, provider.create, item)
        listed = provider.list_items({})
        assert set(listed) == {item.uid}

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
