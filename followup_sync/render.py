"""Human and JSON renderings of push results (the JSON shape is a promise: see README)."""

from __future__ import annotations

from .planner import Op, Pulled, PullKind
from .push import PushReport
from .secrets import redact

_PULL_TEXT = {
    PullKind.COMPLETED: "you completed {uid} on {on}: marked sent, later follow-ups re-planned",
    PullKind.MOVED: "you moved {uid} to {due}: kept, later follow-ups follow it",
    PullKind.DELETED: "you deleted {uid}: it will not be recreated here",
    PullKind.EDITED: "you edited {uid}: your edit is kept",
}


def pull_line(p: Pulled) -> str:
    due = f"{p.due:%a %Y-%m-%d %H:%M}" if p.due else ""
    return _PULL_TEXT[p.kind].format(uid=p.uid, on=p.on, due=due)


def summary_line(report: PushReport, dry_run: bool) -> str:
    plan = report.plan
    if dry_run:
        counts = (
            f"{plan.count(Op.CREATE)} to create, {plan.count(Op.UPDATE)} to update,"
            f" {plan.count(Op.DELETE)} to delete, {plan.unchanged} unchanged"
        )
        return f"{report.name} ({report.where}), dry run: {counts}"
    o = report.outcome
    assert o is not None
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


def report_json(report: PushReport) -> dict:
    plan, o = report.plan, report.outcome
    out = {
        "name": report.name,
        "where": report.where,
        "planned": {
            "create": plan.count(Op.CREATE),
            "update": plan.count(Op.UPDATE),
            "delete": plan.count(Op.DELETE),
            "unchanged": plan.unchanged,
        },
        "changes": [{"op": a.op.value, "uid": a.uid, "reason": a.reason} for a in plan.actions],
        "pulled": [{"kind": p.kind.value, "uid": p.uid} for p in report.pulled],
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
