"""`capture` from the mailbox: invitation emails in real Dovecot and pymap mailboxes.

The corpus arrives as the invitation emails the tools send (Google's inline
calendar plus invite.ics, Outlook's base64 text/calendar, a bare text/calendar
message, an .ics attachment), put in the inbox by a plain IMAP client playing the
mail server. Commands are counted and read on the wire by the loopback proxy:
nothing is fetched but message structures and calendar parts, and no message
gains \\Seen.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from tests.support import capture_corpus as cc
from tests.support.imap_proxy import ImapProxy
from tests.support.imap_servers import PASSWORD, Mailbox
from tests.support.mail_messages import SHAPES, imip, invitation

pytestmark = pytest.mark.network

NY = ZoneInfo("America/New_York")
EXPECTED = cc.expected()
PIED = "i12-google-piedpiper"
PIED_UID = "3q8v2m1n0b9c8x7z6l5k4j3h2g@google.com"


def received(case_id: str) -> datetime:
    """A week before the event (the all-day and odd ones: early in the window)."""
    start = EXPECTED[case_id].get("start")
    if start:
        return datetime.fromisoformat(start) - timedelta(days=7)
    return datetime(2026, 9, 20, 9, tzinfo=NY)


def deliver(mailbox: Mailbox, case_id: str, n: int = 0, ics: str | None = None, when=None) -> int:
    text = ics if ics is not None else (cc.ROOT / f"{case_id}.ics").read_bytes().decode()
    raw = invitation(
        text,
        SHAPES[n % len(SHAPES)],
        f"Invitation: {case_id}",
        "calendar-notification@google.example",
        when or received(case_id),
    )
    return mailbox.append("inbox", raw, when or received(case_id))


def configure(env, mailbox: Mailbox, port: int | None = None) -> dict[str, str]:
    box = Mailbox(**{**mailbox.__dict__, "port": port or mailbox.port})
    env.write_config(
        cc.CAPTURE_CONFIG
        + "\n"
        + box.toml("mail")
        + '\n[capture.sources.inbox]\nprovider = "mail"\n'
    )
    return {"IMAP_TEST_PASSWORD": PASSWORD}


def test_every_interview_in_the_inbox_and_nothing_else_read_or_marked(env, mailbox):
    for n, case_id in enumerate(sorted(EXPECTED)):
        deliver(mailbox, case_id, n)
    # Mail that is not an invitation, one with a big attachment.
    plain = EmailMessage()
    plain["From"], plain["To"], plain["Subject"] = "x@y.example", "alex@example.com", "Photos"
    plain.set_content("BODY-TEXT")
    plain.add_attachment(b"\0" * 300_000, maintype="image", subtype="png", filename="p.png")
    mailbox.append("inbox", bytes(plain), datetime(2026, 11, 1, tzinfo=NY))
    flags_before = mailbox.flags("inbox")
    proxy = ImapProxy(mailbox.port)
    try:
        os_env = configure(env, mailbox, proxy.port)
        data = json.loads(env.run("capture", "--json", env=os_env).stdout)
    finally:
        proxy.close()
    assert cc.got_rounds(data) == cc.expected_rounds()
    assert {c["source"] for c in data["candidates"]} == {"inbox"}
    assert all(c["status"] == "new" for c in data["candidates"])
    # Read-only, no \Seen, and no message or attachment downloaded whole.
    assert mailbox.flags("inbox") == flags_before
    lines = [line.upper() for line in proxy.lines]
    assert not any(
        re.match(rb"\S+ (UID )?(SELECT|STORE|APPEND|EXPUNGE|COPY|MOVE)\b", x) for x in lines
    )
    fetches = [x for x in lines if b" FETCH " in x]
    assert fetches and all(b"BODYSTRUCTURE" in x or b"BODY.PEEK[" in x for x in fetches)
    assert not any(re.search(rb"RFC822|BODY\.PEEK\[\]|BODY\.PEEK\[TEXT\]|BODY\[", x) for x in lines)
    # One search, one structure fetch (fewer than 300 messages), one fetch per part
    # number the four email shapes use (1, 1.3, 2, 3).
    assert proxy.counts["UID SEARCH"] == 1, proxy.log
    part_fetches = [x for x in fetches if b"BODY.PEEK[" in x]
    assert len(fetches) - len(part_fetches) == 1
    numbers = {re.search(rb"BODY\.PEEK\[([0-9.]+)\]", x).group(1) for x in part_fetches}
    assert numbers == {b"1", b"1.3", b"2", b"3"} and len(part_fetches) == 4


def test_capture_add_push_then_a_moved_and_a_cancelled_invitation(env, mailbox):
    ids = [PIED, "i06-calendly-hooli-recruiter", "n13-prep-01"]
    for n, case_id in enumerate(ids):
        deliver(mailbox, case_id, n)
    os_env = configure(env, mailbox)

    def capture(*args):
        return env.run("capture", *args, env=os_env)

    listed = json.loads(capture("--json").stdout)["candidates"]
    assert [(c["company"], c["role"]) for c in listed] == [
        ("Pied Piper", "Frontend Developer"),
        ("Hooli", "Platform Engineer"),
    ]
    assert "[2] new application hooli-platform-engineer" in capture("--add", "all").stdout
    assert json.loads(capture("--json").stdout)["candidates"] == []

    # The recruiter moves the Pied Piper interview: a second email, SEQUENCE 1. The
    # first email stays in the inbox; the newer version wins (RFC 5546 2.1.5).
    text = imip((cc.ROOT / f"{PIED}.ics").read_bytes().decode())
    assert "SEQUENCE:0" in text and PIED_UID in text and "METHOD:REQUEST" in text
    moved_ics = (
        text.replace("DTSTART:20261002T170000Z", "DTSTART:20261008T170000Z")
        .replace("DTEND:20261002T174500Z", "DTEND:20261008T174500Z")
        .replace("SEQUENCE:0", "SEQUENCE:1")
    )
    deliver(mailbox, PIED, 1, ics=moved_ics, when=datetime(2026, 10, 1, 12, tzinfo=NY))
    (moved,) = json.loads(capture("--json").stdout)["candidates"]
    assert (moved["status"], moved["application"]) == ("update", "pied-piper-frontend-developer")
    assert moved["start"] == "2026-10-08T13:00:00-04:00"
    assert "moved; follow-ups re-planned" in capture("--add", str(moved["n"])).stdout
    assert env.json("show", "pied")["rounds"][0]["at"] == "2026-10-08T13:00:00-04:00"

    # An older copy arriving late (a forward, a resend) does not move it back.
    deliver(mailbox, PIED, 3, when=datetime(2026, 10, 2, 9, tzinfo=NY))
    assert json.loads(capture("--json").stdout)["candidates"] == []

    # Then the cancellation arrives.
    cancel = moved_ics.replace("METHOD:REQUEST", "METHOD:CANCEL").replace(
        "SEQUENCE:1", "SEQUENCE:2"
    )
    cancel = cancel.replace("STATUS:CONFIRMED", "STATUS:CANCELLED")
    deliver(mailbox, PIED, 2, ics=cancel, when=datetime(2026, 10, 3, 9, tzinfo=NY))
    data = json.loads(capture("--json").stdout)
    assert [(x["application"], x["why"]) for x in data["cancelled"]] == [
        ("pied-piper-frontend-developer", "cancelled")
    ]


def test_a_deleted_invitation_email_is_not_a_cancelled_interview(env, mailbox):
    uid = deliver(mailbox, "i06-calendly-hooli-recruiter")
    os_env = configure(env, mailbox)
    env.run("capture", "--add", "1", env=os_env)
    # The user tidies the inbox: the invitation is gone, the interview is not.
    with mailbox.client() as c:
        c.select_folder(mailbox.folders["inbox"])
        c.delete_messages([uid])
        c.expunge()
    data = json.loads(env.run("capture", "--json", env=os_env).stdout)
    assert data["candidates"] == [] and data["cancelled"] == []
    assert env.json("list")["applications"][0]["status"] == "waiting"


def test_an_attendees_reply_is_not_an_interview(env, mailbox):
    """The user as interviewer gets REPLY emails from candidates: never proposed."""
    reply = imip((cc.ROOT / f"{PIED}.ics").read_bytes().decode(), "REPLY")
    assert "METHOD:REPLY" in reply
    deliver(mailbox, PIED, 0, ics=reply)
    os_env = configure(env, mailbox)
    assert json.loads(env.run("capture", "--json", env=os_env).stdout)["candidates"] == []


def test_a_refused_login_is_one_line_without_the_password(env, mailbox):
    configure(env, mailbox)
    r = env.run("capture", env={"IMAP_TEST_PASSWORD": "not-the-password"}, expect=4)
    assert r.stderr.count("\n") == 1, r.stderr
    assert "refused the login" in r.stderr and "capture source 'inbox'" in r.stderr
    assert "not-the-password" not in r.stderr + r.stdout
