"""The sync engine as a state machine: any mix of edits, remote deletions, lost records,
crashes mid-push and pushes converges, with no duplicates, and a second push writes nothing.

Runs against the real ICS file provider (real files); crashes are injected by a
provider wrapper that dies after k writes, the way a killed process would.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from followup_sync import applications as appops
from followup_sync.config import Settings
from followup_sync.desired import DesiredState
from followup_sync.errors import UserInputError
from followup_sync.models import Interviewer, ItemRef, Outcome, User
from followup_sync.push import PushContext, push_providers
from followup_sync.store import STORE_NAME, Store, StoreRecorder

pytestmark = [pytest.mark.slow]

TZ = ZoneInfo("Europe/Berlin")
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella"]


class Crash(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing catches it."""


class CrashingProvider:
    """Delegates to a real provider and dies after `writes_left` writes."""

    def __init__(self, inner, writes_left: int):
        self._inner, self.writes_left = inner, writes_left

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def _tick(self):
        if self.writes_left <= 0:
            raise Crash
        self.writes_left -= 1

    def create(self, item):
        self._tick()
        return self._inner.create(item)

    def update(self, item, current):
        self._tick()
        return self._inner.update(item, current)

    def delete(self, current):
        self._tick()
        return self._inner.delete(current)


class SyncMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="fus-sm-"))
        self.settings = Settings(user=User("Alex", "alex@example.com", "Europe/Berlin"))
        self.store = Store.open(self.dir / "data")
        self.ics = self.dir / "cal.ics"
        self.options = {"type": "ics", "path": str(self.ics)}
        self.today = date(2026, 11, 2)
        self.n = 0
        self.user_deleted: set[str] = set()  # UIDs the "user" removed from the file

    def teardown(self):
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def now(self):
        return datetime.combine(self.today, datetime.min.time(), tzinfo=ZoneInfo("UTC"))

    def ctx(self) -> PushContext:
        return PushContext(self.store, self.settings, self.dir, self.today, self.now())

    def provider(self):
        return self.ctx().provider("cal", self.options)

    def push_to(self, provider):
        return push_providers(self.ctx(), [provider], force=True)

    def ids(self):
        with self.store.read() as tx:
            return tx.application_ids()

    # --- user actions -----------------------------------------------------------
    @rule(company=st.sampled_from(COMPANIES), days_ago=st.integers(0, 20), reply=st.booleans())
    def add_interview(self, company, days_ago, reply):
        self.n += 1
        at = datetime.combine(self.today - timedelta(days=days_ago), datetime.min.time(), tzinfo=TZ)
        at = at.replace(hour=10, minute=self.n % 60)
        # A round dated before the current one is refused (UserInputError): fine.
        with self.store.write() as tx, contextlib.suppress(UserInputError):
            appops.add_interview(
                tx,
                company=company,
                role="Engineer",
                at=at,
                interviewers=(Interviewer("Jane Doe", "jane@x.example"),),
                reply_by=at.date() + timedelta(days=3) if reply else None,
                now=self.now(),
            )

    @precondition(lambda self: self.ids())
    @rule(pick=st.integers(0, 10), data=st.data())
    def change_status(self, pick, data):
        ids = self.ids()
        with self.store.read() as tx:
            app = tx.application(ids[pick % len(ids)])
        action = data.draw(st.sampled_from(["sent", "heard", "close", "reopen", "remove"]))
        with self.store.write() as tx:
            if action == "sent" and app.is_open:
                items = DesiredState(self.settings.user, self.settings.rules, TZ, self.today).items(
                    app
                )
                try:
                    attempt = appops.next_unsent_attempt(app, items)
                except UserInputError:
                    return  # every nudge is already marked sent
                on = max(self.today, app.current_round.at.date())
                appops.mark_sent(tx, app, attempt, on, 3, self.now())
            elif action == "heard":
                appops.mark_heard(tx, app, Outcome.OTHER, self.today, self.now())
            elif action == "close":
                appops.close(tx, app, self.today, self.now())
            elif action == "reopen":
                appops.reopen(tx, app, self.now())
            elif action == "remove":
                tx.delete_application(app.id)

    @rule(days=st.integers(1, 9))
    def time_passes(self, days):
        self.today += timedelta(days=days)

    @precondition(lambda self: self.ics.exists())
    @rule(pick=st.integers(0, 50))
    def user_deletes_an_event(self, pick):
        cal = icalendar.Calendar.from_ical(self.ics.read_bytes())
        ours = [c for c in cal.subcomponents if c.name == "VEVENT"]
        if ours:
            gone = ours[pick % len(ours)]
            self.user_deleted.add(str(gone["UID"]))
            cal.subcomponents.remove(gone)
            self.ics.write_bytes(cal.to_ical())

    @rule()
    def store_records_lost(self):
        conn = sqlite3.connect(self.dir / "data" / STORE_NAME)
        conn.execute("DELETE FROM records")
        conn.execute("DELETE FROM provider_state")
        conn.commit()
        conn.close()

    @rule(k=st.integers(0, 6))
    def push_crashes_after_k_writes(self, k):
        provider = CrashingProvider(self.provider(), k)
        with contextlib.suppress(Crash):
            self.push_to(provider)

    @rule()
    def push_dies_after_writing_before_recording(self):
        """The file is replaced, then the process dies before the records commit."""
        real = StoreRecorder.record

        def die(recorder, changes):
            if any(rec is None or rec.hash != "-deleting-" for _, rec in changes):
                raise Crash
            return real(recorder, changes)

        with pytest.MonkeyPatch.context() as mp, contextlib.suppress(Crash):
            mp.setattr(StoreRecorder, "record", die)
            self.push_to(self.provider())

    @rule()
    def push(self):
        run = self.push_to(self.provider())
        assert not run.failures, run.failures
        self.check_converged()

    # --- what must always hold -----------------------------------------------
    def file_uids(self) -> list[str]:
        if not self.ics.exists():
            return []
        cal = icalendar.Calendar.from_ical(self.ics.read_bytes())
        return [str(c["UID"]) for c in cal.walk("VEVENT")]

    @invariant()
    def only_the_users_deletions_are_dismissed_and_nothing_looks_moved(self):
        # Our own writes, however a crash interleaves them with the records, must
        # never be taken for the user's: no dismissal they did not cause, no move.
        with self.store.read() as tx:
            assert tx.dismissed("cal") <= self.user_deleted
            assert all(a.moved == () for a in tx.applications())

    @invariant()
    def no_duplicate_uids(self):
        uids = self.file_uids()
        assert len(uids) == len(set(uids))

    def check_converged(self):
        desired_state = DesiredState(self.settings.user, self.settings.rules, TZ, self.today)
        with self.store.read() as tx:
            desired = set(desired_state.wanted(tx.applications()))
            dismissed = tx.dismissed("cal")
            records = tx.records("cal")
        on_file = set(self.file_uids())
        known = set(self.ids())
        # Items of applications the store no longer knows and never recorded (the
        # store was lost, then the application removed) are left alone: we cannot
        # tell them from another device's, and deleting is the one thing we must
        # not get wrong.
        orphans = {u for u in on_file - desired if ItemRef.parse(u).application_id not in known}
        assert on_file - orphans == desired - dismissed
        assert set(records) == on_file - orphans
        (again,) = push_providers(self.ctx(), [self.provider()]).reports
        assert again.plan.writes == [], [a.line() for a in again.plan.writes]
        assert again.pulled == []


TestSyncMachine = SyncMachine.TestCase
TestSyncMachine.settings = settings(
    max_examples=30,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
