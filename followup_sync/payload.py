"""Follow-up items -> PushItems: the summary, description, draft and hash providers render.

Providers share this one rendering of content, so an item reads the same in a
calendar, a task app and the feed, and the content hash means the same thing
everywhere.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from . import drafts, rules
from .models import (
    Application,
    Channel,
    FollowUpItem,
    ItemKind,
    ItemStatus,
    PushItem,
    Rules,
    User,
)

UTC = ZoneInfo("UTC")
# Items with these statuses exist on providers; withdrawn ones are deleted.
LIVE = (ItemStatus.PLANNED, ItemStatus.OVERDUE, ItemStatus.SENT)


def one_line(text: str) -> str:
    """Collapse CR/LF/control characters: summaries are single lines everywhere."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


@dataclass(frozen=True)
class Planner:
    """Everything needed to turn applications into items, for one `today`."""

    user: User
    rules: Rules
    tz: ZoneInfo
    today: date
    templates_dir: Path | None = None

    def items(self, app: Application) -> list[FollowUpItem]:
        return rules.plan_application(app, self.rules, self.tz, self.today)

    def push_item(self, app: Application, item: FollowUpItem) -> PushItem:
        return build_push_item(app, item, self.user, self.rules, self.templates_dir)

    def live_push_items(self, apps: list[Application]) -> dict[str, PushItem]:
        """The desired state: every planned, overdue or sent item, by UID."""
        out: dict[str, PushItem] = {}
        for app in apps:
            for item in self.items(app):
                if item.status in LIVE:
                    out[item.uid] = self.push_item(app, item)
        return out


def contact_of(app: Application) -> str:
    for person in app.current_round.interviewers:
        if person.name:
            return one_line(person.name)
    return ""


def summary_for(app: Application, item: FollowUpItem, rule_set: Rules) -> str:
    company, role = one_line(app.company), one_line(app.role)
    if item.kind == ItemKind.MOVE_ON:
        n = rule_set.max_nudges
        return (
            f"No reply from {company} after {n} follow-up{'s' if n != 1 else ''}: time to move on"
        )
    contact = contact_of(app)
    verb = "Call" if item.channel == Channel.PHONE else "Follow up with"
    who = f"{contact} at {company}" if contact else company
    text = f"{verb} {who}: {role} ({item.attempt}/{rule_set.max_nudges})"
    if item.status == ItemStatus.SENT:
        text = f"Sent: {text}"
    return text


def build_push_item(
    app: Application, item: FollowUpItem, user: User, rule_set: Rules, templates_dir: Path | None
) -> PushItem:
    draft = mailto = eml = None
    if item.kind == ItemKind.NUDGE:
        draft = drafts.render_draft(item, app, user, templates_dir, max_nudges=rule_set.max_nudges)
        mailto = drafts.as_mailto(draft)
        eml = drafts.as_eml(draft, when=item.due)
        lines = []
        if draft.to_addr or draft.to_name:
            lines.append(f"To: {one_line(draft.to_name)} <{draft.to_addr}>".replace(" <>", ""))
        if item.channel == Channel.PHONE:
            lines.append("Call, or send this email:")
        lines += [f"Subject: {draft.subject}", "", draft.body, "", "---", f"Send it: {mailto}"]
        lines.append(f"When sent: followup-sync sent {app.id} --attempt {item.attempt}")
        lines.append(f"Heard back: followup-sync heard {app.id}")
        description = "\n".join(lines)
    else:
        description = drafts.render_note(
            item, app, user, templates_dir, max_nudges=rule_set.max_nudges
        )
    summary = summary_for(app, item, rule_set)
    duration = timedelta(minutes=rule_set.duration_minutes)
    alarm = timedelta(minutes=rule_set.alarm_minutes)
    # Overdue renders like planned: the content must not change with `today`, or
    # every push would rewrite overdue items.
    rendered_status = "sent" if item.status == ItemStatus.SENT else "open"
    fingerprint = json.dumps(
        [
            item.uid,
            item.kind,
            item.attempt,
            item.due.isoformat(),
            getattr(item.due.tzinfo, "key", ""),
            rendered_status,
            item.sent_on.isoformat() if item.sent_on else None,
            summary,
            description,
            mailto,
            hashlib.sha256(eml).hexdigest() if eml else None,
            duration.total_seconds(),
            alarm.total_seconds(),
            one_line(app.company),
            one_line(app.role),
        ]
    )
    return PushItem(
        item=item,
        company=one_line(app.company),
        role=one_line(app.role),
        contact=contact_of(app),
        summary=summary,
        description=description,
        draft=draft,
        mailto=mailto,
        eml=eml,
        duration=duration,
        alarm_before=alarm,
        content_hash=hashlib.sha256(fingerprint.encode()).hexdigest()[:20],
        sequence=app.revision,
        last_modified=(app.updated_at or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC),
    )
