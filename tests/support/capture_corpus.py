"""The capture corpus: invitations as the tools write them, with what each one is.

Every case is written out here by hand from the documented formats
(NOTES-capture-publish.md 1.1: Greenhouse, GoodTime, Gem, Ashby, Lever,
Calendly, Google Calendar, Teams/Outlook, and the European and Asian
applicant-tracking systems), with synthetic names and domains. `write(dir)`
renders them into tests/corpus/capture/ (one .ics per case, plus
expected.toml); the files are committed so anyone can read a case, and
tests/unit/test_capture_corpus.py checks that they still match this module.

The user is Alex Rivera <alex@example.com> (alias alex.rivera@gmail.com), who
works at Initrode (initrode.example) and conducts interviews there. "Today" is
2026-11-26; the default window is 2026-09-27 .. 2026-12-26.

Regenerate after editing: .venv/bin/python -m tests.support.capture_corpus
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "corpus" / "capture"
USER = ("Alex Rivera", "alex@example.com")
ALIAS = "alex.rivera@gmail.com"
MY_DOMAIN = "initrode.example"
CAPTURE_CONFIG = f"""
[capture]
aliases = ["{ALIAS}"]
my_domains = ["{MY_DOMAIN}"]
"""
CRLF = "\r\n"

# --- iCalendar text, written as the tools write it -------------------------------------


def esc(text: str) -> str:
    """RFC 5545 3.3.11 TEXT escaping."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets are folded (without splitting a character)."""
    out, current = [], b""
    for ch in line:
        b = ch.encode()
        limit = 75 if not out else 74
        if len(current) + len(b) > limit:
            out.append(current.decode())
            current = b""
        current += b
    out.append(current.decode())
    return (CRLF + " ").join(out)


TIMEZONES = {
    # Windows zone names as Exchange writes them, with their own VTIMEZONE.
    "W. Europe Standard Time": ("+0100", "+0200", "-1SU", "10", "-1SU", "3", "030000", "020000"),
    "Romance Standard Time": ("+0100", "+0200", "-1SU", "10", "-1SU", "3", "030000", "020000"),
    "Eastern Standard Time": ("-0500", "-0400", "1SU", "11", "2SU", "3", "020000", "020000"),
    "Pacific Standard Time": ("-0800", "-0700", "1SU", "11", "2SU", "3", "020000", "020000"),
    "Europe/Berlin": ("+0100", "+0200", "-1SU", "10", "-1SU", "3", "030000", "020000"),
    "Europe/Paris": ("+0100", "+0200", "-1SU", "10", "-1SU", "3", "030000", "020000"),
    "Europe/Madrid": ("+0100", "+0200", "-1SU", "10", "-1SU", "3", "030000", "020000"),
    "Europe/Rome": ("+0100", "+0200", "-1SU", "10", "-1SU", "3", "030000", "020000"),
    "Europe/Amsterdam": ("+0100", "+0200", "-1SU", "10", "-1SU", "3", "030000", "020000"),
    "Europe/Warsaw": ("+0100", "+0200", "-1SU", "10", "-1SU", "3", "030000", "020000"),
    "Europe/Stockholm": ("+0100", "+0200", "-1SU", "10", "-1SU", "3", "030000", "020000"),
    "Europe/Lisbon": ("+0000", "+0100", "-1SU", "10", "-1SU", "3", "020000", "010000"),
    "America/New_York": ("-0500", "-0400", "1SU", "11", "2SU", "3", "020000", "020000"),
    "America/Los_Angeles": ("-0800", "-0700", "1SU", "11", "2SU", "3", "020000", "020000"),
    "America/Sao_Paulo": ("-0300", "-0300", None, None, None, None, None, None),
    "Asia/Tokyo": ("+0900", "+0900", None, None, None, None, None, None),
    "Tokyo Standard Time": ("+0900", "+0900", None, None, None, None, None, None),
    "Asia/Shanghai": ("+0800", "+0800", None, None, None, None, None, None),
    "Asia/Seoul": ("+0900", "+0900", None, None, None, None, None, None),
}


def vtimezone(tzid: str) -> list[str]:
    std, dst, std_day, std_month, dst_day, dst_month, std_at, dst_at = TIMEZONES[tzid]
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    if std_day is None:
        lines += [
            "BEGIN:STANDARD",
            "DTSTART:16010101T000000",
            f"TZOFFSETFROM:{std}",
            f"TZOFFSETTO:{std}",
            "END:STANDARD",
        ]
    else:
        lines += [
            "BEGIN:STANDARD",
            f"DTSTART:16010101T{std_at}",
            f"TZOFFSETFROM:{dst}",
            f"TZOFFSETTO:{std}",
            f"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY={std_day};BYMONTH={std_month}",
            "END:STANDARD",
            "BEGIN:DAYLIGHT",
            f"DTSTART:16010101T{dst_at}",
            f"TZOFFSETFROM:{std}",
            f"TZOFFSETTO:{dst}",
            f"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY={dst_day};BYMONTH={dst_month}",
            "END:DAYLIGHT",
        ]
    return [*lines, "END:VTIMEZONE"]


def calendar(prodid: str, events: list[list[str]], method: str = "", tzids=()) -> str:
    lines = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "VERSION:2.0", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    for tzid in dict.fromkeys(tzids):
        lines += vtimezone(tzid)
    for ev in events:
        lines += ev
    lines.append("END:VCALENDAR")
    return CRLF.join(fold(x) for x in lines) + CRLF


def param(value: str) -> str:
    """RFC 5545 3.2: a parameter value with , ; or : is quoted (Outlook's "Rivera, Alex")."""
    return f'"{value}"' if any(c in value for c in ",;:") else value


def person_line(prop: str, name: str, email: str, **params: str) -> str:
    ps = "".join(f";{k.replace('_', '-')}={v}" for k, v in params.items())
    cn = f";CN={param(name)}" if name else ""
    if prop == "ORGANIZER":
        return f"ORGANIZER{cn}{ps}:mailto:{email}"
    return f"ATTENDEE{ps}{cn}:mailto:{email}"


def google_attendee(name: str, email: str, partstat="ACCEPTED", cutype="INDIVIDUAL") -> str:
    # Google writes the address as CN when it knows no name.
    return (
        f"ATTENDEE;CUTYPE={cutype};ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};"
        f"CN={param(name or email)};X-NUM-GUESTS=0:mailto:{email}"
    )


def me_google(partstat="ACCEPTED", email=USER[1]) -> str:
    return google_attendee(email, email, partstat)


MEET_BLOCK = (
    "\n\n-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~"
    ":~:~:~:~:~:~:~:~:~:~:~:~::~:~::-\nJoin with Google Meet: https://meet.google.com/{code}\n\n"
    "Learn more about Meet at: https://support.google.com/a/users/answer/9282720\n\n"
    "Please do not edit this section.\n-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~"
    ":~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-"
)
TEAMS_BLOCK = (
    "\n________________________________________________________________________________\n"
    "Microsoft Teams meeting\nJoin on your computer, mobile app or room device\n"
    "Click here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ameeting_{code}"
    "%40thread.v2/0>\nMeeting ID: 312 445 778 901\nPasscode: 7xYh2c\n"
    "Learn More<https://aka.ms/JoinTeamsMeeting> | Meeting options<https://teams.microsoft.com/"
    "meetingOptions/>\n________________________________________________________________________________"
)


def utc(stamp: str) -> str:
    """ "2026-11-18 19:00" -> "20261118T190000Z"."""
    d, t = stamp.split()
    return d.replace("-", "") + "T" + t.replace(":", "") + "00Z"


def local(stamp: str) -> str:
    d, t = stamp.split()
    return d.replace("-", "") + "T" + t.replace(":", "") + "00"


def google_event(
    uid: str,
    start: str,
    end: str,
    summary: str,
    organizer: tuple[str, str] | None,
    attendees: list[str],
    description: str = "",
    *,
    status: str = "CONFIRMED",
    meet: str | None = "abc-defg-hij",
    location: str = "",
    sequence: int = 0,
    extra: list[str] = (),
) -> list[str]:
    """A VEVENT as Google Calendar's secret-address feed and invitations write it."""
    desc = description + (MEET_BLOCK.format(code=meet) if meet else "")
    lines = [
        "BEGIN:VEVENT",
        f"DTSTART:{utc(start)}",
        f"DTEND:{utc(end)}",
        "DTSTAMP:20261126T120000Z",
    ]
    if organizer:
        lines.append(person_line("ORGANIZER", *organizer))
    lines.append(f"UID:{uid}")
    lines += attendees
    if meet:
        lines.append(f"X-GOOGLE-CONFERENCE:https://meet.google.com/{meet}")
    lines += [
        "CREATED:20261020T101500Z",
        f"DESCRIPTION:{esc(desc)}",
        "LAST-MODIFIED:20261020T101500Z",
        f"LOCATION:{esc(location)}",
        f"SEQUENCE:{sequence}",
        f"STATUS:{status}",
        f"SUMMARY:{esc(summary)}",
        "TRANSP:OPAQUE",
        *extra,
        "END:VEVENT",
    ]
    return lines


def teams_event(
    uid: str,
    tzid: str,
    start: str,
    end: str,
    summary: str,
    organizer: tuple[str, str],
    attendees: list[tuple[str, str, str]],
    description: str = "",
    *,
    lang: str = "en-US",
    status: str = "CONFIRMED",
    code: str = "NDg4MmE1ZGEtMDlkMi00YTIx",
) -> list[str]:
    """A VEVENT as Exchange/Outlook write a Teams invitation (Windows zone names)."""
    lines = [
        "BEGIN:VEVENT",
        person_line("ORGANIZER", *organizer),
    ]
    for name, email, partstat in attendees:
        lines.append(
            f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};RSVP=TRUE;CN={param(name)}:mailto:{email}"
        )
    lines += [
        f"DESCRIPTION;LANGUAGE={lang}:{esc(description + TEAMS_BLOCK.format(code=code))}",
        f"UID:{uid}",
        f"SUMMARY;LANGUAGE={lang}:{esc(summary)}",
        f"DTSTART;TZID={tzid}:{local(start)}",
        f"DTEND;TZID={tzid}:{local(end)}",
        "CLASS:PUBLIC",
        "PRIORITY:5",
        "DTSTAMP:20261102T094419Z",
        "TRANSP:OPAQUE",
        f"STATUS:{status}",
        "SEQUENCE:0",
        f"LOCATION;LANGUAGE={lang}:Microsoft Teams Meeting",
        "X-MICROSOFT-CDO-APPT-SEQUENCE:0",
        "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE",
        "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
        "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE",
        "X-MICROSOFT-CDO-IMPORTANCE:1",
        "X-MICROSOFT-CDO-INSTTYPE:0",
        f"X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/19%3ameeting_{code}%40thread.v2/0",
        "X-MICROSOFT-DONOTFORWARDMEETING:FALSE",
        "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
        "BEGIN:VALARM",
        "DESCRIPTION:REMINDER",
        "TRIGGER;RELATED=START:-PT15M",
        "ACTION:DISPLAY",
        "END:VALARM",
        "END:VEVENT",
    ]
    return lines


def tz_event(
    uid: str,
    tzid: str,
    start: str,
    end: str,
    summary: str,
    organizer: tuple[str, str] | None,
    attendees: list[str],
    description: str = "",
    *,
    status: str = "CONFIRMED",
    location: str = "",
    extra: list[str] = (),
) -> list[str]:
    """A plain RFC 5545 VEVENT with a TZID (ATS attachments, Apple, Fastmail, Nextcloud)."""
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T080000Z"]
    lines += [f"DTSTART;TZID={tzid}:{local(start)}", f"DTEND;TZID={tzid}:{local(end)}"]
    lines.append(f"SUMMARY:{esc(summary)}")
    if organizer:
        lines.append(person_line("ORGANIZER", *organizer))
    lines += attendees
    if description:
        lines.append(f"DESCRIPTION:{esc(description)}")
    if location:
        lines.append(f"LOCATION:{esc(location)}")
    lines += [f"STATUS:{status}", "SEQUENCE:0", *extra, "END:VEVENT"]
    return lines


def att(name: str, email: str, partstat: str = "NEEDS-ACTION", cutype: str = "INDIVIDUAL") -> str:
    return (
        f"ATTENDEE;CUTYPE={cutype};ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};RSVP=TRUE;"
        f"CN={param(name)}:mailto:{email}"
    )


def me_att(partstat: str = "NEEDS-ACTION", email: str = USER[1]) -> str:
    return att(USER[0], email, partstat)


GOOGLE = "-//Google Inc//Google Calendar 70.9054//EN"
EXCHANGE = "Microsoft Exchange Server 2010"
APPLE = "-//Apple Inc.//macOS 15.1//EN"


def calendly_description(event_name: str, host: str, extra: str = "") -> str:
    return (
        f"Event Name: {event_name}\n\n"
        f"Location: This is a Google Meet web conference.\n\n"
        f"{extra}"
        "Need to make changes to this event?\n"
        "Cancel: https://calendly.com/cancellations/6f1e2a9c-4b7d-4c1e-9a51-3d2b8e7f0a11\n"
        "Reschedule: https://calendly.com/reschedulings/6f1e2a9c-4b7d-4c1e-9a51-3d2b8e7f0a11\n\n"
        f"Powered by Calendly.com"
    )


# --- the cases -------------------------------------------------------------------------


@dataclass
class Case:
    """One file of the corpus.

    `kind` is "interview" or the category of a hard negative; interviews say what
    must be extracted (interviewers as "Name <email>" or a bare name, `start` as
    ISO 8601 with the offset the invitation was written in).
    """

    id: str
    kind: str
    text: str
    expect: dict = field(default_factory=dict)

    @property
    def interview(self) -> bool:
        return self.kind == "interview"


CASES: list[Case] = []


def interview(
    id: str,
    text: str,
    *,
    company: str,
    role: str,
    start: str,
    interviewers: list[str],
    stage: str = "",
) -> None:
    CASES.append(
        Case(
            id,
            "interview",
            text,
            {
                "company": company,
                "role": role,
                "start": start,
                "interviewers": interviewers,
                "stage": stage,
            },
        )
    )


def negative(id: str, kind: str, text: str) -> None:
    CASES.append(Case(id, kind, text))


ME = me_google()

# ===== Interviews ======================================================================

# Greenhouse: the candidate's confirmation attachment (METHOD:REQUEST), organiser the recruiter.
interview(
    "i01-greenhouse-acme-technical",
    calendar(
        "-//Greenhouse Software//Greenhouse Scheduler//EN",
        [
            tz_event(
                "gh-7731a9c2e4@greenhouse.io",
                "America/New_York",
                "2026-11-18 14:00",
                "2026-11-18 15:00",
                "Acme Robotics - Technical Interview - Senior Backend Engineer",
                ("Rita Recruiter", "rita.recruiter@acme-robotics.example"),
                [
                    att("Jane Doe", "jane.doe@acme-robotics.example"),
                    me_att("ACCEPTED"),
                    att(
                        "HQ 4 Cascade",
                        "hq-4-cascade@resource.acme-robotics.example",
                        "ACCEPTED",
                        "ROOM",
                    ),
                ],
                "Hi Alex,\n\nThank you for your interest in the Senior Backend Engineer role at "
                "Acme Robotics. Your interview is confirmed:\n\n2:00 PM - 3:00 PM Technical "
                "Interview with Jane Doe (Staff Engineer)\n\nJoin: https://acme-robotics.zoom.example/j/81723\n\n"
                "Scheduled with Greenhouse - https://boards.greenhouse.io/acmerobotics",
                location="https://acme-robotics.zoom.example/j/81723",
            )
        ],
        method="REQUEST",
        tzids=["America/New_York"],
    ),
    company="Acme Robotics",
    role="Senior Backend Engineer",
    start="2026-11-18T14:00:00-05:00",
    stage="technical",
    interviewers=[
        "Rita Recruiter <rita.recruiter@acme-robotics.example>",
        "Jane Doe <jane.doe@acme-robotics.example>",
    ],
)

# Greenhouse through a tenant mail domain; title without the company.
interview(
    "i02-greenhouse-globex-phone",
    calendar(
        "-//Greenhouse Software//Greenhouse Scheduler//EN",
        [
            tz_event(
                "gh-91bb02ffa1@greenhouse.io",
                "Europe/Berlin",
                "2026-10-07 10:00",
                "2026-10-07 10:30",
                "Phone Screen: Data Engineer",
                ("Globex Recruiting", "no-reply@globex.greenhouse-mail.io"),
                [att("Priya Shah", "priya.shah@globex.co.uk", "ACCEPTED"), me_att("ACCEPTED")],
                "Your phone screen with Priya Shah (Recruiter) for the Data Engineer position.\n"
                "We will call you at the number on your application.",
            )
        ],
        method="REQUEST",
        tzids=["Europe/Berlin"],
    ),
    company="Globex",
    role="Data Engineer",
    start="2026-10-07T10:00:00+02:00",
    stage="phone screen",
    interviewers=["Priya Shah <priya.shah@globex.co.uk>"],
)

# GoodTime: a shared "Candidate Calendar" organises; only the candidate is invited;
# the itinerary names the interviewers.
interview(
    "i03-goodtime-initech-virtual-onsite",
    calendar(
        GOOGLE,
        [
            google_event(
                "5p0f3qkq2vb7m3l1d1n8tq1c9a@google.com",
                "2026-11-20 16:00",
                "2026-11-20 19:00",
                "Initech Virtual Onsite - Product Designer",
                ("Initech Candidate Calendar", "c_8f3a6be1d2a94e0c@group.calendar.google.com"),
                [ME],
                "Hi Alex,\n\nHere is your itinerary for Friday:\n\n"
                "11:00 AM - 11:45 AM  Portfolio review with Sam Lee (Design Manager)\n"
                "12:00 PM - 12:45 PM  Product sense with Dana Kim (Senior Product Designer)\n"
                "1:15 PM - 2:00 PM  Values with Omar Haddad (Head of Design)\n\n"
                "Need to reschedule? https://candidate.goodtime.io/reschedule/2f8e1c",
            )
        ],
    ),
    company="Initech",
    role="Product Designer",
    start="2026-11-20T16:00:00+00:00",
    stage="virtual onsite",
    interviewers=["Sam Lee", "Dana Kim", "Omar Haddad"],
)

# GoodTime without any GoodTime link: the shared calendar's name is the evidence.
interview(
    "i04-goodtime-initech-final",
    calendar(
        GOOGLE,
        [
            google_event(
                "0v3k8bn2qj1c4lq9s7r1m2p4aa@google.com",
                "2026-12-08 17:00",
                "2026-12-08 17:45",
                "Final Interview | Initech | Product Designer",
                ("Initech Candidate Calendar", "c_8f3a6be1d2a94e0c@group.calendar.google.com"),
                [ME],
                "Your final conversation with Bill Lumbergh (VP Product).\n",
            )
        ],
    ),
    company="Initech",
    role="Product Designer",
    start="2026-12-08T17:00:00+00:00",
    stage="final round",
    interviewers=["Bill Lumbergh"],
)

# Ashby: three sessions on one day from no-reply@ashbyhq.com (one round).
for n, (topic, stage, start, end, who) in enumerate(
    [
        (
            "Coding",
            "technical",
            "2026-12-02 15:00",
            "2026-12-02 16:00",
            ("Gavin Belson", "gavin.belson"),
        ),
        (
            "System Design",
            "system design",
            "2026-12-02 16:15",
            "2026-12-02 17:15",
            ("Monica Hall", "monica.hall"),
        ),
        (
            "Hiring Manager",
            "hiring manager",
            "2026-12-02 17:30",
            "2026-12-02 18:00",
            ("Jared Dunn", "jared.dunn"),
        ),
    ],
    start=1,
):
    interview(
        f"i05-ashby-hooli-onsite-{n}",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"ashby-hooli-onsite-{n}-3f9a@ashbyhq.com",
                    start,
                    end,
                    f"Interview with Hooli: {topic} (Platform Engineer)",
                    ("Hooli Recruiting", "no-reply@ashbyhq.com"),
                    [google_attendee(who[0], f"{who[1]}@hooli.example"), ME],
                    "Hi Alex,\n\nThis is your onsite interview for Platform Engineer at Hooli.\n"
                    "Job: https://jobs.ashbyhq.com/hooli/2f7e1b\n",
                    meet=f"hoo-li{n}-xyz",
                )
            ],
        ),
        company="Hooli",
        role="Platform Engineer",
        start=f"{start.replace(' ', 'T')}:00+00:00",
        stage=stage,
        interviewers=[f"{who[0]} <{who[1]}@hooli.example>"],
    )

# Calendly: "{Invitee} and {Host}", the event type says what it is.
interview(
    "i06-calendly-hooli-recruiter",
    calendar(
        GOOGLE,
        [
            google_event(
                "8d1c0c2bbfb24e0f9e1f@calendly.com",
                "2026-10-14 16:00",
                "2026-10-14 16:30",
                "Alex Rivera and Morgan Lee",
                ("Morgan Lee", "morgan.lee@hooli.example"),
                [google_attendee("Morgan Lee", "morgan.lee@hooli.example"), ME],
                calendly_description(
                    "Recruiter Screen - Platform Engineer",
                    "Morgan Lee",
                    "Invitee: Alex Rivera\nInvitee Email: alex@example.com\n\n",
                ),
            )
        ],
    ),
    company="Hooli",
    role="Platform Engineer",
    start="2026-10-14T16:00:00+00:00",
    stage="recruiter screen",
    interviewers=["Morgan Lee <morgan.lee@hooli.example>"],
)

# Calendly as Google delivers it when the host's description is HTML.
interview(
    "i07-calendly-html-massive",
    calendar(
        GOOGLE,
        [
            google_event(
                "c1f0e9d8a7b64c3d@calendly.com",
                "2026-11-05 18:00",
                "2026-11-05 18:45",
                "Alex Rivera and Jordan Park",
                ("Jordan Park", "jordan.park@massive-dynamic.example"),
                [google_attendee("Jordan Park", "jordan.park@massive-dynamic.example"), ME],
                "<b>Event Name:</b> Hiring Manager Interview &ndash; Senior Product Manager<br><br>"
                "<b>Location:</b> Zoom<br><br>Need to make changes to this event?<br>"
                'Cancel: <a href="https://calendly.com/cancellations/9a8b">https://calendly.com/'
                "cancellations/9a8b</a><br>Powered by Calendly.com",
            )
        ],
    ),
    company="Massive Dynamic",
    role="Senior Product Manager",
    start="2026-11-05T18:00:00+00:00",
    stage="hiring manager",
    interviewers=["Jordan Park <jordan.park@massive-dynamic.example>"],
)

# Lever: organiser the recruiter; the job link names the company.
interview(
    "i08-lever-vandelay",
    calendar(
        GOOGLE,
        [
            google_event(
                "lever-6c2d9e0a@hire.lever.co",
                "2026-10-21 14:00",
                "2026-10-21 14:45",
                "Vandelay Industries Interview - Account Executive",
                ("Art Vandelay", "art.vandelay@vandelay.example"),
                [google_attendee("Art Vandelay", "art.vandelay@vandelay.example"), ME],
                "Looking forward to speaking with you!\nRole: Account Executive\n"
                "https://jobs.lever.co/vandelay/1c2d3e4f\n",
            )
        ],
    ),
    company="Vandelay Industries",
    role="Account Executive",
    start="2026-10-21T14:00:00+00:00",
    interviewers=["Art Vandelay <art.vandelay@vandelay.example>"],
)

# Gem: a shared recruiting mailbox organises; the role is in the description.
interview(
    "i09-gem-umbrella",
    calendar(
        GOOGLE,
        [
            google_event(
                "gem-4e1f2a3b5c6d@gem.com",
                "2026-10-28 15:30",
                "2026-10-28 16:00",
                "Alex Rivera <> Umbrella | Recruiter Screen",
                ("Umbrella Recruiting", "recruiting@umbrella.example"),
                [google_attendee("Ken Ito", "ken.ito@umbrella.example"), ME],
                "Hi Alex, looking forward to chatting about the Site Reliability Engineer role.\n\n"
                "Scheduled with Gem - https://www.gem.com/scheduling",
            )
        ],
    ),
    company="Umbrella",
    role="Site Reliability Engineer",
    start="2026-10-28T15:30:00+00:00",
    stage="recruiter screen",
    interviewers=["Ken Ito <ken.ito@umbrella.example>"],
)

# Teams from a Microsoft 365 tenant, Windows zone name with its VTIMEZONE.
interview(
    "i10-teams-bluedev",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E0080000000012B4C6F83A4DD701000000000000000010000000A1",
                "W. Europe Standard Time",
                "2026-11-17 14:30",
                "2026-11-17 15:30",
                "Interview: Platform Engineer",
                ("Thomas Blue", "thomas.blue@bluedev.onmicrosoft.com"),
                [(USER[1], USER[1], "NEEDS-ACTION")],
            )
        ],
        method="REQUEST",
        tzids=["W. Europe Standard Time"],
    ),
    company="Bluedev",
    role="Platform Engineer",
    start="2026-11-17T14:30:00+01:00",
    interviewers=["Thomas Blue <thomas.blue@bluedev.onmicrosoft.com>"],
)

interview(
    "i11-teams-contoso-final",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E0080000000034C1D2E3F4A5D701000000000000000010000000B2",
                "Eastern Standard Time",
                "2026-12-10 11:00",
                "2026-12-10 12:00",
                "Contoso - Final Interview - Cloud Solutions Architect",
                ("Ana Lopez", "ana.lopez@contoso.example"),
                [
                    ("Rivera, Alex", USER[1], "ACCEPTED"),
                    ("Kim, Daniel", "daniel.kim@contoso.example", "ACCEPTED"),
                    ("Conf Room 12B", "confroom12b@contoso.example", "ACCEPTED"),
                ],
            )
        ],
        method="REQUEST",
        tzids=["Eastern Standard Time"],
    ).replace(
        "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=TRUE;CN=Conf Room 12B",
        "ATTENDEE;CUTYPE=ROOM;ROLE=NON-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=TRUE;CN=Conf Room 12B",
    ),
    company="Contoso",
    role="Cloud Solutions Architect",
    start="2026-12-10T11:00:00-05:00",
    stage="final round",
    interviewers=[
        "Ana Lopez <ana.lopez@contoso.example>",
        "Daniel Kim <daniel.kim@contoso.example>",
    ],
)

# Google, no ATS: the title names the company, the description the role.
interview(
    "i12-google-piedpiper",
    calendar(
        GOOGLE,
        [
            google_event(
                "3q8v2m1n0b9c8x7z6l5k4j3h2g@google.com",
                "2026-10-02 17:00",
                "2026-10-02 17:45",
                "Interview with Pied Piper",
                ("Richard Roe", "richard@piedpiper.example"),
                [google_attendee("Richard Roe", "richard@piedpiper.example"), ME],
                "Hi Alex,\nPosition: Frontend Developer\nWe'll talk about your projects.",
            )
        ],
    ),
    company="Pied Piper",
    role="Frontend Developer",
    start="2026-10-02T17:00:00+00:00",
    interviewers=["Richard Roe <richard@piedpiper.example>"],
)

interview(
    "i13-zoom-stark-hm",
    calendar(
        GOOGLE,
        [
            google_event(
                "6h5g4f3d2s1a0p9o8i7u6y5t4r@google.com",
                "2026-11-10 20:00",
                "2026-11-10 20:45",
                "Stark Industries: Hiring Manager Interview (Engineering Manager)",
                ("Pepper Potts", "pepper.potts@stark-industries.example"),
                [
                    google_attendee("Pepper Potts", "pepper.potts@stark-industries.example"),
                    google_attendee("Happy Hogan", "happy.hogan@stark-industries.example"),
                    ME,
                ],
                "Zoom: https://stark-industries.zoom.example/j/99812",
                meet=None,
                location="https://stark-industries.zoom.example/j/99812",
            )
        ],
    ),
    company="Stark Industries",
    role="Engineering Manager",
    start="2026-11-10T20:00:00+00:00",
    stage="hiring manager",
    interviewers=[
        "Pepper Potts <pepper.potts@stark-industries.example>",
        "Happy Hogan <happy.hogan@stark-industries.example>",
    ],
)

# Workable: "Interview for ROLE at COMPANY".
interview(
    "i14-workable-wayne",
    calendar(
        "-//Workable//Workable Calendar//EN",
        [
            tz_event(
                "workable-interview-55a1c2@workable.com",
                "America/New_York",
                "2026-11-12 10:00",
                "2026-11-12 10:45",
                "Interview for Customer Success Manager at Wayne Enterprises",
                ("Lucius Fox", "lucius.fox@wayne-enterprises.example"),
                [att("Lucius Fox", "lucius.fox@wayne-enterprises.example", "ACCEPTED"), me_att()],
                "Scheduled via https://apply.workable.com/wayne-enterprises/j/1A2B3C/",
            )
        ],
        method="REQUEST",
        tzids=["America/New_York"],
    ),
    company="Wayne Enterprises",
    role="Customer Success Manager",
    start="2026-11-12T10:00:00-05:00",
    interviewers=["Lucius Fox <lucius.fox@wayne-enterprises.example>"],
)

# Workday sends from the tool's own domain; an attendee names the company.
interview(
    "i15-workday-oscorp",
    calendar(
        "-//Workday//Recruiting//EN",
        [
            tz_event(
                "wd-recruiting-9f8e7d6c@myworkday.com",
                "America/New_York",
                "2026-10-16 13:00",
                "2026-10-16 14:00",
                "Interview - Senior Accountant - Oscorp",
                ("Oscorp Talent", "oscorp@myworkday.com"),
                [att("Harry Osborn", "harry.osborn@oscorp.example"), me_att("ACCEPTED")],
                "Please join via the link provided by your recruiter.",
            )
        ],
        method="REQUEST",
        tzids=["America/New_York"],
    ),
    company="Oscorp",
    role="Senior Accountant",
    start="2026-10-16T13:00:00-04:00",
    interviewers=["Harry Osborn <harry.osborn@oscorp.example>"],
)

# An agency recruiter writing from a free-mail address.
interview(
    "i16-agency-cyberdyne",
    calendar(
        GOOGLE,
        [
            google_event(
                "1z2x3c4v5b6n7m8a9s0d1f2g3h@google.com",
                "2026-11-03 15:00",
                "2026-11-03 16:00",
                "Interview with Cyberdyne - ML Engineer",
                ("Tom Agent", "tom.agent.recruits@gmail.com"),
                [
                    google_attendee("Tom Agent", "tom.agent.recruits@gmail.com"),
                    google_attendee("Miles Dyson", "miles.dyson@cyberdyne.example"),
                    ME,
                ],
                "Good luck! Call me before if anything comes up.",
            )
        ],
    ),
    company="Cyberdyne",
    role="ML Engineer",
    start="2026-11-03T15:00:00+00:00",
    interviewers=[
        "Tom Agent <tom.agent.recruits@gmail.com>",
        "Miles Dyson <miles.dyson@cyberdyne.example>",
    ],
)

# Apple Calendar invitation.
interview(
    "i17-apple-tyrell",
    calendar(
        APPLE,
        [
            tz_event(
                "B7C1D0E2-5A3F-4C2B-9E1D-7F6A5B4C3D2E",
                "America/Los_Angeles",
                "2026-11-24 09:30",
                "2026-11-24 10:30",
                "Interview - Frontend Engineer - Tyrell Corp",
                ("Rachael Tyrell", "rachael@tyrell.example"),
                [att("Rachael Tyrell", "rachael@tyrell.example", "ACCEPTED"), me_att("ACCEPTED")],
                "",
                extra=["X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC"],
            )
        ],
        method="REQUEST",
        tzids=["America/Los_Angeles"],
    ),
    company="Tyrell Corp",
    role="Frontend Engineer",
    start="2026-11-24T09:30:00-08:00",
    interviewers=["Rachael Tyrell <rachael@tyrell.example>"],
)

# Two Greenhouse sessions on one day: one round.
for n, (topic, start, end, who) in enumerate(
    [
        ("Coding", "2026-12-03 15:00", "2026-12-03 16:00", ("Luis Ortega", "luis.ortega")),
        ("Architecture", "2026-12-03 16:30", "2026-12-03 17:30", ("Mei Chen", "mei.chen")),
    ],
    start=1,
):
    interview(
        f"i18-greenhouse-acme-onsite-{n}",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"gh-onsite-{n}-a1b2c3@greenhouse.io",
                    start,
                    end,
                    f"Acme Robotics Onsite: {topic} - Senior Backend Engineer",
                    ("Rita Recruiter", "rita.recruiter@acme-robotics.example"),
                    [google_attendee(who[0], f"{who[1]}@acme-robotics.example"), ME],
                    "Onsite interview. Directions: https://boards.greenhouse.io/acmerobotics",
                    meet=None,
                    location="Acme Robotics HQ, 5 Harbor Way",
                )
            ],
        ),
        company="Acme Robotics",
        role="Senior Backend Engineer",
        start=f"{start.replace(' ', 'T')}:00+00:00",
        stage="onsite",
        interviewers=[
            "Rita Recruiter <rita.recruiter@acme-robotics.example>",
            f"{who[0]} <{who[1]}@acme-robotics.example>",
        ],
    )

# A floating time (no zone at all): read in the feed's or the user's zone.
interview(
    "i19-floating-bluesun",
    calendar(
        "-//Fastmail//Calendar//EN",
        [
            [
                "BEGIN:VEVENT",
                "UID:fm-0c9d8e7f6a5b@fastmail.example",
                "DTSTAMP:20261101T080000Z",
                "DTSTART:20261209T100000",
                "DTEND:20261209T104500",
                "SUMMARY:Interview with Blue Sun Corp - Operations Analyst",
                "ORGANIZER;CN=River Tam:mailto:river.tam@bluesun.example",
                att("River Tam", "river.tam@bluesun.example", "ACCEPTED"),
                me_att("ACCEPTED"),
                "END:VEVENT",
            ]
        ],
    ),
    company="Blue Sun Corp",
    role="Operations Analyst",
    start="2026-12-09T10:00:00-05:00",
    interviewers=["River Tam <river.tam@bluesun.example>"],
)

# SmartRecruiters.
interview(
    "i20-smartrecruiters-soylent",
    calendar(
        "-//SmartRecruiters//Interview Scheduler//EN",
        [
            tz_event(
                "sr-7766aa55@smartrecruiters.com",
                "America/New_York",
                "2026-10-09 11:00",
                "2026-10-09 11:30",
                "Video interview: Marketing Specialist — Soylent Corp",
                ("Soylent Careers", "careers@soylent.example"),
                [att("Sol Green", "sol.green@soylent.example"), me_att("ACCEPTED")],
                "https://careers.smartrecruiters.com/SoylentCorp/marketing-specialist",
            )
        ],
        method="REQUEST",
        tzids=["America/New_York"],
    ),
    company="Soylent Corp",
    role="Marketing Specialist",
    start="2026-10-09T11:00:00-04:00",
    interviewers=["Sol Green <sol.green@soylent.example>"],
)

# iCIMS: a second round at a hospital.
interview(
    "i21-icims-mercy",
    calendar(
        "-//iCIMS//Interview Scheduling//EN",
        [
            tz_event(
                "icims-44ab90@icims.com",
                "America/New_York",
                "2026-11-30 08:30",
                "2026-11-30 09:30",
                "Second Interview - Data Analyst - Mercy General Hospital",
                ("Mercy General Recruiting", "noreply@mercygeneral.icims.com"),
                [att("Grace Hill", "grace.hill@mercygeneral.example"), me_att("ACCEPTED")],
                "Please arrive 10 minutes early.",
                location="Mercy General, Building B",
            )
        ],
        method="REQUEST",
        tzids=["America/New_York"],
    ),
    company="Mercy General Hospital",
    role="Data Analyst",
    start="2026-11-30T08:30:00-05:00",
    stage="second round",
    interviewers=["Grace Hill <grace.hill@mercygeneral.example>"],
)

# Zoom invitation from Fastmail.
interview(
    "i22-dunder-zoom",
    calendar(
        "-//Fastmail//Calendar//EN",
        [
            tz_event(
                "fm-9a8b7c6d5e4f@fastmail.example",
                "America/New_York",
                "2026-10-30 15:00",
                "2026-10-30 15:45",
                "Zoom interview with Dunder Mifflin: Regional Sales Manager",
                ("Jan Levinson", "jan.levinson@dundermifflin.example"),
                [
                    att("Jan Levinson", "jan.levinson@dundermifflin.example", "ACCEPTED"),
                    me_att("ACCEPTED"),
                ],
                "Join Zoom Meeting https://dundermifflin.zoom.example/j/55512",
            )
        ],
        tzids=["America/New_York"],
    ),
    company="Dunder Mifflin",
    role="Regional Sales Manager",
    start="2026-10-30T15:00:00-04:00",
    interviewers=["Jan Levinson <jan.levinson@dundermifflin.example>"],
)

# The user's alias is the invited address.
interview(
    "i23-alias-weyland",
    calendar(
        GOOGLE,
        [
            google_event(
                "9o8i7u6y5t4r3e2w1q0p9o8i7u@google.com",
                "2026-12-01 16:00",
                "2026-12-01 17:00",
                "Weyland-Yutani | Technical Interview | Robotics Engineer",
                ("Carter Burke", "carter.burke@weyland-yutani.example"),
                [
                    google_attendee("Carter Burke", "carter.burke@weyland-yutani.example"),
                    google_attendee("Ellen Ripley", "ellen.ripley@weyland-yutani.example"),
                    me_google(email=ALIAS),
                ],
            )
        ],
    ),
    company="Weyland-Yutani",
    role="Robotics Engineer",
    start="2026-12-01T16:00:00+00:00",
    stage="technical",
    interviewers=[
        "Carter Burke <carter.burke@weyland-yutani.example>",
        "Ellen Ripley <ellen.ripley@weyland-yutani.example>",
    ],
)

# --- German -------------------------------------------------------------------------------
interview(
    "i24-de-personio-nordlicht",
    calendar(
        "-//Personio//Recruiting//DE",
        [
            tz_event(
                "personio-3c4d5e6f@personio.de",
                "Europe/Berlin",
                "2026-10-12 10:00",
                "2026-10-12 11:00",
                "Vorstellungsgespräch: Backend-Entwickler (m/w/d) – Nordlicht Software GmbH",
                ("Nordlicht Software GmbH", "jobs@nordlicht-software.example"),
                [
                    att("Katrin Weber", "katrin.weber@nordlicht-software.example"),
                    me_att("ACCEPTED"),
                ],
                "Hallo Alex,\nwir freuen uns auf das Gespräch.\n"
                "Stellenanzeige: https://nordlicht.jobs.personio.de/job/811",
            )
        ],
        method="REQUEST",
        tzids=["Europe/Berlin"],
    ),
    company="Nordlicht Software GmbH",
    role="Backend-Entwickler",
    start="2026-10-12T10:00:00+02:00",
    interviewers=["Katrin Weber <katrin.weber@nordlicht-software.example>"],
)

interview(
    "i25-de-teams-alpenblick",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6D701000000000000000010000000C3",
                "W. Europe Standard Time",
                "2026-11-19 09:00",
                "2026-11-19 09:45",
                "Kennenlerngespräch Data Scientist bei Alpenblick AG",
                ("Sabine Huber", "sabine.huber@alpenblick.example"),
                [("Alex Rivera", USER[1], "ACCEPTED")],
                "Liebe Bewerberin, lieber Bewerber, wir freuen uns auf Sie.",
                lang="de-DE",
            )
        ],
        method="REQUEST",
        tzids=["W. Europe Standard Time"],
    ),
    company="Alpenblick AG",
    role="Data Scientist",
    start="2026-11-19T09:00:00+01:00",
    stage="recruiter screen",
    interviewers=["Sabine Huber <sabine.huber@alpenblick.example>"],
)

interview(
    "i26-de-bewerbung-rheinwerk",
    calendar(
        GOOGLE,
        [
            google_event(
                "2b3n4m5k6j7h8g9f0d1s2a3q4w@google.com",
                "2026-12-14 13:00",
                "2026-12-14 14:00",
                "Bewerbungsgespräch Rheinwerk Logistik – Projektmanager",
                ("Jonas Becker", "jonas.becker@rheinwerk-logistik.example"),
                [google_attendee("Jonas Becker", "jonas.becker@rheinwerk-logistik.example"), ME],
            )
        ],
    ),
    company="Rheinwerk Logistik",
    role="Projektmanager",
    start="2026-12-14T13:00:00+00:00",
    interviewers=["Jonas Becker <jonas.becker@rheinwerk-logistik.example>"],
)

# --- French -------------------------------------------------------------------------------
interview(
    "i27-fr-lumiere",
    calendar(
        GOOGLE,
        [
            google_event(
                "7y6t5r4e3w2q1a0s9d8f7g6h5j@google.com",
                "2026-10-19 08:00",
                "2026-10-19 09:00",
                "Entretien d'embauche - Développeur Python (H/F) - Lumière SAS",
                ("Claire Martin", "claire.martin@lumiere.example"),
                [google_attendee("Claire Martin", "claire.martin@lumiere.example"), ME],
                "Bonjour Alex,\nNous vous confirmons votre entretien.",
            )
        ],
    ),
    company="Lumière SAS",
    role="Développeur Python",
    start="2026-10-19T08:00:00+00:00",
    interviewers=["Claire Martin <claire.martin@lumiere.example>"],
)

interview(
    "i28-fr-teams-papillon",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E00800000000D4E5F6A7B8C9D701000000000000000010000000D4",
                "Romance Standard Time",
                "2026-11-25 15:00",
                "2026-11-25 16:00",
                "Entretien avec Papillon Tech – Ingénieure DevOps",
                ("Julien Moreau", "julien.moreau@papillontech.example"),
                [
                    ("Alex Rivera", USER[1], "ACCEPTED"),
                    ("Léa Dubois", "lea.dubois@papillontech.example", "ACCEPTED"),
                ],
                lang="fr-FR",
            )
        ],
        method="REQUEST",
        tzids=["Romance Standard Time"],
    ),
    company="Papillon Tech",
    role="Ingénieure DevOps",
    start="2026-11-25T15:00:00+01:00",
    interviewers=[
        "Julien Moreau <julien.moreau@papillontech.example>",
        "Léa Dubois <lea.dubois@papillontech.example>",
    ],
)

# --- Spanish, Portuguese, Italian, Dutch, Polish, Swedish ----------------------------------
interview(
    "i29-es-sol",
    calendar(
        GOOGLE,
        [
            google_event(
                "4r5t6y7u8i9o0p1a2s3d4f5g6h@google.com",
                "2026-10-26 09:00",
                "2026-10-26 10:00",
                "Entrevista con Sol Tecnología - Ingeniero de Datos",
                ("María García", "maria.garcia@soltecnologia.example"),
                [google_attendee("María García", "maria.garcia@soltecnologia.example"), ME],
            )
        ],
    ),
    company="Sol Tecnología",
    role="Ingeniero de Datos",
    start="2026-10-26T09:00:00+00:00",
    interviewers=["María García <maria.garcia@soltecnologia.example>"],
)

interview(
    "i30-pt-atlantico",
    calendar(
        GOOGLE,
        [
            google_event(
                "5t6y7u8i9o0p1q2w3e4r5t6y7u@google.com",
                "2026-11-09 13:00",
                "2026-11-09 14:00",
                "Entrevista: Engenheiro de Software | Atlântico Digital",
                ("Recrutamento Atlântico", "recrutamento@atlantico-digital.example"),
                [google_attendee("João Silva", "joao.silva@atlantico-digital.example"), ME],
            )
        ],
    ),
    company="Atlântico Digital",
    role="Engenheiro de Software",
    start="2026-11-09T13:00:00+00:00",
    interviewers=["João Silva <joao.silva@atlantico-digital.example>"],
)

interview(
    "i31-it-aurora",
    calendar(
        "-//Zimbra//Calendar//IT",
        [
            tz_event(
                "zimbra-7f8e9d@aurora.example",
                "Europe/Rome",
                "2026-11-16 11:00",
                "2026-11-16 12:00",
                "Colloquio conoscitivo - Sviluppatore Java - Aurora Srl",
                ("Giulia Rossi", "giulia.rossi@aurora.example"),
                [
                    att("Giulia Rossi", "giulia.rossi@aurora.example", "ACCEPTED"),
                    me_att("ACCEPTED"),
                ],
            )
        ],
        method="REQUEST",
        tzids=["Europe/Rome"],
    ),
    company="Aurora Srl",
    role="Sviluppatore Java",
    start="2026-11-16T11:00:00+01:00",
    interviewers=["Giulia Rossi <giulia.rossi@aurora.example>"],
)

interview(
    "i32-nl-tulp",
    calendar(
        "-//Recruitee//Recruitee//EN",
        [
            tz_event(
                "recruitee-2a3b4c@recruitee.com",
                "Europe/Amsterdam",
                "2026-10-05 14:00",
                "2026-10-05 15:00",
                "Sollicitatiegesprek bij Tulp Data BV - Data Analist",
                ("Tulp Data", "tulpdata@recruitee.com"),
                [att("Sanne de Vries", "sanne.devries@tulpdata.example"), me_att("ACCEPTED")],
                "Vacature: https://tulpdata.recruitee.com/o/data-analist",
            )
        ],
        method="REQUEST",
        tzids=["Europe/Amsterdam"],
    ),
    company="Tulp Data BV",
    role="Data Analist",
    start="2026-10-05T14:00:00+02:00",
    interviewers=["Sanne de Vries <sanne.devries@tulpdata.example>"],
)

interview(
    "i33-pl-wisla",
    calendar(
        GOOGLE,
        [
            google_event(
                "6y7u8i9o0p1a2s3d4f5g6h7j8k@google.com",
                "2026-11-04 10:00",
                "2026-11-04 11:00",
                "Rozmowa rekrutacyjna - Programista Python - Wisła Software",
                ("Dział HR", "hr@wislasoftware.example"),
                [google_attendee("Anna Nowak", "anna.nowak@wislasoftware.example"), ME],
            )
        ],
    ),
    company="Wisła Software",
    role="Programista Python",
    start="2026-11-04T10:00:00+00:00",
    interviewers=["Anna Nowak <anna.nowak@wislasoftware.example>"],
)

interview(
    "i34-sv-nordvik",
    calendar(
        "-//Teamtailor//Teamtailor//EN",
        [
            tz_event(
                "teamtailor-8b9c0d@teamtailor.com",
                "Europe/Stockholm",
                "2026-11-23 13:30",
                "2026-11-23 14:30",
                "Intervju med Nordvik AB – Utvecklare",
                ("Nordvik AB", "nordvik@teamtailor-mail.com"),
                [att("Erik Lindqvist", "erik.lindqvist@nordvik.example"), me_att("ACCEPTED")],
                "https://nordvik.teamtailor.com/jobs/4411-utvecklare",
            )
        ],
        method="REQUEST",
        tzids=["Europe/Stockholm"],
    ),
    company="Nordvik AB",
    role="Utvecklare",
    start="2026-11-23T13:30:00+01:00",
    interviewers=["Erik Lindqvist <erik.lindqvist@nordvik.example>"],
)

# --- Japanese, Chinese, Korean -------------------------------------------------------------
interview(
    "i35-ja-miraitech",
    calendar(
        GOOGLE,
        [
            google_event(
                "8i9o0p1a2s3d4f5g6h7j8k9l0z@google.com",
                "2026-10-22 01:00",
                "2026-10-22 02:00",
                "株式会社ミライテック 一次面接（バックエンドエンジニア）",
                ("採用担当", "saiyo@miraitech.example"),
                [google_attendee("田中 太郎", "tanaka@miraitech.example"), ME],
            )
        ],
    ),
    company="株式会社ミライテック",
    role="バックエンドエンジニア",
    start="2026-10-22T01:00:00+00:00",
    stage="first round",
    interviewers=["田中 太郎 <tanaka@miraitech.example>"],
)

interview(
    "i36-ja-teams-sora",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E00800000000E5F6A7B8C9D0D701000000000000000010000000E5",
                "Tokyo Standard Time",
                "2026-12-04 11:00",
                "2026-12-04 12:00",
                "カジュアル面談 - ソラ株式会社 - プロダクトデザイナー",
                ("佐藤 花子", "hanako.sato@sora.example"),
                [("Alex Rivera", USER[1], "ACCEPTED")],
                lang="ja-JP",
            )
        ],
        method="REQUEST",
        tzids=["Tokyo Standard Time"],
    ),
    company="ソラ株式会社",
    role="プロダクトデザイナー",
    start="2026-12-04T11:00:00+09:00",
    stage="recruiter screen",
    interviewers=["佐藤 花子 <hanako.sato@sora.example>"],
)

interview(
    "i37-zh-xingchen",
    calendar(
        GOOGLE,
        [
            google_event(
                "9o0p1a2s3d4f5g6h7j8k9l0z1x@google.com",
                "2026-11-11 06:00",
                "2026-11-11 07:00",
                "面试邀请：后端工程师 - 星辰科技",
                ("星辰科技招聘", "hr@xingchen.example"),
                [google_attendee("王伟", "wang.wei@xingchen.example"), ME],
            )
        ],
    ),
    company="星辰科技",
    role="后端工程师",
    start="2026-11-11T06:00:00+00:00",
    interviewers=["王伟 <wang.wei@xingchen.example>"],
)

interview(
    "i38-ko-hanbit",
    calendar(
        GOOGLE,
        [
            google_event(
                "0p1a2s3d4f5g6h7j8k9l0z1x2c@google.com",
                "2026-10-29 05:00",
                "2026-10-29 06:00",
                "[한빛소프트] 백엔드 개발자 1차 면접",
                ("한빛소프트 채용팀", "recruit@hanbitsoft.example"),
                [google_attendee("김민준", "minjun.kim@hanbitsoft.example"), ME],
            )
        ],
    ),
    company="한빛소프트",
    role="백엔드 개발자",
    start="2026-10-29T05:00:00+00:00",
    stage="first round",
    interviewers=["김민준 <minjun.kim@hanbitsoft.example>"],
)

# More English ones in the shapes people get.
interview(
    "i39-google-tech-screen",
    calendar(
        GOOGLE,
        [
            google_event(
                "1a2s3d4f5g6h7j8k9l0q1w2e3r@google.com",
                "2026-10-06 18:00",
                "2026-10-06 19:00",
                "Technical screen: Senior iOS Developer (Gringotts)",
                ("Griphook", "griphook@gringotts.example"),
                [google_attendee("Griphook", "griphook@gringotts.example"), ME],
            )
        ],
    ),
    company="Gringotts",
    role="Senior iOS Developer",
    start="2026-10-06T18:00:00+00:00",
    stage="technical",
    interviewers=["Griphook <griphook@gringotts.example>"],
)

interview(
    "i40-teams-pst-monarch",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E00800000000F6A7B8C9D0E1D701000000000000000010000000F6",
                "Pacific Standard Time",
                "2026-10-20 10:00",
                "2026-10-20 11:00",
                "Monarch Solutions Interview – QA Lead",
                ("Nina Park", "nina.park@monarchsolutions.onmicrosoft.com"),
                [("Alex Rivera", USER[1], "ACCEPTED")],
            )
        ],
        method="REQUEST",
        tzids=["Pacific Standard Time"],
    ),
    company="Monarch Solutions",
    role="QA Lead",
    start="2026-10-20T10:00:00-07:00",
    interviewers=["Nina Park <nina.park@monarchsolutions.onmicrosoft.com>"],
)

interview(
    "i41-ashby-panel-sirius",
    calendar(
        GOOGLE,
        [
            google_event(
                "ashby-sirius-77a@ashbyhq.com",
                "2026-11-13 19:00",
                "2026-11-13 20:00",
                "Sirius Cybernetics - Panel Interview - Staff Data Scientist",
                ("Zaphod Beeblebrox", "zaphod@sirius-cybernetics.example"),
                [
                    google_attendee("Zaphod Beeblebrox", "zaphod@sirius-cybernetics.example"),
                    google_attendee("Trillian Astra", "trillian@sirius-cybernetics.example"),
                    google_attendee("Interviews Sirius", "interviews@sirius-cybernetics.example"),
                    ME,
                ],
                "Powered by Ashby",
            )
        ],
    ),
    company="Sirius Cybernetics",
    role="Staff Data Scientist",
    start="2026-11-13T19:00:00+00:00",
    stage="panel",
    interviewers=[
        "Zaphod Beeblebrox <zaphod@sirius-cybernetics.example>",
        "Trillian Astra <trillian@sirius-cybernetics.example>",
    ],
)

interview(
    "i42-cal-com-initrode-no",  # a recruiter using cal.com, with the keyword in the title
    calendar(
        GOOGLE,
        [
            google_event(
                "calcom-5b6c7d8e@cal.com",
                "2026-12-11 17:00",
                "2026-12-11 17:30",
                "Recruiter call: Alex Rivera x Octan",
                ("Lena Octan", "lena@octan.example"),
                [google_attendee("Lena Octan", "lena@octan.example"), ME],
                "Booked via https://cal.com/octan/recruiter-call\nRole: Data Platform Engineer",
            )
        ],
    ),
    company="Octan",
    role="Data Platform Engineer",
    start="2026-12-11T17:00:00+00:00",
    stage="recruiter screen",
    interviewers=["Lena Octan <lena@octan.example>"],
)

interview(
    "i43-google-hm-gekko",
    calendar(
        GOOGLE,
        [
            google_event(
                "2s3d4f5g6h7j8k9l0q1w2e3r4t@google.com",
                "2026-11-06 14:30",
                "2026-11-06 15:15",
                "Gekko & Co: interview with the hiring manager - Financial Analyst",
                ("Bud Fox", "bud.fox@gekko.example"),
                [google_attendee("Bud Fox", "bud.fox@gekko.example"), ME],
            )
        ],
    ),
    company="Gekko & Co",
    role="Financial Analyst",
    start="2026-11-06T14:30:00+00:00",
    stage="hiring manager",
    interviewers=["Bud Fox <bud.fox@gekko.example>"],
)

interview(
    "i44-teams-take-home-review",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E0080000000011AA22BB33CCD701000000000000000010000000A7",
                "Eastern Standard Time",
                "2026-12-16 14:00",
                "2026-12-16 15:00",
                "Take-home review interview - Full Stack Developer - Prestige Worldwide",
                ("Brennan Huff", "brennan.huff@prestige-worldwide.example"),
                [
                    ("Rivera, Alex", USER[1], "ACCEPTED"),
                    ("Dale Doback", "dale.doback@prestige-worldwide.example", "ACCEPTED"),
                ],
            )
        ],
        method="REQUEST",
        tzids=["Eastern Standard Time"],
    ),
    company="Prestige Worldwide",
    role="Full Stack Developer",
    start="2026-12-16T14:00:00-05:00",
    stage="take-home review",
    interviewers=[
        "Brennan Huff <brennan.huff@prestige-worldwide.example>",
        "Dale Doback <dale.doback@prestige-worldwide.example>",
    ],
)

interview(
    "i45-es-mx-entrevista-final",
    calendar(
        GOOGLE,
        [
            google_event(
                "3d4f5g6h7j8k9l0q1w2e3r4t5y@google.com",
                "2026-12-07 16:00",
                "2026-12-07 17:00",
                "Entrevista final - Diseñadora UX - Quetzal Labs",
                ("Lucía Hernández", "lucia.hernandez@quetzallabs.example"),
                [google_attendee("Lucía Hernández", "lucia.hernandez@quetzallabs.example"), ME],
            )
        ],
    ),
    company="Quetzal Labs",
    role="Diseñadora UX",
    start="2026-12-07T16:00:00+00:00",
    stage="final round",
    interviewers=["Lucía Hernández <lucia.hernandez@quetzallabs.example>"],
)

# ===== Hard negatives ==================================================================
INITRODE = ("Initrode Recruiting Coordinator", "coordinator@initrode.example")
KIT = (
    "Interview Kit: https://app.greenhouse.io/guides/4471/people/99812?application_id=55112\n"
    "Scorecard: please submit your feedback within 24 hours."
)

# --- The user interviewing others at their job --------------------------------------------
for n, (title, start) in enumerate(
    [
        ("Interview with Candidate Jordan Smith for QA Engineer", "2026-11-02 15:00"),
        ("Interview with Priya K. - Backend Engineer (Round 2)", "2026-11-09 15:00"),
        ("Onsite Interview: Chris Wong - Staff Engineer - System Design", "2026-11-16 16:00"),
        ("Phone screen - Maria Lopez - Data Analyst", "2026-11-23 17:00"),
    ],
    start=1,
):
    negative(
        f"n01-interviewer-greenhouse-{n}",
        "interviewer side",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"{n}gh0interviewer0k2l3m4n5o@google.com",
                    start,
                    start[:11] + f"{int(start[11:13]) + 1:02d}" + start[13:],
                    title,
                    INITRODE,
                    [ME, google_attendee("Sam Lee", "sam.lee@initrode.example")],
                    KIT,
                )
            ],
        ),
    )

negative(
    "n02-interviewer-goodtime-hold",
    "interviewer side",
    calendar(
        GOOGLE,
        [
            google_event(
                "1hold2goodtime3a4b5c6d7e8f@google.com",
                "2026-12-01 15:00",
                "2026-12-01 16:00",
                "[Hold] Onsite Interview - Backend Engineer candidate",
                ("Initrode Interviews", "c_77e1d9@group.calendar.google.com"),
                [ME],
                "GoodTime hold for the onsite loop. https://app.goodtime.io/hold/7781",
            )
        ],
    ),
)
negative(
    "n03-interviewer-debrief",
    "interviewer side",
    calendar(
        GOOGLE,
        [
            google_event(
                "debrief1a2b3c4d5e6f7g8h9i0@google.com",
                "2026-11-17 20:00",
                "2026-11-17 20:30",
                "Debrief: Backend Engineer interviews",
                INITRODE,
                [ME, google_attendee("Sam Lee", "sam.lee@initrode.example")],
            )
        ],
    ),
)
negative(
    "n04-interviewer-de-bewerberin",
    "interviewer side",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E008000000001234ABCDEF01D701000000000000000010000000N4",
                "W. Europe Standard Time",
                "2026-11-12 10:00",
                "2026-11-12 11:00",
                "Vorstellungsgespräch mit Bewerberin Lena Vogel (Backend-Entwicklerin)",
                ("Klaus Richter", "klaus.richter@partner-gmbh.example"),
                [
                    ("Alex Rivera", USER[1], "ACCEPTED"),
                    ("Lena Vogel", "lena.vogel@web.de", "ACCEPTED"),
                ],
                "Lebenslauf und Bewertungsbogen im Anhang.",
                lang="de-DE",
            )
        ],
        method="REQUEST",
        tzids=["W. Europe Standard Time"],
    ),
)
negative(
    "n05-interviewer-fr-candidat",
    "interviewer side",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E008000000005678ABCDEF02D701000000000000000010000000N5",
                "Romance Standard Time",
                "2026-11-19 14:00",
                "2026-11-19 15:00",
                "Entretien candidat - Développeur Java",
                ("RH Initrode", "rh@initrode.example"),
                [("Alex Rivera", USER[1], "ACCEPTED")],
                lang="fr-FR",
            )
        ],
        method="REQUEST",
        tzids=["Romance Standard Time"],
    ),
)
negative(
    "n06-interviewer-scorecard-elsewhere",
    "interviewer side",
    calendar(
        GOOGLE,
        [
            google_event(
                "scorecard1a2b3c4d5e6f7g8h9@google.com",
                "2026-10-15 17:00",
                "2026-10-15 18:00",
                "Technical interview - Frontend Engineer",
                ("Drew Friend", "drew@friendstartup.example"),
                [ME],
                "Thanks for helping us interview! Candidate: Morgan Blake\n"
                "Resume: https://friendstartup.example/cv/mb.pdf\nScorecard: https://friendstartup.example/sc/12",
            )
        ],
    ),
)
negative(
    "n07-interviewer-hiring-committee",
    "interviewer side",
    calendar(
        GOOGLE,
        [
            google_event(
                "hc1a2b3c4d5e6f7g8h9i0j1k2l@google.com",
                "2026-11-05 19:00",
                "2026-11-05 20:00",
                "Hiring committee: interviews this week",
                INITRODE,
                [ME],
                extra=["RRULE:FREQ=WEEKLY;BYDAY=TH"],
            )
        ],
    ),
)
negative(
    "n08-interviewer-ja-kouhosha",
    "interviewer side",
    calendar(
        GOOGLE,
        [
            google_event(
                "kouhosha1a2b3c4d5e6f7g8h9@google.com",
                "2026-11-26 02:00",
                "2026-11-26 03:00",
                "【面接】候補者 山田様 - バックエンドエンジニア",
                ("採用チーム", "saiyo@initrode.example"),
                [ME],
            )
        ],
    ),
)
negative(
    "n09-interviewer-own-phone-screen",
    "interviewer side",
    calendar(
        GOOGLE,
        [
            google_event(
                "ownscreen1a2b3c4d5e6f7g8h@google.com",
                "2026-11-24 16:00",
                "2026-11-24 16:30",
                "Phone screen with Taylor Reed (QA Engineer)",
                (USER[0], USER[1]),
                [ME, google_attendee("Taylor Reed", "taylor.reed@gmail.com", "NEEDS-ACTION")],
            )
        ],
    ),
)
negative(
    "n10-interviewer-training",
    "interviewer side",
    calendar(
        GOOGLE,
        [
            google_event(
                "ivtraining1a2b3c4d5e6f7g8@google.com",
                "2026-10-08 16:00",
                "2026-10-08 17:00",
                "Interviewer training: structured interviews",
                ("People Team", "people@peopleops-academy.example"),
                [ME],
            )
        ],
    ),
)
negative(
    "n11-interviewer-zh-candidate",
    "interviewer side",
    calendar(
        GOOGLE,
        [
            google_event(
                "houxuanren1a2b3c4d5e6f7g8@google.com",
                "2026-11-18 02:00",
                "2026-11-18 03:00",
                "面试：候选人 李明 - 前端工程师",
                ("招聘组", "zhaopin@initrode.example"),
                [ME],
            )
        ],
    ),
)
negative(
    "n12-interviewer-loop-teams",
    "interviewer side",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E0080000000099AA88BB77CCD701000000000000000010000000N12",
                "Eastern Standard Time",
                "2026-12-02 13:00",
                "2026-12-02 14:00",
                "Interview loop: Staff Engineer – Candidate: Chris Wong",
                ("Sam Lee", "sam.lee@initrode.example"),
                [("Alex Rivera", USER[1], "ACCEPTED")],
            )
        ],
        method="REQUEST",
        tzids=["Eastern Standard Time"],
    ),
)

# --- Preparation and practice -----------------------------------------------------------------
PREP = [
    ("Mock interview with Sam (practice)", ("Sam Coach", "sam.coach@gmail.com")),
    ("Interview prep: STAR stories", ("Career Center", "careers@university.example")),
    ("Practice system design interview", ("Peer Practice", "sessions@peerpractice.example")),
    ("Vorbereitung Vorstellungsgespräch Nordlicht", ("Mia Schulz", "mia.schulz@gmx.de")),
    ("Préparation entretien Lumière", ("Hugo Petit", "hugo.petit@orange.fr")),
    ("Preparación entrevista Sol Tecnología", ("Pablo Ruiz", "pablo.ruiz@gmail.com")),
    ("面接対策セッション（模擬面接）", ("キャリアセンター", "career@daigaku.example")),
    ("模拟面试 - 后端", ("张老师", "zhang.laoshi@qq.com")),
    ("모의 면접 연습", ("박코치", "coach.park@naver.com")),
    ("Simulazione colloquio con Marco", ("Marco Bianchi", "marco.bianchi@libero.it")),
    ("Oefengesprek sollicitatie", ("Loopbaancoach", "coach@loopbaan.example")),
    ("Przygotowanie do rozmowy rekrutacyjnej", ("Ola Kowalska", "ola.kowalska@wp.pl")),
    ("Förberedelse inför intervju med Nordvik", ("Karin Berg", "karin.berg@gmail.com")),
    ("Simulação de entrevista - Engenharia", ("Rafael Costa", "rafael.costa@gmail.com")),
]
for n, (title, organizer) in enumerate(PREP, start=1):
    negative(
        f"n13-prep-{n:02d}",
        "prep or mock",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"prep{n:02d}a1b2c3d4e5f6g7h8i9@google.com",
                    f"2026-11-{n + 1:02d} 18:00",
                    f"2026-11-{n + 1:02d} 19:00",
                    title,
                    organizer,
                    [google_attendee(organizer[0], organizer[1]), ME],
                )
            ],
        ),
    )

# --- Vendors and strangers on Calendly ------------------------------------------------------
VENDORS = [
    (
        "Alex Rivera and Appliance Solutions",
        "30 Minute Meeting",
        ("Appliance Solutions", "sales@appliance-solutions.example"),
    ),
    ("Alex Rivera and Jamie Fox", "Product Demo", ("Jamie Fox", "jamie.fox@saasy.example")),
    (
        "Alex Rivera and Clean Windows Co",
        "Free Quote Visit",
        ("Clean Windows Co", "book@cleanwindows.example"),
    ),
    (
        "Alex Rivera and Dr. Patel",
        "New Patient Consultation",
        ("Dr. Patel", "frontdesk@smileclinic.example"),
    ),
    (
        "Alex Rivera and Chris Broker",
        "Mortgage Discovery Call",
        ("Chris Broker", "chris@homeloans.example"),
    ),
    ("Alex Rivera and Tutor Kim", "Trial Lesson", ("Tutor Kim", "tutor.kim@gmail.com")),
    (
        "Alex Rivera and Devon Hart",
        "Podcast Interview - Dev Stories",
        ("Devon Hart", "devon@devstories.example"),
    ),
    (
        "Alex Rivera and Lisa Ray",
        "Customer Interview - Onboarding Research",
        ("Lisa Ray", "lisa.ray@flowapp.example"),
    ),
]
for n, (title, event_type, organizer) in enumerate(VENDORS, start=1):
    negative(
        f"n14-calendly-vendor-{n}",
        "vendor meeting",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"calendly-vendor-{n}-a1b2c3@calendly.com",
                    f"2026-10-{n + 10:02d} 15:00",
                    f"2026-10-{n + 10:02d} 15:30",
                    title,
                    organizer,
                    [google_attendee(*organizer), ME],
                    calendly_description(event_type, organizer[0]),
                )
            ],
        ),
    )

# --- Declined interviews -------------------------------------------------------------------
DECLINED = [
    (
        "Interview with Vandelay Industries - Sales Engineer",
        ("Kramer", "kramer@vandelay.example"),
        USER[1],
    ),
    (
        "Entrevista con Andes Fintech - Analista",
        ("Diego Soto", "diego.soto@andesfintech.example"),
        USER[1],
    ),
    (
        "Vorstellungsgespräch Hansa Energie",
        ("Petra Lang", "petra.lang@hansa-energie.example"),
        ALIAS,
    ),
    (
        "Phone screen - Kappa Labs - DevOps Engineer",
        ("Kappa Recruiting", "talent@kappalabs.example"),
        USER[1],
    ),
    (
        "Entretien RH - Chargé de projet - Mistral Conseil",
        ("Inès Roux", "ines.roux@mistral-conseil.example"),
        USER[1],
    ),
    ("面接：ヒカリ電機 エンジニア", ("人事部", "jinji@hikari-denki.example"), USER[1]),
    (
        "Colloquio - Analista - Vesuvio Banca",
        ("Paolo Greco", "paolo.greco@vesuviobanca.example"),
        USER[1],
    ),
    ("Interview: Senior SRE at Zenith Cloud", ("Ola Zenith", "ola@zenithcloud.example"), ALIAS),
]
for n, (title, organizer, mine) in enumerate(DECLINED, start=1):
    negative(
        f"n15-declined-{n}",
        "declined",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"declined{n}a1b2c3d4e5f6g7h8i@google.com",
                    f"2026-11-{n + 2:02d} 14:00",
                    f"2026-11-{n + 2:02d} 15:00",
                    title,
                    organizer,
                    [google_attendee(*organizer), me_google("DECLINED", email=mine)],
                    extra=["X-RESPONSE-COMMENT:I accepted another offer"] if n == 1 else [],
                )
            ],
        ),
    )

# --- Cancelled interviews ------------------------------------------------------------------
CANCELLED = [
    "Interview with Bluth Company - Marketing Lead",
    "Cyberdyne - Technical Interview - Data Engineer",
    "Entretien avec Orion Spatial - Ingénieur",
    "Entrevista - Desarrollador - Puma Pagos",
    "Rozmowa kwalifikacyjna - Tester - Odra Soft",
    "Intervju - Projektledare - Fjäll AB",
    "[라인플러스] 디자이너 면접",
    "Recruiter screen - Support Engineer - Helix",
]
for n, title in enumerate(CANCELLED, start=1):
    negative(
        f"n16-cancelled-{n}",
        "cancelled",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"cancelled{n}a1b2c3d4e5f6g7h8@google.com",
                    f"2026-12-{n + 1:02d} 15:00",
                    f"2026-12-{n + 1:02d} 16:00",
                    title,
                    ("Recruiter", f"recruiter{n}@company{n}.example"),
                    [google_attendee("Recruiter", f"recruiter{n}@company{n}.example"), ME],
                    status="CANCELLED",
                    sequence=2,
                )
            ],
        ),
    )
negative(
    "n17-cancel-message",
    "cancelled",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E0080000000077DD66EE55FFD701000000000000000010000000N17",
                "Eastern Standard Time",
                "2026-11-27 10:00",
                "2026-11-27 11:00",
                "Canceled: Interview - Backend Engineer - Halcyon",
                ("Hal Cyon", "hal@halcyon.example"),
                [("Alex Rivera", USER[1], "NEEDS-ACTION")],
                status="CANCELLED",
            )
        ],
        method="CANCEL",
        tzids=["Eastern Standard Time"],
    ),
)

# --- All-day events ------------------------------------------------------------------------
ALL_DAY = [
    (
        "Acme Robotics onsite (travel day)",
        ("Rita Recruiter", "rita.recruiter@acme-robotics.example"),
    ),
    ("Interview day - Hooli", ("Hooli Recruiting", "no-reply@ashbyhq.com")),
    ("Career fair: tech interviews on the spot", ("Campus Events", "events@university.example")),
    (
        "Vorstellungsgespräche (ganztägig) - Nordlicht",
        ("Katrin Weber", "katrin.weber@nordlicht-software.example"),
    ),
    ("Journée d'entretiens - Lumière", ("Claire Martin", "claire.martin@lumiere.example")),
    ("最終面接日（東京）", ("採用担当", "saiyo@miraitech.example")),
    ("Take-home assignment due (Gringotts interview)", ("Griphook", "griphook@gringotts.example")),
    ("Onsite interview week", None),
]
for n, (title, organizer) in enumerate(ALL_DAY, start=1):
    day = f"202612{n + 3:02d}"
    next_day = f"202612{n + 4:02d}"
    lines = [
        "BEGIN:VEVENT",
        f"DTSTART;VALUE=DATE:{day}",
        f"DTEND;VALUE=DATE:{next_day}",
        "DTSTAMP:20261126T120000Z",
        f"UID:allday{n}a1b2c3d4e5f6g7h8@google.com",
    ]
    if organizer:
        lines.insert(4, person_line("ORGANIZER", *organizer))
        lines.append(google_attendee(*organizer))
        lines.append(ME)
    lines += [f"SUMMARY:{esc(title)}", "TRANSP:TRANSPARENT", "END:VEVENT"]
    negative(f"n18-all-day-{n}", "all-day", calendar(GOOGLE, [lines]))

# --- Recurring meetings --------------------------------------------------------------------
RECURRING = [
    ("Weekly 1:1 Alex / Sam", ("Sam Lee", "sam.lee@initrode.example"), "FREQ=WEEKLY;BYDAY=MO"),
    ("Standup", ("Sam Lee", "sam.lee@initrode.example"), "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"),
    ("Mentoring 1:1", ("Dana Mentor", "dana.mentor@gmail.com"), "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    (
        "Hiring sync (interview pipeline)",
        ("Initrode Recruiting Coordinator", "coordinator@initrode.example"),
        "FREQ=WEEKLY;BYDAY=TU",
    ),
    ("Book club", ("Robin Reads", "robin.reads@gmail.com"), "FREQ=MONTHLY;BYDAY=1TH"),
    ("Team retro", ("Sam Lee", "sam.lee@initrode.example"), "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    (
        "Weekly interview practice group",
        ("Peer Practice", "sessions@peerpractice.example"),
        "FREQ=WEEKLY;BYDAY=SA",
    ),
    (
        "1:1 with manager – career growth",
        ("Morgan Manager", "morgan.manager@initrode.example"),
        "FREQ=WEEKLY;BYDAY=TH",
    ),
]
for n, (title, organizer, rule) in enumerate(RECURRING, start=1):
    negative(
        f"n19-recurring-{n}",
        "recurring meeting",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"recurring{n}a1b2c3d4e5f6g7h8@google.com",
                    "2026-09-07 14:00",
                    "2026-09-07 14:30",
                    title,
                    organizer,
                    [google_attendee(*organizer), ME],
                    extra=[f"RRULE:{rule}"],
                )
            ],
        ),
    )

# --- Podcast, press and other interviews that are not job interviews -----------------------
MEDIA = [
    ("Podcast interview: The Backend Show", ("Chris Host", "chris@backendshow.example")),
    ("Press interview with TechDaily", ("Riley Reporter", "riley@techdaily.example")),
    ("Radio interview – WKRP morning show", ("Venus Flytrap", "venus@wkrp.example")),
    (
        "Interview mit der Zeitung (Rheinische Post)",
        ("Jana Schreiber", "jana.schreiber@rp-zeitung.example"),
    ),
    ("Entrevista para el periódico El Sol", ("Marta Prensa", "marta@elsol-periodico.example")),
    ("Intervju för podden Kodsnack", ("Fredrik Podd", "fredrik@kodsnack.example")),
    ("Entretien avec un journaliste du Monde Tech", ("Paul Journaliste", "paul@mondetech.example")),
    ("取材（テックメディア）インタビュー", ("編集部", "henshu@techmedia.example")),
    ("采访：科技日报", ("记者 刘", "liu@kejiribao.example")),
    ("인터뷰 - 테크뉴스", ("기자 이", "lee@technews.example")),
    ("User interview: checkout flow (paid study)", ("Research Ops", "research@flowapp.example")),
    ("UX research session – banking app", ("Sam UX", "sam.ux@userlab.example")),
    ("Exit interview", ("HR Initrode", "hr@initrode.example")),
    ("Informational interview with Dana (coffee)", ("Dana Friend", "dana.friend@gmail.com")),
]
for n, (title, organizer) in enumerate(MEDIA, start=1):
    negative(
        f"n20-not-a-job-{n:02d}",
        "podcast, press or research",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"media{n:02d}a1b2c3d4e5f6g7h8@google.com",
                    f"2026-10-{n + 1:02d} 13:00",
                    f"2026-10-{n + 1:02d} 14:00",
                    title,
                    organizer,
                    [google_attendee(*organizer), ME],
                )
            ],
        ),
    )

# --- Words that look like interviews -------------------------------------------------------
LOOKALIKES = [
    ("Entretien chaudière", ("Chauffage Service", "rdv@chauffage-service.example"), ""),
    ("Colloquio con i professori", ("Scuola Media Verdi", "segreteria@scuolaverdi.example"), ""),
    ("三者面談", ("担任 鈴木", "suzuki@gakko.example"), ""),
    ("Panel: Future of Remote Work (meetup)", ("Meetup Host", "host@remotemeetup.example"), ""),
    ("Design review: onsite checkout flow", ("Sam Lee", "sam.lee@initrode.example"), ""),
    ("System design review", ("Dev Friend", "dev@friendstartup.example"), ""),
    (
        "Celebration dinner",
        ("Jo Pal", "jo.pal@gmail.com"),
        "After all those interviews, let's celebrate!",
    ),
    ("Hiring manager sync", ("Morgan Manager", "morgan.manager@initrode.example"), ""),
    ("Technical workshop: Kubernetes", ("Cloud Meetup", "hello@cloudmeetup.example"), ""),
    ("Entretien annuel 2026", ("RH Initrode", "rh@initrode.example"), ""),
]
for n, (title, organizer, description) in enumerate(LOOKALIKES, start=1):
    negative(
        f"n21-lookalike-{n:02d}",
        "look-alike",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"lookalike{n:02d}a1b2c3d4e5f6g7@google.com",
                    f"2026-11-{n + 10:02d} 17:00",
                    f"2026-11-{n + 10:02d} 18:00",
                    title,
                    organizer,
                    [google_attendee(*organizer), ME],
                    description,
                )
            ],
        ),
    )

# --- The user's own events (no organiser) --------------------------------------------------
OWN = [
    "Interview prep: research Hooli",
    "Apply to 5 jobs",
    "Dentist",
    "Gym",
    "Follow up with Acme recruiter",
    "Flight to Berlin",
]
for n, title in enumerate(OWN, start=1):
    negative(
        f"n22-own-{n}",
        "own event",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"own{n}a1b2c3d4e5f6g7h8i9@google.com",
                    f"2026-11-{n + 14:02d} 12:00",
                    f"2026-11-{n + 14:02d} 13:00",
                    title,
                    None,
                    [],
                    meet=None,
                )
            ],
        ),
    )

# --- Friends' invitations -------------------------------------------------------------------
FRIENDS = [
    "Dinner at Luigi's",
    "Sam's birthday",
    "Board games night",
    "Hike: Bear Mountain",
]
for n, title in enumerate(FRIENDS, start=1):
    negative(
        f"n23-friend-{n}",
        "friend's invitation",
        calendar(
            GOOGLE,
            [
                google_event(
                    f"friend{n}a1b2c3d4e5f6g7h8i9@google.com",
                    f"2026-10-{n + 20:02d} 23:00",
                    f"2026-10-{n + 21:02d} 01:00",
                    title,
                    ("Jo Pal", "jo.pal@gmail.com"),
                    [google_attendee("Jo Pal", "jo.pal@gmail.com"), ME],
                    meet=None,
                )
            ],
        ),
    )

# --- Outside the default window --------------------------------------------------------------
negative(
    "n24-outside-window",
    "outside the window",
    calendar(
        GOOGLE,
        [
            google_event(
                "outside1a2b3c4d5e6f7g8h9i0@google.com",
                "2026-06-10 15:00",
                "2026-06-10 16:00",
                "Interview with Old Corp - Backend Engineer",
                ("Old Recruiter", "recruiter@oldcorp.example"),
                [google_attendee("Old Recruiter", "recruiter@oldcorp.example"), ME],
            )
        ],
    ),
)


# ===== Second batch ====================================================================
# Written after the rules were tuned on the cases above, and run once before any
# change (figures in docs/capture.md): a check that the rules are not fitted to
# their own examples.

interview(
    "h01-chat-northwind",  # no interview word anywhere: recruiters call it a chat
    calendar(
        GOOGLE,
        [
            google_event(
                "h01q2w3e4r5t6y7u8i9o0p1a2s@google.com",
                "2026-11-02 17:00",
                "2026-11-02 17:30",
                "Chat with Sarah from Northwind (Product Manager role)",
                ("Sarah Cole", "sarah.cole@northwind.example"),
                [google_attendee("Sarah Cole", "sarah.cole@northwind.example"), ME],
                "Looking forward to discussing the Product Manager opportunity with you.",
            )
        ],
    ),
    company="Northwind",
    role="Product Manager",
    start="2026-11-02T17:00:00+00:00",
    interviewers=["Sarah Cole <sarah.cole@northwind.example>"],
)
interview(
    "h02-greenhouse-northwind-onsite",
    calendar(
        GOOGLE,
        [
            google_event(
                "gh-h02-77aa@greenhouse.io",
                "2026-12-09 15:00",
                "2026-12-09 18:00",
                "Northwind Traders | Onsite | Backend Engineer",
                ("Sarah Cole", "sarah.cole@northwind.example"),
                [google_attendee("Sarah Cole", "sarah.cole@northwind.example"), ME],
                "Agenda attached. https://boards.greenhouse.io/northwindtraders",
            )
        ],
    ),
    company="Northwind Traders",
    role="Backend Engineer",
    start="2026-12-09T15:00:00+00:00",
    stage="onsite",
    interviewers=["Sarah Cole <sarah.cole@northwind.example>"],
)
interview(
    "h03-lever-fabrikam",
    calendar(
        GOOGLE,
        [
            google_event(
                "lever-h03-5d6e@hire.lever.co",
                "2026-10-13 19:00",
                "2026-10-13 19:30",
                "Alex Rivera - Phone Interview",
                ("Fabrikam Talent", "talent@fabrikam.example"),
                [google_attendee("Nadia Park", "nadia.park@fabrikam.example"), ME],
                "Position: Solutions Engineer\nhttps://jobs.lever.co/fabrikam/8a9b",
            )
        ],
    ),
    company="Fabrikam",
    role="Solutions Engineer",
    start="2026-10-13T19:00:00+00:00",
    stage="phone screen",
    interviewers=["Nadia Park <nadia.park@fabrikam.example>"],
)
interview(
    "h04-teams-adatum",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E00800000000H04H04H04H04D701000000000000000010000000H4",
                "Eastern Standard Time",
                "2026-11-18 13:00",
                "2026-11-18 14:00",
                "Technical Interview – Alex Rivera",
                ("Omar Farouk", "omar.farouk@adatum.example"),
                [("Rivera, Alex", USER[1], "ACCEPTED")],
                "Role: Cloud Engineer\nInterviewers: Omar Farouk, Beth Green",
            )
        ],
        method="REQUEST",
        tzids=["Eastern Standard Time"],
    ),
    company="Adatum",
    role="Cloud Engineer",
    start="2026-11-18T13:00:00-05:00",
    stage="technical",
    interviewers=["Omar Farouk <omar.farouk@adatum.example>"],
)
interview(
    "h05-outlook-meeting-litware",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E00800000000H05H05H05H05D701000000000000000010000000H5",
                "Eastern Standard Time",
                "2026-10-23 10:00",
                "2026-10-23 11:00",
                "Meeting with Alex Rivera - Senior Analyst position",
                ("Grace Liu", "grace.liu@litware.example"),
                [("Alex Rivera", USER[1], "ACCEPTED")],
                "As discussed, this is your interview with the analytics team.",
            )
        ],
        method="REQUEST",
        tzids=["Eastern Standard Time"],
    ),
    company="Litware",
    role="Senior Analyst",
    start="2026-10-23T10:00:00-04:00",
    interviewers=["Grace Liu <grace.liu@litware.example>"],
)
interview(
    "h06-de-werkstudent",
    calendar(
        "-//Personio//Recruiting//DE",
        [
            tz_event(
                "personio-h06@personio.de",
                "Europe/Berlin",
                "2026-11-05 14:00",
                "2026-11-05 14:45",
                "Interview Alex Rivera – Werkstudent Marketing (m/w/d)",
                ("Elbe Media GmbH", "bewerbung@elbemedia.example"),
                [att("Tim Krause", "tim.krause@elbemedia.example"), me_att("ACCEPTED")],
                "https://elbemedia.jobs.personio.de/job/221",
            )
        ],
        method="REQUEST",
        tzids=["Europe/Berlin"],
    ),
    company="Elbe Media",
    role="Werkstudent Marketing",
    start="2026-11-05T14:00:00+01:00",
    interviewers=["Tim Krause <tim.krause@elbemedia.example>"],
)
interview(
    "h07-fr-cascade",
    calendar(
        GOOGLE,
        [
            google_event(
                "h07a1s2d3f4g5h6j7k8l9z0x1c@google.com",
                "2026-12-15 09:00",
                "2026-12-15 10:00",
                "Entretien visio - Chef de projet - Cascade SA",
                ("Nathalie Blanc", "nathalie.blanc@cascade.example"),
                [google_attendee("Nathalie Blanc", "nathalie.blanc@cascade.example"), ME],
            )
        ],
    ),
    company="Cascade SA",
    role="Chef de projet",
    start="2026-12-15T09:00:00+00:00",
    interviewers=["Nathalie Blanc <nathalie.blanc@cascade.example>"],
)
interview(
    "h08-es-nube-roja",
    calendar(
        GOOGLE,
        [
            google_event(
                "h08a1s2d3f4g5h6j7k8l9z0x1c@google.com",
                "2026-11-27 15:00",
                "2026-11-27 16:00",
                "Entrevista técnica: Desarrollador Backend en Nube Roja",
                ("Carlos Vega", "carlos.vega@nuberoja.example"),
                [google_attendee("Carlos Vega", "carlos.vega@nuberoja.example"), ME],
            )
        ],
    ),
    company="Nube Roja",
    role="Desarrollador Backend",
    start="2026-11-27T15:00:00+00:00",
    stage="technical",
    interviewers=["Carlos Vega <carlos.vega@nuberoja.example>"],
)
interview(
    "h09-ja-haruka",
    calendar(
        GOOGLE,
        [
            google_event(
                "h09a1s2d3f4g5h6j7k8l9z0x1c@google.com",
                "2026-11-12 05:00",
                "2026-11-12 06:00",
                "【二次面接】フロントエンドエンジニア / 株式会社ハルカ",
                ("鈴木 一郎", "ichiro.suzuki@haruka.example"),
                [google_attendee("鈴木 一郎", "ichiro.suzuki@haruka.example"), ME],
            )
        ],
    ),
    company="株式会社ハルカ",
    role="フロントエンドエンジニア",
    start="2026-11-12T05:00:00+00:00",
    stage="second round",
    interviewers=["鈴木 一郎 <ichiro.suzuki@haruka.example>"],
)
interview(
    "h10-zh-tw-taipei-cloud",
    calendar(
        GOOGLE,
        [
            google_event(
                "h10a1s2d3f4g5h6j7k8l9z0x1c@google.com",
                "2026-10-27 06:00",
                "2026-10-27 07:00",
                "面試通知：資料分析師 - 台北雲端",
                ("林美玲", "meiling.lin@taipeicloud.example"),
                [google_attendee("林美玲", "meiling.lin@taipeicloud.example"), ME],
            )
        ],
    ),
    company="台北雲端",
    role="資料分析師",
    start="2026-10-27T06:00:00+00:00",
    interviewers=["林美玲 <meiling.lin@taipeicloud.example>"],
)
interview(
    "h11-ko-haneul-final",
    calendar(
        GOOGLE,
        [
            google_event(
                "h11a1s2d3f4g5h6j7k8l9z0x1c@google.com",
                "2026-12-03 02:00",
                "2026-12-03 03:00",
                "하늘뱅크 최종 면접 - 데이터 엔지니어",
                ("이서연", "seoyeon.lee@haneulbank.example"),
                [google_attendee("이서연", "seoyeon.lee@haneulbank.example"), ME],
            )
        ],
    ),
    company="하늘뱅크",
    role="데이터 엔지니어",
    start="2026-12-03T02:00:00+00:00",
    stage="final round",
    interviewers=["이서연 <seoyeon.lee@haneulbank.example>"],
)
interview(
    "h12-calendly-agency-intro",  # an agency's intro call: no interview word
    calendar(
        GOOGLE,
        [
            google_event(
                "h12-9c8d@calendly.com",
                "2026-10-08 14:00",
                "2026-10-08 14:30",
                "Alex Rivera and Priya Menon",
                ("Priya Menon", "priya.menon@talentbridge.example"),
                [google_attendee("Priya Menon", "priya.menon@talentbridge.example"), ME],
                calendly_description(
                    "30 min intro call - Data Scientist opportunity", "Priya Menon"
                ),
            )
        ],
    ),
    company="Talentbridge",
    role="Data Scientist",
    start="2026-10-08T14:00:00+00:00",
    stage="recruiter screen",
    interviewers=["Priya Menon <priya.menon@talentbridge.example>"],
)
interview(
    "h13-goodtime-contoso-interviews",
    calendar(
        GOOGLE,
        [
            google_event(
                "h13a1s2d3f4g5h6j7k8l9z0x1c@google.com",
                "2026-11-16 15:00",
                "2026-11-16 16:00",
                "Interview with Contoso",
                ("Contoso Interviews", "c_55aa11@group.calendar.google.com"),
                [ME],
                "Your interviewers: Ana Lopez, Daniel Kim\nRole: Cloud Solutions Architect",
            )
        ],
    ),
    company="Contoso",
    role="Cloud Solutions Architect",
    start="2026-11-16T15:00:00+00:00",
    interviewers=["Ana Lopez", "Daniel Kim"],
)
interview(
    "h14-ashby-founder-chat",
    calendar(
        GOOGLE,
        [
            google_event(
                "ashby-h14-1b2c@ashbyhq.com",
                "2026-12-17 18:00",
                "2026-12-17 18:30",
                "Alex <> Globex: Founder chat",
                ("Hank Scorpio", "hank@globex.example"),
                [google_attendee("Hank Scorpio", "hank@globex.example"), ME],
                "Role: Founding Engineer",
            )
        ],
    ),
    company="Globex",
    role="Founding Engineer",
    start="2026-12-17T18:00:00+00:00",
    interviewers=["Hank Scorpio <hank@globex.example>"],
)
interview(
    "h15-workable-tailspin",
    calendar(
        "-//Workable//Workable Calendar//EN",
        [
            tz_event(
                "workable-h15@workable.com",
                "America/New_York",
                "2026-10-01 16:00",
                "2026-10-01 16:30",
                "Interview: Alex Rivera for Junior Data Analyst",
                ("Tailspin Toys", "tailspin@workable.com"),
                [att("Rob Tail", "rob.tail@tailspin.example"), me_att("ACCEPTED")],
            )
        ],
        method="REQUEST",
        tzids=["America/New_York"],
    ),
    company="Tailspin",
    role="Junior Data Analyst",
    start="2026-10-01T16:00:00-04:00",
    interviewers=["Rob Tail <rob.tail@tailspin.example>"],
)

HELD_OUT_NEGATIVES = [
    (
        "g01-interviewer-candidate",
        "interviewer side",
        "Interview with Jordan (Backend candidate)",
        ("Sam Lee", "sam.lee@initrode.example"),
        "",
    ),
    (
        "g02-interviewer-loop-sync",
        "interviewer side",
        "Hiring: Backend interview loop sync",
        ("Sam Lee", "sam.lee@initrode.example"),
        "",
    ),
    (
        "g03-celebration",
        "look-alike",
        "Job interview celebration",
        ("Jo Pal", "jo.pal@gmail.com"),
        "You nailed it! Drinks on me.",
    ),
    (
        "g05-practice",
        "prep or mock",
        "Interview practice w/ Jamie",
        ("Jamie Friend", "jamie.friend@gmail.com"),
        "",
    ),
    (
        "g06-solar",
        "vendor meeting",
        "Alex Rivera and Bright Solar",
        ("Bright Solar", "book@brightsolar.example"),
        "Event Name: Home Solar Consultation\nPowered by Calendly.com",
    ),
    (
        "g07-podcast-recording",
        "podcast, press or research",
        "Podcast recording: Interview with Alex",
        ("Pat Host", "pat@devcast.example"),
        "",
    ),
    (
        "g09-interviewing-workshop",
        "interviewer side",
        "Interviewing workshop for hiring managers",
        ("People Team", "people@initrode.example"),
        "",
    ),
    (
        "g12-toastmasters",
        "prep or mock",
        "Panel interview practice (Toastmasters)",
        ("Club VP", "vp@toastmasters-club.example"),
        "",
    ),
    (
        "g13-school-newspaper",
        "podcast, press or research",
        "Interview for the school newspaper",
        ("Eli Student", "eli.student@gmail.com"),
        "",
    ),
    (
        "g14-clinical-study",
        "podcast, press or research",
        "Screening interview - sleep study (participants)",
        ("Study Coordinator", "study@sleeplab.example"),
        "",
    ),
    (
        "g15-wedding-band",
        "look-alike",
        "Wedding band interview - The Jazz Cats",
        ("Jazz Cats", "thejazzcats@gmail.com"),
        "",
    ),
    (
        "g16-voiture",
        "look-alike",
        "Entretien de la voiture",
        ("Garage Martin", "rdv@garagemartin.example"),
        "",
    ),
    (
        "g19-nanny",
        "look-alike",
        "Nanny interview with Maria",
        ("Maria Santos", "maria.santos.nanny@gmail.com"),
        "",
    ),
    (
        "g21-tenant",
        "look-alike",
        "Rental application interview - 12 Elm St",
        ("Elm Property Mgmt", "leasing@elmproperty.example"),
        "",
    ),
]
for n, (case_id, kind, title, organizer, description) in enumerate(HELD_OUT_NEGATIVES, start=1):
    negative(
        case_id,
        kind,
        calendar(
            GOOGLE,
            [
                google_event(
                    f"heldout{n:02d}a1b2c3d4e5f6g7h@google.com",
                    f"2026-11-{n + 3:02d} 16:00",
                    f"2026-11-{n + 3:02d} 17:00",
                    title,
                    organizer,
                    [google_attendee(*organizer), ME],
                    description,
                )
            ],
        ),
    )
negative(
    "g10-declined-fabrikam",
    "declined",
    calendar(
        GOOGLE,
        [
            google_event(
                "g10declined1a2b3c4d5e6f7@google.com",
                "2026-11-20 15:00",
                "2026-11-20 16:00",
                "Interview - Backend Engineer - Fabrikam",
                ("Nadia Park", "nadia.park@fabrikam.example"),
                [
                    google_attendee("Nadia Park", "nadia.park@fabrikam.example"),
                    me_google("DECLINED", ALIAS),
                ],
            )
        ],
    ),
)
negative(
    "g11-cancelled-teams",
    "cancelled",
    calendar(
        EXCHANGE,
        [
            teams_event(
                "040000008200E00074C5B7101A82E00800000000G11G11G11G11D701000000000000000010000000G11",
                "Eastern Standard Time",
                "2026-12-01 09:00",
                "2026-12-01 10:00",
                "Interview - Data Engineer - Proseware",
                ("Li Wei", "li.wei@proseware.example"),
                [("Alex Rivera", USER[1], "ACCEPTED")],
                status="CANCELLED",
            )
        ],
        method="CANCEL",
        tzids=["Eastern Standard Time"],
    ),
)
negative(
    "g18-recruiting-sync",
    "recurring meeting",
    calendar(
        GOOGLE,
        [
            google_event(
                "g18recurring1a2b3c4d5e6f@google.com",
                "2026-09-08 15:00",
                "2026-09-08 15:30",
                "Weekly recruiting sync (interview pipeline)",
                ("Recruiting Lead", "recruiting.lead@partneragency.example"),
                [google_attendee("Recruiting Lead", "recruiting.lead@partneragency.example"), ME],
                extra=["RRULE:FREQ=WEEKLY;BYDAY=TU"],
            )
        ],
    ),
)
negative(
    "g20-all-day-finals",
    "all-day",
    calendar(
        GOOGLE,
        [
            [
                "BEGIN:VEVENT",
                "DTSTART;VALUE=DATE:20261214",
                "DTEND;VALUE=DATE:20261219",
                "DTSTAMP:20261126T120000Z",
                "ORGANIZER;CN=Hooli Recruiting:mailto:no-reply@ashbyhq.com",
                "UID:g20allday1a2b3c4d5e6f@google.com",
                google_attendee("Hooli Recruiting", "no-reply@ashbyhq.com"),
                ME,
                "SUMMARY:Final interviews week (Hooli)",
                "TRANSP:TRANSPARENT",
                "END:VEVENT",
            ]
        ],
    ),
)


# --- writing the files ---------------------------------------------------------------------

HARD = frozenset(
    {
        "interviewer side",
        "prep or mock",
        "vendor meeting",
        "declined",
        "cancelled",
        "all-day",
        "recurring meeting",
        "podcast, press or research",
        "look-alike",
    }
)


def _toml_value(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def expected_toml() -> str:
    lines = [
        "# What each file of the capture corpus is (generated by tests/support/capture_corpus.py).",
        "# interviews: company, role, stage, interviewers, start (ISO 8601, the invitation's offset)",
        "",
    ]
    for case in CASES:
        lines.append(f'["{case.id}"]')
        lines.append(f"kind = {_toml_value(case.kind)}")
        for key, value in case.expect.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def write(root: Path = ROOT) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("*.ics"):
        old.unlink()
    for case in CASES:
        (root / f"{case.id}.ics").write_bytes(case.text.encode("utf-8"))
    (root / "expected.toml").write_text(expected_toml(), encoding="utf-8")


if __name__ == "__main__":
    write()
    interviews = sum(c.interview for c in CASES)
    hard = sum(c.kind in HARD for c in CASES)
    print(f"{len(CASES)} files: {interviews} interviews, {hard} hard negatives -> {ROOT}")


# --- what the tests compare: interview rounds as (company, local day) ---------------------
def expected() -> dict[str, dict]:
    """expected.toml: what each corpus file is."""
    import tomllib

    return tomllib.loads((ROOT / "expected.toml").read_text(encoding="utf-8"))


def expected_rounds(ids=None) -> set[tuple[str, str]]:
    """(company, day in the user's zone) of every interview round, of `ids` or all."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from followup_sync.capture.domains import normalize_company

    rounds = set()
    for case_id, e in expected().items():
        if e["kind"] != "interview" or (ids is not None and case_id not in ids):
            continue
        start = datetime.fromisoformat(e["start"]).astimezone(ZoneInfo("America/New_York"))
        rounds.add((normalize_company(e["company"]), start.date().isoformat()))
    return rounds


def got_rounds(data: dict) -> set[tuple[str, str]]:
    """The same for `capture --json`'s candidates."""
    from followup_sync.capture.domains import normalize_company

    return {(normalize_company(c["company"]), c["start"][:10]) for c in data["candidates"]}
