"""iCalendar rendering shared by the ICS file provider, CalDAV and the feed server.

One PushItem becomes one VEVENT (or VTODO). Everything a user needs is in
DESCRIPTION, because Google Calendar shows neither ATTACH nor URL for subscribed
feeds; URL and the inline .eml ATTACH are there for clients that do show them.
icalendar is imported here only, so commands that never render stay fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from icalendar import vBinary, vDuration

from .errors import ProviderError
from .models import ItemKind, ItemStatus, PushItem, RemoteItem, is_ours
from .text import ical_text

PRODID = "-//followup-sync//followup-sync//EN"
HASH_PROP = "X-FOLLOWUP-SYNC-HASH"
UTC = ZoneInfo("UTC")
# A fixed stamp for items pushed before LAST-MODIFIED was known, so output stays
# byte-stable (a second push must write nothing).
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
VEVENT = "VEVENT"
VTODO = "VTODO"


def _utc(dt: datetime | None) -> datetime:
    return (dt or EPOCH).astimezone(UTC)


def render_component(item: PushItem, component: str = VEVENT) -> icalendar.Component:
    """The VEVENT or VTODO for one item. Deterministic: same PushItem, same bytes."""
    comp = icalendar.Todo() if component == VTODO else icalendar.Event()
    stamp = _utc(item.last_modified)
    comp.add("UID", item.uid)
    # RFC 5545 3.8.7.2: without METHOD, DTSTAMP is the last revision of the data.
    comp.add("DTSTAMP", stamp)
    comp.add("LAST-MODIFIED", stamp)
    comp.add("SEQUENCE", item.sequence)
    comp.add("SUMMARY", ical_text(item.summary))
    comp.add("DESCRIPTION", ical_text(item.description))
    comp.add("CATEGORIES", ["follow-up"])
    due = item.item.due
    if component == VTODO:
        # Task apps (Apple Reminders, Nextcloud Tasks, todoman) show DUE.
        comp.add("DUE", due)
        if item.item.status == ItemStatus.SENT:
            comp.add("STATUS", "COMPLETED")
            done = item.item.sent_on or due.date()
            comp.add("COMPLETED", datetime.combine(done, due.timetz()).astimezone(UTC))
            comp.add("PERCENT-COMPLETE", 100)
        else:
            comp.add("STATUS", "NEEDS-ACTION")
        comp.add("PRIORITY", _priority(item))
    else:
        comp.add("DTSTART", due)
        comp.add("DTEND", due + item.duration)
        # A reminder to write an email should not block the user's free/busy time.
        comp.add("TRANSP", "TRANSPARENT")
    if item.mailto:
        comp.add("URL", item.mailto)
    if item.eml:
        comp.add(
            "ATTACH",
            vBinary(item.eml),
            parameters={
                "FMTTYPE": "message/rfc822",
                "ENCODING": "BASE64",
                "VALUE": "BINARY",
                "X-FILENAME": f"{item.uid}.eml",
            },
        )
    comp.add(HASH_PROP, item.content_hash)
    if item.alarm_before is not None and item.item.status != ItemStatus.SENT:
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", ical_text(item.summary))
        alarm.add("TRIGGER", -item.alarm_before)
        comp.add_component(alarm)
    return comp


def _priority(item: PushItem) -> int:
    # RFC 5545 PRIORITY: 1 highest .. 9 lowest; later attempts matter more.
    if item.item.kind == ItemKind.MOVE_ON:
        return 9
    return max(1, 5 - (item.item.attempt or 1))


def new_calendar(
    name: str = "Job follow-ups", refresh: timedelta | None = None
) -> icalendar.Calendar:
    """An empty VCALENDAR with our PRODID and no calendar-level UID.

    Calendar.new() adds an RFC 7986 UID, which makes vdirsyncer's http storage
    collapse the whole feed into one item; we build the calendar by hand instead.
    """
    cal = icalendar.Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", PRODID)
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("X-WR-CALNAME", name)
    cal.add("NAME", name)
    if refresh is not None:
        # Both must be durations: a bare timedelta would become text "6:00:00".
        cal.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
        cal.add("X-PUBLISHED-TTL", vDuration(refresh))
    return cal


def add_timezones(cal: icalendar.Calendar, dues: Iterable[datetime]) -> None:
    """Add a VTIMEZONE for every TZID, narrowed to the years used (each full one is ~3 KB).

    Without VTIMEZONE, ical.js (Thunderbird's parser) treats a TZID time as floating.
    """
    # Our items name their zone in the datetime (zoneinfo key), so the TZIDs are
    # known without icalendar's add_missing_timezones(), which scans every
    # property of every component (a third of building a 40,000-event calendar).
    zones: set[str] = set()
    first = last = None
    for d in dues:
        key = getattr(d.tzinfo, "key", None)
        if key and key != "UTC":
            zones.add(key)
        day = d.date()
        first = day if first is None or day < first else first
        last = day if last is None or day > last else last
    if first is None:
        return
    present = {str(c["TZID"]) for c in cal.subcomponents if c.name == "VTIMEZONE"}
    at = sum(1 for c in cal.subcomponents if c.name == "VTIMEZONE")
    for key in sorted(zones - present):
        try:
            vtz = icalendar.Timezone.from_tzid(
                key, first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1)
            )
        except ValueError:
            continue  # a zone icalendar cannot describe: clients fall back to the TZID name
        # RFC 5545 does not require it, but some readers want VTIMEZONE first.
        cal.subcomponents.insert(at, vtz)
        at += 1


@dataclass(frozen=True)
class ZoneData:
    """One rendered VTIMEZONE (for writers that assemble a file from bytes)."""

    tzid: str
    data: bytes


def timezone_components(dues: Iterable[datetime]) -> list[ZoneData]:
    """The VTIMEZONEs `add_timezones` would add for these times, rendered."""
    cal = icalendar.Calendar()
    add_timezones(cal, dues)
    return [ZoneData(str(c["TZID"]), c.to_ical()) for c in cal.subcomponents]


def build_calendar(
    items: Iterable[PushItem],
    component: str = VEVENT,
    name: str = "Job follow-ups",
    refresh: timedelta | None = timedelta(hours=6),
) -> icalendar.Calendar:
    """A whole calendar of items, sorted by UID so output is byte-stable."""
    cal = new_calendar(name, refresh)
    items = sorted(items, key=lambda i: i.uid)
    for it in items:
        cal.add_component(render_component(it, component))
    add_timezones(cal, [i.item.due for i in items])
    return cal


def resource_for_item(item: PushItem, component: str = VEVENT) -> bytes:
    """A one-object calendar resource (for CalDAV PUT) with its VTIMEZONE."""
    cal = icalendar.Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", PRODID)
    cal.add_component(render_component(item, component))
    add_timezones(cal, [item.item.due])
    return cal.to_ical()


def remote_from_component(
    comp: icalendar.Component, *, ref: str, etag: str | None, tz: ZoneInfo | None = None
) -> RemoteItem:
    """Read back what the user may have changed: due date, completion, our hash.

    A date a client wrote that cannot be read is a ProviderError naming the item,
    not a crash: the user can fix or delete that one item.
    """
    try:
        return _remote_from_component(comp, ref=ref, etag=etag, tz=tz)
    except Exception as e:  # noqa: BLE001 - icalendar raises several kinds for broken dates
        raise ProviderError(
            f"the item {comp.get('UID')} has a date that cannot be read"
            f" ({e.__class__.__name__}); fix or delete it and push again"
        ) from None


def _remote_from_component(
    comp: icalendar.Component, *, ref: str, etag: str | None, tz: ZoneInfo | None
) -> RemoteItem:
    uid = str(comp.get("UID"))
    prop = comp.get("DUE") if comp.name == VTODO else None
    prop = prop if prop is not None else comp.get("DTSTART")
    due = prop.dt if prop is not None else None
    if isinstance(due, datetime) and due.tzinfo is None and tz is not None:
        due = due.replace(tzinfo=tz)  # floating time: read it in the user's zone
    elif isinstance(due, date) and not isinstance(due, datetime):
        due = datetime.combine(due, datetime.min.time(), tzinfo=tz or UTC)
    completed_on = None
    if comp.name == VTODO and str(comp.get("STATUS", "")).upper() == "COMPLETED":
        done = comp.get("COMPLETED")
        if done is not None:
            d = done.dt
            if isinstance(d, datetime):
                d = d.astimezone(tz or UTC).date() if d.tzinfo else d.date()
            completed_on = d
        else:
            completed_on = due.date() if due else None
    h = comp.get(HASH_PROP)
    return RemoteItem(
        uid=uid,
        ref=ref,
        etag=etag,
        due=due,
        completed_on=completed_on,
        content_hash=str(h) if h is not None else None,
    )


def components_of(cal: icalendar.Calendar) -> list[icalendar.Component]:
    """Our VEVENT/VTODO components of a calendar (foreign ones are skipped)."""
    return [
        c
        for c in cal.walk()
        if c.name in (VEVENT, VTODO) and c.get("UID") is not None and is_ours(str(c.get("UID")))
    ]
