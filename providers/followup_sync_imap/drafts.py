"""Our drafts in the Drafts folder: listed, appended, replaced and removed; nothing else.

A draft is one RFC 5322 message (draft_formats.as_eml without X-Unsent, so no
header names the tool or would reach the interviewer), flagged \\Draft and \\Seen
(a draft one wrote is not unread mail) and, where the server keeps custom
keywords (PERMANENTFLAGS has \\*), the keyword `$FollowupSync`, which is never
sent and marks the message as ours. Its Date: is the follow-up's planned time,
so the listing gives the item's due date back.

Which messages are ours, for one follow-up (one Message-ID, stable per item):

- the message whose UIDVALIDITY and UID the store recorded (the ref
  "<uidvalidity> <uid> <message-id>"); after a UIDVALIDITY change, the
  message re-found by its Message-ID;
- with keywords: every message carrying ours; without (pymap, Exchange), every
  message with our Message-ID while the recorded one is still there, or when
  no record exists (a crash between APPEND and recording it);
- a message with our Message-ID where the recorded one is gone (and, with
  keywords, without ours) is the user's: a mail client saves an edited draft as
  a new message. It is reported as taken over and never touched or recreated.

Replacing a draft appends the new version first and removes the old one only
when the batch ends, after the new one is recorded: a connection lost in
between leaves an extra copy of ours (removed by the next push), never a gap
that would look like the user deleting it. Removal touches only our own UIDs:
UID STORE \\Deleted then UID EXPUNGE (RFC 4315 UIDPLUS), never a plain EXPUNGE
(which would also expunge the user's deleted messages); on Gmail, a MOVE to the
Trash, as Google advises. A message already flagged \\Deleted counts as gone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followup_sync.errors import ConflictError, ProviderError
from followup_sync.models import PushItem, RemoteItem

from .scan import status
from .search import key, uid_set
from .session import Session

KEYWORD = "$FollowupSync"
DRAFT, SEEN, DELETED = b"\\Draft", b"\\Seen", b"\\Deleted"
LIST_FIELDS = "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE)]"
FETCH_CHUNK = 500
_APPENDUID = re.compile(rb"APPENDUID (\d+) (\d+)")


@dataclass(frozen=True)
class Listed:
    """One message of the Drafts folder, as the listing saw it."""

    uid: int
    message_id: str
    date: datetime | None
    keyword: bool
    deleted: bool


@dataclass(frozen=True)
class Ref:
    uidvalidity: int
    uid: int
    message_id: str

    @classmethod
    def parse(cls, text: str) -> Ref | None:
        parts = text.split(" ", 2)
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return None
        return cls(int(parts[0]), int(parts[1]), parts[2])

    def __str__(self) -> str:
        return f"{self.uidvalidity} {self.uid} {self.message_id}"

    @property
    def etag(self) -> str:
        return f"{self.uidvalidity}/{self.uid}"


@dataclass(frozen=True)
class Resolved:
    item: Listed | None  # our draft for the follow-up, if there is one
    leftovers: tuple[int, ...]  # other copies of ours (to remove)
    taken_over: Listed | None  # the user's copy where ours was


def resolve(
    messages: list[Listed],
    recorded: Ref | None,
    uidvalidity: int,
    keywords: bool,
    mine: frozenset[int] = frozenset(),
) -> Resolved:
    """Which of the messages with one of our Message-IDs is ours (see the module doc).

    `mine`: the UIDs this session appended, ours whatever the record says.
    """
    alive = [m for m in messages if not m.deleted]
    current = recorded is not None and recorded.uidvalidity == uidvalidity
    marked = [m for m in alive if m.keyword or m.uid in mine]
    if keywords:
        ours = marked
        users = [m for m in alive if m not in marked]
    elif current and any(m.uid == recorded.uid for m in alive):
        ours, users = alive, []
    elif marked:
        ours, users = marked, [m for m in alive if m not in marked]
    elif current:
        ours, users = [], alive
    else:
        ours, users = alive, []  # no record, or the folder was renumbered
    item = None
    if ours:
        exact = [m for m in ours if current and m.uid == recorded.uid]
        item = exact[0] if exact else max(ours, key=lambda m: m.uid)
    leftovers = tuple(m.uid for m in ours if m is not item)
    taken = max(users, key=lambda m: m.uid) if item is None and users and recorded else None
    return Resolved(item, leftovers, taken)


class DraftsFolder:
    """The Drafts folder of one provider, over one Session, for one push."""

    def __init__(
        self,
        session: Session,
        state: Any,
        folder: Callable[[], str | None],
        create_folder: Callable[[str | None], str],
        trash: Callable[[], str | None],
        gmail: Callable[[], bool],
        log: Callable[[str], None],
    ):
        self.session = session
        self.state = state
        self._folder = folder
        self._create_folder = create_folder
        self._trash = trash
        self._gmail = gmail
        self.log = log
        self.items: dict[str, RemoteItem] | None = None  # None: not listed in this session
        self.uidvalidity: int | None = None
        self.leftovers: set[int] = set()  # extra copies of ours, removed when a batch ends
        self.pending: set[int] = set()  # replaced versions, removed when the batch ends
        #: What this session wrote: Message-ID -> (item UID, etag, content hash).
        self.written: dict[str, tuple[str, str, str]] = {}
        self.in_batch = False
        self._status: dict[str, int] | None = None
        self._wrote = False
        self._doubt = False  # a write whose outcome is unknown (the connection dropped)
        self._rw: str | None = None  # the folder selected read-write, if any
        self._keywords: bool | None = None

    # --- listing ------------------------------------------------------------------
    def list(
        self, known: Mapping[str, RemoteItem], ids: Mapping[str, str]
    ) -> dict[str, RemoteItem]:
        """Our drafts by item UID; `ids` maps the Message-IDs of possible drafts to UIDs."""
        folder = self._folder()
        self.items, self.leftovers = {}, set()
        if folder is None or not self._exists(folder):
            return {}  # no Drafts folder yet: nothing of ours can be there
        now = status(self.session, folder)
        self._status = now
        self.uidvalidity = now["uidvalidity"]
        refs = {uid: Ref.parse(r.ref) for uid, r in known.items()}
        if (
            self.state.get("drafts") == json.dumps(now, sort_keys=True)
            and all(r is not None and r.uidvalidity == self.uidvalidity for r in refs.values())
            and not self.written
        ):
            # Nobody touched the folder since our last push (UIDNEXT, MESSAGES and
            # HIGHESTMODSEQ as we left them): it holds exactly what the store
            # recorded, and one STATUS replaces the listing.
            self.items = dict(known)
            return dict(self.items)
        candidates = dict(ids)
        candidates.update({ref.message_id: uid for uid, ref in refs.items() if ref is not None})
        candidates.update({msgid: w[0] for msgid, w in self.written.items()})
        by_uid: dict[str, list[Listed]] = {}
        for m in self._listing(folder):
            if uid := candidates.get(m.message_id):
                by_uid.setdefault(uid, []).append(m)
        keywords = self.state.get("keywords") == "1"
        mine = frozenset(
            int(number)
            for _, etag, _ in self.written.values()
            for validity, number in [etag.split("/")]
            if int(validity) == self.uidvalidity
        )
        renumbered = False
        for uid, messages in by_uid.items():
            rec, ref = known.get(uid), refs.get(uid)
            got = resolve(messages, ref, self.uidvalidity, keywords, mine)
            self.leftovers |= set(got.leftovers)
            if got.item is not None:
                self.items[uid] = self._remote(uid, got.item, rec, ref)
                renumbered |= ref is not None and ref.uidvalidity != self.uidvalidity
            elif got.taken_over is not None:
                here = Ref(self.uidvalidity, got.taken_over.uid, got.taken_over.message_id)
                self.items[uid] = RemoteItem(
                    uid=uid, ref=str(here), etag=here.etag, taken_over=True
                )
        if renumbered:
            self.log(
                f"the folder {folder} was renumbered (its UIDVALIDITY changed): our drafts"
                " were found again by their Message-ID"
            )
        return {uid: r for uid, r in self.items.items()}

    def _exists(self, folder: str) -> bool:
        """False for a Drafts folder named in the options but not made yet."""
        if self.state.get("drafts"):
            return True  # it was there at the last push (a STATUS will tell otherwise)
        found = self.session.call(f"looking for {folder}", lambda c: c.list_folders("", folder))
        return bool(found)

    def _remote(self, uid: str, m: Listed, rec: RemoteItem | None, ref: Ref | None) -> RemoteItem:
        here = Ref(self.uidvalidity or 0, m.uid, m.message_id)
        etag, content_hash = here.etag, None
        if (
            rec is not None
            and ref is not None
            and (ref.uid == m.uid or ref.uidvalidity != self.uidvalidity)
        ):
            # The recorded message (or, after renumbering, the same one re-found by
            # Message-ID): the same content, so the same etag and hash.
            etag, content_hash = rec.etag, rec.content_hash
        elif (w := self.written.get(m.message_id)) and w[1] == here.etag:
            content_hash = w[2]
        return RemoteItem(uid=uid, ref=str(here), etag=etag, due=m.date, content_hash=content_hash)

    def _listing(self, folder: str) -> list[Listed]:
        self._examine(folder)
        uids = self.session.call(f"listing {folder}", lambda c: c.search("ALL"))
        out = []
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start : start + FETCH_CHUNK]
            got = self.session.call(
                f"listing {folder}", lambda c, u=chunk: c.fetch(u, ["FLAGS", LIST_FIELDS])
            )
            for uid, data in got.items():
                raw = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
                msgid, date = _id_and_date(raw)
                flags = {bytes(f).lower() for f in data.get(b"FLAGS", ())}
                keyword = KEYWORD.lower().encode() in flags
                out.append(Listed(uid, msgid, date, keyword, DELETED.lower() in flags))
        return out

    def _examine(self, folder: str) -> None:
        self.session.call(f"opening {folder}", lambda c: c.select_folder(folder, readonly=True))
        self._rw = None

    def _select(self, folder: str) -> None:
        """Drafts read-write (the only folder ever opened so); learns keyword support."""
        if self._rw == folder:
            return
        got = self.session.call(f"opening {folder}", lambda c: c.select_folder(folder))
        self._rw = folder
        flags = {bytes(f) for f in got.get(b"PERMANENTFLAGS", ())}
        self._keywords = b"\\*" in flags
        self.state["keywords"] = "1" if self._keywords else "0"

    def _ensure_listed(self) -> None:
        if self.items is None:
            self.list({}, {})

    # --- writing ------------------------------------------------------------------
    def create(self, item: PushItem) -> RemoteItem:
        self._ensure_listed()
        assert self.items is not None
        if item.uid in self.items and not self.items[item.uid].taken_over:
            raise ConflictError(f"a draft for {item.uid} is already there")
        return self._append(item)

    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        self._ensure_listed()
        assert self.items is not None
        listed = self.items.get(item.uid)
        if listed is None or listed.taken_over or listed.etag != current.etag:
            raise ConflictError(f"the draft for {item.uid} changed since it was listed")
        old = Ref.parse(listed.ref)
        new = self._append(item)
        if old is not None and old.uidvalidity == self.uidvalidity:
            self.pending.add(old.uid)
            if not self.in_batch:
                self.finish()
        return new

    def delete(self, current: RemoteItem) -> None:
        self._ensure_listed()
        assert self.items is not None
        listed = self.items.get(current.uid)
        if listed is None:
            return  # already gone
        if listed.taken_over or listed.etag != current.etag:
            raise ConflictError(f"the draft for {current.uid} changed since it was listed")
        ref = Ref.parse(listed.ref)
        if ref is not None:
            self._remove({ref.uid})
        del self.items[current.uid]

    def _append(self, item: PushItem) -> RemoteItem:
        from followup_sync.draft_formats import as_eml

        if item.draft is None or not item.draft.message_id:
            # Without its Message-ID a draft could never be told from the user's.
            raise ProviderError(f"{item.uid} has no email draft with a Message-ID")
        folder = self._folder()
        if folder is None or (self.uidvalidity is None and not self._exists(folder)):
            folder = self._create_folder(folder)
        self._select(folder)
        message = as_eml(item.draft, when=item.item.due, unsent=False)
        flags = [DRAFT, SEEN] + ([KEYWORD.encode()] if self._keywords else [])
        self._wrote = True
        try:
            answer = self.session.call(
                f"adding a draft to {folder}", lambda c: c.append(folder, message, flags=flags)
            )
        except ProviderError:
            # The connection may have dropped after the server stored it: the folder
            # must be listed next time, not taken to be as we left it.
            self._doubt = True
            raise
        found = _APPENDUID.search(answer if isinstance(answer, bytes) else str(answer).encode())
        if found:
            validity, uid = int(found.group(1)), int(found.group(2))
        else:
            validity, uid = self._find(folder, item.draft.message_id)
        self.uidvalidity = validity
        here = Ref(validity, uid, item.draft.message_id)
        remote = RemoteItem(
            uid=item.uid,
            ref=str(here),
            etag=here.etag,
            due=item.item.due,
            content_hash=item.content_hash,
        )
        self.written[item.draft.message_id] = (item.uid, here.etag, item.content_hash)
        assert self.items is not None
        self.items[item.uid] = remote
        return remote

    def _find(self, folder: str, message_id: str) -> tuple[int, int]:
        """Where our just-appended draft is, on a server without UIDPLUS (no APPENDUID)."""
        got = self.session.call(f"opening {folder}", lambda c: c.select_folder(folder))
        query = key("HEADER Message-ID", message_id) or "ALL"
        uids = self.session.call(f"searching {folder}", lambda c: c.search(query))
        if not uids:
            raise ProviderError(f"the draft just added to {folder} cannot be found")
        return int(got[b"UIDVALIDITY"]), max(uids)

    # --- removing -----------------------------------------------------------------
    def _remove(self, uids: set[int]) -> None:
        """Remove our own drafts `uids` (never anything else; see the module doc)."""
        folder = self._folder()
        if not uids or folder is None:
            return
        try:
            self._remove_from(folder, uids)
        except ProviderError:
            self._doubt = True  # half done, maybe: list the folder next time
            raise

    def _remove_from(self, folder: str, uids: set[int]) -> None:
        self._select(folder)
        trash = self._trash()
        which = uid_set(uids)
        has = self.session.has
        if trash and trash != folder and has("MOVE") and (self._gmail() or not has("UIDPLUS")):
            self.session.call(f"moving our draft to {trash}", lambda c: c.move(sorted(uids), trash))
        elif has("UIDPLUS"):
            self.session.call(
                f"removing our draft from {folder}",
                lambda c: c.delete_messages(sorted(uids), silent=True),
            )
            self.session.call(
                f"removing our draft from {folder}", lambda c: c.uid_expunge(sorted(uids))
            )
        else:
            self.session.call(
                f"removing our draft from {folder}",
                lambda c: c.delete_messages(sorted(uids), silent=True),
            )
            self.log(
                f"the server cannot expunge single messages (no UIDPLUS): our old draft(s)"
                f" {which} in {folder} are marked deleted; your mail client removes them"
            )
        self._wrote = True

    def finish(self) -> None:
        """Remove replaced versions and extra copies of ours; remember the folder's state."""
        gone = self.pending | self.leftovers
        if gone:
            self._remove(gone)
            self.pending, self.leftovers = set(), set()
        folder = self._folder()
        if folder is None:
            return
        if self._doubt:
            self.state["drafts"] = None  # an APPEND of unknown outcome: list it next time
            return
        if self._wrote:
            self._status = status(self.session, folder)
            self._wrote = False
        if self._status is not None:
            self.state["drafts"] = json.dumps(self._status, sort_keys=True)


def _id_and_date(raw: bytes) -> tuple[str, datetime | None]:
    from email.parser import BytesHeaderParser
    from email.utils import parsedate_to_datetime

    from followup_sync.mail.message import message_ids

    headers = BytesHeaderParser().parsebytes(raw)
    ids = message_ids(str(headers.get("Message-ID", "")))
    date = None
    if headers.get("Date"):
        try:
            date = parsedate_to_datetime(str(headers["Date"]))
        except (TypeError, ValueError, IndexError):
            date = None
    return (ids[0] if ids else ""), date
