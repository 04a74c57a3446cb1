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


_MARK = re.compile(rb"^(BEGIN|END):([A-Za-z0-9-]+)[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)


def parse(data: bytes) -> CalendarFile:
    """Split one VCALENDAR into its property lines and top-level components.

    Boundaries are found with one regex scan and components sliced out whole, so
    a 120 MB file is not turned into millions of line objects.
    """
    out = CalendarFile()
    marks = list(_MARK.finditer(data))
    if not marks or marks[0][1].upper() != b"BEGIN" or marks[0][2].upper() != b"VCALENDAR":
        raise NotACalendar("it does not start with BEGIN:VCALENDAR")
    if data[: marks[0].start()].strip():
        raise NotACalendar("it does not start with BEGIN:VCALENDAR")
    depth = 0
    start = 0  # where the current top-level component starts
    props_from = 0  # where calendar property lines may start
    name = ""
    end_of_calendar = None
    for m in marks:
        begin = m[1].upper() == b"BEGIN"
        if begin:
            depth += 1
            if depth == 1:
                if m.start() != marks[0].start():
                    raise NotACalendar("it holds more than one VCALENDAR")
                props_from = m.end()
            elif depth == 2:
                _properties(out, data[props_from : m.start()])
                start, name = m.start(), m[2].decode("ascii").upper()
        else:
            depth -= 1
            if depth < 0:
                raise NotACalendar("END without BEGIN")
            if depth == 1:
                end = _line_end(data, m.end())
                chunk = _crlf(data[start:end])
                comp = Component(name, chunk)
                if name in ("VEVENT", "VTODO", "VJOURNAL"):
                    comp.uid = _top_value(chunk, b"UID")
                elif name == "VTIMEZONE":
                    comp.tzid = _top_value(chunk, b"TZID")
                out.components.append(comp)
                props_from = end
            elif depth == 0:
                _properties(out, data[props_from : m.start()])
                end_of_calendar = m
                break
    if end_of_calendar is None:
        raise NotACalendar("it ends in the middle of a component")
    return out


def _line_end(data: bytes, pos: int) -> int:
    """The position after the line break that ends the line at `pos` (if any)."""
    if data[pos : pos + 2] == b"\r\n":
        return pos + 2
    if data[pos : pos + 1] == b"\n":
        return pos + 1
    return pos


def _crlf(chunk: bytes) -> bytes:
    """Line breaks as RFC 5545 writes them (CRLF), ending with one."""
    if b"\r\n" not in chunk or b"\n" in chunk.replace(b"\r\n", b""):
        chunk = chunk.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return chunk if chunk.endswith(b"\r\n") else chunk + b"\r\n"


def _properties(out: CalendarFile, text: bytes) -> None:
    for line in text.split(b"\n"):
        line = line.rstrip(b"\r")
        if line.strip():
            out.properties.append(line + b"\r\n")


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
