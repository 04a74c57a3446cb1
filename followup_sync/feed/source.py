"""The rendered feed and its cache: re-rendered only when what it is made of changes."""

from __future__ import annotations

import dataclasses
import email.utils
import gzip
import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from .token import stat_signature

log = logging.getLogger("followup_sync.feed")


@dataclass(frozen=True)
class Rendered:
    """One rendering of the feed, ready to send; never mutated once published."""

    key: tuple
    body: bytes
    gzipped: bytes
    etag: str
    etag_gzip: str
    last_modified: datetime  # whole seconds, UTC

    @property
    def last_modified_http(self) -> str:
        return email.utils.format_datetime(self.last_modified, usegmt=True)


class FeedSource:
    """Renders the feed from the store, re-rendering only when its content key changes.

    The key is (store file identity, store revision, config file, templates,
    today in the user's zone): the store revision is bumped by every write
    transaction, so another process's `sent` or `heard` shows at the next GET.
    Every check opens its own SQLite connection: waitress serves requests on
    several threads, and a fresh connection also follows a store that
    `restore` replaced.
    """

    def __init__(self, data_dir: Path, config_path: Path, fixed_today: date | None = None):
        self.data_dir = Path(data_dir)
        self.config_path = Path(config_path)
        self.fixed_today = fixed_today
        self._render_lock = threading.Lock()
        self._settings_lock = threading.Lock()
        self._settings: tuple[tuple | None, object] | None = None
        self._current: Rendered | None = None
        self.renders = 0  # how many times the body was built; tests and the benchmark read it

    # The store path is the store module's business; import it lazily like everything heavy.
    @property
    def store_path(self) -> Path:
        from ..store import STORE_NAME

        return self.data_dir / STORE_NAME

    def settings(self) -> tuple[tuple | None, object]:
        """(config file signature, Settings), reloaded when the file changes.

        Raises ConfigError if the file became invalid. The signature returned is
        the one taken before reading, so a key built from it never claims newer
        settings than were loaded.
        """
        from ..config import load_settings

        sig = stat_signature(self.config_path)
        cached = self._settings
        if cached is not None and cached[0] == sig:
            return cached
        with self._settings_lock:
            self._settings = (sig, load_settings(self.config_path))
            return self._settings

    def _templates_signature(self, settings) -> tuple:
        tdir = settings.templates_dir
        if tdir is None:
            return ()
        try:
            return tuple(
                sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in os.scandir(tdir))
            )
        except OSError:
            return ()

    def _open_store(self):
        from ..store import Store

        return Store.open(self.data_dir, create=False)

    def _base_key(self) -> tuple[tuple, object]:
        config_sig, settings = self.settings()
        today = self.fixed_today or datetime.now(settings.tz).date()
        return (config_sig, self._templates_signature(settings), today.isoformat()), settings

    def current(self) -> Rendered:
        """The feed as of now: the cached rendering if its key still holds, else a new one."""
        base, settings = self._base_key()
        # stat before opening: if `restore` swaps the file in between, the key names
        # the old file, so the next request sees a new identity and re-renders.
        store_sig = stat_signature(self.store_path)
        store = self._open_store()
        try:
            with store.read() as tx:
                key = (store_sig[:2] if store_sig else None, tx.revision(), *base)
        finally:
            store.close()
        cached = self._current
        if cached is not None and cached.key == key:
            return cached
        # One render at a time: concurrent requests for a new key wait for the
        # first one's result instead of all rendering the same thing.
        with self._render_lock:
            cached = self._current
            if cached is not None and cached.key == key:
                return cached
            rendered = self._render(base, settings, cached)
            self._current = rendered
            return rendered

    def _render(self, base: tuple, settings, previous: Rendered | None) -> Rendered:
        from .. import ical
        from ..desired import DesiredState

        started = time.perf_counter()
        store_sig = stat_signature(self.store_path)
        store = self._open_store()
        try:
            # One read transaction: a write landing mid-render cannot mix two states,
            # and the revision in the key is the one this body was made from.
            revision, apps = store.snapshot()
        finally:
            store.close()
        today = date.fromisoformat(base[-1])
        desired = DesiredState(
            settings.user, settings.rules, settings.tz, today, settings.templates_dir
        )
        items = desired.live_push_items(apps)
        body = ical.build_calendar(items.values(), ical.VEVENT, settings.feed.name).to_ical()
        self.renders += 1
        log.info(
            "rendered the feed: %d events, %d KB in %.0f ms (store revision %d)",
            len(items), len(body) // 1024, (time.perf_counter() - started) * 1000, revision,
        )  # fmt: skip
        key = (store_sig[:2] if store_sig else None, revision, *base)
        digest = hashlib.sha256(body).hexdigest()[:32]
        if previous is not None and previous.etag == f'"{digest}"':
            # Same bytes (e.g. a push only recorded what it wrote): keep the
            # validators, so clients keep getting 304s.
            return dataclasses.replace(previous, key=key)
        now = datetime.now(UTC).replace(microsecond=0)
        if previous is not None and now <= previous.last_modified:
            # Last-Modified has one-second resolution: a change within the same
            # second must still look newer, or If-Modified-Since would hide it.
            now = previous.last_modified + timedelta(seconds=1)
        return Rendered(
            key=key,
            body=body,
            # mtime=0: identical bodies gzip to identical bytes across restarts.
            gzipped=gzip.compress(body, compresslevel=6, mtime=0),
            etag=f'"{digest}"',
            # A strong ETag names one exact byte sequence, so the gzipped
            # representation gets its own.
            etag_gzip=f'"{digest}-gzip"',
            last_modified=now,
        )
