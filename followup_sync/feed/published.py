"""The feed as it is published to S3 or WebDAV: small enough for Google, byte-stable.

Google Calendar reads a subscribed URL from its own servers every few hours and
ignores a file over about 1 MB entirely (support.google.com/calendar/answer/45654),
so the published feed carries what a subscriber acts on: pending and overdue
follow-ups, and sent ones only for `sent_days`. The inline .eml ATTACH (a quarter
of an event's size) is left out unless asked for: Google shows no ATTACH for
subscribed calendars, and the draft and its mailto: link stay in DESCRIPTION.

The rendering is `desired.py` + `ical.py`, as for the ICS file and `serve`; the
same store gives the same bytes (items sorted by UID, stamps from the store), so
a publish that changes nothing is recognised by the body's hash alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..desired import DesiredState
    from ..models import Application

#: Google's limit is about 1 MB; past this size the publish says so.
WARN_BYTES = 900 * 1024


@dataclass(frozen=True)
class PublishedFeed:
    body: bytes
    events: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def md5(self) -> str:
        # S3's ETag of a single-part object is the body's MD5: it tells whether the
        # bucket already holds exactly this feed (e.g. after a push lost its answer).
        return hashlib.md5(self.body, usedforsecurity=False).hexdigest()

    @property
    def size_warning(self) -> str | None:
        if len(self.body) <= WARN_BYTES:
            return None
        return (
            f"the published feed is {len(self.body) // 1024} KB: Google Calendar ignores a"
            " subscribed calendar over about 1 MB (then it stops updating); lower sent_days"
            " or close the applications you no longer follow up"
        )


def render_published(
    desired: DesiredState,
    apps: list[Application],
    *,
    sent_days: int,
    attach_eml: bool,
    name: str,
) -> PublishedFeed:
    """The published feed for `apps` as of `desired.today`."""
    from .. import ical
    from ..models import ItemStatus

    oldest_sent = desired.today - timedelta(days=sent_days)
    items = []
    for want in desired.wanted(apps).values():
        item = want.item
        if item.status == ItemStatus.SENT:
            sent_on = item.sent_on if item.sent_on is not None else item.due.date()
            if sent_on < oldest_sent:
                continue
        push_item = desired.render(want)
        if not attach_eml:
            push_item = dataclasses.replace(push_item, eml=None)
        items.append(push_item)
    body = ical.build_calendar(items, ical.VEVENT, name).to_ical()
    return PublishedFeed(body, len(items))
