"""What the core asks a mailbox for (Watch) and what the mailbox answers (Found)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..models import Application, FollowUpItem


@dataclass(frozen=True)
class WatchedApp:
    """One open application, as far as its mail is concerned.

    Addresses and domains are lower-case. `message_ids` maps the Message-ID of
    each email item of the current round (thank-you note, nudges) to its UID:
    a reply that references one is in the thread of our follow-ups.
    """

    app: Application
    round_number: int
    since: datetime  # the current round's interview: older mail never counts
    addresses: tuple[str, ...]
    domains: tuple[str, ...]  # the company's own domains (never free-mail)
    message_ids: Mapping[str, str]
    items: tuple[FollowUpItem, ...]  # the current round as planned today
    digest: str  # changes when anything searched for changes

    @property
    def id(self) -> str:
        return self.app.id


@dataclass(frozen=True)
class Watch:
    """What a mailbox is searched for: the open applications, and who the user is."""

    apps: tuple[WatchedApp, ...]
    own: frozenset[str]  # the user's own addresses: their mail is never a reply
    #: Message-ID -> UID of every email item a Drafts folder may hold for us.
    drafts: Mapping[str, str] = field(default_factory=dict)

    @property
    def since(self) -> datetime | None:
        return min((a.since for a in self.apps), default=None)


@dataclass(frozen=True)
class Message:
    """One message's headers, as far as matching needs them (bodies are never read).

    `role` is "reply" for a folder searched for replies (INBOX, Junk...) and
    "sent" for the Sent folder. Addresses are lower-case; `to` holds To and Cc.
    """

    role: str
    folder: str
    uid: int
    message_id: str
    sender: str
    sender_name: str
    to: tuple[str, ...]
    subject: str
    date: datetime | None  # the Date: header, aware; None when missing or unreadable
    arrived: datetime | None  # INTERNALDATE, aware
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    #: Header fields the classifier reads (lower-case names, unfolded values).
    fields: Mapping[str, str] = field(default_factory=dict)
    #: For a bounce that does not reference our mail: the watched addresses the
    #: server found in its text (a SEARCH TEXT, never a fetch of the body).
    mentions: tuple[str, ...] = ()

    @property
    def when(self) -> datetime | None:
        return self.date or self.arrived

    @property
    def thread_ids(self) -> frozenset[str]:
        return frozenset(self.in_reply_to) | frozenset(self.references)


@dataclass(frozen=True)
class Found:
    """What a mailbox provider read: the messages, and what it was asked to detect."""

    messages: tuple[Message, ...] = ()
    own: frozenset[str] = frozenset()  # the mailbox's own addresses (its login, if one)
    detect_replies: bool = True
    detect_sent: bool = True
    company_domain_replies: bool = True
