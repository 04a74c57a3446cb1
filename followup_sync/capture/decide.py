"""The user's decisions on the review list: which candidates, corrected how, and
recording them.

Accepting goes through the use cases of applications.py (`add_interview`,
`reschedule_round`), so a captured interview behaves exactly like one typed
with `add`; then each of its events is remembered by its key (a hash), so the
next capture does not propose it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ..errors import UserInputError
from ..models import Application, Interviewer
from .review import (
    CAPTURED,
    IGNORED,
    NEW,
    NEW_ROUND,
    RECORDED,
    UPDATE,
    Candidate,
    Review,
    classify,
)


def select(review: Review, tokens: Iterable[str]) -> list[Candidate]:
    """The candidates named by numbers ("1,3"), UIDs or "all" (every new, new-round and
    update candidate); an unknown one is an error naming it."""
    by_n = {c.n: c for c in review.candidates}
    hidden = {c.n: c for c in review.hidden}
    chosen: dict[int, Candidate] = {}
    for token in tokens:
        for part in str(token).split(","):
            part = part.strip()
            if not part:
                continue
            if part.lower() == "all":
                for c in review.candidates:
                    if c.status in (NEW, NEW_ROUND, UPDATE):
                        chosen[c.n] = c
            elif part.isdigit():
                c = by_n.get(int(part))
                if c is None and int(part) in hidden:
                    was = hidden[int(part)]
                    if was.status == CAPTURED:
                        raise UserInputError(f"candidate {part} is already added")
                    raise UserInputError(
                        f"candidate {part} was ignored before; `followup-sync capture --all`"
                        " shows it and lets you add it"
                    )
                if c is None:
                    raise UserInputError(
                        f"there is no candidate {part}: run `followup-sync capture` to see the list"
                    )
                chosen[c.n] = c
            else:
                matches = [c for c in review.candidates if part in (s.uid for s in c.sessions)]
                if not matches:
                    raise UserInputError(f"no candidate has the UID {part!r}")
                chosen[matches[0].n] = matches[0]
    return [chosen[n] for n in sorted(chosen)]


def edited(
    c: Candidate,
    applications: Sequence[Application],
    *,
    company: str | None = None,
    role: str | None = None,
    stage: str | None = None,
    interviewers: tuple[Interviewer, ...] | None = None,
) -> None:
    """Apply the user's corrections to `c` (before it is added) and classify it again."""
    if c.status == UPDATE:
        raise UserInputError(
            f"candidate {c.n} updates {c.application}: edit the application with"
            f" `followup-sync edit {c.application}` instead"
        )
    if company is not None:
        c.company = company
    if role is not None:
        c.role = role
    if stage is not None:
        c.stage = stage
    if interviewers is not None:
        c.interviewers = interviewers
    if c.status != IGNORED:
        classify(c, applications)


# --- deciding ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Accepted:
    n: int
    application: str
    round_number: int
    action: str  # "created", "round", "reopened", "linked", "rescheduled", "unchanged"
    notes: tuple[str, ...] = ()


def accept(tx, c: Candidate, now: datetime, tz: tzinfo) -> Accepted:
    """Record candidate `c` through the use cases (`add` semantics); remember its events.

    The interview is recorded in the user's zone `tz`, as `add` records a typed
    date (an invitation's own zone may be a Windows name the store cannot keep).
    """
    from ..applications import add_interview, reschedule_round

    at = c.at.astimezone(tz)
    notes: tuple[str, ...] = ()
    if c.status == UPDATE:
        assert c.application is not None and c.round_number is not None
        notes = reschedule_round(tx, c.application, c.round_number, at, now)
        app_id, number, action = c.application, c.round_number, "rescheduled"
    elif c.status == RECORDED:
        assert c.application is not None and c.round_number is not None
        app_id, number, action = c.application, c.round_number, "linked"
    else:
        if not c.company:
            raise UserInputError(
                f"candidate {c.n} has no company: give one with --edit {c.n} --company NAME"
            )
        if not c.role:
            raise UserInputError(
                f"candidate {c.n} ({c.company}) has no role: give one with --edit {c.n} --role ROLE"
            )
        company, role = c.company, c.role
        if c.status == NEW_ROUND and c.application:
            # The application's own spelling, so `add_interview` finds it.
            app = tx.application(c.application)
            company, role = app.company, app.role
        try:
            added = add_interview(
                tx,
                company=company,
                role=role,
                at=at,
                interviewers=c.interviewers,
                stage=c.stage,
                now=now,
            )
        except UserInputError as e:
            raise UserInputError(f"candidate {c.n}: {e.message}") from None
        app_id, number = added.app_id, added.round_number
        if added.unchanged:
            action = "unchanged"
        elif added.created:
            action = "created"
        else:
            action = "reopened" if added.reopened else "round"
    for s in c.sessions:
        tx.decide_added(s.key, app_id, number, s.start, s.source)
    return Accepted(c.n, app_id, number, action, notes)


def ignore(tx, c: Candidate) -> None:
    """Never propose `c`'s events again. Ignoring a moved interview keeps the recorded
    date and stops offering the move."""
    if c.status == UPDATE:
        assert c.application is not None and c.round_number is not None
        for s in c.sessions:
            tx.decide_added(s.key, c.application, c.round_number, s.start, s.source)
        return
    for s in c.sessions:
        tx.decide_ignored(s.key)
