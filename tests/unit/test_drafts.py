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
from followup_sync.models import (
    Application,
    Draft,
    Interviewer,
    Round,
    Rules,
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
    body = draft.body
    assert body.startswith(
        "Dear Jane,\n\nThank you again for the time you spent with me last Tuesday."
    )
    # 1. continued interest
    assert (
        "Since our interview, I've been thinking a lot about the Staff Engineer position at Acme,"
        " and I remain incredibly excited about it." in body
    )
    # 2. why they fit
    assert (
        "I know that my past experience with Python, distributed systems, and mentoring will make"
        " me an incredible asset to Acme." in body
    )
    # 3. an accomplishment
    assert (
        "I'm also glad to share a recent accomplishment: I led a migration that cut our cloud"
        " bill by 30%." in body
    )
    # 4. next steps, and an offer of more information
    assert "I wanted to check in on next steps in the interview process." in body
    assert "Please let me know if I can provide any additional information" in body
    assert body.endswith("\n\nBest,\nSam Lee")
    assert (draft.to_name, draft.to_addr) == ("Jane Doe", "jane@acme.example")
    assert (draft.from_name, draft.from_addr) == ("Sam Lee", "sam@example.com")


def assert_clean(text: str) -> None:
    assert "  " not in text
    assert "\n\n\n" not in text
    assert all(line == line.strip() for line in text.split("\n"))
    assert " ." not in text and ".." not in text


def test_accomplishment_left_out_cleanly():
    with_it = first_draft()
    without = first_draft(replace(APP, accomplishment=""))
    assert "accomplishment" in with_it.body
    assert "accomplishment" not in without.body
    assert "asset to Acme.\n\nI wanted to check in" in without.body
    assert_clean(with_it.body)
    assert_clean(without.body)


def test_no_skills_no_empty_placeholder():
    body = first_draft(replace(APP, skills="  ")).body
    assert "I know that my past experience will make me an incredible asset to Acme." in body
    assert "with ." not in body and "with  " not in body
    assert_clean(body)


def test_accomplishment_punctuation_kept():
    body = first_draft(replace(APP, accomplishment="Our launch made the front page!")).body
    assert "accomplishment: Our launch made the front page! I wanted" not in body
    assert "accomplishment: Our launch made the front page!\n" in body


def test_last_weekday_within_a_week_else_month_day():
    assert "with me last Tuesday." in first_draft().body
    # Interviewed on Thursday 12 November, nudged on Tuesday 17th: still "last Thursday".
    thursday = replace(ROUND, at=datetime(2026, 11, 12, 10, 0, tzinfo=NY))
    body = first_draft(replace(APP, rounds=(thursday,))).body
    assert "with me last Thursday." in body
    # Twelve days before the send day: a date instead.
    app = replace(APP, rounds=(replace(ROUND, reply_by=date(2026, 11, 20)),))
    nudge = items(app)[0]
    assert nudge.due.date() == date(2026, 11, 23)
    assert "with me on November 10." in render_draft(nudge, app, USER).body


def test_interview_day_is_read_in_the_users_zone():
    # 02:00 UTC on Wednesday the 11th is Tuesday evening in New York.
    late = replace(ROUND, at=datetime(2026, 11, 11, 2, 0, tzinfo=ZoneInfo("UTC")))
    assert "last Tuesday." in first_draft(replace(APP, rounds=(late,))).body
    assert (
        "last Wednesday."
        in first_draft(replace(APP, rounds=(late,)), replace(USER, timezone="UTC")).body
    )


def test_greeting_first_name_or_team():
    assert first_draft().body.startswith("Dear Jane,\n")
    doctor = replace(ROUND, interviewers=(Interviewer("Dr. Ada Smith", "ada@acme.example"),))
    assert first_draft(replace(APP, rounds=(doctor,))).body.startswith("Dear Dr. Smith,\n")
    # An address-only interviewer comes after a named one: greet the named one.
    both = replace(
        ROUND, interviewers=(Interviewer("", "hr@acme.example"), Interviewer("Raj Patel"))
    )
    draft = first_draft(replace(APP, rounds=(both,)))
    assert draft.body.startswith("Dear Raj,\n")
    assert (draft.to_name, draft.to_addr) == ("Raj Patel", "")
    # Nobody named: a team greeting, sent to the address we have.
    hr = replace(ROUND, interviewers=(Interviewer("", "hr@acme.example"),))
    draft = first_draft(replace(APP, rounds=(hr,)))
    assert draft.body.startswith("Dear Acme hiring team,\n")
    assert (draft.to_name, draft.to_addr) == ("", "hr@acme.example")
    nobody = first_draft(replace(APP, rounds=(replace(ROUND, interviewers=()),)))
    assert nobody.body.startswith("Dear Acme hiring team,\n")
    assert (nobody.to_name, nobody.to_addr) == ("", "")


def test_implausible_addresses_dropped():
    bad = replace(ROUND, interviewers=(Interviewer("Jane Doe", "jane at acme"),))
    draft = first_draft(replace(APP, rounds=(bad,)), replace(USER, email="sam@@example.com"))
    assert (draft.to_name, draft.to_addr, draft.from_addr) == ("Jane Doe", "", "")
    parsed = parse(as_eml(draft))
    assert "To" not in parsed and "From" not in parsed


def test_later_nudges_differ_and_are_shorter():
    n1, n2, n3, move_on = items()
    first = render_draft(n1, APP, USER)
    again = render_draft(n2, APP, USER)
    last = render_draft(n3, APP, USER)
    assert again.subject == "Checking in again: Staff Engineer at Acme"
    assert last.subject == "One last check-in: Staff Engineer at Acme"
    assert len({first.body, again.body, last.body}) == 3
    assert len({first.subject, again.subject, last.subject}) == 3
    assert len(again.body) < len(first.body) and len(last.body) < len(first.body)
    assert "check in again" in again.body
    assert "last note" in last.body and "Thank you again for your time" in last.body
    for draft in (again, last):
        assert draft.body.startswith("Dear Jane,\n") and draft.body.endswith("Best,\nSam Lee")
        assert_clean(draft.body)
    with pytest.raises(ValueError, match="not a nudge"):
        render_draft(move_on, APP, USER)


def test_which_template_by_max_nudges():
    def subjects(max_nudges: int) -> list[str]:
        nudges = items(rules=Rules(max_nudges=max_nudges))[:-1]
        return [
            render_draft(i, APP, USER, max_nudges=max_nudges).subject.split(":")[0] for i in nudges
        ]

    assert subjects(1) == ["Following up on the Staff Engineer interview at Acme"]
    assert subjects(2) == [
        "Following up on the Staff Engineer interview at Acme",
        "One last check-in",
    ]
    assert subjects(4)[1:] == ["Checking in again", "Checking in again", "One last check-in"]


def test_move_on_note():
    note = render_note(items()[-1], APP, USER)
    assert note.startswith(
        "No reply from Acme about the Staff Engineer position after 3 follow-ups."
    )
    assert "time to move on" in note
    assert "followup-sync heard acme-eng" in note and "followup-sync close acme-eng" in note
    assert "Subject" not in note and "Dear" not in note
    one = render_note(items()[-1], replace(APP, id="acme eng"), USER, max_nudges=1)
    assert "after 1 follow-up." in one and "followup-sync close 'acme eng'" in one


def test_template_override_from_a_directory(tmp_path: Path):
    (tmp_path / "nudge-1.txt").write_text(
        "Subject: Hello again, $company\r\n\r\nHi $addressee,\r\n\r\n$fit_sentence\r\n"
        "\r\n\r\n$accomplishment_sentence\r\nCheers, $your_name ($$5)\r\n",
        encoding="utf-8",
    )
    draft = render_draft(items()[0], replace(APP, accomplishment=""), USER, tmp_path)
    assert draft.subject == "Hello again, Acme"
    assert draft.body == (
        "Hi Jane,\n\nI know that my past experience with Python, distributed systems, and mentoring"
        " will make me an incredible asset to Acme.\n\nCheers, Sam Lee ($5)"
    )
    # Templates not in the directory stay built-in.
    assert render_draft(items()[1], APP, USER, tmp_path).subject.startswith("Checking in again")


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
    no_addr = as_mailto(replace(draft, to_addr=""))
    assert no_addr.startswith("mailto:?subject=Following%20up")
    plus = as_mailto(replace(draft, to_addr="jane+jobs@acme.example"))
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
    assert b"\r\n" in eml and b"Message-ID" not in eml
    assert "Date" not in parse(as_eml(draft))


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
    draft = replace(first_draft(), to_name=name, from_name="Sam: Lee")
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
    for text in (draft.subject, draft.to_name, draft.to_addr, draft.from_name):
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

    from followup_sync import drafts as d

    msg = EmailMessage(policy=policy.SMTP)
    if addr := d._address(draft.from_addr):
        msg["From"] = _Folded("From", d._mailbox("From", draft.from_name, addr))
    if addr := d._address(draft.to_addr):
        msg["To"] = _Folded("To", d._mailbox("To", draft.to_name, addr))
    msg["Subject"] = _Folded("Subject", d._fold("Subject", d.header_value(draft.subject)))
    if when is not None:
        from email.utils import format_datetime

        msg["Date"] = format_datetime(when)
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
)
def test_eml_bytes_equal_the_email_packages(subject, body, to_name, to_addr, from_name, with_date):
    draft = Draft(subject, body, to_name, to_addr, from_name, "alex@example.com")
    when = datetime(2026, 11, 27, 9, 30, tzinfo=ZoneInfo("America/New_York")) if with_date else None
    assert as_eml(draft, when) == _reference_eml(draft, when)
