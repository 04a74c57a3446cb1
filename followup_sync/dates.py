"""Dates as people type them: ISO dates and date-times, and words like "next friday"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import UserInputError

# Follow-ups are planned weeks ahead; years outside this range are typos, and
# refusing them keeps date arithmetic far from datetime's year-9999 limit.
MIN_YEAR, MAX_YEAR = 1970, 2200
HINT = 'use YYYY-MM-DD, "YYYY-MM-DD HH:MM", or words like "today", "yesterday", "next friday"'

_SIMPLE = {"today": 0, "yesterday": -1, "tomorrow": 1}


def _check_year(d: date, text: str) -> None:
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise UserInputError(f"date {text!r} is out of range ({MIN_YEAR}-{MAX_YEAR})")


def parse_when(text: str, tz: ZoneInfo, today: date, default_time: time = time(9, 0)) -> datetime:
    """An aware datetime; a bare date gets `default_time`; a naive time is read in `tz`."""
    raw = " ".join(str(text).split())
    if not raw or len(raw) > 100:
        raise UserInputError(f"could not understand date {text[:40]!r}: {HINT}")
    low = raw.lower()
    if low in _SIMPLE:
        d = today + timedelta(days=_SIMPLE[low])
        return datetime.combine(d, default_time, tzinfo=tz)
    try:
        d = date.fromisoformat(raw)
        _check_year(d, raw)
        return datetime.combine(d, default_time, tzinfo=tz)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(raw)
    except ValueError:
        dt = _parse_words(raw, tz, today, default_time)
    _check_year(dt.date(), raw)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(tz)


def parse_day(text: str, tz: ZoneInfo, today: date) -> date:
    """A calendar day (reply-by, sent-on, heard-on)."""
    return parse_when(text, tz, today).date()


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
