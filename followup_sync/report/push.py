"""Push, publish, mailbox check and provider listings: lines and JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..redaction import redact
from ..text import single_line, terminal

if TYPE_CHECKING:
    from ..check import CheckResult
    from ..models import MailNote
    from ..publish import PublishReport
    from ..push import ProviderReport, RunResult
    from ..sync import Pulled


from .common import _day, error_line

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
    from ..models import ItemKind, ItemRef

    if p.mail is not None:
        return mail_line(p, done=True)
    due = f"{p.due:%a %Y-%m-%d %H:%M}" if p.due else ""
    ref = ItemRef.parse(p.uid)
    if p.kind == "completed" and ref is not None and ref.kind == ItemKind.MOVE_ON:
        return f"you completed {p.uid} on {p.on}: {ref.application_id} closed (you moved on)"
    return _PULL_TEXT[p.kind].format(uid=p.uid, on=p.on, due=due)


# --- mail -------------------------------------------------------------------------------
def _subject(note: MailNote) -> str:
    text = single_line(note.subject)
    text = text if len(text) <= 70 else text[:69] + "…"
    return terminal(f'"{text}"') if text else "(no subject)"


def _step(uid: str) -> str:
    from ..models import ItemKind, ItemRef

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
    from ..publish import UPLOADED, WOULD_UPLOAD

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
