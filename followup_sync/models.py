"""The data followup-sync works with: frozen dataclasses, no I/O.

An application (company + role) has interview rounds; the rules engine turns the
latest round into follow-up items; desired.py turns items into PushItems that
providers write; providers report back RemoteItems, and the store keeps a Record
of each write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

UID_PREFIX = "followup-sync"
# CalDAV servers reject some UID characters (Radicale: 400 on ':'), so UIDs stay
# within [A-Za-z0-9_.+-] (see NOTES-real-components.md).
UID_RE = re.compile(r"^[A-Za-z0-9_.+-]+$")


class Status(StrEnum):
    WAITING = "waiting"
    HEARD = "heard"
    CLOSED = "closed"


class Outcome(StrEnum):
    """How the employer answered ("heard back")."""

    OFFER = "offer"
    REJECTED = "rejected"
    NEXT_ROUND = "next-round"
    OTHER = "other"
    #: A reply found in the mailbox (followup_sync/mail/): the employer answered,
    #: what they said is for the user to read.
    REPLIED = "replied"

    @property
    def ends_application(self) -> bool:
        """A new interview after this outcome is a new application, not the next round."""
        return self in (Outcome.OFFER, Outcome.REJECTED)


class ItemKind(StrEnum):
    NUDGE = "nudge"
    MOVE_ON = "move_on"
    THANK_YOU = "thank_you"  # optional note on the interview day; not a nudge


class ItemStatus(StrEnum):
    PLANNED = "planned"
    SENT = "sent"
    OVERDUE = "overdue"
    WITHDRAWN = "withdrawn"


class Channel(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True)
class Interviewer:
    name: str
    email: str = ""

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else ""

    def __str__(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email


@dataclass(frozen=True)
class Round:
    """One interview. `at` is timezone-aware."""

    number: int
    at: datetime
    interviewers: tuple[Interviewer, ...] = ()
    stage: str = ""
    notes: str = ""
    reply_by: date | None = None  # "they said we'd hear by Friday"


#: The attempt number a SentMark uses for the thank-you note (nudges count from 1).
THANK_YOU_ATTEMPT = 0


@dataclass(frozen=True)
class SentMark:
    """The user marked nudge `attempt` of round `round_number` sent on `on`.

    Attempt 0 (THANK_YOU_ATTEMPT) is the round's thank-you note.
    """

    round_number: int
    attempt: int
    on: date


@dataclass(frozen=True)
class MovedMark:
    """The user moved the item `uid` to `due` (in a calendar or task app)."""

    uid: str
    due: datetime


@dataclass(frozen=True)
class Reply:
    """A reply found in the mailbox that marked the application heard back.

    Only what the user needs to recognise it is kept: who, when, the subject, and
    the Message-ID (so the same message never stops the series twice).
    """

    round_number: int
    message_id: str
    sender: str  # the address only
    at: datetime  # aware; when it arrived (its Date: header)
    subject: str


@dataclass(frozen=True)
class Application:
    id: str
    company: str
    role: str
    rounds: tuple[Round, ...]
    skills: str = ""
    accomplishment: str = ""
    notes: str = ""
    status: Status = Status.WAITING
    outcome: Outcome | None = None
    status_on: date | None = None  # when heard back / closed
    sent: tuple[SentMark, ...] = ()
    moved: tuple[MovedMark, ...] = ()
    replies: tuple[Reply, ...] = ()  # oldest first
    # Bumped by the store on every change; the feed uses them as SEQUENCE and
    # LAST-MODIFIED so subscribed calendars notice edits.
    revision: int = 0
    updated_at: datetime | None = None

    @property
    def current_round(self) -> Round:
        return self.rounds[-1]

    @property
    def is_open(self) -> bool:
        return self.status == Status.WAITING

    @property
    def reply(self) -> Reply | None:
        """The reply that marked the application heard back, while that is its outcome."""
        if self.outcome == Outcome.REPLIED and self.replies:
            return self.replies[-1]
        return None


@dataclass(frozen=True)
class Rules:
    """The seed's advice as numbers; every field is a `[rules]` config key."""

    first_nudge_days: int = 7  # after the interview, with no reply-by date
    after_reply_by_days: int = 2  # after the stated reply-by date
    repeat_days: int = 7
    max_nudges: int = 3
    move_on_days: int = 7  # after the last nudge
    send_time: time = time(9, 30)
    workdays_only: bool = True
    holidays: str = ""  # country code, e.g. "US"; "" for none
    later_channel: Channel = Channel.EMAIL  # the first nudge is always an email
    duration_minutes: int = 15
    alarm_minutes: int = 0  # VALARM this many minutes before the item
    thank_you: bool = False  # a thank-you note item on the interview day (not a nudge)


@dataclass(frozen=True)
class User:
    name: str = ""
    email: str = ""
    timezone: str = "UTC"


@dataclass(frozen=True)
class FollowUpItem:
    """One step of an application's series, as the rules engine plans it."""

    uid: str
    application_id: str
    round_number: int
    kind: ItemKind
    attempt: int | None  # 1..max_nudges for nudges, None for the move-on marker
    due: datetime  # timezone-aware, at the user's send time
    status: ItemStatus
    channel: Channel | None = None  # None for the move-on marker
    sent_on: date | None = None

    @property
    def step(self) -> str:
        if self.kind == ItemKind.NUDGE:
            return f"nudge-{self.attempt}"
        return "thank-you" if self.kind == ItemKind.THANK_YOU else "move-on"


def item_uid(application_id: str, round_number: int, step: str) -> str:
    """Stable UID: re-planning changes dates, never UIDs."""
    return f"{UID_PREFIX}.{application_id}.r{round_number}.{step}"


_ITEM_UID_RE = re.compile(
    rf"^{re.escape(UID_PREFIX)}\.(.+)\.r(\d+)\.(nudge-(\d+)|move-on|thank-you)$"
)


@dataclass(frozen=True)
class ItemRef:
    """What one of our item UIDs names: the application, the round and the step.

    The one place UIDs are taken apart (`followup-sync.<app>.r<round>.<step>`,
    step "nudge-N", "move-on" or "thank-you").
    """

    application_id: str
    round_number: int
    step: str

    @classmethod
    def parse(cls, uid: str) -> ItemRef | None:
        """The reference in `uid`, or None when it is not one of our item UIDs."""
        m = _ITEM_UID_RE.match(uid)
        if not m:
            return None
        return cls(m[1], int(m[2]), m[3])

    @property
    def attempt(self) -> int | None:
        """The nudge's number; None for the move-on marker and the thank-you note."""
        return int(self.step[6:]) if self.step.startswith("nudge-") else None

    @property
    def kind(self) -> ItemKind:
        if self.step.startswith("nudge-"):
            return ItemKind.NUDGE
        return ItemKind.THANK_YOU if self.step == "thank-you" else ItemKind.MOVE_ON

    @property
    def uid(self) -> str:
        return item_uid(self.application_id, self.round_number, self.step)


def is_ours(uid: str) -> bool:
    """Whether `uid` is in our namespace (ours to list, never someone else's)."""
    return str(uid).startswith(UID_PREFIX + ".")


@dataclass(frozen=True)
class CaptureDecision:
    """What the user decided about one proposed calendar event (`capture`).

    `key` hashes the event's UID and RECURRENCE-ID. "ignored" keeps nothing else;
    "added" keeps the application and round it became, the event's start when it
    was accepted (a later, different start is a reschedule) and its source.
    """

    key: str
    decision: str  # "added" or "ignored"
    app_id: str | None = None
    round_number: int | None = None
    start: datetime | None = None
    source: str | None = None


@dataclass(frozen=True)
class Draft:
    """An email draft for one nudge (or the thank-you note).

    `to` holds every recipient as (name, address); threading headers make later
    nudges replies to the first (RFC 5322 3.6.4), with Message-IDs stable per item.
    """

    subject: str
    body: str
    to: tuple[tuple[str, str], ...] = ()
    from_name: str = ""
    from_addr: str = ""
    message_id: str = ""  # "<...@...>"
    in_reply_to: str = ""
    references: tuple[str, ...] = ()

    @property
    def to_name(self) -> str:
        return self.to[0][0] if self.to else ""

    @property
    def to_addr(self) -> str:
        return self.to[0][1] if self.to else ""


@dataclass(frozen=True)
class PushItem:
    """Everything a provider needs to write one item; providers only render it.

    `content_hash` covers every field a provider renders (never volatile ones like
    DTSTAMP), so equal hashes mean nothing to write. Providers embed it in what
    they write (e.g. X-FOLLOWUP-SYNC-HASH) so a lost store can be rebuilt by
    adoption without rewriting.
    """

    item: FollowUpItem
    company: str
    role: str
    contact: str  # interviewer's name, or "" when none is known
    summary: str  # one line, no control characters
    description: str  # plain text: the draft with its mailto: link, or the move-on note
    draft: Draft | None
    mailto: str | None
    eml: bytes | None
    duration: timedelta
    alarm_before: timedelta | None
    content_hash: str
    sequence: int = 0
    last_modified: datetime | None = None  # UTC; when this content was first pushed

    @property
    def uid(self) -> str:
        return self.item.uid


@dataclass(frozen=True)
class Record:
    """What the last push wrote for one item on one provider (the sync state)."""

    uid: str
    app_id: str
    ref: str
    etag: str | None
    hash: str
    sequence: int
    due: datetime | None
    last_modified: datetime

    def as_remote(self) -> RemoteItem:
        return RemoteItem(
            uid=self.uid, ref=self.ref, etag=self.etag, due=self.due, content_hash=self.hash
        )


@dataclass(frozen=True)
class RemoteItem:
    """What a provider reports about one of our items."""

    uid: str
    ref: str  # provider's handle: href, task id, ...
    etag: str | None = None  # changes whenever the item changes remotely
    due: datetime | None = None
    completed_on: date | None = None  # a task/VTODO the user completed
    content_hash: str | None = None  # the hash we embedded, if still present
    extra: dict[str, str] = field(default_factory=dict, compare=False)
    #: The user replaced our item with their own copy (a draft edited in a mail
    #: client is saved as a new message): it is theirs now, never written or
    #: recreated by us (sync.pull reports it as TAKEN_OVER).
    taken_over: bool = False


@dataclass(frozen=True)
class MailNote:
    """One message found in the mailbox, as far as a report needs it (mail/match.py).

    `category` says what it was taken for: "reply" (from an interviewer),
    "thread-reply" (in the thread of our follow-ups), "company-reply" (from the
    company's domain), "possible-response" (an applicant-tracking system or an
    ambiguous match: for the user to confirm), "auto-reply", "bounce", "bulk",
    "sent" (a follow-up the user sent), "early-sent" (mail to an interviewer
    before a follow-up was due: listed, not counted).
    """

    category: str
    sender: str
    recipients: tuple[str, ...]
    at: datetime
    subject: str
    message_id: str
