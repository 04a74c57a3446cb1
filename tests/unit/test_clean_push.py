"""A push with nothing to do for a provider skips it: no records read, no listing, no
planning (clean.py). Anything that could change the outcome brings the full push back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from followup_sync.applications import add_interview
from followup_sync.config import Settings
from followup_sync.models import Interviewer, Rules, SentMark, User
from followup_sync.push import PushContext, push_providers
from followup_sync.store import Store
from followup_sync.testing import MemoryProvider


class TokenProvider(MemoryProvider):
    """A MemoryProvider that can tell cheaply whether it changed, and counts listings."""

    listings = 0

    def change_token(self) -> str:
        return f"{len(self.writes)}:{sorted((u, s.etag) for u, s in self.items.items())}"

    def list_items(self, known):
        self.listings += 1
        return super().list_items(known)


def setup(tmp_path):
    store = Store.open(tmp_path / "data")
    with store.write() as tx:
        add_interview(
            tx,
            company="Acme",
            role="Dev",
            at=datetime(2026, 11, 20, 14, 0, tzinfo=UTC),
            interviewers=(Interviewer("Jane Doe", "jane@acme.example"),),
            now=datetime(2026, 11, 20, tzinfo=UTC),
        )
    settings = Settings(user=User("Alex", "alex@example.com", "UTC"))
    return store, settings


def push(store, settings, tmp_path, provider, today=date(2026, 11, 26)):
    ctx = PushContext(store, settings, tmp_path, today, datetime(2026, 11, 26, tzinfo=UTC))
    (report,) = push_providers(ctx, [provider]).reports
    return report


def test_a_clean_provider_is_not_listed_again_and_reports_its_items_unchanged(tmp_path):
    store, settings = setup(tmp_path)
    provider = TokenProvider()
    first = push(store, settings, tmp_path, provider)
    assert first.result.created == 4 and provider.listings == 1
    again = push(store, settings, tmp_path, provider)
    assert provider.listings == 1  # skipped: nothing read, nothing listed
    assert again.plan.unchanged == 4 and again.result.created == 0
    # Another day changes nothing either (overdue renders like planned).
    push(store, settings, tmp_path, provider, today=date(2026, 12, 30))
    assert provider.listings == 1


def test_any_change_brings_the_full_push_back(tmp_path):
    store, settings = setup(tmp_path)
    provider = TokenProvider()
    push(store, settings, tmp_path, provider)
    # The user edits an item in their app: listed again, the edit pulled and kept.
    provider.user_edit("followup-sync.acme-dev.r1.nudge-2")
    report = push(store, settings, tmp_path, provider)
    assert provider.listings == 2 and [p.kind.value for p in report.pulled] == ["edited"]
    # The store changes (a follow-up marked sent): planned again, and written.
    with store.write() as tx:
        app = tx.application("acme-dev")
        tx.mark_sent(app.id, SentMark(1, 1, date(2026, 11, 26)))
    report = push(store, settings, tmp_path, provider)
    assert provider.listings == 3 and report.result.updated >= 1
    # The settings change (another send time): planned again.
    later = replace(settings, rules=Rules(send_time=datetime(2000, 1, 1, 11, 0).time()))
    report = push(store, later, tmp_path, provider)
    assert provider.listings == 4 and report.result.updated == 4
    # The records are lost: listed again, and the items adopted, not duplicated.
    with store.write(content=False) as tx:
        tx.save_records("memory", [(uid, None) for uid in tx.records("memory")])
    report = push(store, later, tmp_path, provider)
    assert provider.listings == 5 and report.result.adopted == 4 and report.result.created == 0
    push(store, later, tmp_path, provider)
    assert provider.listings == 5  # clean again
