"""The feed's secret token: a random string in a file in the data dir.

Not in SQLite, whose rows `--json` and backups carry around; written atomically
(atomic.py) and replaced by `feed rotate`. The server re-reads it as soon as the
file changes (TokenWatcher), so a rotation takes effect without a restart.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
import threading
from pathlib import Path

from ..atomic import write_atomic
from ..errors import FollowupError

TOKEN_FILE = "feed-token"
# token_urlsafe(32) is 32 random bytes (256 bits) as 43 URL-safe characters.
TOKEN_BYTES = 32
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,128}$")  # 22 chars = 128 bits, the floor we accept

log = logging.getLogger("followup_sync.feed")


def token_path(data_dir: Path) -> Path:
    return Path(data_dir) / TOKEN_FILE


def read_token(data_dir: Path) -> str | None:
    """The current token, or None if none was made yet."""
    path = token_path(data_dir)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise FollowupError(
            f"cannot read the feed token {path} ({e}); run `followup-sync feed rotate`"
        ) from None
    if not _TOKEN_RE.match(text):
        raise FollowupError(f"the feed token in {path} is damaged; run `followup-sync feed rotate`")
    return text


def ensure_token(data_dir: Path) -> str:
    """The token, made on first use. Two processes racing here agree on one token."""
    token = read_token(data_dir)
    if token is not None:
        return token
    token = secrets.token_urlsafe(TOKEN_BYTES)
    if _write_token(data_dir, token, replace=False):
        return token
    # Another process created it between our read and our write: use theirs.
    return read_token(data_dir) or token


def rotate_token(data_dir: Path) -> str:
    """A new token; the old URL stops working with the server's next request."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    _write_token(data_dir, token, replace=True)
    return token


def _write_token(data_dir: Path, token: str, *, replace: bool) -> bool:
    """Write atomically: a reader sees the old token or the new one, never a partial file.

    Returns False when not replacing and a token file already exists.
    """
    data_dir = Path(data_dir)
    path = token_path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        return write_atomic(path, (token + "\n").encode("ascii"), replace=replace)
    except OSError as e:
        raise FollowupError(f"cannot write the feed token {path}: {e.strerror}") from None


def stat_signature(path: Path) -> tuple | None:
    """Changes whenever the file is replaced or edited; None if it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    # The inode changes on every atomic replace, even within one mtime tick.
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


class TokenWatcher:
    """The token as the server sees it: re-read as soon as the file changes.

    One stat() per request is cheap and makes a rotation take effect at once,
    without restarting the server or signalling it.
    """

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._token: str | None = None

    def current(self) -> str | None:
        sig = stat_signature(token_path(self.data_dir))
        if sig == self._signature and sig is not None:
            return self._token
        with self._lock:
            try:
                token = read_token(self.data_dir)
            except FollowupError as e:
                # A damaged file serves nobody rather than crashing every request.
                if sig != self._signature:
                    log.error("%s", e.message)
                token = None
            self._signature, self._token = sig, token
            return token

    def matches(self, candidate: str) -> bool:
        token = self.current()
        if token is None:
            return False
        # Constant time: response timing must not reveal how much of a guess was right.
        return hmac.compare_digest(candidate.encode("utf-8", "replace"), token.encode("ascii"))


def feed_url(base_url: str, host: str, port: int, token: str) -> str:
    """The https/http URL of the feed: base_url when set (behind a proxy), else host:port."""
    if base_url:
        base = base_url.rstrip("/")
    else:
        # A wildcard bind address is not somewhere a client can connect to.
        shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
        if ":" in shown:
            shown = f"[{shown}]"
        base = f"http://{shown}:{port}"
    return f"{base}/feed/{token}.ics"


def webcal_url(url: str) -> str:
    """The webcal:// form, which Apple Calendar and others open as a subscription."""
    return "webcal://" + url.split("://", 1)[1]
