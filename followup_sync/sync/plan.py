"""desired + recorded + remote -> a Plan of actions, one per UID that needs one."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from ..models import ItemRef, Record, RemoteItem
from .pull import DELETING, ours_unrecorded

if TYPE_CHECKING:
    from ..desired import Wanted


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
    item: Wanted | None = None  # rendered into a PushItem only when written
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


def make_plan(
    desired: Mapping[str, Wanted],
    recorded: Mapping[str, Record],
    remote: Mapping[str, RemoteItem],
    dismissed: Set[str],
    known_apps: Set[str],
) -> Plan:
    plan = Plan()
    for uid in sorted(set(desired) | set(recorded) | set(remote)):
        want, rec, now = desired.get(uid), recorded.get(uid), remote.get(uid)
        if now is not None and now.taken_over:
            # The user's own copy stands where ours was (pull reports it, the
            # caller dismisses it): as if ours were gone, and never theirs to touch.
            now = None
        if want is not None:
            _plan_wanted(plan, uid, want, rec, now, dismissed)
        elif now is not None:
            ref = ItemRef.parse(uid)
            if rec is not None or (ref is not None and ref.application_id in known_apps):
                plan.actions.append(Action(Op.DELETE, uid, None, now, "withdrawn"))
            else:
                plan.foreign += 1
        elif rec is not None:
            plan.actions.append(Action(Op.FORGET, uid))
    return plan


def _plan_wanted(
    plan: Plan,
    uid: str,
    want: Wanted,
    rec: Record | None,
    now: RemoteItem | None,
    dismissed: Set[str],
) -> None:
    if rec is None and now is None:
        if uid in dismissed:
            plan.skipped_dismissed += 1  # the user deleted it; respect that
        else:
            plan.actions.append(Action(Op.CREATE, uid, want))
    elif rec is None:
        # Ours on the provider but unknown to the store (crash between write and
        # record, or a lost store): adopt, rewriting only if it differs.
        if now.content_hash == want.content_hash:
            plan.actions.append(Action(Op.ADOPT, uid, want, now, "already there"))
        else:
            plan.actions.append(Action(Op.UPDATE, uid, want, now, "adopted"))
    elif now is None and rec.hash == DELETING:
        # We deleted it in a push that died before forgetting the record, and it
        # is wanted again (e.g. after `reopen`): create it anew.
        plan.actions.append(Action(Op.CREATE, uid, want, None, "wanted again"))
    elif now is None:
        # pull() reports it as deleted by the user and the caller dismisses it;
        # never recreate what the user deleted.
        plan.skipped_dismissed += 1
    elif now.content_hash == want.content_hash and rec.hash != want.content_hash:
        # Already as we want it (a crashed push wrote it): record, no write.
        plan.actions.append(Action(Op.ADOPT, uid, want, now, "already there"))
    elif rec.etag is not None and now.etag is not None and now.etag != rec.etag:
        if ours_unrecorded(rec, now):
            plan.actions.append(Action(Op.UPDATE, uid, want, now, "finishing a crashed push"))
        else:
            plan.actions.append(Action(Op.KEEP, uid, want, now, "changed by you: kept"))
    elif rec.hash != want.content_hash:
        plan.actions.append(Action(Op.UPDATE, uid, want, now))
    else:
        plan.unchanged += 1
