"""A Draft written out: plain text, a mailto: link (RFC 6068) or an RFC 5322 .eml.

Header values are made safe here (text.header_value) and addresses checked, so a
newline in a company or a name never adds a header, whatever built the Draft.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from email import quoprimime
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.utils import format_datetime
from urllib.parse import quote, urlencode

from .addresses import EMAIL_RE
from .models import Draft
from .text import header_value

__all__ = ["address", "as_eml", "as_mailto", "as_text"]


def as_text(draft: Draft) -> str:
    """The draft as plain text: "Subject: ..." line, blank line, body."""
    return f"Subject: {header_value(draft.subject)}\n\n{draft.body}"


def as_mailto(draft: Draft) -> str:
    """A mailto: URI (RFC 6068) that opens the draft in the user's mail client."""
    # RFC 6068 section 5: line breaks in the body are %0D%0A; spaces are %20 (a
    # "+" is a literal plus in mailto:, unlike in HTML forms).
    fields = {"subject": header_value(draft.subject), "body": _crlf(draft.body)}
    if draft.in_reply_to:
        fields["in-reply-to"] = draft.in_reply_to  # RFC 6068 section 2: any header field
    query = urlencode(fields, quote_via=quote)
    to = ",".join(quote(a, safe="@+") for a in (address(a) for _, a in draft.to) if a)
    return f"mailto:{to}?{query}"


def as_eml(draft: Draft, when: datetime | None = None, *, unsent: bool = True) -> bytes:
    """The draft as an RFC 5322 message that mail clients open as an unsent draft.

    Deterministic: a Message-ID stable per item and a single text/plain part (no
    boundary), so the same draft always gives the same bytes. From and To are
    left out when there is no plausible address (the mail client fills From in).
    `unsent=False` leaves out `X-Unsent: 1`, which only Outlook's .eml files need
    (a draft stored in a Drafts folder must carry no header that would be sent).

    Written directly rather than through EmailMessage, which took ~600 µs a
    message (most of a push's rendering); tests/test_drafts.py checks that the
    bytes equal what EmailMessage(policy=SMTP) with set_content() writes.
    """
    headers = []
    # Values are re-sanitised here too: a Draft may come from elsewhere than render_draft.
    if addr := address(draft.from_addr):
        headers.append(("From", _mailbox("From", draft.from_name, addr)))
    mailboxes = [(name, addr) for name, a in draft.to if (addr := address(a))]
    if mailboxes:
        headers.append(("To", _mailboxes("To", mailboxes)))
    headers.append(("Subject", _fold("Subject", header_value(draft.subject))))
    if when is not None:
        headers.append(("Date", format_datetime(when)))
    if _MSGID_RE.fullmatch(draft.message_id):
        headers.append(("Message-ID", draft.message_id))
    ids = [i for i in draft.references if _MSGID_RE.fullmatch(i)]
    if _MSGID_RE.fullmatch(draft.in_reply_to):
        headers.append(("In-Reply-To", draft.in_reply_to))
    if ids:
        headers.append(("References", _fold_ids(ids)))
    if unsent:
        # Outlook opens a message with X-Unsent: 1 as a draft to edit and send.
        headers.append(("X-Unsent", "1"))
    headers.append(("Content-Type", 'text/plain; charset="utf-8"'))
    headers.append(("Content-Transfer-Encoding", "quoted-printable"))
    headers.append(("MIME-Version", "1.0"))
    # Quoted-printable keeps long lines and non-ASCII text readable and valid; a
    # lone CR would be written raw, so every line break becomes one "\n" first.
    lines = _crlf(draft.body).replace("\r\n", "\n").encode("utf-8").splitlines()
    body = quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), 78)
    # _fold joins folded lines with "\n" and values hold no other line breaks
    # (_one_line), so every "\n" becomes the CRLF RFC 5322 requires.
    text = "".join(f"{name}: {value}\n" for name, value in headers) + "\n" + body
    return text.replace("\n", "\r\n").encode("ascii")


@functools.lru_cache(maxsize=4096)
def address(email: str) -> str:
    """`email` if it is a plausible address, else "" (so it is left out of To/From).

    Cached: the email package's address parser costs ~70 µs, and a push asks about
    the same few addresses thousands of times.
    """
    email = email.strip()
    if len(email) > 254 or not EMAIL_RE.fullmatch(email):
        return ""
    try:
        Address(addr_spec=email)
    except (HeaderParseError, ValueError, IndexError):
        return ""
    return email


# RFC 5322 specials: a display name holding one of them must be a quoted string.
_SPECIALS_RE = re.compile(r'[][\\()<>@,:;".]')


_MSGID_RE = re.compile(r"<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,200}@[A-Za-z0-9.-]{1,253}>")


def _mailboxes(header: str, mailboxes: list[tuple[str, str]]) -> str:
    """An address list (RFC 5322 3.4), one mailbox per folded line."""
    return ",\n ".join(_mailbox(header, name, addr) for name, addr in mailboxes)


def _fold_ids(ids: list[str]) -> str:
    """A msg-id list for References, one id per folded line (RFC 5322 3.6.4)."""
    return "\n ".join(ids)


def _mailbox(header: str, name: str, addr: str) -> str:
    """`Name <addr>` for `header`, folded; the name quoted or RFC 2047-encoded as needed."""
    name = header_value(name)
    if not name:
        return addr
    if _plain(name) and _SPECIALS_RE.search(name):
        name = '"' + re.sub(r'([\\"])', r"\\\1", name) + '"'
    return f"{_fold(header, name)} <{addr}>"


def _plain(text: str) -> bool:
    # ASCII whose words all fit on a line can be folded at spaces as it is.
    return text.isascii() and all(len(word) <= 60 for word in text.split())


def _fold(header: str, text: str) -> str:
    """`text` folded for `header` (lines joined by "\\n"); RFC 2047 words unless plain.

    Folding only at spaces (not at "," or ";", Header's default) means unfolding
    gives back exactly `text`.
    """
    if "\r" in text or "\n" in text:  # we write headers ourselves: no library check
        raise ValueError(f"{header}: a header value must be one line: {text!r}")
    charset = "us-ascii" if _plain(text) else "utf-8"
    return Header(text, charset, header_name=header).encode(splitchars=" ", linesep="\n")


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
