"""The feed's secret token: a random string in a file in the data dir.

Not in SQLite, whose rows `--json` and backups carry around; written atomically
(atomic.py) and replaced by `feed rotate`. The server re-reads it as soon as the
file changes (TokenWatcher), so a rotation takes effect without a restart.
"""

from __future__ import annotations

import contextlib
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
# A rotation with publish targets goes in steps (publish.rotate): the new token is
# kept in NEXT_FILE until every target holds the feed under it, and old tokens in
# RETIRED_FILE until every target has deleted the feed under them. Both are
# secrets: files beside the token, never the store.
NEXT_FILE = "feed-token.next"
RETIRED_FILE = "feed-token.retired"
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


def next_token(data_dir: Path) -> str:
    """The token a rotation in progress moves to, made once and kept until it is switched to.

    A rotation stopped after uploading under it (a target down, a crash) uses the
    same token when run again, so nothing published under it is left behind.
    """
    path = Path(data_dir) / NEXT_FILE
    token = _read_token_file(path)
    if token is None:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        _write_token(data_dir, token, replace=True, path=path)
    return token


def switch_token(data_dir: Path, new: str) -> str | None:
    """Make `new` the token; the old one is kept as retired until its objects are deleted.

    Returns the old token (None if there was none).
    """
    data_dir = Path(data_dir)
    try:
        old = read_token(data_dir)
    except FollowupError:
        old = None  # a damaged token file is what a rotation repairs
    if old is not None and old != new:
        _write_retired(data_dir, [*retired_tokens(data_dir), old])
    _write_token(data_dir, new, replace=True)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(data_dir / NEXT_FILE)
    return old


def retired_tokens(data_dir: Path) -> list[str]:
    """Old tokens whose published objects may still exist somewhere."""
    path = Path(data_dir) / RETIRED_FILE
    try:
        lines = path.read_text(encoding="ascii").split()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError):
        return []  # unreadable: nothing to clean up that we could name
    return [t for t in lines if _TOKEN_RE.match(t)]


def forget_retired(data_dir: Path, done: list[str]) -> None:
    """These retired tokens have nothing published any more."""
    left = [t for t in retired_tokens(data_dir) if t not in done]
    _write_retired(Path(data_dir), left)


def _write_retired(data_dir: Path, tokens: list[str]) -> None:
    path = data_dir / RETIRED_FILE
    if not tokens:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return
    _write_token(data_dir, "\n".join(dict.fromkeys(tokens)), replace=True, path=path)


def _read_token_file(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return None
    return text if _TOKEN_RE.match(text) else None


def _write_token(data_dir: Path, token: str, *, replace: bool, path: Path | None = None) -> bool:
    """Write atomically: a reader sees the old token or the new one, never a partial file.

    Returns False when not replacing and a token file already exists.
    """
    data_dir = Path(data_dir)
    path = path or token_path(data_dir)
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
