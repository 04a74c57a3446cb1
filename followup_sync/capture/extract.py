"""What an interview invitation says: company, role, stage, interviewers.

- Company: a title pattern ("Interview with X", "X <> Alex", "X Interview",
  "[X] ..."), unless X is a person in the event or a job title; then the
  organiser's domain, then the attendees' (free-mail, tool, shared-calendar,
  room and tenant domains skipped; under a tenant suffix the label left of it:
  `bluedev.onmicrosoft.com` -> Bluedev); then a job-board link
  (`jobs.lever.co/acme`); then the organiser's name without "Candidate
  Calendar", "Recruiting"...
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
from collections import Counter
from dataclasses import dataclass

from ..models import Interviewer
from . import domains
from .detect import Me, event_name
from .events import CalendarEvent, Person
from .words import GENDER_SUFFIX, KEYWORD, ROLE_WORD, SEPARATORS, STAGES

# --- title patterns for the company ---------------------------------------------------
_KW = (
    r"(?:interviews?|phone screen|recruiter (?:screen|call|chat)|screening|call|chat|"
    r"entretien(?: d'embauche)?|entrevista|colloquio(?: conoscitivo)?|intervju|"
    r"vorstellungsgespr[äa]ch|bewerbungsgespr[äa]ch|kennenlerngespr[äa]ch|gespr[äa]ch|"
    r"sollicitatiegesprek|kennismakingsgesprek|rozmowa \w+)"
)
_PREP = r"(?:with|at|for|mit|bei|avec|chez|con|en|com|na|presso|bij|met|z|ze|w|med|hos)"
_END = r"(?:\s*[|:;/(–—]|\s+-|\s*$|,)"
_TITLE_PATTERNS = (
    # "Interview with Acme", "Entretien avec Lumière SAS", "Intervju med Nordvik AB"
    re.compile(rf"{_KW}\s+{_PREP}\s+(?P<x>[^|:;,()\[\]/–—<>]+?){_END}", re.I),
    # "... Customer Success Manager at Wayne Enterprises", "... Data Scientist bei Alpenblick AG"
    re.compile(
        rf"(?<![\w])(?:at|bei|chez|presso|bij|hos|en|na|no|em)\s+"
        rf"(?P<x>[A-ZÀ-ÖØ-Þ][^|:;,()\[\]/–—<>]*?){_END}"
    ),
    # "Acme Robotics Interview", "Hooli Onsite"
    re.compile(
        r"^(?P<x>[^|:;,()\[\]/–—<>-]+?)\s+(?:interview|onsite|phone screen|recruiter screen|"
        r"entretien|entrevista|colloquio|intervju|面接|面试|面試|면접)\b",
        re.I,
    ),
    # Korean and Japanese titles often lead with the company in brackets: "[한빛소프트] ..."
    re.compile(r"^\s*[\[【「](?P<x>[^\]】」]+)[\]】」]"),
)
_ORG_NAME_NOISE = re.compile(
    r"\b(?:candidate calendar|interview(?:s|ing)? calendar|recruiting(?: team)?|recruitment|"
    r"talent(?: acquisition| team)?|careers|hiring(?: team)?|interviews|scheduling|people team|hr)\b"
    r"|\b(?:at|@)\b",
    re.IGNORECASE,
)
_ORG_NAME_MARKER = re.compile(
    r"candidate calendar|interview(?:s|ing)? calendar|recruiting|recruitment|talent|careers|"
    r"hiring|scheduling|people team|\bhr\b",
    re.IGNORECASE,
)
_NOT_A_COMPANY = re.compile(
    r"^(?:the team|our team|team|us|me|you|the hiring team|hiring team|recruiting|recruiter|"
    r"hiring manager|the hiring manager|interview|interviews|round \d+|\d+|"
    # what kind of interview it is, not who holds it: "Video interview", "Second Interview"
    r"video|phone|telephone|zoom|teams|skype|online|virtual|remote|in-person|onsite|on-site|"
    r"first|second|third|final|initial|technical|follow-up|intro|introductory|short|quick|group|"
    r"panel|hr|my|our|your|an?|the)$",
    re.IGNORECASE,
)
_ORG_CN = re.compile(
    r"calendar|recruit(?:ing|ment|amento|ement)|talent|careers|hiring|scheduling|team|interviews|"
    r"no-?reply|"
    r"notifications?|(?<![\w])hr(?![\w])|dział|採用|채용|招聘|人事",
    re.IGNORECASE,
)
_NOT_A_PERSON_NAME = re.compile(r"google meet|microsoft teams|zoom|webex|calendly", re.I)
_LEGAL_SUFFIX = re.compile(
    r"(?<![\w])(?:inc|llc|ltd|gmbh|ag|ab|as|bv|nv|sa|sas|sarl|srl|spa|plc|corp|oy|kk|pty|"
    r"sp\. z o\.o\.)\.?(?![\w])|株式会社|有限会社|有限公司|科技|주식회사|㈜",
    re.IGNORECASE,
)
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
    people = _people_names(event, me)
    company = company_of(event, me, people)
    return Extracted(
        company=company,
        role=role_of(event, company, people),
        stage=stage_of(event),
        interviewers=interviewers_of(event, me),
    )


# --- company ---------------------------------------------------------------------------
def _people_names(event: CalendarEvent, me: Me) -> set[str]:
    """Names of the people in the event (not organisations: "Nordvik AB",
    "Initech Candidate Calendar"), which a title may mention without naming the company."""
    names = {
        p.name.casefold()
        for p in (event.organizer, *event.attendees)
        if p and p.name and not _ORG_CN.search(p.name) and not _LEGAL_SUFFIX.search(p.name)
    }
    names |= {p.email.split("@")[0].replace(".", " ").casefold() for p in event.attendees}
    if me.name:
        names.add(me.name.casefold())
    return {n for n in names if n}


def _is_person(text: str, people: set[str]) -> bool:
    folded = text.casefold().strip()
    if folded in people:
        return True
    # "Jane" alone, or "Jane D.", when a Jane is in the event.
    first = folded.split()[0] if folded.split() else ""
    return bool(first) and len(folded.split()) <= 2 and any(p.split()[0] == first for p in people)


_KIND_WORDS = re.compile(
    r"\s+(?:video|phone|telephone|zoom|teams|online|virtual|remote|in-person|onsite|on-site|"
    r"first|second|third|final|initial|technical|follow-up|intro|panel|hr)$",
    re.IGNORECASE,
)


_FROM = re.compile(r"^(?P<who>.+?)\s+(?:from|von|de|di|van)\s+(?P<x>.+)$", re.IGNORECASE)


def _clean_company(text: str, people: set[str] = frozenset()) -> str:
    text = text.strip(" \t-–—|:.,")
    text = KEYWORD.sub("", text).strip(" \t-–—|:.,")
    text = " ".join(text.split())
    m = _FROM.match(text)
    if m and _is_person(m.group("who"), people):
        text = m.group("x")  # "Sarah from Northwind"
    previous = None
    while (
        previous != text
    ):  # "Initech Virtual" (Onsite) -> "Initech"; "하늘뱅크 최종" -> "하늘뱅크"
        previous, text = text, _KIND_WORDS.sub("", text).strip()
        for _, pattern in STAGES:
            m = next((m for m in pattern.finditer(text) if m.end() == len(text)), None)
            if m is not None and m.start() > 0:
                text = text[: m.start()].strip(" -–—|:,.")
    return text


def _plausible_company(text: str, people: set[str]) -> bool:
    return (
        bool(text)
        and len(text) <= 60
        and not _NOT_A_COMPANY.match(text)
        and not ROLE_WORD.search(text)
        and not _is_person(text, people)
        and not any(p.search(text) for _, p in STAGES)
        and "@" not in text
    )


def company_from_title(title: str, people: set[str]) -> str:
    # "Acme <> Alex Rivera": whichever side is not a person of the event.
    if "<>" in title or "&lt;&gt;" in title:
        for side in re.split(r"\s*(?:<>|&lt;&gt;)\s*", title):
            side = _clean_company(SEPARATORS.split(side)[0], people)
            if _plausible_company(side, people):
                return side
    for pattern in _TITLE_PATTERNS:
        m = pattern.search(title)
        if m:
            if pattern is _TITLE_PATTERNS[-1] and KEYWORD.search(m.group("x")):
                continue  # "【二次面接】": the bracket holds the stage, not the company
            x = _clean_company(m.group("x"), people)
            if _plausible_company(x, people):
                return x
    # A segment with a legal form: "... - Nordlicht Software GmbH"; in Japanese it is
    # written onto the name ("株式会社ミライテック 一次面接"): then that piece alone.
    for segment in _segments(title):
        if not _LEGAL_SUFFIX.search(segment):
            continue
        attached = [
            p for p in segment.split() if _LEGAL_SUFFIX.search(p) and not _LEGAL_SUFFIX.fullmatch(p)
        ]
        x = _clean_company(attached[0] if attached else segment)
        if _plausible_company(x, people):
            return x
    return ""


def _segments(title: str) -> list[str]:
    return [s.strip() for s in SEPARATORS.split(title) if s and s.strip()]


def _domain_company(event: CalendarEvent, me: Me) -> tuple[str, str]:
    """(company, domain) from the organiser's domain, else the attendees' commonest."""
    organizer = event.organizer
    if organizer is not None and not me.is_me(organizer.email):
        domain = domains.domain_of(organizer.email)
        name = domains.company_from_domain(domain)
        if name and not me.at_my_job(organizer.email):
            return name, domain
    counts: Counter[str] = Counter()
    for person in event.attendees:
        if me.is_me(person.email) or person.cutype in ("RESOURCE", "ROOM"):
            continue
        domain = domains.domain_of(person.email)
        if domains.company_from_domain(domain) and not me.at_my_job(person.email):
            counts[domain] += 1
    if counts:
        domain = counts.most_common(1)[0][0]
        return domains.company_from_domain(domain), domain
    return "", ""


def company_of(event: CalendarEvent, me: Me, people: set[str] | None = None) -> str:
    people = _people_names(event, me) if people is None else people
    by_domain, domain = _domain_company(event, me)
    title = event.summary
    from_title = company_from_title(title, people)
    if from_title:
        return from_title
    if by_domain:
        # The title may spell it better ("Acme Robotics" for acmerobotics.example).
        key = domains.normalize_company(by_domain)
        leftovers = []
        for segment in _segments(title):
            seg = _clean_company(segment, people)
            norm = domains.normalize_company(seg)
            # "Mercy General Hospital" for mercygeneral.icims.com
            if norm and norm.startswith(key) and _plausible_company(seg, people):
                return seg
            if seg == segment and _plausible_company(seg, people) and not seg.isascii():
                leftovers.append(seg)
        if len(leftovers) == 1:
            # A domain cannot spell "台北雲端" (taipeicloud.example): the one segment
            # of the title that is neither job, stage nor person is the name.
            return leftovers[0]
        return by_domain
    from_link = domains.company_from_ats_link(f"{event.description}\n{event.location}")
    if from_link:
        return from_link
    organizer = event.organizer
    if organizer is not None and organizer.name and _ORG_NAME_MARKER.search(organizer.name):
        name = " ".join(_ORG_NAME_NOISE.sub(" ", organizer.name).split()).strip(" -–|,")
        if _plausible_company(name, people):
            return name
    return ""


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
    for segment in _segments(text):
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
_ORG_LIKE = _ORG_CN
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
        or any(domain == d or domain.endswith("." + d) for d in domains.INFRASTRUCTURE)
    )


def interviewers_of(event: CalendarEvent, me: Me) -> tuple[Interviewer, ...]:
    out: list[Interviewer] = []
    seen: set[str] = set()
    organizer = event.organizer
    candidates = list(event.attendees)
    if (
        organizer is not None
        and _is_a_person(organizer, me)
        and not _ORG_LIKE.search(organizer.name)
    ):
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
