"""The feed's HTTP side: a WSGI app serving GET/HEAD /feed/<token>.ics, and its server.

waitress is imported only when serving, so `feed url` and `feed rotate` stay fast.
"""

from __future__ import annotations

import email.utils
import logging
import re
import signal
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date
from pathlib import Path

from ..errors import FollowupError
from ..redaction import feed_path, log_text
from .source import FeedSource, Rendered
from .token import TokenWatcher

_FEED_PATH_RE = re.compile(r"^/feed/([^/]{1,200})\.ics$")
CONTENT_TYPE = "text/calendar; charset=utf-8"
# private: the URL is a secret, so shared caches must not keep it. Five minutes is
# far below how often Google or Apple poll, and spares the server a burst of
# re-fetches from one client.
CACHE_CONTROL = "private, max-age=300"
ALLOW = "GET, HEAD"
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")

log = logging.getLogger("followup_sync.feed")


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


class RedactingFormatter(logging.Formatter):
    """For every handler of the server's loggers: no log line may carry the token."""

    def format(self, record: logging.LogRecord) -> str:
        return log_text(super().format(record))


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
            log.exception("error while serving %s", feed_path(environ.get("PATH_INFO", "")))
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
            feed_path(path),
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
