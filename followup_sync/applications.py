"""What the user does to applications: add interviews, mark sent, heard back, close, edit.

Each use case takes the caller's store Transaction, so a command's changes land
together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from .errors import UserInputError
from .models import (
    THANK_YOU_ATTEMPT,
    Application,
    Interviewer,
    ItemKind,
    ItemStatus,
    Outcome,
    Round,
    SentMark,
    Status,
)
from .store import Transaction
from .text import multiline, single_line

MAX_TEXT = 10_000  # notes, skills: generous, but no megabyte strings in drafts
MAX_LINE = 300  # company, role, stage, names


def clean_line(text: str, what: str) -> str:
    """One-line fields: control characters collapse to spaces; too long is an error."""
    text = single_line(str(text))
    if len(text) > MAX_LINE:
        raise UserInputError(f"{what} is too long ({len(text)} characters, at most {MAX_LINE})")
    return text


def clean_text(text: str | None, what: str) -> str:
    text = "" if text is None else str(text)
    text = multiline(text).strip()
    if len(text) > MAX_TEXT:
        raise UserInputError(f"{what} is too long ({len(text)} characters, at most {MAX_TEXT})")
    return text


def parse_interviewers(values) -> tuple[Interviewer, ...]:
    """Every person in the given values (each may hold several: see addresses.py)."""
    from .addresses import parse_people

    out: list[Interviewer] = []
    for v in values or ():
        out.extend(parse_people(clean_line(v, "interviewer")))
    return tuple(out)


@dataclass(frozen=True)
class Added:
    app_id: str
    round_number: int
    created: bool  # a new application (else a new round of an existing one)
    unchanged: bool = False  # this exact interview was already there
    reopened: bool = False  # a new round of an application you had heard back from


def add_interview(
    tx: Transaction,
    *,
    company: str,
    role: str,
    at: datetime,
    interviewers: tuple[Interviewer, ...] = (),
    reply_by: date | None = None,
    stage: str = "",
    skills: str = "",
    accomplishment: str = "",
    notes: str = "",
    now: datetime,
) -> Added:
    """A new application, or the next round of the one with the same company and role.

    The next round continues an application that is open, or that you heard back
    from with anything but an offer or a rejection (a "next round" answer reopens
    it); after an offer, a rejection or `close`, the same company and role start a
    new application. A new round restarts the series from that round; the rules
    withdraw the previous round's pending items. The same interview twice changes
    nothing, so imports are idempotent.
    """
    company = clean_line(company, "company")
    role = clean_line(role, "role")
    if not company:
        raise UserInputError("company is empty")
    if not role:
        raise UserInputError("role is empty")
    if reply_by is not None and reply_by < at.date():
        raise UserInputError(f"reply-by date {reply_by} is before the interview ({at.date()})")
    same = tx.find_round(company, role, at)
    if same is not None:
        return Added(same[0], same[1], False, unchanged=True)
    app_id = tx.find_latest(company, role, waiting=True)
    reopened = False
    if app_id is None:
        latest = tx.find_latest(company, role)
        if latest is not None and _continues(tx.application(latest)):
            app_id, reopened = latest, True
    rnd_fields = dict(
        at=at,
        interviewers=interviewers,
        stage=clean_line(stage, "stage"),
        notes=clean_text(notes, "notes"),
        reply_by=reply_by,
    )
    if app_id is not None:
        app = tx.application(app_id)
        if at <= app.current_round.at:
            raise UserInputError(
                f"{app_id} already has an interview on {app.current_round.at:%Y-%m-%d %H:%M};"
                " a new round must come after it"
            )
        number = app.current_round.number + 1
        tx.insert_round(app_id, Round(number=number, **rnd_fields))
        extra: dict[str, str | None] = {}
        if reopened:
            extra.update(status=Status.WAITING.value, outcome=None, status_on=None)
        if skills:
            extra["skills"] = clean_text(skills, "skills")
        if accomplishment:
            extra["accomplishment"] = clean_text(accomplishment, "accomplishment")
        tx.touch(app_id, now, **extra)
        return Added(app_id, number, False, reopened=reopened)
    app_id = tx.new_id(company, role)
    tx.insert_application(
        app_id,
        company,
        role,
        skills=clean_text(skills, "skills"),
        accomplishment=clean_text(accomplishment, "accomplishment"),
        notes="",
        now=now,
    )
    tx.insert_round(app_id, Round(number=1, **rnd_fields))
    return Added(app_id, 1, True)


def _continues(app: Application) -> bool:
    """Whether a new interview for this heard-back or closed application is its next round."""
    return app.status == Status.HEARD and not (app.outcome and app.outcome.ends_application)


def next_unsent_attempt(app: Application, items) -> int:
    for item in items:
        if (
            item.round_number == app.current_round.number
            and item.kind == ItemKind.NUDGE
            and item.status != ItemStatus.SENT
        ):
            return item.attempt
    raise UserInputError(f"every follow-up of {app.id} is already marked sent")


def mark_sent(
    tx: Transaction,
    app: Application,
    attempt: int,
    on: date,
    max_nudges: int,
    now: datetime,
    *,
    today: date | None = None,
    force: bool = False,
) -> None:
    """Mark nudge `attempt` (or the thank-you note, THANK_YOU_ATTEMPT) sent on `on`.

    Refused unless `force` (a deliberate correction): a nudge whose earlier ones
    are not marked sent, a day after `today`, and re-marking a sent one.
    """
    rnd = app.current_round
    if attempt != THANK_YOU_ATTEMPT and not 1 <= attempt <= max_nudges:
        raise UserInputError(f"attempt must be between 1 and {max_nudges}")
    if on < rnd.at.date():
        raise UserInputError(f"sent date {on} is before the interview ({rnd.at.date()})")
    what = "the thank-you note" if attempt == THANK_YOU_ATTEMPT else f"follow-up {attempt}"
    if today is not None and on > today:
        raise UserInputError(f"sent date {on} is in the future; mark it sent once it has gone out")
    sent = {m.attempt: m.on for m in app.sent if m.round_number == rnd.number}
    if not force:
        if attempt in sent:
            raise UserInputError(
                f"{what} of {app.id} is already marked sent on {sent[attempt]};"
                " add --force to change that day"
            )
        missing = [n for n in range(1, attempt) if n not in sent]
        if missing:
            raise UserInputError(
                f"follow-up {missing[0]} of {app.id} is not marked sent yet: mark it first"
                f" (followup-sync sent {app.id} --attempt {missing[0]}), or add --force"
            )
    tx.mark_sent(app.id, SentMark(rnd.number, attempt, on))
    tx.touch(app.id, now)


def mark_heard(
    tx: Transaction, app: Application, outcome: Outcome, on: date, now: datetime
) -> None:
    tx.touch(
        app.id,
        now,
        status=Status.HEARD.value,
        outcome=outcome.value,
        status_on=on.isoformat(),
    )


def close(tx: Transaction, app: Application, on: date, now: datetime) -> None:
    tx.touch(app.id, now, status=Status.CLOSED.value, status_on=on.isoformat())


def reopen(tx: Transaction, app: Application, now: datetime) -> None:
    tx.touch(app.id, now, status=Status.WAITING.value, outcome=None, status_on=None)


def edit(
    tx: Transaction,
    app: Application,
    now: datetime,
    *,
    company: str | None = None,
    role: str | None = None,
    skills: str | None = None,
    accomplishment: str | None = None,
    notes: str | None = None,
    at: datetime | None = None,
    reply_by: date | None | bool = False,  # False: unchanged; None: clear
    interviewers: tuple[Interviewer, ...] | None = None,
    stage: str | None = None,
) -> None:
    fields = {}
    if company is not None:
        fields["company"] = clean_line(company, "company") or _empty("company")
    if role is not None:
        fields["role"] = clean_line(role, "role") or _empty("role")
    if skills is not None:
        fields["skills"] = clean_text(skills, "skills")
    if accomplishment is not None:
        fields["accomplishment"] = clean_text(accomplishment, "accomplishment")
    if notes is not None:
        fields["notes"] = clean_text(notes, "notes")
    rnd = app.current_round
    changes = {}
    if at is not None:
        changes["at"] = at
    if reply_by is not False:
        changes["reply_by"] = reply_by
    if interviewers is not None:
        changes["interviewers"] = interviewers
    if stage is not None:
        changes["stage"] = clean_line(stage, "stage")
    if changes:
        new = replace(rnd, **changes)
        if new.reply_by is not None and new.reply_by < new.at.date():
            raise UserInputError(
                f"reply-by date {new.reply_by} is before the interview ({new.at.date()})"
            )
        tx.update_round(app.id, new)
    if not fields and not changes:
        raise UserInputError(
            "nothing to change: give at least one option (see `followup-sync edit --help`)"
        )
    tx.touch(app.id, now, **fields)


def _empty(what: str) -> str:
    raise UserInputError(f"{what} cannot be empty")


def reschedule_round(
    tx: Transaction, app_id: str, round_number: int, at: datetime, now: datetime
) -> tuple[str, ...]:
    """Move round `round_number` of `app_id` to `at` (a rescheduled interview).

    The series is planned from the round, so the follow-ups move with it. The
    rounds stay in order; a reply-by date now before the interview is dropped (it
    was said for the old date), and the returned note says so.
    """
    app = tx.application(app_id)
    rnd = next((r for r in app.rounds if r.number == round_number), None)
    if rnd is None:
        raise UserInputError(f"{app_id} has no round {round_number}")
    notes: tuple[str, ...] = ()
    new = replace(rnd, at=at)
    if new.reply_by is not None and new.reply_by < at.date():
        notes = (f"the reply-by date {new.reply_by} was before the new date and was dropped",)
        new = replace(new, reply_by=None)
    for other in app.rounds:
        if other.number in (round_number - 1, round_number + 1) and (
            (other.number < round_number) != (other.at < at)
        ):
            raise UserInputError(
                f"round {round_number} of {app_id} would move to {at:%Y-%m-%d %H:%M},"
                f" out of order with round {other.number} ({other.at:%Y-%m-%d %H:%M})"
            )
    tx.update_round(app_id, new)
    tx.touch(app_id, now)
    return notes


@dataclass(frozen=True)
class ImportRow:
    """One interview of a spreadsheet or file, for `import_interview`."""

    company: str
    role: str
    at: datetime
    reply_by: date | None = None
    interviewers: tuple[Interviewer, ...] = ()
    stage: str = ""
    skills: str = ""
    accomplishment: str = ""
    notes: str = ""


def import_interview(tx: Transaction, row: ImportRow, round_number: int, now: datetime) -> str:
    """Make the store agree with one row: "added", "round", "updated" or "unchanged".

    A row is matched by company + role + round (its place among the file's rows for
    that company and role, by date): importing an edited spreadsheet again
    updates the fields that changed (a corrected date, a new skills cell) instead
    of adding a phantom round, and an unchanged file changes nothing.
    """
    company = clean_line(row.company, "company")
    role = clean_line(row.role, "role")
    app_id = tx.find_latest(company, role)
    app = tx.application(app_id) if app_id else None
    rnd = next((r for r in app.rounds if r.number == round_number), None) if app else None
    if app is None or rnd is None:
        added = add_interview(
            tx,
            company=company,
            role=role,
            at=row.at,
            interviewers=row.interviewers,
            reply_by=row.reply_by,
            stage=row.stage,
            skills=row.skills,
            accomplishment=row.accomplishment,
            notes=row.notes,
            now=now,
        )
        if added.unchanged:
            return "unchanged"
        return "added" if added.created else "round"
    new_round = replace(
        rnd,
        at=row.at,
        interviewers=row.interviewers,
        reply_by=row.reply_by,
        stage=clean_line(row.stage, "stage"),
        notes=clean_text(row.notes, "notes"),
    )
    fields = {}
    for name in ("skills", "accomplishment"):
        value = clean_text(getattr(row, name), name)
        if value and value != getattr(app, name):  # an empty cell keeps what is stored
            fields[name] = value
    same_instant = new_round.at.astimezone(UTC) == rnd.at.astimezone(UTC)
    if same_instant:
        new_round = replace(new_round, at=rnd.at)  # keep the zone it was given in
    if new_round == rnd and not fields:
        return "unchanged"
    if new_round.reply_by is not None and new_round.reply_by < new_round.at.date():
        raise UserInputError(
            f"reply-by date {new_round.reply_by} is before the interview ({new_round.at.date()})"
        )
    neighbours = [r for r in app.rounds if r.number in (round_number - 1, round_number + 1)]
    for other in neighbours:
        if (other.number < round_number) != (other.at < new_round.at):
            raise UserInputError(
                f"round {round_number} of {app.id} would move to {new_round.at:%Y-%m-%d %H:%M},"
                f" out of order with round {other.number} ({other.at:%Y-%m-%d %H:%M})"
            )
    if new_round != rnd:
        tx.update_round(app.id, new_round)
    tx.touch(app.id, now, **fields)
    return "updated"
