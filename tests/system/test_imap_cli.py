"""The mailbox closes the loop, through the CLI, on Dovecot and on pymap.

Each scenario seeds real RFC 5322 messages into a fresh mailbox, runs `push` or
`check` as a user would, and checks what the store, the plan and the mailbox
say afterwards. The timeline: an interview with Jane Doe at Acme on Fri Nov 20
2026, 14:00 New York; follow-up 1 is due Fri Nov 27, 2 on Fri Dec 4, 3 on
Fri Dec 11.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from followup_sync.drafts import message_id
from tests.support import mail_messages as mm
from tests.support.imap_servers import PASSWORD, Mailbox

pytestmark = pytest.mark.network

TZ = ZoneInfo("America/New_York")
APP = "acme-backend-engineer"
JANE = "jane@acme.example"
ME = "alex@example.com"
NUDGE_1 = message_id(f"followup-sync.{APP}.r1.nudge-1", ME)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


class Mail:
    """One user's followup-sync with an IMAP provider pointed at a test mailbox."""

    def __init__(self, env, mailbox: Mailbox, rules: str = "", **options):
        self.env, self.box = env, mailbox
        env.write_config(rules + "\n" + mailbox.toml("mail", **options))
        self.os_env = {"IMAP_TEST_PASSWORD": PASSWORD}
        env.add_acme()

    def run(self, *args, today: str, expect: int | None = 0):
        return self.env.run(*args, today=today, expect=expect, env=self.os_env)

    def push(self, today: str, *extra: str) -> dict:
        return json.loads(self.run("push", "--json", *extra, today=today).stdout)

    def check(self, today: str) -> dict:
        return json.loads(self.run("check", "--json", today=today).stdout)

    def app(self, today: str = "2026-12-01") -> dict:
        (a,) = self.env.json("list", today=today)["applications"]
        return a

    def items(self, today: str = "2026-12-01") -> dict[str, dict]:
        return {i["uid"].rsplit(".", 1)[1]: i for i in self.env.plan(today=today)}

    def drafts(self) -> list:
        return [m["headers"] for m in self.box.messages("drafts").values()]

    def inbox(self, raw: bytes, when: datetime) -> int:
        return self.box.append("inbox", raw, when)

    def sent(self, raw: bytes, when: datetime) -> int:
        return self.box.append("sent", raw, when, flags=(b"\\Seen",))


def pulled(report: dict) -> list[tuple[str, str]]:
    """(kind, category or "") of each pulled fact of the one provider."""
    (p,) = report["providers"]
    return [(f["kind"], f.get("mail", {}).get("category", "")) for f in p["pulled"]]


def reply_from(sender: str, when: datetime, **kw) -> bytes:
    return mm.message(sender, ME, "Re: Following up on the Backend Engineer role", when, **kw)


def sent_to(to: str, when: datetime, subject: str = "Following up", **kw) -> bytes:
    return mm.message(f"Alex Rivera <{ME}>", to, subject, when, **kw)


# --- replies ----------------------------------------------------------------------------
def test_a_reply_from_the_interviewer_stops_the_series(env, mailbox):
    mail = Mail(env, mailbox)
    first = mail.push("2026-11-27")
    assert first["providers"][0]["result"]["created"] == 1
    (draft,) = mail.drafts()
    assert draft["Message-ID"] == NUDGE_1 and draft["To"] == f"Jane Doe <{JANE}>"
    mail.inbox(reply_from(f"Jane Doe <{JANE}>", at(11, 28), msgid="<r1@acme.example>"), at(11, 28))

    report = mail.push("2026-11-30")
    assert pulled(report) == [("replied", "reply")]
    assert report["providers"][0]["result"]["deleted"] == 1  # our draft goes
    assert mail.drafts() == []
    a = mail.app()
    assert (a["status"], a["outcome"]) == ("heard", "replied")
    assert a["reply"] == {
        "from": JANE,
        "date": "2026-11-28T10:00:00-05:00",
        "subject": "Re: Following up on the Backend Engineer role",
    }
    assert {i["status"] for i in mail.items().values()} == {"withdrawn"}
    replies = env.json("plan", today="2026-12-01")["replies"]
    assert replies == [{"application": APP, **a["reply"]}]
    out = mail.run("list", today="2026-12-01").stdout
    assert "heard (replied)" in out and f"replied Nov 28 by {JANE}" in out
    shown = mail.run("show", APP, today="2026-12-01").stdout
    assert f'reply:           replied Nov 28 by {JANE}: "Re: Following up' in shown
    assert env.json("show", APP, today="2026-12-01")["reply"] == a["reply"]
    # A second push finds nothing new and writes nothing.
    again = mail.push("2026-12-01")
    assert pulled(again) == [] and again["providers"][0]["result"]["created"] == 0


def test_a_reply_between_two_follow_ups(env, mailbox):
    """The common case: follow-up 1 went out (the user sent our draft), the answer
    comes before follow-up 2 is due."""
    mail = Mail(env, mailbox)
    mail.push("2026-11-27")
    # The user sends our draft: their client moves it to Sent.
    mail.sent(sent_to(JANE, at(11, 27, 11), msgid=NUDGE_1), at(11, 27, 11))
    with mailbox.client() as c:
        c.select_folder(mailbox.folders["drafts"])
        c.delete_messages(c.search("ALL"))
        c.uid_expunge(c.search("DELETED"))
    report = mail.push("2026-11-30")
    assert pulled(report) == [("sent", "sent")]  # not "you deleted": it was sent
    items = mail.items("2026-11-30")
    assert items["nudge-1"]["status"] == "sent" and items["nudge-1"]["sent_on"] == "2026-11-27"
    assert items["nudge-2"]["due"].startswith("2026-12-04")

    mail.inbox(reply_from(JANE, at(12, 2), msgid="<r2@acme.example>"), at(12, 2))
    report = mail.push("2026-12-03")
    assert pulled(report) == [("replied", "reply")]
    items = mail.items("2026-12-04")
    assert items["nudge-1"]["status"] == "sent"
    assert [items[f"nudge-{n}"]["status"] for n in (2, 3)] == ["withdrawn", "withdrawn"]
    assert mail.push("2026-12-04")["providers"][0]["result"]["created"] == 0  # no nudge-2 draft
    assert mail.drafts() == []


def test_a_colleague_replying_in_the_thread_is_a_reply(env, mailbox):
    mail = Mail(env, mailbox, company_domain_replies=False)
    mail.push("2026-11-27")
    raw = reply_from(
        "Raj Patel <raj@talent-partners.example>",
        at(11, 30),
        msgid="<c1@talent-partners.example>",
        in_reply_to=NUDGE_1,
        references=NUDGE_1,
        cc=JANE,
    )
    mail.inbox(raw, at(11, 30))
    assert pulled(mail.push("2026-12-01")) == [("replied", "thread-reply")]
    assert mail.app()["reply"]["from"] == "raj@talent-partners.example"


def test_a_lookalike_domain_is_not_the_company(env, mailbox):
    mail = Mail(env, mailbox)
    mail.push("2026-11-27")
    mail.inbox(
        reply_from("Bob <bob@notacme.example>", at(11, 30), msgid="<x@notacme.example>"), at(11, 30)
    )
    mail.inbox(reply_from("Sam <sam@careers.acme.example>", at(12, 1), msgid="<y@a>"), at(12, 1))
    report = mail.push("2026-12-01")
    # Only the real subdomain counts; notacme.example matched FROM on the server.
    assert pulled(report) == [("replied", "company-reply")]
    assert mail.app()["reply"]["from"] == "sam@careers.acme.example"


def test_automatic_mail_never_stops_the_series(env, mailbox):
    mail = Mail(env, mailbox)
    mail.push("2026-11-27")
    mail.inbox(
        mm.out_of_office(JANE, ME, at(11, 27, 9, 31), msgid="<o1@a>", in_reply_to=NUDGE_1),
        at(11, 27, 9, 31),
    )
    mail.inbox(mm.exchange_automatic_reply(JANE, ME, at(11, 27, 9, 32), msgid="<o2@a>"), at(11, 27))
    mail.inbox(
        mm.ats_update(
            "Acme Recruiting <no-reply@us.greenhouse-mail.io>",
            ME,
            "Acme: an update on your application",
            at(11, 28),
            msgid="<g1@greenhouse>",
        ),
        at(11, 28),
    )
    mail.inbox(
        mm.ats_update(
            "no-reply@acme.example", ME, "Application received", at(11, 28, 11), msgid="<n1@a>"
        ),
        at(11, 28, 11),
    )
    mail.inbox(
        mm.bounce(ME, JANE, NUDGE_1, at(11, 27, 9, 35), msgid="<b1@mx>", reporter="mx.example.net"),
        at(11, 27, 9, 35),
    )
    check = mail.check("2026-11-30")
    facts = check["providers"][0]["facts"]
    assert sorted((f["kind"], f["mail"]["category"]) for f in facts) == [
        ("noticed", "auto-reply"),
        ("noticed", "auto-reply"),
        ("noticed", "bounce"),
        ("noticed", "possible-response"),
        ("noticed", "possible-response"),
    ]
    bounce = next(f for f in facts if f["mail"]["category"] == "bounce")
    assert bounce["mail"]["to"] == [JANE] and bounce["application"] == APP
    text = mail.run("check", today="2026-11-30").stdout
    assert f"auto-reply from {JANE} on Nov 27" in text and "ignored" in text
    assert "the address is probably wrong" in text
    assert f"followup-sync heard {APP}" in text  # possible responses: for the user to confirm
    report = mail.push("2026-11-30")
    assert {k for k, _ in pulled(report)} == {"noticed"}
    assert mail.app()["status"] == "waiting"
    assert len(mail.drafts()) == 1  # follow-up 1's draft stays


# --- sent mail ----------------------------------------------------------------------------
def test_a_thank_you_on_the_interview_day_is_not_a_follow_up(env, mailbox):
    mail = Mail(env, mailbox)
    mail.sent(sent_to(JANE, at(11, 20, 18), "Thank you", msgid="<t@a>"), at(11, 20, 18))
    report = mail.push("2026-11-23")
    assert pulled(report) == [("noticed", "early-sent")]
    assert mail.items("2026-11-23")["nudge-1"]["status"] == "planned"
    text = mail.run("check", today="2026-11-23").stdout
    assert "nothing new" in text  # the push above already looked at it


def test_a_thank_you_marks_the_planned_thank_you_note(env, mailbox):
    mail = Mail(env, mailbox, rules="[rules]\nthank_you = true\n")
    mail.sent(sent_to(JANE, at(11, 20, 18), "Thank you", msgid="<t@a>"), at(11, 20, 18))
    assert pulled(mail.push("2026-11-23")) == [("sent", "sent")]
    items = mail.items("2026-11-23")
    assert items["thank-you"]["status"] == "sent" and items["nudge-1"]["status"] == "planned"


def test_a_follow_up_sent_two_days_late(env, mailbox):
    mail = Mail(env, mailbox)
    mail.push("2026-11-27")  # the draft for follow-up 1
    # The user writes their own email on Sunday instead (another Message-ID).
    mail.sent(sent_to(JANE, at(11, 29, 20), msgid="<own@example.com>"), at(11, 29, 20))
    report = mail.push("2026-11-30")
    assert pulled(report) == [("sent", "sent")]
    assert report["providers"][0]["result"]["deleted"] == 1  # our unused draft goes
    items = mail.items("2026-11-30")
    assert items["nudge-1"]["sent_on"] == "2026-11-29"
    # Re-planned from the day it went out: a week later is Sun Dec 6 -> Mon Dec 7.
    assert items["nudge-2"]["due"].startswith("2026-12-07")
    text = mail.run("push", today="2026-12-07").stdout
    assert "1 created" in text  # follow-up 2's draft, on its day
    (draft,) = mail.drafts()
    assert draft["In-Reply-To"] == NUDGE_1  # in follow-up 1's thread


# --- the user's drafts ----------------------------------------------------------------------
def test_a_draft_the_user_deletes_is_not_recreated(env, mailbox):
    mail = Mail(env, mailbox)
    mail.push("2026-11-27")
    with mailbox.client() as c:
        c.select_folder(mailbox.folders["drafts"])
        uids = c.search("ALL")
        c.delete_messages(uids)
        c.uid_expunge(uids)
    out = mail.run("push", today="2026-11-28").stdout
    assert f"you deleted followup-sync.{APP}.r1.nudge-1" in out
    mail.push("2026-11-29")
    assert mail.drafts() == []
    assert mail.items("2026-11-29")["nudge-1"]["status"] == "overdue"  # still a follow-up


def test_a_draft_the_user_edits_is_left_alone(env, mailbox):
    mail = Mail(env, mailbox)
    mail.push("2026-11-27")
    # Their mail client saves the edit as a new message (same Message-ID) and
    # removes ours.
    edited = sent_to(JANE, at(11, 27, 12), "My own words", msgid=NUDGE_1)
    theirs = mailbox.append("drafts", edited, at(11, 27, 12), flags=(b"\\Draft",))
    with mailbox.client() as c:
        c.select_folder(mailbox.folders["drafts"])
        ours = [u for u in c.search("ALL") if u != theirs]
        c.delete_messages(ours)
        c.uid_expunge(ours)
    out = mail.run("push", today="2026-11-28").stdout
    assert "in your mail client: it is yours now" in out
    # Withdrawn later (they answered): the user's draft is still not ours to remove.
    mail.inbox(reply_from(JANE, at(11, 30), msgid="<r@a>"), at(11, 30))
    mail.push("2026-12-01")
    assert mail.app()["outcome"] == "replied"
    (left,) = mail.drafts()
    assert left["Subject"] == "My own words"


def test_check_only_reads(env, mailbox):
    mail = Mail(env, mailbox)
    mail.push("2026-11-27")
    mail.inbox(reply_from(JANE, at(11, 28), msgid="<r@a>"), at(11, 28))
    store = env.data_dir / "followup-sync.sqlite3"
    before = store.read_bytes()
    flags = mailbox.flags("inbox")
    for _ in range(2):  # and reports it again: it changed nothing
        check = mail.check("2026-11-30")
        assert [f["kind"] for f in check["providers"][0]["facts"]] == ["replied"]
    assert store.read_bytes() == before
    assert mailbox.flags("inbox") == flags  # nothing marked read
    assert mail.app()["status"] == "waiting"
    assert pulled(mail.push("2026-11-30")) == [("replied", "reply")]
    second = mail.check("2026-12-01")
    assert second["providers"][0]["facts"] == []


def test_a_dry_run_touches_nothing(env, mailbox):
    mail = Mail(env, mailbox)
    mail.inbox(reply_from(JANE, at(11, 28), msgid="<r@a>"), at(11, 28))
    store = env.data_dir / "followup-sync.sqlite3"
    before = store.read_bytes()
    report = mail.push("2026-11-30", "--dry-run")
    assert report["dry_run"] and pulled(report) == [("replied", "reply")]
    assert store.read_bytes() == before
    assert mail.drafts() == [] and mail.app()["status"] == "waiting"
    # The real push still sees the reply (the dry run saved no position).
    assert pulled(mail.push("2026-11-30")) == [("replied", "reply")]


def test_check_needs_a_mail_provider(env):
    env.add_acme()
    result = env.run("check", expect=3)
    assert 'type = "imap"' in result.stderr


def test_sending_every_draft_is_not_an_emptied_target(env, mailbox):
    """Five drafts sent at once leave Drafts empty: that is use, not a wrong folder."""
    mail = Mail(env, mailbox)
    for n in range(2, 6):
        env.run(
            "add",
            f"Company{n}",
            "--role",
            "Engineer",
            "--date",
            "2026-11-20 14:00",
            "--interviewer",
            f"Pat Lee <pat@company{n}.example>",
        )
    mail.push("2026-11-27")
    drafts = mailbox.messages("drafts")
    assert len(drafts) == 5
    for d in drafts.values():
        to = d["headers"]["To"]
        mail.sent(sent_to(to, at(11, 27, 11), msgid=d["headers"]["Message-ID"]), at(11, 27, 11))
    with mailbox.client() as c:
        c.select_folder(mailbox.folders["drafts"])
        c.delete_messages(list(drafts))
        c.uid_expunge(list(drafts))
    report = mail.push("2026-11-30")
    assert [k for k, _ in pulled(report)] == ["sent"] * 5
    assert all(
        a["next"]["attempt"] == 2 for a in env.json("list", today="2026-11-30")["applications"]
    )


@pytest.mark.parametrize(
    "option, message",
    [
        ('security = "ssl"', "security must be one of"),
        ("drafts_lead_days = -1", "drafts_lead_days: must be between 0 and 30"),
        ('reply_folders = "INBOX"', "reply_folders must be a list"),
        ('ca_file = "/nonexistent/ca.pem"', "no such file"),
        ('auth = "xoauth2"', "needs token_cmd"),
        ("detect_replies = 1", "detect_replies must be true or false"),
        ("colour = true", "colour"),
    ],
)
def test_option_mistakes_stop_before_anything_is_read(env, option, message):
    env.write_config(
        '[providers.mail]\ntype = "imap"\nhost = "imap.example.com"\n'
        f'username = "alex@example.com"\npassword_env = "NOPE"\n{option}\n'
    )
    env.add_acme()
    for command in ("push", "check"):
        result = env.run(command, expect=3)
        assert message in result.stderr and "Traceback" not in result.stderr


def test_drafts_lead_days_puts_a_follow_up_in_drafts_before_its_day(env, mailbox):
    mail = Mail(env, mailbox, drafts_lead_days=2)
    assert mail.push("2026-11-24")["providers"][0]["result"]["created"] == 0
    assert mail.push("2026-11-25")["providers"][0]["result"]["created"] == 1  # due Nov 27
    (draft,) = mail.drafts()
    assert draft["Message-ID"] == NUDGE_1


def test_a_reply_withdraws_the_follow_ups_from_every_target_in_one_push(env, mailbox, tmp_path):
    """The mailbox is read before anything is planned: the calendar loses its pending
    items in the same push that finds the reply."""
    ics = tmp_path / "followups.ics"
    mail = Mail(env, mailbox, rules=f'[providers.calendar]\ntype = "ics"\npath = "{ics}"\n')
    env.run("push", today="2026-11-27", env=mail.os_env)
    assert ics.read_text().count("BEGIN:VEVENT") == 4  # 3 follow-ups and the move-on marker
    mail.inbox(reply_from(JANE, at(11, 28), msgid="<r@a>"), at(11, 28))
    env.run("push", today="2026-11-30", env=mail.os_env)
    assert ics.read_text().count("BEGIN:VEVENT") == 0
    assert mail.drafts() == []
