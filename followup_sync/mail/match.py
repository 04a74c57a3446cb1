"""Messages found in a mailbox -> facts for the store: replied, sent, or noticed.

Replies (folders searched for replies: INBOX, Junk, or Gmail's All Mail): a
message counts for an open application when it arrived after the current
round's interview and it is

1. in the thread of our follow-ups (In-Reply-To or References holds one of the
   round's Message-IDs: a colleague answering in the thread counts), else
2. from one of the round's interviewers, else
3. from the company's own domain or a subdomain (`company_domain_replies`; the
   domains of the interviewers' addresses, never a free-mail domain).

A person's message (classify.py) that matches exactly one application is a
reply: REPLIED, and the series ends. Automatic mail never is: an auto-reply,
bulk mail or a bounce is reported (NOTICED) and ignored; machine-made mail from
the employer's side, mail from an applicant-tracking system naming the company,
and a person's message matching several applications are "possible responses"
for the user to confirm.

Sent follow-ups (the Sent folder): mail to an interviewer (To or Cc) after the
interview, on or after `EARLY_DAYS` before the next unsent nudge's day, is that
nudge, sent on the message's date; the rest of the series is re-planned from it
before the next message is looked at. Mail carrying one of our own Message-IDs
is the follow-up it belongs to (the user sent our draft), but nothing depends on
a mail client keeping it. Earlier mail (a thank-you note on the interview day)
marks the thank-you note sent when one is planned, and is otherwise listed, not
counted. Mail after a reply is conversation, not a follow-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..models import (
    THANK_YOU_ATTEMPT,
    Application,
    FollowUpItem,
    ItemKind,
    ItemStatus,
    MailNote,
    SentMark,
)
from ..sync.pull import Pulled, PullKind
from .classify import classify
from .domains import ats_name, domain_of, within
from .model import Found, Message, Watch, WatchedApp

#: A follow-up sent up to this many days before its planned day is that follow-up
#: (people send early, e.g. before a weekend or a holiday).
EARLY_DAYS = 3

_COMPANY_SUFFIXES = re.compile(
    r"[\s,]+(inc|llc|ltd|limited|gmbh|ag|sa|sas|bv|nv|plc|corp|corporation|co|company)\.?$",
    re.IGNORECASE,
)

Planner = Callable[[Application], list[FollowUpItem]]


def match(watch: Watch, found: Found, plan: Planner, tz: ZoneInfo) -> list[Pulled]:
    """The facts in `found`, oldest first (see the module doc)."""
    messages = _unique(found.messages)
    facts: list[tuple[datetime, Pulled]] = []
    replied: dict[str, datetime] = {}
    if found.detect_replies:
        inbox = [m for m in messages if m.role == "reply" and m.when is not None]
        for msg in sorted(inbox, key=lambda m: m.when):
            if msg.sender in watch.own or msg.sender in found.own:
                continue  # the user's own mail (a copy in All Mail, a note to self)
            for fact in _reply_facts(msg, watch, found, tz):
                if fact.kind == PullKind.REPLIED:
                    if fact.app_id in replied:
                        continue  # the first reply ends the series; later ones are conversation
                    replied[fact.app_id] = msg.when
                facts.append((msg.when, fact))
    if found.detect_sent:
        sent = [m for m in messages if m.role == "sent" and m.when is not None]
        for w in watch.apps:
            mine = sorted(
                (m for m in sent if set(m.to) & set(w.addresses) and m.when >= w.since),
                key=lambda m: m.when,
            )
            for msg, fact in _sent_facts(w, mine, plan, tz, replied.get(w.id)):
                facts.append((msg.when, fact))
    facts.sort(key=lambda pair: pair[0])
    return [f for _, f in facts]


def _unique(messages: Iterable[Message]) -> list[Message]:
    """One Message per message: Gmail shows one message in several folders."""
    seen: set[tuple[str, str]] = set()
    out = []
    for m in messages:
        key = (m.role, m.message_id or f"{m.folder}\x00{m.uid}")
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def _note(msg: Message, category: str, tz: ZoneInfo, to: Iterable[str] = ()) -> MailNote:
    return MailNote(
        category=category,
        sender=msg.sender,
        recipients=tuple(to),
        at=msg.when.astimezone(tz),
        subject=msg.subject,
        message_id=msg.message_id,
    )


def _fact(kind: PullKind, w: WatchedApp, msg: Message, category: str, tz, **kw) -> Pulled:
    note = _note(msg, category, tz, kw.pop("to", ()))
    return Pulled(kind, app_id=w.id, on=note.at.date(), mail=note, **kw)


def _reply_facts(msg: Message, watch: Watch, found: Found, tz: ZoneInfo) -> list[Pulled]:
    live = [w for w in watch.apps if msg.when >= w.since]
    category = classify(msg.sender, msg.subject, msg.fields)
    if category == "bounce":
        # A bounce names the address that failed in its body, which is never
        # fetched: the provider asked the server which watched addresses it
        # mentions (`mentions`), or it is in the thread of our follow-ups.
        hit = [w for w in live if msg.thread_ids & w.message_ids.keys()]
        hit += [w for w in live if set(msg.mentions) & set(w.addresses) and w not in hit]
        return [
            _fact(
                PullKind.NOTICED,
                w,
                msg,
                "bounce",
                tz,
                to=[a for a in w.addresses if a in msg.mentions] or w.addresses,
            )
            for w in hit
        ]
    domain = domain_of(msg.sender)
    if thread := [w for w in live if msg.thread_ids & w.message_ids.keys()]:
        apps, how = thread, "thread-reply"
    elif person := [w for w in live if msg.sender in w.addresses]:
        apps, how = person, "reply"
    elif found.company_domain_replies and (
        company := [w for w in live if any(within(domain, d) for d in w.domains)]
    ):
        apps, how = company, "company-reply"
    else:
        # An applicant-tracking system writing about the company ("Acme via
        # Greenhouse"): for the user to confirm.
        ats = ats_name(domain) is not None
        return [
            _fact(PullKind.NOTICED, w, msg, "possible-response", tz)
            for w in live
            if ats and _names(msg, w.app.company)
        ]
    if category in ("auto-reply", "bulk"):
        return [_fact(PullKind.NOTICED, w, msg, category, tz) for w in apps]
    if category == "automated" or len(apps) > 1:
        return [_fact(PullKind.NOTICED, w, msg, "possible-response", tz) for w in apps]
    w = apps[0]
    if msg.message_id and any(r.message_id == msg.message_id for r in w.app.replies):
        return []  # it stopped this series once already (and the user reopened it)
    return [_fact(PullKind.REPLIED, w, msg, how, tz)]


def _names(msg: Message, company: str) -> bool:
    """The sender's name or the subject names the company ("Acme via Greenhouse")."""
    name = _COMPANY_SUFFIXES.sub("", " ".join(company.split())).strip()
    if len(name) < 2:
        return False
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
    return bool(pattern.search(msg.sender_name) or pattern.search(msg.subject))


def _sent_facts(
    w: WatchedApp,
    messages: list[Message],
    plan: Planner,
    tz: ZoneInfo,
    replied_at: datetime | None,
) -> list[tuple[Message, Pulled]]:
    app = w.app
    marks = list(app.sent)
    out = []
    for msg in messages:
        if replied_at is not None and msg.when > replied_at:
            break  # after their reply: conversation, not a follow-up
        day = msg.when.astimezone(tz).date()
        items = [
            i for i in plan(replace(app, sent=tuple(marks))) if i.round_number == w.round_number
        ]
        to = [a for a in msg.to if a in w.addresses]
        ours = w.message_ids.get(msg.message_id)
        item = next((i for i in items if i.uid == ours and i.status != ItemStatus.SENT), None)
        if item is None:
            if any(m.round_number == w.round_number and m.on == day for m in marks):
                continue  # a follow-up is already marked sent that day: this is it
            nudge = next(
                (i for i in items if i.kind == ItemKind.NUDGE and i.status != ItemStatus.SENT),
                None,
            )
            thanks = next(
                (i for i in items if i.kind == ItemKind.THANK_YOU and i.status != ItemStatus.SENT),
                None,
            )
            if nudge is not None and day >= nudge.due.astimezone(tz).date() - timedelta(
                days=EARLY_DAYS
            ):
                item = nudge
            elif thanks is not None:
                item = thanks
        if item is None:
            out.append((msg, _fact(PullKind.NOTICED, w, msg, "early-sent", tz, to=to)))
            continue
        attempt = THANK_YOU_ATTEMPT if item.kind == ItemKind.THANK_YOU else item.attempt
        marks.append(SentMark(w.round_number, attempt, day))
        out.append((msg, _fact(PullKind.SENT, w, msg, "sent", tz, to=to, uid=item.uid)))
    return out
