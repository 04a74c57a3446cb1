"""rules.py: concrete examples from the seed, then properties over random applications."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_sync.models import (
    Application,
    Channel,
    ItemKind,
    ItemStatus,
    MovedMark,
    Round,
    Rules,
    SentMark,
    Status,
    item_uid,
)
from followup_sync.rules import (
    at_send_time,
    next_working_day,
    plan_application,
    validate_holidays,
)

NY = ZoneInfo("America/New_York")
ZONES = [NY, ZoneInfo("Europe/Berlin"), ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")]
# Tuesday 10 November 2026, 14:00 in New York.
INTERVIEW = datetime(2026, 11, 10, 14, 0, tzinfo=NY)


def app_with(*rounds: Round, **kw) -> Application:
    return Application("acme-eng", "Acme", "Engineer", rounds or (Round(1, INTERVIEW),), **kw)


def days(items) -> list[date]:
    return [i.due.date() for i in items]


def test_no_reply_by_weekly_series_then_move_on():
    items = plan_application(app_with(), Rules(), NY, date(2026, 11, 12))
    assert [i.step for i in items] == ["nudge-1", "nudge-2", "nudge-3", "move-on"]
    # A week after the interview, then weekly, then a week after the last nudge.
    assert days(items) == [
        date(2026, 11, 17),
        date(2026, 11, 24),
        date(2026, 12, 1),
        date(2026, 12, 8),
    ]
    assert all(i.due.timetz() == time(9, 30, tzinfo=NY) for i in items)
    assert all(i.status == ItemStatus.PLANNED for i in items)
    assert [i.channel for i in items] == [Channel.EMAIL] * 3 + [None]
    assert [i.attempt for i in items] == [1, 2, 3, None]
    assert items[-1].kind == ItemKind.MOVE_ON
    assert [i.uid for i in items] == [
        item_uid("acme-eng", 1, s) for s in ("nudge-1", "nudge-2", "nudge-3", "move-on")
    ]


def test_reply_by_plus_two_days():
    # "We'll get back to you by Monday 16th" -> nudge on Wednesday 18th.
    app = app_with(Round(1, INTERVIEW, reply_by=date(2026, 11, 16)))
    items = plan_application(app, Rules(), NY, date(2026, 11, 12))
    assert days(items)[:2] == [date(2026, 11, 18), date(2026, 11, 25)]


def test_reply_by_landing_on_weekend_moves_to_monday():
    # Friday 13th + 2 days = Sunday -> Monday 16th.
    app = app_with(Round(1, INTERVIEW, reply_by=date(2026, 11, 13)))
    assert days(plan_application(app, Rules(), NY, date(2026, 11, 12)))[0] == date(2026, 11, 16)


def test_weekend_landing_moves_to_monday_unless_weekends_allowed():
    saturday = Round(1, datetime(2026, 11, 7, 10, 0, tzinfo=NY))
    assert days(plan_application(app_with(saturday), Rules(), NY, date(2026, 11, 7)))[0] == date(
        2026, 11, 16
    )
    anyday = Rules(workdays_only=False)
    assert days(plan_application(app_with(saturday), anyday, NY, date(2026, 11, 7)))[0] == date(
        2026, 11, 14
    )


def test_interview_date_is_taken_in_the_users_zone():
    # 03:00 UTC on the 11th is still the evening of the 10th in New York.
    late = Round(1, datetime(2026, 11, 11, 3, 0, tzinfo=UTC))
    assert days(plan_application(app_with(late), Rules(), NY, date(2026, 11, 11)))[0] == date(
        2026, 11, 17
    )


def test_us_thanksgiving_is_skipped():
    thursday = Round(1, datetime(2026, 11, 19, 11, 0, tzinfo=NY))
    plain = plan_application(app_with(thursday), Rules(), NY, date(2026, 11, 19))
    assert days(plain)[0] == date(2026, 11, 26)
    us = plan_application(app_with(thursday), Rules(holidays="US"), NY, date(2026, 11, 19))
    assert days(us)[0] == date(2026, 11, 27)
    # Later nudges count from the day it is really due.
    assert days(us)[1] == date(2026, 12, 4)


def test_next_working_day():
    rules = Rules(holidays="US")
    assert next_working_day(date(2026, 11, 26), rules) == date(2026, 11, 27)
    assert next_working_day(date(2026, 12, 25), rules) == date(2026, 12, 28)  # Fri holiday
    assert next_working_day(date(2026, 11, 25), rules) == date(2026, 11, 25)
    # Across a year boundary: New Year's Day 2028 is a Saturday, observed Friday 31 Dec 2027.
    assert next_working_day(date(2027, 12, 31), rules) == date(2028, 1, 3)
    # Subdivision: César Chávez Day (31 March) is a California state holiday.
    assert next_working_day(date(2026, 3, 31), Rules(holidays="US-CA")) == date(2026, 4, 1)
    # Holidays apply even when weekends are allowed: the user asked for them.
    assert next_working_day(date(2026, 11, 26), replace(rules, workdays_only=False)) == date(
        2026, 11, 27
    )
    assert next_working_day(date(2026, 11, 28), Rules(workdays_only=False)) == date(2026, 11, 28)


def test_validate_holidays():
    validate_holidays("")
    validate_holidays("US")
    validate_holidays("de")
    validate_holidays("US-CA")
    with pytest.raises(ValueError, match=r"unknown holidays country code in 'XX'"):
        validate_holidays("XX")
    with pytest.raises(ValueError, match=r"subdivision 'ZZ' of 'US'"):
        validate_holidays("US-ZZ")


def test_sent_nudge_replans_later_items_from_the_sent_day():
    app = app_with(sent=(SentMark(1, 1, date(2026, 11, 19)),))
    items = plan_application(app, Rules(), NY, date(2026, 11, 20))
    first = items[0]
    assert first.status == ItemStatus.SENT
    assert first.sent_on == date(2026, 11, 19)
    # Shown on the day it went out (planned for Tuesday the 17th), at the send time.
    assert first.due == datetime(2026, 11, 19, 9, 30, tzinfo=NY)
    # Thursday 19th + 7 = Thanksgiving (no holidays configured), then weekly.
    assert days(items)[1:] == [date(2026, 11, 26), date(2026, 12, 3), date(2026, 12, 10)]
    assert [i.status for i in items[1:]] == [ItemStatus.PLANNED] * 3


def test_sent_marks_of_another_round_do_not_count():
    app = app_with(sent=(SentMark(2, 1, date(2026, 11, 19)),))
    assert plan_application(app, Rules(), NY, date(2026, 11, 12))[0].status == ItemStatus.PLANNED


def test_moved_item_is_respected_exactly_and_later_items_follow():
    uid = item_uid("acme-eng", 1, "nudge-2")
    saturday = datetime(2026, 11, 28, 15, 0, tzinfo=NY)
    app = app_with(moved=(MovedMark(uid, saturday.astimezone(UTC)),))
    items = plan_application(app, Rules(), NY, date(2026, 11, 12))
    assert items[1].due == saturday and items[1].due.tzinfo == NY  # not moved off the weekend
    assert items[1].status == ItemStatus.PLANNED
    # Saturday 28th + 7 = Saturday 5th -> Monday 7th; move-on a week later.
    assert days(items)[2:] == [date(2026, 12, 7), date(2026, 12, 14)]
    assert items[0].due.date() == date(2026, 11, 17)


def test_moved_with_naive_datetime_is_wall_time_in_zone():
    uid = item_uid("acme-eng", 1, "nudge-1")
    app = app_with(moved=(MovedMark(uid, datetime(2026, 11, 18, 8, 0)),))
    assert plan_application(app, Rules(), NY, date(2026, 11, 12))[0].due == datetime(
        2026, 11, 18, 8, 0, tzinfo=NY
    )


def test_overdue():
    items = plan_application(app_with(), Rules(), NY, date(2026, 11, 25))
    assert [i.status for i in items] == [
        ItemStatus.OVERDUE,
        ItemStatus.OVERDUE,
        ItemStatus.PLANNED,
        ItemStatus.PLANNED,
    ]
    # Due today is not overdue yet.
    assert plan_application(app_with(), Rules(), NY, date(2026, 11, 17))[0].status == (
        ItemStatus.PLANNED
    )


@pytest.mark.parametrize("status", [Status.HEARD, Status.CLOSED])
def test_heard_or_closed_withdraws_pending_items_but_keeps_sent(status):
    app = app_with(status=status, sent=(SentMark(1, 1, date(2026, 11, 17)),))
    items = plan_application(app, Rules(), NY, date(2026, 11, 30))
    assert [i.status for i in items] == [ItemStatus.SENT] + [ItemStatus.WITHDRAWN] * 3


def test_new_round_withdraws_old_rounds_pending_items():
    r2 = Round(2, datetime(2026, 11, 20, 10, 0, tzinfo=NY))
    app = app_with(Round(1, INTERVIEW), r2, sent=(SentMark(1, 1, date(2026, 11, 17)),))
    items = plan_application(app, Rules(), NY, date(2026, 11, 30))
    assert [(i.round_number, i.step) for i in items] == [
        (r, s) for r in (1, 2) for s in ("nudge-1", "nudge-2", "nudge-3", "move-on")
    ]
    assert [i.status for i in items[:4]] == [ItemStatus.SENT] + [ItemStatus.WITHDRAWN] * 3
    assert [i.status for i in items[4:]] == [ItemStatus.OVERDUE] + [ItemStatus.PLANNED] * 3
    assert items[4].due.date() == date(2026, 11, 27)
    assert len({i.uid for i in items}) == 8


def test_max_nudges_one_and_zero():
    one = plan_application(app_with(), Rules(max_nudges=1), NY, date(2026, 11, 12))
    assert [i.step for i in one] == ["nudge-1", "move-on"]
    assert days(one) == [date(2026, 11, 17), date(2026, 11, 24)]
    zero = plan_application(app_with(), Rules(max_nudges=0), NY, date(2026, 11, 12))
    assert [(i.step, i.due.date()) for i in zero] == [("move-on", date(2026, 11, 17))]


def test_no_rounds_no_items_and_duplicate_rounds_rejected():
    assert plan_application(replace(app_with(), rounds=()), Rules(), NY, date(2026, 1, 1)) == []
    with pytest.raises(ValueError, match="duplicate round numbers"):
        plan_application(
            app_with(Round(1, INTERVIEW), Round(1, INTERVIEW)), Rules(), NY, date(2026, 1, 1)
        )


def test_at_send_time_across_dst():
    # Ordinary days either side of the US spring-forward and fall-back.
    assert at_send_time(date(2026, 3, 7), time(9, 30), NY).utcoffset() == timedelta(hours=-5)
    assert at_send_time(date(2026, 3, 9), time(9, 30), NY).utcoffset() == timedelta(hours=-4)
    # 02:30 does not exist on 8 March 2026 in New York: it becomes 03:30 EDT.
    gap = at_send_time(date(2026, 3, 8), time(2, 30), NY)
    assert (gap.hour, gap.minute, gap.utcoffset()) == (3, 30, timedelta(hours=-4))
    # Lord Howe springs forward by 30 minutes at 02:00 (4 October 2026).
    lh = ZoneInfo("Australia/Lord_Howe")
    gap = at_send_time(date(2026, 10, 4), time(2, 10), lh)
    assert (gap.hour, gap.minute) == (2, 40)
    # Ambiguous 01:30 on fall-back day takes the first occurrence (EDT).
    amb = at_send_time(date(2026, 11, 1), time(1, 30), NY)
    assert (amb.hour, amb.minute, amb.utcoffset()) == (1, 30, timedelta(hours=-4))


# --- properties -------------------------------------------------------------------

# Transition days of the zones above, so send times land in gaps and folds.
DST_DAYS = [
    date(2026, 3, 8),
    date(2026, 11, 1),  # New York
    date(2026, 3, 29),
    date(2026, 10, 25),  # Berlin
    date(2026, 4, 5),
    date(2026, 10, 4),  # Lord Howe
]
send_times = st.one_of(
    st.times(),
    st.sampled_from([time(2, 0), time(2, 15), time(2, 29, 59), time(2, 30), time(1, 30)]),
)
rules_st = st.builds(
    Rules,
    first_nudge_days=st.integers(0, 14),
    after_reply_by_days=st.integers(0, 5),
    repeat_days=st.integers(0, 14),
    max_nudges=st.integers(0, 5),
    move_on_days=st.integers(0, 14),
    send_time=send_times,
    workdays_only=st.booleans(),
    holidays=st.sampled_from(["", "US", "DE"]),
    later_channel=st.sampled_from(list(Channel)),
)
day_st = st.one_of(st.dates(date(2025, 1, 1), date(2028, 12, 31)), st.sampled_from(DST_DAYS))


@st.composite
def applications(draw, with_marks: bool = True) -> Application:
    tz = draw(st.sampled_from(ZONES))
    count = draw(st.integers(1, 3))
    rounds = []
    for n in range(1, count + 1):
        day = draw(day_st)
        at = datetime.combine(day, draw(st.times()), tzinfo=tz)
        reply_by = draw(st.none() | st.just(day + timedelta(days=draw(st.integers(0, 21)))))
        rounds.append(Round(n, at, reply_by=reply_by))
    sent: list[SentMark] = []
    moved: list[MovedMark] = []
    if with_marks:
        for n in range(1, count + 1):
            for attempt in draw(st.sets(st.integers(1, 5), max_size=3)):
                sent.append(SentMark(n, attempt, draw(day_st)))
            for step in draw(
                st.sets(st.sampled_from(["nudge-1", "nudge-2", "move-on"]), max_size=2)
            ):
                due = datetime.combine(draw(day_st), draw(st.times()), tzinfo=tz)
                moved.append(MovedMark(item_uid("app.1", n, step), due))
    return Application(
        "app.1",
        "Acme",
        "Engineer",
        tuple(rounds),
        status=draw(st.sampled_from(list(Status))),
        sent=tuple(sent),
        moved=tuple(moved),
    )


def by_round(items):
    rounds: dict[int, list] = {}
    for item in items:
        rounds.setdefault(item.round_number, []).append(item)
    return rounds


def real_instant(dt: datetime) -> bool:
    """Survives a round trip through UTC with the same wall clock and offset.

    (Same-tzinfo datetimes compare by wall clock alone, so `==` would not do.)
    """
    back = dt.astimezone(UTC).astimezone(dt.tzinfo)
    return (back.replace(tzinfo=None), back.utcoffset()) == (
        dt.replace(tzinfo=None),
        dt.utcoffset(),
    )


def in_gap(day: date, t: time, tz: ZoneInfo) -> bool:
    """PEP 495: in a gap, fold=0 uses the offset before the jump, fold=1 the (larger) one after."""
    naive = datetime.combine(day, t)
    return (
        naive.replace(tzinfo=tz, fold=0).utcoffset() < naive.replace(tzinfo=tz, fold=1).utcoffset()
    )


@settings(max_examples=200, deadline=None)
@given(applications(), rules_st, st.sampled_from(ZONES), day_st)
def test_same_input_same_plan(app, rules, tz, today):
    assert plan_application(app, rules, tz, today) == plan_application(app, rules, tz, today)


@settings(max_examples=200, deadline=None)
@given(applications(), rules_st, st.sampled_from(ZONES), day_st)
def test_shape_of_every_round(app, rules, tz, today):
    items = plan_application(app, rules, tz, today)
    rounds = by_round(items)
    assert list(rounds) == sorted(r.number for r in app.rounds)
    for round_items in rounds.values():
        nudges = [i for i in round_items if i.kind == ItemKind.NUDGE]
        # At most max_nudges nudges, numbered 1..N, then exactly one move-on, last.
        assert len(nudges) <= max(rules.max_nudges, 0)
        assert [i.attempt for i in nudges] == list(range(1, len(nudges) + 1))
        assert [i.kind for i in round_items] == [ItemKind.NUDGE] * len(nudges) + [ItemKind.MOVE_ON]
        assert all(models_uid_ok(i.uid) for i in round_items)
        assert round_items[0].channel in (Channel.EMAIL, None)


def models_uid_ok(uid: str) -> bool:
    from followup_sync.models import UID_RE

    return bool(UID_RE.match(uid))


@settings(max_examples=200, deadline=None)
@given(applications(), rules_st, st.sampled_from(ZONES), day_st)
def test_statuses(app, rules, tz, today):
    current = app.current_round.number
    for item in plan_application(app, rules, tz, today):
        marked = {(m.round_number, m.attempt) for m in app.sent}
        if (item.round_number, item.attempt) in marked:
            assert item.status == ItemStatus.SENT and item.sent_on is not None
        elif not app.is_open or item.round_number != current:
            assert item.status == ItemStatus.WITHDRAWN
        elif item.due.date() < today:
            assert item.status == ItemStatus.OVERDUE
        else:
            assert item.status == ItemStatus.PLANNED


@settings(max_examples=300, deadline=None)
@given(applications(with_marks=False), rules_st, st.sampled_from(ZONES), day_st)
def test_without_moves_dates_increase_on_working_days_at_send_time(app, rules, tz, today):
    # Sent marks are allowed (any day, even long before the due day); moves are not,
    # since a user may move an item anywhere.
    sent = tuple(
        SentMark(r.number, a, r.at.date() + timedelta(days=d))
        for r in app.rounds
        for a, d in ((1, -20), (2, 3))
    )
    app = replace(app, sent=sent)
    for round_items in by_round(plan_application(app, rules, tz, today)).values():
        # Compared in UTC: same-tzinfo datetimes compare by wall clock only.
        dues = [i.due.astimezone(UTC) for i in round_items]
        assert all(a < b for a, b in zip(dues, dues[1:], strict=False))
        assert all(
            a.due.date() < b.due.date() for a, b in zip(round_items, round_items[1:], strict=False)
        )
        for item in round_items:
            day = item.due.date()
            if item.sent_on is not None:
                assert day == item.sent_on  # a sent item shows on the day it went out
            elif rules.workdays_only:
                assert day.weekday() < 5
            # A real instant: it survives a round trip through UTC unchanged.
            assert real_instant(item.due)
            assert item.due.tzinfo == tz
            if not in_gap(day, rules.send_time.replace(tzinfo=None), tz):
                assert item.due.time() == rules.send_time.replace(tzinfo=None)


@settings(max_examples=200, deadline=None)
@given(applications(), rules_st, st.sampled_from(ZONES), day_st, day_st)
def test_uids_stable_across_replans(app, rules, tz, today, other_today):
    bare = replace(app, sent=(), moved=(), status=Status.WAITING)
    uids = [i.uid for i in plan_application(bare, rules, tz, today)]
    assert uids == [i.uid for i in plan_application(app, rules, tz, other_today)]
    assert len(set(uids)) == len(uids)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DST_DAYS) | day_st, send_times, st.sampled_from(ZONES))
def test_at_send_time_wall_clock_or_valid_instant(day, send_time, tz):
    due = at_send_time(day, send_time, tz)
    assert due.tzinfo is tz
    assert real_instant(due) and due.date() == day
    if in_gap(day, send_time, tz):
        # Pushed forward by the size of the jump (an hour, or 30 minutes on Lord Howe).
        naive = datetime.combine(day, send_time)
        assert timedelta(0) < due.replace(tzinfo=None) - naive <= timedelta(hours=1)
    else:
        assert due.time() == send_time
