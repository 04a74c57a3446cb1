"""The facts a push pulled from its providers, saved in the store.

A completed task or a follow-up found in the Sent folder marks the nudge sent, a
moved item keeps the user's date, completing the move-on marker closes the
application, a reply found in the mailbox marks it heard back (outcome
"replied"); items the user deleted on a provider (or replaced with their own
copy) are dismissed there, so they are never recreated. push.py calls these in
the one transaction that also plans every provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from .desired import Wanted
from .models import (
    THANK_YOU_ATTEMPT,
    ItemKind,
    ItemRef,
    MovedMark,
    Outcome,
    Reply,
    SentMark,
    Status,
)
from .store import Transaction
from .sync import Pulled, PullKind

__all__ = ["GONE", "dismiss_deleted", "save_pulled"]


def save_pulled(tx: Transaction, pulled: list[Pulled], now: datetime) -> None:
    """Turn the user's remote changes into store facts (completions, moves, replies)."""
    for p in pulled:
        if p.kind == PullKind.REPLIED:
            _save_reply(tx, p, now)
            continue
        ref = ItemRef.parse(p.uid)
        if ref is None or p.kind == PullKind.DELETED:
            continue  # deletions: see dismiss_deleted(), which needs the desired items
        if not tx.application_exists(ref.application_id):
            continue
        if p.kind == PullKind.COMPLETED and ref.kind == ItemKind.MOVE_ON:
            # Completing the "time to move on" task is the user moving on.
            if tx.application(ref.application_id).is_open:
                tx.touch(
                    ref.application_id, now, status=Status.CLOSED.value, status_on=p.on.isoformat()
                )
        elif p.kind in (PullKind.COMPLETED, PullKind.SENT) and p.on is not None:
            # A completed task, or a follow-up found in the Sent folder: sent that day.
            attempt = THANK_YOU_ATTEMPT if ref.kind == ItemKind.THANK_YOU else ref.attempt
            if not tx.has_sent(ref.application_id, ref.round_number, attempt):
                tx.mark_sent(ref.application_id, SentMark(ref.round_number, attempt, p.on))
        elif p.kind == PullKind.MOVED and p.due is not None:
            tx.mark_moved(ref.application_id, MovedMark(p.uid, p.due))


def _save_reply(tx: Transaction, p: Pulled, now: datetime) -> None:
    """A reply found in the mailbox: heard back (outcome "replied"), the series ends.

    Only for an application still open in the round the reply answers, and only
    once per message: after a `reopen`, the same reply never stops it again.
    """
    mail = p.mail
    if mail is None or not tx.application_exists(p.app_id):
        return
    app = tx.application(p.app_id)
    key = mail.message_id or f"{mail.sender} {mail.at.isoformat()}"
    if not app.is_open or tx.has_reply(app.id, key):
        return
    tx.save_reply(
        app.id, Reply(app.current_round.number, key, mail.sender, mail.at, mail.subject[:300])
    )
    tx.touch(
        app.id,
        now,
        status=Status.HEARD.value,
        outcome=Outcome.REPLIED.value,
        status_on=mail.at.date().isoformat(),
    )


# Facts after which our item is no longer on the provider for us to write to.
GONE = (PullKind.DELETED, PullKind.TAKEN_OVER)


def dismiss_deleted(
    tx: Transaction, name: str, pulled: list[Pulled], wanted: Mapping[str, Wanted], today: date
) -> list[Pulled]:
    """Remember the items the user deleted remotely, so they are never recreated there.

    Only items still wanted count. A recorded item that is gone and no longer
    wanted is most likely one we deleted ourselves in a push killed between the
    DELETE and forgetting its record; dismissing it would keep it from ever coming
    back (after `reopen`, say), silently losing a follow-up. Left alone, the plan
    just forgets its record, and the report does not blame the user for it.
    """
    kept = []
    for p in pulled:
        if p.kind == PullKind.DELETED:
            if p.uid not in wanted:
                continue
            tx.dismiss(name, p.uid, today)
        elif p.kind == PullKind.TAKEN_OVER and p.uid in wanted:
            # The user's copy stands in for ours (a draft they edited): ours is
            # never written there again. Reported even when no longer wanted,
            # because their copy stays where it is.
            tx.dismiss(name, p.uid, today)
        kept.append(p)
    return kept
