"""Email domains: which name a company, which belong to a tool, and the company they name.

The organiser of an interview invitation is often not the company: an
applicant-tracking system (`no-reply@ashbyhq.com`), a shared scheduling
calendar (`c_...@group.calendar.google.com`), a Microsoft 365 tenant
(`bluedev.onmicrosoft.com`) or a free-mail address. These lists say which
domains are evidence of a company and which are not (NOTES-capture-publish.md
1.2; strelov1/freehire's calmatch: the organiser "is evidence about who sent
the invitation, not about who is interviewing").
"""

from __future__ import annotations

import re

from ..addresses import domain_of as domain_of  # re-exported: capture reads domains.domain_of
from ..addresses import within

#: Applicant-tracking and interview-scheduling systems: a strong sign of a job
#: interview when they appear in an invitation (name shown in the signals).
ATS: dict[str, str] = {
    "greenhouse.io": "Greenhouse",
    "greenhouse-mail.io": "Greenhouse",
    "lever.co": "Lever",
    "hire.lever.co": "Lever",
    "ashbyhq.com": "Ashby",
    "goodtime.io": "GoodTime",
    "gem.com": "Gem",
    "modernloop.io": "ModernLoop",
    "prelude.co": "Prelude",
    "guide.co": "Guide",
    "myworkday.com": "Workday",
    "icims.com": "iCIMS",
    "smartrecruiters.com": "SmartRecruiters",
    "workable.com": "Workable",
    "teamtailor.com": "Teamtailor",
    "teamtailor-mail.com": "Teamtailor",
    "personio.de": "Personio",
    "personio.com": "Personio",
    "recruitee.com": "Recruitee",
    "bamboohr.com": "BambooHR",
    "jobvite.com": "Jobvite",
    "breezy.hr": "Breezy HR",
    "zohorecruit.com": "Zoho Recruit",
    "hrmos.co": "HRMOS",
    "join.com": "JOIN",
}
#: Booking tools anyone uses (sales calls too): no sign of an interview on their own.
GENERIC_SCHEDULERS: dict[str, str] = {
    "calendly.com": "Calendly",
    "cronofy.com": "Cronofy",
    "cal.com": "Cal.com",
    "zcal.co": "zcal",
    "savvycal.com": "SavvyCal",
    "youcanbook.me": "YouCanBookMe",
}
FREEMAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.de",
        "gmx.net",
        "web.de",
        "t-online.de",
        "aol.com",
        "mail.com",
        "fastmail.com",
        "zoho.com",
        "yandex.ru",
        "qq.com",
        "163.com",
        "naver.com",
        "daum.net",
        "orange.fr",
        "free.fr",
        "libero.it",
        "wp.pl",
        "o2.pl",
        "googlegroups.com",
    }
)
#: Infrastructure that names no company (calendars, rooms, meeting services).
INFRASTRUCTURE = frozenset(
    {
        "group.calendar.google.com",
        "resource.calendar.google.com",
        "calendar.google.com",
        "google.com",
        "zoom.us",
        "teams.microsoft.com",
        "microsoft.com",
        "webex.com",
    }
)
#: Hosts whose first label is the customer: `acme.onmicrosoft.com` is Acme's tenant.
TENANT_SUFFIXES = (
    "onmicrosoft.com",
    "greenhouse-mail.io",
    "myworkday.com",
    "bamboohr.com",
    "recruitee.com",
    "teamtailor.com",
    "workable.com",
    "breezy.hr",
    "personio.de",
    "personio.com",
    "icims.com",
    "zohorecruit.com",
)
#: Two-label public suffixes, so `globex.co.uk` is Globex, not "Co".
TWO_LEVEL_SUFFIXES = frozenset(
    {
        "co.uk",
        "org.uk",
        "ac.uk",
        "ltd.uk",
        "plc.uk",
        "co.jp",
        "ne.jp",
        "or.jp",
        "com.au",
        "net.au",
        "org.au",
        "co.nz",
        "com.br",
        "com.mx",
        "com.ar",
        "com.tr",
        "co.kr",
        "or.kr",
        "com.cn",
        "net.cn",
        "com.tw",
        "com.hk",
        "com.sg",
        "co.in",
        "co.za",
        "co.il",
        "com.pl",
        "com.es",
        "co.at",
    }
)
# Labels that are a mail or careers host of the company, not its name.
_HOST_LABELS = frozenset(
    {"mail", "email", "careers", "career", "jobs", "talent", "recruiting", "hire", "apply", "www"}
)
_TRAILING = re.compile(r"(?<=[a-z0-9])(?:-?(?:hq|inc|mail|careers|jobs|talent|recruiting))$")
#: Shared mailboxes, not people: never an interviewer to write to.
ROLE_ACCOUNT = re.compile(
    r"^(?:no-?reply|do-?not-?reply|donotreply|recruiting|recruitment|recruiter|recruit|careers?|"
    r"jobs?|talent|talentacquisition|scheduling|scheduler|schedule|calendar|calendars|"
    r"interviews?|hr|rh|people|hiring|notifications?|notify|bounce|mailer-daemon|info|hello|"
    r"team|admin|bewerbung(?:en)?|karriere|personal|recrutement|recrutamento|reclutamento|"
    r"seleccion|empleo|werving|rekrutacja|rekrytering|saiyo|jinji|zhaopin|chaeyong)"
    r"(?:[-+._][^@]*)?@",
    re.IGNORECASE,
)


def tool_of(domain: str) -> str | None:
    """The ATS or booking tool a domain belongs to, or None."""
    for suffix, name in (*ATS.items(), *GENERIC_SCHEDULERS.items()):
        if within(domain, suffix):
            return name
    return None


def ats_of(domain: str) -> str | None:
    for suffix, name in ATS.items():
        if within(domain, suffix):
            return name
    return None


def scheduler_of(domain: str) -> str | None:
    for suffix, name in GENERIC_SCHEDULERS.items():
        if within(domain, suffix):
            return name
    return None


def is_company_domain(domain: str) -> bool:
    """A domain that may name an employer: not free-mail, infrastructure or a tool
    (a tenant of a tool, `acme.onmicrosoft.com`, does)."""
    if not domain or "." not in domain or domain in FREEMAIL:
        return False
    if any(within(domain, s) for s in INFRASTRUCTURE) or domain in TENANT_SUFFIXES:
        return False
    if any(domain.endswith("." + s) for s in TENANT_SUFFIXES):
        return _tenant_label(domain) is not None
    return tool_of(domain) is None


def _tenant_label(domain: str) -> str | None:
    for suffix in TENANT_SUFFIXES:
        if domain.endswith("." + suffix):
            labels = domain[: -len(suffix) - 1].split(".")
            label = labels[-1]
            return None if label in _HOST_LABELS or not label else label
    return None


def registrable_label(domain: str) -> str:
    """The label that names the organisation: `mail.acme.example` -> "acme",
    `globex.co.uk` -> "globex", `bluedev.onmicrosoft.com` -> "bluedev"."""
    tenant = _tenant_label(domain)
    if tenant:
        return tenant
    labels = [x for x in domain.split(".") if x]
    if len(labels) >= 3 and ".".join(labels[-2:]) in TWO_LEVEL_SUFFIXES:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")


def company_from_domain(domain: str) -> str:
    """A company name from its domain: `acme-robotics.example` -> "Acme Robotics",
    `acmehq.com` -> "Acme"; "" for a domain that names no company."""
    if not is_company_domain(domain):
        return ""
    label = _TRAILING.sub("", registrable_label(domain).lower())
    words = [w for w in re.split(r"[-_]+", label) if w]
    if not words:
        return ""
    # Short labels are usually initials (ibm, sap): upper case reads better.
    return " ".join(w.upper() if len(w) <= 3 and len(words) == 1 else w.capitalize() for w in words)


_ATS_SLUG = [
    re.compile(r"jobs\.lever\.co/([A-Za-z0-9_-]+)"),
    re.compile(r"(?:boards|job-boards)\.(?:eu\.)?greenhouse\.io/([A-Za-z0-9_-]+)"),
    re.compile(r"jobs\.ashbyhq\.com/([A-Za-z0-9_.-]+)"),
    re.compile(r"careers\.smartrecruiters\.com/([A-Za-z0-9_-]+)"),
    re.compile(r"apply\.workable\.com/([A-Za-z0-9_-]+)"),
    re.compile(r"\b([A-Za-z0-9-]+)\.(?:jobs\.)?personio\.(?:de|com)\b"),
    re.compile(r"\b([A-Za-z0-9-]+)\.teamtailor\.com\b"),
    re.compile(r"\b([A-Za-z0-9-]+)\.recruitee\.com\b"),
    re.compile(r"\b([A-Za-z0-9-]+)\.bamboohr\.com\b"),
    re.compile(r"\b([A-Za-z0-9-]+)\.wd\d+\.myworkday\.com\b"),
]
_NOT_A_SLUG = frozenset({"www", "app", "api", "jobs", "careers", "boards", "apply", "mail", "help"})


def company_from_ats_link(text: str) -> str:
    """The company a job-board link names (`jobs.lever.co/acme-robotics` -> "Acme Robotics")."""
    for pattern in _ATS_SLUG:
        for m in pattern.finditer(text):
            slug = m.group(1).lower()
            if slug in _NOT_A_SLUG:
                continue
            words = [w for w in re.split(r"[-_.]+", slug) if w]
            if words:
                return " ".join(w.capitalize() for w in words)
    return ""


_LEGAL = re.compile(
    r"\b(?:inc|incorporated|llc|l\.l\.c|ltd|limited|gmbh|ag|se|ab|as|asa|oy|bv|b\.v|nv|n\.v|sa|s\.a|sas|"
    r"sarl|srl|s\.r\.l|spa|s\.p\.a|plc|corp|corporation|co|company|kk|k\.k|pty|pte|oü|"
    r"sp\.? z o\.?o|s\.l|sl)\b\.?",
    re.IGNORECASE,
)
_CJK_LEGAL = re.compile(
    r"株式会社|有限会社|合同会社|\(株\)|（株）|有限公司|股份有限公司|集团|주식회사|\(주\)|㈜"
)


def normalize_company(name: str) -> str:
    """A key for comparing company names: "Acme Robotics, Inc." == "acme robotics",
    "Wisła Software" == "wislasoftware" (a domain cannot spell the accent)."""
    text = _CJK_LEGAL.sub("", name)
    text = _LEGAL.sub(" ", text.lower())
    text = "".join(ch for ch in text if ch.isalnum())
    if not text.isascii():
        import unicodedata

        from anyascii import anyascii  # lazily: only non-ASCII names need it

        text = anyascii(unicodedata.normalize("NFC", text)).lower()
        text = "".join(ch for ch in text if ch.isalnum())
    return text
