"""The behaviour every provider must have (see the package docstring)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ..errors import ConflictError
from ..models import (
    PushItem,
    RemoteItem,
)
from ..provider import Provider, Write
from ..text import single_line
from .factories import make_push_item, redate


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

    def test_write_many_reports_each_write_alone(self, provider):
        """`write_many` (one at a time, on a pool, or in batches): every write gets
        its own result, a refused one does not take the others down, and what it
        reports is what a listing shows."""
        items = [make_push_item(attempt=a) for a in (1, 2, 3)] + [make_push_item(attempt=None)]
        first = self._write(provider, provider.create, items[0])
        with provider.batch():
            results = list(
                provider.write_many(Write("create", it, tag=n) for n, it in enumerate(items))
            )
        assert sorted(r.write.tag for r in results) == [0, 1, 2, 3]
        by_uid = {r.write.uid: r for r in results}
        assert isinstance(by_uid[items[0].uid].error, ConflictError)
        written = {u: r.remote for u, r in by_uid.items() if u != items[0].uid}
        assert all(r.error is None for u, r in by_uid.items() if u != items[0].uid)
        listed = provider.list_items({})
        assert set(listed) == {it.uid for it in items}
        assert listed[items[0].uid].ref == first.ref
        for uid, remote in written.items():
            assert listed[uid].ref == remote.ref and listed[uid].content_hash == remote.content_hash
            if remote.etag is not None:
                assert listed[uid].etag == remote.etag
        moved = [redate(it, it.item.due + timedelta(days=1)) for it in items[1:]]
        with provider.batch():
            results = list(
                provider.write_many(
                    [Write("update", m, listed[m.uid]) for m in moved]
                    + [Write("delete", current=listed[items[0].uid])]
                )
            )
        assert [r.error for r in results] == [None] * 4
        listed = provider.list_items({})
        assert set(listed) == {m.uid for m in moved}
        assert {u: r.due for u, r in listed.items()} == {m.uid: m.item.due for m in moved}

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

    def _updated_since(self, provider) -> tuple[PushItem, RemoteItem]:
        """An item, and the remote state it had before a later update (now stale)."""
        if not self.supports_conflicts:
            pytest.skip("provider cannot detect stale writes")
        item = make_push_item()
        first = self._write(provider, provider.create, item)
        self._write(
            provider, provider.update, redate(item, item.item.due + timedelta(days=1)), first
        )
        return item, first

    def test_stale_update_is_refused(self, provider):
        item, first = self._updated_since(provider)
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
        item, first = self._updated_since(provider)
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
