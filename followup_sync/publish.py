"""Publishing the feed to its targets: upload only a change, rotate without a gap.

For each publish target (publisher.py) a publish:

1. asks the target for the object's version (one HEAD);
2. uploads nothing, and renders nothing, when the object is what the last
   publish left there (same place and name, same remote version) and nothing
   the feed is made of changed: the store's revision, the settings, the day;
3. otherwise renders the published feed (feed/published.py, once per distinct
   setting in a run) and still uploads nothing when its content hash is the one
   last published there, or (S3) when the remote MD5 equals the body's, which
   adopts an upload whose answer was lost;
4. otherwise uploads it, conditional on the version just seen, and records
   (place fingerprint, inputs key, content hash, version) in the target's state
   in the store. The name itself holds the feed token, a secret, and is never
   stored.

Step 2 keeps a no-op push cheap at any size: rendering 40,000 items takes tens of
seconds, a HEAD and a few hashes do not.

`rotate` gives the feed a new secret name: it publishes under the new name on
every target first, switches the token only when all of them hold it, then
deletes the objects under the old name. A target that could not delete the old
object keeps the old token in the retired list, and every later publish tries
again, so the old URL dies for sure and the new one never answers 404.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from . import __version__, redaction
from .errors import FollowupError
from .feed import token as tokens
from .feed.published import PublishedFeed, render_published
from .lock import data_dir_lock

if TYPE_CHECKING:
    from .models import Application
    from .publisher import Publisher
    from .push import PushContext, RunResult

# What a publish did on one target.
UPLOADED = "uploaded"
UNCHANGED = "unchanged"
WOULD_UPLOAD = "would upload"

# State keys, per target, in the store (none of them is a secret).
STATE_TARGET = "target"  # Publisher.fingerprint(): place + name, hashed
STATE_INPUTS = "inputs"  # FeedRenderer.inputs(): what that body was made of, hashed
STATE_SHA256 = "sha256"  # the body last uploaded
STATE_VERSION = "version"  # the remote version (ETag) that upload produced
STATE_SIZE = "bytes"  # its size and events, reported when nothing is rendered
STATE_EVENTS = "events"


@dataclass
class PublishReport:
    name: str
    where: str
    status: str  # UPLOADED, UNCHANGED or WOULD_UPLOAD
    size: int  # bytes of the feed as published
    events: int
    notes: list[str] = field(default_factory=list)
    rendered: bool = True  # False: nothing it is made of changed, so it was not even rendered


class FeedRenderer:
    """The published feed for one run: rendered only when needed, once per setting.

    `revision` is the store's, read when the run starts; a write after it bumps
    the revision, so the next publish sees it.
    """

    def __init__(self, ctx: PushContext):
        self.ctx = ctx
        with ctx.store.read() as tx:
            self.revision = tx.revision()
        self._snapshot: tuple[int, list[Application]] | None = None
        self._feeds: dict[tuple, tuple[PublishedFeed, str]] = {}

    def _settings(self, publisher: Publisher) -> tuple:
        opts = publisher.opts
        name = opts.get("name") or self.ctx.settings.feed.name
        return (opts["sent_days"], opts["attach_eml"], name)

    @cached_property
    def _state(self) -> str:
        """Everything besides the store the feed is made of (templates read once a run)."""
        from .desired import state_fingerprint

        s = self.ctx.settings
        return state_fingerprint(s.user, s.rules, s.templates_dir)

    def _inputs(self, revision: int, publisher: Publisher) -> str:
        key = (
            __version__,
            revision,
            self.ctx.today.isoformat(),
            self._state,  # user, all of the rules (they move dates), templates, RENDER_VERSION
            self._settings(publisher),
        )
        return hashlib.sha256(repr(key).encode()).hexdigest()[:32]

    def inputs(self, publisher: Publisher) -> str:
        """What the feed for this target is made of, as of the run's start, hashed."""
        return self._inputs(self.revision, publisher)

    def render(self, publisher: Publisher) -> tuple[PublishedFeed, str]:
        """(the feed, the inputs key of exactly what it was rendered from)."""
        settings = self._settings(publisher)
        if settings not in self._feeds:
            if self._snapshot is None:
                # Revision and applications in one read: the key names this content.
                self._snapshot = self.ctx.store.snapshot()
            revision, apps = self._snapshot
            sent_days, attach_eml, name = settings
            feed = render_published(
                self.ctx.desired(), apps, sent_days=sent_days, attach_eml=attach_eml, name=name
            )
            self._feeds[settings] = (feed, self._inputs(revision, publisher))
        return self._feeds[settings]


def publish_to(
    publisher: Publisher, renderer: FeedRenderer, token: str, *, dry_run: bool = False
) -> PublishReport:
    """Publish the feed under `token` on one target (see the module's docstring)."""
    state = publisher.context.state
    name = publisher.object_name(token)
    place = publisher.fingerprint(token)
    remote = publisher.head(name)
    same_place = state.get(STATE_TARGET) == place
    recorded = state.get(STATE_VERSION) if same_place else None
    ours = remote is not None and remote.version == recorded
    if ours and state.get(STATE_INPUTS) == renderer.inputs(publisher):
        # Nothing it is made of changed since it was uploaded: not even a render.
        size, events = int(state.get(STATE_SIZE) or 0), int(state.get(STATE_EVENTS) or 0)
        return PublishReport(
            publisher.name, publisher.describe(), UNCHANGED, size, events, rendered=False
        )
    feed, inputs = renderer.render(publisher)
    report = PublishReport(
        publisher.name, publisher.describe(), UNCHANGED, len(feed.body), feed.events
    )
    if ours and state.get(STATE_SHA256) == feed.sha256:
        if not dry_run:  # the same bytes from new inputs (another day, say)
            _record(state, place, inputs, feed, remote.version)
    elif remote is not None and remote.md5 == feed.md5:
        # The target already holds these bytes (an upload whose answer was lost,
        # or a new data dir publishing the same store): record, do not resend.
        if not dry_run:
            _record(state, place, inputs, feed, remote.version)
    elif dry_run:
        report.status = WOULD_UPLOAD
    else:
        if recorded is not None and remote is None:
            publisher.context.log("the published feed was gone: uploading it again")
        elif recorded is not None and remote is not None and remote.version != recorded:
            publisher.context.log(
                "the published feed was changed by someone else since the last publish;"
                " replacing it with the current one"
            )
        uploaded = publisher.upload(name, feed.body, remote)
        _record(state, place, inputs, feed, uploaded.version)
        report.status = UPLOADED
        if getattr(publisher, "head_refused", False) and recorded is not None:
            publisher.context.log(
                "the bucket refused to show the published object (403 on HEAD), so every"
                " push uploads it again: allow s3:GetObject on the prefix"
            )
    if feed.size_warning:
        publisher.context.log(feed.size_warning)
    return report


def _record(state, place: str, inputs: str, feed: PublishedFeed, version: str) -> None:
    state[STATE_TARGET] = place
    state[STATE_INPUTS] = inputs
    state[STATE_SHA256] = feed.sha256
    state[STATE_VERSION] = version
    state[STATE_SIZE] = str(len(feed.body))
    state[STATE_EVENTS] = str(feed.events)


def is_published(publisher: Publisher, token: str) -> bool:
    """Whether the last publish went to this target under `token` (no network)."""
    return publisher.context.state.get(STATE_TARGET) == publisher.fingerprint(token)


def current_token(data_dir) -> str:
    """The feed token (made on first use), registered as a secret for every output."""
    return redaction.remember(tokens.ensure_token(data_dir))


def save_state(ctx: PushContext, publisher: Publisher) -> None:
    with ctx.store.write(content=False) as tx:
        tx.save_provider_state(publisher.name, dict(publisher.context.state))


def publish_targets(
    ctx: PushContext,
    publishers: list[Publisher],
    run: RunResult,
    *,
    dry_run: bool = False,
    every_target: bool = True,
) -> None:
    """Publish to each target; a failure is reported on `run` and the others go on.

    The caller holds the data dir's lock. `every_target`: these are all the
    configured targets, so old objects deleted from all of them are forgotten.
    """
    if not publishers:
        return
    try:
        token = current_token(ctx.data_dir)
    except FollowupError as e:  # a damaged token file: every target fails, providers stay
        for publisher in publishers:
            run.fail(publisher.name, e, [])
        return
    renderer = FeedRenderer(ctx)
    for publisher in publishers:
        notes: list[str] = []
        publisher.context.log = notes.append
        try:
            report = publish_to(publisher, renderer, token, dry_run=dry_run)
        except FollowupError as e:
            run.fail(publisher.name, e, notes)
            continue
        report.notes = notes
        run.published.append(report)
        if not dry_run:
            save_state(ctx, publisher)
    if not dry_run:
        for name, error in remove_retired(ctx.data_dir, publishers, every_target=every_target):
            run.fail(name, error, [])


def remove_retired(
    data_dir, publishers: list[Publisher], *, every_target: bool
) -> list[tuple[str, FollowupError]]:
    """Delete what earlier rotations left under old names; failures are returned."""
    retired = [redaction.remember(t) for t in tokens.retired_tokens(data_dir)]
    if not retired:
        return []
    failures = []
    for publisher in publishers:
        try:
            for old in retired:
                publisher.remove(publisher.object_name(old))
        except FollowupError as e:
            failures.append(
                (
                    publisher.name,
                    type(e)(
                        f"{e.message} (deleting the feed at its old URL, which still works;"
                        " the next push tries again)"
                    ),
                )
            )
    if not failures and every_target:
        tokens.forget_retired(data_dir, retired)
    return failures


@dataclass
class RotateResult:
    token: str  # the token in force now
    switched: bool  # False: a target could not take the new name, nothing changed
    failures: list[tuple[str, FollowupError]] = field(default_factory=list)
    fixed_links: list[Publisher] = field(default_factory=list)  # need a new share link


def rotate(ctx: PushContext, publishers: list[Publisher]) -> RotateResult:
    """A new secret name for the feed: published everywhere first, then switched to."""
    with data_dir_lock(ctx.data_dir):
        if not publishers:
            return RotateResult(redaction.remember(tokens.rotate_token(ctx.data_dir)), True)
        try:
            old = current_token(ctx.data_dir)
        except FollowupError:
            old = ""  # a damaged token file: the rotation replaces it
        new = redaction.remember(tokens.next_token(ctx.data_dir))
        renderer = FeedRenderer(ctx)
        failures = []
        for publisher in publishers:
            try:
                publish_to(publisher, renderer, new)
            except FollowupError as e:
                failures.append((publisher.name, e))
                continue
            save_state(ctx, publisher)
        if failures:
            return RotateResult(old, False, failures)
        tokens.switch_token(ctx.data_dir, new)
        failures = remove_retired(ctx.data_dir, publishers, every_target=True)
        fixed = [p for p in publishers if p.link_is_fixed()]
        return RotateResult(new, True, failures, fixed)
