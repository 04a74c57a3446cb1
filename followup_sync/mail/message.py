"""Header bytes from a mailbox -> a Message (the email package is imported lazily).

Only header fields are ever parsed (a provider fetches them with BODY.PEEK, so
no message is marked read); the values are decoded (RFC 2047) and unfolded.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from .classify import FIELDS
from .model import Message

#: Every header field a provider fetches: what matching and classify() read.
HEADER_FIELDS = (
    "message-id",
    "in-reply-to",
    "references",
    "from",
    "to",
    "cc",
    "subject",
    "date",
    *FIELDS,
)

_MSGID = re.compile(r"<[^<>\s]+>")


def message_ids(value: str) -> tuple[str, ...]:
    """The msg-ids in a Message-ID, In-Reply-To or References value (RFC 5322 3.6.4)."""
    return tuple(_MSGID.findall(value or ""))


def parse(
    raw: bytes, *, role: str, folder: str, uid: int, arrived: datetime | None = None
) -> Message:
    """The Message for `raw` header bytes (a BODY.PEEK[HEADER.FIELDS (...)] answer)."""
    from email import policy
    from email.parser import BytesHeaderParser
    from email.utils import getaddresses, parsedate_to_datetime

    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)

    def text(name: str) -> str:
        value = headers.get(name)
        return _decode(value) if value is not None else ""

    sender_name, sender = "", ""
    pairs = getaddresses([text("from")])
    if pairs:
        sender_name, sender = pairs[0]
    to = tuple(a.lower() for _, a in getaddresses([text("to"), text("cc")]) if "@" in a)
    date = None
    if text("date"):
        try:
            date = parsedate_to_datetime(text("date"))
        except (TypeError, ValueError, IndexError):
            date = None
        if date is not None and date.tzinfo is None:
            date = date.replace(tzinfo=UTC)  # RFC 5322 "-0000": the zone is unknown
    if arrived is not None and arrived.tzinfo is None:
        arrived = arrived.replace(tzinfo=UTC)
    ids = message_ids(text("message-id"))
    return Message(
        role=role,
        folder=folder,
        uid=uid,
        message_id=ids[0] if ids else "",
        sender=sender.lower(),
        sender_name=" ".join(sender_name.split()),
        to=to,
        subject=" ".join(text("subject").split()),
        date=date,
        arrived=arrived,
        in_reply_to=message_ids(text("in-reply-to")),
        references=message_ids(text("references")),
        fields={name: " ".join(text(name).split()) for name in FIELDS if headers.get(name)},
    )


def _decode(value: object) -> str:
    """An RFC 2047-decoded, unfolded header value; undecodable parts are kept as they are."""
    from email.header import decode_header, make_header

    text = str(value)
    try:
        return str(make_header(decode_header(text)))
    except (LookupError, UnicodeDecodeError, ValueError):
        return text
