"""Every human summary and `--json` contract, in one package (the JSON shapes are
promises: see README). The CLI prints what these return; nothing here does I/O.

- __init__: applications and items (list, plan, show), error lines;
- push.py: push, publish, check (mailbox) and providers;
- capture.py: capture.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from .common import error_line as error_line  # the CLI reads them here
from .common import reply_text as reply_text

if TYPE_CHECKING:
    from ..models import Application, FollowUpItem


# --- applications and items ------------------------------------------------------------
def item_json(app: Application, item: FollowUpItem) -> dict[str, Any]:
    return {
        "application": app.id,
        "company": app.company,
        "role": app.role,
        "round": item.round_number,
        "kind": item.kind.value,
        "attempt": item.attempt,
        "channel": item.channel.value if item.channel else None,
        "due": item.due.isoformat(),
        "uid": item.uid,
        "status": item.status.value,
        "sent_on": item.sent_on.isoformat() if item.sent_on else None,
    }


def application_json(app: Application) -> dict[str, Any]:
    """One application in full, for `show --json`."""
    return {
        "id": app.id,
        "company": app.company,
        "role": app.role,
        "status": app.status.value,
        "outcome": app.outcome.value if app.outcome else None,
        "status_on": app.status_on.isoformat() if app.status_on else None,
        "skills": app.skills,
        "accomplishment": app.accomplishment,
        "notes": app.notes,
        "rounds": [
            {
                "number": r.number,
                "at": r.at.isoformat(),
                "stage": r.stage,
                "interviewers": [str(p) for p in r.interviewers],
                "reply_by": r.reply_by.isoformat() if r.reply_by else None,
                "notes": r.notes,
            }
            for r in app.rounds
        ],
        "reply": reply_json(app),
    }


def plan_json(
    today: date, timezone: str, pairs: Iterable[tuple[Application, FollowUpItem]]
) -> dict[str, Any]:
    pairs = list(pairs)
    apps = {a.id: a for a, _ in pairs}
    return {
        "today": today.isoformat(),
        "timezone": timezone,
        "items": [item_json(a, i) for a, i in pairs],
        # Replies found in the mailbox that ended a series (outcome "replied").
        "replies": [
            {"application": a.id, **reply} for a in apps.values() if (reply := reply_json(a))
        ],
    }


def list_json(
    today: date, rows: Iterable[tuple[Application, FollowUpItem | None]]
) -> dict[str, Any]:
    return {
        "today": today.isoformat(),
        "applications": [
            {
                "id": a.id,
                "company": a.company,
                "role": a.role,
                "status": a.status.value,
                "outcome": a.outcome.value if a.outcome else None,
                "rounds": len(a.rounds),
                "last_interview": a.current_round.at.isoformat(),
                "next": item_json(a, n) if n else None,
                "reply": reply_json(a),
            }
            for a, n in rows
        ],
    }


def reply_json(app: Application) -> dict[str, Any] | None:
    """The reply that marked the application heard back (outcome "replied"), or None."""
    r = app.reply
    if r is None:
        return None
    return {"from": r.sender, "date": r.at.isoformat(), "subject": r.subject}


from .capture import *  # noqa: E402,F403
from .push import *  # noqa: E402,F403
