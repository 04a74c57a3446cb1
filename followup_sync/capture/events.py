"""Calendar data -> `CalendarEvent`s: one per occurrence in the window, times resolved.

Every source (a CalDAV REPORT, an ICS feed, an invitation file) ends here as
iCalendar text. Three things are easy to get wrong, and are handled here once:

- Recurrences are expanded with recurring-ical-events' `CalendarQuery`, not its
  `of()`: `of()` first applies X-WR-TIMEZONE (x-wr-timezone), which reads a
  Windows zone ("W. Europe Standard Time" with its VTIMEZONE, as Teams writes
  it) as floating and moves the event into the X-WR-TIMEZONE zone
  (NOTES-capture-publish.md 1.3). Only truly floating times (no TZID, or one
  nobody knows) take X-WR-TIMEZONE, else the user's zone.
- A big feed (Google's secret address holds years of events) is cut down to the
  events that can fall in the window before icalendar parses it: parsing is
  most of the cost (1,000 events: ~0.6 s) and a non-recurring event far from the
  window cannot be an interview in it.
- Unreadable events are counted and skipped; their text never reaches a message
  (titles of unrelated events stay private).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

#: Events starting this far outside the window are cut before parsing (floating
#: and all-day times are read in any zone, so a day each side is not enough).
PREFILTER_MARGIN = timedelta(days=3)


@dataclass(frozen=True)
class Person:
    """An ORGANIZER or ATTENDEE (RFC 5545 3.8.4.1 and 3.8.4.3)."""

    email: str
    name: str = ""
    cutype: str = "INDIVIDUAL"  # INDIVIDUAL, GROUP, RESOURCE, ROOM, UNKNOWN
    partstat: str = ""  # NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE, DELEGATED
    role: str = ""  # CHAIR, REQ-PARTICIPANT, OPT-PARTICIPANT, NON-PARTICIPANT


@dataclass(frozen=True)
class CalendarEvent:
    """One occurrence of a VEVENT, as the detector and extractor read it."""

    uid: str
    recurrence_id: str  # "" unless the event belongs to a recurring series
    source: str
    start: datetime | date
    end: datetime | date
    summary: str = ""
    description: str = ""
    location: str = ""
    status: str = ""  # TENTATIVE, CONFIRMED, CANCELLED
    organizer: Person | None = None
    attendees: tuple[Person, ...] = ()
    sequence: int = 0
    method: str = ""  # of an invitation file (iMIP, RFC 6047): REQUEST, CANCEL...
    recurring: bool = False
    #: URLs and X- properties that name the tool that made the event (Teams, Meet...).
    extra: str = ""
    extra_props: dict[str, str] = field(default_factory=dict, compare=False)
    #: DTSTAMP in UTC ("20261120T150000Z"): which of two versions with one SEQUENCE is newer.
    stamp: str = field(default="", compare=False)

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)


@dataclass(frozen=True)
class Window:
    """[since, until) as aware datetimes."""

    since: datetime
    until: datetime

    def holds(self, start: datetime, end: datetime) -> bool:
        return start < self.until and end > self.since


@dataclass
class ReadResult:
    events: list[CalendarEvent] = field(default_factory=list)
    skipped: int = 0  # events that could not be read
    #: Addresses the data says are the user's (a Google feed's X-WR-CALNAME).
    owner_addresses: set[str] = field(default_factory=set)


_VEVENT_BLOCK = re.compile(r"BEGIN:VEVENT\r?\n.*?END:VEVENT\r?\n?", re.DOTALL)
_UNFOLD = re.compile(r"\r?\n[ \t]")
_DTSTART = re.compile(r"^DTSTART[^:\r\n]*:(\d{8})", re.MULTILINE)
_SERIES = re.compile(r"^(?:RRULE|RDATE|RECURRENCE-ID)[;:]", re.MULTILINE)
_EMAILISH = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def prefilter(text: str, window: Window) -> str:
    """`text` without the non-recurring VEVENTs that start far outside the window.

    A textual cut on unfolded lines; anything it cannot read is kept for the
    parser to judge.
    """
    low = (window.since - PREFILTER_MARGIN).strftime("%Y%m%d")
    high = (window.until + PREFILTER_MARGIN).strftime("%Y%m%d")

    def keep(m: re.Match) -> str:
        block = m.group(0)
        flat = _UNFOLD.sub("", block)
        if _SERIES.search(flat):
            return block
        start = _DTSTART.search(flat)
        if start is None or low <= start.group(1) <= high:
            return block
        return ""

    return _VEVENT_BLOCK.sub(keep, text)


def read_calendar(
    data: str | bytes,
    window: Window,
    *,
    source: str,
    default_tz: tzinfo,
) -> ReadResult:
    """Every VEVENT occurrence of `data` (one or more VCALENDARs) overlapping `window`.

    Raises ValueError when `data` is not iCalendar at all.
    """
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    if "BEGIN:VCALENDAR" not in text[:4096].upper() and "BEGIN:VCALENDAR" not in text.upper():
        raise ValueError("not iCalendar data")
    text = prefilter(text, window)
    import icalendar

    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, IndexError, KeyError) as e:
        raise ValueError("not readable iCalendar data") from e
    result = ReadResult()
    for cal in calendars:
        _read_one(cal, window, source, default_tz, result)
    return result


def read_objects(
    objects: Iterable[str | bytes],
    window: Window,
    *,
    source: str,
    default_tz: tzinfo,
) -> ReadResult:
    """Like `read_calendar` for calendar object resources (one VCALENDAR each, as a
    CalDAV REPORT returns them); an unreadable object is counted, not fatal."""
    import icalendar

    result = ReadResult()
    for obj in objects:
        text = obj.decode("utf-8", errors="replace") if isinstance(obj, bytes) else obj
        try:
            cal = icalendar.Calendar.from_ical(text)
        except (ValueError, IndexError, KeyError):
            result.skipped += 1
            continue
        _read_one(cal, window, source, default_tz, result)
    return result


def _read_one(cal: Any, window: Window, source: str, default_tz: tzinfo, out: ReadResult) -> None:
    from zoneinfo import ZoneInfo

    method = str(cal.get("METHOD", "")).upper()
    floating_tz = default_tz
    xwr = cal.get("X-WR-TIMEZONE")
    if xwr:
        with contextlib.suppress(ValueError, OSError):
            floating_tz = ZoneInfo(str(xwr))
    calname = str(cal.get("X-WR-CALNAME", "")).strip().lower()
    if _EMAILISH.match(calname):
        # Google names a user's primary calendar (and its secret-address feed)
        # after the account: that address is the user's.
        out.owner_addresses.add(calname)
    by_uid: dict[str, list[Any]] = {}
    for comp in cal.walk("VEVENT"):
        by_uid.setdefault(str(comp.get("UID", "")), []).append(comp)
    for uid, comps in by_uid.items():
        try:
            if any(c.get("RRULE") or c.get("RDATE") for c in comps):
                occurrences = _expand(cal, comps, window, floating_tz)
                recurring = True
            else:
                occurrences = comps
                recurring = any(c.get("RECURRENCE-ID") for c in comps)
            for comp in occurrences:
                event = _event(comp, uid, source, method, floating_tz, recurring)
                if event is None:
                    continue
                start, end = _bounds(event, floating_tz)
                if window.holds(start, end):
                    out.events.append(event)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            out.skipped += 1


#: iTIP methods (RFC 5546 1.4) that answer an invitation rather than make one: an
#: attendee's REPLY in the inbox of a user who organised the meeting, say.
NOT_INVITATIONS = frozenset({"REPLY", "COUNTER", "DECLINECOUNTER", "REFRESH"})


def latest_versions(events: Iterable[CalendarEvent]) -> list[CalendarEvent]:
    """One event per (UID, RECURRENCE-ID): the latest version of it.

    A mailbox holds every version of an invitation (the request, the moved
    request, the cancellation), and the same event can come from a calendar and
    an invitation email. RFC 5546 2.1.5: the higher SEQUENCE is newer, then the
    later DTSTAMP; on a tie the first one read stays (sources in config order).
    Answers to invitations (REPLY, COUNTER...) are not events of the user's.
    """
    best: dict[tuple[str, str] | int, CalendarEvent] = {}
    for n, event in enumerate(events):
        if event.method in NOT_INVITATIONS:
            continue
        # Without a UID (RFC 5545 requires one) events cannot be told apart: all stay.
        key = (event.uid, event.recurrence_id) if event.uid else n
        held = best.get(key)
        if held is None or (event.sequence, event.stamp) > (held.sequence, held.stamp):
            best[key] = event
    return list(best.values())


def _expand(cal: Any, comps: list[Any], window: Window, floating_tz: tzinfo) -> list[Any]:
    """Occurrences of one recurring series (master and overrides) in the window."""
    import icalendar
    from recurring_ical_events import CalendarQuery

    mini = icalendar.Calendar()
    for tz in cal.walk("VTIMEZONE"):
        mini.add_component(tz)
    for comp in comps:
        mini.add_component(comp)
    query = CalendarQuery(mini, False, ("VEVENT",), True)
    # A day of margin each side: floating times are compared in no zone in particular.
    return list(query.between(window.since - timedelta(days=1), window.until + timedelta(days=1)))


def _when(value: Any, floating_tz: tzinfo) -> datetime | date | None:
    if value is None:
        return None
    dt = getattr(value, "dt", value)
    if isinstance(dt, datetime):
        return dt if dt.tzinfo is not None else dt.replace(tzinfo=floating_tz)
    if isinstance(dt, date):
        return dt
    return None


def _bounds(event: CalendarEvent, floating_tz: tzinfo) -> tuple[datetime, datetime]:
    """The event's span as aware datetimes (an all-day event: its days, in the floating zone)."""

    def aware(v: datetime | date) -> datetime:
        if isinstance(v, datetime):
            return v
        return datetime.combine(v, time(0), tzinfo=floating_tz)

    return aware(event.start), aware(event.end)


def _text(comp: Any, name: str) -> str:
    value = comp.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value)


def _person(value: Any) -> Person | None:
    address = str(value).strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    address = address.strip()
    params = getattr(value, "params", {}) or {}
    name = _name(params)
    if not address and not name:
        return None
    return Person(
        email=address.lower(),
        name="" if name.lower() == address.lower() else name,
        cutype=str(params.get("CUTYPE", "INDIVIDUAL") or "INDIVIDUAL").upper(),
        partstat=str(params.get("PARTSTAT", "") or "").upper(),
        role=str(params.get("ROLE", "") or "").upper(),
    )


_HTML_HINT = re.compile(
    r"<(?:br|p|div|b|a|span|li|ul)\b|</\w+>|&(?:nbsp|amp|ndash|mdash|lt|gt);", re.I
)
_HTML_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|p|div|li)\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]*>")
# Google appends its Meet block between these markers; it says nothing about the event.
_GOOGLE_BLOCK = re.compile(r"-::~:~::~[:~]*::-.*?-::~:~::~[:~]*::-", re.DOTALL)


def plain_text(description: str) -> str:
    """A DESCRIPTION as text: Google delivers some (Calendly's) as HTML."""
    text = _GOOGLE_BLOCK.sub("", description)
    if _HTML_HINT.search(text):
        import html

        text = html.unescape(_HTML_TAG.sub("", _HTML_BREAK.sub("\n", text)))
    return text.strip()


def _name(params: Any) -> str:
    """CN as one string: an unquoted "Kim, Daniel" comes back from icalendar as a list."""
    value = params.get("CN", "") or ""
    if isinstance(value, list | tuple):
        value = ", ".join(str(v).strip() for v in value)
    return str(value).strip().strip('"')


_EXTRA_PROPS = (
    "URL",
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
    "X-MICROSOFT-CDO-BUSYSTATUS",
)


def _event(
    comp: Any, uid: str, source: str, method: str, floating_tz: tzinfo, recurring: bool
) -> CalendarEvent | None:
    start = _when(comp.get("DTSTART"), floating_tz)
    if start is None:
        return None
    end = _when(comp.get("DTEND"), floating_tz)
    if end is None:
        duration = comp.get("DURATION")
        if duration is not None and isinstance(getattr(duration, "dt", None), timedelta):
            end = start + duration.dt
        elif isinstance(start, datetime):
            end = start  # RFC 5545 3.6.1: a DATE-TIME DTSTART alone ends when it starts
        else:
            end = start + timedelta(days=1)
    if isinstance(start, datetime) != isinstance(end, datetime):
        end = start
    organizer = _person(comp["ORGANIZER"]) if comp.get("ORGANIZER") is not None else None
    raw_attendees = comp.get("ATTENDEE") or []
    if not isinstance(raw_attendees, list):
        raw_attendees = [raw_attendees]
    attendees = tuple(p for p in (_person(a) for a in raw_attendees) if p is not None)
    recurrence_id = ""
    if recurring:
        rid = comp.get("RECURRENCE-ID")
        moment = _when(rid, floating_tz) if rid is not None else start
        recurrence_id = _stamp(moment)
    extra_props = {name: _text(comp, name) for name in _EXTRA_PROPS if comp.get(name) is not None}
    try:
        sequence = int(str(comp.get("SEQUENCE", 0)))
    except ValueError:
        sequence = 0
    return CalendarEvent(
        uid=uid,
        recurrence_id=recurrence_id,
        source=source,
        start=start,
        end=end,
        summary=_text(comp, "SUMMARY").strip(),
        description=plain_text(_text(comp, "DESCRIPTION")),
        location=_text(comp, "LOCATION").strip(),
        status=_text(comp, "STATUS").strip().upper(),
        organizer=organizer,
        attendees=attendees,
        sequence=sequence,
        method=method,
        recurring=recurring,
        extra=" ".join(extra_props.values()),
        extra_props=extra_props,
        stamp=_dtstamp(comp),
    )


def _dtstamp(comp: Any) -> str:
    """DTSTAMP as a UTC stamp, "" when unreadable: it only orders versions, so a
    malformed one must not cost the event."""
    try:
        return _stamp(_when(comp.get("DTSTAMP"), UTC))
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return ""


def _stamp(moment: datetime | date | None) -> str:
    """A RECURRENCE-ID as one stable string: UTC for a time, the day for a date."""
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    if isinstance(moment, date):
        return moment.strftime("%Y%m%d")
    return ""
