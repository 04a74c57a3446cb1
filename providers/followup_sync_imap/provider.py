"""The IMAP provider: a mailbox read for replies and sent mail, and our drafts in Drafts.

Configured like every provider ([providers.NAME] type = "imap"); docs/mail.md has
the steps for Gmail, Fastmail, iCloud and Yahoo, and Outlook's OAuth2 path.

In a push, `read_mail` runs in the pull step (scan.py: one STATUS per folder when
nothing is new), then `list_items` lists our drafts (drafts.py) and the core plans
them like any provider's items: a draft per email follow-up that is due (or due
within `drafts_lead_days`), replaced when the plan changes, removed once it is
sent, withdrawn or answered. One connection serves the whole push.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from followup_sync.errors import ConfigError
from followup_sync.mail.model import Found, Watch
from followup_sync.models import Channel, FollowUpItem, ItemKind, ItemStatus, PushItem, RemoteItem
from followup_sync.provider import (
    CalendarReader,
    MailReader,
    Option,
    Provider,
    ProviderContext,
)

from .drafts import DraftsFolder
from .folders import Folders, choose, options_key
from .invites import read_invitations
from .scan import FolderScan
from .session import Refused, Session, is_loopback

PORTS = {"tls": 993, "starttls": 143, "none": 143}
#: `capture` reads invitations received from this long before its window.
INVITE_LEAD = timedelta(days=30)


def _port(value: int) -> str | None:
    return None if 0 < value < 65536 else "must be between 1 and 65535"


def _lead(value: int) -> str | None:
    return None if 0 <= value <= 30 else "must be between 0 and 30 days"


def _folders(value: list) -> str | None:
    if not all(isinstance(v, str) and v.strip() for v in value):
        return "must be a list of folder names"
    return None


def _file(value: str) -> str | None:
    if value and not os.path.isfile(os.path.expanduser(value)):
        return f"no such file: {value}"
    return None


class ImapProvider(Provider, MailReader, CalendarReader):
    type = "imap"
    drafts_as_of_today = True
    used_up_by_user = True  # drafts get sent: an emptied Drafts folder is normal
    holds_every_item = False  # only the email follow-ups that are due (wants)
    # An invitation email the user deleted or archived says nothing about the
    # interview: capture never reports an event "gone" for its absence here.
    lists_every_event = False
    options = {
        "host": Option(str, required=True, help="the IMAP server, e.g. imap.gmail.com"),
        "port": Option(int, check=_port, help="993 (TLS) or 143 (STARTTLS)"),
        "security": Option(
            str, default="tls", choices=("tls", "starttls", "none"), normalize=str.lower
        ),
        "username": Option(str, required=True, help="usually your full email address"),
        "password": Option(str, secret=True),
        "auth": Option(
            str, default="password", choices=("password", "xoauth2"), normalize=str.lower
        ),
        "token": Option(str, secret=True),
        "ca_file": Option(str, default="", check=_file),
        "detect_replies": Option(bool, default=True),
        "detect_sent": Option(bool, default=True),
        "company_domain_replies": Option(bool, default=True),
        "drafts": Option(bool, default=True),
        "drafts_lead_days": Option(int, default=0, check=_lead),
        "reply_folders": Option(list, default=[], check=_folders),
        "sent_folder": Option(str, default=""),
        "drafts_folder": Option(str, default=""),
    }

    def __init__(self, name: str, options: Mapping[str, Any], context: ProviderContext):
        super().__init__(name, options, context)
        o = self.opts
        where = f"[providers.{name}]"
        if o["security"] == "none" and not is_loopback(o["host"]):
            raise ConfigError(
                f'{where} security = "none" is only for a server on this machine'
                f' (127.0.0.1, localhost), not {o["host"]}: use "tls" or "starttls"'
            )
        if o["auth"] == "xoauth2" and not (o.get("token_cmd") or o.get("token_env") or o["token"]):
            raise ConfigError(f'{where} auth = "xoauth2" needs token_cmd (or token_env)')
        self.port = o["port"] or PORTS[o["security"]]
        self.session = Session(
            host=o["host"],
            port=self.port,
            security=o["security"],
            username=o["username"],
            secret=self._secret,
            auth=o["auth"],
            ca_file=os.path.expanduser(o["ca_file"]),
            timeout=context.timeout,
            where=f"{name}",
        )
        self._folders_now: Folders | None = None
        self._draft_ids: dict[str, str] = {}
        self.drafts = DraftsFolder(
            self.session,
            context.state,
            folder=lambda: self.folders().drafts,
            create_folder=self._create_drafts,
            trash=lambda: self.folders().trash,
            gmail=lambda: self.session.has("X-GM-EXT-1"),
            log=lambda line: self.context.log(line),
        )

    def describe(self) -> str:
        return f"imap provider {self.name!r} ({self.opts['username']} at {self.opts['host']})"

    def _secret(self) -> str:
        which = "token" if self.opts["auth"] == "xoauth2" else "password"
        value = self.context.secret(which)
        if not value:
            raise ConfigError(
                f"[providers.{self.name}] needs a {which}: {which}_env, {which}_cmd,"
                f" the keyring (service followup-sync, user {self.name}) or {which}"
            )
        return value

    # --- folders --------------------------------------------------------------------
    def folders(self, *, refresh: bool = False) -> Folders:
        """The folders to use: remembered from the last push, else from one LIST."""
        state = self.context.state
        key = options_key(self.opts)
        if not refresh and self._folders_now is not None:
            return self._folders_now
        cached = state.get("folders") if state.get("folders_for") == key else None
        found = Folders.from_json(cached) if cached and not refresh else None
        if found is None:
            listing = self.session.call("listing folders", lambda c: c.list_folders())
            found = choose(listing, self.opts)
            state["folders"] = found.to_json()
            state["folders_for"] = key
        self._folders_now = found
        return found

    def _create_drafts(self, name: str | None) -> str:
        """The Drafts folder, made when the first draft is written.

        Named by the options, else "Drafts" (under "INBOX." where every folder
        lives there), with the \\Drafts use where the server can give it one
        (RFC 6154 CREATE-SPECIAL-USE).
        """
        name = name or self.folders().new_drafts_name

        def create(c: Any) -> None:
            if c.has_capability("CREATE-SPECIAL-USE"):
                c._command_and_check("create", c._normalise_folder(name), "(USE (\\Drafts))")
            else:
                c.create_folder(name)

        self.session.call(f"creating the folder {name}", create)
        self.context.log(f"created the folder {name} for your follow-up drafts")
        self._folders_now = None
        return self.folders(refresh=True).drafts or name

    def _retrying(self, step: Callable[[Folders], Any]) -> Any:
        """step(folders), once more with a fresh LIST when a remembered folder is gone."""
        try:
            return step(self.folders())
        except Refused:
            if self.context.state.get("folders") is None:
                raise
            return step(self.folders(refresh=True))

    # --- reading mail ---------------------------------------------------------------
    def read_mail(self, watch: Watch) -> Found:
        o = self.opts
        self._draft_ids = dict(watch.drafts)
        own = frozenset({o["username"].lower()} if "@" in o["username"] else set())
        found = Found(
            own=own,
            detect_replies=o["detect_replies"],
            detect_sent=o["detect_sent"],
            company_domain_replies=o["company_domain_replies"],
        )
        if not watch.apps or not (o["detect_replies"] or o["detect_sent"]):
            return found

        def scan(folders: Folders) -> list:
            jobs = []
            if o["detect_replies"]:
                jobs += [(f, "reply") for f in folders.replies]
            if o["detect_sent"]:
                if folders.sent:
                    jobs.append((folders.sent, "sent"))
                else:
                    self.context.log(
                        "no Sent folder found: follow-ups you send are not noticed"
                        " (set sent_folder)"
                    )
            messages = []
            for folder, role in jobs:
                messages += FolderScan(
                    self.session,
                    folder,
                    role,
                    watch,
                    self.context.state,
                    company_domains=o["company_domain_replies"],
                ).run()
            return messages

        return replace(found, messages=tuple(self._retrying(scan)))

    # --- invitations (capture) -------------------------------------------------------
    def read_calendar(self, start: datetime, end: datetime) -> list[str]:
        """The calendar parts of the invitation emails received since a month before
        `start` (invites.py); the inbox (Gmail: All Mail), or `reply_folders`. Not
        the Junk folder: calendar spam lands there as invitations."""
        since = (start - INVITE_LEAD).date()

        def read(folders: Folders) -> list[str]:
            where = (
                list(self.opts["reply_folders"])
                if self.opts["reply_folders"]
                else folders.replies[:1]
            )
            texts: list[str] = []
            for folder in where:
                texts += read_invitations(self.session, folder, since)
            return texts

        return self._retrying(read)

    # --- drafts -----------------------------------------------------------------------
    def wants(self, item: FollowUpItem, today: date) -> bool:
        """An email follow-up (or thank-you note) that is due, or due within the lead time."""
        return (
            self.opts["drafts"]
            and item.kind in (ItemKind.NUDGE, ItemKind.THANK_YOU)
            and item.channel == Channel.EMAIL
            and item.status in (ItemStatus.PLANNED, ItemStatus.OVERDUE)
            and item.due.date() <= today + timedelta(days=self.opts["drafts_lead_days"])
        )

    def list_items(self, known: Mapping[str, RemoteItem]) -> dict[str, RemoteItem]:
        if not self.opts["drafts"] and not known:
            return {}  # drafts off and none of ours left: the Drafts folder is not read
        return self._retrying(lambda _: self.drafts.list(known, self._draft_ids))

    def create(self, item: PushItem) -> RemoteItem:
        return self.drafts.create(item)

    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        return self.drafts.update(item, current)

    def delete(self, current: RemoteItem) -> None:
        self.drafts.delete(current)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        self.drafts.in_batch = True
        try:
            yield
        finally:
            self.drafts.in_batch = False
        # Only after a batch that ended normally: replaced versions and extra
        # copies of ours go now that the new ones are recorded.
        if self.drafts.items is not None:
            self.drafts.finish()

    def close(self) -> None:
        self.session.close()
