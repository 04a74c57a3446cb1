"""One push to one provider: list, pull the user's changes, plan, apply."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import secrets
from .config import Settings
from .errors import ConfigError, ProviderError, StoreError
from .models import MovedMark, SentMark, parse_uid
from .payload import Planner
from .planner import Action, Outcome, Plan, Pulled, PullKind, apply, make_plan, pull
from .provider import MemoryState, Provider, ProviderContext
from .registry import provider_class
from .store import Store

DEFAULT_PROVIDER = "calendar_file"
# vdirsyncer's safety valve: an emptied target more likely means a wrong calendar
# or a wiped server than a user who deleted every follow-up by hand.
EMPTY_TARGET_THRESHOLD = 5


def provider_configs(settings: Settings, data_dir: Path) -> dict[str, dict[str, Any]]:
    """Configured providers; with none, an ICS file in the data dir."""
    if settings.providers:
        return settings.providers
    return {DEFAULT_PROVIDER: {"type": "ics", "path": str(data_dir / "followups.ics")}}


def validate_options(name: str, cls: type[Provider], options: dict[str, Any]) -> dict[str, Any]:
    allowed = set(cls.options) | {"type"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ConfigError(
            f"unknown key{'s' if len(unknown) > 1 else ''} in [providers.{name}]: {', '.join(unknown)}"
            f" (allowed: {', '.join(sorted(allowed))})"
        )
    out: dict[str, Any] = {}
    for key, opt in cls.options.items():
        if key in options:
            value = options[key]
            if not isinstance(value, opt.type) or (opt.type is int and isinstance(value, bool)):
                kind = getattr(opt.type, "__name__", str(opt.type))
                raise ConfigError(f"[providers.{name}] {key} must be of type {kind}")
            out[key] = value
        elif opt.required:
            raise ConfigError(
                f"[providers.{name}] needs {key}" + (f" ({opt.help})" if opt.help else "")
            )
        else:
            out[key] = opt.default
    out["type"] = options["type"]
    return out


def build_provider(
    name: str, options: dict[str, Any], settings: Settings, store: Store, data_dir: Path
) -> Provider:
    cls = provider_class(str(options["type"]))
    opts = validate_options(name, cls, options)
    context = ProviderContext(
        user=settings.user,
        data_dir=data_dir,
        state=MemoryState(store.provider_state(name)),
        secret=lambda prefix, _o=opts: secrets.resolve(prefix, _o, name),
    )
    return cls(name, opts, context)


@contextlib.contextmanager
def push_lock(data_dir: Path, wait: float | None = None) -> Iterator[None]:
    """One push per data dir at a time: a second one waits, then refuses clearly."""
    if wait is None:
        wait = float(os.environ.get("FOLLOWUP_SYNC_LOCK_WAIT", "30"))
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / "push.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        "another followup-sync push is running on this data dir; try again when it ends"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


@dataclass
class PushReport:
    name: str
    where: str
    plan: Plan
    pulled: list[Pulled] = field(default_factory=list)
    outcome: Outcome | None = None  # None for a dry run
    reset: bool = False  # the target was missing and is written anew


class _DryRun(Exception):
    pass


def save_pulled(store: Store, conn, name: str, pulled: list[Pulled], today: date) -> None:
    """Turn the user's remote changes into store facts (in the caller's transaction)."""
    for p in pulled:
        parsed = parse_uid(p.uid)
        if parsed is None:
            continue
        app_id, round_no, step = parsed
        exists = conn.execute("SELECT 1 FROM applications WHERE id = ?", (app_id,)).fetchone()
        if p.kind == PullKind.DELETED:
            continue  # see dismiss_deleted(): it needs the desired items
        elif not exists:
            continue
        elif p.kind == PullKind.COMPLETED and step.startswith("nudge-"):
            attempt = int(step.split("-")[1])
            already = conn.execute(
                "SELECT 1 FROM sent WHERE app_id = ? AND round = ? AND attempt = ?",
                (app_id, round_no, attempt),
            ).fetchone()
            if not already:
                store.mark_sent(conn, app_id, SentMark(round_no, attempt, p.on))
        elif p.kind == PullKind.MOVED and p.due is not None:
            store.mark_moved(conn, app_id, MovedMark(p.uid, p.due))


def dismiss_deleted(
    store: Store, conn, name: str, pulled: list[Pulled], desired, today: date
) -> list[Pulled]:
    """Remember the items the user deleted remotely, so they are never recreated there.

    Only items still desired count. A recorded item that is gone and no longer
    desired is most likely one we deleted ourselves in a push killed between the
    DELETE and forgetting its record; dismissing it would keep it from ever coming
    back (after `reopen`, say), silently losing a follow-up. Left alone, the plan
    just forgets its record, and the report does not blame the user for it.
    """
    kept = []
    for p in pulled:
        if p.kind == PullKind.DELETED:
            if p.uid not in desired:
                continue
            store.dismiss(conn, name, p.uid, today)
        kept.append(p)
    return kept


def push_one(
    store: Store,
    settings: Settings,
    provider: Provider,
    *,
    today: date,
    now: datetime,
    dry_run: bool = False,
    force: bool = False,
    progress: Callable[[Action], None] | None = None,
) -> PushReport:
    name = provider.name
    recorded = store.records(name)
    remote = provider.list_items({uid: rec.as_remote() for uid, rec in recorded.items()})
    reset = bool(getattr(provider, "target_reset", False)) and not remote
    if reset:
        # The target itself is new (a missing file): nothing there was deleted by
        # the user, so forget what we wrote and create everything again.
        if not dry_run:
            store.save_records(name, [(uid, None) for uid in recorded])
        recorded = {}
    if len(recorded) >= EMPTY_TARGET_THRESHOLD and not remote and not force:
        raise ProviderError(
            f"{provider.describe()} has none of the {len(recorded)} items we wrote there;"
            " if you deleted them on purpose, run `followup-sync push --force`"
        )
    pulled = pull(recorded, remote)
    planner = Planner(settings.user, settings.rules, settings.tz, today, settings.templates_dir)
    report: PushReport | None = None
    try:
        # Pulled facts and the plan built on them: committed for a real push,
        # rolled back for a dry run (same connection, so the plan sees them).
        with store.write(content=bool(pulled)) as conn:
            save_pulled(store, conn, name, pulled, today)
            apps = store.applications()
            desired = planner.desired(apps)
            pulled = dismiss_deleted(store, conn, name, pulled, desired, today)
            if pulled:  # dismissals removed records
                recorded = store.records(name)
            plan = make_plan(desired, recorded, remote, store.dismissed(name), {a.id for a in apps})
            report = PushReport(name, provider.describe(), plan, pulled, reset=reset)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return report
    report.outcome = apply(plan, provider, store, recorded, now, planner.render, progress)
    if not report.outcome.conflicts:
        # Provider state (e.g. a sync token) is saved only when no write hit a
        # conflict: otherwise the next listing must report that item again.
        with store.write(content=False) as conn:
            store.save_provider_state(conn, name, dict(provider.context.state))
    return report
