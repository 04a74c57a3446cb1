"""Every human summary and `--json` contract, in one place (the JSON shapes are promises:
see README). The CLI prints what these return; nothing here does I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from .redaction import redact
from .text import single_line, terminal

if TYPE_CHECKING:
    from .capture.decide import Accepted
    from .capture.events import Window
    from .capture.review import Candidate
    from .capture.run import CaptureRun
    from .check import CheckResult
    from .models import Application, FollowUpItem, MailNote
    from .publish import PublishReport
    from .push import ProviderReport, RunResult
    from .sync import Pulled


def error_line(message: str) -> str:
    """One line for stderr: secrets redacted, control characters shown escaped."""
    return terminal(redact(message))


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


def reply_text(app: Application, *, subject: bool = False) -> str:
    """ "replied Dec 3 by jane@acme.example" for `list` (with the subject for `show`), or ""."""
    r = app.reply
    if r is None:
        return ""
    text = f"replied {_day(r.at)} by {terminal(r.sender)}"
    if subject and r.subject:
        text += f': "{terminal(single_line(r.subject))}"'
    return text


# --- push ------------------------------------------------------------------------------
# Keyed by the values of sync.PullKind and sync.Op (StrEnums): `plan --json` and
# `list` must not import the sync engine.
_PULL_TEXT = {
    "completed": "you completed {uid} on {on}: marked sent, later follow-ups re-planned",
    "moved": "you moved {uid} to {due}: kept, later follow-ups follow it",
    "deleted": "you deleted {uid}: it will not be recreated here",
    "edited": "you edited {uid}: your edit is kept",
    "taken-over": "you edited {uid} in your mail client: it is yours now,"
    " never changed or recreated here",
}


def pull_line(p: Pulled) -> str:
    from .models import ItemKind, ItemRef

    if p.mail is not None:
        return mail_line(p, done=True)
    due = f"{p.due:%a %Y-%m-%d %H:%M}" if p.due else ""
    ref = ItemRef.parse(p.uid)
    if p.kind == "completed" and ref is not None and ref.kind == ItemKind.MOVE_ON:
        return f"you completed {p.uid} on {p.on}: {ref.application_id} closed (you moved on)"
    return _PULL_TEXT[p.kind].format(uid=p.uid, on=p.on, due=due)


# --- mail -------------------------------------------------------------------------------
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(when) -> str:
    return f"{_MONTHS[when.month - 1]} {when.day}"


def _subject(note: MailNote) -> str:
    text = single_line(note.subject)
    text = text if len(text) <= 70 else text[:69] + "…"
    return terminal(f'"{text}"') if text else "(no subject)"


def _step(uid: str) -> str:
    from .models import ItemKind, ItemRef

    ref = ItemRef.parse(uid)
    if ref is None:
        return uid
    return "the thank-you note" if ref.kind == ItemKind.THANK_YOU else f"follow-up {ref.attempt}"


def mail_line(p: Pulled, *, done: bool) -> str:
    """One line for a fact found in the mailbox; `done`: a push acted on it (else a check)."""
    m = p.mail
    if m is None:
        raise ValueError("mail_line needs a mailbox fact")
    app, day, who = p.app_id, _day(m.at), terminal(m.sender)
    to = terminal(", ".join(m.recipients)) or "the interviewer"
    if p.kind == "replied":
        then = (
            f"{app} heard back (replied); its pending follow-ups are withdrawn"
            if done
            else f"{app} is marked heard back at the next push"
        )
        return f"reply from {who} on {day} {_subject(m)}: {then}"
    if p.kind == "sent":
        then = (
            "marked sent, later follow-ups re-planned" if done else "marked sent at the next push"
        )
        return f"you sent {_step(p.uid)} of {app} to {to} on {day}: {then}"
    if m.category == "possible-response":
        return (
            f"possible response from {who} on {day} {_subject(m)} about {app}: if it is"
            f" their answer, run `followup-sync heard {app}`"
        )
    if m.category == "bounce":
        return (
            f"bounce on {day}: mail to {to} came back; the address is probably wrong"
            f" (check the interviewer's address of {app})"
        )
    if m.category == "early-sent":
        return (
            f"mail to {to} on {day} ({app}): listed, not counted as a follow-up"
            " (sent before one was due)"
        )
    what = "bulk mail" if m.category == "bulk" else m.category
    return f"{what} from {who} on {day} {_subject(m)} ({app}), ignored"


def pulled_json(p: Pulled) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": p.kind.value, "uid": p.uid or None}
    if p.app_id:
        out["application"] = p.app_id
    if p.mail is not None:
        out["mail"] = {
            "category": p.mail.category,
            "from": p.mail.sender,
            "to": list(p.mail.recipients),
            "date": p.mail.at.isoformat(),
            "subject": p.mail.subject,
        }
    return out


def check_lines(result: CheckResult) -> list[str]:
    lines = []
    for r in result.reports:
        lines.append(f"{r.name} ({r.where}):")
        lines += [f"  {error_line(n)}" for n in r.notes]
        lines += [f"  {mail_line(p, done=False)}" for p in r.facts]
        if not r.facts:
            lines.append("  nothing new since the last push")
    if any(r.facts for r in result.reports):
        lines.append("check changes nothing: `followup-sync push` acts on these.")
    return lines


def check_json(result: CheckResult) -> dict[str, Any]:
    return {
        "providers": [
            {
                "name": r.name,
                "where": r.where,
                "facts": [pulled_json(p) for p in r.facts],
                "notes": [redact(n) for n in r.notes],
            }
            for r in result.reports
        ],
        "failures": [{"name": f.name, "error": redact(f.error.message)} for f in result.failures],
    }


def summary_line(report: ProviderReport, dry_run: bool) -> str:
    plan = report.plan
    if dry_run:
        counts = (
            f"{plan.count('create')} to create, {plan.count('update')} to update,"
            f" {plan.count('delete')} to delete, {plan.unchanged} unchanged"
        )
        return f"{report.name} ({report.where}), dry run: {counts}"
    o = report.result
    if o is None:
        raise ValueError("summary_line of a real push needs its result")
    extra = ""
    if o.kept:
        extra += f", {o.kept} kept (your edits)"
    if o.adopted:
        extra += f", {o.adopted} adopted"
    if plan.skipped_dismissed:
        extra += f", {plan.skipped_dismissed} skipped (deleted by you)"
    return (
        f"{report.name} ({report.where}): {o.created} created, {o.updated} updated,"
        f" {o.deleted} deleted, {plan.unchanged} unchanged, {o.failed} failed{extra}"
    )


def report_lines(report: ProviderReport, dry_run: bool) -> list[str]:
    """What a push prints for one provider: notes, pulled changes, the plan, the summary."""
    lines = [f"  {error_line(n)}" for n in report.notes]
    if report.reset:
        lines.append(f"  {report.where} was missing: writing every follow-up anew")
    lines += [f"  {pull_line(p)}" for p in report.pulled]
    if dry_run:
        lines += [f"  {a.line()}" for a in report.plan.actions]
    lines.append(summary_line(report, dry_run))
    return lines


def failure_lines(run: RunResult, several: bool) -> list[str]:
    """One error line per failed provider (named when several were pushed)."""
    out = []
    for f in run.failures:
        prefix = f"{f.name}: " if several else ""
        out.append(f"Error: {error_line(prefix + f.error.message)}")
    return out


def report_json(report: ProviderReport) -> dict[str, Any]:
    plan, o = report.plan, report.result
    out: dict[str, Any] = {
        "name": report.name,
        "where": report.where,
        "planned": {
            "create": plan.count("create"),
            "update": plan.count("update"),
            "delete": plan.count("delete"),
            "unchanged": plan.unchanged,
        },
        "changes": [{"op": a.op.value, "uid": a.uid, "reason": a.reason} for a in plan.actions],
        "pulled": [pulled_json(p) for p in report.pulled],
        "notes": [redact(n) for n in report.notes],
    }
    if o is not None:
        out["result"] = {
            "created": o.created,
            "updated": o.updated,
            "deleted": o.deleted,
            "unchanged": plan.unchanged,
            "kept": o.kept,
            "adopted": o.adopted,
            "skipped_dismissed": plan.skipped_dismissed,
            "failed": o.failed,
            "errors": [redact(e) for e in o.errors],  # provider text: never trust it
        }
    return out


def push_json(run: RunResult) -> dict[str, Any]:
    return {
        "dry_run": run.dry_run,
        "providers": [report_json(r) for r in run.reports],
        "published": [published_json(p) for p in run.published],
        "failures": failures_json(run),
    }


def failures_json(run: RunResult) -> list[dict[str, str]]:
    return [{"name": f.name, "error": redact(f.error.message)} for f in run.failures]


# --- publish ---------------------------------------------------------------------------
def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.0f} KB"


def published_line(report: PublishReport, dry_run: bool) -> str:
    """One line per publish target; never its URL (the feed token is in it)."""
    from .publish import UPLOADED, WOULD_UPLOAD

    what = {
        UPLOADED: "uploaded the feed",
        WOULD_UPLOAD: "would upload the feed",
    }.get(report.status, "unchanged")
    head = f"{report.name} ({report.where})" + (", dry run" if dry_run else "")
    events = f"{report.events} event{'s' if report.events != 1 else ''}"
    return f"{head}: {what}, {events}, {_size(report.size)}"


def published_lines(report: PublishReport, dry_run: bool) -> list[str]:
    return [f"  {error_line(n)}" for n in report.notes] + [published_line(report, dry_run)]


def published_json(report: PublishReport) -> dict[str, Any]:
    return {
        "name": report.name,
        "where": redact(report.where),
        "status": report.status.replace(" ", "_"),
        "bytes": report.size,
        "events": report.events,
        "notes": [redact(n) for n in report.notes],
    }


def publish_json(run: RunResult) -> dict[str, Any]:
    """`publish --json` (a contract: see README)."""
    return {
        "dry_run": run.dry_run,
        "published": [published_json(p) for p in run.published],
        "failures": failures_json(run),
    }


def providers_json(types: Sequence) -> list[dict[str, Any]]:
    return [
        {
            "type": t.name,
            "class": t.target,
            "plugin": t.plugin,
            "package": t.distribution,
            "version": t.version,
        }
        for t in types
    ]


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
