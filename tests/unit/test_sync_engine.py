"""The sync engine on its own: pull, plan and apply against an in-memory provider.

No SQLite and no server: `MemoryProvider` is the target, `MemoryRecorder` keeps the
records. Every case the engine handles has a row here; the CLI and server suites
check the same behaviour end to end.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup_sync.desired import DesiredState
from followup_sync.errors import ConflictError, ProviderAuthError, ProviderError, RateLimited
from followup_sync.models import Application, Interviewer, Record, RemoteItem, Round, Rules, User
from followup_sync.pool import Throttle
from followup_sync.sync import (
    DELETING,
    MemoryRecorder,
    Op,
    PullKind,
    apply,
    make_plan,
    pull,
)
from followup_sync.testing import MemoryProvider

TZ = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
APP = Application(
    id="acme-dev",
    company="Acme",
    role="Developer",
    rounds=(
        Round(
            1,
            datetime(2026, 11, 20, 14, 0, tzinfo=TZ),
            (Interviewer("Jane Doe", "j@acme.example"),),
        ),
    ),
)
STATE = DesiredState(
    User("Alex", "alex@example.com", "America/New_York"), Rules(), TZ, date(2026, 11, 26)
)
WANTED = STATE.wanted([APP])
UID = "followup-sync.acme-dev.r1.nudge-1"
W = WANTED[UID]


def remote(etag="e1", content_hash=None, due=None, completed_on=None, uid=UID) -> RemoteItem:
    return RemoteItem(
        uid=uid,
        ref=uid,
        etag=etag,
        due=due or W.item.due,
        completed_on=completed_on,
        content_hash=W.content_hash if content_hash is None else content_hash,
    )


def record(etag="e1", content_hash=None, due=None, uid=UID) -> Record:
    return Record(
        uid=uid,
        app_id="acme-dev",
        ref=uid,
        etag=etag,
        hash=W.content_hash if content_hash is None else content_hash,
        sequence=2,
        due=due or W.item.due,
        last_modified=NOW - timedelta(days=1),
    )


# --- pull: the user's changes ------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "rec", "now", "expected"),
    [
        ("unchanged", record(), remote(), []),
        ("no etag to compare", record(etag=None), remote(etag="e9"), []),
        ("deleted by the user", record(), None, [PullKind.DELETED]),
        ("deleted by our crashed push", record(content_hash=DELETING), None, []),
        (
            "completed in a task app",
            record(),
            remote(etag="e2", completed_on=date(2026, 11, 27)),
            [PullKind.COMPLETED],
        ),
        (
            "moved to another day",
            record(),
            remote(etag="e2", due=W.item.due + timedelta(days=2)),
            [PullKind.MOVED],
        ),
        ("other edit (title)", record(), remote(etag="e2"), [PullKind.EDITED]),
        (
            "our own write whose record was lost",
            record(),
            remote(etag="e2", content_hash="another-of-ours", due=W.item.due + timedelta(days=2)),
            [],
        ),
    ],
)
def test_pull(case, rec, now, expected):
    got = pull({UID: rec}, {UID: now} if now else {})
    assert [p.kind for p in got] == expected, case


def test_pull_completion_of_the_move_on_marker_is_reported_as_completed():
    """push.save_pulled closes the application for it: the user moved on."""
    uid = "followup-sync.acme-dev.r1.move-on"
    got = pull(
        {uid: record(uid=uid)}, {uid: remote(uid=uid, etag="e2", completed_on=date(2026, 12, 1))}
    )
    assert [(p.kind, p.on) for p in got] == [(PullKind.COMPLETED, date(2026, 12, 1))]


# --- plan: one row per decision ----------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "want", "rec", "now", "dismissed", "op", "reason"),
    [
        ("new item", True, None, None, False, Op.CREATE, ""),
        ("new item the user deleted before", True, None, None, True, None, "skipped"),
        ("lost record, remote as wanted", True, None, remote(), False, Op.ADOPT, "already there"),
        (
            "lost record, remote differs",
            True,
            None,
            remote(content_hash="old"),
            False,
            Op.UPDATE,
            "adopted",
        ),
        (
            "crashed delete, wanted again",
            True,
            record(content_hash=DELETING),
            None,
            False,
            Op.CREATE,
            "wanted again",
        ),
        ("deleted by the user", True, record(), None, False, None, "skipped"),
        (
            "crashed write, remote as wanted",
            True,
            record(content_hash="old"),
            remote(etag="e2"),
            False,
            Op.ADOPT,
            "already there",
        ),
        (
            "user edited it",
            True,
            record(),
            remote(etag="e2"),
            False,
            Op.KEEP,
            "changed by you: kept",
        ),
        (
            "our crashed write, now re-planned",
            True,
            record(content_hash="old"),
            remote(etag="e2", content_hash="older"),
            False,
            Op.UPDATE,
            "finishing a crashed push",
        ),
        (
            "re-planned",
            True,
            record(content_hash="old"),
            remote(content_hash="old"),
            False,
            Op.UPDATE,
            "",
        ),
        ("unchanged", True, record(), remote(), False, None, "unchanged"),
        ("withdrawn, recorded", False, record(), remote(), False, Op.DELETE, "withdrawn"),
        ("withdrawn, record lost", False, None, remote(), False, Op.DELETE, "withdrawn"),
        ("gone both sides", False, record(), None, False, Op.FORGET, ""),
    ],
)
def test_plan(case, want, rec, now, dismissed, op, reason):
    plan = make_plan(
        {UID: W} if want else {},
        {UID: rec} if rec else {},
        {UID: now} if now else {},
        {UID} if dismissed else set(),
        {"acme-dev"},
    )
    if op is None:
        assert plan.actions == [], case
        counter = {"skipped": plan.skipped_dismissed, "unchanged": plan.unchanged}[reason]
        assert counter == 1, case
    else:
        assert [(a.op, a.reason) for a in plan.actions] == [(op, reason)], case


def test_plan_leaves_foreign_items_alone():
    """Ours by UID, but of an application this store never knew: never deleted."""
    uid = "followup-sync.other-app.r1.nudge-1"
    plan = make_plan({}, {}, {uid: remote(uid=uid)}, set(), {"acme-dev"})
    assert plan.actions == [] and plan.foreign == 1


# --- apply -------------------------------------------------------------------------------
def _run(provider, plan, recorded=None):
    recorder = MemoryRecorder(recorded)
    result = apply(plan, provider, recorder, recorded or {}, NOW, STATE.render)
    return result, recorder


def _plan_for(provider, recorder_records, dismissed=frozenset()):
    listing = provider.list_items({})
    return make_plan(WANTED, recorder_records, listing, set(dismissed), {"acme-dev"}), listing


def test_first_push_creates_and_records_each_item_at_once():
    provider = MemoryProvider()
    plan, _ = _plan_for(provider, {})
    result, recorder = _run(provider, plan)
    assert result.created == 4 and result.failed == 0
    assert set(provider.items) == set(WANTED)
    assert recorder.calls == 4  # one durable record per write, as it happens
    rec = recorder.records[UID]
    assert rec.etag == provider.items[UID].etag and rec.hash == W.content_hash
    assert rec.sequence == 0 and rec.last_modified == NOW


def test_second_push_writes_nothing():
    provider = MemoryProvider()
    plan, _ = _plan_for(provider, {})
    _, recorder = _run(provider, plan)
    writes = len(provider.writes)
    plan, _ = _plan_for(provider, recorder.records)
    result, _ = _run(provider, plan, recorder.records)
    assert plan.actions == [] and plan.unchanged == 4
    assert len(provider.writes) == writes and result.created == result.updated == 0


def test_a_user_edit_is_kept_and_its_etag_recorded():
    provider = MemoryProvider()
    _, recorder = _run(provider, _plan_for(provider, {})[0])
    provider.user_edit(UID)
    plan, _ = _plan_for(provider, recorder.records)
    result, recorder2 = _run(provider, plan, recorder.records)
    assert result.kept == 1 and provider.items[UID].summary == "edited by the user"
    assert recorder2.records[UID].etag == provider.items[UID].etag
    assert recorder2.records[UID].sequence == recorder.records[UID].sequence  # nothing written


EDITED = STATE.wanted([replace(APP, role="Senior Developer")])


def test_a_changed_application_updates_each_item_and_bumps_sequence():
    provider = MemoryProvider()
    _, recorder = _run(provider, _plan_for(provider, {})[0])
    plan = make_plan(EDITED, recorder.records, provider.list_items({}), set(), {"acme-dev"})
    assert [a.op for a in plan.actions] == [Op.UPDATE] * 4
    result, recorder2 = _run(provider, plan, recorder.records)
    assert result.updated == 4 and recorder2.records[UID].sequence == 1
    assert provider.items[UID].summary == STATE.render(EDITED[UID]).summary


def test_a_write_refused_as_a_conflict_counts_as_kept():
    provider = MemoryProvider()
    _, recorder = _run(provider, _plan_for(provider, {})[0])
    plan = make_plan(EDITED, recorder.records, provider.list_items({}), set(), {"acme-dev"})
    provider.user_edit(UID)  # between our listing and our write
    result, recorder2 = _run(provider, plan, recorder.records)
    assert (result.updated, result.kept, result.conflicts) == (3, 1, 1)
    assert recorder2.records[UID] == recorder.records[UID]  # the refused write is not recorded
    assert provider.items[UID].summary == "edited by the user"


def test_user_deletion_is_reported_and_never_recreated_by_the_plan():
    provider = MemoryProvider()
    _, recorder = _run(provider, _plan_for(provider, {})[0])
    provider.user_delete(UID)
    listing = provider.list_items({})
    assert [p.kind for p in pull(recorder.records, listing)] == [PullKind.DELETED]
    # The caller dismisses it (push.dismiss_deleted); the plan then skips it.
    records = {u: r for u, r in recorder.records.items() if u != UID}
    plan = make_plan(WANTED, records, listing, {UID}, {"acme-dev"})
    assert plan.actions == [] and plan.skipped_dismissed == 1


def test_lost_records_are_adopted_not_duplicated():
    provider = MemoryProvider()
    _run(provider, _plan_for(provider, {})[0])
    plan, _ = _plan_for(provider, {})  # the store forgot everything
    result, recorder = _run(provider, plan)
    assert result.adopted == 4 and result.created == 0
    assert len(provider.items) == 4 and set(recorder.records) == set(WANTED)


def test_a_crashed_delete_is_finished_and_not_dismissed():
    provider = MemoryProvider()
    _, recorder = _run(provider, _plan_for(provider, {})[0])
    # The push died after the DELETE, before forgetting the record (marked "deleting").
    rec = replace(recorder.records[UID], hash=DELETING)
    provider.user_delete(UID)
    records = {**recorder.records, UID: rec}
    assert pull(records, provider.list_items({})) == []  # not the user's deletion
    plan, _ = _plan_for(provider, records)
    assert [(a.op, a.reason) for a in plan.actions] == [(Op.CREATE, "wanted again")]


def test_delete_marks_the_record_before_the_provider_deletes():
    provider = MemoryProvider()
    _, recorder = _run(provider, _plan_for(provider, {})[0])
    seen: list[str] = []
    real_delete = provider.delete

    def delete(current):
        seen.append(recorder.records[current.uid].hash)
        real_delete(current)

    provider.delete = delete
    plan = make_plan({}, recorder.records, provider.list_items({}), set(), {"acme-dev"})
    result = apply(plan, provider, recorder, recorder.records, NOW, STATE.render)
    assert result.deleted == 4 and provider.items == {}
    assert seen == [DELETING] * 4 and recorder.records == {}


def test_deferred_provider_records_after_its_batch_and_marks_deletions_first():
    provider = MemoryProvider(deferred=True)
    plan, _ = _plan_for(provider, {})
    recorder = MemoryRecorder()
    result = apply(plan, provider, recorder, {}, NOW, STATE.render)
    assert result.created == 4 and recorder.calls == 1  # one record call, after the batch
    plan = make_plan({}, recorder.records, provider.list_items({}), set(), {"acme-dev"})
    calls = []
    real = recorder.record
    recorder.record = lambda changes: (calls.append(list(changes)), real(changes))
    apply(plan, provider, recorder, dict(recorder.records), NOW, STATE.render)
    assert [rec.hash for _, rec in calls[0]] == [DELETING] * 4  # before the batch
    assert [rec for _, rec in calls[1]] == [None] * 4 and provider.items == {}


def test_provider_errors_fail_alone_and_five_in_a_row_stop_the_push():
    provider = MemoryProvider()
    provider.fail_next("create")
    plan, _ = _plan_for(provider, {})
    result, recorder = _run(provider, plan)
    assert (result.created, result.failed) == (3, 1) and len(recorder.records) == 3
    provider = MemoryProvider()
    for _ in range(5):
        provider.fail_next("create")
    many = {f"{u}": w for u, w in STATE.wanted([APP, replace(APP, id="acme-2")]).items()}
    plan = make_plan(many, {}, {}, set(), {"acme-dev", "acme-2"})
    result, _ = _run(provider, plan)
    assert result.failed == 8 and result.created == 0
    assert "stopped after 5 failures in a row; 3 items not tried" in result.errors[-1]


def test_rate_limit_stops_writes_but_not_bookkeeping():
    provider = MemoryProvider()
    provider.fail_next("create", RateLimited("slow down"))
    plan, _ = _plan_for(provider, {})
    result, _ = _run(provider, plan)
    assert result.created == 0 and result.failed == 4
    assert "rate limited: 3 more writes not tried" in result.errors


def test_refused_credentials_stop_at_once():
    provider = MemoryProvider()
    provider.fail_next("create", ProviderAuthError("refused"))
    plan, _ = _plan_for(provider, {})
    with pytest.raises(ProviderAuthError):
        _run(provider, plan)


def test_memory_provider_refuses_stale_writes_like_a_server():
    provider = MemoryProvider()
    item = STATE.render(W)
    first = provider.create(item)
    provider.user_edit(UID)
    with pytest.raises(ConflictError):
        provider.update(item, first)
    with pytest.raises(ConflictError):
        provider.delete(first)
    with pytest.raises(ConflictError):
        provider.create(item)
    assert isinstance(ProviderError("x"), Exception)


# --- apply on a pool of connections ------------------------------------------------------
APPS = [replace(APP, id=f"acme-{n}") for n in range(8)]
MANY = STATE.wanted(APPS)  # 32 items
MANY_IDS = {a.id for a in APPS}


class ThreadCheckingRecorder(MemoryRecorder):
    """Records only on the thread that called apply() (the store's SQLite connection)."""

    def __init__(self, provider: MemoryProvider):
        super().__init__()
        self.provider = provider
        self.threads: set[str] = set()
        self.written_at_first_record: int | None = None

    def record(self, changes):
        self.threads.add(threading.current_thread().name)
        if self.written_at_first_record is None:
            self.written_at_first_record = len(self.provider.writes)
        super().record(changes)


def _many_plan(provider, records=None):
    return make_plan(MANY, records or {}, provider.list_items({}), set(), MANY_IDS)


def test_concurrent_writes_are_bounded_and_each_recorded_at_once_on_the_callers_thread():
    provider = MemoryProvider(concurrency=4, latency=0.01)
    recorder = ThreadCheckingRecorder(provider)
    result = apply(_many_plan(provider), provider, recorder, {}, NOW, STATE.render)
    assert result.created == 32 and result.failed == 0
    assert set(provider.items) == set(MANY) and set(recorder.records) == set(MANY)
    assert recorder.calls == 32  # one durable record per write
    assert provider.max_in_flight == 4  # overlapping, and never more than asked
    assert threading.current_thread().name not in provider.write_threads
    assert recorder.threads == {threading.current_thread().name}
    # The first write was recorded while most of the others were still to come.
    assert recorder.written_at_first_record < 8
    # A second push writes nothing.
    again = _many_plan(provider, recorder.records)
    assert again.actions == [] and again.unchanged == 32


def test_concurrent_deletes_mark_their_records_first():
    provider = MemoryProvider(concurrency=4)
    recorder = MemoryRecorder()
    apply(_many_plan(provider), provider, recorder, {}, NOW, STATE.render)
    seen: list[str] = []
    real_delete = provider._delete

    def delete(current):
        seen.append(recorder.records[current.uid].hash)  # read on a worker thread
        real_delete(current)

    provider._delete = delete
    plan = make_plan({}, recorder.records, provider.list_items({}), set(), MANY_IDS)
    result = apply(plan, provider, recorder, dict(recorder.records), NOW, STATE.render)
    assert result.deleted == 32 and provider.items == {} and recorder.records == {}
    assert seen == [DELETING] * 32


def test_concurrent_failure_fails_alone():
    provider = MemoryProvider(concurrency=4, latency=0.005)
    provider.fail_next("create")
    recorder = MemoryRecorder()
    result = apply(_many_plan(provider), provider, recorder, {}, NOW, STATE.render)
    assert (result.created, result.failed) == (31, 1)
    assert set(recorder.records) == set(provider.items) and len(provider.items) == 31
    # The next push retries it.
    result = apply(
        _many_plan(provider, recorder.records),
        provider,
        recorder,
        dict(recorder.records),
        NOW,
        STATE.render,
    )
    assert result.created == 1 and len(provider.items) == 32


def test_concurrent_five_failures_in_a_row_stop_the_writes():
    provider = MemoryProvider(concurrency=4, latency=0.005)
    for _ in range(32):
        provider.fail_next("create")  # the target is down
    recorder = MemoryRecorder()
    result = apply(_many_plan(provider), provider, recorder, {}, NOW, STATE.render)
    assert "stopped after 5 failures in a row" in result.errors[-1]
    tried = len(provider.in_flight_log)
    assert 5 <= tried <= 5 + 3  # at most the writes already in flight when it stopped
    assert (result.created, result.failed) == (0, 32)
    assert f"; {32 - tried} items not tried" in result.errors[-1]


def test_concurrent_rate_limit_stops_writes_and_keeps_what_was_written():
    provider = MemoryProvider(concurrency=4, latency=0.005)
    provider.fail_next("create", RateLimited("slow down"))
    recorder = MemoryRecorder()
    result = apply(_many_plan(provider), provider, recorder, {}, NOW, STATE.render)
    assert len(provider.in_flight_log) <= 8  # stopped: a few in flight, nothing new after
    assert result.created == len(provider.items) and result.created + result.failed == 32
    assert set(recorder.records) == set(provider.items)
    assert any("rate limited:" in e for e in result.errors)


def test_concurrent_refused_credentials_raise_after_recording_the_writes_in_flight():
    provider = MemoryProvider(concurrency=4, latency=0.005)
    provider.fail_next("create", ProviderAuthError("refused"))
    recorder = MemoryRecorder()
    with pytest.raises(ProviderAuthError):
        apply(_many_plan(provider), provider, recorder, {}, NOW, STATE.render)
    assert len(provider.in_flight_log) <= 8
    assert set(recorder.records) == set(provider.items)  # nothing written goes unrecorded


def test_a_busy_server_makes_the_pool_back_off_then_recover():
    provider = MemoryProvider(concurrency=8, latency=0.005)
    provider.busy_next(1, retry_after=0.05)  # "503, come back in 0.05 s"
    recorder = MemoryRecorder()
    started = time.monotonic()
    result = apply(_many_plan(provider), provider, recorder, {}, NOW, STATE.render)
    assert result.created == 32 and result.failed == 0
    assert time.monotonic() - started >= 0.05  # Retry-After honoured
    assert provider.throttle.backoffs == 1
    assert min(provider.limit_log) == 4  # halved...
    assert provider.limit_log[-1] > 4  # ...and growing back as writes succeed


def test_throttle_halves_once_per_pause_and_grows_back_one_at_a_time():
    clock = [100.0]
    slept: list[float] = []
    throttle = Throttle(8, clock=lambda: clock[0], sleep=slept.append)
    throttle.slow_down(2.0)
    throttle.slow_down(2.0)  # the same pause: one signal
    assert (throttle.limit, throttle.backoffs) == (4, 1)
    assert throttle.wait() == 2.0 and slept == [2.0]
    clock[0] += 2.0
    assert throttle.wait() == 0.0
    throttle.slow_down(None)  # a 429 without Retry-After still halves
    assert throttle.limit == 2
    for _ in range(2):
        throttle.succeeded()
    assert throttle.limit == 3
    for _ in range(3 + 4 + 5 + 6 + 7 + 8):
        throttle.succeeded()
    assert throttle.limit == 8  # never above the configured concurrency
