"""Capture's parts on their own: reading calendars, domains, the detector's rules, the
review list against a real store, and the decisions kept."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup_sync.applications import add_interview, reschedule_round
from followup_sync.capture import domains
from followup_sync.capture.decide import accept, ignore, select
from followup_sync.capture.detect import Me, judge
from followup_sync.capture.events import (
    Window,
    latest_versions,
    prefilter,
    read_calendar,
    read_objects,
)
from followup_sync.capture.review import (
    IGNORED,
    NEW,
    NEW_ROUND,
    RECORDED,
    UPDATE,
    build_review,
    decision_key,
)
from followup_sync.errors import UserInputError
from followup_sync.models import Interviewer
from followup_sync.store import Store
from tests.support import capture_corpus as cc

NY = ZoneInfo("America/New_York")
WINDOW = Window(datetime(2026, 9, 27, tzinfo=NY), datetime(2026, 12, 27, tzinfo=NY))
ME = Me(frozenset({"alex@example.com"}), "Alex Rivera", ("initrode.example",))
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def teams(xwr: str = "", tzid: str = "W. Europe Standard Time", vtimezone: bool = True) -> str:
    text = cc.calendar(
        cc.EXCHANGE,
        [
            cc.teams_event(
                "040000008200E00074C5B7101A82E00800000000TESTTESTTESTD70100000000000000001000000T",
                tzid,
                "2026-11-17 14:30",
                "2026-11-17 15:30",
                "Interview: Platform Engineer",
                ("Thomas Blue", "thomas.blue@bluedev.onmicrosoft.com"),
                [("Alex Rivera", "alex@example.com", "NEEDS-ACTION")],
            )
        ],
        tzids=[tzid] if vtimezone else [],
    )
    if xwr:
        text = text.replace("CALSCALE:GREGORIAN", f"CALSCALE:GREGORIAN\r\nX-WR-TIMEZONE:{xwr}")
    return text


# --- reading calendars ----------------------------------------------------------------------
@pytest.mark.parametrize("xwr", ["", "America/New_York", "Asia/Tokyo"])
@pytest.mark.parametrize("vtimezone", [True, False])
def test_a_windows_zone_keeps_its_own_time_with_or_without_x_wr_timezone(xwr, vtimezone):
    """recurring-ical-events' of() would move this event into the X-WR-TIMEZONE zone."""
    events = read_calendar(teams(xwr, vtimezone=vtimezone), WINDOW, source="t", default_tz=NY)
    (event,) = events.events
    assert event.start == datetime(2026, 11, 17, 14, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert event.start.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    "tzid,offset",
    [("Romance Standard Time", 1), ("Eastern Standard Time", -5), ("Tokyo Standard Time", 9)],
)
def test_windows_zone_names_resolve_without_their_vtimezone(tzid, offset):
    events = read_calendar(teams(tzid=tzid, vtimezone=False), WINDOW, source="t", default_tz=NY)
    assert events.events[0].start.utcoffset() == timedelta(hours=offset)


def _floating(calendar_header: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + calendar_header + "BEGIN:VEVENT\r\n"
        "UID:f1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261209T100000\r\n"
        "DTEND:20261209T110000\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_a_floating_time_is_read_in_x_wr_timezone_else_the_users_zone():
    plain = read_calendar(_floating(), WINDOW, source="t", default_tz=NY).events[0]
    assert plain.start == datetime(2026, 12, 9, 10, tzinfo=NY)
    tokyo = read_calendar(
        _floating("X-WR-TIMEZONE:Asia/Tokyo\r\n"), WINDOW, source="t", default_tz=NY
    ).events[0]
    assert tokyo.start == datetime(2026, 12, 9, 10, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_a_series_is_expanded_in_the_window_with_its_moved_occurrence():
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        "BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20260907T100000\r\nDTEND;TZID=Europe/Berlin:20260907T103000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=30\r\nSUMMARY:Weekly 1:1 interview sync\r\n"
        "ORGANIZER:mailto:sam@acme.example\r\nATTENDEE:mailto:alex@example.com\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20260101T000000Z\r\n"
        "RECURRENCE-ID;TZID=Europe/Berlin:20261102T100000\r\n"
        "DTSTART;TZID=Europe/Berlin:20261103T090000\r\nDTEND;TZID=Europe/Berlin:20261103T093000\r\n"
        "SUMMARY:Weekly 1:1 interview sync (moved)\r\nORGANIZER:mailto:sam@acme.example\r\n"
        "ATTENDEE:mailto:alex@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    events = read_calendar(text, WINDOW, source="t", default_tz=NY).events
    # 2026-09-28 .. 2026-12-21 are in the window: 13 Mondays, one moved to a Tuesday.
    assert len(events) == 13
    assert all(e.recurring and e.recurrence_id for e in events)
    moved = [e for e in events if e.summary.endswith("(moved)")]
    assert [e.start.date().isoformat() for e in moved] == ["2026-11-03"]
    assert len({e.recurrence_id for e in events}) == 13
    assert judge(moved[0], ME).rejected == "recurring meeting"


def test_the_prefilter_cuts_only_events_that_cannot_be_in_the_window():
    corpus = b"".join(p.read_bytes() for p in sorted(cc.ROOT.glob("*.ics"))).decode()
    cut = prefilter(corpus, WINDOW)
    assert len(cut) < len(corpus)  # the June interview and the like are gone
    import icalendar

    # Without the cut: every VEVENT through icalendar.
    full_cal = icalendar.Calendar.from_ical(corpus, multiple=True)
    assert sum(len(c.walk("VEVENT")) for c in full_cal) > corpus.count("BEGIN:VEVENT") - 1
    full = read_calendar(corpus, WINDOW, source="t", default_tz=NY)
    again = read_calendar(cut, WINDOW, source="t", default_tz=NY)
    assert [(e.uid, e.start) for e in again.events] == [(e.uid, e.start) for e in full.events]
    assert "Old Corp" not in cut


def test_calendly_html_descriptions_are_read_as_text():
    event = read_calendar(
        (cc.ROOT / "i07-calendly-html-massive.ics").read_bytes(), WINDOW, source="t", default_tz=NY
    ).events[0]
    assert "<b>" not in event.description
    assert "Event Name: Hiring Manager Interview – Senior Product Manager" in event.description


def test_unreadable_objects_are_counted_not_fatal_and_never_quoted():
    good = (cc.ROOT / "i12-google-piedpiper.ics").read_text()
    result = read_objects(
        [good, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nSUMMARY:Secret title"],
        WINDOW,
        source="t",
        default_tz=NY,
    )
    assert len(result.events) == 1 and result.skipped == 1


def _versions(*texts: str, source: str = "t"):
    return read_objects(list(texts), WINDOW, source=source, default_tz=NY).events


def test_the_latest_version_of_an_invitation_wins():
    """RFC 5546 2.1.5: higher SEQUENCE, then later DTSTAMP; a tie keeps the first read."""
    first = (cc.ROOT / "i12-google-piedpiper.ics").read_bytes().decode()
    assert "SEQUENCE:0" in first and "DTSTART:20261002T170000Z" in first
    moved = first.replace("SEQUENCE:0", "SEQUENCE:1").replace(
        "DTSTART:20261002T170000Z", "DTSTART:20261005T170000Z"
    )
    (kept,) = latest_versions(_versions(moved, first))  # the old one arriving late
    assert kept.sequence == 1 and kept.start.day == 5
    stamp = re.search(r"DTSTAMP:(\S+)", first).group(1)
    later = first.replace(f"DTSTAMP:{stamp}", "DTSTAMP:20301231T000000Z").replace(
        "DTSTART:20261002T170000Z", "DTSTART:20261003T170000Z"
    )
    (kept,) = latest_versions(_versions(later, first))
    assert kept.start.day == 3
    a, b = _versions(first, source="calendar") + _versions(first, source="inbox")
    assert latest_versions([a, b]) == [a] and latest_versions([b, a]) == [b]
    # A malformed DTSTAMP only loses the tie-break, not the event.
    broken = first.replace(f"DTSTAMP:{stamp}", "DTSTAMP:20261202T005634125889Z")
    (kept,) = latest_versions(_versions(broken))
    assert kept.stamp == "" and kept.uid == a.uid
    reply = first.replace("VERSION:2.0\r\n", "VERSION:2.0\r\nMETHOD:REPLY\r\n")
    assert latest_versions(_versions(reply)) == []


def test_calendar_parts_of_message_structures():
    """BODYSTRUCTURE as IMAPClient parses it, from Dovecot and pymap (whose
    disposition is the header's raw text)."""
    from providers.followup_sync_imap.invites import calendar_parts, decode

    text = (b"text", b"plain", (b"charset", b"utf-8"), None, None, b"7bit", 10, 1)
    cal = (b"text", b"calendar", (b"method", b"REQUEST"), None, None, b"base64", 900, 12)

    def file_part(disposition):  # an application/octet-stream attachment
        return (b"application", b"octet-stream", None, None, None, b"base64", 900, None,
                disposition, None, None)  # fmt: skip

    attached = file_part((b"attachment", (b"filename", b"invite.ICS")))
    raw_disp = file_part(b'attachment; filename="interview.ics"')
    pdf = (b"application", b"pdf", (b"name", b"cv.pdf"), None, None, b"base64", 900, None)
    huge = (b"text", b"calendar", None, None, None, b"7bit", 5_000_000, 1)
    forwarded = (b"message", b"rfc822", None, None, None, b"7bit", 900, (), cal, 20)
    mixed = ([([text, cal], b"alternative"), attached, raw_disp, pdf, huge, forwarded], b"mixed")
    assert [p[0] for p in calendar_parts(mixed)] == ["1.2", "2", "3"]
    assert list(calendar_parts(cal)) == [("1", "base64", "utf-8")]
    assert list(calendar_parts(text)) == [] and list(calendar_parts(None)) == []
    assert decode(b"QkVHSU46VkNBTEVOREFS", "base64", "utf-8") == "BEGIN:VCALENDAR"
    assert decode(b"caf=C3=A9", "quoted-printable", "utf-8") == "caf\u00e9"
    assert decode(b"x", "7bit", "no-such-charset") == "x"


def test_not_icalendar_is_a_value_error():
    with pytest.raises(ValueError):
        read_calendar(b"<html>sign in</html>", WINDOW, source="t", default_tz=NY)


def test_a_google_feeds_calendar_name_is_the_users_address():
    text = _floating("X-WR-CALNAME:alex.rivera@gmail.com\r\n")
    assert read_calendar(text, WINDOW, source="t", default_tz=NY).owner_addresses == {
        "alex.rivera@gmail.com"
    }


# --- domains --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "domain,company",
    [
        ("acme-robotics.example", "Acme Robotics"),
        ("mail.acme.com", "Acme"),
        ("acmehq.com", "Acme"),
        ("globex.co.uk", "Globex"),
        ("bluedev.onmicrosoft.com", "Bluedev"),
        ("acme.greenhouse-mail.io", "Acme"),
        ("ibm.com", "IBM"),
        ("gmail.com", ""),
        ("ashbyhq.com", ""),
        ("group.calendar.google.com", ""),
        ("resource.calendar.google.com", ""),
        ("onmicrosoft.com", ""),
        ("calendly.com", ""),
    ],
)
def test_company_from_domain(domain, company):
    assert domains.company_from_domain(domain) == company


def test_company_names_compare_without_legal_forms_case_or_accents():
    assert domains.normalize_company("Acme Robotics, Inc.") == domains.normalize_company(
        "acme robotics"
    )
    assert domains.normalize_company("Wisła Software") == "wislasoftware"
    assert domains.normalize_company("Nordlicht Software GmbH") == "nordlichtsoftware"


def test_job_board_links_name_the_company():
    assert domains.company_from_ats_link("see https://jobs.lever.co/acme-robotics/1") == (
        "Acme Robotics"
    )
    assert domains.company_from_ats_link("https://nordvik.teamtailor.com/jobs/1") == "Nordvik"


# --- the detector's rules ----------------------------------------------------------------------
def _event(summary="Interview with Acme - Backend Engineer", **kw):
    from followup_sync.capture.events import CalendarEvent, Person

    base = dict(
        uid="u1",
        recurrence_id="",
        source="t",
        start=datetime(2026, 11, 20, 14, tzinfo=NY),
        end=datetime(2026, 11, 20, 15, tzinfo=NY),
        summary=summary,
        organizer=Person("jane@acme.example", "Jane Doe"),
        attendees=(Person("alex@example.com", "Alex Rivera", partstat="ACCEPTED"),),
    )
    base.update(kw)
    return CalendarEvent(**base)


def test_the_rules_say_why_an_event_is_not_proposed():
    from followup_sync.capture.events import Person

    assert judge(_event(), ME).proposed
    assert judge(_event(status="CANCELLED"), ME).rejected == "cancelled"
    assert judge(_event(method="CANCEL"), ME).rejected == "cancelled"
    assert judge(_event(organizer=None, attendees=()), ME).rejected == "own event"
    mine = Person("alex@example.com", "Alex Rivera")
    assert judge(_event(organizer=mine), ME).rejected == "own event"
    declined = (Person("alex@example.com", partstat="DECLINED"),)
    assert judge(_event(attendees=declined), ME).rejected == "declined"
    colleague = Person("sam@initrode.example", "Sam Lee")
    assert judge(_event(organizer=colleague), ME).rejected == "interviewer side"
    assert judge(_event("Interview prep with Jane"), ME).rejected == "not a job interview"
    assert judge(_event("Quarterly planning"), ME).rejected == "no interview keyword"
    friend = Person("jo@gmail.com", "Jo Pal")
    assert judge(_event("Nanny interview", organizer=friend), ME).rejected == "not a job interview"
    assert judge(_event("The interview", organizer=friend), ME).rejected == "no sign of a job"
    assert judge(_event(recurring=True, recurrence_id="20261120T190000Z"), ME).rejected == (
        "recurring meeting"
    )


def test_a_booking_tool_alone_is_not_enough():
    from followup_sync.capture.events import Person

    vendor = _event(
        "Alex Rivera and Appliance Solutions",
        organizer=Person("sales@appliances.example", "Appliance Solutions"),
        description="Event Name: 30 Minute Meeting\nPowered by Calendly.com",
    )
    verdict = judge(vendor, ME)
    assert not verdict.proposed and verdict.rejected == "no interview keyword"


def test_an_applicant_tracking_system_alone_is_enough():
    from followup_sync.capture.events import Person

    verdict = judge(
        _event(
            "Alex <> Globex: Founder chat",
            organizer=Person("no-reply@ashbyhq.com", "Globex Recruiting"),
        ),
        ME,
    )
    assert verdict.proposed and "sent through Ashby" in verdict.signals


# --- the review against a real store --------------------------------------------------------
@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path)
    yield s
    s.close()


def _review(store, events, sources_read=("t",), show_ignored=False):
    with store.read() as tx:
        decisions, apps = tx.capture_decisions(), tx.applications()
    return build_review(
        events,
        me=ME,
        window=WINDOW,
        tz=NY,
        decisions=decisions,
        applications=apps,
        sources_read=sources_read,
        show_ignored=show_ignored,
    )


def _corpus_events(*ids):
    out = []
    for case_id in ids:
        data = (cc.ROOT / f"{case_id}.ics").read_bytes()
        out += read_calendar(data, WINDOW, source="t", default_tz=NY).events
    return out


def test_sessions_with_one_company_on_one_day_are_one_round_at_the_end(store):
    review = _review(store, _corpus_events(*(f"i05-ashby-hooli-onsite-{n}" for n in (1, 2, 3))))
    (c,) = review.candidates
    assert len(c.sessions) == 3 and c.stage == "onsite"
    assert c.at == datetime(2026, 12, 2, 18, tzinfo=UTC)  # the end of the last session
    assert [p.name for p in c.interviewers] == ["Gavin Belson", "Monica Hall", "Jared Dunn"]


def test_recorded_new_round_and_new(store):
    with store.write() as tx:
        add_interview(
            tx,
            company="Hooli",
            role="Platform Engineer",
            at=datetime(2026, 10, 14, 12, tzinfo=NY),
            now=NOW,
        )
    events = _corpus_events(
        "i06-calendly-hooli-recruiter", "i05-ashby-hooli-onsite-1", "i12-google-piedpiper"
    )
    by_company = {(c.company, c.start.month): c for c in _review(store, events).candidates}
    assert by_company[("Hooli", 10)].status == RECORDED
    assert by_company[("Hooli", 12)].status == NEW_ROUND
    assert by_company[("Hooli", 12)].application == "hooli-platform-engineer"
    assert by_company[("Pied Piper", 10)].status == NEW


def test_accepting_goes_through_add_and_a_second_review_proposes_nothing(store):
    events = _corpus_events("i06-calendly-hooli-recruiter", "i05-ashby-hooli-onsite-1")
    review = _review(store, events)
    with store.write() as tx:
        first = accept(tx, review.candidates[0], NOW, NY)
        second = accept(tx, review.candidates[1], NOW, NY)
    assert (first.action, second.action) == ("created", "round")
    with store.read() as tx:
        app = tx.application("hooli-platform-engineer")
        decisions = tx.capture_decisions()
    assert [r.number for r in app.rounds] == [1, 2]
    assert app.rounds[0].interviewers == (Interviewer("Morgan Lee", "morgan.lee@hooli.example"),)
    # Only hashes of the UIDs are kept.
    assert set(decisions) == {decision_key(e.uid, e.recurrence_id) for e in events}
    again = _review(store, events)
    assert again.candidates == [] and again.captured == 2
    # The numbers stay where the user saw them.
    assert [c.n for c in again.hidden] == [1, 2]


def test_ignored_events_keep_only_a_hash_and_come_back_with_all(store):
    events = _corpus_events("i12-google-piedpiper")
    review = _review(store, events)
    with store.write() as tx:
        ignore(tx, review.candidates[0])
        rows = tx.conn.execute("SELECT * FROM capture_decisions").fetchall()
    assert rows == [(decision_key(events[0].uid), "ignored", None, None, None, None)]
    assert _review(store, events).candidates == []
    shown = _review(store, events, show_ignored=True).candidates
    assert [c.status for c in shown] == [IGNORED]
    with pytest.raises(UserInputError, match="ignored before"):
        select(_review(store, events), ["1"])


def test_a_moved_interview_is_an_update_that_replans_the_round(store):
    (event,) = _corpus_events("i12-google-piedpiper")
    review = _review(store, [event])
    with store.write() as tx:
        accept(tx, review.candidates[0], NOW, NY)
    moved = type(event)(**{**event.__dict__, "start": event.start + timedelta(days=2)})
    (c,) = _review(store, [moved]).candidates
    assert c.status == UPDATE and c.recorded_at == event.start
    with store.write() as tx:
        done = accept(tx, c, NOW, NY)
    assert done.action == "rescheduled"
    with store.read() as tx:
        assert tx.application(done.application).current_round.at == moved.start
    assert _review(store, [moved]).candidates == []


def test_cancelled_declined_or_gone_is_reported_for_an_open_application(store):
    (event,) = _corpus_events("i12-google-piedpiper")
    first = _review(store, [event]).candidates[0]
    with store.write() as tx:
        accept(tx, first, NOW, NY)
    cancelled = type(event)(**{**event.__dict__, "status": "CANCELLED"})
    assert [x.why for x in _review(store, [cancelled]).cancelled] == ["cancelled"]
    gone = _review(store, [])
    assert [x.why for x in gone.cancelled] == [
        "no longer in t (deleted, or moved out of the window)"
    ]
    # Not judged when that source was not read (a --file run, another --source).
    assert _review(store, [], sources_read=()).cancelled == []


def test_select_takes_numbers_uids_and_all(store):
    review = _review(store, _corpus_events("i12-google-piedpiper", "i10-teams-bluedev"))
    assert [c.n for c in select(review, ["2,1"])] == [1, 2]
    assert [c.n for c in select(review, ["all"])] == [1, 2]
    uid = review.candidates[1].uid
    assert [c.n for c in select(review, [uid])] == [2]
    with pytest.raises(UserInputError, match="no candidate 9"):
        select(review, ["9"])


def test_reschedule_keeps_rounds_in_order_and_drops_a_stale_reply_by(store):
    with store.write() as tx:
        add_interview(
            tx, company="Acme", role="Dev", at=datetime(2026, 11, 2, 10, tzinfo=NY), now=NOW
        )
        add_interview(
            tx,
            company="Acme",
            role="Dev",
            at=datetime(2026, 11, 9, 10, tzinfo=NY),
            reply_by=datetime(2026, 11, 10).date(),
            now=NOW,
        )
        with pytest.raises(UserInputError, match="out of order"):
            reschedule_round(tx, "acme-dev", 1, datetime(2026, 11, 12, tzinfo=NY), NOW)
        notes = reschedule_round(tx, "acme-dev", 2, datetime(2026, 11, 16, 10, tzinfo=NY), NOW)
        assert notes and "dropped" in notes[0]
        assert tx.application("acme-dev").current_round.reply_by is None
