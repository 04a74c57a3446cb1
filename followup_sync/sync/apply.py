"""Execute a Plan against one provider, handing each success to a Recorder at once.

One handler per operation. A write is recorded right after it succeeds, so a
crash loses at most the record of one write, which the next push recovers by
adoption. For providers whose writes only land when their batch ends (a single
file written once), records wait for the batch too: a record must never claim a
write that a crash could still undo. Those are the two recording policies,
`_Immediate` and `_Deferred`, over one `Recorder` sink.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ..errors import ConflictError, ProviderAuthError, ProviderError, RateLimited
from ..models import PushItem, Record, RemoteItem
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
    """One apply(): the handlers and their shared state."""

    def __init__(self, provider, recorded, now, render, policy):
        self.provider: Provider = provider
        self.recorded: Mapping[str, Record] = recorded
        self.now: datetime = now
        self.render: Callable[[Wanted], PushItem] = render
        self.policy: _Immediate = policy
        self.result = ApplyResult()

    def create(self, action: Action) -> None:
        item = stamp(self.render(action.item), self.recorded.get(action.uid), self.now)
        remote = self.provider.create(item)
        self.policy.after(action.uid, _record(item, remote, self.now, item.sequence))
        self.result.created += 1

    def update(self, action: Action) -> None:
        item = stamp(self.render(action.item), self.recorded.get(action.uid), self.now)
        remote = self.provider.update(item, action.remote)
        self.policy.after(action.uid, _record(item, remote, self.now, item.sequence))
        self.result.updated += 1

    def delete(self, action: Action) -> None:
        rec = self.recorded.get(action.uid)
        if rec is not None:
            self.policy.before_delete(rec)
        self.provider.delete(action.remote)
        self.policy.after(action.uid, None)
        self.result.deleted += 1

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
    """Execute `plan` on `provider`; every success goes to `recorder` at once."""
    policy = _Deferred(recorder) if provider.deferred_writes else _Immediate(recorder)
    run = _Run(provider, recorded, now, render, policy)
    handlers = {
        Op.CREATE: run.create,
        Op.UPDATE: run.update,
        Op.DELETE: run.delete,
        Op.ADOPT: run.adopt,
        Op.KEEP: run.keep,
        Op.FORGET: run.forget,
    }
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
    consecutive_failures = 0
    not_tried = 0  # writes skipped because the service is rate limiting us
    with provider.batch():
        for index, action in enumerate(plan.actions):
            if progress:
                progress(action)
            if not_tried and action.op in WRITES:
                # Would be refused too; store-only actions (adopt, keep, forget) still run.
                not_tried += 1
                continue
            try:
                handlers[action.op](action)
                consecutive_failures = 0
            except ConflictError:
                # Changed remotely between our listing and our write: the user's
                # edit wins; the next push sees the new etag and keeps it.
                out.kept += 1
                out.conflicts += 1
            except ProviderAuthError:
                raise
            except RateLimited as e:
                # The service refuses everything for a while (429 beyond our wait
                # budget): every further write would be refused too, so stop writing
                # now instead of failing item after item. The next push resumes.
                out.errors.append(f"{action.op.value} {action.uid}: {e.message}")
                not_tried = 1
            except ProviderError as e:
                out.failed += 1
                out.errors.append(f"{action.op.value} {action.uid}: {e.message}")
                consecutive_failures += 1
                if consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
                    # The target is down; do not hammer it item by item.
                    rest = len(plan.actions) - index - 1
                    out.failed += rest
                    out.errors.append(
                        f"stopped after {MAX_CONSECUTIVE_FAILURES} failures in a row;"
                        f" {rest} items not tried"
                    )
                    break
    if not_tried:
        out.failed += not_tried
        if not_tried > 1:
            out.errors.append(f"rate limited: {not_tried - 1} more writes not tried")
    policy.finish()
    return out
