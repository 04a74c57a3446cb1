"""capture: the review list and its JSON contract."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from ..redaction import redact
from ..text import terminal

if TYPE_CHECKING:
    from ..capture.decide import Accepted
    from ..capture.events import Window
    from ..capture.review import Candidate
    from ..capture.run import CaptureRun


# --- capture ---------------------------------------------------------------------------
_STATUS_TEXT = {
    "recorded": "already recorded",
    "new_round": "new round of {app}",
    "update": "update the interview date",
    "ignored": "ignored before",
}


def _when(moment: datetime, tz: tzinfo) -> str:
    return f"{moment.astimezone(tz):%a %Y-%m-%d %H:%M %Z}"


def capture_window_json(window: Window) -> dict[str, str]:
    """The window as the days it covers (`until` inclusive)."""
    return {
        "since": window.since.date().isoformat(),
        "until": (window.until - timedelta(days=1)).date().isoformat(),
    }


def candidate_json(c: Candidate, tz: tzinfo) -> dict[str, Any]:
    return {
        "n": c.n,
        "uid": c.uid,
        "source": c.source,
        "start": c.start.astimezone(tz).isoformat(),
        "end": c.end.astimezone(tz).isoformat(),
        "company": c.company,
        "role": c.role,
        "stage": c.stage,
        "interviewers": [str(p) for p in c.interviewers],
        "signals": list(c.signals),
        "status": c.status,
        # Beyond the minimum: what `--add` would record, and where.
        "at": c.at.astimezone(tz).isoformat(),
        "application": c.application,
        "round": c.round_number,
        "recorded_at": c.recorded_at.astimezone(tz).isoformat() if c.recorded_at else None,
        "sessions": len(c.sessions),
        "title": c.title,
    }


def capture_json(
    run: CaptureRun,
    tz: tzinfo,
    added: Sequence[Accepted] = (),
    ignored: Sequence[int] = (),
) -> dict[str, Any]:
    """`capture --json` (a contract: see README)."""
    return {
        "window": capture_window_json(run.window),
        "timezone": getattr(tz, "key", str(tz)),
        "candidates": [candidate_json(c, tz) for c in run.review.candidates],
        "cancelled": [
            {
                "application": x.application,
                "round": x.round_number,
                "at": x.start.astimezone(tz).isoformat(),
                "company": x.company,
                "role": x.role,
                "why": x.why,
                "commands": [
                    f"followup-sync close {x.application}",
                    f"followup-sync remove {x.application}",
                ],
            }
            for x in run.review.cancelled
        ],
        "added": [
            {"n": a.n, "application": a.application, "round": a.round_number, "action": a.action}
            for a in added
        ],
        "ignored": list(ignored),
        "sources": [
            {
                "name": s.name,
                "events": s.events,
                "skipped": s.skipped,
                "error": redact(s.error.message) if s.error else None,
            }
            for s in run.sources
        ],
    }


def candidate_lines(c: Candidate, tz: tzinfo) -> list[str]:
    head = " | ".join(x for x in (c.company or "?", c.role or "?", c.stage) if x)
    when = _when(c.start, tz)
    if len(c.sessions) > 1:
        when += f" (+{len(c.sessions) - 1} more until {c.end.astimezone(tz):%H:%M})"
    status = _STATUS_TEXT.get(c.status, "")
    if c.status == "recorded":
        status += f" ({c.application} round {c.round_number})"
    elif c.status == "update" and c.recorded_at is not None:
        status += f" of {c.application} round {c.round_number}: was {_when(c.recorded_at, tz)}"
    lines = [
        f"[{c.n}] {when}  {head}" + (f"   <{status.format(app=c.application)}>" if status else "")
    ]
    if c.interviewers:
        lines.append("      with:  " + ", ".join(str(p) for p in c.interviewers))
    lines.append(f"      title: {c.title}   (from {c.source})")
    if c.signals:
        lines.append("      why:   " + "; ".join(c.signals))
    return [terminal(x) for x in lines]


def capture_lines(run: CaptureRun, tz: tzinfo) -> list[str]:
    """The review list people read (`capture` without --json)."""
    review = run.review
    w = capture_window_json(run.window)
    read = [s for s in run.sources if s.error is None]
    names = ", ".join(s.name for s in read) or "no source"
    n = len(review.candidates)
    found = f"{n} interview{'s' if n != 1 else ''} to review" if n else "Nothing new to review"
    lines = [
        terminal(
            f"{found} in {review.events} event{'s' if review.events != 1 else ''} from {names},"
            f" {w['since']} .. {w['until']} ({getattr(tz, 'key', tz)})"
        )
    ]
    for s in read:
        if s.skipped:
            lines.append(
                f"  note: {s.name}: {s.skipped} event(s) could not be read and were skipped"
            )
    for c in review.candidates:
        lines.append("")
        lines += candidate_lines(c, tz)
    if review.cancelled:
        lines += ["", "No longer standing (decide what it means for the application):"]
        for x in review.cancelled:
            lines.append(
                terminal(
                    f"  {x.company} ({x.role}), round {x.round_number} on {_when(x.start, tz)}:"
                    f" {x.why}; followup-sync close {x.application}"
                    f"  (or: followup-sync remove {x.application})"
                )
            )
    hidden = []
    if review.captured:
        hidden.append(f"{review.captured} added before")
    if review.ignored:
        hidden.append(f"{review.ignored} ignored before (--all shows them)")
    if hidden:
        lines += ["", "Not shown: " + ", ".join(hidden) + "."]
    if review.candidates:
        first = ",".join(str(c.n) for c in review.candidates[:2])
        lines += [
            "",
            f"Next: followup-sync capture --add {first} (or --add all); correct one first with"
            " --edit N --company ... --role ...; never show one again with --ignore N",
        ]
    return lines


_ACTION_TEXT = {
    "created": "new application {app}",
    "round": "round {round} of {app}",
    "reopened": "round {round} of {app} (reopened)",
    "linked": "already recorded as round {round} of {app}; remembered",
    "rescheduled": "round {round} of {app} moved; follow-ups re-planned",
    "unchanged": "already recorded as round {round} of {app}",
}


def accepted_lines(added: Sequence[Accepted], ignored: Sequence[int]) -> list[str]:
    lines = []
    for a in added:
        text = _ACTION_TEXT[a.action].format(app=a.application, round=a.round_number)
        lines.append(f"[{a.n}] {text}")
        lines += [f"      note: {note}" for note in a.notes]
    if ignored:
        shown = ", ".join(str(n) for n in ignored)
        lines.append(f"Ignored {shown}: never proposed again.")
    if any(a.action in ("created", "round", "reopened", "rescheduled") for a in added):
        lines.append("Next: followup-sync push (or followup-sync plan to see the follow-ups)")
    return [terminal(x) for x in lines]
