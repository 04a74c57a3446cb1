"""What an interview invitation says: company (company.py), role, stage, interviewers.

- Role: the title segment (split on - – | / : ( ) < > 【】) holding a job-title
  word, with interview words and (m/w/d)-style suffixes removed; else
  Calendly's event type; else "Position: X" or "the X role" in the description.
- Stage: the first stage phrase found (virtual onsite, phone screen, ...).
- Interviewers: attendees minus the user, rooms, groups, shared mailboxes and
  tools; the organiser first when a person; GoodTime invitations list nobody,
  so names come from the itinerary in the description ("with Sam Lee").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Interviewer
from . import domains
from .company import ORG_CN, company_of, people_names, segments
from .detect import Me, event_name
from .events import CalendarEvent, Person
from .words import GENDER_SUFFIX, KEYWORD, ROLE_WORD, STAGES

_NOT_A_PERSON_NAME = re.compile(r"google meet|microsoft teams|zoom|webex|calendly", re.I)
_DESCRIPTION_ROLE = (
    re.compile(
        r"(?:^|\n)\s*(?:position|role|job|job title|stelle|poste|puesto|vaga|cargo|posizione|"
        r"ruolo|functie|vacature|stanowisko|tjänst|roll|職種|职位|岗位|직무|포지션)\s*[:：]\s*(.+)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:for|about) the (.{3,60}?) (?:role|position|opening|opportunity)\b", re.IGNORECASE
    ),
    re.compile(r"\bpour le poste (?:de |d')(.{3,60}?)(?:[.,\n]|$)", re.IGNORECASE),
    re.compile(r"\bf[üu]r die (?:Position|Stelle) (?:als |des |der )?(.{3,60}?)(?:[.,\n]|$)", re.I),
    re.compile(r"\bpara (?:el puesto|la vaga|a vaga) de (.{3,60}?)(?:[.,\n]|$)", re.IGNORECASE),
    re.compile(r"\bper la posizione di (.{3,60}?)(?:[.,\n]|$)", re.IGNORECASE),
)
_ITINERARY_PERSON = re.compile(
    r"\b(?:with|mit|avec|con|com|met|med)\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,2})"
    r"|\b(?i:interviewers?):\s*([^\n]+)",
)


@dataclass(frozen=True)
class Extracted:
    company: str
    role: str
    stage: str
    interviewers: tuple[Interviewer, ...]


def extract(event: CalendarEvent, me: Me) -> Extracted:
    people = people_names(event, me)
    company = company_of(event, me, people)
    return Extracted(
        company=company,
        role=role_of(event, company, people),
        stage=stage_of(event),
        interviewers=interviewers_of(event, me),
    )


# --- role ------------------------------------------------------------------------------
_LEADING = re.compile(
    r"^(?:for the|for an?|for|about the|pour le poste de|pour le poste d'|pour|für die|für|als|"
    r"para el puesto de|para|per la posizione di|per|voor de functie|voor|na stanowisko|"
    r"position|role|poste|stelle|puesto|vaga|posizione|functie|stanowisko|tjänst|with|mit|avec|con)"
    r"(?![\w])\s*",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"\s*(?<![\w])(?:position|role|opening|opportunity|vacancy|poste|stelle|at|bei|chez|en|"
    r"presso|bij|hos|w|"
    r"round \d+|\d(?:st|nd|rd|th) round|video call|video|call|zoom|google meet|meet|"
    r"microsoft teams|teams)$",
    re.IGNORECASE,
)


def _strip_trailing_stage(text: str) -> str:
    """ "Backend Engineer Onsite" -> "Backend Engineer"; "Technical Writer" stays."""
    changed = True
    while changed and text:
        changed = False
        m = _TRAILING.search(text)
        if m and m.start() > 0:
            text, changed = text[: m.start()].rstrip(), True
            continue
        for _, pattern in STAGES:
            for m in pattern.finditer(text):
                if m.end() == len(text) and m.start() > 0 and ROLE_WORD.search(text[: m.start()]):
                    text, changed = text[: m.start()].rstrip(" -–—|:,."), True
                    break
            if changed:
                break
    return text


def _clean_role(text: str, company: str, people: set[str] = frozenset()) -> str:
    text = GENDER_SUFFIX.sub("", text)
    # Longest first: "Alex Rivera" before "alex" (an address's local part).
    for name in sorted({company, *people}, key=len, reverse=True):
        if name:  # "Interview: Alex Rivera for Junior Data Analyst"
            text = re.sub(r"(?<![\w])" + re.escape(name) + r"(?![\w])", " ", text, flags=re.I)
    text = KEYWORD.sub(" ", text)
    text = re.sub(r"[（(][^)）]*[)）]", " ", text)
    text = " ".join(text.split()).strip(" -–—|:,.")
    previous = None
    while previous != text:
        previous = text
        text = _LEADING.sub("", text).strip(" -–—|:,.")
        text = _strip_trailing_stage(text).strip(" -–—|:,.")
    return text


def _only_a_stage(text: str) -> bool:
    """ "Hiring Manager", "the hiring manager": a stage, not a job title."""
    for _, pattern in STAGES:
        text = pattern.sub(" ", text)
    return not ROLE_WORD.search(text)


def _role_in(text: str, company: str, people: set[str] = frozenset()) -> str:
    for segment in segments(text):
        if ROLE_WORD.search(segment):
            role = _clean_role(segment, company, people)
            if role and ROLE_WORD.search(role) and not _only_a_stage(role):
                return role
    return ""


def role_of(event: CalendarEvent, company: str = "", people: set[str] = frozenset()) -> str:
    title = GENDER_SUFFIX.sub("", event.summary)
    role = _role_in(title, company, people)
    if role:
        return role
    name = event_name(event)
    if name:
        role = _role_in(GENDER_SUFFIX.sub("", name), company)
        if role:
            return role
    for pattern in _DESCRIPTION_ROLE:
        m = pattern.search(event.description)
        if m:
            role = _clean_role(m.group(1).split("\n")[0], company)
            if role and len(role) <= 80:
                return role
    return ""


# --- stage -----------------------------------------------------------------------------
def stage_of(event: CalendarEvent) -> str:
    for text in (event.summary, event_name(event)):
        for name, pattern in STAGES:
            if text and pattern.search(text):
                return name
    return ""


# --- interviewers ----------------------------------------------------------------------
_LAST_FIRST = re.compile(r"^([^\s,]+),\s*([^\s,]+(?:\s[^\s,]+)?)$")


def _name_from_address(email: str) -> str:
    local = email.split("@")[0]
    parts = [p for p in re.split(r"[._]", local) if p]
    if len(parts) >= 2 and all(p.isalpha() and len(p) > 1 for p in parts):
        return " ".join(p.capitalize() for p in parts)
    return ""


def _interviewer(person: Person) -> Interviewer:
    name = person.name or _name_from_address(person.email)
    m = _LAST_FIRST.match(name)
    if m:
        name = f"{m.group(2)} {m.group(1)}"  # Outlook's "Kim, Daniel"
    return Interviewer(name=" ".join(name.split()), email=person.email)


def _is_a_person(person: Person, me: Me) -> bool:
    email = person.email
    domain = domains.domain_of(email)
    return not (
        me.is_me(email)
        or me.is_me_by_name(person.name)
        or person.cutype in ("RESOURCE", "ROOM", "GROUP", "UNKNOWN")
        or "@" not in email
        or domain.startswith("resource.")
        or ".resource." in domain
        or domain.endswith("group.calendar.google.com")
        or domains.ROLE_ACCOUNT.match(email)
        or domains.tool_of(domain) is not None
        or any(domains.within(domain, d) for d in domains.INFRASTRUCTURE)
    )


def interviewers_of(event: CalendarEvent, me: Me) -> tuple[Interviewer, ...]:
    out: list[Interviewer] = []
    seen: set[str] = set()
    organizer = event.organizer
    candidates = list(event.attendees)
    if organizer is not None and _is_a_person(organizer, me) and not ORG_CN.search(organizer.name):
        candidates.insert(0, organizer)
    for person in candidates:
        if not _is_a_person(person, me) or person.email in seen:
            continue
        seen.add(person.email)
        out.append(_interviewer(person))
    if out:
        return tuple(out)
    # GoodTime: the candidate's invitation lists only the candidate; the
    # itinerary in the description names the interviewers.
    names: list[str] = []
    for m in _ITINERARY_PERSON.finditer(event.description):
        if m.group(1):
            found = [m.group(1)]
        else:
            found = [n.strip() for n in re.split(r",|;| and | & ", m.group(2)) if n.strip()]
        for name in found:
            name = re.sub(r"\s*\(.*$", "", name).strip()
            words = name.split()
            if (
                2 <= len(words) <= 3
                and all(w[:1].isupper() for w in words)
                and name not in names
                and not me.is_me_by_name(name)
                and not ROLE_WORD.search(name)
                and not KEYWORD.search(name)
                and not _NOT_A_PERSON_NAME.search(name)
            ):
                names.append(name)
    return tuple(Interviewer(name=n) for n in names)
