"""Text safety: one sanitiser per purpose, named by where the text goes.

User text (company names, interviewers, notes) ends up in iCalendar properties,
mail headers, task titles and terminal lines. Each destination has its own
injection risk, so each has one function here and every module uses it:

- `single_line`: a summary or a stored one-line field; no line breaks or control
  characters, whitespace collapsed.
- `multiline`: notes and skills; line breaks kept as "\\n", other control
  characters dropped.
- `header_value`: a mail header (RFC 5322); also breaks "=?" so a value is never
  decoded as an RFC 2047 encoded word.
- `ical_text`: an iCalendar TEXT value (RFC 5545 3.3.11).
- `task_title`: a task app's title, one line with a length limit.
- `terminal`: an error line; non-printable characters shown escaped, never raw.
"""

from __future__ import annotations

import unicodedata

__all__ = ["header_value", "ical_text", "multiline", "single_line", "task_title", "terminal"]


def single_line(text: str) -> str:
    """Control characters and line breaks become spaces; runs of whitespace one space."""
    if not text.isprintable():  # the per-character pass only when needed (10x faster)
        text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())


def multiline(text: str) -> str:
    """Line breaks normalised to "\\n"; tabs kept; other control characters dropped."""
    text = text.replace("\r\n", "\n")
    return "".join(c for c in text if c.isprintable() or c in "\n\t")


def header_value(text: str) -> str:
    """`text` as one mail-header line.

    Control characters and line breaks become single spaces (no header
    injection), lone surrogates are dropped (they cannot be encoded), and "=?"
    is broken up: mail clients decode anything that looks like an RFC 2047
    encoded word, so a company named "=?utf-8?q?=0D?=" would turn into a raw CR.
    """
    chars = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            continue
        chars.append(" " if category in ("Cc", "Zl", "Zp") else ch)
    return " ".join("".join(chars).split()).replace("=?", "= ?")


# RFC 5545 3.3.11: TEXT excludes CONTROL characters other than HTAB (line breaks
# are escaped by icalendar). Xandikos refuses a PUT containing NUL or ESC (412
# valid-calendar-data), so they are dropped for every iCalendar output.
_ICAL_CONTROL = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x0D), *range(0x0E, 0x20), 0x7F])


def ical_text(text: str) -> str:
    return text.translate(_ICAL_CONTROL)


def task_title(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut with an ellipsis."""
    text = single_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def terminal(text: str) -> str:
    """One line for a terminal: a file or provider name may hold a newline or an
    escape sequence; they are shown escaped (as repr() would), never interpreted."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
