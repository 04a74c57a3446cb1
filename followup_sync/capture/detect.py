"""Is this calendar event one of the user's job interviews? Rules, then a score.

Events are dropped first, each rule with its reason (NOTES-capture-publish.md
1.2, tuned on the corpus in tests/corpus/capture): cancelled, all-day, the
user's own (no organiser and no attendee, or organised by one of the user's
addresses), declined, recurring series (a weekly sync is never an interview),
the interviewer side (the user interviewing others at their current job:
`my_domains`, "candidate" titles, interview-kit and scorecard links),
preparation and mock interviews, and "interviews" that are not for a job
(podcast, press, user research, exit interviews, a nanny or a flat). What
remains must name an interview (a keyword in one of twelve languages, or a
job title with "role"/"position") or come from an applicant-tracking system; a
booking tool alone (Calendly) is not enough, since sales calls use it too. An
interview keyword alone from a free-mail organiser needs some sign of a job (a
job title, a stage, a company address). Then a score decides:

    title keyword (or job title + "role") +3 | weak title word (onsite...) +1
    keyword in the description (Calendly's "Event Name:" included) +1
    applicant-tracking system +2 | booking tool +1
    organiser at a company domain +1 | the user is an attendee +1
    proposed when the score is >= 3

Signals are short phrases the review list shows ("why it was proposed").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import domains
from .events import CalendarEvent
from .words import (
    INTERVIEWER_SIDE,
    JOB_PHRASE,
    KEYWORD,
    NOT_A_JOB_INTERVIEW,
    ROLE_WORD,
    STAGES,
    TITLE_CANDIDATE,
    WEAK,
)

THRESHOLD = 3

_EVENT_NAME = re.compile(r"^\s*Event Name:\s*(.+)$", re.MULTILINE | re.IGNORECASE)
_URLISH = re.compile(r"(?:https?://|@)([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_CANDIDATE_CALENDAR = re.compile(r"candidate calendar|interview(?:s|ing)? calendar", re.IGNORECASE)


@dataclass(frozen=True)
class Me:
    """Who the user is: their addresses, name, and the domains of their current job."""

    addresses: frozenset[str] = frozenset()
    name: str = ""
    my_domains: tuple[str, ...] = ()

    def is_me(self, email: str) -> bool:
        # Login names (no "@") are compared whole: some servers write a principal
        # name where an address would be.
        return email.strip().lower() in self.addresses

    def is_me_by_name(self, person_name: str) -> bool:
        return bool(self.name) and person_name.strip().casefold() == self.name.casefold()

    def at_my_job(self, email: str) -> bool:
        domain = domains.domain_of(email)
        return any(domains.within(domain, d) for d in self.my_domains)


@dataclass(frozen=True)
class Verdict:
    """What the detector made of one event."""

    proposed: bool
    score: int = 0
    signals: tuple[str, ...] = ()
    rejected: str = ""  # why not (one of REASONS), "" when proposed
    tool: str = ""  # the ATS or booking tool, when one was recognised


#: Why an event is not proposed (the keys documented in docs/capture.md).
REASONS = (
    "cancelled",
    "all-day",
    "own event",
    "declined",
    "recurring meeting",
    "interviewer side",
    "not a job interview",
    "no interview keyword",
    "no sign of a job",
    "score too low",
)


@dataclass
class _Evidence:
    score: int = 0
    signals: list[str] = field(default_factory=list)

    def add(self, points: int, signal: str) -> None:
        self.score += points
        self.signals.append(signal)


def _job_title(text: str) -> re.Match | None:
    """ "Product Manager role", "Senior Analyst position": a job named as one."""
    if text and JOB_PHRASE.search(text):
        return ROLE_WORD.search(text)
    return None


def _job_context(title: str, name: str, description: str) -> bool:
    """Some sign the interview is about a job: a job title or a stage."""
    text = f"{title}\n{name}\n{description}"
    return bool(ROLE_WORD.search(text)) or any(p.search(title) for _, p in STAGES)


def event_name(event: CalendarEvent) -> str:
    """Calendly's "Event Name:" line (the event type: "Recruiter Screen - ..."), or ""."""
    m = _EVENT_NAME.search(event.description)
    return m.group(1).strip() if m else ""


def tools_in(event: CalendarEvent) -> tuple[str | None, str | None]:
    """(applicant-tracking system, booking tool) named anywhere in the event."""
    hosts = []
    for person in (event.organizer, *event.attendees):
        if person is not None:
            hosts.append(domains.domain_of(person.email))
    text = f"{event.description}\n{event.location}\n{event.extra}\n{event.uid}"
    hosts += [h.lower() for h in _URLISH.findall(text)]
    ats = next((a for a in map(domains.ats_of, hosts) if a), None)
    scheduler = next((s for s in map(domains.scheduler_of, hosts) if s), None)
    if ats is None and "powered by calendly" in text.lower():
        scheduler = scheduler or "Calendly"
    return ats, scheduler


def my_attendance(event: CalendarEvent, me: Me) -> str | None:
    """The user's PARTSTAT on this event, or None when they are not listed."""
    for person in event.attendees:
        if me.is_me(person.email):
            return person.partstat or "NEEDS-ACTION"
    # Outlook writes the user's name even when the address is one we do not know.
    for person in event.attendees:
        if me.is_me_by_name(person.name):
            return person.partstat or "NEEDS-ACTION"
    return None


def judge(event: CalendarEvent, me: Me) -> Verdict:
    """Whether `event` is proposed as one of the user's interviews, and why (not)."""
    if event.status == "CANCELLED" or event.method == "CANCEL":
        return Verdict(False, rejected="cancelled")
    if event.all_day:
        return Verdict(False, rejected="all-day")
    organizer = event.organizer
    if organizer is None and not event.attendees:
        return Verdict(False, rejected="own event")
    if organizer is not None and me.is_me(organizer.email):
        return Verdict(False, rejected="own event")
    attendance = my_attendance(event, me)
    if attendance == "DECLINED":
        return Verdict(False, rejected="declined")
    if event.recurring:
        # An occurrence of a series (or a moved one): a weekly sync, never an interview.
        return Verdict(False, rejected="recurring meeting")
    if organizer is not None and me.at_my_job(organizer.email):
        return Verdict(False, rejected="interviewer side")
    title = event.summary
    name = event_name(event)
    if TITLE_CANDIDATE.search(title) or INTERVIEWER_SIDE.search(f"{title}\n{event.description}"):
        return Verdict(False, rejected="interviewer side")
    if NOT_A_JOB_INTERVIEW.search(title) or NOT_A_JOB_INTERVIEW.search(name):
        return Verdict(False, rejected="not a job interview")
    ats, scheduler = tools_in(event)
    goodtime = organizer is not None and bool(_CANDIDATE_CALENDAR.search(organizer.name))
    title_kw = KEYWORD.search(title) or _job_title(title)
    text_kw = (
        None if title_kw else KEYWORD.search(f"{name}\n{event.description}") or _job_title(name)
    )
    if not (title_kw or text_kw or ats or goodtime):
        return Verdict(False, rejected="no interview keyword")
    org_domain = domains.domain_of(organizer.email) if organizer else ""
    company_address = any(
        domains.is_company_domain(domains.domain_of(p.email)) and not me.is_me(p.email)
        for p in (organizer, *event.attendees)
        if p is not None
    )
    if not (ats or goodtime or company_address or _job_context(title, name, event.description)):
        # "Nanny interview with Maria" from a gmail address: an interview, not a job.
        return Verdict(False, rejected="no sign of a job")
    ev = _Evidence()
    if title_kw:
        ev.add(3, f'title says "{title_kw.group(0)}"')
    elif (weak := WEAK.search(title)) is not None:
        ev.add(1, f'title says "{weak.group(0)}"')
    if text_kw:
        where = "event type" if name and KEYWORD.search(name) else "description"
        ev.add(1, f'{where} says "{text_kw.group(0)}"')
    if ats:
        ev.add(2, f"sent through {ats}")
    elif goodtime:
        ev.add(2, f"from a shared interview calendar ({organizer.name})")
    elif scheduler:
        ev.add(1, f"booked with {scheduler}")
    if organizer is not None and domains.is_company_domain(org_domain):
        ev.add(1, f"organiser at {org_domain}")
    if attendance is not None:
        ev.add(1, "you are invited")
    tool = ats or scheduler or ""
    if ev.score < THRESHOLD:
        return Verdict(False, ev.score, tuple(ev.signals), "score too low", tool)
    return Verdict(True, ev.score, tuple(ev.signals), "", tool)
