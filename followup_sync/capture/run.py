"""One capture: read the sources, judge the events, build the review list.

The CLI calls `run_capture`, prints the review, and applies the user's picks
with review.accept / review.ignore in one store transaction. Nothing is written
here except the small state a CalDAV source keeps (its calendar's URL).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError, FollowupError, UserInputError
from ..models import Application
from ..store import Store
from .detect import Me
from .events import (
    CalendarEvent,
    ReadResult,
    Window,
    latest_versions,
    read_calendar,
    read_objects,
)
from .review import Review, build_review
from .sources import FILE_SOURCE_PREFIX, ReaderSource, Source, build_sources, file_sources

#: `--file` alone reads the whole invitation or export, within these bounds
#: (recurring events need some end to be expanded).
FILE_PAST = timedelta(days=730)
FILE_AHEAD = timedelta(days=365)
STATE_PREFIX = "capture.sources."


@dataclass
class CaptureContext:
    store: Store
    settings: Settings
    data_dir: Path
    today: date
    now: datetime


@dataclass
class SourceReport:
    """One source's part of a run (never its URL or a title)."""

    name: str
    where: str
    events: int = 0
    skipped: int = 0  # events that could not be read
    seconds: float = 0.0  # waiting for the source (network, server, disk)
    error: FollowupError | None = None


@dataclass
class CaptureRun:
    window: Window
    review: Review
    sources: list[SourceReport] = field(default_factory=list)
    #: Seconds per phase: "sources" (waiting), "parse", "review" (detect, extract, compare).
    timings: dict[str, float] = field(default_factory=dict)
    #: The applications the review was compared with (what `--edit` compares with too).
    applications: list[Application] = field(default_factory=list)

    @property
    def failures(self) -> list[SourceReport]:
        return [s for s in self.sources if s.error is not None]


def window_for(
    settings: Settings,
    today: date,
    since: date | None = None,
    until: date | None = None,
    *,
    files_only: bool = False,
) -> Window:
    """[since 00:00, the day after until 00:00) in the user's zone; default -60 d .. +30 d."""
    tz = settings.tz
    if since is None:
        since = today - (FILE_PAST if files_only else timedelta(days=settings.capture.past_days))
    if until is None:
        until = today + (FILE_AHEAD if files_only else timedelta(days=settings.capture.ahead_days))
    if until < since:
        raise UserInputError(f"--until {until} is before --since {since}")
    return Window(
        datetime.combine(since, clock(0), tzinfo=tz),
        datetime.combine(until + timedelta(days=1), clock(0), tzinfo=tz),
    )


def me_of(settings: Settings, extra: set[str] = frozenset()) -> Me:
    addresses = {a.lower() for a in (settings.user.email, *settings.capture.aliases) if a}
    return Me(
        addresses=frozenset(addresses | set(extra)),
        name=settings.user.name,
        my_domains=settings.capture.my_domains,
    )


def plan_sources(
    ctx: CaptureContext, names: Sequence[str] = (), files: Sequence[Path] = ()
) -> list[Source]:
    """The sources of this run: --source names and --file paths, else every configured one."""
    configured = ctx.settings.capture.sources
    if not names and not files and not configured:
        raise ConfigError(
            "no capture source is configured: add a [capture.sources.NAME] table"
            " (docs/capture.md), or read one invitation with --file invite.ics"
        )
    with ctx.store.read() as tx:
        state = {
            name: tx.provider_state(STATE_PREFIX + name)
            for name in configured
            if not names or name in names
        }
    sources: list[Source] = []
    if names or not files:
        sources += build_sources(ctx.settings, ctx.data_dir, names, state)
    for source in sources:
        prepare = getattr(source, "prepare", None)
        if prepare is not None:
            prepare()  # secrets resolved before anything is read (ConfigError, exit 3)
    return sources + file_sources(files)


def run_capture(
    ctx: CaptureContext,
    *,
    names: Sequence[str] = (),
    files: Sequence[Path] = (),
    since: date | None = None,
    until: date | None = None,
    show_ignored: bool = False,
) -> CaptureRun:
    """Read every source of this run and build the review list."""
    sources = plan_sources(ctx, names, files)
    files_only = bool(files) and not names
    window = window_for(ctx.settings, ctx.today, since, until, files_only=files_only)
    tz = ctx.settings.tz
    reports: list[SourceReport] = []
    events: list[CalendarEvent] = []
    owner: set[str] = set()
    timings = {"sources": 0.0, "parse": 0.0, "review": 0.0}
    try:
        for source in sources:
            report = SourceReport(source.name, source.describe())
            reports.append(report)
            try:
                fetched = source.fetch(window)
            except FollowupError as e:
                report.error = e
                report.where = source.describe()
                continue
            report.where = source.describe()
            report.seconds = fetched.seconds
            timings["sources"] += fetched.seconds
            started = time.perf_counter()
            result = _parse(fetched.items, fetched.objects, window, source, tz, report)
            timings["parse"] += time.perf_counter() - started
            events += result.events
            owner |= result.owner_addresses
            report.events = len(result.events)
            report.skipped = result.skipped
            if isinstance(source, ReaderSource):
                username = str(source.reader.opts.get("username") or "")
                if "@" in username:
                    owner.add(username.lower())
            _save_state(ctx, source)
    finally:
        for source in sources:
            source.close()
    started = time.perf_counter()
    with ctx.store.read() as tx:
        decisions = tx.capture_decisions()
        applications = tx.applications()
    complete = {s.name for s in sources if s.complete}
    read_ok = {
        r.name
        for r in reports
        if r.error is None and r.name in complete and not r.name.startswith(FILE_SOURCE_PREFIX)
    }
    review = build_review(
        latest_versions(events),
        me=me_of(ctx.settings, owner),
        window=window,
        tz=tz,
        decisions=decisions,
        applications=applications,
        sources_read=read_ok,
        show_ignored=show_ignored,
    )
    timings["review"] = time.perf_counter() - started
    return CaptureRun(window, review, reports, timings, applications)


def _parse(items, objects: bool, window: Window, source: Source, tz, report) -> ReadResult:
    if objects:
        return read_objects(items, window, source=source.name, default_tz=tz)
    result = ReadResult()
    for item in items:
        try:
            one = read_calendar(item, window, source=source.name, default_tz=tz)
        except ValueError:
            if getattr(source, "given", False):
                raise UserInputError(f"{source.describe()}: not readable iCalendar data") from None
            result.skipped += 1
            continue
        result.events += one.events
        result.skipped += one.skipped
        result.owner_addresses |= one.owner_addresses
    return result


def _save_state(ctx: CaptureContext, source: Source) -> None:
    """Keep what a CalDAV source learnt (its calendar's URL): the next run skips discovery."""
    if not isinstance(source, ReaderSource):
        return
    key = STATE_PREFIX + source.name
    with ctx.store.read() as tx:
        before = tx.provider_state(key)
    now = dict(source.state)
    if now != before:
        with ctx.store.write(content=False) as tx:
            tx.save_provider_state(key, now)
