"""The live ICS feed: a secret-token URL that calendar apps subscribe to.

Three parts, each small:
- the token: a random secret in a file in the data dir (not in SQLite, whose rows
  `--json` and backups carry around), replaced atomically by `feed rotate`;
- the cache: the rendered feed, keyed by what it is made of (store revision,
  config, templates, today's date) and re-rendered only when that key changes;
- the WSGI app: GET/HEAD /feed/<token>.ics and nothing else, served by waitress.

waitress and icalendar are imported only when serving or rendering, so the CLI
that imports this module (`feed url`, `feed rotate`) stays fast.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import gzip
import hashlib
import hmac
import logging
import os
import re
import secrets
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from .errors import FollowupError

TOKEN_FILE = "feed-token"
# token_urlsafe(32) is 32 random bytes (256 bits) as 43 URL-safe characters.
TOKEN_BYTES = 32
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,128}$")  # 22 chars = 128 bits, the floor we accept
_FEED_PATH_RE = re.compile(r"^/feed/([^/]{1,200})\.ics$")
# Times here use datetime.UTC, not ZoneInfo("UTC"): email.utils.format_datetime
# accepts only the former for an HTTP date.
CONTENT_TYPE = "text/calendar; charset=utf-8"
# private: the URL is a secret, so shared caches must not keep it. Five minutes is
# far below how often Google or Apple poll, and spares the server a burst of
# re-fetches from one client.
CACHE_CONTROL = "private, max-age=300"
ALLOW = "GET, HEAD"

log = logging.getLogger("followup_sync.feed")


# --- the token ----------------------------------------------------------------------
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
        # mkstemp creates the file 0600: the token is never readable by others, even briefly.
        fd, tmp = tempfile.mkstemp(prefix=f".{TOKEN_FILE}.", dir=data_dir)
    except OSError as e:
        raise FollowupError(f"cannot write the feed token in {data_dir}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(token + "\n")
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                # link() fails if the name exists, unlike replace(): first writer wins.
                os.link(tmp, path)
            except FileExistsError:
                return False
            finally:
                os.unlink(tmp)
        _fsync_dir(data_dir)
        return True
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise FollowupError(f"cannot write the feed token {path}: {e.strerror}") from None


def _fsync_dir(path: Path) -> None:
    # So a rotation survives a crash: the rename itself lives in the directory.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _stat_signature(path: Path) -> tuple | None:
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
        sig = _stat_signature(token_path(self.data_dir))
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


# --- the rendered feed and its cache ------------------------------------------------------
@dataclass(frozen=True)
class Rendered:
    """One rendering of the feed, ready to send; never mutated once published."""

    key: tuple
    body: bytes
    gzipped: bytes
    etag: str
    etag_gzip: str
    last_modified: datetime  # whole seconds, UTC

    @property
    def last_modified_http(self) -> str:
        return email.utils.format_datetime(self.last_modified, usegmt=True)


class FeedSource:
    """Renders the feed from the store, re-rendering only when its content key changes.

    The key is (store file identity, store revision, config file, templates,
    today in the user's zone): the store revision is bumped by every write
    transaction, so another process's `sent` or `heard` shows at the next GET.
    Every check opens its own SQLite connection: waitress serves requests on
    several threads, and a fresh connection also follows a store that
    `restore` replaced.
    """

    def __init__(self, data_dir: Path, config_path: Path, fixed_today: date | None = None):
        self.data_dir = Path(data_dir)
        self.config_path = Path(config_path)
        self.fixed_today = fixed_today
        self._render_lock = threading.Lock()
        self._settings_lock = threading.Lock()
        self._settings: tuple[tuple | None, object] | None = None
        self._current: Rendered | None = None
        self.renders = 0  # how many times the body was built; tests and the benchmark read it

    # The store path is the store module's business; import it lazily like everything heavy.
    @property
    def store_path(self) -> Path:
        from .store import STORE_NAME

        return self.data_dir / STORE_NAME

    def settings(self) -> tuple[tuple | None, object]:
        """(config file signature, Settings), reloaded when the file changes.

        Raises ConfigError if the file became invalid. The signature returned is
        the one taken before reading, so a key built from it never claims newer
        settings than were loaded.
        """
        from .config import load_settings

        sig = _stat_signature(self.config_path)
        cached = self._settings
        if cached is not None and cached[0] == sig:
            return cached
        with self._settings_lock:
            self._settings = (sig, load_settings(self.config_path))
            return self._settings

    def _templates_signature(self, settings) -> tuple:
        tdir = settings.templates_dir
        if tdir is None:
            return ()
        try:
            return tuple(
                sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in os.scandir(tdir))
            )
        except OSError:
            return ()

    def _open_store(self):
        from .store import Store

        store = Store(self.store_path)
        store.connect(create=False)
        return store

    def _base_key(self) -> tuple[tuple, object]:
        config_sig, settings = self.settings()
        today = self.fixed_today or datetime.now(settings.tz).date()
        return (config_sig, self._templates_signature(settings), today.isoformat()), settings

    def current(self) -> Rendered:
        """The feed as of now: the cached rendering if its key still holds, else a new one."""
        base, settings = self._base_key()
        # stat before opening: if `restore` swaps the file in between, the key names
        # the old file, so the next request sees a new identity and re-renders.
        store_sig = _stat_signature(self.store_path)
        store = self._open_store()
        try:
            key = (store_sig[:2] if store_sig else None, store.revision(), *base)
        finally:
            store.close()
        cached = self._current
        if cached is not None and cached.key == key:
            return cached
        # One render at a time: concurrent requests for a new key wait for the
        # first one's result instead of all rendering the same thing.
        with self._render_lock:
            cached = self._current
            if cached is not None and cached.key == key:
                return cached
            rendered = self._render(base, settings, cached)
            self._current = rendered
            return rendered

    def _render(self, base: tuple, settings, previous: Rendered | None) -> Rendered:
        from . import ical
        from .payload import Planner

        started = time.perf_counter()
        store_sig = _stat_signature(self.store_path)
        store = self._open_store()
        try:
            # One read transaction: in WAL mode every read below sees the same
            # committed snapshot, so a write landing mid-render cannot mix two states,
            # and the revision in the key is the one this body was made from.
            store.conn.execute("BEGIN")
            revision = store.revision()
            apps = store.applications()
            store.conn.execute("COMMIT")
        finally:
            store.close()
        today = date.fromisoformat(base[-1])
        planner = Planner(settings.user, settings.rules, settings.tz, today, settings.templates_dir)
        items = planner.live_push_items(apps)
        body = ical.build_calendar(items.values(), ical.VEVENT, settings.feed.name).to_ical()
        self.renders += 1
        log.info(
            "rendered the feed: %d events, %d KB in %.0f ms (store revision %d)",
            len(items), len(body) // 1024, (time.perf_counter() - started) * 1000, revision,
        )  # fmt: skip
        key = (store_sig[:2] if store_sig else None, revision, *base)
        digest = hashlib.sha256(body).hexdigest()[:32]
        if previous is not None and previous.etag == f'"{digest}"':
            # Same bytes (e.g. a push only recorded what it wrote): keep the
            # validators, so clients keep getting 304s.
            return dataclasses.replace(previous, key=key)
        now = datetime.now(UTC).replace(microsecond=0)
        if previous is not None and now <= previous.last_modified:
            # Last-Modified has one-second resolution: a change within the same
            # second must still look newer, or If-Modified-Since would hide it.
            now = previous.last_modified + timedelta(seconds=1)
        return Rendered(
            key=key,
            body=body,
            # mtime=0: identical bodies gzip to identical bytes across restarts.
            gzipped=gzip.compress(body, compresslevel=6, mtime=0),
            etag=f'"{digest}"',
            # A strong ETag names one exact byte sequence, so the gzipped
            # representation gets its own.
            etag_gzip=f'"{digest}-gzip"',
            last_modified=now,
        )


# --- HTTP --------------------------------------------------------------------------------
_NOT_FOUND = b"Not Found\n"
_NOT_ALLOWED = b"Method Not Allowed\n"
_UNAVAILABLE = b"Feed temporarily unavailable\n"
_ERROR = b"Internal Server Error\n"
_TEXT = "text/plain; charset=utf-8"


def accepts_gzip(header: str) -> bool:
    """Whether Accept-Encoding allows gzip (RFC 9110 12.5.3), honouring q=0."""
    gzip_q = star_q = None
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        name = name.strip().lower()
        q = 1.0
        m = re.search(r"q\s*=\s*([0-9.]+)", params)
        if m:
            try:
                q = float(m[1])
            except ValueError:
                q = 0.0
        if name in ("gzip", "x-gzip"):
            gzip_q = q
        elif name == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return bool(star_q and star_q > 0)


def _etags(header: str) -> list[str]:
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x" for If-None-Match.
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def not_modified(environ: dict, rendered: Rendered) -> bool:
    inm = environ.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        # When If-None-Match is present, If-Modified-Since is ignored (RFC 9110 13.2.2).
        tags = _etags(inm)
        return "*" in tags or rendered.etag in tags or rendered.etag_gzip in tags
    ims = environ.get("HTTP_IF_MODIFIED_SINCE")
    if ims:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False  # an unparsable date is ignored, as the RFC says
        if since is None:
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return rendered.last_modified <= since
    return False


_SECRETISH = re.compile(r"[A-Za-z0-9_-]{20,}")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


_FEED_PATH_ANYWHERE = re.compile(r"/feed/[^/?\s\"]*\.ics")
_LONG_SECRETISH = re.compile(r"[A-Za-z0-9_-]{40,}")


def redact_text(text: str) -> str:
    """Hide feed paths and token-sized strings in any log text (e.g. waitress's tracebacks).

    40+ characters: a token is 43, and almost no Python identifier is that long.
    """
    return _LONG_SECRETISH.sub("[redacted]", _FEED_PATH_ANYWHERE.sub("/feed/[token].ics", text))


class RedactingFormatter(logging.Formatter):
    """For every handler of the server's loggers: no log line may carry the token."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


def redact(path: str) -> str:
    """A request path safe to log: the feed token, or anything that may be one, is hidden.

    Wrong tokens are hidden too: a near-miss or an old token is still a secret.
    """
    path = _FEED_PATH_ANYWHERE.sub("/feed/[token].ics", path)
    path = _SECRETISH.sub("[redacted]", path)
    path = _UNPRINTABLE.sub("?", path)
    return path[:200]


class FeedApp:
    """The WSGI app: GET/HEAD /feed/<token>.ics, a 404 for everything else."""

    def __init__(
        self, source: FeedSource, tokens: TokenWatcher, access_log: logging.Logger | None = None
    ):
        self.source = source
        self.tokens = tokens
        self.access_log = access_log or logging.getLogger("followup_sync.feed.access")

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        try:
            status, headers, body = self.respond(environ)
        except Exception:
            # Answer here rather than let waitress log "Exception while serving
            # <path>", which would print the token.
            log.exception("error while serving %s", redact(environ.get("PATH_INFO", "")))
            status, headers, body = "500 Internal Server Error", _plain(_ERROR), _ERROR
        if environ.get("REQUEST_METHOD") == "HEAD":
            body = b""  # waitress sends whatever we return, even for HEAD
        start_response(status, headers)
        self._log(environ, status, len(body), started)
        return [body]

    def respond(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        # The method is checked before the path, for every path, so a 405 says
        # nothing about whether a token is right.
        if method not in ("GET", "HEAD"):
            return "405 Method Not Allowed", _plain(_NOT_ALLOWED, ("Allow", ALLOW)), _NOT_ALLOWED
        m = _FEED_PATH_RE.match(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
        if not m or not self.tokens.matches(m[1]):
            # One body for a wrong token, no token and a path that never existed.
            return "404 Not Found", _plain(_NOT_FOUND), _NOT_FOUND
        try:
            rendered = self.source.current()
        except FollowupError as e:
            # A broken config or a missing store: say so in the server log, not to the client.
            log.error("feed unavailable: %s", e.message)
            return (
                "503 Service Unavailable",
                _plain(_UNAVAILABLE, ("Retry-After", "300")),
                _UNAVAILABLE,
            )
        use_gzip = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
        etag = rendered.etag_gzip if use_gzip else rendered.etag
        headers = [
            ("ETag", etag),
            ("Last-Modified", rendered.last_modified_http),
            ("Cache-Control", CACHE_CONTROL),
            ("Vary", "Accept-Encoding"),
        ]
        if not_modified(environ, rendered):
            return "304 Not Modified", headers, b""
        body = rendered.gzipped if use_gzip else rendered.body
        headers += [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))]
        if use_gzip:
            headers.append(("Content-Encoding", "gzip"))
        return "200 OK", headers, body

    def _log(self, environ: dict, status: str, size: int, started: float) -> None:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        agent = _UNPRINTABLE.sub("?", environ.get("HTTP_USER_AGENT", "-"))[:120]
        self.access_log.info(
            '%s - - [%s] "%s %s %s" %s %d "%s" %.1fms',
            environ.get("REMOTE_ADDR", "-"),
            time.strftime("%d/%b/%Y:%H:%M:%S %z"),
            _UNPRINTABLE.sub("?", environ.get("REQUEST_METHOD", "-"))[:16],
            redact(path),
            environ.get("SERVER_PROTOCOL", "-"),
            status.split(" ", 1)[0],
            size,
            agent,
            (time.perf_counter() - started) * 1000,
        )


def _plain(body: bytes, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        ("Content-Type", _TEXT),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        *extra,
    ]


def make_app(data_dir: Path, config_path: Path, fixed_today: date | None = None) -> FeedApp:
    return FeedApp(FeedSource(data_dir, config_path, fixed_today), TokenWatcher(data_dir))


def create_server(app: FeedApp, host: str, port: int, threads: int = 4):
    """A waitress server bound to host:port (port 0 picks a free one)."""
    import waitress.server

    try:
        return waitress.server.create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="followup-sync",
        )
    except OSError as e:
        raise FollowupError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


def bound_address(server) -> tuple[str, int]:
    """Where the server listens (the real port when 0 was asked for)."""
    if hasattr(server, "effective_port"):
        return server.effective_host, server.effective_port
    host, port = server.effective_listen[0][:2]  # several sockets, e.g. "localhost" on v4 and v6
    return host, port


def run_server(server, on_stop: Callable[[], None] | None = None) -> None:
    """Run until Ctrl-C or SIGTERM, then stop accepting, finish requests, close sockets."""

    def stop(signum, frame):
        # waitress's loop turns SystemExit into a clean shutdown of its worker threads.
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.run()  # returns after SystemExit/KeyboardInterrupt, workers shut down
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        if on_stop is not None:
            on_stop()
