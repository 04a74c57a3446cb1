"""SEARCH commands: quoting, balanced OR trees, and batches that fit a command line.

A first check of 200 applications asks about a thousand things (each
interviewer, each company domain, each of our Message-IDs); one SEARCH per
thing would be a thousand round trips. They are OR-ed together instead, as
balanced trees (`OR (OR a b) (OR c d)`: pymap's parser recurses on a linear
chain of 400 ORs and fails), in batches of at most `MAX_COMMAND` octets so
every server takes them (RFC 7162 section 4 asks servers to accept 8192-octet
command lines; Dovecot takes 64 KiB).

Criteria are built here as text and given to IMAPClient whole, so quoting is
ours: values are RFC 3501 quoted strings, and a value that is not printable
ASCII is left out (addresses, domains and Message-IDs always are).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

MAX_COMMAND = 7000
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def quoted(value: str) -> str | None:
    """An RFC 3501 quoted string, or None when `value` cannot be one."""
    if not value or not all(" " <= c <= "~" for c in value):
        return None
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def key(name: str, value: str) -> str | None:
    """One search key, e.g. `FROM "jane@acme.example"`; None for an unusable value."""
    q = quoted(value)
    return f"{name} {q}" if q else None


def imap_date(day: date) -> str:
    """RFC 3501 date ("3-Dec-2026"), in English whatever the locale."""
    return f"{day.day}-{_MONTHS[day.month - 1]}-{day.year}"


def sent_since(day: date) -> str:
    # SENTSINCE reads the Date: header, the time the sender gave; a day of slack
    # covers time zones (matching checks the exact time again).
    return f"SENTSINCE {imap_date(day - timedelta(days=1))}"


def or_tree(keys: Sequence[str]) -> str:
    """keys OR-ed as a balanced tree (depth log2 n)."""
    if len(keys) == 1:
        return keys[0]
    half = len(keys) // 2
    return f"OR ({or_tree(keys[:half])}) ({or_tree(keys[half:])})"


def batches(keys: Iterable[str], limit: int = MAX_COMMAND) -> list[list[str]]:
    """Keys in groups whose OR tree fits in `limit` octets (a key is never split)."""
    out: list[list[str]] = []
    size = 0
    for k in dict.fromkeys(k for k in keys if k):  # unique, in order
        cost = len(k) + 8  # "OR (", ") (", ")" around it, amortised
        if not out or size + cost > limit:
            out.append([])
            size = 0
        out[-1].append(k)
        size += cost
    return out


def uid_set(uids: Iterable[int]) -> str:
    """A compact UID set ("3:7,9,12:13") for a command line."""
    ordered = sorted(set(uids))
    parts = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}:{ordered[j]}")
        i = j + 1
    return ",".join(parts)
