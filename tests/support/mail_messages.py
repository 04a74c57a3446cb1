"""Real RFC 5322 messages for the mailbox scenarios: replies, auto-replies, bounces.

Each builder returns the bytes a mail server would store (CRLF line ends), with
the headers real senders write: an RFC 3834 out-of-office, Exchange's
"Automatic reply", an applicant-tracking system's no-reply mail, an RFC 3464
delivery status notification. Bodies hold a marker ("BODY-TEXT") that the store
and the output must never contain, since bodies are never fetched.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

BODY = "BODY-TEXT: thanks for your patience, we will be in touch."


def message(
    sender: str,
    to: str,
    subject: str,
    when: datetime,
    *,
    msgid: str,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    body: str = BODY,
    cc: str = "",
) -> bytes:
    lines = [
        f"From: {sender}",
        f"To: {to}",
        *([f"Cc: {cc}"] if cc else []),
        f"Subject: {subject}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: {msgid}",
        *([f"In-Reply-To: {in_reply_to}"] if in_reply_to else []),
        *([f"References: {references}"] if references else []),
        *[f"{k}: {v}" for k, v in (headers or {}).items()],
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "",
        body,
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


def out_of_office(sender: str, to: str, when: datetime, *, msgid: str, in_reply_to: str) -> bytes:
    """An RFC 3834 auto-reply in the thread, known only by its header (the subject
    is the one it answers, as vacation responders often write it)."""
    return message(
        sender,
        to,
        "Re: Following up on the Backend Engineer role",
        when,
        msgid=msgid,
        in_reply_to=in_reply_to,
        references=in_reply_to,
        headers={"Auto-Submitted": "auto-replied"},
        body="I am away until December 7 with limited access to email.",
    )


def exchange_automatic_reply(sender: str, to: str, when: datetime, *, msgid: str) -> bytes:
    """Exchange's out-of-office: "Automatic reply:" with Exchange's own headers."""
    return message(
        sender,
        to,
        "Automatic reply: Backend Engineer interview",
        when,
        msgid=msgid,
        headers={
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "X-MS-Exchange-Inbox-Rules-Loop": sender,
        },
        body="I am out of the office with no access to email.",
    )


def ats_update(sender: str, to: str, subject: str, when: datetime, *, msgid: str) -> bytes:
    """Status mail from an applicant-tracking system (no-reply, auto-generated)."""
    return message(
        sender,
        to,
        subject,
        when,
        msgid=msgid,
        headers={"Auto-Submitted": "auto-generated"},
        body="There is an update on your application. Log in to see it.",
    )


def bounce(
    to: str, failed: str, original_msgid: str, when: datetime, *, msgid: str, reporter: str
) -> bytes:
    """An RFC 3464 delivery status notification, as Postfix writes it (no References)."""
    boundary = "DSN-boundary-1"
    text = f"""From: MAIL DELIVERY SYSTEM <MAILER-DAEMON@{reporter}>
To: {to}
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(when)}
Message-ID: {msgid}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{failed}>: host mx.example said: 550 5.1.1 User unknown

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; {reporter}

Final-Recipient: rfc822; {failed}
Action: failed
Status: 5.1.1

--{boundary}
Content-Type: text/rfc822-headers

From: {to}
To: {failed}
Subject: Following up on the Backend Engineer role
Message-ID: {original_msgid}

--{boundary}--
"""
    return text.replace("\n", "\r\n").encode()


# --- invitation emails (iMIP, RFC 6047) for capture ------------------------------------
#: How the tools send them: Google (inline + invite.ics), Exchange (base64 alternative),
#: a bare text/calendar message, an .ics attached as a file.
SHAPES = ("google", "outlook", "bare", "attachment")


def imip(ics: str, method: str = "REQUEST") -> str:
    """`ics` as an email carries it: with a METHOD (RFC 6047 2.4), `method` unless it has one."""
    if "\r\nMETHOD:" in ics:
        return ics
    return ics.replace("VERSION:2.0\r\n", f"VERSION:2.0\r\nMETHOD:{method}\r\n", 1)


def invitation(ics: str, shape: str, subject: str, sender: str, when: datetime) -> bytes:
    """An invitation email as the tools send it (RFC 6047 iMIP)."""
    ics = imip(ics)
    method = re.search(r"\r\nMETHOD:(\w+)", ics).group(1)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Alex Rivera <alex@example.com>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain="calendar.example")
    if shape == "bare":  # the whole message is the calendar (some ATS mailers)
        msg.set_content(ics, subtype="calendar", cte="quoted-printable", params={"method": method})
    elif shape == "outlook":  # Exchange: the calendar is the last alternative, base64
        msg.set_content("You have been invited.")
        msg.add_alternative("<p>You have been invited.</p>", subtype="html")
        msg.add_alternative(ics, subtype="calendar", cte="base64", params={"method": method})
    elif shape == "google":  # inline alternative, and the same again as invite.ics
        msg.set_content("Invitation from Google Calendar")
        msg.add_alternative("<p>Invitation from Google Calendar</p>", subtype="html")
        msg.add_alternative(ics, subtype="calendar", params={"method": method})
        msg.add_attachment(
            ics.encode(), maintype="application", subtype="ics", filename="invite.ics"
        )
    else:  # an .ics attached as a generic file
        msg.set_content("Please find the interview details attached.")
        msg.add_attachment(
            ics.encode(), maintype="application", subtype="octet-stream", filename="interview.ics"
        )
    return bytes(msg).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
