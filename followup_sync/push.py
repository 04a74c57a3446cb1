"""A push to every configured provider: pull from all, then plan and write to each.

`push_all` is the library entry point (the CLI only prints what it returns):

1. every configured provider is built, which validates its options: a mistake
   is a ConfigError before anything is read or written;
2. each selected provider lists what is ours there, and the user's changes are
   pulled (completed, moved, deleted items); a provider that reads a mailbox
   (MailReader) also reports replies and the follow-ups the user sent (mail/);
3. in one store transaction, the facts pulled from *every* provider are saved
   and the desired state is computed once, so a task completed in one app
   reaches every other target in the same push; each provider gets a plan;
4. each plan is applied, every write recorded as it succeeds;
5. publish targets (publisher.py, `[providers.X]` of type s3 or webdav) upload
   the rendered feed, after every provider, so they publish the converged state
   (publish.py).

A provider that fails (server down, refused login) is reported and the others
still run. `dry_run` rolls the transaction back and writes nothing anywhere. A
provider nothing changed for since its last clean push is skipped (clean.py).

Why one module of ~450 lines: the phases above hand one set of per-provider
state (_Target) from each to the next, in one lock; split by phase, that state
would have to become a public type that every phase module shares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import clean as clean_state
from . import publish, secrets
from .config import Settings
from .desired import DesiredState, Wanted, state_fingerprint
from .errors import ConfigError, FollowupError, ProviderError, PushIncomplete
from .facts import GONE, dismiss_deleted, save_pulled
from .lock import data_dir_lock
from .models import (
    PushItem,
    Record,
    RemoteItem,
)
from .provider import MailReader, MemoryState, Provider, ProviderContext
from .publisher import Publisher
from .registry import provider_class
from .store import Store, StoreRecorder
from .sync import Action, ApplyResult, Plan, Pulled, apply, make_plan, pull

if TYPE_CHECKING:
    from .mail.model import Watch

DEFAULT_PROVIDER = "calendar_file"
# vdirsyncer's safety valve: an emptied target more likely means a wrong calendar
# or a wiped server than a user who deleted every follow-up by hand.
EMPTY_TARGET_THRESHOLD = 5


@dataclass
class PushContext:
    """What a push needs: the store, the settings, and the day it runs on."""

    store: Store
    settings: Settings
    data_dir: Path
    today: date
    now: datetime

    def desired(self) -> DesiredState:
        s = self.settings
        return DesiredState(s.user, s.rules, s.tz, self.today, s.templates_dir)

    def provider(self, name: str, options: Mapping[str, Any] | None = None) -> Provider | Publisher:
        """The provider or publish target [providers.NAME] (or built from `options`),
        with its saved state."""
        if options is None:
            options = provider_configs(self.settings, self.data_dir)[name]
        with self.store.read() as tx:
            state = tx.provider_state(name)
        return build_provider(name, options, self.settings, self.data_dir, state)


@dataclass
class ProviderReport:
    """What one push did on one provider."""

    name: str
    where: str
    plan: Plan
    pulled: list[Pulled] = field(default_factory=list)
    result: ApplyResult | None = None  # None for a dry run
    reset: bool = False  # the target was missing and is written anew
    notes: list[str] = field(default_factory=list)  # the provider's log lines


@dataclass
class ProviderFailure:
    name: str
    error: FollowupError
    notes: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    dry_run: bool
    reports: list[ProviderReport] = field(default_factory=list)
    failures: list[ProviderFailure] = field(default_factory=list)
    published: list[publish.PublishReport] = field(default_factory=list)

    def fail(self, name: str, error: FollowupError, notes: list[str]) -> None:
        self.failures.append(ProviderFailure(name, error, notes))

    @property
    def failed_items(self) -> int:
        return sum(r.result.failed for r in self.reports if r.result)

    def raise_for_status(self) -> None:
        """The error the run ends with: the first provider failure, else incomplete items."""
        if self.failures:
            raise self.failures[0].error
        if self.failed_items:
            errors = [e for r in self.reports if r.result for e in r.result.errors]
            raise PushIncomplete(
                f"{self.failed_items} item(s) failed ({errors[0]}); run push again to retry"
            )


def provider_configs(settings: Settings, data_dir: Path) -> dict[str, dict[str, Any]]:
    """Configured providers; with none, an ICS file in the data dir."""
    if settings.providers:
        return settings.providers
    return {DEFAULT_PROVIDER: {"type": "ics", "path": str(data_dir / "followups.ics")}}


def build_provider(
    name: str,
    options: Mapping[str, Any],
    settings: Settings,
    data_dir: Path,
    state: Mapping[str, str] | None = None,
) -> Provider | Publisher:
    """The provider or publish target for [providers.NAME]; its options are validated
    here (ConfigError)."""
    cls = provider_class(str(options["type"]))
    context = ProviderContext(
        user=settings.user,
        data_dir=data_dir,
        state=MemoryState(state or {}),
        secret=lambda prefix: secrets.resolve(prefix, options, name),
    )
    return cls(name, options, context)


@dataclass
class _Target:
    """One provider through the phases of a push."""

    provider: Provider
    notes: list[str]
    recorded: dict[str, Record] = field(default_factory=dict)
    remote: dict[str, RemoteItem] = field(default_factory=dict)
    pulled: list[Pulled] = field(default_factory=list)
    reset: bool = False
    report: ProviderReport | None = None


def build_all(ctx: PushContext, names) -> tuple[list, list]:
    """(every configured provider and target, the selected ones), all built and validated.

    Also `check`'s first step: close them with `close_all`."""
    configs = provider_configs(ctx.settings, ctx.data_dir)
    for n in names:
        if n not in configs:
            raise ConfigError(
                f"no provider {n!r} in the config (have: {', '.join(configs) or 'none'})"
            )
    # Every configured provider is built (and so validated) before anything runs:
    # an option mistake anywhere stops the push before any write.
    built: list[Provider | Publisher] = []
    try:
        for name, options in configs.items():
            built.append(ctx.provider(name, options))
    except BaseException:
        close_all(built)
        raise
    return built, [p for p in built if not names or p.name in names]


def close_all(built) -> None:
    for target in built:
        target.close()


def push_all(
    ctx: PushContext,
    names: tuple[str, ...] | list[str] = (),
    *,
    dry_run: bool = False,
    force: bool = False,
    progress: Callable[[str, Action], None] | None = None,
) -> RunResult:
    """Push to the configured providers (all, or those in `names`), then publish the feed."""
    built, selected = build_all(ctx, names)
    try:
        providers = [p for p in selected if isinstance(p, Provider)]
        targets = [p for p in selected if isinstance(p, Publisher)]
        every = len(targets) == sum(isinstance(p, Publisher) for p in built)
        with data_dir_lock(ctx.data_dir):
            run = _push_locked(ctx, providers, dry_run=dry_run, force=force, progress=progress)
            publish.publish_targets(ctx, targets, run, dry_run=dry_run, every_target=every)
        return run
    finally:
        close_all(built)


def build_publishers(
    ctx: PushContext, names: tuple[str, ...] | list[str] = ()
) -> tuple[list[Publisher], bool]:
    """(the configured publish targets, all or those in `names`; whether that is all of them).

    Every configured provider is validated too, as for a push. The caller closes
    the targets.
    """
    built, selected = build_all(ctx, names)
    every = [p for p in built if isinstance(p, Publisher)]
    targets = [p for p in selected if isinstance(p, Publisher)]
    close_all([p for p in built if p not in targets])
    wrong = [p.name for p in selected if not isinstance(p, Publisher)] if names else []
    if wrong:
        close_all(targets)
        raise ConfigError(f"[providers.{wrong[0]}] is not a publish target (s3, webdav)")
    return targets, len(targets) == len(every)


def publish_all(
    ctx: PushContext, names: tuple[str, ...] | list[str] = (), *, dry_run: bool = False
) -> RunResult:
    """Publish the feed to the configured targets (all, or those in `names`), and nothing else."""
    targets, every = build_publishers(ctx, names)
    try:
        if not targets:
            raise ConfigError(
                'no publish target in the config: add a [providers.NAME] with type = "s3"'
                ' or type = "webdav" (see docs/feed.md)'
            )
        run = RunResult(dry_run=dry_run)
        with data_dir_lock(ctx.data_dir):
            publish.publish_targets(ctx, targets, run, dry_run=dry_run, every_target=every)
        return run
    finally:
        close_all(targets)


def push_providers(
    ctx: PushContext,
    providers: list[Provider],
    *,
    dry_run: bool = False,
    force: bool = False,
    progress: Callable[[str, Action], None] | None = None,
) -> RunResult:
    """Push to these providers: pull from all, then plan and apply each (see module doc)."""
    with data_dir_lock(ctx.data_dir):
        return _push_locked(ctx, providers, dry_run=dry_run, force=force, progress=progress)


def _push_locked(
    ctx: PushContext,
    providers: list[Provider],
    *,
    dry_run: bool,
    force: bool,
    progress: Callable[[str, Action], None] | None,
) -> RunResult:
    targets = []
    for provider in providers:
        notes: list[str] = []
        provider.context.log = notes.append  # the provider's lines go into its report
        targets.append(_Target(provider, notes))
    run = RunResult(dry_run=dry_run)
    if not targets:
        return run  # only publish targets were asked for
    s = ctx.settings
    fingerprint = state_fingerprint(s.user, s.rules, s.templates_dir)
    with ctx.store.read() as tx:
        revision = tx.revision()
        counts = {t.provider.name: tx.record_count(t.provider.name) for t in targets}
    clean = [
        t
        for t in targets
        if not force
        and clean_state.still_clean(
            t.provider, clean_state.key(revision, fingerprint, counts[t.provider.name])
        )
    ]
    watch = mail_watch(ctx) if any(isinstance(p, MailReader) for p in providers) else None
    live = [t for t in targets if t not in clean and _list_and_pull(ctx, t, run, force, watch)]
    if clean and any(t.pulled for t in live):
        # What this push pulled changes the store: the clean targets need it too.
        live += [t for t in clean if _list_and_pull(ctx, t, run, force, watch)]
        clean = []
    for target in clean:
        p = target.provider
        plan = clean_state.unchanged_plan(p)
        run.reports.append(
            ProviderReport(p.name, p.describe(), plan, [], ApplyResult(), False, target.notes)
        )
    planned_revision = _plan_all(ctx, live, run, dry_run)
    if not dry_run:
        for target in live:
            _apply_one(ctx, target, run, progress, planned_revision, fingerprint)
    order = {t.provider.name: i for i, t in enumerate(targets)}
    run.reports.sort(key=lambda r: order[r.name])
    return run


def mail_watch(ctx: PushContext) -> Watch:
    """What mailboxes are searched for: the open applications as the store has them now."""
    from .mail.watch import build_watch

    with ctx.store.read() as tx:
        apps = tx.applications()
    desired = ctx.desired()
    return build_watch(apps, desired.items, ctx.settings.user)


def mail_facts(ctx: PushContext, provider: MailReader, watch: Watch) -> list[Pulled]:
    """Replies, sent follow-ups and other mail worth showing, from one mailbox."""
    from .mail.match import match

    desired = ctx.desired()
    return match(watch, provider.read_mail(watch), desired.items, desired.tz)


def _list_and_pull(
    ctx: PushContext, target: _Target, run: RunResult, force: bool, watch: Watch | None
) -> bool:
    provider = target.provider
    try:
        mail: list[Pulled] = []
        if isinstance(provider, MailReader) and watch is not None:
            # First: it also tells the provider our Message-IDs, by which it knows
            # its drafts when the store lost their record.
            mail = mail_facts(ctx, provider, watch)
        with ctx.store.read() as tx:
            target.recorded = tx.records(provider.name)
        known = {uid: rec.as_remote() for uid, rec in target.recorded.items()}
        target.remote = provider.list_items(known)
        target.reset = provider.target_reset and not target.remote
        if target.reset:
            # The target itself is new (a missing file): nothing there was deleted
            # by the user, so what we wrote is forgotten and everything created again.
            target.recorded = {}
        n = len(target.recorded)
        guarded = not provider.used_up_by_user
        if n >= EMPTY_TARGET_THRESHOLD and not target.remote and not force and guarded:
            raise ProviderError(
                f"{provider.describe()} has none of the {n} items we wrote there;"
                " if you deleted them on purpose, run `followup-sync push --force`"
            )
        target.pulled = pull(target.recorded, target.remote) + mail
    except FollowupError as e:
        run.fail(target.provider.name, e, target.notes)
        return False
    return True


def _plan_all(ctx: PushContext, targets: list[_Target], run: RunResult, dry_run: bool) -> int:
    """Save what was pulled from every target, then plan each against one desired state.

    Committed for a real push, rolled back for a dry run (same connection, so the
    plans see the pulled facts either way). Returns the store revision the plans
    were made from.
    """
    if not targets:
        return -1
    desired = ctx.desired()
    changed = any(t.pulled for t in targets)
    with ctx.store.write(content=changed) as tx:
        # The commit bumps the revision once when this transaction changes content.
        revision = tx.revision() + (1 if changed else 0)
        for target in targets:
            if target.reset:
                tx.save_records(
                    target.provider.name,
                    [(uid, None) for uid in tx.records(target.provider.name)],
                )
            save_pulled(tx, target.pulled, ctx.now)
        apps = tx.applications()
        wanted = desired.wanted(apps)
        known_apps = {a.id for a in apps}
        for target in targets:
            name = target.provider.name
            here = wanted
            if not target.provider.holds_every_item:
                # The items this target holds at all (a Drafts folder: the emails due now).
                here = {
                    uid: w for uid, w in wanted.items() if target.provider.wants(w.item, ctx.today)
                }
            target.pulled = dismiss_deleted(tx, name, target.pulled, here, ctx.today)
            if any(p.kind in GONE for p in target.pulled):
                target.recorded = tx.records(name)  # dismissals removed records
            plan = make_plan(here, target.recorded, target.remote, tx.dismissed(name), known_apps)
            target.report = ProviderReport(
                name,
                target.provider.describe(),
                plan,
                target.pulled,
                None,
                target.reset,
                target.notes,
            )
            run.reports.append(target.report)
        if dry_run:
            tx.rollback()
    return revision


def _apply_one(
    ctx: PushContext, target: _Target, run: RunResult, progress, revision: int, fingerprint: str
) -> None:
    provider = target.provider
    report = target.report
    name = provider.name
    on_action = (lambda action: progress(name, action)) if progress else None
    desired = ctx.desired()
    render = desired.render
    if provider.drafts_as_of_today:

        def render(want: Wanted) -> PushItem:
            return desired.render(want, as_of=ctx.today)

    try:
        report.result = apply(
            report.plan,
            provider,
            StoreRecorder(ctx.store, name),
            target.recorded,
            ctx.now,
            render,
            on_action,
        )
    except FollowupError as e:
        run.reports.remove(report)
        run.fail(target.provider.name, e, target.notes)
        return
    if not report.result.conflicts:
        # Provider state (e.g. a sync token) is saved only when no write hit a
        # conflict: otherwise the next listing must report that item again.
        with ctx.store.write(content=False) as tx:
            key = clean_state.key(revision, fingerprint, tx.record_count(name))
            clean_state.mark(provider, key, report.plan, report.result)
            tx.save_provider_state(name, dict(provider.context.state))
