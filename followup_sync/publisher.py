"""The publish-target interface: one whole rendered feed, uploaded where calendars can reach it.

A publisher is not item-by-item CRUD (provider.py): Google and Apple subscribe to
one URL and re-read the whole file every few hours, so a publish target holds a
single object, the rendered feed, under a secret name (the feed's token + ".ics").
The core renders the feed once (feed/published.py), compares it with what the last
publish left there (publish.py) and asks the publisher only to `head`, `upload` and
`remove` that one object.

Publishers register exactly like providers (entry-point group
``followup_sync.providers``, `register(add)`), are configured as
``[providers.NAME]`` tables, declare their keys as `Option`s (validated by
`provider.validate_options`, so a mistake is a ConfigError before any write) and
read secrets through `ProviderContext.secret`. `push` runs them after every item
provider, so they publish the converged state; `followup-sync publish` runs them
alone.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from .provider import Option, ProviderContext, validate_options

__all__ = ["PUBLISH_OPTIONS", "Publisher", "RemoteObject", "place_name"]


def _non_negative(value: int) -> str | None:
    return None if value >= 0 else "must be 0 or more"


#: Keys every publish target accepts: what goes into the published feed.
PUBLISH_OPTIONS: dict[str, Option] = {
    # Google ignores a subscribed calendar over about 1 MB (support.google.com/calendar/
    # answer/45654): the published feed carries pending and overdue items, and sent
    # ones only for this many days, so it stays small however long the search lasts.
    "sent_days": Option(
        int, 30, help="keep sent follow-ups this many days in the feed", check=_non_negative
    ),
    # Google shows no ATTACH for subscribed calendars and the inline .eml is a quarter
    # of an event's size; the draft and its mailto: link are in DESCRIPTION anyway.
    "attach_eml": Option(bool, False, help="attach each draft as an .eml file (Apple shows it)"),
    "name": Option(str, "", help="calendar name shown by apps; default: [feed] name"),
}


@dataclass(frozen=True)
class RemoteObject:
    """The published object as the target reports it."""

    #: Changes whenever the object changes (an ETag, or a stand-in when there is none).
    version: str
    #: The body's MD5 (hex) when the target states it: an S3 single-part ETag is one.
    md5: str | None = None


def place_name(template: str, placeholder: str, name: str) -> str:
    """`template` with `name` put where `{placeholder}` is, or appended after a "/"."""
    marker = "{" + placeholder + "}"
    if marker in template:
        return template.replace(marker, name)
    return template.rstrip("/") + "/" + name


class Publisher(abc.ABC):
    """Base class for publish targets. Subclasses set `type`, `options` and the three methods.

    Contract:
    - `head(name)` is the object's current version, or None when there is none;
    - `upload(name, body, current)` replaces the object with `body` in one step a
      reader never sees half done, and returns its new version. `current` is what
      `head` saw: a target that can make the write conditional on it must (a change
      made meanwhile is then a ConflictError, never overwritten blindly);
    - `remove(name)` deletes it; one that is already gone is not an error;
    - ProviderAuthError for refused credentials, ProviderError for the rest, in one
      line without secrets (the feed token is a secret: `describe()` never shows it).
    """

    type: ClassVar[str] = ""
    options: ClassVar[dict[str, Option]] = PUBLISH_OPTIONS

    def __init__(self, name: str, options: Mapping[str, Any], context: ProviderContext):
        self.name = name
        self.opts = validate_options(name, type(self), options)
        self.context = context

    def describe(self) -> str:
        """Where the feed goes, for messages (no secret, no token)."""
        return f"{self.type} target {self.name!r}"

    def object_name(self, token: str) -> str:
        """The object's name for this feed token (S3 adds its key prefix)."""
        return f"{token}.ics"

    @abc.abstractmethod
    def public_url(self, token: str) -> str:
        """Where subscribers read the feed published under `token`; "" while unknown
        (a share link still to be made for the file)."""

    def location(self) -> str:
        """What, besides the object's name, identifies where it lives (bucket, folder...)."""
        return self.describe()

    def fingerprint(self, token: str) -> str:
        """A non-secret id of (place, object name), kept in the store instead of the name.

        The name holds the feed token, which never goes into the store; a hash of it
        still tells whether the last publish went to the same place and name.
        """
        key = f"{self.type}\x1f{self.location()}\x1f{self.object_name(token)}"
        return hashlib.sha256(key.encode()).hexdigest()[:24]

    def link_is_fixed(self) -> bool:
        """True when `public_url` is a link to one file (a share link) that rotation cannot
        move: a new name needs a new link, made by the user."""
        return False

    def where_to_share(self, token: str) -> str:
        """What to share by link when `link_is_fixed()`: the object, named (its name is the
        secret token, so only for the user's own terminal)."""
        return f"{self.object_name(token)} in {self.describe()}"

    @abc.abstractmethod
    def head(self, name: str) -> RemoteObject | None: ...

    @abc.abstractmethod
    def upload(self, name: str, body: bytes, current: RemoteObject | None) -> RemoteObject: ...

    @abc.abstractmethod
    def remove(self, name: str) -> None: ...

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections."""
