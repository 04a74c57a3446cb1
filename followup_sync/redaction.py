"""Redaction: secrets never reach output, logs, errors or `--json`.

One list of known secret values for the whole process. Secrets are registered
the moment they are resolved (secrets.py) or obtained by a provider
(`ProviderContext.register_secret`), and every line we print passes `redact`.
The feed's token is also hidden by shape in request paths and log lines, since a
wrong or old token a client sends is still a secret.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

REDACTED = "[redacted]"
_KNOWN: set[str] = set()


def remember(value: str) -> str:
    """Register a secret so that `redact` hides it everywhere we print; returns it."""
    if value and len(value) >= 4:  # shorter strings would blank out ordinary words
        _KNOWN.add(value)
    return value


def redact(text: str) -> str:
    """`text` with every registered secret replaced by "[redacted]"."""
    for value in sorted(_KNOWN, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


def url_without_credentials(url: str) -> str:
    """A URL safe to show: no user info, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


# --- the feed token, hidden by shape -----------------------------------------------
_FEED_PATH_ANYWHERE = re.compile(r"/feed/[^/?\s\"]*\.ics")
_SECRETISH = re.compile(r"[A-Za-z0-9_-]{20,}")
_LONG_SECRETISH = re.compile(r"[A-Za-z0-9_-]{40,}")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


def feed_path(path: str) -> str:
    """A request path safe to log: the feed token, or anything that may be one, is hidden.

    Wrong tokens are hidden too: a near-miss or an old token is still a secret.
    """
    path = _FEED_PATH_ANYWHERE.sub("/feed/[token].ics", path)
    path = _SECRETISH.sub(REDACTED, path)
    path = _UNPRINTABLE.sub("?", path)
    return path[:200]


def log_text(text: str) -> str:
    """Hide feed paths and token-sized strings in any log text (e.g. a server traceback).

    40+ characters: a token is 43, and almost no Python identifier is that long.
    """
    return redact(_LONG_SECRETISH.sub(REDACTED, _FEED_PATH_ANYWHERE.sub("/feed/[token].ics", text)))
