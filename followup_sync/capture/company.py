"""The company an interview invitation is with.

In order: a title pattern ("Interview with X", "X <> Alex", "X Interview",
"... at X", "[X] ...", a segment with a legal form), unless X is a person in
the event or a job title; then the organiser's domain, then the attendees'
(free-mail, tool, shared-calendar, room and tenant domains skipped; under a
tenant suffix the label left of it: `bluedev.onmicrosoft.com` -> Bluedev); then
a job-board link (`jobs.lever.co/acme`); then the organiser's name without
"Candidate Calendar", "Recruiting"... The title's spelling wins when it names
the domain's company ("Acme Robotics" for acmerobotics.com).
"""

from __future__ import annotations

import re
from collections import Counter

from . import domains
from .detect import Me
from .events import CalendarEvent
from .words import KEYWORD, ROLE_WORD, SEPARATORS, STAGES

# --- title patterns ------------------------------------------------------------------
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
ORG_CN = re.compile(
    r"calendar|recruit(?:ing|ment|amento|ement)|talent|careers|hiring|scheduling|team|interviews|"
    r"no-?reply|"
    r"notifications?|(?<![\w])hr(?![\w])|dział|採用|채용|招聘|人事",
    re.IGNORECASE,
)
_LEGAL_SUFFIX = re.compile(
    r"(?<![\w])(?:inc|llc|ltd|gmbh|ag|ab|as|bv|nv|sa|sas|sarl|srl|spa|plc|corp|oy|kk|pty|"
    r"sp\. z o\.o\.)\.?(?![\w])|株式会社|有限会社|有限公司|科技|주식회사|㈜",
    re.IGNORECASE,
)


def people_names(event: CalendarEvent, me: Me) -> set[str]:
    """Names of the people in the event (not organisations: "Nordvik AB",
    "Initech Candidate Calendar"), which a title may mention without naming the company."""
    names = {
        p.name.casefold()
        for p in (event.organizer, *event.attendees)
        if p and p.name and not ORG_CN.search(p.name) and not _LEGAL_SUFFIX.search(p.name)
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
    for segment in segments(title):
        if not _LEGAL_SUFFIX.search(segment):
            continue
        attached = [
            p for p in segment.split() if _LEGAL_SUFFIX.search(p) and not _LEGAL_SUFFIX.fullmatch(p)
        ]
        x = _clean_company(attached[0] if attached else segment)
        if _plausible_company(x, people):
            return x
    return ""


def segments(title: str) -> list[str]:
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
    people = people_names(event, me) if people is None else people
    by_domain, domain = _domain_company(event, me)
    title = event.summary
    from_title = company_from_title(title, people)
    if from_title:
        return from_title
    if by_domain:
        # The title may spell it better ("Acme Robotics" for acmerobotics.example).
        key = domains.normalize_company(by_domain)
        leftovers = []
        for segment in segments(title):
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
