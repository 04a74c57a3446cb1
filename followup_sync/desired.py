"""The desired state: applications -> the items that should exist, with content hashes.

`DesiredState` (for one user, rule set and day) runs the rules engine over
applications and says which items should exist on every provider (`Wanted`),
each with a hash of what it would render to; `render` turns a Wanted into the
PushItem (summary, description, draft, .eml) providers write. Providers share
this one rendering, so an item reads the same in a calendar, a task app and the
feed, and the content hash means the same thing everywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from . import rules
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
from .text import single_line

UTC = ZoneInfo("UTC")
# Items with these statuses exist on providers; withdrawn ones are deleted.
LIVE = (ItemStatus.PLANNED, ItemStatus.OVERDUE, ItemStatus.SENT)


# Bump when rendering changes in a way users should see pushed again: the content
# hash is computed from the inputs of rendering (cheap), not from its output.
RENDER_VERSION = "2"


@dataclass(frozen=True)
class Wanted:
    """An item the rules want to exist, with the hash of what it would render to.

    Rendering (drafts, .eml) costs about a millisecond per item; the planner only
    needs the hash and the due date, so it renders just the items it writes.
    """

    item: FollowUpItem
    app: Application
    content_hash: str
    rules: Rules

    @property
    def uid(self) -> str:
        return self.item.uid

    @property
    def summary(self) -> str:
        # Only plan lines need it; computing it for every item costs a no-op push.
        return summary_for(self.app, self.item, self.rules)


@dataclass(frozen=True)
class DesiredState:
    """Everything needed to turn applications into wanted items, for one `today`."""

    user: User
    rules: Rules
    tz: ZoneInfo
    today: date
    templates_dir: Path | None = None

    def items(self, app: Application) -> list[FollowUpItem]:
        return rules.plan_application(app, self.rules, self.tz, self.today)

    def render(self, want: Wanted, *, as_of: date | None = None) -> PushItem:
        """The PushItem for `want`; with `as_of`, an unsent draft is written as of that day
        (or its own, if later): "last Monday" must be true on the day it goes out."""
        return build_push_item(
            want.app,
            want.item,
            self.user,
            self.rules,
            self.templates_dir,
            want.content_hash,
            as_of=as_of,
        )

    def wanted(self, apps: list[Application]) -> dict[str, Wanted]:
        """The desired state, unrendered: every planned, overdue or sent item, by UID."""
        hasher = _Hasher(self.user, self.rules, self.templates_dir)
        out: dict[str, Wanted] = {}
        for app in apps:
            app_fp = hasher.app_fingerprint(app)
            for item in self.items(app):
                if item.status in LIVE:
                    out[item.uid] = Wanted(item, app, hasher.item(app_fp, app, item), self.rules)
        return out

    def live_push_items(self, apps: list[Application]) -> dict[str, PushItem]:
        """The desired state, rendered (for a whole-calendar export or feed)."""
        return {uid: self.render(want) for uid, want in self.wanted(apps).items()}


def _sha256(data: bytes) -> str:
    # hashlib is imported here: `plan` and `list` plan items but hash nothing, and
    # importing it is a tenth of their start-up.
    import hashlib

    return hashlib.sha256(data).hexdigest()


def settings_fingerprint(user: User, rule_set: Rules, templates_dir: Path | None) -> str:
    """What of the settings rendering reads, and nothing else.

    Named fields, not repr() of the whole User and Rules: a setting added later
    (or one that only moves dates, which each item's own hash covers) must not
    rewrite every pushed item, and with it edits the user made there. Not the
    package version either: RENDER_VERSION says when rendering changed.
    """
    templates = []
    if templates_dir is not None and Path(templates_dir).is_dir():
        for path in sorted(Path(templates_dir).glob("*.txt")):
            templates.append([path.name, _sha256(path.read_bytes())])
    read = [
        user.name,
        user.email,
        user.timezone,
        rule_set.max_nudges,
        rule_set.duration_minutes,
        rule_set.alarm_minutes,
    ]
    return json.dumps([RENDER_VERSION, read, templates])


def state_fingerprint(user: User, rule_set: Rules, templates_dir: Path | None) -> str:
    """Everything besides the store that the desired state is made of.

    The desired state (which items, their due dates and content hashes) does not
    depend on the day: overdue items render like planned ones. So the same store
    revision and the same fingerprint mean the same desired state; push uses that
    to skip a provider nothing has changed for (push.py, "clean").
    """
    data = [settings_fingerprint(user, rule_set, templates_dir), repr(user), repr(rule_set)]
    return _sha256(json.dumps(data, default=str).encode())[:24]


def template_name(item: FollowUpItem, max_nudges: int) -> str:
    """The template an item renders from (drafts.py)."""
    if item.kind == ItemKind.MOVE_ON:
        return "move-on"
    if item.kind == ItemKind.THANK_YOU:
        return "thank-you"
    if item.attempt == 1:
        return "nudge-1"
    return "nudge-last" if item.attempt >= max_nudges else "nudge-again"


# Template variables that read an application field only some templates use: an
# edit of that field rewrites only the items whose template reads it (skills and
# the accomplishment are in nudge 1 alone, so editing them keeps a user's title
# edit of nudge 2).
_OPTIONAL_FIELDS = {
    "skills": frozenset({"skills", "fit_sentence"}),
    "accomplishment": frozenset({"accomplishment", "accomplishment_sentence"}),
}


class _Hasher:
    """Content hashes from the inputs of rendering, for one set of settings."""

    def __init__(self, user: User, rule_set: Rules, templates_dir: Path | None):
        from . import template_files

        self.settings_fp = settings_fingerprint(user, rule_set, templates_dir)
        self.max_nudges = rule_set.max_nudges
        self.reads: dict[str, tuple[str, ...]] = {}
        for name in ("nudge-1", "nudge-again", "nudge-last", "thank-you", "move-on"):
            used = template_files.identifiers(name, templates_dir)
            if name.startswith("nudge-") and name != "nudge-1":
                # Later nudges take nudge 1's subject (they reply in its thread).
                used |= template_files.identifiers("nudge-1", templates_dir, subject_only=True)
            self.reads[name] = tuple(f for f, names in _OPTIONAL_FIELDS.items() if used & names)

    def app_fingerprint(self, app: Application) -> str:
        # What every item of the application renders from: drafts read each
        # round's date, interviewers, stage and reply-by date; not status or
        # revision, which the item carries.
        rounds = [
            (
                r.number,
                r.at.isoformat(),
                getattr(r.at.tzinfo, "key", ""),
                [(str(i.name), str(i.email)) for i in r.interviewers],
                r.stage,
                r.reply_by.isoformat() if r.reply_by else "",
            )
            for r in app.rounds
        ]
        data = (self.settings_fp, app.id, app.company, app.role, rounds)
        # repr of strings and numbers is unambiguous (quoted, escaped) and much
        # faster than json.dumps for 10,000 applications.
        return _sha256(repr(data).encode())

    def item(self, app_fp: str, app: Application, item: FollowUpItem) -> str:
        """The item's content hash: its application's fingerprint plus what of the item renders."""
        name = template_name(item, self.max_nudges)
        extra = [getattr(app, f) for f in self.reads[name]]
        if item.kind == ItemKind.MOVE_ON:
            # The move-on note says how many follow-ups were actually sent.
            extra.append(str(sent_nudges(app, item.round_number)))
        # Overdue renders like planned: the content must not change with `today`,
        # or every push would rewrite overdue items.
        rendered_status = "sent" if item.status == ItemStatus.SENT else "open"
        key = "|".join(
            [
                app_fp,
                item.uid,
                item.due.isoformat(),
                getattr(item.due.tzinfo, "key", ""),
                rendered_status,
                item.sent_on.isoformat() if item.sent_on else "",
                str(item.channel or ""),
                repr(extra),
            ]
        )
        return _sha256(key.encode())[:20]


def sent_nudges(app: Application, round_number: int) -> int:
    return sum(1 for m in app.sent if m.round_number == round_number and m.attempt >= 1)


def contact_of(app: Application, round_number: int | None = None) -> str:
    """Who the item is with: "Jane Doe", "Jane Doe and 1 other", or "" when nobody is named."""
    rnd = next((r for r in app.rounds if r.number == round_number), app.current_round)
    names = [single_line(p.name) for p in rnd.interviewers if single_line(p.name)]
    if not names:
        return ""
    others = len(names) - 1
    return names[0] + (f" and {others} other{'s' if others > 1 else ''}" if others else "")


def summary_for(app: Application, item: FollowUpItem, rule_set: Rules) -> str:
    company, role = single_line(app.company), single_line(app.role)
    if item.kind == ItemKind.MOVE_ON:
        n, sent = rule_set.max_nudges, sent_nudges(app, item.round_number)
        if sent >= n:
            return f"No reply from {company} after {n} follow-up{'s' if n != 1 else ''}: time to move on"
        if sent:
            return f"No reply from {company} after {sent} of {n} follow-ups: time to move on"
        return f"No reply from {company} and no follow-up marked sent: time to move on"
    contact = contact_of(app, item.round_number)
    who = f"{contact} at {company}" if contact else company
    if item.kind == ItemKind.THANK_YOU:
        text = f"Send a thank-you note to {who}: {role}"
    else:
        verb = "Call" if item.channel == Channel.PHONE else "Follow up with"
        text = f"{verb} {who}: {role} ({item.attempt}/{rule_set.max_nudges})"
    if item.status == ItemStatus.SENT:
        text = f"Sent: {text}"
    return text


def build_push_item(
    app: Application,
    item: FollowUpItem,
    user: User,
    rule_set: Rules,
    templates_dir: Path | None,
    content_hash: str,
    *,
    as_of: date | None = None,
) -> PushItem:
    from . import drafts  # the email package is slow to import; `plan` never needs it

    draft = mailto = eml = None
    if item.kind in (ItemKind.NUDGE, ItemKind.THANK_YOU):
        send_day = None
        if as_of is not None and item.sent_on is None:
            send_day = max(as_of, item.due.date())
        draft = drafts.render_draft(
            item,
            app,
            user,
            templates_dir,
            max_nudges=rule_set.max_nudges,
            send_day=send_day,
        )
        mailto = drafts.as_mailto(draft)
        eml = drafts.as_eml(draft, when=item.due)
        lines = []
        if draft.to:
            to = ", ".join(f"{single_line(n)} <{a}>" if n else a for n, a in draft.to)
            lines.append(f"To: {to}")
        if item.channel == Channel.PHONE:
            lines.append("Call, or send this email:")
        lines += [f"Subject: {draft.subject}", "", draft.body, "", "---", f"Send it: {mailto}"]
        which = "--thank-you" if item.kind == ItemKind.THANK_YOU else f"--attempt {item.attempt}"
        lines.append(f"When sent: followup-sync sent {app.id} {which}")
        lines.append(f"Heard back: followup-sync heard {app.id}")
        description = "\n".join(lines)
    else:
        description = drafts.render_note(
            item, app, user, templates_dir, max_nudges=rule_set.max_nudges
        )
    summary = summary_for(app, item, rule_set)
    duration = timedelta(minutes=rule_set.duration_minutes)
    alarm = timedelta(minutes=rule_set.alarm_minutes)
    return PushItem(
        item=item,
        company=single_line(app.company),
        role=single_line(app.role),
        contact=contact_of(app, item.round_number),
        summary=summary,
        description=description,
        draft=draft,
        mailto=mailto,
        eml=eml,
        duration=duration,
        alarm_before=alarm,
        content_hash=content_hash,
        sequence=app.revision,
        last_modified=(app.updated_at or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC),
    )
