"""The ICS file provider: every follow-up in one .ics file, rewritten atomically.

Like vdirsyncer's singlefile storage, all writes of a push are collected in
`batch()` and the file is written once (temp file + rename), so a calendar app
reading it never sees half a file. Components that are not ours are kept as
they are, byte for byte.

The file is held as its components' bytes (icsfile.py), parsed one at a time
and only when needed: a 40,000-event file is written with a fraction of the
memory a tree of icalendar objects takes, and a push that changes a few items
parses only those. icalendar is imported only then.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from followup_sync.atomic import write_atomic
from followup_sync.errors import ConflictError, ProviderError
from followup_sync.models import PushItem, RemoteItem, is_ours
from followup_sync.provider import Option, Provider

from . import icsfile

if TYPE_CHECKING:
    import icalendar

HASH_PROP = "X-FOLLOWUP-SYNC-HASH"  # ical.HASH_PROP, without importing icalendar


def etag_of(comp: icalendar.Component) -> str:
    """A change token from the properties a user might edit (and ours).

    Computed from parsed values, not bytes, so a rendered component and the same
    component read back from the file agree.
    """
    parts = []
    for prop in ("UID", "SEQUENCE", HASH_PROP, "SUMMARY", "STATUS", "DESCRIPTION"):
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
            choices=("VEVENT", "VTODO"),
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
        self._depth = 0
        self._known: dict[str, RemoteItem] = {}  # a fast-path listing, and its file
        self._known_sig: str | None = None
        self._reset()

    def _reset(self) -> None:
        """Forget the loaded file (outside a batch, nothing is kept between calls)."""
        self._loaded = False
        self._file_digest: str | None = None  # sha256 of the file as read
        self._properties: list[bytes] = []  # the file's own calendar properties
        self._others: list[icsfile.Component] = []  # not ours: kept as they are
        self._ours: dict[str, bytes] = {}  # uid -> our component's bytes
        self._remotes: dict[str, RemoteItem] = {}  # uid -> what it reads back as
        self._dirty = False

    def describe(self) -> str:
        return f"ICS file {self.path}"

    def change_token(self) -> str | None:
        # The file's inode, mtime and size change with every write (ours are atomic
        # renames; a calendar app's edit changes the mtime at least).
        sig = self._signature()
        return f"file:{sig}" if sig else None

    # --- file I/O -------------------------------------------------------------
    def _signature(self) -> str | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"

    def _load(self) -> None:
        if self._loaded:
            return
        sig = self._signature()
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            data = b""
        except OSError as e:
            raise ProviderError(f"cannot read {self.path}: {e.strerror}") from None
        self._reset()
        self._loaded = True
        if not data.strip():
            return
        self._file_digest = hashlib.sha256(data).hexdigest()
        try:
            parsed = icsfile.parse(data)
        except icsfile.NotACalendar as e:
            raise ProviderError(
                f"{self.path} is not a valid iCalendar file ({e}); left untouched"
            ) from None
        del data
        self._properties = parsed.properties
        for comp in parsed.components:
            if comp.name in ("VEVENT", "VTODO") and comp.uid and is_ours(comp.uid):
                self._ours[comp.uid] = comp.data
            else:
                self._others.append(comp)
        if sig is not None and sig == self._known_sig:
            # Listed by the fast path: those items are as the records say.
            self._remotes = {u: r for u, r in self._known.items() if u in self._ours}

    def _parse(self, uid: str) -> icalendar.Component:
        import icalendar

        try:
            return icalendar.Component.from_ical(self._ours[uid])
        except ValueError as e:
            raise ProviderError(
                f"{self.path}: the item {uid} cannot be read ({e}); fix or delete it"
            ) from None

    def _remote_of(self, uid: str) -> RemoteItem:
        remote = self._remotes.get(uid)
        if remote is None:
            remote = self._remotes[uid] = self._remote(self._parse(uid))
        return remote

    def _save(self) -> None:
        from followup_sync import ical

        if not self._loaded:
            raise RuntimeError("_save outside a loaded calendar")
        refresh = timedelta(hours=self.opts["refresh_hours"])
        defaults = icsfile.parse(ical.new_calendar(self.opts["name"], refresh).to_ical())
        # The file's own calendar properties win (a user's calendar keeps its name
        # and PRODID); ours only fill in what is missing.
        have = icsfile.property_names(self._properties)
        properties = list(self._properties)
        for name, lines in icsfile.property_blocks(defaults.properties):
            if name not in have:
                properties += lines
        # VTIMEZONEs for our items, narrowed to the years used; the file's own ones
        # stay for the zones other people's events use.
        uids = sorted(self._ours)
        dues = [d for d in (self._remote_of(u).due for u in uids) if d is not None]
        zones = ical.timezone_components(dues)
        ours_tz = {z.tzid for z in zones}
        kept = [c for c in self._others if not (c.name == "VTIMEZONE" and c.tzid in ours_tz)]
        chunks = [b"BEGIN:VCALENDAR\r\n", *properties]
        chunks += [z.data for z in zones]
        chunks += [c.data for c in kept if c.name == "VTIMEZONE"]
        chunks += [c.data for c in kept if c.name != "VTIMEZONE"]
        chunks += [self._ours[u] for u in uids]
        chunks.append(b"END:VCALENDAR\r\n")
        digest = hashlib.sha256()
        for chunk in chunks:
            digest.update(chunk)
        try:
            if self._file_digest == digest.hexdigest() and self.path.exists():
                return  # the same bytes: leave the file (and its mtime) alone
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, chunks)
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
                self._reset()

    def _write_through(self) -> None:
        if self._depth == 0:
            self._save()
            self._remember_listing()
            self._reset()

    def _remember_listing(self) -> None:
        listing = {uid: self._remote_of(uid) for uid in self._ours}
        self.context.state["file"] = self._signature()
        self.context.state["digest"] = _digest(listing)

    def _remote(self, comp: icalendar.Component) -> RemoteItem:
        from followup_sync import ical

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
            self._known, self._known_sig = dict(known), sig
            return dict(known)
        loaded_here = not self._loaded
        self._load()
        try:
            return {uid: self._remote_of(uid) for uid in self._ours}
        finally:
            if loaded_here and self._depth == 0:
                self._reset()

    def _render(self, item: PushItem) -> RemoteItem:
        from followup_sync import ical

        comp = ical.render_component(item, self.component)
        self._ours[item.uid] = comp.to_ical()
        remote = self._remotes[item.uid] = self._remote(comp)
        self._dirty = True
        return remote

    def create(self, item: PushItem) -> RemoteItem:
        self._load()
        if item.uid in self._ours:
            raise ConflictError(f"{item.uid} already exists in {self.path}")
        remote = self._render(item)
        self._write_through()
        return remote

    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        self._load()
        if item.uid not in self._ours or self._remote_of(item.uid).etag != current.etag:
            raise ConflictError(f"{item.uid} changed in {self.path} since it was read")
        remote = self._render(item)
        self._write_through()
        return remote

    def delete(self, current: RemoteItem) -> None:
        self._load()
        if current.uid not in self._ours:
            if self._depth == 0:
                self._reset()
            return
        if current.etag is not None and self._remote_of(current.uid).etag != current.etag:
            raise ConflictError(f"{current.uid} changed in {self.path} since it was read")
        del self._ours[current.uid]
        self._remotes.pop(current.uid, None)
        self._dirty = True
        self._write_through()
