"""Domains that say something about a sender: free-mail providers and applicant-tracking systems.

Mail from a company's own domain may count as a reply (`company_domain_replies`),
but never for a free-mail domain: an interviewer who writes from gmail.com does
not make every Gmail user the company. Applicant-tracking systems (ATS) send
status mail on a company's behalf from their own domains: such mail is a
possible response for the user to confirm, never acted on silently.

The lists are deliberately the common ones; a domain matches itself and its
subdomains (mail.greenhouse.io), never a lookalike (notgreenhouse.io): IMAP's
SEARCH FROM is a substring match, so every hit is checked again with `within`.
capture/domains.py keeps its own lists for another question (which tools
schedule interviews, which domains name no employer); they overlap on purpose
only where the answer is the same.
"""

from __future__ import annotations

from ..addresses import domain_of, within

__all__ = ["ATS", "FREE_MAIL", "ats_name", "domain_of", "is_free_mail", "within"]

_FREE_MAIL_TEXT = """
    gmail.com googlemail.com outlook.com hotmail.com hotmail.co.uk hotmail.fr live.com
    live.co.uk msn.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de yahoo.co.jp ymail.com
    rocketmail.com aol.com icloud.com me.com mac.com proton.me protonmail.com pm.me
    gmx.com gmx.net gmx.de web.de t-online.de freenet.de mail.com email.com zoho.com
    zohomail.com yandex.com yandex.ru mail.ru inbox.ru list.ru bk.ru fastmail.com
    fastmail.fm hey.com tutanota.com tuta.io qq.com 163.com 126.com sina.com naver.com
    daum.net hanmail.net orange.fr wanadoo.fr free.fr laposte.net libero.it virgilio.it
    seznam.cz wp.pl o2.pl interia.pl rediffmail.com
"""
FREE_MAIL = frozenset(_FREE_MAIL_TEXT.split())

#: Applicant-tracking systems and the domains they send from.
ATS = {
    "greenhouse.io": "Greenhouse",
    "greenhouse-mail.io": "Greenhouse",
    "lever.co": "Lever",
    "hire.lever.co": "Lever",
    "ashbyhq.com": "Ashby",
    "myworkday.com": "Workday",
    "workday.com": "Workday",
    "smartrecruiters.com": "SmartRecruiters",
    "icims.com": "iCIMS",
    "jobvite.com": "Jobvite",
    "taleo.net": "Taleo",
    "successfactors.com": "SuccessFactors",
    "successfactors.eu": "SuccessFactors",
    "bamboohr.com": "BambooHR",
    "workablemail.com": "Workable",
    "workable.com": "Workable",
    "recruitee.com": "Recruitee",
    "teamtailor.com": "Teamtailor",
    "teamtailor-mail.com": "Teamtailor",
    "breezy.hr": "Breezy HR",
    "jazzhr.com": "JazzHR",
    "applytojob.com": "JazzHR",
    "personio.de": "Personio",
    "personio.com": "Personio",
    "rippling.com": "Rippling",
    "pinpointhq.com": "Pinpoint",
}


def is_free_mail(domain: str) -> bool:
    return any(within(domain, d) for d in FREE_MAIL)


def ats_name(domain: str) -> str | None:
    """The applicant-tracking system `domain` belongs to, or None."""
    for d, name in ATS.items():
        if within(domain, d):
            return name
    return None
