"""Test data: a ProviderContext and self-consistent PushItems without the rules engine."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ..models import (
    Channel,
    Draft,
    FollowUpItem,
    ItemKind,
    ItemStatus,
    PushItem,
    User,
    item_uid,
)
from ..provider import MemoryState, ProviderContext

TZ = ZoneInfo("America/New_York")


DictState = MemoryState  # an in-memory StateMap for tests


def make_context(tmp_path: Path, **kw) -> ProviderContext:
    """A ProviderContext for tests; `secrets` maps option names to values."""
    secrets = kw.pop("secrets", {})

    def secret(prefix: str) -> str | None:
        return secrets.get(prefix)

    return ProviderContext(
        user=kw.pop("user", User("Alex Rivera", "alex@example.com", "America/New_York")),
        data_dir=tmp_path,
        state=kw.pop("state", DictState()),
        secret=secret,
        **kw,
    )


def make_push_item(
    app_id: str = "acme-backend-engineer",
    attempt: int | None = 1,
    due: datetime | None = None,
    *,
    company: str = "Acme",
    role: str = "Backend Engineer",
    contact: str = "Jane Doe",
    status: ItemStatus = ItemStatus.PLANNED,
    sequence: int = 0,
    summary: str | None = None,
    description: str | None = None,
) -> PushItem:
    """A self-consistent PushItem without running the rules engine."""
    due = due or datetime(2026, 12, 7, 9, 30, tzinfo=TZ)
    kind = ItemKind.NUDGE if attempt else ItemKind.MOVE_ON
    step = f"nudge-{attempt}" if attempt else "move-on"
    item = FollowUpItem(
        uid=item_uid(app_id, 1, step),
        application_id=app_id,
        round_number=1,
        kind=kind,
        attempt=attempt,
        due=due,
        status=status,
        channel=Channel.EMAIL if attempt else None,
    )
    if summary is None:
        summary = (
            f"Follow up with {contact} at {company}: {role} ({attempt}/3)"
            if attempt
            else f"No reply from {company} after 3 follow-ups: time to move on"
        )
    draft = (
        Draft(
            subject=f"Following up: {role}",
            body=f"Dear {contact.split()[0]},\n\nChecking in.\n\nBest,\nAlex",
            to=((contact, "jane@acme.example"),),
            from_name="Alex Rivera",
            from_addr="alex@example.com",
            message_id=f"<{hashlib.sha256(item.uid.encode()).hexdigest()[:32]}@example.com>",
        )
        if attempt
        else None
    )
    mailto = "mailto:jane@acme.example?subject=Following%20up" if attempt else None
    eml = b"X-Unsent: 1\r\nSubject: Following up\r\n\r\nChecking in.\r\n" if attempt else None
    if description is None:
        description = (draft.body + "\n\n" + mailto) if draft else "Close it with followup-sync."
    h = hashlib.sha256(
        "\x1f".join([item.uid, due.isoformat(), status, summary, description]).encode()
    ).hexdigest()[:16]
    return PushItem(
        item=item,
        company=company,
        role=role,
        contact=contact,
        summary=summary,
        description=description,
        draft=draft,
        mailto=mailto,
        eml=eml,
        duration=timedelta(minutes=15),
        alarm_before=timedelta(0),
        content_hash=h,
        sequence=sequence,
        last_modified=datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC")),
    )


def redate(item: PushItem, due: datetime) -> PushItem:
    """The same item moved to `due`, with a new hash and a bumped SEQUENCE."""
    new = replace(item, item=replace(item.item, due=due), sequence=item.sequence + 1)
    return replace(
        new, content_hash=hashlib.sha256(f"{item.content_hash}{due}".encode()).hexdigest()[:16]
    )
