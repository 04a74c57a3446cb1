"""CalDAV provider: one calendar object resource per follow-up item.

Thin CRUD over a CalDAV calendar, on top of caldav's DAVClient (auth, session,
error classes). Writes are conditional: create with If-None-Match: *, update and
delete with If-Match on the ETag we recorded, so a user's edit is never
overwritten. Listing uses the collection's sync token (RFC 6578): a push with
nothing changed costs one REPORT.

Writes run on a bounded pool of connections (`concurrency`, see
followup_sync/pool.py): over a link of 100 ms most of a PUT is waiting, so eight
in flight make a first push several times faster. DAVClient and its niquests
session keep per-connection state (auth negotiation, the socket), so each thread
gets its own client; a 429 or 503 from the server shrinks the pool and pauses it
for the Retry-After.

caldav is imported inside methods: importing it costs ~0.3 s and the CLI must
start fast for commands that never touch a server.

Why one module of ~850 lines: calendar discovery, sync-token listing and
conditional writes share one connection and one set of server quirks (the
retry and error mapping in `_request`, the multistatus parsing); split apart,
each piece would need the others' private state. The sections below follow the
order of a push: connection, discovery, listing, writes.
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from followup_sync import ical
from followup_sync.errors import ConflictError, ProviderAuthError, ProviderError, RateLimited
from followup_sync.models import PushItem, RemoteItem
from followup_sync.provider import CalendarReader, Option, Provider, Write, WriteResult
from followup_sync.redaction import url_without_credentials
from followup_sync.retry import RetryAfter, retry_call

T = TypeVar("T")

DAV = "{DAV:}"
CAL = "{urn:ietf:params:xml:ns:caldav}"
CS = "{http://calendarserver.org/ns/}"
XML_HEADERS = {"Content-Type": 'application/xml; charset="utf-8"'}
ICAL_HEADERS = {"Content-Type": "text/calendar; charset=utf-8"}
COMPONENTS = ("VEVENT", "VTODO")
# Writes in flight at once. Measured (benchmarks/bench_caldav.py): over +100 ms a
# first push of 80 items takes ~0.2x the time of one PUT after another with 8,
# ~0.35x with 4; on loopback 8 costs nothing. More than 8 gains little and is
# harder on small servers.
DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 32
# State keys (kept by the core in the store, per provider).
STATE_CALENDAR = "calendar_url"
STATE_CALENDAR_FOR = "calendar_for"  # which (url, calendar, component) the cached URL answers
STATE_TOKEN = "sync_token"
STATE_CTAG = "ctag"  # only for servers without sync-collection
STATE_NO_SYNC = "no_sync_collection"
STATE_LISTED = "listed"  # digests of the (href, ETag) pairs the last listing saw
MAX_SYNC_PAGES = 50  # RFC 6578 section 3.6: a truncated reply is continued with the new token

_NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"'
_SYNC_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f"<D:sync-collection {_NS}><D:sync-token>{{token}}</D:sync-token>"
    "<D:sync-level>1</D:sync-level>"
    # ETags only: a delta stays small even after a big push. (Xandikos would not
    # return calendar-data here anyway.) Changed items are read with one multiget.
    "<D:prop><D:getetag/></D:prop></D:sync-collection>"
)
_MULTIGET_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f"<C:calendar-multiget {_NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>"
    "{hrefs}</C:calendar-multiget>"
)
_QUERY_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f"<C:calendar-query {_NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>'
)
# RFC 4791 7.8 and 9.9: the events overlapping a time range, with their data.
_WINDOW_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f"<C:calendar-query {_NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
    '<C:time-range start="{start}" end="{end}"/>'
    "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
)
_PROPFIND_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<D:propfind {_NS} xmlns:CS="http://calendarserver.org/ns/"><D:prop>{{props}}</D:prop>'
    "</D:propfind>"
)
_CALENDAR_PROPS = (
    "<D:displayname/><D:resourcetype/><C:supported-calendar-component-set/>"
    "<D:sync-token/><CS:getctag/>"
)
_MKCALENDAR_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f"<C:mkcalendar {_NS}><D:set><D:prop><D:displayname>{{name}}</D:displayname>"
    '<C:supported-calendar-component-set><C:comp name="{component}"/>'
    "</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"
)


class _Transient(Exception):
    """A 5xx (or 423 Locked) answer: worth retrying with backoff."""

    def __init__(self, status: int, method: str):
        super().__init__(f"HTTP {status} on {method}")
        self.status = status


class _TLSFailure(Exception):
    """The TLS handshake or certificate check failed."""


class _InvalidToken(Exception):
    """The server no longer accepts our sync token (RFC 6578 DAV:valid-sync-token)."""


class _NoSyncCollection(Exception):
    """The server does not support the sync-collection REPORT."""


@dataclass
class _Entry:
    """One href of a multistatus answer."""

    status: int
    etag: str | None = None
    data: str | None = None


@dataclass
class _CalendarInfo:
    url: str
    name: str | None
    components: tuple[str, ...]  # empty: the server did not say (all allowed)


def _path(href: str) -> str:
    """Normalised href: absolute path, unquoted (servers differ in what they escape)."""
    return unquote(urlsplit(href).path)


def _digest(remote: RemoteItem) -> str:
    return hashlib.sha1(f"{remote.ref}\x1f{remote.etag}".encode()).hexdigest()[:12]


def _transport_exceptions() -> Any:
    """The exception classes of the HTTP library caldav uses (niquests in caldav 3).

    caldav does not wrap transport errors in its own classes, so this reaches into
    its http_sync module: the one semi-internal caldav API we rely on, kept here.
    """
    from caldav.lib.http_sync import requests

    return requests.exceptions


def _url_problem(url: str) -> str | None:
    """Why `url` cannot name a CalDAV server, or None."""
    url = url.strip()
    full = url if "://" in url else "https://" + url
    host = urlsplit(full).hostname or ""
    if not host or not all(c.isalnum() or c in "-._:[]%" for c in host):
        return f"{url!r} names no server"
    return None


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "followups"


class CalDAVProvider(Provider, CalendarReader):
    type = "caldav"
    options = {
        "url": Option(
            str,
            required=True,
            help="CalDAV server URL (the DAV root or principal)",
            check=_url_problem,
        ),
        "username": Option(str, help="login name; omit for servers without auth"),
        "password": Option(
            str,
            secret=True,
            help="the password; better password_env (a variable's name) or password_cmd",
        ),
        "calendar": Option(str, default="Job follow-ups", help="display name or URL"),
        "create": Option(bool, default=False, help="create the calendar when it is missing"),
        "component": Option(
            str,
            default="VEVENT",
            help='"VEVENT" (events) or "VTODO" (tasks)',
            normalize=str.upper,
            choices=COMPONENTS,
        ),
        "auth": Option(
            str,
            default="basic",
            help='"basic", "digest" (Baikal\'s default) or "auto" (ask the server first)',
            normalize=str.lower,
            choices=("basic", "digest", "auto"),
        ),
        "features": Option(
            str, help='caldav compatibility hints, e.g. "radicale", "xandikos", "nextcloud"'
        ),
        "timeout": Option(
            (int, float),
            help="seconds per HTTP request",
            check=lambda v: None if v > 0 else "must be a positive number of seconds",
        ),
        "verify_tls": Option(bool, default=True, help="check the server's TLS certificate"),
        "concurrency": Option(
            int,
            default=DEFAULT_CONCURRENCY,
            help="writes in flight at once (1: one after another)",
            check=lambda v: (
                None
                if 1 <= v <= MAX_CONCURRENCY
                else f"must be a whole number from 1 to {MAX_CONCURRENCY}"
            ),
        ),
    }

    def __init__(self, name: str, options: Mapping[str, Any], context: Any):
        super().__init__(name, options, context)
        self.given_url = str(self.opts["url"]).strip()
        # A bare domain or email ("example.com") is found with RFC 6764 discovery
        # (DNS SRV, /.well-known/caldav) when connecting; a URL is used as given.
        self.discover_url = "/" not in self.given_url
        self.url = self.given_url if "://" in self.given_url else "https://" + self.given_url
        if not self.url.endswith("/"):
            self.url += "/"
        self.username: str | None = self.opts["username"] or None
        in_url = urlsplit(self.url).password
        if in_url:
            # http://user:pw@host/: the password is a secret like any other.
            context.register_secret(unquote(in_url))
        self.calendar_opt: str = self.opts["calendar"] or "Job follow-ups"
        self.create_calendar: bool = self.opts["create"]
        self.component: str = self.opts["component"]
        self.tz = ZoneInfo(context.user.timezone) if context.user.timezone else None
        self.concurrency = self.opts["concurrency"]
        self._local = threading.local()  # this thread's DAVClient
        self._clients: list[Any] = []  # every thread's, to close them
        self._clients_lock = threading.Lock()
        self._client_kw: dict[str, Any] | None = None
        self._calendar_url: str | None = None
        self._errors: Any = None  # caldav.lib.error, once imported

    # --- messages ----------------------------------------------------------------
    def describe(self) -> str:
        who = f" as {self.username!r}" if self.username else ""
        return f"CalDAV {url_without_credentials(self.url)}{who}"

    def _log(self, message: str) -> None:
        self.context.log(message)

    # --- connection --------------------------------------------------------------
    def _connect(self) -> Any:
        """This thread's client (one per thread: DAVClient is not thread-safe)."""
        client = getattr(self._local, "client", None)
        if client is not None:
            return client
        from caldav import DAVClient
        from caldav.lib import error

        self._errors = error
        with self._clients_lock:
            # RFC 6764 discovery runs once, with the first client; the others use
            # the URL it found. The password is resolved once too (password_cmd
            # may run a command, or ask a keyring).
            discover = self.discover_url and not self._clients
            if self._client_kw is None:
                self._client_kw = self._client_options()
            kw = dict(self._client_kw)
        timeout = self.opts.get("timeout") or self.context.timeout
        try:
            # Keywords only: positional arguments silently become proxy/username (caldav 3).
            client = DAVClient(
                url=self.given_url if discover else self.url,
                timeout=timeout,
                ssl_verify_cert=bool(self.opts.get("verify_tls", True)),
                enable_rfc6764=discover,
                **kw,
            )
        except (ValueError, KeyError, TypeError) as e:
            # e.g. an unknown `features` name; the message names no secret.
            raise ProviderError(
                f"{self.describe()}: bad option: {str(e).splitlines()[0]}"
            ) from None
        if discover:
            found = str(client.url)
            self.url = found if found.endswith("/") else found + "/"
        self._local.client = client
        with self._clients_lock:
            self._clients.append(client)
        return client

    def _client_options(self) -> dict[str, Any]:
        kw: dict[str, Any] = {}
        if self.username:
            kw["username"] = self.username
            kw["password"] = self.context.secret("password")
            in_url = urlsplit(self.url).password
            if kw["password"] is None and in_url:
                # http://user:pw@host/ with a username option: caldav ignores the
                # url's password then, so it is passed on explicitly.
                kw["password"] = unquote(in_url)
            if kw["password"] is None:
                # Basic auth with a None password would fail deep in requests.
                raise ProviderError(
                    f"{self.describe()}: username is set but no password is configured"
                    " (password_env, password_cmd, the keyring or password)"
                )
            auth = self.opts["auth"]
            if auth != "auto":
                # Basic up front by default: otherwise caldav first sends an
                # unauthenticated probe, and Radicale sleeps ~1 s before every 401.
                kw["auth_type"] = auth
        if self.opts.get("features"):
            kw["features"] = self.opts["features"]
        return kw

    def close(self) -> None:
        with self._clients_lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()
        self._local = threading.local()

    def write_many(self, writes: Iterable[Write]) -> Iterator[WriteResult]:
        # Find the calendar here, on the caller's thread: discovery reads and
        # writes the provider state, which the worker threads never touch.
        self._calendar()
        yield from super().write_many(writes)

    def _abs(self, path: str) -> str:
        """Absolute URL for a normalised href (quoted again for the wire)."""
        return urljoin(self.url, quote(path, safe="/@:+~!$&'()*,;="))

    def _request(
        self,
        method: str,
        url: str,
        body: bytes | str = "",
        headers: Mapping[str, str] | None = None,
        *,
        on_retry: Callable[[int], None] | None = None,
    ) -> Any:
        """One HTTP request with bounded retries on timeouts, dropped connections and 5xx.

        Failures that outlast the retries become one-line ProviderErrors; caldav's
        AuthorizationError (401/403) is re-raised for the caller, because a 403 can
        also mean an expired sync token or a refused component; other statuses are
        returned for the caller to interpret.
        """
        client = self._connect()
        exc = _transport_exceptions()
        transient = (
            _Transient,
            exc.ConnectionError,
            exc.Timeout,
            exc.ChunkedEncodingError,
            self._errors.RateLimitError,
        )
        attempts = 0

        def once() -> Any:
            nonlocal attempts
            attempts += 1
            if attempts > 1 and on_retry:
                on_retry(attempts)
            self.throttle.wait()  # another thread heard "Retry-After": hold off too
            try:
                resp = client.request(url, method, body, dict(headers or {}))
            except exc.SSLError as e:
                raise _TLSFailure() from e  # a certificate problem does not heal by retrying
            except self._errors.RateLimitError as e:
                # 429/503 with Retry-After: fewer writes in flight, and every thread
                # waits what the server asks (within retry's budget).
                seconds = min(float(e.retry_after_seconds or 0), 30.0)
                self.throttle.slow_down(seconds)
                if seconds:
                    raise RetryAfter(seconds, e) from e
                raise
            if resp.status == 423 or resp.status >= 500:
                # A busy server: fewer writes in flight, and this one again after a
                # pause. 503 is "overloaded" (RFC 9110 15.6.4); Xandikos 0.4 answers
                # 423 Locked to a PUT, and 500 to a DELETE, that meets the git index
                # lock another write holds.
                self.throttle.slow_down()
                raise _Transient(resp.status, method)
            return resp

        try:
            return retry_call(once, retry_on=transient)
        except self._errors.AuthorizationError:
            raise  # interpreted by the caller (token refusal, component refusal, auth)
        except _TLSFailure:
            raise ProviderError(
                f"{self.describe()}: TLS failed (untrusted certificate, wrong host, or not an https server); "
                "check the url, or set verify_tls = false for a self-signed test server"
            ) from None
        except _Transient as e:
            what = "busy (HTTP 423 Locked)" if e.status == 423 else f"server error {e.status}"
            raise ProviderError(
                f"{self.describe()}: {what} on {method} after {attempts} attempts; try again later"
            ) from None
        except self._errors.RateLimitError:
            # RateLimited: a push stops writing at once instead of item after item.
            raise RateLimited(
                f"{self.describe()}: the server keeps asking to slow down (rate limit); "
                "try again later"
            ) from None
        except (exc.Timeout, exc.ConnectionError, exc.ChunkedEncodingError) as e:
            what = "timed out" if isinstance(e, exc.Timeout) else "cannot connect"
            raise ProviderError(
                f"{self.describe()}: {what} after {attempts} attempts; "
                "check that the server is running and the url is right"
            ) from None

    def _auth_error(self, e: Any, doing: str) -> ProviderError:
        """One line for a 401/403 (never the password)."""
        if getattr(e, "status", None) == 403:
            return ProviderAuthError(
                f"{self.describe()}: access forbidden (403) while {doing}; check that this "
                "account may use that calendar"
            )
        who = f"username {self.username!r} and" if self.username else "username and"
        return ProviderAuthError(
            f"{self.describe()}: the server refused the credentials (401) while {doing}; "
            f"check {who} the password (password_env / password_cmd)"
        )

    def _call(self, doing: str, method: str, url: str, body: bytes | str = "", **kw) -> Any:
        """`_request` for calls where any 401/403 means the account is refused."""
        try:
            return self._request(method, url, body, **kw)
        except Exception as e:
            if self._errors and isinstance(e, self._errors.AuthorizationError):
                raise self._auth_error(e, doing) from None
            raise

    # --- XML helpers -------------------------------------------------------------
    def _multistatus(self, resp: Any, doing: str) -> tuple[dict[str, _Entry], Any]:
        """href -> entry, plus the multistatus root (for sync-token)."""
        if resp.status not in (200, 207) or resp.tree is None:
            raise ProviderError(f"{self.describe()}: unexpected answer {resp.status} while {doing}")
        root = resp.tree
        entries: dict[str, _Entry] = {}
        for r in root.iter(f"{DAV}response"):
            href = r.findtext(f"{DAV}href")
            if href is None:
                continue
            entry = _Entry(status=_status_code(r.findtext(f"{DAV}status")) or 200)
            for ps in r.findall(f"{DAV}propstat"):
                if _status_code(ps.findtext(f"{DAV}status")) != 200:
                    continue
                prop = ps.find(f"{DAV}prop")
                if prop is None:
                    continue
                etag = prop.findtext(f"{DAV}getetag")
                if etag:
                    entry.etag = etag.strip()
                data = prop.findtext(f"{CAL}calendar-data")
                if data and data.strip():
                    entry.data = data
            entries[_path(href)] = entry
        return entries, root

    def _propfind(self, url: str, props: str, depth: int, doing: str) -> dict[str, Any]:
        resp = self._call(
            doing,
            "PROPFIND",
            url,
            _PROPFIND_BODY.format(props=props),
            headers={**XML_HEADERS, "Depth": str(depth)},
        )
        if resp.status == 404:
            return {}
        if resp.status not in (200, 207) or resp.tree is None:
            raise ProviderError(f"{self.describe()}: unexpected answer {resp.status} while {doing}")
        out: dict[str, Any] = {}
        for r in resp.tree.iter(f"{DAV}response"):
            href = r.findtext(f"{DAV}href")
            if href is None:
                continue
            merged: dict[str, Any] = {}
            for ps in r.findall(f"{DAV}propstat"):
                if _status_code(ps.findtext(f"{DAV}status")) == 200:
                    prop = ps.find(f"{DAV}prop")
                    if prop is not None:
                        for child in prop:
                            merged[child.tag] = child
            out[_path(href)] = merged
        return out

    # --- finding (or creating) the calendar ----------------------------------------
    def _calendar(self) -> str:
        """The calendar's absolute path, from the cached state or by discovery."""
        if self._calendar_url:
            return self._calendar_url
        state = self.context.state
        self._connect()  # RFC 6764 discovery may change self.url's host
        where = self.given_url if self.discover_url else url_without_credentials(self.url)
        key = f"{where}|{self.calendar_opt}|{self.component}"
        cached = state.get(STATE_CALENDAR)
        if cached and state.get(STATE_CALENDAR_FOR) == key:
            # Discovery costs 3 PROPFINDs; the cached URL lets a no-op push cost one REPORT.
            self._calendar_url = cached
            return cached
        info = self._discover()
        if state.get(STATE_CALENDAR) != info.url:
            # A token belongs to one collection: never apply it to another.
            for k in (STATE_TOKEN, STATE_CTAG, STATE_NO_SYNC, STATE_LISTED):
                state[k] = None
        state[STATE_CALENDAR] = info.url
        state[STATE_CALENDAR_FOR] = key
        self._calendar_url = info.url
        return info.url

    def _forget_calendar(self) -> None:
        self._calendar_url = None
        for k in (
            STATE_CALENDAR,
            STATE_CALENDAR_FOR,
            STATE_TOKEN,
            STATE_CTAG,
            STATE_NO_SYNC,
            STATE_LISTED,
        ):
            self.context.state[k] = None

    def _discover(self) -> _CalendarInfo:
        target = self.calendar_opt
        if target.startswith(("http://", "https://", "/")):
            url = _path(urljoin(self.url, target))
            if not url.endswith("/"):
                url += "/"
            found = self._calendars_at(url, depth=0)
            if url in found:
                return self._check_component(found[url])
            if not self.create_calendar:
                raise ProviderError(
                    f"{self.describe()}: no calendar at {url_without_credentials(self._abs(url))}; "
                    "check the calendar URL or set create = true"
                )
            return self._make_calendar(url, name=url.rstrip("/").rsplit("/", 1)[-1])

        home = self._calendar_home()
        calendars = self._calendars_at(home, depth=1)
        for info in calendars.values():
            if info.name == target:
                return self._check_component(info)
        if not self.create_calendar:
            names = ", ".join(repr(c.name or c.url) for c in calendars.values()) or "none"
            raise ProviderError(
                f"{self.describe()}: no calendar named {target!r} (found: {names}); "
                "set create = true to create it, or set calendar to an existing name or URL"
            )
        url = f"{home}{_slug(target)}/"
        if url in calendars or url in self._calendars_at(url, depth=0):
            url = f"{home}{_slug(target)}-{uuid.uuid4().hex[:8]}/"
        return self._make_calendar(url, name=target)

    def _calendar_home(self) -> str:
        """Principal, then calendar-home-set (RFC 4791 section 6.2.1)."""
        start = _path(self.url)
        props = self._propfind(self.url, "<D:current-user-principal/>", 0, "finding the principal")
        principal = start
        el = props.get(start, {}).get(f"{DAV}current-user-principal")
        if el is not None and el.findtext(f"{DAV}href"):
            principal = _path(el.findtext(f"{DAV}href"))
        props = self._propfind(
            self._abs(principal), "<C:calendar-home-set/>", 0, "finding the calendar home"
        )
        el = props.get(principal, {}).get(f"{CAL}calendar-home-set")
        if el is not None and el.findtext(f"{DAV}href"):
            return _path(el.findtext(f"{DAV}href"))
        return principal

    def _calendars_at(self, path: str, depth: int) -> dict[str, _CalendarInfo]:
        props = self._propfind(self._abs(path), _CALENDAR_PROPS, depth, "listing calendars")
        out = {}
        for href, p in props.items():
            rtype = p.get(f"{DAV}resourcetype")
            if rtype is None or rtype.find(f"{CAL}calendar") is None:
                continue
            comps_el = p.get(f"{CAL}supported-calendar-component-set")
            comps = (
                tuple(c.get("name", "").upper() for c in comps_el.findall(f"{CAL}comp"))
                if comps_el is not None
                else ()
            )
            name_el = p.get(f"{DAV}displayname")
            name = name_el.text if name_el is not None else None
            key = href if href.endswith("/") else href + "/"
            out[key] = _CalendarInfo(url=key, name=name, components=comps)
        return out

    def _check_component(self, info: _CalendarInfo) -> _CalendarInfo:
        # Radicale accepts a VEVENT in a VTODO-only calendar, Xandikos refuses it
        # (403): check the advertised set up front so both fail the same clear way.
        if info.components and self.component not in info.components:
            raise ProviderError(self._component_message(info.url, info.components))
        return info

    def _component_message(self, url: str, accepted: tuple[str, ...] = ()) -> str:
        kinds = "/".join(accepted) if accepted else "other components"
        return (
            f"{self.describe()}: calendar {url_without_credentials(self._abs(url))} does not accept "
            f"{self.component} items (it takes {kinds}); set component accordingly or "
            "use another calendar"
        )

    def _make_calendar(self, url: str, name: str) -> _CalendarInfo:
        body = _MKCALENDAR_BODY.format(name=escape(name), component=self.component)
        retried: list[int] = []

        def made_by_our_first_try() -> _CalendarInfo | None:
            # A retry after a lost answer finds our own first MKCALENDAR done
            # (Radicale 409, Xandikos 403, others 405): that is success, not "create
            # it in your calendar app" or "access forbidden".
            if not retried:
                return None
            found = self._calendars_at(url, depth=0).get(url)
            return self._check_component(found) if found and found.name == name else None

        try:
            resp = self._request("MKCALENDAR", self._abs(url), body, on_retry=retried.append)
        except self._errors.AuthorizationError as e:
            if made := made_by_our_first_try():
                return made
            raise self._auth_error(e, "creating the calendar") from None
        if resp.status not in (200, 201) and (made := made_by_our_first_try()):
            return made
        if resp.status not in (200, 201):
            raise ProviderError(
                f"{self.describe()}: could not create calendar {name!r} "
                f"(HTTP {resp.status}); create it in your calendar app and set calendar"
            )
        self._log(f"created calendar {name!r} at {url_without_credentials(self._abs(url))}")
        return _CalendarInfo(url=url, name=name, components=(self.component,))

    # --- listing -------------------------------------------------------------------
    def list_items(self, known: Mapping[str, RemoteItem]) -> dict[str, RemoteItem]:
        try:
            return self._list(known)
        except _CalendarGone:
            # Deleted (or moved) since we cached its URL: discover again once.
            self._forget_calendar()
            return self._list(known)

    def _list(self, known: Mapping[str, RemoteItem]) -> dict[str, RemoteItem]:
        cal = self._calendar()
        state = self.context.state
        if state.get(STATE_NO_SYNC):
            return self._list_by_query(cal, known)
        token = state.get(STATE_TOKEN)
        if token and known:
            try:
                delta, new_token = self._sync(cal, token)
            except _InvalidToken:
                # Radicale 403 / Xandikos 412: the server forgot the token. Never let
                # caldav fall back silently (deletions would vanish): list fully here.
                self._log(f"{self.describe()}: sync token expired; doing a full listing")
            else:
                return self._remember(self._apply_delta(known, delta), new_token)
        try:
            entries, new_token = self._sync(cal, "")
        except _NoSyncCollection:
            state[STATE_NO_SYNC] = "1"
            state[STATE_TOKEN] = None
            return self._list_by_query(cal, {})
        return self._remember(self._apply_delta({}, entries), new_token)

    def _remember(self, result: dict[str, RemoteItem], token: str) -> dict[str, RemoteItem]:
        """Keep the token and which (href, ETag) pairs it vouches for."""
        self.context.state[STATE_TOKEN] = token
        self.context.state[STATE_LISTED] = " ".join(sorted(_digest(r) for r in result.values()))
        return result

    def _sync(self, cal: str, token: str) -> tuple[dict[str, _Entry], str]:
        """sync-collection REPORT (RFC 6578), following truncated pages."""
        collected: dict[str, _Entry] = {}
        for _ in range(MAX_SYNC_PAGES):
            body = _SYNC_BODY.format(token=escape(token))
            try:
                resp = self._request(
                    "REPORT", self._abs(cal), body, headers={**XML_HEADERS, "Depth": "1"}
                )
            except self._errors.AuthorizationError as e:
                # Radicale refuses an unknown token with 403 + DAV:valid-sync-token.
                if token and (
                    f"{DAV}valid-sync-token" in (e.preconditions or []) or e.status == 403
                ):
                    raise _InvalidToken() from None
                raise self._auth_error(e, "listing the calendar") from None
            if resp.status == 404:
                raise _CalendarGone()
            if resp.status in (409, 412) and token:
                raise _InvalidToken()  # Xandikos: 412 for an unknown token
            if resp.status in (400, 403, 405, 412, 415, 501) and not token:
                raise _NoSyncCollection()
            entries, root = self._multistatus(resp, "listing the calendar")
            new_token = root.findtext(f"{DAV}sync-token") or token
            cal_entry = entries.pop(cal, None)
            collected.update(entries)
            truncated = cal_entry is not None and cal_entry.status == 507
            if not truncated or new_token == token:
                return collected, new_token
            token = new_token
        return collected, token

    def _list_by_query(self, cal: str, known: Mapping[str, RemoteItem]) -> dict[str, RemoteItem]:
        """For servers without sync-collection: skip the listing while the ctag is unchanged."""
        state = self.context.state
        props = self._propfind(self._abs(cal), "<CS:getctag/>", 0, "reading the calendar ctag")
        if not props:
            raise _CalendarGone()
        el = props.get(cal, {}).get(f"{CS}getctag")
        ctag = el.text if el is not None else None
        listed = set((state.get(STATE_LISTED) or "").split())
        if (
            known
            and ctag
            and state.get(STATE_CTAG) == ctag
            and all(_digest(r) in listed for r in known.values())
        ):
            return dict(known)
        resp = self._call(
            "listing the calendar",
            "REPORT",
            self._abs(cal),
            _QUERY_BODY,
            headers={**XML_HEADERS, "Depth": "1"},
        )
        entries, _ = self._multistatus(resp, "listing the calendar")
        entries.pop(cal, None)
        result = self._apply_delta({}, entries)
        state[STATE_CTAG] = ctag
        state[STATE_LISTED] = " ".join(sorted(_digest(r) for r in result.values()))
        return result

    def _apply_delta(
        self, known: Mapping[str, RemoteItem], delta: Mapping[str, _Entry]
    ) -> dict[str, RemoteItem]:
        """`known` brought up to date with a sync delta; equals a full listing.

        An item absent from the delta is unchanged only if the last listing saw it
        with that ETag. Items written after that listing must show up in the delta;
        if one does not, it was created and deleted since (RFC 6578 lets the server
        omit it: Xandikos does), so it is read again instead of assumed present.
        """
        listed = set((self.context.state.get(STATE_LISTED) or "").split())
        by_ref = {r.ref: r for r in known.values()}
        result: dict[str, RemoteItem] = {}
        fetch: list[str] = []
        for r in known.values():
            if r.ref in delta:
                continue
            if _digest(r) in listed:
                result[r.uid] = r
            else:
                fetch.append(r.ref)
        for href, entry in delta.items():
            if entry.status == 404:
                continue  # deleted
            old = by_ref.get(href)
            if old is not None and entry.etag and entry.etag == old.etag:
                result[old.uid] = old  # our own write, recorded with this ETag
            elif entry.data is not None:
                self._absorb(result, href, entry)
            else:
                fetch.append(href)
        if fetch:
            got = self._multiget(fetch)
            for href in fetch:
                # RFC 4791 7.9: a multiget answers every href; a 404 (or none) is gone.
                entry = got.get(href)
                if entry is not None:
                    self._absorb(result, href, entry)
        return result

    def _absorb(self, result: dict[str, RemoteItem], href: str, entry: _Entry) -> None:
        if entry.status == 404 or entry.data is None:
            return
        remote = self._parse(entry.data, href, entry.etag)
        if remote is not None:
            result[remote.uid] = remote

    def _multiget(self, hrefs: list[str]) -> dict[str, _Entry]:
        body = _MULTIGET_BODY.format(
            hrefs="".join(f"<D:href>{escape(quote(h, safe='/@:+'))}</D:href>" for h in hrefs)
        )
        resp = self._call(
            "reading changed items",
            "REPORT",
            self._abs(self._calendar()),
            body,
            headers={**XML_HEADERS, "Depth": "1"},
        )
        entries, _ = self._multistatus(resp, "reading changed items")
        return entries

    def _parse(self, data: str, href: str, etag: str | None) -> RemoteItem | None:
        import icalendar

        try:
            cal = icalendar.Calendar.from_ical(data)
        except ValueError:
            return None  # not ours to judge; a foreign object we cannot read
        for comp in ical.components_of(cal):
            # A recurrence override shares the UID; the master carries our data.
            if comp.get("RECURRENCE-ID") is None:
                return ical.remote_from_component(comp, ref=href, etag=etag, tz=self.tz)
        return None

    # --- reading the user's calendar (capture) ---------------------------------------
    def read_calendar(self, start: datetime, end: datetime) -> list[str]:
        """The calendar objects with a VEVENT overlapping [start, end): one
        calendar-query REPORT, read-only (capture judges them on the client).

        A day more each side: servers compare floating and all-day times as UTC
        (RFC 4791 9.9); capture/events.py cuts the window exactly.
        """
        cal = self._calendar()

        def stamp(moment: datetime) -> str:
            return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

        body = _WINDOW_BODY.format(
            start=stamp(start - timedelta(days=1)), end=stamp(end + timedelta(days=1))
        )
        resp = self._call(
            "reading the calendar",
            "REPORT",
            self._abs(cal),
            body,
            headers={**XML_HEADERS, "Depth": "1"},
        )
        if resp.status == 404:
            self._forget_calendar()
            raise ProviderError(f"{self.describe()}: the calendar is gone (404); check calendar")
        entries, _ = self._multistatus(resp, "reading the calendar")
        entries.pop(cal, None)
        return [e.data for e in entries.values() if e.status != 404 and e.data]

    # --- writes --------------------------------------------------------------------
    def _remote_for(self, item: PushItem, ref: str, etag: str | None) -> RemoteItem:
        # Read back from the component we rendered, so it equals what a listing returns.
        comp = ical.render_component(item, self.component)
        return ical.remote_from_component(comp, ref=ref, etag=etag, tz=self.tz)

    def _put(self, item: PushItem, ref: str, precondition: dict[str, str], doing: str) -> Any:
        body = ical.resource_for_item(item, self.component)
        retried = False

        def note_retry(_attempt: int) -> None:
            nonlocal retried
            retried = True

        try:
            resp = self._request(
                "PUT",
                self._abs(ref),
                body,
                headers={**ICAL_HEADERS, **precondition},
                on_retry=note_retry,
            )
        except self._errors.AuthorizationError as e:
            pre = e.preconditions or []
            if f"{CAL}supported-calendar-component" in pre:
                # Xandikos: 403 for a VEVENT in a VTODO-only calendar.
                raise ProviderError(self._component_message(self._calendar())) from None
            raise self._auth_error(e, doing) from None
        if resp.status in (409, 412) and retried:
            # A retry after a lost answer finds our own first write: that is success.
            now = self._get(ref)
            if now is not None and now.content_hash == item.content_hash:
                return now
        if resp.status in (404, 409, 412):
            raise ConflictError(
                f"{self.describe()}: {item.uid} changed on the server since the last push "
                f"(HTTP {resp.status}); left as the server has it"
            )
        if resp.status == 415 or resp.status == 403:
            raise ProviderError(self._component_message(self._calendar()))
        if resp.status not in (200, 201, 204):
            raise ProviderError(
                f"{self.describe()}: the server refused {item.uid} (HTTP {resp.status})"
            )
        etag = resp.headers.get("ETag")
        if not etag or etag.startswith("W/"):
            # RFC 4791 5.3.4: a server that altered the data sends no (strong) ETag;
            # fetch it, or the next update could not be conditional.
            now = self._get(ref)
            etag = now.etag if now is not None else None
        return self._remote_for(item, ref, etag)

    def _get(self, ref: str) -> RemoteItem | None:
        resp = self._call("reading an item", "GET", self._abs(ref))
        if resp.status != 200:
            return None
        return self._parse(resp.raw, ref, resp.headers.get("ETag"))

    def create(self, item: PushItem) -> RemoteItem:
        ref = f"{self._calendar()}{item.uid}.ics"
        # If-None-Match: * never overwrites; the same UID at another href is a
        # 409 (Radicale) or 412 (Xandikos): both mean "already there".
        return self._put(item, ref, {"If-None-Match": "*"}, "creating an item")

    def update(self, item: PushItem, current: RemoteItem) -> RemoteItem:
        if not current.etag:
            raise ConflictError(
                f"{self.describe()}: no ETag known for {item.uid}; list before updating"
            )
        # If-Match on the ETag (not the Schedule-Tag Xandikos also sends, which
        # would let a stale write through).
        return self._put(item, current.ref, {"If-Match": current.etag}, "updating an item")

    def delete(self, current: RemoteItem) -> None:
        headers = {"If-Match": current.etag} if current.etag else {}
        try:
            resp = self._request("DELETE", self._abs(current.ref), headers=headers)
        except self._errors.AuthorizationError as e:
            raise self._auth_error(e, "deleting an item") from None
        if resp.status in (200, 204, 404, 410):
            return  # gone either way
        if resp.status == 412:
            if self._get(current.ref) is None:
                return  # If-Match on a missing resource fails too (RFC 9110 13.1.1)
            raise ConflictError(
                f"{self.describe()}: {current.uid} changed on the server since the last push; "
                "not deleted"
            )
        raise ProviderError(
            f"{self.describe()}: could not delete {current.uid} (HTTP {resp.status})"
        )


class _CalendarGone(Exception):
    """The cached calendar URL answered 404."""


def _status_code(text: str | None) -> int | None:
    # "HTTP/1.1 404 Not Found" -> 404
    if not text:
        return None
    parts = text.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
