"""Execute a Plan against one provider, handing each success to a Recorder at once.

The provider performs the writes (`Provider.write_many`: one at a time, on a pool
of connections, or in batches); this module prepares each write when the provider
asks for it and records each result the moment it arrives, on the caller's
thread. A write is recorded right after it succeeds, so a crash loses at most the
records of the writes in flight, which the next push recovers by adoption.

For providers whose writes only land when their batch ends (a single file written
once), records wait for the batch too: a record must never claim a write that a
crash could still undo. Those are the two recording policies,
`_Immediate` and `_Deferred`, over one `Recorder` sink.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ..errors import ConflictError, ProviderAuthError, RateLimited
from ..models import PushItem, Record, RemoteItem
from ..provider import Write, WriteResult
from .plan import WRITES, Action, Op, Plan
from .pull import DELETING

if TYPE_CHECKING:
    from ..desired import Wanted
    from ..provider import Provider

#: After this many failed writes in a row the target is taken to be down.
MAX_CONSECUTIVE_FAILURES = 5


class Recorder(Protocol):
    """Where apply() records what it wrote. Changes are durable when `record` returns.

    A change is (uid, Record) for a write, or (uid, None) to forget the uid.
    """

    def record(self, changes: Sequence[tuple[str, Record | None]]) -> None: ...


class MemoryRecorder:
    """A Recorder kept in a dict (tests, and library users without a store)."""

    def __init__(self, records: Mapping[str, Record] | None = None):
        self.records: dict[str, Record] = dict(records or {})
        self.calls = 0

    def record(self, changes: Sequence[tuple[str, Record | None]]) -> None:
        self.calls += 1
        for uid, rec in changes:
            if rec is None:
                self.records.pop(uid, None)
            else:
                self.records[uid] = rec


@dataclass
class ApplyResult:
    """What one apply() did on one provider."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept: int = 0
    adopted: int = 0
    conflicts: int = 0  # writes refused because the item changed meanwhile
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def stamp(want: PushItem, rec: Record | None, now: datetime) -> PushItem:
    """SEQUENCE and LAST-MODIFIED for a write (RFC 5545: bumped on every revision)."""
    if rec is None:
        return replace(want, sequence=0, last_modified=now)
    return replace(want, sequence=rec.sequence + 1, last_modified=now)


def _record(want: PushItem | Wanted, remote: RemoteItem, now: datetime, sequence: int) -> Record:
    return Record(
        uid=want.uid,
        app_id=want.item.application_id,
        ref=remote.ref,
        etag=remote.etag,
        hash=want.content_hash,
        sequence=sequence,
        due=want.item.due,
        last_modified=now,
    )


class _Immediate:
    """Each success is recorded as soon as it happens."""

    def __init__(self, sink: Recorder):
        self.sink = sink

    def before_delete(self, rec: Record) -> None:
        self.sink.record([(rec.uid, replace(rec, hash=DELETING))])

    def after(self, uid: str, rec: Record | None) -> None:
        self.sink.record([(uid, rec)])

    def finish(self) -> None:
        pass


class _Deferred(_Immediate):
    """Records wait until the provider's batch has written the target."""

    def __init__(self, sink: Recorder):
        super().__init__(sink)
        self.pending: list[tuple[str, Record | None]] = []

    def before_delete(self, rec: Record) -> None:
        pass  # all deletions were marked before the batch began

    def after(self, uid: str, rec: Record | None) -> None:
        self.pending.append((uid, rec))

    def finish(self) -> None:
        self.sink.record(self.pending)
        self.pending = []


class _Run:
    """One apply(): each write prepared when the provider asks for it, each result recorded.

    The provider pulls writes from `writes()` and hands back results in whatever
    order they finish (`Provider.write_many`); both happen on this thread, so the
    recorder's SQLite connection never leaves it.
    """

    def __init__(self, plan, provider, recorded, now, render, policy, progress):
        self.plan: Plan = plan
        self.provider: Provider = provider
        self.recorded: Mapping[str, Record] = recorded
        self.now: datetime = now
        self.render: Callable[[Wanted], PushItem] = render
        self.policy: _Immediate = policy
        self.progress: Callable[[Action], None] | None = progress
        self.result = ApplyResult()
        self.failures_in_a_row = 0
        self.too_many_failures = False
        self.not_tried = 0  # writes skipped after too many failures in a row
        self.rate_limited = 0  # writes refused or skipped since the service rate-limited us
        self.auth_error: ProviderAuthError | None = None

    # --- the writes, produced one at a time --------------------------------------
    def writes(self) -> Iterator[Write]:
        """The plan's writes, as the provider asks for them; store-only actions
        (adopt, keep, forget) are recorded on the way, even after writes stopped."""
        store_only = {Op.ADOPT: self.adopt, Op.KEEP: self.keep, Op.FORGET: self.forget}
        for action in self.plan.actions:
            if self.progress:
                self.progress(action)
            if action.op not in WRITES:
                store_only[action.op](action)
            elif self.auth_error is not None:
                return  # refused credentials: nothing else will be accepted
            elif self.rate_limited:
                # The service refuses everything for a while (429 beyond our wait
                # budget): every further write would be refused too. The next push
                # resumes.
                self.rate_limited += 1
            elif self.too_many_failures:
                self.not_tried += 1  # the target is down; do not hammer it item by item
            else:
                yield self.prepare(action)

    def prepare(self, action: Action) -> Write:
        if action.op == Op.DELETE:
            rec = self.recorded.get(action.uid)
            if rec is not None:
                self.policy.before_delete(rec)
            return Write("delete", None, action.remote, action)
        item = stamp(self.render(action.item), self.recorded.get(action.uid), self.now)
        if action.op == Op.CREATE:
            return Write("create", item, None, action)
        return Write("update", item, action.remote, action)

    # --- each result, as soon as it is known -----------------------------------------
    def finish(self, done: WriteResult) -> None:
        action: Action = done.write.tag
        error = done.error
        out = self.result
        if error is None:
            self.failures_in_a_row = 0
            if action.op == Op.DELETE:
                self.policy.after(action.uid, None)
                out.deleted += 1
                return
            item = done.write.item
            self.policy.after(action.uid, _record(item, done.remote, self.now, item.sequence))
            if action.op == Op.CREATE:
                out.created += 1
            else:
                out.updated += 1
        elif isinstance(error, ConflictError):
            # Changed remotely between our listing and our write: the user's edit
            # wins; the next push sees the new etag and keeps it.
            out.kept += 1
            out.conflicts += 1
        elif isinstance(error, ProviderAuthError):
            self.auth_error = self.auth_error or error
        elif isinstance(error, RateLimited):
            if not self.rate_limited:
                out.errors.append(f"{action.op.value} {action.uid}: {error.message}")
            self.rate_limited += 1
        else:
            out.failed += 1
            out.errors.append(f"{action.op.value} {action.uid}: {error.message}")
            self.failures_in_a_row += 1
            if self.failures_in_a_row >= MAX_CONSECUTIVE_FAILURES:
                self.too_many_failures = True

    # --- store-only actions ------------------------------------------------------------
    def adopt(self, action: Action) -> None:
        rec = self.recorded.get(action.uid)
        if rec is None:
            seq, at = 0, self.now
        else:
            # Adopting over a record means a crashed push wrote the new revision.
            seq, at = rec.sequence + 1, self.now
        self.policy.after(action.uid, _record(action.item, action.remote, at, seq))
        self.result.adopted += 1

    def keep(self, action: Action) -> None:
        rec = self.recorded.get(action.uid)
        # Nothing is written, so SEQUENCE and LAST-MODIFIED stay what they were;
        # only the new etag is recorded, so the next push does not report it again.
        seq, at = (rec.sequence, rec.last_modified) if rec else (0, self.now)
        self.policy.after(action.uid, _record(action.item, action.remote, at, seq))
        self.result.kept += 1

    def forget(self, action: Action) -> None:
        self.policy.after(action.uid, None)


def apply(
    plan: Plan,
    provider: Provider,
    recorder: Recorder,
    recorded: Mapping[str, Record],
    now: datetime,
    render: Callable[[Wanted], PushItem],
    progress: Callable[[Action], None] | None = None,
) -> ApplyResult:
    """Execute `plan` on `provider`; every success goes to `recorder` at once.

    Writes go through `provider.write_many`: one after another, on a bounded pool
    of connections, or in batches, as the provider does them; each result is
    recorded here as soon as it arrives. Refused credentials stop the writes (the
    ones in flight finish and are recorded) and are raised; a rate limit or
    MAX_CONSECUTIVE_FAILURES failures in a row stop the writes and are reported.
    """
    policy = _Deferred(recorder) if provider.deferred_writes else _Immediate(recorder)
    run = _Run(plan, provider, recorded, now, render, policy, progress)
    out = run.result
    if provider.deferred_writes:
        # The batch writes the target at its end and records follow: mark the
        # deletions first, so a crash between the two is not taken for the user's.
        marks = [
            (a.uid, replace(recorded[a.uid], hash=DELETING))
            for a in plan.actions
            if a.op == Op.DELETE and a.uid in recorded
        ]
        if marks:
            recorder.record(marks)
    with provider.batch():
        for done in provider.write_many(run.writes()):
            run.finish(done)
        if run.auth_error is not None:
            raise run.auth_error
    if run.rate_limited:
        out.failed += run.rate_limited
        if run.rate_limited > 1:
            out.errors.append(f"rate limited: {run.rate_limited - 1} more writes not tried")
    if run.too_many_failures:
        out.failed += run.not_tried
        out.errors.append(
            f"stopped after {MAX_CONSECUTIVE_FAILURES} failures in a row;"
            f" {run.not_tried} items not tried"
        )
    policy.finish()
    return out
