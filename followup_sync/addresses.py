"""Interviewers as people type them: RFC 5322 address lists, and the names Outlook writes.

One option or one spreadsheet cell may hold several people:

    Jane Doe <jane@acme.example>, Bob Roe <bob@acme.example>
    jane@acme.example; bob@acme.example
    Jane Doe jane@acme.example                (a name, then a bare address)
    "Lang, Petra" <p@acme.example>            (a quoted display name)
    Lang, Petra <p@acme.example>              (Outlook's "Last, First": Petra Lang)
    Jane Doe                                  (a name alone: greeted, not addressed)

Anything else is refused with a message naming the value, so a draft never goes
out with no recipient or a greeting like "Dear Lang,,".
"""

from __future__ import annotations

import re

from .errors import UserInputError
from .models import Interviewer
from .text import single_line

__all__ = ["EMAIL_RE", "domain_of", "is_email", "parse_people", "within"]

# Deliberately plain: something a mail client will accept in To, not all of RFC
# 5322 (a domain needs a dot: "jane@x" is a typo here, not a local host).
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_ANGLE_RE = re.compile(r"^(?P<name>[^<>]*?)\s*<\s*(?P<addr>[^<>\s]*)\s*>$")
_BARE_RE = re.compile(r"^(?P<name>[^<>]*?)\s*(?P<addr>[^\s<>]+@[^\s<>]+)$")


def is_email(text: str) -> bool:
    return len(text) <= 254 and EMAIL_RE.fullmatch(text) is not None


def domain_of(address: str) -> str:
    """The lower-cased domain of an address ("" when there is none)."""
    _, at, domain = address.strip().rpartition("@")
    return domain.strip().lower().rstrip(".>") if at else ""


def within(host: str, domain: str) -> bool:
    """`host` is `domain` or one of its subdomains: never a lookalike such as notacme.example."""
    host, domain = host.lower(), domain.lower()
    return bool(domain) and (host == domain or host.endswith("." + domain))


def _split(text: str) -> list[str]:
    """Split on "," and ";" outside double quotes and angle brackets."""
    parts, current, quoted, angle = [], [], False, False
    for ch in text:
        if ch == '"' and not angle:
            quoted = not quoted
        elif ch == "<" and not quoted:
            angle = True
        elif ch == ">" and not quoted:
            angle = False
        if ch in ",;" and not quoted and not angle:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


_NOT_A_FIRST_NAME = {"inc", "inc.", "llc", "ltd", "ltd.", "gmbh", "ag", "jr", "jr.", "sr", "sr."}


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    name = " ".join(name.split())
    # "Doe, Jane" (Outlook's display names) is Jane Doe.
    last, comma, first = name.partition(", ")
    if (
        comma
        and " " not in last
        and 1 <= len(first.split()) <= 2
        and "," not in first
        and first.lower() not in _NOT_A_FIRST_NAME
    ):
        return f"{first} {last}"
    return name


def _one(piece: str, whole: str) -> Interviewer:
    m = _ANGLE_RE.match(piece) or (_BARE_RE.match(piece) if "@" in piece else None)
    if m is None:
        if "<" in piece or ">" in piece:
            raise UserInputError(
                f"interviewer {whole!r}: cannot read {piece!r} (write Name <email>)"
            )
        return Interviewer(_unquote(piece), "")
    addr = m["addr"].strip()
    if not is_email(addr):
        raise UserInputError(
            f"interviewer {whole!r}: {addr!r} is not an email address"
            " (write Name <name@company.com>)"
        )
    return Interviewer(_unquote(m["name"]), addr)


def parse_people(text: str) -> list[Interviewer]:
    """Every person in `text` (see the module docstring); [] for a blank value."""
    whole = single_line(str(text))
    pieces = _split(whole)
    people: list[Interviewer] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        nxt = pieces[i + 1] if i + 1 < len(pieces) else ""
        # Outlook's "Lang, Petra <p@x>": a lone word, then a name with an address.
        if (
            "@" not in piece
            and " " not in piece
            and '"' not in piece
            and nxt
            and _ANGLE_RE.match(nxt)
            and _ANGLE_RE.match(nxt)["name"].strip()
            and " " not in _unquote(_ANGLE_RE.match(nxt)["name"])
        ):
            first = _one(nxt, whole)
            people.append(Interviewer(f"{first.name} {piece}", first.email))
            i += 2
            continue
        people.append(_one(piece, whole))
        i += 1
    return people
