"""What both halves of the report need: error lines and the reply of an application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..redaction import redact
from ..text import single_line, terminal

if TYPE_CHECKING:
    from ..models import Application

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(when) -> str:
    return f"{_MONTHS[when.month - 1]} {when.day}"


def error_line(message: str) -> str:
    """One line for stderr: secrets redacted, control characters shown escaped."""
    return terminal(redact(message))


def reply_text(app: Application, *, subject: bool = False) -> str:
    """ "replied Dec 3 by jane@acme.example" for `list` (with the subject for `show`), or ""."""
    r = app.reply
    if r is None:
        return ""
    text = f"replied {_day(r.at)} by {terminal(r.sender)}"
    if subject and r.subject:
        text += f': "{terminal(single_line(r.subject))}"'
    return text
