"""The provider interface: thin CRUD over a place where follow-ups live.

Providers never decide schedules: the core plans (rules.py, desired.py), diffs
(sync/) and records (store/). A provider lists the items that are ours, and
creates, updates and deletes single items. It renders a PushItem into its own
format and reports back RemoteItems.

A plugin is a module named by an entry point in the group
``followup_sync.providers``; the module has ``register(add)`` and calls
``add(type_name, "module:Class")`` for each provider type it offers. The class is
imported only when a provider of that type is used, so a plugin's heavy
dependencies never slow down start-up.

Options are declared, not parsed by hand: each `Option` names its type, default,
choices and check; `validate_options` applies them when a provider is built, and
every mistake is a ConfigError (exit 3) naming the provider and the key.
"""

from __future__ import annotations

import abc
import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from . import redaction
from .config import check_keys
from .errors import ConfigError, ConflictError, ProviderAuthError, ProviderError
from .models import FollowUpItem, PushItem, RemoteItem, User

if TYPE_CHECKING:
    from datetime import date, datetime

    from .mail.model import Found, Watch
    from .pool import Throttle

__all__ = [
    "CalendarReader",
    "ConflictError",
    "MailReader",
    "MemoryState",
    "Option",
    "Provider",
    "ProviderAuthError",
    "ProviderContext",
    "ProviderError",
    "StateMap",
    "Write",
    "WriteResult",
    "validate_options",
]

#: How a secret option `X` may also be given: the name of an environment variable
#: or a command that prints it (secrets.py resolves them, and the keyring).
SECRET_SOURCES = ("_env", "_cmd")


@dataclass(frozen=True)
class Option:
    """One config key a provider accepts, checked before the provider is built.

    `choices` are compared after `normalize` (e.g. str.upper); `check` returns an
    error message for a bad value, or None. A `secret` option `X` may also be given
    as `X_env` or `X_cmd`; its value is never shown in an error, and the provider
    reads it through `ProviderContext.secret("X")`.
    """

    type: type | tuple[type, ...]
    default: Any = None
    required: bool = False
    help: str = ""
    choices: tuple[Any, ...] | None = None
    normalize: Callable[[Any], Any] | None = None
    check: Callable[[Any], str | None] | None = None
    secret: bool = False


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {
        "str": "a string",
        "int": "a whole number",
        "float": "a number",
        "bool": "true or false",
    }
    names |= {"list": "a list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k.__name__, k.__name__) for k in kinds)


def validate_options(
    name: str, cls: type, options: Mapping[str, Any], *, where: str | None = None
) -> dict[str, Any]:
    """Options with defaults filled in and values normalised; ConfigError on any mistake.

    `cls` is a Provider or a Publisher class: anything with `type` and `options`.
    `where` names the table in messages (default `[providers.NAME]`).
    """
    where = where or f"[providers.{name}]"
    allowed = set(cls.options) | {"type"}
    for key, opt in cls.options.items():
        if opt.secret:
            allowed |= {key + suffix for suffix in SECRET_SOURCES}
    check_keys(options, allowed, where)
    out: dict[str, Any] = {}
    for key, opt in cls.options.items():
        sources = [key] + ([key + s for s in SECRET_SOURCES] if opt.secret else [])
        for source in sources[1:]:
            if options.get(source) is not None and not isinstance(options[source], str | list):
                raise ConfigError(f"{where} {source} must be a string")
            out[source] = options.get(source)
        # None is "not given" (TOML has no null; validated options may be re-validated).
        if options.get(key) is None:
            given = any(options.get(s) is not None for s in sources)
            if opt.required and not given:
                raise ConfigError(f"{where} needs {key}" + (f" ({opt.help})" if opt.help else ""))
            out[key] = opt.default
            continue
        value = options[key]
        kinds = opt.type if isinstance(opt.type, tuple) else (opt.type,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise ConfigError(f"{where} {key} must be {_type_name(opt.type)}")
        if opt.normalize is not None:
            value = opt.normalize(value)
        if opt.choices is not None and value not in opt.choices:
            shown = "" if opt.secret else f", not {value!r}"
            choices = ", ".join(repr(c) for c in opt.choices)
            raise ConfigError(f"{where} {key} must be one of {choices}{shown}")
        if opt.check is not None and (problem := opt.check(value)):
            raise ConfigError(f"{where} {key}: {problem}")
        out[key] = value
    out["type"] = options.get("type", cls.type)
    return out


class StateMap(Protocol):
    """Small per-provider key/value state kept in the store (sync tokens, ctags...)."""

    def get(self, key: str, default: str | None = None) -> str | None: ...

    def __setitem__(self, key: str, value: str | None) -> None: ...


class MemoryState(dict):
    """A dict-backed StateMap; the core saves it to the store after a push."""

    def get(self, key: str, default: str | None = None) -> str | None:
        return super().get(key, default)

    def __setitem__(self, key: str, value: str | None) -> None:
        if value is None:
            self.pop(key, None)
        else:
            super().__setitem__(key, str(value))


def _no_secret(prefix: str) -> str | None:
    return None


def _no_log(message: str) -> None:
    pass


@dataclass
class ProviderContext:
    """What the core hands a provider."""

    user: User
    data_dir: Path
    state: StateMap = field(default_factory=MemoryState)
    #: Resolves a secret option by name: "password" reads password_env,
    #: password_cmd, the keyring or (if the user insists) password itself. The
    #: value is registered for redaction before it is returned.
    secret: Callable[[str], str | None] = _no_secret
    timeout: float = 30.0
    #: A line for the user ("created calendar ...", "sync token expired ..."); the
    #: CLI prints it and `push --json` carries it. Never pass a secret.
    log: Callable[[str], None] = _no_log

    def register_secret(self, value: str) -> str:
        """Hide `value` (e.g. a token found in a URL) from every output; returns it."""
        return redaction.remember(value)


@dataclass(frozen=True)
class Write:
    """One write for `Provider.write_many`.

    `kind` is "create" (`item` set, `current` None), "update" (both set) or
    "delete" (`current` set, `item` None); `tag` is the caller's, handed back as is.
    """

    kind: str
    item: PushItem | None = None
    current: RemoteItem | None = None
    tag: Any = None

    @property
    def uid(self) -> str:
        return self.item.uid if self.item is not None else self.current.uid


@dataclass(frozen=True)
class WriteResult:
    """How one Write ended: `remote` for a create or update, or the `error`."""

    write: Write
    remote: RemoteItem | None = None
    error: ProviderError | None = None


class Provider(abc.ABC):
    """Base class for providers. Subclasses set `type`, `options` and the CRUD methods.

    Contract (tested by followup_sync.testing.ProviderContract):
    - `list_items(known)` returns every item that is ours (UID starts with
      "followup-sync."), keyed by UID; never anything the tool did not create.
      `known` is what the store recorded at the last push; a provider may use it
      with a sync token to answer without a full listing, but the answer must
      equal a full listing.
    - `create` must not overwrite an existing item with that UID (raise
      ConflictError instead); returns the new RemoteItem with its etag.
    - `update(item, current)` writes only if the remote etag still equals
      `current.etag`, else raises ConflictError.
    - `delete(current)` deletes only if the etag matches (ConflictError
      otherwise); deleting an item that is already gone is not an error.
    - ProviderAuthError for refused credentials, ProviderError for the rest.
      Messages are one line and never contain secrets.
    - `write_many(writes)` performs writes and yields each outcome as soon as it
      is known. The default calls create/update/delete: one after another, or on
      up to `concurrency` threads (then those three must be safe to call from
      several threads at once). A provider with a batch API overrides it.
    """

    type: ClassVar[str] = ""
    options: ClassVar[dict[str, Option]] = {}
    #: True when writes only take effect when `batch()` exits (a single file
    #: written once): the core then records them after the batch, not before.
    deferred_writes: ClassVar[bool] = False
    #: Set by `list_items` when the target itself is gone or new (e.g. the ICS file
    #: was deleted or `path` changed): its emptiness is then not the user deleting
    #: each item, and the core recreates everything instead of dismissing it.
    target_reset: bool = False
    #: How many writes `write_many` may have in flight at once (1: one after
    #: another, in the caller's thread). Providers set it from an option.
    concurrency: int = 1

    def __init__(self, name: str, options: Mapping[str, Any], context: ProviderContext):
        self.name = name
        self.opts = validate_options(name, type(self), options)
        self.context = context

    #: True when the user is meant to use items up (drafts get sent, and leave the
    #: Drafts folder): a target emptied of ours is then no sign of a wrong target,
    #: and the empty-target guard of a push does not apply.
    used_up_by_user: ClassVar[bool] = False
    #: True when items are email drafts the user sends when they see them (a
    #: Drafts folder): an overdue nudge is then written as of today ("last
    #: Monday" counted from the day it is written), not as of its planned day.
    drafts_as_of_today: ClassVar[bool] = False

    def describe(self) -> str:
        """Where items go, for messages (no secrets)."""
        return f"{self.type} provider {self.name!r}"

    def change_token(self) -> str | None:
        """A cheap token that changes whenever the target may have changed, or None.

        Asked before listing: when it equals the token taken right after the
        last clean push, and the desired state is the same, nothing can differ
        and the push skips this provider without reading its records or listing
        it. None (the default) means "cannot tell cheaply": always list.
        """
        return None

    #: False for a target that holds only some items (`wants` says which).
    holds_every_item: ClassVar[bool] = True

    def wants(self, item: FollowUpItem, today: date) -> bool:
        """Whether this target holds `item` at all (asked when `holds_every_item` is False).

        A Drafts folder holds only the emails due by now, say; the core plans
        each provider against the items it wants, so the others are deleted
        there (or never written). Which items exist and when is still the core's.
        """
        return True

    @abc.abstractmethod
    def list_items(self, known: Mapping[str, RemoteItem]) -> dict[str, RemoteItem]: ...

    @abc.abstractmethod
    def create(self, item: PushItem) -> RemoteItem: ...

    @abc.abstractmethod
    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem: ...

    @abc.abstractmethod
    def delete(self, current: RemoteItem) -> None: ...

    def write_one(self, write: Write) -> WriteResult:
        """`write` through create/update/delete; a ProviderError becomes the result's error."""
        try:
            if write.kind == "create":
                return WriteResult(write, self.create(write.item))
            if write.kind == "update":
                return WriteResult(write, self.update(write.item, write.current))
            self.delete(write.current)
            return WriteResult(write)
        except ProviderError as e:
            return WriteResult(write, error=e)

    def write_many(self, writes: Iterable[Write]) -> Iterator[WriteResult]:
        """Perform `writes`, yielding each one's result as soon as it is known.

        `writes` is read lazily and only from the calling thread (the caller may
        render an item, or record something, while producing the next write), and
        it may stop early: the caller stops producing writes after a rate limit.
        Results may come in another order than the writes.
        """
        if self.concurrency <= 1:
            for write in writes:
                yield self.write_one(write)
            return
        from .pool import run_concurrently

        yield from run_concurrently(writes, self.write_one, self.throttle)

    @functools.cached_property
    def throttle(self) -> Throttle:
        """Shared by this provider's writer threads: how many writes may be in flight,
        and how long every thread holds off after the server asked to slow down."""
        from .pool import Throttle

        return Throttle(self.concurrency)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group writes (the ICS file provider writes the file once, atomically)."""
        yield

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections."""


class MailReader(abc.ABC):
    """A provider that also reads a mailbox: replies and sent mail become pull facts.

    Mixed into a Provider (followup_sync_imap). `read_mail` runs in the pull step
    of a push (before planning, so one push acts on what it found) and alone in
    `followup-sync check`. It only reads: it searches for what `watch` names,
    fetches header fields (never a body, never marking anything read) and returns
    them; followup_sync/mail/ decides what each message means. It may keep
    small state (`context.state`) to search only new mail next time; the core
    saves that state only after a push, never after a check or a dry run.
    """

    @abc.abstractmethod
    def read_mail(self, watch: Watch) -> Found: ...


class CalendarReader(abc.ABC):
    """A provider that can also read the user's own calendar, for `capture`.

    Mixed into a Provider (followup_sync_caldav; followup_sync_imap, whose
    "calendar" is the invitation emails). `read_calendar` only reads:
    one request for the events overlapping [start, end) where the target allows,
    returned as iCalendar text (one or more VCALENDARs per item) for
    followup_sync/capture/ to judge; it never writes, and never needs the
    calendar the provider pushes to. A `[capture.sources.NAME]` of this
    provider's type (or with `provider = "NAME"`) uses it.
    """

    #: True when an event missing from `read_calendar`'s answer was deleted (a
    #: calendar); False for a mailbox, whose invitations the user may delete.
    lists_every_event: bool = True

    @abc.abstractmethod
    def read_calendar(self, start: datetime, end: datetime) -> list[str]: ...
