"""Applications -> the Watch a mailbox is searched with.

Only open applications are watched: a reply to one you already heard back from
or closed changes nothing. Each gets a digest of everything that is searched for
(its round, interview time, addresses, domains, our Message-IDs, company name),
so a provider can remember which applications it already searched and search
only new mail for them, and all mail since the interview for a new or changed one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from ..models import Application, FollowUpItem, ItemKind, User
from .domains import domain_of, is_free_mail
from .model import Watch, WatchedApp

Planner = Callable[[Application], list[FollowUpItem]]


def build_watch(
    apps: Iterable[Application], plan: Planner, user: User, own: Iterable[str] = ()
) -> Watch:
    """The Watch for the open applications among `apps` (`plan` gives an application's items)."""
    from ..drafts import message_id  # drafts pulls in the email package: only here

    watched = []
    drafts: dict[str, str] = {}
    for app in apps:
        if not app.is_open:
            continue
        rnd = app.current_round
        items = tuple(i for i in plan(app) if i.round_number == rnd.number)
        ids = {
            message_id(i.uid, user.email): i.uid
            for i in items
            if i.kind in (ItemKind.NUDGE, ItemKind.THANK_YOU)
        }
        drafts.update(ids)
        addresses = tuple(
            sorted({p.email.strip().lower() for p in rnd.interviewers if "@" in p.email})
        )
        domains = tuple(
            sorted({d for a in addresses if (d := domain_of(a)) and not is_free_mail(d)})
        )
        key = repr(
            (app.id, app.company, rnd.number, rnd.at.isoformat(), addresses, domains, sorted(ids))
        )
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        watched.append(WatchedApp(app, rnd.number, rnd.at, addresses, domains, ids, items, digest))
    mine = {a.strip().lower() for a in (user.email, *own) if a and "@" in a}
    return Watch(tuple(watched), frozenset(mine), drafts)
