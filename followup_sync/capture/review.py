"""The review list: proposed interviews against the store and the user's past decisions.

Each calendar event has a key, a hash of its UID and RECURRENCE-ID. An event the
user added or ignored before is not proposed again; an added one whose start
moved is offered as "update the interview date", and one that was cancelled,
declined or is gone from its calendar is reported with the commands that close
or remove its application. Other events go through detect.py and extract.py;
sessions with one company on one day become one candidate (one round, at the
end of the last session). A candidate is "recorded" when the store has the same
company within a day, a "new round" of the application `add` would continue,
or "new".

decide.py records what the user picks from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from ..models import Application, CaptureDecision, Interviewer, Status
from .detect import Me, judge, my_attendance
from .domains import normalize_company
from .events import CalendarEvent, Window
from .extract import extract

NEW = "new"
RECORDED = "recorded"
NEW_ROUND = "new_round"
UPDATE = "update"
IGNORED = "ignored"
STATUSES = (NEW, RECORDED, NEW_ROUND, UPDATE, IGNORED)
#: Added before and unchanged: numbered (so numbers stay put while the user
#: decides, one command at a time) but not shown.
CAPTURED = "captured"
#: "Already recorded": the store has an interview with the same company this close.
SAME_INTERVIEW = timedelta(days=1)


def decision_key(uid: str, recurrence_id: str = "") -> str:
    """What the store keeps about an event: a hash, never the UID itself."""
    return hashlib.sha256(f"{uid}\x1f{recurrence_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Session:
    """One proposed event (an interview session)."""

    key: str
    uid: str
    source: str
    start: datetime
    end: datetime
    title: str
    company: str
    role: str
    stage: str
    interviewers: tuple[Interviewer, ...]
    signals: tuple[str, ...]


@dataclass
class Candidate:
    """One line of the review list: one interview round (one or more sessions)."""

    sessions: list[Session]
    company: str
    role: str
    stage: str
    interviewers: tuple[Interviewer, ...]
    signals: tuple[str, ...]
    status: str = NEW
    application: str | None = None  # recorded / new round / update: the one concerned
    round_number: int | None = None
    recorded_at: datetime | None = None  # update: the date the store has
    n: int = 0
    #: An update of one session of several: the round's time (end of its last session).
    fixed_at: datetime | None = None

    @property
    def start(self) -> datetime:
        return self.sessions[0].start

    @property
    def end(self) -> datetime:
        return max(s.end for s in self.sessions)

    @property
    def at(self) -> datetime:
        """The interview time recorded: its start, or the end of the last of several sessions."""
        if self.fixed_at is not None:
            return self.fixed_at
        return self.start if len(self.sessions) == 1 else self.end

    @property
    def uid(self) -> str:
        return self.sessions[0].uid

    @property
    def source(self) -> str:
        return self.sessions[0].source

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.sessions]

    @property
    def title(self) -> str:
        return self.sessions[0].title


@dataclass(frozen=True)
class Cancelled:
    """An added interview that no longer stands: the user decides what it means."""

    application: str
    round_number: int
    start: datetime
    company: str
    role: str
    why: str  # "cancelled", "declined" or "no longer in <source> (...)"


@dataclass
class Review:
    window: Window
    candidates: list[Candidate] = field(default_factory=list)  # shown
    cancelled: list[Cancelled] = field(default_factory=list)
    #: Numbered like the others, not shown: added before, or ignored (without --all).
    hidden: list[Candidate] = field(default_factory=list)
    events: int = 0  # occurrences read in the window

    @property
    def captured(self) -> int:
        return sum(c.status == CAPTURED for c in self.hidden)

    @property
    def ignored(self) -> int:
        return sum(c.status == IGNORED for c in self.hidden)


def _same(a: datetime, b: datetime) -> bool:
    # Instants in UTC: `==` between zones is False in a DST fold (PEP 495).
    return a.astimezone(UTC) == b.astimezone(UTC)


def _local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def _session(event: CalendarEvent, key: str, me: Me, signals: tuple[str, ...]) -> Session:
    found = extract(event, me)
    assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
    return Session(
        key=key,
        uid=event.uid,
        source=event.source,
        start=event.start,
        end=event.end,
        title=event.summary,
        company=found.company,
        role=found.role,
        stage=found.stage,
        interviewers=found.interviewers,
        signals=signals,
    )


def _merge(sessions: list[Session]) -> Candidate:
    sessions = sorted(sessions, key=lambda s: s.start)
    people: dict[str, Interviewer] = {}
    for s in sessions:
        for person in s.interviewers:
            people.setdefault((person.email or person.name).casefold(), person)
    stages = [s.stage for s in sessions if s.stage]
    if len(sessions) > 1:
        # Several interviews on one day are an onsite (its sessions' topics are
        # in their titles): the strongest word for the round.
        stage = next(
            (x for x in ("final round", "virtual onsite", "onsite") if x in stages), "onsite"
        )
    else:
        stage = stages[0] if stages else ""
    return Candidate(
        sessions=sessions,
        company=next((s.company for s in sessions if s.company), ""),
        role=next((s.role for s in sessions if s.role), ""),
        stage=stage,
        interviewers=tuple(people.values()),
        signals=tuple(dict.fromkeys(sig for s in sessions for sig in s.signals)),
    )


def _round_of(apps: Mapping[str, Application], decision: CaptureDecision):
    app = apps.get(decision.app_id or "")
    if app is None:
        return None, None
    rnd = next((r for r in app.rounds if r.number == decision.round_number), None)
    return app, rnd


def build_review(
    events: Iterable[CalendarEvent],
    *,
    me: Me,
    window: Window,
    tz: tzinfo,
    decisions: Mapping[str, CaptureDecision],
    applications: Sequence[Application],
    sources_read: Iterable[str] = (),
    show_ignored: bool = False,
) -> Review:
    """The numbered review list for these events (see the module docstring)."""
    review = Review(window)
    apps = {a.id: a for a in applications}
    fresh: list[Session] = []
    ignored: list[Session] = []
    captured: list[Session] = []
    moved: dict[tuple[str, int], list[tuple[Session, CaptureDecision]]] = {}
    present: dict[str, CalendarEvent] = {}
    for event in events:
        if event.all_day:
            continue
        review.events += 1
        key = decision_key(event.uid, event.recurrence_id)
        present[key] = event
        decision = decisions.get(key)
        if decision is not None and decision.decision == "added":
            app, rnd = _round_of(apps, decision)
            if app is None or rnd is None:
                continue  # removed since: the user's choice stands
            attendance = my_attendance(event, me)
            if event.status == "CANCELLED" or event.method == "CANCEL" or attendance == "DECLINED":
                if app.status == Status.WAITING:
                    why = "declined" if attendance == "DECLINED" else "cancelled"
                    review.cancelled.append(
                        Cancelled(app.id, rnd.number, rnd.at, app.company, app.role, why)
                    )
                continue
            assert isinstance(event.start, datetime)
            if decision.start is not None and _same(event.start, decision.start):
                captured.append(_session(event, key, me, ()))
                continue
            session = _session(event, key, me, ("the interview moved",))
            moved.setdefault((app.id, rnd.number), []).append((session, decision))
            continue
        verdict = judge(event, me)
        if not verdict.proposed:
            continue
        session = _session(event, key, me, verdict.signals)
        if decision is not None and decision.decision == "ignored":
            ignored.append(session)
        else:
            fresh.append(session)

    fresh_candidates = _group(fresh, tz)
    for c in fresh_candidates:
        classify(c, applications)
    candidates = fresh_candidates + _group(ignored, tz, IGNORED) + _group(captured, tz, CAPTURED)
    for (app_id, number), pairs in moved.items():
        candidates.append(_update(apps[app_id], number, pairs, decisions, present))
    review.cancelled += _gone(decisions, apps, present, window, set(sources_read))
    # Numbers count every event ever proposed in the window, shown or not, so that
    # adding 1 leaves 3 where the user saw it.
    candidates.sort(key=lambda c: (c.start, c.company.casefold(), c.uid))
    for n, c in enumerate(candidates, start=1):
        c.n = n
        hide = c.status == CAPTURED or (c.status == IGNORED and not show_ignored)
        (review.hidden if hide else review.candidates).append(c)
    return review


def _group(sessions: list[Session], tz: tzinfo, status: str = NEW) -> list[Candidate]:
    """Sessions with one company on one day (in the user's zone) are one round."""
    groups: dict[tuple[str, date], list[Session]] = {}
    for s in sorted(sessions, key=lambda s: s.start):
        company = normalize_company(s.company) or f"?{s.key}"
        groups.setdefault((company, _local_day(s.start, tz)), []).append(s)
    out = []
    for group in groups.values():
        c = _merge(group)
        c.status = status
        out.append(c)
    return out


def classify(c: Candidate, applications: Sequence[Application]) -> None:
    """Set `c.status` (recorded / new round / new) and the application concerned."""
    c.status, c.application, c.round_number = NEW, None, None
    key = normalize_company(c.company)
    if not key:
        return
    same_company = [a for a in applications if normalize_company(a.company) == key]
    closest = None
    for app in same_company:
        for rnd in app.rounds:
            gap = abs(rnd.at - c.at)
            if gap <= SAME_INTERVIEW and (closest is None or gap < closest[0]):
                closest = (gap, app, rnd)
    if closest is not None:
        c.status, c.application, c.round_number = RECORDED, closest[1].id, closest[2].number
        return
    app = continued_application(same_company, c.role)
    if app is not None and app.current_round.at < c.at:
        c.status, c.application = NEW_ROUND, app.id
        c.round_number = app.current_round.number + 1


def continued_application(same_company: Sequence[Application], role: str) -> Application | None:
    """The application `add_interview` would continue with this role (see its docstring)."""
    same = [a for a in same_company if a.role.casefold() == role.strip().casefold()]
    open_ = [a for a in same if a.status == Status.WAITING]
    if open_:
        return max(open_, key=lambda a: a.current_round.at)
    heard = [
        a
        for a in same
        if a.status == Status.HEARD and not (a.outcome and a.outcome.ends_application)
    ]
    return max(heard, key=lambda a: a.current_round.at) if heard else None


def _update(
    app: Application,
    number: int,
    pairs: list[tuple[Session, CaptureDecision]],
    decisions: Mapping[str, CaptureDecision],
    present: Mapping[str, CalendarEvent],
) -> Candidate:
    """An added round whose sessions moved: offered as "update the interview date"."""
    rnd = next(r for r in app.rounds if r.number == number)
    sessions = [s for s, _ in pairs]
    # The round's other sessions, where they are now: the round is at the end of the last.
    others = [
        present[k]
        for k, d in decisions.items()
        if d.decision == "added"
        and d.app_id == app.id
        and d.round_number == number
        and k in present
        and k not in {s.key for s in sessions}
    ]
    c = _merge(sessions)
    c.company, c.role, c.stage = app.company, app.role, rnd.stage or c.stage
    c.status, c.application, c.round_number, c.recorded_at = UPDATE, app.id, number, rnd.at
    if others:
        ends = [s.end for s in sessions] + [e.end for e in others if isinstance(e.end, datetime)]
        c.fixed_at = max(ends)
    return c


def _gone(
    decisions: Mapping[str, CaptureDecision],
    apps: Mapping[str, Application],
    present: Mapping[str, CalendarEvent],
    window: Window,
    sources_read: set[str],
) -> list[Cancelled]:
    """Added interviews missing from the calendar they came from (read in full this time)."""
    out, seen = [], set()
    for key, d in decisions.items():
        if d.decision != "added" or d.source not in sources_read or key in present:
            continue
        if d.start is None or not window.since <= d.start < window.until:
            continue
        app, rnd = _round_of(apps, d)
        if app is None or rnd is None or app.status != Status.WAITING:
            continue
        if (app.id, rnd.number) in seen:
            continue
        seen.add((app.id, rnd.number))
        out.append(
            Cancelled(
                app.id,
                rnd.number,
                rnd.at,
                app.company,
                app.role,
                f"no longer in {d.source} (deleted, or moved out of the window)",
            )
        )
    return out
