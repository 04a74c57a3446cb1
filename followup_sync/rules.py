"""The seed's follow-up advice as a pure function: (application, rules, today) -> items.

No clock and no I/O: `today` and the time zone are passed in, so the same input
always gives the same plan and the planner can diff it against what was pushed.

The series for a round is: nudge 1 (2-3 days after a stated reply-by date, else
about a week after the interview), further nudges at weekly intervals, at most
`max_nudges` ("after 3 attempts, it's time to move on"), then a move-on marker;
with `thank_you` on, a thank-you note comes first, on the interview day (career
advice: within 24 hours; it is not a nudge and moves no other item). A sent
item is placed on the day it was sent. Every item of every round is returned,
so the sync engine sees the old round's pending items as WITHDRAWN and can
remove them remotely.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .models import (
    THANK_YOU_ATTEMPT,
    Application,
    Channel,
    FollowUpItem,
    ItemKind,
    ItemStatus,
    Round,
    Rules,
    item_uid,
)

__all__ = ["at_send_time", "next_working_day", "plan_application", "validate_holidays"]

MOVE_ON_STEP = "move-on"
THANK_YOU_STEP = "thank-you"
_SATURDAY = 5  # date.weekday(): Monday is 0
# A thank-you note goes out the same evening after an interview that ends by this
# hour (local time), else the next morning at the send time.
THANK_YOU_SAME_DAY_BEFORE = time(15, 0)
THANK_YOU_EVENING = time(17, 0)


def plan_application(
    app: Application, rules: Rules, tz: ZoneInfo, today: date
) -> list[FollowUpItem]:
    """Items of all rounds of `app`, ordered by round number, then thank-you, nudges 1..N,
    then move-on.

    Only the current (last) round's unsent items can be PLANNED or OVERDUE; items
    of older rounds and of closed/heard applications are WITHDRAWN unless marked
    sent, which stays SENT.
    """
    if not app.rounds:
        return []
    numbers = [r.number for r in app.rounds]
    if len(set(numbers)) != len(numbers):
        # Two rounds with one number would produce colliding UIDs.
        raise ValueError(f"application {app.id!r} has duplicate round numbers: {numbers}")
    current = app.current_round.number
    items: list[FollowUpItem] = []
    for rnd in sorted(app.rounds, key=lambda r: r.number):
        pending = ItemStatus.WITHDRAWN
        if app.is_open and rnd.number == current:
            pending = ItemStatus.PLANNED
        items.extend(_plan_round(app, rnd, rules, tz, today, pending))
    return items


def _plan_round(
    app: Application,
    rnd: Round,
    rules: Rules,
    tz: ZoneInfo,
    today: date,
    pending: ItemStatus,
) -> list[FollowUpItem]:
    sent = {m.attempt: m.on for m in app.sent if m.round_number == rnd.number}
    moved = {m.uid: m.due for m in app.moved}

    def make(
        step: str, kind: ItemKind, attempt: int | None, day: date, at: time | None = None
    ) -> FollowUpItem:
        uid = item_uid(app.id, rnd.number, step)
        mark = THANK_YOU_ATTEMPT if kind == ItemKind.THANK_YOU else attempt
        sent_on = sent.get(mark) if mark is not None else None
        if sent_on is not None:
            # Sent: shown on the day it went out, not the day it was planned for.
            due = at_send_time(sent_on, at or rules.send_time, tz)
        elif uid in moved:
            # A user's move is their choice: take it exactly, only expressed in `tz`.
            due = _in_tz(moved[uid], tz)
        else:
            due = at_send_time(day, at or rules.send_time, tz)
        if sent_on is not None:
            status = ItemStatus.SENT
        elif pending == ItemStatus.PLANNED and due.date() < today:
            status = ItemStatus.OVERDUE
        else:
            status = pending
        channel = None
        if kind == ItemKind.NUDGE:
            channel = Channel.EMAIL if attempt == 1 else rules.later_channel
        elif kind == ItemKind.THANK_YOU:
            channel = Channel.EMAIL
        return FollowUpItem(uid, app.id, rnd.number, kind, attempt, due, status, channel, sent_on)

    def anchor(item: FollowUpItem) -> date:
        # Later items count from when the previous nudge really went out, else
        # from when it is (or was moved to be) due.
        return item.sent_on if item.sent_on is not None else item.due.date()

    def after(prev: FollowUpItem, days: int) -> date:
        day = anchor(prev) + timedelta(days=days)
        # A nudge sent long before its due day would otherwise put the next item
        # before it on the calendar; keep each item after the previous one.
        day = max(day, prev.due.date() + timedelta(days=1))
        return next_working_day(day, rules)

    thanks: list[FollowUpItem] = []
    if rules.thank_you:
        local = _in_tz(rnd.at, tz)
        if local.time() < THANK_YOU_SAME_DAY_BEFORE:
            thanks.append(
                make(THANK_YOU_STEP, ItemKind.THANK_YOU, None, local.date(), THANK_YOU_EVENING)
            )
        else:
            thanks.append(
                make(THANK_YOU_STEP, ItemKind.THANK_YOU, None, local.date() + timedelta(days=1))
            )
    items: list[FollowUpItem] = []
    for attempt in range(1, max(rules.max_nudges, 0) + 1):
        if items:
            day = after(items[-1], rules.repeat_days)
        else:
            day = next_working_day(_first_base_day(rnd, rules, tz), rules)
        items.append(make(f"nudge-{attempt}", ItemKind.NUDGE, attempt, day))
    if items:
        day = after(items[-1], rules.move_on_days)
    else:
        # max_nudges == 0: no nudges at all, so move on when nudge 1 would have been due.
        day = next_working_day(_first_base_day(rnd, rules, tz), rules)
    items.append(make(MOVE_ON_STEP, ItemKind.MOVE_ON, None, day))
    return thanks + items


def _first_base_day(rnd: Round, rules: Rules, tz: ZoneInfo) -> date:
    """The seed: 2-3 days after a stated reply-by date, else ~a week after the interview."""
    if rnd.reply_by is not None:
        return rnd.reply_by + timedelta(days=rules.after_reply_by_days)
    return _in_tz(rnd.at, tz).date() + timedelta(days=rules.first_nudge_days)


def _in_tz(dt: datetime, tz: ZoneInfo) -> datetime:
    # A naive datetime is read as wall time in `tz` (what a user typed).
    if dt.tzinfo is None:
        return _normalise(dt.replace(tzinfo=tz), tz)
    return dt.astimezone(tz)


def _normalise(dt: datetime, tz: ZoneInfo) -> datetime:
    # zoneinfo accepts non-existent wall times (in a DST gap) as they are; a round
    # trip through UTC turns them into the real instant they denote.
    return dt.astimezone(UTC).astimezone(tz)


@functools.lru_cache(maxsize=4096)
def at_send_time(day: date, send_time: time, tz: ZoneInfo) -> datetime:
    """`day` at wall-clock `send_time` in `tz`, as an aware datetime.

    Ambiguous times (DST fall-back) take the first occurrence (fold=0); times in
    a DST gap become the real instant (e.g. 02:30 on a spring-forward day in
    New York is 03:30 EDT), so the result always round-trips through UTC.
    Cached: thousands of applications share a few hundred days.
    """
    naive = datetime.combine(day, send_time.replace(tzinfo=None, fold=0))
    return _normalise(naive.replace(tzinfo=tz), tz)


def next_working_day(day: date, rules: Rules) -> date:
    """`day`, or the first day after it that is neither weekend nor holiday.

    Weekends are skipped only when `rules.workdays_only`; the public holidays of
    `rules.holidays` (e.g. "US", or "US-CA" with a subdivision) whenever it is set,
    since setting it says the user doesn't want nudges on those days.
    """
    code = rules.holidays.strip()
    # Bounded: no calendar has a year of consecutive days off.
    for _ in range(366):
        weekend = rules.workdays_only and day.weekday() >= _SATURDAY
        if not weekend and not (code and day in _holidays(code, day.year)):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no working day within a year after {day} with holidays={code!r}")


def validate_holidays(code: str) -> None:
    """Raise ValueError with a clear message unless `code` is "" or a known holidays code."""
    if not code.strip():
        return
    try:
        # No year: the calendar is only built lazily, so nothing is computed (and
        # nothing warns about a year outside the country's supported range).
        _country_holidays(code.strip(), None)
    except (NotImplementedError, KeyError, ValueError) as exc:
        country, _, subdiv = code.strip().partition("-")
        what = f"subdivision {subdiv!r} of {country.upper()!r}" if subdiv else "country code"
        raise ValueError(
            f"unknown holidays {what} in {code!r}: use an ISO 3166-1 alpha-2 country "
            "code such as 'US' or 'DE', optionally with a subdivision ('US-CA'), "
            f"as supported by the holidays package ({exc})"
        ) from None


@functools.lru_cache(maxsize=256)
def _holidays(code: str, year: int) -> frozenset[date]:
    """The holidays of `code` in `year`; cached because every planned day asks."""
    return frozenset(_country_holidays(code, year))


def _country_holidays(code: str, year: int | None):
    import warnings

    import holidays  # lazily: only users who set `holidays` pay for the import

    # Subdivisions are case-sensitive names in places ("FR-Zone A"), so only the
    # country part is upper-cased.
    country, _, subdiv = code.partition("-")
    with warnings.catch_warnings():
        # The package warns for years outside a country's supported range (e.g.
        # India before 2001); those years simply have no holidays to skip.
        warnings.simplefilter("ignore")
        return holidays.country_holidays(
            country.upper(), subdiv=subdiv or None, years=() if year is None else year
        )
