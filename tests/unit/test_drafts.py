"""drafts.py: the seed's four parts, the later nudges, overrides, and safe .eml/mailto output."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup_sync.drafts import as_eml, as_mailto, as_text, render_draft, render_note
from followup_sync.errors import UserInputError
from followup_sync.models import (
    Application,
    Draft,
    Interviewer,
    ItemKind,
    Round,
    Rules,
    SentMark,
    User,
)
from followup_sync.rules import plan_application

NY = ZoneInfo("America/New_York")
# Tuesday 10 November 2026: nudge 1 is due Tuesday the 17th, nudge 2 the 24th.
JANE = Interviewer("Jane Doe", "jane@acme.example")
ROUND = Round(1, datetime(2026, 11, 10, 14, 0, tzinfo=NY), interviewers=(JANE,))
APP = Application(
    "acme-eng",
    "Acme",
    "Staff Engineer",
    (ROUND,),
    skills="Python, distributed systems, and mentoring",
    accomplishment="I led a migration that cut our cloud bill by 30%",
)
USER = User("Sam Lee", "sam@example.com", "America/New_York")


def items(app: Application = APP, rules: Rules | None = None):
    return plan_application(app, rules or Rules(), NY, date(2026, 11, 12))


def first_draft(app: Application = APP, user: User = USER) -> Draft:
    return render_draft(items(app)[0], app, user)


def test_nudge_1_has_the_seeds_four_parts():
    draft = first_draft()
    assert draft.subject == "Following up on the Staff Engineer interview at Acme"
    assert draft.body == (
        "Dear Jane,\n\n"
        # 1. continued interest
        "Thank you again for speaking with me last Tuesday about the Staff Engineer position."
        " I've been thinking about our conversation since, and I remain very interested in the"
        " role and in joining Acme.\n\n"
        # 2. why they fit, 3. an accomplishment
        "I believe my experience with Python, distributed systems, and mentoring would help me"
        " make a real contribution to the team. I also wanted to share a recent result: I led a"
        " migration that cut our cloud bill by 30%.\n\n"
        # 4. next steps, and an offer of more information
        "I wanted to check in on next steps in the process. Is there an update you could share"
        " on the timeline, or anything else I can provide in the meantime?\n\n"
        "Best regards,\nSam Lee"
    )
    assert draft.to == (("Jane Doe", "jane@acme.example"),)
    assert (draft.from_name, draft.from_addr) == ("Sam Lee", "sam@example.com")


def test_no_repeated_superlatives_or_presumptuous_claims():
    body = first_draft().body.lower()
    for word in ("incredibl", "extremely", "asset", "perfect", "i know that"):
        assert word not in body
    assert body.count("very") <= 1


def test_the_stated_reply_by_date_is_mentioned():
    app = replace(APP, rounds=(replace(ROUND, reply_by=date(2026, 11, 13)),))
    nudge = items(app)[0]
    assert nudge.due.date() == date(2026, 11, 16)  # 2 days after, a Monday
    body = render_draft(nudge, app, USER).body
    assert (
        "You mentioned you hoped to decide by Friday, November 13, so I wanted to check in on"
        " where things stand. Is there an update" in body
    )
    # Sent before that date (the user chose to write early): no "you mentioned ... passed".
    early = render_draft(nudge, app, USER, send_day=date(2026, 11, 12)).body
    assert "I know you hoped to decide by Friday, November 13; in the meantime" in early


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        # The README's own example: a clause without its subject.
        (
            "cut our API's p99 latency by 40% last quarter",
            "I also wanted to share a recent result: I cut our API's p99 latency by 40% last"
            " quarter.",
        ),
        (
            "I led a migration that cut our cloud bill by 30%",
            "I also wanted to share a recent result: I led a migration that cut our cloud bill"
            " by 30%.",
        ),
        (
            "Our launch made the front page!",
            "I also wanted to share a recent result: our launch made the front page!",
        ),
        (
            "TechCrunch covered the launch I led.",
            "I also wanted to share a recent result: TechCrunch covered the launch I led.",
        ),
    ],
)
def test_the_accomplishment_is_always_a_clean_sentence(typed, sentence):
    body = first_draft(replace(APP, accomplishment=typed)).body
    assert sentence in body
    assert_clean(body)


def assert_clean(text: str) -> None:
    assert "  " not in text
    assert "\n\n\n" not in text
    assert all(line == line.strip() for line in text.split("\n"))
    assert " ." not in text and ".." not in text


def test_accomplishment_left_out_cleanly():
    with_it = first_draft()
    without = first_draft(replace(APP, accomplishment=""))
    assert "recent result" in with_it.body
    assert "recent result" not in without.body
    assert "contribution to the team.\n\nI wanted to check in" in without.body
    assert_clean(with_it.body)
    assert_clean(without.body)


def test_no_skills_no_empty_placeholder():
    body = first_draft(replace(APP, skills="  ")).body
    assert "I believe my experience would help me make a real contribution to the team." in body
    assert "with ." not in body and "with  " not in body
    assert_clean(body)


def test_accomplishment_punctuation_kept():
    body = first_draft(replace(APP, accomplishment="Our launch made the front page!")).body
    assert "our launch made the front page! I wanted" not in body
    assert "our launch made the front page!\n" in body


def test_last_weekday_within_a_week_else_month_day():
    assert "with me last Tuesday about" in first_draft().body
    # Interviewed on Thursday 12 November, nudged on Tuesday 17th: still "last Thursday".
    thursday = replace(ROUND, at=datetime(2026, 11, 12, 10, 0, tzinfo=NY))
    body = first_draft(replace(APP, rounds=(thursday,))).body
    assert "with me last Thursday about" in body
    # Twelve days before the send day: a date instead.
    app = replace(APP, rounds=(replace(ROUND, reply_by=date(2026, 11, 20)),))
    nudge = items(app)[0]
    assert nudge.due.date() == date(2026, 11, 23)
    assert "with me on November 10 about" in render_draft(nudge, app, USER).body


def test_a_late_draft_is_phrased_from_the_day_it_is_written():
    """Interview Mon 11-02, nudge due Mon 11-09, drafted (overdue) on Fri 11-20."""
    monday = replace(ROUND, at=datetime(2026, 11, 2, 10, 0, tzinfo=NY))
    app = replace(APP, rounds=(monday,))
    nudge = items(app)[0]
    assert nudge.due.date() == date(2026, 11, 9)
    assert "with me last Monday about" in render_draft(nudge, app, USER).body
    late = render_draft(nudge, app, USER, send_day=date(2026, 11, 20)).body
    assert "with me on November 2 about" in late and "last Monday" not in late
    assert "yesterday" in render_draft(nudge, app, USER, send_day=date(2026, 11, 3)).body


def test_interview_day_is_read_in_the_users_zone():
    # 02:00 UTC on Wednesday the 11th is Tuesday evening in New York.
    late = replace(ROUND, at=datetime(2026, 11, 11, 2, 0, tzinfo=ZoneInfo("UTC")))
    assert "last Tuesday about" in first_draft(replace(APP, rounds=(late,))).body
    assert (
        "last Wednesday about"
        in first_draft(replace(APP, rounds=(late,)), replace(USER, timezone="UTC")).body
    )


def test_greeting_first_name_or_team():
    assert first_draft().body.startswith("Dear Jane,\n")
    doctor = replace(ROUND, interviewers=(Interviewer("Dr. Ada Smith", "ada@acme.example"),))
    assert first_draft(replace(APP, rounds=(doctor,))).body.startswith("Dear Dr. Smith,\n")
    # An address-only interviewer and a named one without an address: greet the
    # named one, write to the address we have.
    both = replace(
        ROUND, interviewers=(Interviewer("", "hr@acme.example"), Interviewer("Raj Patel"))
    )
    draft = first_draft(replace(APP, rounds=(both,)))
    assert draft.body.startswith("Dear Raj,\n")
    assert draft.to == (("", "hr@acme.example"),)
    # Nobody named: a team greeting, sent to the address we have.
    hr = replace(ROUND, interviewers=(Interviewer("", "hr@acme.example"),))
    draft = first_draft(replace(APP, rounds=(hr,)))
    assert draft.body.startswith("Dear Acme hiring team,\n")
    assert draft.to == (("", "hr@acme.example"),)
    nobody = first_draft(replace(APP, rounds=(replace(ROUND, interviewers=()),)))
    assert nobody.body.startswith("Dear Acme hiring team,\n")
    assert nobody.to == ()


def test_several_interviewers_are_greeted_and_addressed_unless_one_is_picked():
    raj = Interviewer("Raj Patel", "raj@acme.example")
    ana = Interviewer("Ana Lima", "ana@acme.example")
    panel = replace(APP, rounds=(replace(ROUND, interviewers=(JANE, raj, ana)),))
    draft = first_draft(panel)
    assert draft.body.startswith("Dear Jane, Raj and Ana,\n")
    assert [a for _, a in draft.to] == ["jane@acme.example", "raj@acme.example", "ana@acme.example"]
    msg = parse(as_eml(draft))
    assert [a.addr_spec for a in msg["To"].addresses] == [a for _, a in draft.to]
    assert unquote(urlsplit(as_mailto(draft)).path) == ",".join(a for _, a in draft.to)
    one = render_draft(items(panel)[0], panel, USER, to="raj")
    assert one.body.startswith("Dear Raj,\n") and one.to == (("Raj Patel", "raj@acme.example"),)
    assert render_draft(items(panel)[0], panel, USER, to="ana@acme.example").to[0][0] == "Ana Lima"
    with pytest.raises(UserInputError, match="no interviewer matches 'Bob'"):
        render_draft(items(panel)[0], panel, USER, to="Bob")


def test_implausible_addresses_dropped():
    bad = replace(ROUND, interviewers=(Interviewer("Jane Doe", "jane at acme"),))
    draft = first_draft(replace(APP, rounds=(bad,)), replace(USER, email="sam@@example.com"))
    assert (draft.to, draft.from_addr) == ((), "")
    assert draft.body.startswith("Dear Jane,\n")
    parsed = parse(as_eml(draft))
    assert "To" not in parsed and "From" not in parsed


def test_later_nudges_reply_in_the_first_ones_thread():
    thanks, n1, n2, n3, move_on = items(rules=Rules(thank_you=True))
    first = render_draft(n1, APP, USER)
    again = render_draft(n2, APP, USER)
    last = render_draft(n3, APP, USER)
    assert again.subject == last.subject == "Re: " + first.subject
    assert len({first.body, again.body, last.body}) == 3
    assert len(again.body) < len(first.body) and len(last.body) < len(first.body)
    assert "follow up on my earlier note" in again.body
    assert "last note" in last.body and "Thank you again for your time" in last.body
    for draft in (again, last):
        assert draft.body.startswith("Dear Jane,\n")
        assert draft.body.endswith("Best regards,\nSam Lee")
        assert_clean(draft.body)
    # Message-IDs are stable per item and thread: 2 answers 1, 3 answers 2.
    assert first.message_id == render_draft(n1, APP, USER).message_id
    assert len({first.message_id, again.message_id, last.message_id}) == 3
    assert first.message_id.endswith("@example.com>")  # the user's own domain
    assert "followup" not in first.message_id  # nothing names the tool to the recipient
    assert (first.in_reply_to, first.references) == ("", ())
    assert (again.in_reply_to, again.references) == (first.message_id, (first.message_id,))
    assert last.in_reply_to == again.message_id
    assert last.references == (first.message_id, again.message_id)
    msg = parse(as_eml(last))
    assert msg["In-Reply-To"] == again.message_id
    assert msg["References"].split() == [first.message_id, again.message_id]
    assert msg["Message-ID"] == last.message_id
    query = parse_qs(urlsplit(as_mailto(last)).query)
    assert query["in-reply-to"] == [again.message_id]
    # The thank-you note is its own message, not part of the follow-up thread.
    note = render_draft(thanks, APP, USER)
    assert note.subject == "Thank you for the Staff Engineer interview"
    assert note.in_reply_to == "" and note.message_id not in last.references
    with pytest.raises(ValueError, match="not an email"):
        render_draft(move_on, APP, USER)


def test_thank_you_note_on_the_interview_day():
    thanks = items(rules=Rules(thank_you=True))[0]
    assert thanks.kind == ItemKind.THANK_YOU and thanks.attempt is None
    # Interviewed Tuesday 14:00: the same evening.
    assert thanks.due == datetime(2026, 11, 10, 17, 0, tzinfo=NY)
    note = render_draft(thanks, APP, USER)
    assert note.body == (
        "Dear Jane,\n\nThank you for taking the time to meet with me earlier today. I enjoyed"
        " learning more about the Staff Engineer position and the team, and our conversation made"
        " me even more interested in joining Acme.\n\nBest regards,\nSam Lee"
    )
    late = replace(APP, rounds=(replace(ROUND, at=datetime(2026, 11, 10, 16, 30, tzinfo=NY)),))
    after = plan_application(late, Rules(thank_you=True), NY, date(2026, 11, 12))[0]
    assert after.due == datetime(2026, 11, 11, 9, 30, tzinfo=NY)  # the next morning
    assert "meet with me yesterday." in render_draft(after, late, USER).body


def test_which_template_by_max_nudges():
    def bodies(max_nudges: int) -> list[str]:
        nudges = items(rules=Rules(max_nudges=max_nudges))[:-1]
        return [
            render_draft(i, APP, USER, max_nudges=max_nudges).body.split("\n")[2][:30]
            for i in nudges
        ]

    first, again, last = (
        "Thank you again for speaking w",
        "I wanted to follow up on my ea",
        "I know hiring decisions take t",
    )
    assert bodies(1) == [first]
    assert bodies(2) == [first, last]
    assert bodies(4) == [first, again, again, last]


def test_move_on_note_says_what_actually_happened():
    move_on = items()[-1]
    note = render_note(move_on, APP, USER)
    assert note.startswith(
        "No reply from Acme about the Staff Engineer position, and none of the 3 follow-ups was"
        " marked sent."
    )
    assert "time to move on" in note
    assert "followup-sync heard acme-eng" in note and "followup-sync close acme-eng" in note
    assert "Subject" not in note and "Dear" not in note
    two = replace(
        APP, sent=(SentMark(1, 1, date(2026, 11, 17)), SentMark(1, 2, date(2026, 11, 24)))
    )
    assert render_note(move_on, two, USER).startswith(
        "No reply from Acme about the Staff Engineer position after 2 follow-ups (of 3 planned)."
    )
    three = replace(two, sent=(*two.sent, SentMark(1, 3, date(2026, 12, 1))))
    assert render_note(move_on, three, USER).startswith(
        "No reply from Acme about the Staff Engineer position after 3 follow-ups."
    )
    one = replace(APP, id="acme eng", sent=(SentMark(1, 1, date(2026, 11, 17)),))
    text = render_note(move_on, one, USER, max_nudges=1)
    assert "after 1 follow-up." in text and "followup-sync close 'acme eng'" in text


def test_template_override_from_a_directory(tmp_path: Path):
    (tmp_path / "nudge-1.txt").write_text(
        "Subject: Hello again, $company\r\n\r\nHi $addressee,\r\n\r\n$fit_sentence\r\n"
        "\r\n\r\n$accomplishment_sentence\r\nCheers, $your_name ($$5)\r\n",
        encoding="utf-8",
    )
    draft = render_draft(items()[0], replace(APP, accomplishment=""), USER, tmp_path)
    assert draft.subject == "Hello again, Acme"
    assert draft.body == (
        "Hi Jane,\n\nI believe my experience with Python, distributed systems, and mentoring"
        " would help me make a real contribution to the team.\n\nCheers, Sam Lee ($5)"
    )
    # Templates not in the directory stay built-in; later nudges take nudge 1's subject.
    again = render_draft(items()[1], APP, USER, tmp_path)
    assert again.subject == "Re: Hello again, Acme"
    assert again.body.startswith("Dear Jane,\n\nI wanted to follow up")


def test_unknown_variable_names_file_and_variable(tmp_path: Path):
    path = tmp_path / "nudge-again.txt"
    path.write_text("Subject: Hi\n\nDear $recruiter_name,\n", encoding="utf-8")
    with pytest.raises(
        ValueError, match=r"nudge-again\.txt: unknown template variable \$recruiter_name"
    ):
        render_draft(items()[1], APP, USER, tmp_path)
    path.write_text("Subject: Hi\n\nThat will be $5.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"nudge-again\.txt: Invalid placeholder"):
        render_draft(items()[1], APP, USER, tmp_path)
    path.write_text("Hi $addressee\n", encoding="utf-8")
    with pytest.raises(
        ValueError, match=r"nudge-again\.txt: the first line must be 'Subject: \.\.\.'"
    ):
        render_draft(items()[1], APP, USER, tmp_path)


def test_as_text():
    draft = first_draft()
    assert as_text(draft) == f"Subject: {draft.subject}\n\n{draft.body}"


def test_mailto_round_trip():
    draft = first_draft(replace(APP, role="C++ & Rust dev?", company="Acme #1 / 100%"))
    url = as_mailto(draft)
    parts = urlsplit(url)
    assert parts.scheme == "mailto" and unquote(parts.path) == "jane@acme.example"
    assert "+" not in parts.query  # spaces are %20, a plus would mean "+"
    query = parse_qs(parts.query, keep_blank_values=True)
    assert query["subject"] == [draft.subject]
    # RFC 6068: line breaks in the body are CRLF.
    assert query["body"] == [draft.body.replace("\n", "\r\n")]
    assert set(query) == {"subject", "body"}
    no_addr = as_mailto(replace(draft, to=()))
    assert no_addr.startswith("mailto:?subject=Following%20up")
    plus = as_mailto(replace(draft, to=(("Jane", "jane+jobs@acme.example"),)))
    assert unquote(urlsplit(plus).path) == "jane+jobs@acme.example"


def parse(eml: bytes):
    return BytesParser(policy=policy.default).parsebytes(eml)


def test_eml_headers_and_body():
    draft = first_draft()
    when = datetime(2026, 11, 17, 9, 30, tzinfo=NY)
    eml = as_eml(draft, when)
    assert eml == as_eml(draft, when)  # deterministic
    msg = parse(eml)
    assert list(msg.keys()) == [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "X-Unsent",
        "Content-Type",
        "Content-Transfer-Encoding",
        "MIME-Version",
    ]
    assert msg["From"] == "Sam Lee <sam@example.com>"
    assert msg["To"] == "Jane Doe <jane@acme.example>"
    assert msg["Subject"] == draft.subject
    assert msg["Date"].datetime == when
    assert msg["X-Unsent"] == "1"
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"
    # The parser keeps the message's CRLF line endings in the content.
    assert msg.get_content().replace("\r\n", "\n") == draft.body + "\n"
    assert b"\r\n" in eml and msg["Message-ID"] == draft.message_id
    assert "Date" not in parse(as_eml(draft))
    # For a Drafts folder: nothing that only Outlook's .eml files need.
    assert "X-Unsent" not in parse(as_eml(draft, when, unsent=False))


def test_eml_non_ascii():
    app = replace(
        APP,
        company="Zürich Þing",
        rounds=(replace(ROUND, interviewers=(Interviewer("Zoë Ødegård", "zoe@acme.example"),)),),
    )
    draft = first_draft(app, replace(USER, name="Søren Ĳssel"))
    msg = parse(as_eml(draft))
    assert msg["Subject"] == "Following up on the Staff Engineer interview at Zürich Þing"
    assert msg["To"].addresses[0].display_name == "Zoë Ødegård"
    assert msg["From"].addresses[0].display_name == "Søren Ĳssel"
    assert msg.get_content().startswith("Dear Zoë,\r\n")
    assert as_eml(draft).isascii()


@pytest.mark.parametrize(
    "company",
    ["Société Générale", "Zürich Versicherungs-Gesellschaft AG", "Acme, Inc.; Widgets & Co"],
)
def test_eml_long_subjects_fold_without_losing_spaces(company):
    # EmailMessage's own folder turned "Société Générale" into "SociétéGénérale".
    app = replace(APP, role="Leitender Softwareentwickler (m/w/d) and Principal Engineer")
    draft = first_draft(replace(app, company=company))
    eml = as_eml(draft)
    assert parse(eml)["Subject"] == draft.subject
    assert max(len(line) for line in eml.split(b"\r\n")) <= 78


def test_eml_display_names_quoted():
    name = 'Doe, Jane "JD" (Acme)'
    draft = replace(first_draft(), to=((name, "jane@acme.example"),), from_name="Sam: Lee")
    msg = parse(as_eml(draft))
    assert msg["To"].addresses[0].display_name == name
    assert msg["To"].addresses[0].addr_spec == "jane@acme.example"
    assert msg["From"].addresses[0].display_name == "Sam: Lee"


# Text with line breaks, control characters and header-looking fragments.
hostile = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(["\r", "\n", "\x00", "\x0b", "\x85", "\u2028", ":", "<", ">", '"', "\\"]),
    ),
    max_size=40,
) | st.sampled_from(
    ["Acme\r\nBcc: x@y", "\nBcc: x@y", "x\rTo: evil@y", "=?utf-8?q?a=0D=0ABcc:_x@y?="]
)
ALLOWED = {
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "X-Unsent",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    company=hostile,
    role=hostile,
    name=hostile,
    user_name=hostile,
    skills=hostile,
    accomplishment=hostile,
    email=st.sampled_from(["jane@acme.example", "jane@acme.example\r\nBcc: x@y", "", "x\n@y.z"]),
    attempt=st.integers(0, 2),
    dated=st.booleans(),
)
def test_hostile_fields_never_add_headers(
    company, role, name, user_name, skills, accomplishment, email, attempt, dated
):
    rnd = replace(ROUND, interviewers=(Interviewer(name, email),))
    app = replace(
        APP, company=company, role=role, rounds=(rnd,), skills=skills, accomplishment=accomplishment
    )
    user = replace(USER, name=user_name)
    draft = render_draft(items(app)[attempt], app, user)
    for text in (draft.subject, draft.to_name, draft.to_addr, draft.from_name, draft.message_id):
        assert "\r" not in text and "\n" not in text and "\x00" not in text
    eml = as_eml(draft, datetime(2026, 11, 17, 9, 30, tzinfo=NY) if dated else None)
    msg = parse(eml)
    assert set(msg.keys()) <= ALLOWED
    assert len(msg.keys()) == len(set(msg.keys()))
    assert {"From", "Subject", "X-Unsent", "MIME-Version", "Content-Type"} <= set(msg.keys())
    assert ("Date" in msg) == dated
    assert ("To" in msg) == (email == "jane@acme.example")
    assert "\r" not in msg["Subject"] and "\n" not in msg["Subject"]
    assert msg["Subject"] == draft.subject
    assert msg["X-Unsent"] == "1"
    # A mailto: link of the same draft never smuggles in extra fields either.
    assert set(parse_qs(urlsplit(as_mailto(draft)).query, keep_blank_values=True)) <= {
        "subject",
        "body",
        "in-reply-to",
    }


# --- the .eml writer against the email package -------------------------------------
class _Folded(str):
    """A header value that EmailMessage writes exactly as drafts._fold folded it
    (EmailMessage's own folder loses spaces around encoded words)."""

    name: str

    def __new__(cls, name: str, folded: str) -> _Folded:
        self = super().__new__(cls, folded)
        self.name = name
        return self

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self.replace(chr(10), policy.linesep)}{policy.linesep}"


def _reference_eml(draft: Draft, when: datetime | None) -> bytes:
    """The same message built with EmailMessage(policy=SMTP): the oracle for as_eml."""
    from email.message import EmailMessage

    from followup_sync import draft_formats as d

    msg = EmailMessage(policy=policy.SMTP)
    if addr := d.address(draft.from_addr):
        msg["From"] = _Folded("From", d._mailbox("From", draft.from_name, addr))
    if addr := d.address(draft.to_addr):
        msg["To"] = _Folded("To", d._mailbox("To", draft.to_name, addr))
    msg["Subject"] = _Folded("Subject", d._fold("Subject", d.header_value(draft.subject)))
    if when is not None:
        from email.utils import format_datetime

        msg["Date"] = format_datetime(when)
    if draft.message_id:
        msg["Message-ID"] = draft.message_id
    if draft.in_reply_to:
        msg["In-Reply-To"] = draft.in_reply_to
        msg["References"] = _Folded("References", "\n ".join(draft.references))
    msg["X-Unsent"] = "1"
    body = d._crlf(draft.body).replace("\r\n", "\n")
    msg.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    return msg.as_bytes()


@settings(max_examples=300, deadline=None)
@given(
    subject=st.text(max_size=150),
    body=st.text(max_size=800),
    to_name=st.text(max_size=60),
    to_addr=st.sampled_from(["jane@acme.example", "", "not an address", "a@b.example"]),
    from_name=st.text(max_size=40),
    with_date=st.booleans(),
    thread=st.integers(0, 3),
)
def test_eml_bytes_equal_the_email_packages(
    subject, body, to_name, to_addr, from_name, with_date, thread
):
    ids = tuple(f"<{n}abc{n}@example.com>" for n in range(1, thread + 1))
    draft = Draft(
        subject,
        body,
        ((to_name, to_addr),),
        from_name,
        "alex@example.com",
        message_id="<99zz@example.com>",
        in_reply_to=ids[-1] if ids else "",
        references=ids,
    )
    when = datetime(2026, 11, 27, 9, 30, tzinfo=ZoneInfo("America/New_York")) if with_date else None
    assert as_eml(draft, when) == _reference_eml(draft, when)
