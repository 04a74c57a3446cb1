"""The sync engine: desired vs recorded vs remote -> a plan; apply records each success.

Three views of every UID:
- desired: what the rules say should exist now (PushItems),
- recorded: what the store says we wrote at the last push (Records),
- remote: what the provider reports now (RemoteItems).

`pull` first turns the user's remote changes into facts the rules understand
(a completed task is a sent nudge, a moved event is a moved item, a deleted one
is dismissed); the caller saves them and recomputes `desired`; then
`make_plan` decides, and `apply` executes while recording each success at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from .errors import ConflictError, ProviderAuthError, ProviderError, RateLimited
from .models import PushItem, RemoteItem, parse_uid
from .payload import Desired
from .provider import Provider
from .store import Record, Store


class PullKind(StrEnum):
    COMPLETED = "completed"  # the user completed the task: that nudge was sent
    MOVED = "moved"  # the user moved the item to another date
    DELETED = "deleted"  # the user deleted it: never recreate it on this provider
    EDITED = "edited"  # other edits: kept, not overwritten


@dataclass(frozen=True)
class Pulled:
    kind: PullKind
    uid: str
    on: date | None = None
    due: datetime | None = None


class Op(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ADOPT = "adopt"  # ours on the provider, unknown to the store: record it, no write
    KEEP = "keep"  # the user changed it: record the new etag, do not overwrite
    FORGET = "forget"  # recorded, gone remotely and no longer wanted


WRITES = (Op.CREATE, Op.UPDATE, Op.DELETE)


@dataclass(frozen=True)
class Action:
    op: Op
    uid: str
    item: Desired | None = None  # rendered into a PushItem only when written
    remote: RemoteItem | None = None
    reason: str = ""

    def line(self) -> str:
        label = self.item.summary if self.item else self.uid
        when = f" on {self.item.item.due:%a %Y-%m-%d %H:%M}" if self.item else ""
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.op.value:<7} {label}{when}{why}"


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    unchanged: int = 0
    skipped_dismissed: int = 0
    foreign: int = 0  # ours by UID but of no application we know: left alone

    @property
    def writes(self) -> list[Action]:
        return [a for a in self.actions if a.op in WRITES]

    def count(self, op: Op) -> int:
        return sum(1 for a in self.actions if a.op == op)


# The hash a record carries while we delete its item: if the push dies between
# the DELETE and forgetting the record, the next push knows the item is gone
# because of us, not because the user deleted it (which would dismiss it forever).
DELETING = "-deleting-"


def pull(recorded: Mapping[str, Record], remote: Mapping[str, RemoteItem]) -> list[Pulled]:
    """The user's changes since our last push, as facts for the store."""
    out = []
    for uid, rec in recorded.items():
        now = remote.get(uid)
        if now is None:
            if rec.hash != DELETING:
                out.append(Pulled(PullKind.DELETED, uid))
            continue
        if rec.etag is None or now.etag is None or now.etag == rec.etag:
            continue  # unchanged since we wrote it (or the provider cannot tell)
        if _ours_unrecorded(rec, now):
            continue  # our own write whose record a crash lost: not the user's change
        parsed = parse_uid(uid)
        if now.completed_on is not None and parsed and parsed[2].startswith("nudge-"):
            out.append(Pulled(PullKind.COMPLETED, uid, on=now.completed_on))
        elif now.due is not None and rec.due is not None and now.due != rec.due:
            out.append(Pulled(PullKind.MOVED, uid, due=now.due))
        else:
            out.append(Pulled(PullKind.EDITED, uid))
    return out


def _ours_unrecorded(rec: Record, now: RemoteItem) -> bool:
    """The remote holds a version we wrote after `rec`: it carries another of our hashes.

    A user's edit keeps the hash we embedded (X-FOLLOWUP-SYNC-HASH, the Todoist
    marker); only our own write changes it. So a changed hash means a push wrote
    the item and died before recording it, and our re-planned date must not be
    taken for a date the user chose.
    """
    return now.content_hash is not None and now.content_hash not in (rec.hash, DELETING)


def make_plan(
    desired: Mapping[str, Desired],
    recorded: Mapping[str, Record],
    remote: Mapping[str, RemoteItem],
    dismissed: set[str],
    known_apps: set[str],
) -> Plan:
    plan = Plan()
    for uid in sorted(set(desired) | set(recorded) | set(remote)):
        want, rec, now = desired.get(uid), recorded.get(uid), remote.get(uid)
        if want is not None:
            if rec is None and now is None:
                if uid in dismissed:
                    plan.skipped_dismissed += 1  # the user deleted it; respect that
                else:
                    plan.actions.append(Action(Op.CREATE, uid, want))
            elif rec is None:
                # Ours on the provider but unknown to the store (crash between write
                # and record, or a lost store): adopt, rewriting only if it differs.
                if now.content_hash == want.content_hash:
                    plan.actions.append(Action(Op.ADOPT, uid, want, now, "already there"))
                else:
                    plan.actions.append(Action(Op.UPDATE, uid, want, now, "adopted"))
            elif now is None and rec.hash == DELETING:
                # We deleted it in a push that died before forgetting the record,
                # and it is wanted again (e.g. after `reopen`): create it anew.
                plan.actions.append(Action(Op.CREATE, uid, want, None, "wanted again"))
            elif now is None:
                # pull() dismissed it already; reaching here means the caller
                # skipped pull. Never recreate what the user deleted.
                plan.skipped_dismissed += 1
            elif now.content_hash == want.content_hash and rec.hash != want.content_hash:
                # Already as we want it (a crashed push wrote it): record, no write.
                plan.actions.append(Action(Op.ADOPT, uid, want, now, "already there"))
            elif rec.etag is not None and now.etag is not None and now.etag != rec.etag:
                if _ours_unrecorded(rec, now):
                    plan.actions.append(
                        Action(Op.UPDATE, uid, want, now, "finishing a crashed push")
                    )
                else:
                    plan.actions.append(Action(Op.KEEP, uid, want, now, "changed by you: kept"))
            elif rec.hash != want.content_hash:
                plan.actions.append(Action(Op.UPDATE, uid, want, now))
            else:
                plan.unchanged += 1
        elif now is not None:
            parsed = parse_uid(uid)
            if rec is not None or (parsed and parsed[0] in known_apps):
                plan.actions.append(Action(Op.DELETE, uid, None, now, "withdrawn"))
            else:
                plan.foreign += 1
        elif rec is not None:
            plan.actions.append(Action(Op.FORGET, uid))
    return plan


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept: int = 0
    adopted: int = 0
    conflicts: int = 0  # writes refused because the item changed meanwhile
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _record(want: PushItem | Desired, remote: RemoteItem, now: datetime, sequence: int) -> Record:
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


def stamp(want: PushItem, rec: Record | None, now: datetime) -> PushItem:
    """SEQUENCE and LAST-MODIFIED for a write (RFC 5545: bumped on every revision)."""
    if rec is None:
        return replace(want, sequence=0, last_modified=now)
    return replace(want, sequence=rec.sequence + 1, last_modified=now)


def apply(
    plan: Plan,
    provider: Provider,
    store: Store,
    recorded: Mapping[str, Record],
    now: datetime,
    render: Callable[[Desired], PushItem],
    progress: Callable[[Action], None] | None = None,
) -> Outcome:
    """Execute the plan; record each success right away so a crash loses nothing."""
    out = Outcome()
    name = provider.name
    consecutive_failures = 0
    rate_limited = 0  # writes not tried because the service is rate limiting us
    # For providers whose writes land when the batch ends, records wait too: a
    # record must never claim a write that a crash could still undo.
    pending: list[tuple[str, Record | None]] = []

    def record(uid: str, rec: Record | None) -> None:
        if provider.deferred_writes:
            pending.append((uid, rec))
        elif rec is None:
            store.forget_record(name, uid)
        else:
            store.save_record(name, rec)

    if provider.deferred_writes:
        # The batch writes the target at its end and records follow: mark the
        # deletions first, so a crash between the two is not taken for the user's.
        marks = [
            (a.uid, replace(recorded[a.uid], hash=DELETING))
            for a in plan.actions
            if a.op == Op.DELETE and a.uid in recorded
        ]
        if marks:
            store.save_records(name, marks)
    with provider.batch():
        for index, action in enumerate(plan.actions):
            if progress:
                progress(action)
            rec = recorded.get(action.uid)
            if rate_limited and action.op in WRITES:
                # Would be refused too; store-only actions (adopt, keep, forget) still run.
                rate_limited += 1
                continue
            try:
                if action.op == Op.CREATE:
                    item = stamp(render(action.item), rec, now)
                    remote = provider.create(item)
                    record(action.uid, _record(item, remote, now, item.sequence))
                    out.created += 1
                elif action.op == Op.UPDATE:
                    item = stamp(render(action.item), rec, now)
                    remote = provider.update(item, action.remote)
                    record(action.uid, _record(item, remote, now, item.sequence))
                    out.updated += 1
                elif action.op == Op.DELETE:
                    if rec is not None and not provider.deferred_writes:
                        store.save_record(name, replace(rec, hash=DELETING))
                    provider.delete(action.remote)
                    record(action.uid, None)
                    out.deleted += 1
                elif action.op in (Op.ADOPT, Op.KEEP):
                    seq = rec.sequence if rec else 0
                    # Nothing is written, so LAST-MODIFIED stays what it was...
                    stamp_at = rec.last_modified if rec else now
                    if action.op == Op.ADOPT and rec is not None:
                        # ...except that adopting over a record means a crashed
                        # push wrote the new revision: count it.
                        seq, stamp_at = rec.sequence + 1, now
                    record(action.uid, _record(action.item, action.remote, stamp_at, seq))
                    if action.op == Op.ADOPT:
                        out.adopted += 1
                    else:
                        out.kept += 1
                elif action.op == Op.FORGET:
                    record(action.uid, None)
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
                rate_limited = 1
            except ProviderError as e:
                out.failed += 1
                out.errors.append(f"{action.op.value} {action.uid}: {e.message}")
                consecutive_failures += 1
                if consecutive_failures >= 5:
                    # The target is down; do not hammer it item by item.
                    rest = len(plan.actions) - index - 1
                    out.failed += rest
                    out.errors.append(f"stopped after 5 failures in a row; {rest} items not tried")
                    break
    if rate_limited:
        out.failed += rate_limited
        if rate_limited > 1:
            out.errors.append(f"rate limited: {rate_limited - 1} more writes not tried")
    if pending:
        store.save_records(name, pending)
    return out


__all__ = [
    "Action",
    "Op",
    "Outcome",
    "Plan",
    "PullKind",
    "Pulled",
    "apply",
    "make_plan",
    "pull",
]
