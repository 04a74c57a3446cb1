"""The user's changes on a provider since our last push, as facts for the store.

Most facts are about one of our items (completed, moved, deleted, edited, taken
over). A mailbox adds facts about applications (mail/match.py): a reply came
(REPLIED), the user sent a follow-up themselves (SENT), or mail worth showing
that changes nothing (NOTICED: a possible response, an auto-reply, a bounce).
facts.save_pulled turns them all into store facts in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ..models import ItemRef, MailNote, Record, RemoteItem

# The hash a record carries while we delete its item: if the push dies between
# the DELETE and forgetting the record, the next push knows the item is gone
# because of us, not because the user deleted it (which would dismiss it forever).
DELETING = "-deleting-"


class PullKind(StrEnum):
    COMPLETED = "completed"  # a nudge or thank-you completed: sent; the move-on marker: closed
    MOVED = "moved"  # the user moved the item to another date
    DELETED = "deleted"  # the user deleted it: never recreate it on this provider
    EDITED = "edited"  # other edits: kept, not overwritten
    TAKEN_OVER = "taken-over"  # replaced by the user's own copy: theirs, never touched again
    REPLIED = "replied"  # the employer replied (mailbox): heard back, the series ends
    SENT = "sent"  # the user sent this follow-up (mailbox): marked sent on `on`
    NOTICED = "noticed"  # mail worth showing that changes nothing


@dataclass(frozen=True)
class Pulled:
    kind: PullKind
    uid: str = ""  # the item, for facts about one item ("" for a whole application)
    on: date | None = None
    due: datetime | None = None
    app_id: str = ""  # the application, for mailbox facts
    mail: MailNote | None = None  # the message behind a mailbox fact


def pull(recorded: Mapping[str, Record], remote: Mapping[str, RemoteItem]) -> list[Pulled]:
    """What the user changed since our last push, one fact per changed item."""
    out = []
    for uid, rec in recorded.items():
        now = remote.get(uid)
        if now is None:
            if rec.hash != DELETING:
                out.append(Pulled(PullKind.DELETED, uid))
            continue
        if now.taken_over:
            out.append(Pulled(PullKind.TAKEN_OVER, uid))
            continue
        if rec.etag is None or now.etag is None or now.etag == rec.etag:
            continue  # unchanged since we wrote it (or the provider cannot tell)
        if ours_unrecorded(rec, now):
            continue  # our own write whose record a crash lost: not the user's change
        ref = ItemRef.parse(uid)
        if now.completed_on is not None and ref is not None:
            out.append(Pulled(PullKind.COMPLETED, uid, on=now.completed_on))
        elif now.due is not None and rec.due is not None and now.due != rec.due:
            out.append(Pulled(PullKind.MOVED, uid, due=now.due))
        else:
            out.append(Pulled(PullKind.EDITED, uid))
    return out


def ours_unrecorded(rec: Record, now: RemoteItem) -> bool:
    """The remote holds a version we wrote after `rec`: it carries another of our hashes.

    A user's edit keeps the hash we embedded (X-FOLLOWUP-SYNC-HASH, the Todoist
    marker); only our own write changes it. So a changed hash means a push wrote
    the item and died before recording it, and our re-planned date must not be
    taken for a date the user chose.
    """
    return now.content_hash is not None and now.content_hash not in (rec.hash, DELETING)
