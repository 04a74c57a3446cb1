"""Is this calendar event one of the user's job interviews? Rules, then a score.

Events are dropped first, each rule with its reason (NOTES-capture-publish.md
1.2, tuned on the corpus in tests/corpus/capture): cancelled, all-day, the
user's own (no organiser and no attendee, or organised by one of the user's
addresses), declined, the interviewer side (the user interviewing others at
their current job: `my_domains`, "candidate" titles, interview-kit and
scorecard links), preparation and mock interviews, and "interviews" that are
not for a job (podcast, press, user research, exit interviews). What remains
must name an interview (a keyword in one of twelve languages) or come from an
applicant-tracking system; a booking tool alone (Calendly) is not enough, since
sales calls use it too. Then a score decides:

    title keyword +3 | weak title word (onsite, system design...) +1
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

THRESHOLD = 3


def _words(*patterns: str) -> str:
    """Latin-script patterns as whole words."""
    return r"(?<![\w])(?:" + "|".join(patterns) + r")(?![\w])"


# --- keywords ------------------------------------------------------------------
#: Words that say "job interview" (the languages the issue names, at least).
KEYWORDS: dict[str, str] = {
    "en": _words(
        r"interviews?",
        r"phone screen(?:ing)?",
        r"recruiter (?:screen|call|chat|interview)",
        r"tech(?:nical)? screen(?:ing)?",
        r"screening (?:call|interview)",
        r"coding (?:exercise|round|challenge|interview)",
        r"final round",
        r"hiring manager (?:interview|call|chat|screen|conversation)",
        r"on-?site interview",
    ),
    "de": _words(
        r"vorstellungsgespr[äa]ch\w*",
        r"bewerbungsgespr[äa]ch\w*",
        r"kennenlerngespr[äa]ch\w*",
        r"erstgespr[äa]ch\w*",
        r"zweitgespr[äa]ch\w*",
        r"auswahlgespr[äa]ch\w*",
    ),
    "fr": _words(r"entretiens?", r"entrevue"),
    "es": _words(r"entrevistas?"),  # also Portuguese
    "it": _words(r"colloqui(?:o)?"),
    "nl": _words(r"sollicitatiegesprek\w*", r"kennismakingsgesprek\w*", r"sollicitatie"),
    "pl": _words(r"rozmow[aęy] (?:kwalifikacyjn|rekrutacyjn)\w*"),
    "sv": _words(r"intervju\w*", r"anst[äa]llningsintervju\w*"),
    # Chinese, Japanese and Korean have no word boundaries.
    "ja": r"面接|カジュアル面談",
    "zh": r"面试|面試",
    "ko": r"면접",
}
KEYWORD = re.compile("|".join(f"(?:{v})" for v in KEYWORDS.values()), re.IGNORECASE)
#: Hints that add to the score but prove nothing alone ("System design review"
#: is also a meeting at work).
WEAK = re.compile(
    _words(
        r"system design",
        r"on-?site",
        r"hiring manager",
        r"technical",
        r"take-?home",
        r"case study",
        r"portfolio review",
        r"culture fit",
        r"pair programming",
        r"screening",
    )
    + r"|面談|면담",
    re.IGNORECASE,
)
#: Interviews the user is not a candidate in: preparation, practice, media,
#: research, leaving a job; and homonyms (a boiler's "entretien", a parents'
#: "colloquio").
NOT_A_JOB_INTERVIEW = re.compile(
    _words(
        r"prep",
        r"preparation",
        r"prepping",
        r"practi[cs]e",
        r"mock",
        r"rehearsal",
        r"dry run",
        r"podcast",
        r"press",
        r"journalist",
        r"radio",
        r"tv",
        r"webinar",
        r"user (?:interview|research)s?",
        r"customer (?:interview|discovery|research)s?",
        r"ux research",
        r"usability",
        r"research (?:study|session|participant)",
        r"exit interview",
        r"stay interview",
        r"informational interview",
        r"info(?:rmational)? chat",
        r"interview(?:er)? training",
        r"interview coaching",
        r"coaching",
        # German, French, Spanish/Portuguese, Italian, Dutch, Polish, Swedish
        r"vorbereitung",
        r"übung",
        r"probeinterview",
        r"presse",
        r"zeitung",
        r"austrittsgespr[äa]ch",
        r"préparation",
        r"pr[ée]pa",
        r"entra[îi]nement",
        r"simulation d'entretien",
        r"entretien (?:blanc|annuel|individuel|professionnel|de fin d'année)",
        r"entretien (?:de la |du |de l')?(?:chaudi[èe]re|voiture|v[ée]hicule|jardin|piscine|climatisation)",
        r"journaliste",
        r"preparaci[óo]n",
        r"prepara[çc][ãa]o",
        r"pr[áa]ctica",
        r"simulacro",
        r"simula[çc][ãa]o",
        r"prensa",
        r"imprensa",
        r"peri[óo]dico",
        r"preparazione",
        r"simulazione",
        r"stampa",
        r"giornal\w+",
        r"colloqui(?:o)? (?:con i |coi )?(?:professori|docenti|insegnanti|genitori)",
        r"voorbereiding",
        r"oefen\w*",
        r"oefengesprek",
        r"przygotowanie",
        r"próbn\w+",
        r"prasa",
        r"förberedelse",
        r"övning\w*",
        r"podd\w*",
    )
    + r"|対策|練習|模擬|取材|三者面談|保護者面談|模拟|准备|練習|采访|记者|모의|준비|연습|인터뷰|학부모",
    re.IGNORECASE,
)
#: The user on the other side of the table: interview kits, scorecards,
#: "candidate" titles, GoodTime holds.
INTERVIEWER_SIDE = re.compile(
    r"interview kit|scorecard|app\.greenhouse\.io/guides|feedback form|submit (?:your )?feedback|"
    r"candidate:|candidate profile|candidate'?s? (?:resume|cv|profile)|\[hold\]|interviewer guide|"
    r"interviewer (?:briefing|instructions)|debrief|hiring committee|resume: https?://|"
    r"bewertungsbogen|grille d'évaluation|評価シート|面试官|면접관",
    re.IGNORECASE,
)
TITLE_CANDIDATE = re.compile(
    _words(r"candidat(?:e|o|a)s?", r"kandidat(?:in|en)?", r"kandydat\w*")
    + r"|候補者|候选人|지원자",
    re.IGNORECASE,
)
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
        return any(domain == d or domain.endswith("." + d) for d in self.my_domains)


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
    "interviewer side",
    "not a job interview",
    "no interview keyword",
    "score too low",
)


@dataclass
class _Evidence:
    score: int = 0
    signals: list[str] = field(default_factory=list)

    def add(self, points: int, signal: str) -> None:
        self.score += points
        self.signals.append(signal)


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
    title_kw = KEYWORD.search(title)
    text_kw = None if title_kw else KEYWORD.search(f"{name}\n{event.description}")
    if not (title_kw or text_kw or ats or goodtime):
        return Verdict(False, rejected="no interview keyword")
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
    org_domain = domains.domain_of(organizer.email) if organizer else ""
    if organizer is not None and domains.is_company_domain(org_domain):
        ev.add(1, f"organiser at {org_domain}")
    if attendance is not None:
        ev.add(1, "you are invited")
    tool = ats or scheduler or ""
    if ev.score < THRESHOLD:
        return Verdict(False, ev.score, tuple(ev.signals), "score too low", tool)
    return Verdict(True, ev.score, tuple(ev.signals), "", tool)
