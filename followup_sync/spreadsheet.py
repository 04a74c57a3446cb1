"""Spreadsheets as people have them: any delimiter, headers in their own words, dates
in the forms spreadsheet programs write.

- The delimiter is sniffed (comma, semicolon, tab).
- Headers are matched case- and space-insensitively, with common synonyms
  ("Employer", "Position", "Interview date", "Contact"...); other columns are
  ignored, and named once in a warning.
- Dates: ISO (2026-11-20), 2026/11/20, 11/20/2026, 20.11.2026, Nov 20, 2026 or
  20 November 2026, each with or without a time ("14:00", "2:30 PM"). A slashed
  date whose day and month could be swapped (03/04/2026) is an error unless the
  order was given (`import --dayfirst` / `--monthfirst`, or `[import] dayfirst`):
  never guessed silently. Dotted dates (20.11.2026) are day first everywhere.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from .dates import check_year
from .errors import UserInputError

#: Our field -> the header words that mean it (after normalising).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "company": ("company", "employer", "organization", "organisation", "company name", "firm"),
    "role": ("role", "position", "title", "job title", "job", "job role", "position title"),
    "date": (
        "date",
        "interview date",
        "interview",
        "interview time",
        "interview date time",
        "when",
        "date time",
        "interviewed",
        "interviewed on",
    ),
    "interviewers": (
        "interviewers",
        "interviewer",
        "contact",
        "contacts",
        "contact name",
        "interviewer name",
        "interviewer names",
        "recruiter",
    ),
    "email": ("email", "e mail", "contact email", "interviewer email", "email address"),
    "reply_by": (
        "reply by",
        "reply by date",
        "decision date",
        "decision by",
        "hear back by",
        "expected reply",
        "response by",
    ),
    "stage": ("stage", "round", "interview stage", "interview type", "type"),
    "skills": ("skills", "fit", "why i fit", "strengths"),
    "accomplishment": ("accomplishment", "achievement", "win", "highlight"),
    "notes": ("notes", "note", "comments", "comment"),
}
_LOOKUP = {word: field for field, words in SYNONYMS.items() for word in words}


def normalise_header(name: str) -> str:
    """ "Interview Date", "interview_date", " INTERVIEW-DATE " -> "interview date"."""
    return " ".join(re.sub(r"[\s_\-/:.]+", " ", name.strip().lower()).split())


def field_of(header: str) -> str | None:
    return _LOOKUP.get(normalise_header(header))


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab, from the first lines (csv.Sniffer, limited to those)."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        # One column, or nothing to tell by: the header line decides.
        first = text.split("\n", 1)[0]
        return max(",;\t", key=first.count) if any(c in first for c in ",;\t") else ","


_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ T,]+(?P<time>\d{1,2}(?::\d{2}){1,2}(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?))?"
_FORMS = [
    (
        "ymd",
        re.compile(rf"^(?P<y>\d{{4}})[-/.](?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}}){_TIME}$", re.I),
    ),
    ("slash", re.compile(rf"^(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<y>\d{{4}}){_TIME}$", re.I)),
    ("dot", re.compile(rf"^(?P<a>\d{{1,2}})\.(?P<b>\d{{1,2}})\.(?P<y>\d{{4}}){_TIME}$", re.I)),
    (
        "mdy_name",
        re.compile(
            rf"^(?P<m>[a-z]{{3,9}})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}}){_TIME}$",
            re.I,
        ),
    ),
    (
        "dmy_name",
        re.compile(
            rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<m>[a-z]{{3,9}})\.?,? (?P<y>\d{{4}}){_TIME}$",
            re.I,
        ),
    ),
]


def _clock(text: str | None, default: time) -> time:
    if not text:
        return default
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])?\.?m?\.?", text.strip().lower())
    if not m:
        raise ValueError(f"unreadable time {text!r}")
    hour, minute, second = int(m[1]), int(m[2] or 0), int(m[3] or 0)
    if m[4]:
        if not 1 <= hour <= 12:
            raise ValueError(f"unreadable time {text!r}")
        hour = hour % 12 + (12 if m[4] == "p" else 0)
    return time(hour, minute, second)


def parse_cell_date(
    text: str, tz: ZoneInfo, default_time: time, dayfirst: bool | None
) -> datetime | None:
    """A spreadsheet date-time in one of the forms above, in `tz`; None if not one of them.

    Raises UserInputError for an ambiguous day/month order or an impossible date.
    """
    raw = " ".join(text.split())
    for form, pattern in _FORMS:
        m = pattern.match(raw)
        if not m:
            continue
        year = int(m["y"])
        if form == "ymd":
            month, day = int(m["a"]), int(m["b"])
        elif form == "dot":
            day, month = int(m["a"]), int(m["b"])
        elif form == "slash":
            a, b = int(m["a"]), int(m["b"])
            if a > 12 >= b:
                day, month = a, b
            elif b > 12 >= a:
                month, day = a, b
            elif a == b:
                month = day = a
            elif dayfirst is None:
                raise UserInputError(
                    f"{raw!r} could be {_name(a, b, year)} or {_name(b, a, year)}: say which"
                    " with `import --dayfirst` or `--monthfirst` (or [import] dayfirst in the"
                    " config)"
                )
            else:
                day, month = (a, b) if dayfirst else (b, a)
        else:
            month = _MONTHS.get(m["m"].lower().rstrip("."))
            if month is None:
                return None
            day = int(m["d"])
        try:
            day_of = date(year, month, day)
            at = datetime.combine(day_of, _clock(m["time"], default_time), tz)
        except ValueError as e:
            raise UserInputError(f"{raw!r} is not a date ({e})") from None
        # The same bounds as every typed date (dates.parse_when).
        check_year(day_of, raw)
        return at
    return None


def _name(month: int, day: int, year: int) -> str:
    try:
        return f"{date(year, month, day):%B} {day}"
    except ValueError:
        return f"month {month}, day {day}"
