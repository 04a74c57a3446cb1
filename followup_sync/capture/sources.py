"""Where `capture` reads: `[capture.sources.NAME]` tables and `--file` invitations.

Configured like providers (declared `Option`s, validated before anything is
read, secrets from `X_env` / `X_cmd` / the keyring):

- `type = "caldav"` (or any provider type that is a `CalendarReader`): one
  time-range REPORT on the calendar named by `calendar`; `provider = "NAME"`
  reuses `[providers.NAME]`'s server, username and password.
- `type = "imap"` (usually `provider = "mail"`, the mailbox of the mail
  issue): the text/calendar parts of invitation emails received in the window
  (providers/followup_sync_imap/invites.py), read without touching \\Seen.
- `type = "ics_url"`: an https URL (Google's secret address, an Outlook
  published calendar), a secret like a password (`url_env`, `url_cmd`). The
  feed is fetched whole: it has no time-range query, and Google's changes on
  every fetch (DTSTAMP), so a conditional GET would never save anything.
- `type = "file"`: an .ics file (an export, or what a sync tool writes).
- `--file PATH`: an invitation (`.ics`, or a saved email whose text/calendar
  part is the invitation, METHOD:REQUEST).

A source reports how long it waited on the network, so the benchmark can tell
our time from the server's.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from .. import secrets
from ..config import Settings
from ..errors import ConfigError, FollowupError, ProviderAuthError, ProviderError, UserInputError
from ..provider import CalendarReader, MemoryState, Option, ProviderContext, validate_options
from .events import Window

#: The biggest feed we download (Google secret-address feeds of long-lived
#: accounts reach tens of megabytes: Vexa-ai/vexa#1182 raised its cap to 25 MB).
MAX_FEED_BYTES = 64 * 1024 * 1024
FILE_SOURCE_PREFIX = "file:"


@dataclass
class Fetched:
    """What one source returned: iCalendar texts, and how long the source took."""

    items: list[str | bytes]
    #: True: each item is one calendar object (a CalDAV resource); False: whole feeds.
    objects: bool
    seconds: float = 0.0


class Source(abc.ABC):
    """One place capture reads."""

    name: str
    kind: str = ""
    #: Key/value state kept between runs (a CalDAV calendar's URL).
    state: MemoryState
    #: An added interview missing from a complete source was deleted there; a
    #: mailbox is not complete (the user deletes invitations they answered).
    complete: bool = True

    @abc.abstractmethod
    def describe(self) -> str: ...

    @abc.abstractmethod
    def fetch(self, window: Window) -> Fetched: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


# --- an ICS URL --------------------------------------------------------------------------
def _scheme_problem(url: str) -> str | None:
    if not url.strip().lower().startswith(("https://", "http://", "webcal://", "webcals://")):
        return "must be an https:// (or webcal://) address"
    return None


class ICSURLSource(Source):
    kind = "ics_url"
    type = "ics_url"
    options: ClassVar[dict[str, Option]] = {
        "url": Option(
            str,
            secret=True,
            required=True,
            help="the calendar's secret address; better url_env or url_cmd",
            check=_scheme_problem,
        ),
        "timeout": Option(
            (int, float),
            default=60,
            help="seconds for the whole download",
            check=lambda v: None if v > 0 else "must be a positive number of seconds",
        ),
    }

    def __init__(self, name: str, options: Mapping[str, Any], owner: str):
        self.name = name
        self.opts = dict(options)
        self.owner = owner
        self.state = MemoryState()
        self._host = ""
        self._resolved: str | None = None

    def describe(self) -> str:
        host = f" at {self._host}" if self._host else ""
        return f"ICS URL source {self.name!r}{host}"

    def prepare(self) -> None:
        """Resolve the address now: a missing url_env is a config error before any read."""
        self._url()

    def _url(self) -> str:
        # Resolved once: url_cmd may be `pass show ...`, which asks for a passphrase.
        if self._resolved is None:
            self._resolved = self._resolve_url()
        return self._resolved

    def _resolve_url(self) -> str:
        url = secrets.resolve("url", self.opts, self.owner)
        if not url:
            raise ConfigError(f"[capture.sources.{self.name}] needs url (or url_env / url_cmd)")
        url = url.strip()
        if problem := _scheme_problem(url):
            raise ConfigError(f"[capture.sources.{self.name}] url {problem}")
        if url.lower().startswith("webcal"):
            url = "https" + url[len("webcal") :].removeprefix("s")  # webcal(s):// is https
        from urllib.parse import urlsplit

        # Only scheme and host ever reach a message: the path holds the secret.
        parts = urlsplit(url)
        self._host = f"{parts.scheme}://{parts.hostname or '?'}"
        return url

    def fetch(self, window: Window) -> Fetched:
        import http.client
        import urllib.error
        import urllib.request

        from ..retry import retry_call

        url = self._url()
        request = urllib.request.Request(
            url,
            headers={"User-Agent": "followup-sync (capture)", "Accept": "text/calendar, */*"},
        )
        timeout = float(self.opts.get("timeout") or 60)

        class Transient(Exception):
            pass

        def once() -> bytes:
            try:
                with urllib.request.urlopen(request, timeout=timeout) as resp:
                    data = resp.read(MAX_FEED_BYTES + 1)
            except urllib.error.HTTPError as e:
                if e.code >= 500 or e.code == 429:
                    raise Transient(f"HTTP {e.code}") from None
                raise _http_error(self, e.code) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                raise Transient(_reason(e)) from None
            except (http.client.HTTPException, OSError) as e:
                raise Transient(type(e).__name__) from None
            return data

        started = time.perf_counter()
        try:
            data = retry_call(once, retry_on=(Transient,), attempts=3, max_total_wait=10)
        except Transient as e:
            raise ProviderError(
                f"{self.describe()}: {e} (after 3 attempts); try again later"
            ) from None
        seconds = time.perf_counter() - started
        if len(data) > MAX_FEED_BYTES:
            raise ProviderError(
                f"{self.describe()}: the calendar is larger than {MAX_FEED_BYTES // 2**20} MB"
            )
        if b"BEGIN:VCALENDAR" not in data[:65536].upper():
            raise ProviderError(
                f"{self.describe()}: the address did not return a calendar"
                " (is it the secret address in iCal format?)"
            )
        return Fetched([data], objects=False, seconds=seconds)


def _http_error(source: ICSURLSource, code: int) -> ProviderError:
    if code in (401, 403, 404, 410):
        return ProviderAuthError(
            f"{source.describe()}: the address was refused (HTTP {code}); it may have been"
            " reset: copy the current secret address into url_env / url_cmd"
        )
    return ProviderError(f"{source.describe()}: HTTP {code}")


def _reason(e: BaseException) -> str:
    # Never str(e): some carry the URL.
    reason = getattr(e, "reason", e)
    if isinstance(reason, TimeoutError) or "timed out" in type(reason).__name__.lower():
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, OSError) and getattr(reason, "errno", None) in (-2, -3, -5):
        return "unknown host"
    return f"cannot connect ({type(reason).__name__})"


# --- a file ------------------------------------------------------------------------------
class FileSource(Source):
    kind = "file"
    type = "file"
    options: ClassVar[dict[str, Option]] = {
        "path": Option(str, required=True, help="an .ics file (an export, a sync tool's file)"),
    }

    def __init__(self, name: str, path: Path, *, given: bool = False):
        self.name = name
        self.path = Path(path).expanduser()
        self.given = given  # --file on the command line (input), not a configured source
        self.state = MemoryState()

    def describe(self) -> str:
        return f"file {self.path}" if self.given else f"file source {self.name!r} ({self.path})"

    def _fail(self, message: str) -> Exception:
        return UserInputError(message) if self.given else ProviderError(message)

    def fetch(self, window: Window) -> Fetched:
        started = time.perf_counter()
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise self._fail(f"no such file: {self.path}") from None
        except IsADirectoryError:
            raise self._fail(f"{self.path} is a folder, not an .ics file") from None
        except OSError as e:
            raise self._fail(f"cannot read {self.path}: {e.strerror}") from None
        items = invitation_parts(data)
        if not items:
            raise self._fail(
                f"{self.path} is not an iCalendar file (nor an email with an invitation)"
            )
        return Fetched(items, objects=False, seconds=time.perf_counter() - started)


def invitation_parts(data: bytes) -> list[bytes]:
    """The iCalendar data in `data`: the file itself, or the text/calendar parts of a
    saved email (iMIP, RFC 6047: the invitation rides as METHOD:REQUEST)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if head.startswith(b"BEGIN:VCALENDAR"):
        return [data]
    if b"BEGIN:VCALENDAR" not in data.upper() and b"TEXT/CALENDAR" not in data.upper():
        return []
    import email
    import email.policy

    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
    except (ValueError, TypeError, IndexError):
        return []
    parts = []
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype in ("text/calendar", "application/ics") or (
            part.get_filename() or ""
        ).lower().endswith(".ics"):
            try:
                payload = part.get_payload(decode=True)
            except (ValueError, TypeError):
                continue
            if payload and b"BEGIN:VCALENDAR" in payload.upper():
                parts.append(payload)
    # The same invitation is often both inline and attached: read it once.
    return list(dict.fromkeys(parts))


# --- a provider that can read its calendar (CalDAV) -------------------------------------------
class ReaderSource(Source):
    """A `CalendarReader` provider (caldav) used read-only."""

    def __init__(self, name: str, reader: Any, kind: str):
        self.name = name
        self.reader = reader
        self.kind = kind
        self.state = reader.context.state
        self.complete = bool(getattr(reader, "lists_every_event", True))

    def describe(self) -> str:
        return f"capture source {self.name!r} ({self.reader.describe()})"

    def fetch(self, window: Window) -> Fetched:
        started = time.perf_counter()
        try:
            items = self.reader.read_calendar(window.since, window.until)
        except FollowupError as e:
            # The provider's message names its server; say which source it is.
            raise type(e)(
                f"capture source {self.name!r}: {e.message}", exit_code=e.exit_code
            ) from None
        return Fetched(list(items), objects=True, seconds=time.perf_counter() - started)

    def close(self) -> None:
        self.reader.close()


_BUILTIN = {"ics_url": ICSURLSource, "file": FileSource}
#: Keys of a reused provider that describe where it pushes, not what capture reads.
_PUSH_ONLY = ("calendar", "create", "component", "type")


def source_configs(settings: Settings) -> dict[str, dict[str, Any]]:
    return settings.capture.sources


def build_sources(
    settings: Settings,
    data_dir: Path,
    names: Sequence[str] = (),
    state: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Source]:
    """The configured sources (all, or those named), each validated: every mistake is
    a ConfigError before anything is read."""
    configs = source_configs(settings)
    for n in names:
        if n not in configs:
            have = ", ".join(configs) or "none"
            raise ConfigError(f"no capture source {n!r} in the config (have: {have})")
    built: list[Source] = []
    try:
        for name, table in configs.items():
            if names and name not in names:
                continue
            built.append(_build(name, table, settings, data_dir, (state or {}).get(name, {})))
    except BaseException:
        for source in built:
            source.close()
        raise
    return built


def _build(
    name: str,
    table: Mapping[str, Any],
    settings: Settings,
    data_dir: Path,
    saved: Mapping[str, str],
) -> Source:
    where = f"[capture.sources.{name}]"
    reused = table.get("provider")
    base: dict[str, Any] = {}
    if reused is not None:
        if not isinstance(reused, str) or reused not in settings.providers:
            have = ", ".join(settings.providers) or "none"
            raise ConfigError(
                f"{where} provider {reused!r} is not a [providers.NAME] (have: {have})"
            )
        base = {k: v for k, v in settings.providers[reused].items() if k not in _PUSH_ONLY}
        kind = str(table.get("type") or settings.providers[reused]["type"])
        if kind != settings.providers[reused]["type"]:
            raise ConfigError(
                f"{where} type {kind!r} differs from [providers.{reused}]'s"
                f" {settings.providers[reused]['type']!r}"
            )
    else:
        if "type" not in table:
            raise ConfigError(
                f'{where} needs a type: "caldav", "imap", "ics_url" or "file"'
                ' (or provider = "NAME" to read a configured CalDAV account or mailbox)'
            )
        kind = str(table["type"])
    options = {**base, **{k: v for k, v in table.items() if k != "provider"}}
    options["type"] = kind
    if kind in _BUILTIN:
        cls = _BUILTIN[kind]
        opts = validate_options(name, cls, options, where=where)
        if cls is FileSource:
            return FileSource(name, Path(opts["path"]))
        return ICSURLSource(name, opts, owner=name)
    from ..registry import provider_class, provider_types

    if kind not in provider_types():
        readers = [t for t in provider_types() if _is_reader(t)]
        raise ConfigError(
            f"{where} has unknown type {kind!r} (capture reads: ics_url, file, {', '.join(readers)})"
        )
    cls = provider_class(kind)
    if not (isinstance(cls, type) and issubclass(cls, CalendarReader)):
        raise ConfigError(
            f"{where}: a {kind!r} provider cannot read a calendar"
            " (capture reads caldav, imap, ics_url and file sources)"
        )
    if "calendar" in cls.options and "calendar" not in table:
        raise ConfigError(f"{where} needs calendar: the calendar to read (display name or URL)")
    # Read-only: never create a calendar, read events.
    if "create" in cls.options:
        options["create"] = False
    if "component" in cls.options:
        options["component"] = "VEVENT"
    validate_options(name, cls, options, where=where)
    owner = reused or name
    context = ProviderContext(
        user=settings.user,
        data_dir=data_dir,
        state=MemoryState(saved),
        secret=lambda prefix: secrets.resolve(prefix, options, owner),
    )
    return ReaderSource(name, cls(name, options, context), kind)


def _is_reader(type_name: str) -> bool:
    from ..registry import provider_class

    try:
        cls = provider_class(type_name)
    except ConfigError:
        return False
    return isinstance(cls, type) and issubclass(cls, CalendarReader)


def file_sources(paths: Sequence[Path]) -> list[Source]:
    return [FileSource(f"{FILE_SOURCE_PREFIX}{Path(p).name}", Path(p), given=True) for p in paths]
