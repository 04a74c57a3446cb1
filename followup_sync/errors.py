"""Errors that carry their own exit code; the CLI turns them into one clean line."""

from __future__ import annotations


class FollowupError(Exception):
    """A problem the user can fix; printed as one line, never a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class UserInputError(FollowupError):
    """Unknown id, bad date, malformed import row..."""

    exit_code = 1


class ConfigError(FollowupError):
    exit_code = 3


class ProviderError(FollowupError):
    """A provider could not do its job (server down, bad answer). Retrying may help."""

    exit_code = 4


class ProviderAuthError(ProviderError):
    """Credentials were refused (401/403). Retrying will not help."""


class RateLimited(ProviderError):
    """The service keeps refusing requests (HTTP 429) beyond our wait budget.

    Every further request would be refused too, so a push stops writing at once
    (and exits 5 once some items could not be written) instead of failing item
    after item.
    """


class ConflictError(ProviderError):
    """The remote item changed since we last saw it (ETag mismatch)."""


class PushIncomplete(FollowupError):
    """Some items failed; the next push converges."""

    exit_code = 5


class StoreError(FollowupError):
    """The store is unreadable, corrupt, newer than this version, or locked."""

    exit_code = 6
