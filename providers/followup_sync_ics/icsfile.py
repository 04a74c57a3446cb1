"""An .ics file as its parts: calendar properties and top-level components, as bytes.

The ICS provider keeps the components as the bytes they were read or rendered as,
and parses only the ones it needs (ours, when listing or updating). A calendar of
40,000 events is then a few hundred megabytes less than as icalendar objects, and
a push that changes a few items does not parse the whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_UNFOLD = re.compile(rb"\r?\n[ \t]")
_PROP = re.compile(rb"^([A-Za-z0-9-]+)[;:]")


class NotACalendar(ValueError):
    pass


@dataclass
class Component:
    name: str  # "VEVENT", "VTODO", "VTIMEZONE"...
    data: bytes  # BEGIN:... to END:... with CRLF line ends
    uid: str | None = None
    tzid: str | None = None


@dataclass
class CalendarFile:
    properties: list[bytes] = field(default_factory=list)  # folded property lines, CRLF
    components: list[Component] = field(default_factory=list)


def _line_name(line: bytes) -> bytes:
    m = _PROP.match(line)
    return m[1].upper() if m else b""


def _top_value(data: bytes, prop: bytes) -> str | None:
    """The value of `prop` on the component itself (not in a nested VALARM...)."""
    depth = 0
    for line in _UNFOLD.sub(b"", data).split(b"\n"):
        line = line.rstrip(b"\r")
        upper = line[:6].upper()
        if upper.startswith(b"BEGIN:"):
            depth += 1
        elif upper.startswith(b"END:"):
            depth -= 1
        elif depth == 1 and _line_name(line) == prop:
            return line.split(b":", 1)[1].decode("utf-8", "replace") if b":" in line else ""
    return None


def parse(data: bytes) -> CalendarFile:
    """Split one VCALENDAR into its property lines and top-level components."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = CalendarFile()
    depth = 0
    current: list[bytes] = []
    name = ""
    seen_calendar = False
    for raw in lines:
        line = raw.rstrip(b"\r")
        if not line.strip():
            continue
        upper = line[:6].upper()
        is_cont = line[:1] in (b" ", b"\t")
        if not is_cont and upper.startswith(b"BEGIN:"):
            depth += 1
            if depth == 1:
                if line.upper() != b"BEGIN:VCALENDAR" or seen_calendar:
                    raise NotACalendar("it does not start with BEGIN:VCALENDAR")
                seen_calendar = True
                continue
            if depth == 2:
                name = line[6:].decode("ascii", "replace").strip().upper()
                current = []
        elif not is_cont and upper.startswith(b"END:"):
            depth -= 1
            if depth == 0:
                continue  # END:VCALENDAR
            if depth < 0:
                raise NotACalendar("END without BEGIN")
            if depth == 1:
                current.append(line + b"\r\n")
                chunk = b"".join(current)
                comp = Component(name, chunk)
                if name in ("VEVENT", "VTODO", "VJOURNAL"):
                    comp.uid = _top_value(chunk, b"UID")
                elif name == "VTIMEZONE":
                    comp.tzid = _top_value(chunk, b"TZID")
                out.components.append(comp)
                current = []
                continue
        if depth == 1:
            out.properties.append(line + b"\r\n")
        elif depth >= 2:
            current.append(line + b"\r\n")
        elif not seen_calendar:
            raise NotACalendar("it does not start with BEGIN:VCALENDAR")
    if not seen_calendar:
        raise NotACalendar("it has no VCALENDAR")
    if depth != 0:
        raise NotACalendar("it ends in the middle of a component")
    return out


def property_names(lines: list[bytes]) -> set[bytes]:
    """The names of folded property lines (continuation lines have none)."""
    return {_line_name(line) for line in lines if line[:1] not in (b" ", b"\t")} - {b""}


def property_blocks(lines: list[bytes]) -> list[tuple[bytes, list[bytes]]]:
    """(name, the property's folded lines), in order."""
    blocks: list[tuple[bytes, list[bytes]]] = []
    for line in lines:
        if line[:1] in (b" ", b"\t") and blocks:
            blocks[-1][1].append(line)
        else:
            blocks.append((_line_name(line), [line]))
    return blocks
