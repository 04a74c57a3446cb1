"""Which folders to read and write, from the server's folder list (RFC 6154 special-use).

- replies: Gmail's All Mail (\\All) when there is one (Gmail files mail under
  labels, and a filter may skip the inbox), else INBOX; plus the Junk folder,
  where a first reply from a new address sometimes lands; or `reply_folders`;
- sent: the \\Sent folder, else a folder with a usual name, or `sent_folder`;
- drafts: the \\Drafts folder, else one named Drafts, or `drafts_folder`; created
  (as "Drafts", with the \\Drafts use where the server allows it, RFC 6154 CREATE-
  SPECIAL-USE) only when a draft is first written;
- trash: where Gmail's removed drafts go (Gmail's own advice: move to \\Trash
  rather than expunge, whose effect there depends on the user's settings).

The choice is remembered in the provider state, so a push with nothing new
sends no LIST; it is made again when a remembered folder is gone or the options
change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

SENT_NAMES = ("sent", "sent items", "sent messages", "sent mail", "[gmail]/sent mail")
DRAFT_NAMES = ("drafts", "draft", "[gmail]/drafts")
JUNK_NAMES = ("junk", "spam", "junk e-mail", "junk email", "[gmail]/spam", "bulk mail")
TRASH_NAMES = ("trash", "deleted items", "deleted messages", "bin", "[gmail]/trash")


@dataclass(frozen=True)
class Folders:
    replies: tuple[str, ...]
    sent: str | None
    drafts: str | None  # None: no Drafts folder yet (created on the first draft)
    trash: str | None
    delimiter: str = "/"
    prefix: str = ""  # "INBOX." on servers whose folders all live under INBOX

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Folders | None:
        try:
            data = json.loads(text)
            data["replies"] = tuple(data["replies"])
            return cls(**data)
        except (ValueError, TypeError, KeyError):
            return None

    @property
    def new_drafts_name(self) -> str:
        return f"{self.prefix}Drafts"


def _flagged(listing: Iterable[tuple], flag: bytes) -> str | None:
    for flags, _, name in listing:
        if any(f.lower() == flag.lower() for f in flags):
            return name
    return None


def _named(listing: Iterable[tuple], names: Sequence[str], prefix: str = "") -> str | None:
    by_name = {str(name).lower(): name for _, _, name in listing}
    for n in names:
        for candidate in (n, f"{prefix.lower()}{n}"):
            if candidate in by_name:
                return by_name[candidate]
    return None


def choose(listing: list[tuple], options: Mapping[str, object]) -> Folders:
    """The folders to use, from LIST's [(flags, delimiter, name)] and the provider options."""
    listing = [(tuple(f), d, str(n)) for f, d, n in listing]
    selectable = [x for x in listing if not any(f.lower() == b"\\noselect" for f in x[0])]
    delimiter = next((d.decode() for _, d, _ in listing if d), "/")
    names = [n for _, _, n in selectable if n.upper() != "INBOX"]
    prefix = ""
    if names and all(n.upper().startswith("INBOX" + delimiter) for n in names):
        prefix = "INBOX" + delimiter  # Courier, Cyrus: every folder lives under INBOX
    if options.get("reply_folders"):
        replies = tuple(str(f) for f in options["reply_folders"])  # type: ignore[union-attr]
    else:
        everything = _flagged(selectable, b"\\All")
        junk = _flagged(selectable, b"\\Junk") or _named(selectable, JUNK_NAMES, prefix)
        replies = tuple(f for f in (everything or "INBOX", junk) if f)
    sent = str(options.get("sent_folder") or "") or (
        _flagged(selectable, b"\\Sent") or _named(selectable, SENT_NAMES, prefix)
    )
    drafts = str(options.get("drafts_folder") or "") or (
        _flagged(selectable, b"\\Drafts") or _named(selectable, DRAFT_NAMES, prefix)
    )
    trash = _flagged(selectable, b"\\Trash") or _named(selectable, TRASH_NAMES, prefix)
    return Folders(replies, sent, drafts, trash, delimiter, prefix)


def options_key(options: Mapping[str, object]) -> str:
    """What of the options the choice depends on: a change makes it again."""
    keys = ("reply_folders", "sent_folder", "drafts_folder")
    return json.dumps([options.get(k) or None for k in keys])
