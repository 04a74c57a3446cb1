"""The ICS file provider: every follow-up in one .ics file, rewritten atomically.

Like vdirsyncer's singlefile storage, all writes of a push are collected in
`batch()` and the file is written once (temp file + rename), so a calendar app
reading it never sees half a file. Components that are not ours are kept as
they are.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path

import icalendar

from followup_sync import ical
from followup_sync.atomic import write_atomic
from followup_sync.errors import ConflictError, ProviderError
from followup_sync.models import PushItem, RemoteItem
from followup_sync.provider import Option, Provider


def etag_of(comp: icalendar.Component) -> str:
    """A change token from the properties a user might edit (and ours).

    Computed from parsed values, not bytes, so a rendered component and the same
    component read back from the file agree.
    """
    parts = []
    for prop in ("UID", "SEQUENCE", ical.HASH_PROP, "SUMMARY", "STATUS", "DESCRIPTION"):
        parts.append(str(comp.get(prop, "")))
    for prop in ("DTSTART", "DUE", "COMPLETED"):
        value = comp.get(prop)
        # A hand-edited file may hold an unreadable date; its raw text still
        # changes the etag (icalendar keeps it as a broken property).
        try:
            parts.append(value.dt.isoformat() if value is not None else "")
        except Exception:  # noqa: BLE001 - icalendar raises several kinds here
            parts.append(f"broken:{value.to_ical()!r}" if hasattr(value, "to_ical") else "broken")
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def _zone(name: str):
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _digest(items: Mapping[str, RemoteItem]) -> str:
    h = hashlib.sha1()
    for uid in sorted(items):
        h.update(f"{uid}\x1f{items[uid].etag}\n".encode())
    return h.hexdigest()


class IcsFileProvider(Provider):
    type = "ics"
    deferred_writes = True  # the file is written once, when the batch ends
    options = {
        "path": Option(
            str, None, help="the .ics file to write; default: followups.ics in the data dir"
        ),
        "component": Option(
            str,
            "VEVENT",
            help='"VEVENT" (events) or "VTODO" (tasks)',
            normalize=str.upper,
            choices=(ical.VEVENT, ical.VTODO),
        ),
        "name": Option(str, "Job follow-ups", help="calendar name shown by apps"),
        "refresh_hours": Option(int, 6, help="REFRESH-INTERVAL / X-PUBLISHED-TTL for subscribers"),
    }

    def __init__(self, name, options, context):
        super().__init__(name, options, context)
        raw = self.opts.get("path") or str(context.data_dir / "followups.ics")
        self.path = Path(os.path.expanduser(raw))
        self.component = self.opts["component"]
        self._tz = _zone(context.user.timezone)
        self._cal: icalendar.Calendar | None = None  # loaded file, inside a batch
        self._ours: dict[str, icalendar.Component] = {}
        self._dirty = False
        self._depth = 0

    def describe(self) -> str:
        return f"ICS file {self.path}"

    # --- file I/O -------------------------------------------------------------
    def _signature(self) -> str | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return f"{st.st_mtime_ns}:{st.st_size}"

    def _load(self) -> None:
        if self._cal is not None:
            return
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            data = b""
        except OSError as e:
            raise ProviderError(f"cannot read {self.path}: {e.strerror}") from None
        if data.strip():
            try:
                cal = icalendar.Calendar.from_ical(data)
            except ValueError as e:
                raise ProviderError(
                    f"{self.path} is not a valid iCalendar file ({e}); left untouched"
                ) from None
        else:
            cal = ical.new_calendar(self.opts["name"], timedelta(hours=self.opts["refresh_hours"]))
        self._ours = {str(c["UID"]): c for c in ical.components_of(cal)}
        # Keep everything that is not ours; our items and the VTIMEZONEs are rebuilt.
        ours = {id(c) for c in self._ours.values()}
        cal.subcomponents = [
            c for c in cal.subcomponents if c.name != "VTIMEZONE" and id(c) not in ours
        ]
        self._cal = cal

    def _save(self) -> None:
        cal = self._cal
        if cal is None:
            raise RuntimeError("_save outside a loaded calendar")
        # The file's own calendar properties win (a user's calendar keeps its name
        # and PRODID); ours only fill in what is missing.
        ours = ical.new_calendar(self.opts["name"], timedelta(hours=self.opts["refresh_hours"]))
        out = icalendar.Calendar()
        for source in (cal, ours):
            for prop, value in source.property_items(recursive=False):
                if prop not in ("BEGIN", "END") and prop not in out:
                    out.add(prop, value)
        for comp in cal.subcomponents:
            out.add_component(comp)
        dues = []
        for uid in sorted(self._ours):
            comp = self._ours[uid]
            out.add_component(comp)
            start = comp.get("DTSTART") or comp.get("DUE")
            if start is not None and hasattr(start.dt, "tzinfo"):
                dues.append(start.dt)
        ical.add_timezones(out, dues)
        if cal.subcomponents:
            # Other people's events may use zones of their own: the generic scan
            # (slow on big calendars, so only when there are foreign components).
            out.add_missing_timezones(first_date=date(2000, 1, 1), last_date=date(2040, 1, 1))
        data = out.to_ical()
        try:
            if self.path.exists() and self.path.read_bytes() == data:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, data)
        except OSError as e:
            raise ProviderError(f"cannot write {self.path}: {e.strerror}") from None

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
            if self._depth == 1 and self._dirty:
                self._save()
                self._remember_listing()
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._cal, self._ours, self._dirty = None, {}, False

    def _write_through(self) -> None:
        if self._depth == 0:
            self._save()
            self._remember_listing()
            self._cal, self._ours, self._dirty = None, {}, False

    def _remember_listing(self) -> None:
        listing = {uid: self._remote(c) for uid, c in self._ours.items()}
        self.context.state["file"] = self._signature()
        self.context.state["digest"] = _digest(listing)

    def _remote(self, comp: icalendar.Component) -> RemoteItem:
        uid = str(comp["UID"])
        try:
            # Floating and all-day times a user typed are read in the user's zone.
            return ical.remote_from_component(comp, ref=uid, etag=etag_of(comp), tz=self._tz)
        except ProviderError as e:  # a broken date in a hand-edited file: say which file
            raise ProviderError(f"{self.path}: {e.message}") from None

    # --- CRUD -----------------------------------------------------------------
    def list_items(self, known: Mapping[str, RemoteItem]) -> dict[str, RemoteItem]:
        # Fast path: the file is exactly as our last write left it and `known`
        # describes that write, so parsing 40,000 events would tell us nothing new.
        sig = self._signature()
        if sig is None:
            # The file is gone (deleted, moved, a new `path`): that is not the user
            # deleting each follow-up, so the core recreates them all.
            self.target_reset = bool(known) or bool(self.context.state.get("file"))
            return {}
        if (
            self._depth == 0
            and known
            and sig == self.context.state.get("file")
            and _digest(known) == self.context.state.get("digest")
        ):
            return dict(known)
        loaded_here = self._cal is None
        self._load()
        try:
            return {uid: self._remote(c) for uid, c in self._ours.items()}
        finally:
            if loaded_here and self._depth == 0:
                self._cal, self._ours = None, {}

    def create(self, item: PushItem) -> RemoteItem:
        self._load()
        if item.uid in self._ours:
            raise ConflictError(f"{item.uid} already exists in {self.path}")
        comp = ical.render_component(item, self.component)
        self._ours[item.uid] = comp
        self._dirty = True
        self._write_through()
        return self._remote(comp)

    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        self._load()
        existing = self._ours.get(item.uid)
        if existing is None or etag_of(existing) != current.etag:
            raise ConflictError(f"{item.uid} changed in {self.path} since it was read")
        comp = ical.render_component(item, self.component)
        self._ours[item.uid] = comp
        self._dirty = True
        self._write_through()
        return self._remote(comp)

    def delete(self, current: RemoteItem) -> None:
        self._load()
        existing = self._ours.get(current.uid)
        if existing is None:
            if self._depth == 0:
                self._cal, self._ours = None, {}
            return
        if current.etag is not None and etag_of(existing) != current.etag:
            raise ConflictError(f"{current.uid} changed in {self.path} since it was read")
        del self._ours[current.uid]
        self._dirty = True
        self._write_through()
