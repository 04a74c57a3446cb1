"""Invitation emails for `capture`: their calendar parts, read without a body download.

An invitation (iMIP, RFC 6047) is an email with a text/calendar part, often also
attached as invite.ics. To find them without downloading every message:

1. `SEARCH SINCE <day>` in the folder (EXAMINE: read-only): the mail received
   since a month before the capture window (an interview is usually booked a
   week or two ahead; a month covers the slow ones);
2. `FETCH BODYSTRUCTURE` of those messages, in chunks: the MIME tree without
   any content, so the parts that are calendars are known by type and name;
3. `FETCH BODY.PEEK[<part>]` of those parts only, one command per part number
   (BODY.PEEK: no message gains \\Seen), decoded by the part's own
   Content-Transfer-Encoding.

SEARCH is not narrowed by header (`HEADER Content-Type "multipart"`): servers
differ in which headers they index (Gmail's search is not RFC 3501's), and a
missed invitation would go unnoticed. A forwarded invitation (a message/rfc822
part holding one) is not looked into.

Nothing is judged here: METHOD, SEQUENCE and the interview heuristics are
capture's (followup_sync/capture/). The texts never reach a log.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from .search import imap_date
from .session import Session

#: UIDs per FETCH BODYSTRUCTURE (a few hundred bytes each).
STRUCTURE_CHUNK = 300
#: A calendar part bigger than this is not an invitation (an exported calendar, say).
MAX_PART = 1024 * 1024
CALENDAR_TYPES = {("text", "calendar"), ("application", "ics")}
_RAW_FILENAME = re.compile(r'filename\*?=(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", errors="replace")
    return "" if value is None else str(value)


def _params(value: Any) -> dict[str, str]:
    """A BODYSTRUCTURE parameter list ("NAME" "invite.ics" ...) as a dict."""
    if not isinstance(value, tuple | list):
        return {}
    items = [_text(v) for v in value]
    return {items[i].lower(): items[i + 1] for i in range(0, len(items) - 1, 2)}


def _filename(part: Any) -> str:
    """The part's name: Content-Type's name, else Content-Disposition's filename."""
    name = _params(part[2]).get("name", "")
    if name:
        return name
    # RFC 3501 7.4.2: the extension data (MD5, disposition...) follows the basic
    # fields, the line count of a text part, and a message part's envelope,
    # body and line count.
    kind = _text(part[0]).lower()
    at = 8 if kind == "text" else 10 if kind == "message" else 7
    disposition = part[at + 1] if len(part) > at + 1 else None
    if isinstance(disposition, tuple | list) and len(disposition) > 1:
        return _params(disposition[1]).get("filename", "")
    if isinstance(disposition, bytes):
        # pymap gives the header's raw value ('attachment; filename="x.ics"').
        m = _RAW_FILENAME.search(disposition.decode("ascii", errors="replace"))
        return (m.group(1) or m.group(2) or "") if m else ""
    return ""


def calendar_parts(structure: Any, prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """(part number, transfer encoding, charset) of each calendar part of a BODYSTRUCTURE.

    Part numbers as RFC 3501 6.4.5 counts them: "1" is the body of a message
    that is not multipart; "2.1" the first part of the second part.
    """
    if structure is None or len(structure) < 2:
        return
    if isinstance(structure[0], list):  # multipart: IMAPClient nests the parts in a list
        for i, sub in enumerate(structure[0], start=1):
            yield from calendar_parts(sub, f"{prefix}{i}.")
        return
    number = prefix.rstrip(".") or "1"
    kind = (_text(structure[0]).lower(), _text(structure[1]).lower())
    try:
        size = int(structure[6]) if len(structure) > 6 else 0
    except (TypeError, ValueError):
        size = 0
    if size > MAX_PART:
        return
    if kind in CALENDAR_TYPES or (
        kind[0] in ("application", "text") and _filename(structure).lower().endswith(".ics")
    ):
        encoding = _text(structure[5]).lower() if len(structure) > 5 else ""
        charset = _params(structure[2]).get("charset", "utf-8")
        yield number, encoding, charset


def decode(raw: bytes, encoding: str, charset: str) -> str:
    if encoding == "base64":
        try:
            raw = base64.b64decode(raw, validate=False)
        except (binascii.Error, ValueError):
            return ""
    elif encoding == "quoted-printable":
        raw = quopri.decodestring(raw)
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know: iCalendar is UTF-8 anyway
        return raw.decode("utf-8", errors="replace")


def read_invitations(session: Session, folder: str, since: date) -> list[str]:
    """The calendar parts of the messages in `folder` received since `since`, oldest first."""
    session.call(f"opening {folder}", lambda c: c.select_folder(folder, readonly=True))
    found = session.call(f"searching {folder}", lambda c: c.search(f"SINCE {imap_date(since)}"))
    uids = sorted(found)
    wanted: dict[str, list[tuple[int, str, str]]] = {}  # part number -> (uid, encoding, charset)
    for start in range(0, len(uids), STRUCTURE_CHUNK):
        chunk = uids[start : start + STRUCTURE_CHUNK]
        got = session.call(
            f"reading message structures in {folder}",
            lambda c, u=chunk: c.fetch(u, ["BODYSTRUCTURE"]),
        )
        for uid, data in got.items():
            for number, encoding, charset in calendar_parts(data.get(b"BODYSTRUCTURE")):
                wanted.setdefault(number, []).append((uid, encoding, charset))
    texts: dict[tuple[int, str], str] = {}
    for number, parts in wanted.items():
        by_uid = {uid: (encoding, charset) for uid, encoding, charset in parts}
        ordered = sorted(by_uid)
        got = session.call(
            f"reading invitations in {folder}",
            lambda c, n=number, u=ordered: c.fetch(u, [f"BODY.PEEK[{n}]"]),
        )
        answer = f"BODY[{number}]".encode()
        for uid, data in got.items():
            raw = data.get(answer)
            if uid in by_uid and isinstance(raw, bytes):
                texts[(uid, number)] = decode(raw, *by_uid[uid])
    # In the order the messages arrived; capture keeps the latest version of
    # each event (SEQUENCE, then DTSTAMP: RFC 5546 2.1.5).
    return [texts[k] for k in sorted(texts) if texts[k]]
