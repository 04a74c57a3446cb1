"""The mailbox logic without a server: classification, matching, watch, search, folders.

What a message means is decided in followup_sync/mail/ from its headers; these
tests build the Messages a provider would return and check the facts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup_sync.desired import DesiredState
from followup_sync.drafts import message_id
from followup_sync.mail.classify import classify
from followup_sync.mail.domains import ats_name, is_free_mail, within
from followup_sync.mail.match import match
from followup_sync.mail.message import parse
from followup_sync.mail.model import Found, Message
from followup_sync.mail.watch import build_watch
from followup_sync.models import (
    Application,
    Interviewer,
    Outcome,
    Reply,
    Round,
    Rules,
    SentMark,
    Status,
    User,
)
from followup_sync.sync import PullKind
from followup_sync_imap.drafts import Listed, Ref, resolve
from followup_sync_imap.folders import choose
from followup_sync_imap.search import batches, or_tree, quoted, uid_set
from tests.support import mail_messages

TZ = ZoneInfo("America/New_York")
USER = User("Alex Rivera", "alex@example.com", "America/New_York")
INTERVIEW = datetime(2026, 11, 20, 14, 0, tzinfo=TZ)
JANE = "jane@acme.example"
RULES = Rules()


def app(
    app_id: str = "acme",
    company: str = "Acme",
    people=(("Jane Doe", JANE),),
    **kw,
) -> Application:
    rnd = Round(1, INTERVIEW, tuple(Interviewer(n, e) for n, e in people))
    return Application(app_id, company, "Backend Engineer", (rnd,), **kw)


def planner(today=date(2026, 11, 30), rules=RULES):
    return DesiredState(USER, rules, TZ, today).items


def msg(
    role="reply",
    sender=JANE,
    when=datetime(2026, 11, 30, 10, 0, tzinfo=TZ),
    *,
    to=("alex@example.com",),
    subject="Re: Backend Engineer",
    fields=None,
    refs=(),
    msgid="<m1@acme.example>",
    name="Jane Doe",
    mentions=(),
    uid=1,
) -> Message:
    return Message(
        role=role,
        folder="INBOX" if role == "reply" else "Sent",
        uid=uid,
        message_id=msgid,
        sender=sender,
        sender_name=name,
        to=tuple(to),
        subject=subject,
        date=when,
        arrived=when,
        references=tuple(refs),
        fields=fields or {},
        mentions=tuple(mentions),
    )


def facts(apps, messages, *, rules=RULES, today=date(2026, 11, 30), **found):
    plan = planner(today, rules)
    watch = build_watch(apps, plan, USER)
    return match(watch, Found(tuple(messages), **found), plan, TZ)


def nudge_id(app_id="acme", n=1):
    return message_id(f"followup-sync.{app_id}.r1.nudge-{n}", USER.email)


# --- classify -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sender, subject, fields, want",
    [
        (JANE, "Re: Backend Engineer", {}, "human"),
        (JANE, "Re: next steps", {"auto-submitted": "no"}, "human"),
        (JANE, "Out of office until Dec 7", {"auto-submitted": "auto-replied"}, "auto-reply"),
        (JANE, "Away", {"auto-submitted": "auto-replied; owner-email=x"}, "auto-reply"),
        (JANE, "Re: you", {"x-autoreply": "yes"}, "auto-reply"),
        (JANE, "Re: you", {"x-autorespond": "Out of office"}, "auto-reply"),
        (JANE, "Re: you", {"precedence": "auto_reply"}, "auto-reply"),
        (JANE, "Automatic reply: Backend Engineer", {}, "auto-reply"),
        (JANE, "Abwesenheitsnotiz: Ihre Nachricht", {}, "auto-reply"),
        (JANE, "Réponse automatique : votre message", {}, "auto-reply"),
        (JANE, "Respuesta automática: hola", {}, "auto-reply"),
        (JANE, "[EXT] Out of Office: Re: hello", {}, "auto-reply"),
        (
            JANE,
            "Re: interview",
            {"auto-submitted": "auto-generated", "x-auto-response-suppress": "All"},
            "auto-reply",
        ),
        # Outlook puts X-Auto-Response-Suppress on ordinary mail: a person's reply.
        (JANE, "Re: next steps", {"x-auto-response-suppress": "DR, OOF, AutoReply"}, "human"),
        ("no-reply@acme.example", "Your application", {}, "automated"),
        ("jobs@acme.example", "Update", {"auto-submitted": "auto-generated"}, "automated"),
        ("news@acme.example", "Acme Weekly", {"list-id": "<news.acme.example>"}, "bulk"),
        ("news@acme.example", "Acme Weekly", {"precedence": "bulk"}, "bulk"),
        ("MAILER-DAEMON@mx.example", "Undelivered Mail", {}, "bounce"),
        (
            "postmaster@mx.example",
            "Delivery Status Notification (Failure)",
            {"content-type": "multipart/report; report-type=delivery-status"},
            "bounce",
        ),
        ("mailer@mx.example", "failed", {"x-failed-recipients": JANE}, "bounce"),
    ],
)
def test_classify(sender, subject, fields, want):
    assert classify(sender, subject, fields) == want


def test_domains():
    assert within("sub.acme.example", "acme.example")
    assert within("ACME.example", "acme.example")
    assert not within("notacme.example", "acme.example")
    assert not within("acme.example.evil", "acme.example")
    assert is_free_mail("gmail.com") and is_free_mail("mail.yahoo.com")
    assert not is_free_mail("acme.example")
    assert ats_name("us.greenhouse-mail.io") == "Greenhouse"
    assert ats_name("notgreenhouse.io") is None


def test_parse_headers_decodes_and_keeps_no_body():
    raw = (
        b"From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <Jurgen@Sub.Acme.Example>\r\n"
        b"To: Alex <alex@example.com>, bob@acme.example\r\nCc: raj@acme.example\r\n"
        b"Subject: =?utf-8?q?R=C3=BCckmeldung?=\r\n"
        b"Date: Mon, 30 Nov 2026 10:00:00 -0500\r\nMessage-ID: <x1@acme.example>\r\n"
        b"In-Reply-To: <a@b.example>\r\nReferences: <r1@b.example>\r\n <a@b.example>\r\n"
        b"Auto-Submitted: auto-replied\r\n\r\n"
    )
    m = parse(raw, role="reply", folder="INBOX", uid=7)
    assert m.sender == "jurgen@sub.acme.example" and m.sender_name == "Jürgen Müller"
    assert m.to == ("alex@example.com", "bob@acme.example", "raj@acme.example")
    assert m.subject == "Rückmeldung"
    assert m.date == datetime(2026, 11, 30, 15, 0, tzinfo=ZoneInfo("UTC"))
    assert m.thread_ids == {"<a@b.example>", "<r1@b.example>"}
    assert m.fields == {"auto-submitted": "auto-replied"}


def test_a_real_bounce_is_a_bounce():
    raw = mail_messages.bounce(
        "alex@example.com",
        JANE,
        "<x@example.com>",
        datetime(2026, 11, 30, 10, tzinfo=TZ),
        msgid="<b1@mx.example>",
        reporter="mx.example",
    )
    m = parse(raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n", role="reply", folder="INBOX", uid=1)
    assert classify(m.sender, m.subject, m.fields) == "bounce"


# --- replies ----------------------------------------------------------------------------
def test_a_reply_from_the_interviewer_is_a_reply():
    (fact,) = facts([app()], [msg()])
    assert fact.kind == PullKind.REPLIED and fact.app_id == "acme"
    assert fact.mail.sender == JANE and fact.mail.category == "reply"
    assert fact.on == date(2026, 11, 30)


def test_mail_from_before_the_interview_is_not_a_reply():
    assert facts([app()], [msg(when=INTERVIEW - timedelta(hours=2))]) == []


def test_a_colleague_replying_in_our_thread_is_a_reply():
    other = msg(sender="raj@talent-partners.example", refs=[nudge_id()])
    (fact,) = facts([app()], [other], company_domain_replies=False)
    assert fact.kind == PullKind.REPLIED and fact.mail.category == "thread-reply"


def test_company_domain_and_subdomains_count_but_not_a_lookalike():
    got = facts([app()], [msg(sender="bob@careers.acme.example")])
    assert [(f.kind, f.mail.category) for f in got] == [(PullKind.REPLIED, "company-reply")]
    assert facts([app()], [msg(sender="bob@notacme.example")]) == []
    assert (
        facts([app()], [msg(sender="bob@careers.acme.example")], company_domain_replies=False) == []
    )


def test_free_mail_is_never_a_company_domain():
    a = app(people=(("Jane Doe", "jane.doe@gmail.com"),))
    assert facts([a], [msg(sender="stranger@gmail.com")]) == []
    assert facts([a], [msg(sender="jane.doe@gmail.com")])[0].kind == PullKind.REPLIED


def test_automatic_mail_never_stops_the_series():
    ooo = msg(fields={"auto-submitted": "auto-replied"}, refs=[nudge_id()])
    exchange = msg(subject="Automatic reply: Backend Engineer", uid=2, msgid="<m2@a>")
    news = msg(sender="news@acme.example", fields={"list-id": "<n>"}, uid=3, msgid="<m3@a>")
    got = facts([app()], [ooo, exchange, news])
    assert [(f.kind, f.mail.category) for f in got] == [
        (PullKind.NOTICED, "auto-reply"),
        (PullKind.NOTICED, "auto-reply"),
        (PullKind.NOTICED, "bulk"),
    ]


def test_ats_mail_is_a_possible_response_never_a_reply():
    greenhouse = msg(
        sender="no-reply@us.greenhouse-mail.io",
        name="Acme Recruiting",
        subject="Your application to Acme",
        fields={"auto-submitted": "auto-generated"},
    )
    own_domain = msg(
        sender="no-reply@acme.example",
        fields={"auto-submitted": "auto-generated"},
        msgid="<m2@a>",
        uid=2,
    )
    other_company = msg(sender="no-reply@lever.co", name="Globex Talent", subject="Update", uid=3)
    got = facts([app()], [greenhouse, own_domain, other_company])
    assert [(f.kind, f.mail.category, f.app_id) for f in got] == [
        (PullKind.NOTICED, "possible-response", "acme"),
        (PullKind.NOTICED, "possible-response", "acme"),
    ]


def test_a_reply_matching_two_applications_is_for_the_user_to_confirm():
    a, b = app("acme-1"), replace(app("acme-2"), role="Staff Engineer")
    got = facts([a, b], [msg()])
    assert {(f.kind, f.app_id) for f in got} == {
        (PullKind.NOTICED, "acme-1"),
        (PullKind.NOTICED, "acme-2"),
    }
    # In one application's thread, it is that application's reply.
    got = facts([a, b], [msg(refs=[nudge_id("acme-2")])])
    assert [(f.kind, f.app_id) for f in got] == [(PullKind.REPLIED, "acme-2")]


def test_bounces_name_the_address_that_failed():
    dsn = msg(
        sender="mailer-daemon@mx.example",
        subject="Undelivered Mail Returned to Sender",
        mentions=[JANE],
    )
    (fact,) = facts([app()], [dsn])
    assert fact.kind == PullKind.NOTICED and fact.mail.category == "bounce"
    assert fact.mail.recipients == (JANE,)
    unrelated = replace(dsn, mentions=())
    assert facts([app()], [unrelated]) == []


def test_only_the_first_reply_counts_and_a_known_one_never_again():
    first, second = msg(), msg(when=datetime(2026, 12, 1, 9, tzinfo=TZ), msgid="<m2@a>", uid=2)
    got = facts([app()], [second, first])
    assert [(f.kind, f.mail.message_id) for f in got] == [(PullKind.REPLIED, "<m1@acme.example>")]
    known = Reply(1, "<m1@acme.example>", JANE, first.when, "Re: Backend Engineer")
    reopened = app(replies=(known,))
    assert facts([reopened], [first]) == []


def test_the_users_own_mail_is_never_a_reply():
    assert facts([app()], [msg(sender="alex@example.com")]) == []
    assert facts([app()], [msg(sender="alex@example.com")], own=frozenset()) == []


def test_closed_and_heard_applications_are_not_watched():
    heard = app(status=Status.HEARD, outcome=Outcome.OTHER)
    assert facts([heard], [msg()]) == []


# --- sent ---------------------------------------------------------------------------------
def sent(day, hour=9, **kw):
    return msg(
        "sent", "alex@example.com", datetime(2026, *day, hour, 0, tzinfo=TZ), to=(JANE,), **kw
    )


def test_a_follow_up_sent_two_days_late_is_that_follow_up():
    (fact,) = facts([app()], [sent((11, 29))], today=date(2026, 11, 30))
    assert fact.kind == PullKind.SENT and fact.uid == "followup-sync.acme.r1.nudge-1"
    assert fact.on == date(2026, 11, 29) and fact.mail.recipients == (JANE,)


def test_a_follow_up_sent_a_little_early_counts_and_the_next_is_re_planned():
    # Nudge 1 is due Fri Nov 27; sent Wed Nov 25; then nudge 2 (re-planned from
    # Nov 25 to Wed Dec 2) sent on Dec 2.
    got = facts(
        [app()],
        [sent((11, 25)), sent((12, 2), msgid="<s2@a>", uid=2)],
        today=date(2026, 12, 3),
    )
    assert [(f.uid, f.on) for f in got] == [
        ("followup-sync.acme.r1.nudge-1", date(2026, 11, 25)),
        ("followup-sync.acme.r1.nudge-2", date(2026, 12, 2)),
    ]


def test_a_thank_you_note_on_the_interview_day_is_listed_not_counted():
    note = sent((11, 20), hour=18)
    (fact,) = facts([app()], [note])
    assert fact.kind == PullKind.NOTICED and fact.mail.category == "early-sent"
    (fact,) = facts([app()], [note], rules=Rules(thank_you=True))
    assert fact.kind == PullKind.SENT and fact.uid == "followup-sync.acme.r1.thank-you"


def test_our_own_message_id_names_the_follow_up():
    ours = sent((11, 20), hour=18, msgid=nudge_id())  # the user sent our draft early
    (fact,) = facts([app()], [ours])
    assert fact.kind == PullKind.SENT and fact.uid == "followup-sync.acme.r1.nudge-1"


def test_mail_on_a_day_already_marked_sent_is_that_follow_up():
    marked = app(sent=(SentMark(1, 1, date(2026, 11, 27)),))
    assert facts([marked], [sent((11, 27))]) == []


def test_mail_after_their_reply_is_conversation():
    got = facts(
        [app()],
        [msg(when=datetime(2026, 11, 28, 9, tzinfo=TZ)), sent((11, 29))],
    )
    assert [f.kind for f in got] == [PullKind.REPLIED]


def test_cc_counts_and_other_recipients_do_not():
    cc = msg(
        "sent", "alex@example.com", datetime(2026, 11, 29, 9, tzinfo=TZ), to=("x@y.example", JANE)
    )
    assert facts([app()], [cc])[0].kind == PullKind.SENT
    other = replace(cc, to=("bob@other.example",))
    assert facts([app()], [other]) == []


# --- watch --------------------------------------------------------------------------------
def test_the_watch_digest_changes_with_what_is_searched():
    plan = planner()
    base = build_watch([app()], plan, USER).apps[0]
    assert base.domains == ("acme.example",) and base.addresses == (JANE,)
    assert len(base.message_ids) == 3  # nudges 1..3
    same = build_watch([replace(app(), notes="x", skills="y")], plan, USER).apps[0]
    assert same.digest == base.digest
    edited = build_watch([app(people=(("Jane Doe", "jane@acme2.example"),))], plan, USER)
    assert edited.apps[0].digest != base.digest


# --- search and folders (IMAP provider, pure parts) --------------------------------------
def test_search_quoting_trees_and_batches():
    assert quoted('a"b\\c') == '"a\\"b\\\\c"'
    assert quoted("jürgen@x.example") is None and quoted("") is None
    assert or_tree(["A", "B", "C"]) == "OR (A) (OR (B) (C))"
    tree = or_tree([f"K{i}" for i in range(400)])
    assert tree.count("(") - tree.count(")") == 0 and tree.count("OR") == 399
    groups = batches([f'FROM "person{i}@company{i}.example"' for i in range(1000)])
    assert all(len(or_tree(g)) <= 8192 for g in groups) and sum(map(len, groups)) == 1000
    assert uid_set([5, 1, 2, 3, 9, 10]) == "1:3,5,9:10"


GMAIL_LIST = [
    ((b"\\HasNoChildren",), b"/", "INBOX"),
    ((b"\\HasChildren", b"\\Noselect"), b"/", "[Gmail]"),
    ((b"\\All", b"\\HasNoChildren"), b"/", "[Gmail]/All Mail"),
    ((b"\\Drafts", b"\\HasNoChildren"), b"/", "[Gmail]/Drafts"),
    ((b"\\HasNoChildren", b"\\Sent"), b"/", "[Gmail]/Sent Mail"),
    ((b"\\HasNoChildren", b"\\Junk"), b"/", "[Gmail]/Spam"),
    ((b"\\HasNoChildren", b"\\Trash"), b"/", "[Gmail]/Trash"),
]


def test_folders_on_gmail_use_all_mail_and_special_use():
    f = choose(GMAIL_LIST, {})
    assert f.replies == ("[Gmail]/All Mail", "[Gmail]/Spam")
    assert (f.sent, f.drafts, f.trash) == ("[Gmail]/Sent Mail", "[Gmail]/Drafts", "[Gmail]/Trash")


def test_folders_without_special_use_are_found_by_name_and_options_win():
    courier = [
        ((b"\\HasChildren",), b".", "INBOX"),
        ((), b".", "INBOX.Sent Items"),
        ((), b".", "INBOX.spam"),
    ]
    f = choose(courier, {})
    assert f.replies == ("INBOX", "INBOX.spam") and f.sent == "INBOX.Sent Items"
    assert f.drafts is None and f.new_drafts_name == "INBOX.Drafts"
    f = choose(courier, {"reply_folders": ["Jobs"], "sent_folder": "Out", "drafts_folder": "D"})
    assert (f.replies, f.sent, f.drafts) == (("Jobs",), "Out", "D")


# --- which drafts are ours -----------------------------------------------------------------
def listed(uid, keyword=True, deleted=False):
    return Listed(uid, "<id@example.com>", None, keyword, deleted)


REC = Ref(7, 10, "<id@example.com>")


@pytest.mark.parametrize("keywords", [True, False])
def test_the_recorded_draft_is_ours_and_extra_copies_of_ours_are_leftovers(keywords):
    got = resolve([listed(10), listed(11)], REC, 7, keywords)
    assert got.item.uid == 10 and got.leftovers == (11,) and got.taken_over is None


@pytest.mark.parametrize("keywords", [True, False])
def test_a_draft_the_user_saved_again_is_theirs(keywords):
    # Their mail client saved the edit as a new message (no keyword) and removed ours.
    got = resolve([listed(12, keyword=False)], REC, 7, keywords)
    assert got.item is None and got.leftovers == () and got.taken_over.uid == 12
    # ...or flagged ours \\Deleted and left it for a later expunge.
    got = resolve([listed(10, deleted=True), listed(12, keyword=False)], REC, 7, keywords)
    assert got.item is None and got.taken_over.uid == 12


def test_with_keywords_a_users_copy_beside_ours_is_never_a_leftover():
    got = resolve([listed(10), listed(12, keyword=False)], REC, 7, True)
    assert got.item.uid == 10 and got.leftovers == ()


def test_after_renumbering_or_without_a_record_ours_is_found_by_message_id():
    got = resolve([listed(3)], REC, 8, True)
    assert got.item.uid == 3
    got = resolve([listed(3, keyword=False), listed(4, keyword=False)], None, 8, False)
    assert got.item.uid == 4 and got.leftovers == (3,)
