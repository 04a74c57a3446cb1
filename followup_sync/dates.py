"""Dates as people type them: ISO dates and date-times, and words like "next friday".

A bare weekday is read in the direction the context gives it: an interview's
"friday" is the coming one (today, if today is a Friday), a reply-by "friday" is
the first Friday after the interview, a sent-on "friday" is the last one; only
"last friday" reaches back for an interview.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from .errors import UserInputError

# Follow-ups are planned weeks ahead; years outside this range are typos, and
# refusing them keeps date arithmetic far from datetime's year-9999 limit.
MIN_YEAR, MAX_YEAR = 1970, 2200
HINT = 'use YYYY-MM-DD, "YYYY-MM-DD HH:MM", or words like "today", "yesterday", "next friday"'

_SIMPLE = {"today": 0, "yesterday": -1, "tomorrow": 1}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_RE = re.compile(
    r"^(?:(?P<which>this|next|coming)\s+)?"
    r"(?P<day>mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?"
    r"(?:\s+(?:at\s+)?(?P<rest>.+))?$",
    re.IGNORECASE,
)
#: How a bare weekday is read: "coming" (today or later), "after" (strictly after
#: the base day) or "past" (today or earlier).
Direction = Literal["coming", "after", "past"]


def check_year(d: date, text: str) -> None:
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise UserInputError(f"date {text!r} is out of range ({MIN_YEAR}-{MAX_YEAR})")


def parse_when(
    text: str,
    tz: ZoneInfo,
    today: date,
    default_time: time = time(9, 0),
    *,
    weekday: Direction = "coming",
) -> datetime:
    """An aware datetime; a bare date gets `default_time`; a naive time is read in `tz`.

    Relative words count from `today`; a bare weekday goes the `weekday` way.
    """
    raw = " ".join(str(text).split())
    if not raw or len(raw) > 100:
        raise UserInputError(f"could not understand date {text[:40]!r}: {HINT}")
    low = raw.lower()
    m = _WEEKDAY_RE.match(raw)
    if m:
        day = _weekday(today, _WEEKDAYS.index(m["day"][:3].lower()), m["which"], weekday)
        if not m["rest"]:
            return datetime.combine(day, default_time, tzinfo=tz)
        # "friday 10:00", "fri at 3pm": the time on that day.
        raw = f"{day.isoformat()} {m['rest']}"
        low = raw.lower()
    if low in _SIMPLE:
        d = today + timedelta(days=_SIMPLE[low])
        return datetime.combine(d, default_time, tzinfo=tz)
    try:
        d = date.fromisoformat(raw)
        check_year(d, raw)
        return datetime.combine(d, default_time, tzinfo=tz)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(raw)
    except ValueError:
        dt = _parse_words(raw, tz, today, default_time)
    check_year(dt.date(), raw)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(tz)


def parse_day(text: str, tz: ZoneInfo, today: date, *, weekday: Direction = "past") -> date:
    """A calendar day (sent-on and heard-on go "past"; see parse_reply_by)."""
    return parse_when(text, tz, today, weekday=weekday).date()


def parse_reply_by(text: str, tz: ZoneInfo, interview_day: date) -> date:
    """The day they said you would hear back, as said at the interview.

    Words count from the interview day ("friday" is the first Friday after it,
    "next week" the week after it), so a reply-by date is never in the past of
    the interview it belongs to.
    """
    return parse_when(text, tz, interview_day, weekday="after").date()


def _weekday(today: date, target: int, which: str | None, direction: Direction) -> date:
    ahead = (target - today.weekday()) % 7
    if direction == "past" and which is None:
        return today - timedelta(days=(today.weekday() - target) % 7)
    if ahead == 0 and (direction == "after" or (which or "").lower() == "next"):
        ahead = 7  # "next friday" on a Friday, and a reply-by on the interview's weekday
    return today + timedelta(days=ahead)


def _parse_words(raw: str, tz: ZoneInfo, today: date, default_time: time) -> datetime:
    if not any(c.isalpha() for c in raw):
        raise UserInputError(f"could not understand date {raw!r}: {HINT}")
    import dateparser  # lazy: only for words, never for ISO input

    base = datetime.combine(today, time(12, 0))
    try:
        dt = dateparser.parse(
            raw,
            languages=["en"],
            # An explicit zone ("14:00 PST") is honoured; anything else is read in
            # the user's zone.
            settings={
                "RELATIVE_BASE": base,
                "RETURN_AS_TIMEZONE_AWARE": True,
                "TIMEZONE": getattr(tz, "key", "UTC"),
            },
        )
    except (ValueError, OverflowError):
        dt = None
    if dt is None:
        raise UserInputError(f"could not understand date {raw!r}: {HINT}")
    # For words without a time dateparser returns RELATIVE_BASE's clock ("yesterday")
    # or midnight ("next friday"): use the default time instead.
    if dt.tzinfo is not None:
        dt = dt.astimezone(tz)
    if dt.time() in (time(0, 0), time(12, 0)) and not any(ch.isdigit() for ch in raw):
        dt = datetime.combine(dt.date(), default_time)
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt
