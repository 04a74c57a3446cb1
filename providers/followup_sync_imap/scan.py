"""Reading a mailbox for a Watch: one STATUS per folder when nothing is new.

Per folder the provider state remembers UIDVALIDITY, UIDNEXT, MESSAGES and (with
CONDSTORE, RFC 7162) HIGHESTMODSEQ as of the last push, and the digest of each
application searched for. A check then

- sends only STATUS when no mail arrived (UIDNEXT unchanged) and no application
  is new or changed;
- searches new mail only (`UID <old UIDNEXT>:*`) for the applications it knows;
- searches all mail since the interview for new or changed applications, and
  for every application when UIDVALIDITY changed (RFC 3501 2.3.1.1: the old UIDs
  mean nothing then).

Folders are opened with EXAMINE (read-only) and header fields fetched with
BODY.PEEK, so no message gains \\Seen; bodies are never fetched. A bounce that
does not reference our mail is matched to the addresses it names with
`SEARCH TEXT` on the server (group testing: halves of the address list until
one address is left), so its text is never downloaded either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from followup_sync.mail.classify import classify
from followup_sync.mail.domains import ATS
from followup_sync.mail.message import HEADER_FIELDS, parse
from followup_sync.mail.model import Message, Watch, WatchedApp

from .search import MAX_COMMAND, batches, key, or_tree, sent_since, uid_set
from .session import Session

PEEK = "BODY.PEEK[HEADER.FIELDS ({})]".format(" ".join(f.upper() for f in HEADER_FIELDS))
FETCH_CHUNK = 300
DAEMONS = ("mailer-daemon", "postmaster")


def status(session: Session, folder: str) -> dict[str, int]:
    """UIDVALIDITY, UIDNEXT, MESSAGES (and HIGHESTMODSEQ with CONDSTORE): no SELECT needed."""
    items = ["MESSAGES", "UIDNEXT", "UIDVALIDITY"]
    if session.has("CONDSTORE"):
        items.append("HIGHESTMODSEQ")
    got = session.call(f"reading the status of {folder}", lambda c: c.folder_status(folder, items))
    return {k.decode().lower(): int(v) for k, v in got.items() if isinstance(v, int)}


def reply_keys(apps: Iterable[WatchedApp], domains: bool) -> list[str]:
    keys = []
    for w in apps:
        keys += [key("FROM", a) for a in w.addresses]
        if domains:
            # A substring match on the server: notacme.example matches too, and
            # mail/match.py checks every hit against the domain again.
            keys += [key("FROM", d) for d in w.domains]
        for msgid in sorted(w.message_ids):
            keys += [key("HEADER In-Reply-To", msgid), key("HEADER References", msgid)]
    return [k for k in keys if k]


def global_reply_keys() -> list[str]:
    """Bounces, and applicant-tracking systems (matched to a company by name later)."""
    keys = [key("FROM", d) for d in DAEMONS] + [key("FROM", d) for d in ATS]
    return [k for k in keys if k]


def sent_keys(apps: Iterable[WatchedApp]) -> list[str]:
    keys = []
    for w in apps:
        for a in w.addresses:
            keys += [key("TO", a), key("CC", a)]
    return [k for k in keys if k]


class FolderScan:
    """Reads one folder for one role ("reply" or "sent"), incrementally."""

    def __init__(
        self,
        session: Session,
        folder: str,
        role: str,
        watch: Watch,
        state: Any,
        *,
        company_domains: bool,
    ):
        self.session, self.folder, self.role = session, folder, role
        self.watch, self.state = watch, state
        self.company_domains = company_domains
        self.state_key = f"{role}:{folder}"
        # What is searched for besides the applications: a change searches again.
        self.salt = f"v1 domains={company_domains}"

    def keys(self, apps: list[WatchedApp]) -> list[str]:
        if self.role == "sent":
            return sent_keys(apps)
        return reply_keys(apps, self.company_domains) + global_reply_keys()

    def run(self) -> list[Message]:
        now = status(self.session, self.folder)
        prev = _load(self.state.get(self.state_key))
        same = (
            prev is not None
            and prev.get("uidvalidity") == now.get("uidvalidity")
            and prev.get("salt") == self.salt
        )
        seen = prev.get("apps", {}) if same and prev else {}
        fresh = [w for w in self.watch.apps if seen.get(w.id) != w.digest]
        known = [w for w in self.watch.apps if seen.get(w.id) == w.digest]
        since_uid = int(prev["uidnext"]) if same and prev else 0
        searches: list[tuple[str, list[str], int]] = []
        if fresh:
            day = min(w.since for w in fresh).date()
            searches.append((sent_since(day), self.keys(fresh), 0))
        if known and now.get("uidnext", 0) > since_uid:
            searches.append((f"UID {since_uid}:*", self.keys(known), since_uid))
        messages: list[Message] = []
        if any(keys for _, keys, _ in searches):
            messages = self._search_and_fetch(searches)
        record = {**now, "salt": self.salt, "apps": {w.id: w.digest for w in self.watch.apps}}
        self.state[self.state_key] = json.dumps(record, sort_keys=True)
        return messages

    def _search_and_fetch(self, searches: list[tuple[str, list[str], int]]) -> list[Message]:
        folder = self.folder
        self.session.call(f"opening {folder}", lambda c: c.select_folder(folder, readonly=True))
        hits: set[int] = set()
        for restriction, keys, floor in searches:
            for batch in batches(keys):
                query = f"{restriction} {or_tree(batch)}"
                found = self.session.call(f"searching {folder}", lambda c, q=query: c.search(q))
                # `UID n:*` also matches the last message when n is past it
                # (RFC 3501 6.4.8: * is the largest UID in use).
                hits |= {u for u in found if u >= floor}
        messages = self._fetch(sorted(hits))
        if self.role == "reply":
            messages = self._attribute_bounces(messages)
        return messages

    def _fetch(self, uids: list[int]) -> list[Message]:
        out = []
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start : start + FETCH_CHUNK]
            got = self.session.call(
                f"reading headers in {self.folder}",
                lambda c, u=chunk: c.fetch(u, [PEEK, "INTERNALDATE"]),
            )
            for uid, data in got.items():
                raw = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), None)
                if raw is None:
                    continue
                out.append(
                    parse(
                        raw,
                        role=self.role,
                        folder=self.folder,
                        uid=uid,
                        arrived=data.get(b"INTERNALDATE"),
                    )
                )
        return out

    def _attribute_bounces(self, messages: list[Message]) -> list[Message]:
        ours = {i for w in self.watch.apps for i in w.message_ids}
        bounces = [
            m
            for m in messages
            if classify(m.sender, m.subject, m.fields) == "bounce" and not (m.thread_ids & ours)
        ]
        if not bounces:
            return messages
        addresses = sorted({a for w in self.watch.apps for a in w.addresses if key("TEXT", a)})
        mentions: dict[int, set[str]] = {}
        step = max(1, MAX_COMMAND // 60)
        for start in range(0, len(addresses), step):
            self._probe({m.uid for m in bounces}, addresses[start : start + step], mentions)
        return [
            replace(m, mentions=tuple(sorted(mentions[m.uid]))) if m.uid in mentions else m
            for m in messages
        ]

    def _probe(self, uids: set[int], addresses: list[str], out: dict[int, set[str]]) -> None:
        """Which of `addresses` each of `uids` mentions, by halving (group testing)."""
        keys = [k for a in addresses if (k := key("TEXT", a))]
        query = f"UID {uid_set(uids)} {or_tree(keys)}"
        found = self.session.call(f"searching {self.folder}", lambda c: c.search(query))
        hit = {u for u in found if u in uids}
        if not hit:
            return
        if len(addresses) == 1:
            for u in hit:
                out.setdefault(u, set()).add(addresses[0])
            return
        half = len(addresses) // 2
        self._probe(hit, addresses[:half], out)
        self._probe(hit, addresses[half:], out)


def _load(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
