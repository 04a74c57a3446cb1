"""The provider interface: thin CRUD over a place where follow-ups live.

Providers never decide schedules: the core plans (rules.py), diffs (planner.py)
and records (store.py). A provider lists the items that are ours, and creates,
updates and deletes single items. It renders a PushItem into its own format and
reports back RemoteItems.

A plugin is a module named by an entry point in the group
``followup_sync.providers``; the module has ``register(add)`` and calls
``add(type_name, "module:Class")`` for each provider type it offers. The class is
imported only when a provider of that type is used, so a plugin's heavy
dependencies never slow down start-up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from .errors import ConflictError, ProviderAuthError, ProviderError
from .models import PushItem, RemoteItem, User

__all__ = [
    "ConflictError",
    "MemoryState",
    "Option",
    "Provider",
    "ProviderAuthError",
    "ProviderContext",
    "ProviderError",
    "StateMap",
]


@dataclass(frozen=True)
class Option:
    """One config key a provider accepts (checked before the provider is built)."""

    type: type | tuple[type, ...]
    default: Any = None
    required: bool = False
    help: str = ""
    secret: bool = False  # never echo the value


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


@dataclass
class ProviderContext:
    """What the core hands a provider."""

    user: User
    data_dir: Path
    state: StateMap
    # Resolves a secret named by option prefix: "password" reads password_env,
    # password_cmd, keyring or (if the user insists) password itself. The value
    # is registered for redaction before it is returned.
    secret: Any = None
    timeout: float = 30.0
    log: Any = field(default=None)  # callable(str) for progress/notes; never pass secrets


class Provider:
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

    def __init__(self, name: str, options: Mapping[str, Any], context: ProviderContext):
        self.name = name
        self.opts = dict(options)
        self.context = context

    def describe(self) -> str:
        """Where items go, for messages (no secrets)."""
        return f"{self.type} provider {self.name!r}"

    def list_items(self, known: Mapping[str, RemoteItem]) -> dict[str, RemoteItem]:
        raise NotImplementedError

    def create(self, item: PushItem) -> RemoteItem:
        raise NotImplementedError

    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        raise NotImplementedError

    def delete(self, current: RemoteItem) -> None:
        raise NotImplementedError

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group writes (the ICS file provider writes the file once, atomically)."""
        yield

    def close(self) -> None:
        """Release connections."""
