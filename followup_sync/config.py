"""TOML config -> typed settings. Unknown keys are an error that names them."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .models import Channel, Rules, User

APP_NAME = "followup-sync"


def default_config_path() -> Path:
    env = os.environ.get("FOLLOWUP_SYNC_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def default_data_dir() -> Path:
    env = os.environ.get("FOLLOWUP_SYNC_DATA_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def system_timezone() -> str:
    """The system's IANA zone name: $TZ, then /etc/localtime's link target, else UTC."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and _valid_zone(tz):
        return tz
    try:
        target = os.readlink("/etc/localtime")
        name = target.split("zoneinfo/", 1)[1]
        if _valid_zone(name):
            return name
    except (OSError, IndexError):
        pass
    return "UTC"


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    # OSError: a name longer than the file system allows (ENAMETOOLONG).
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)"
        ) from None


@dataclass(frozen=True)
class FeedSettings:
    host: str = "127.0.0.1"
    port: int = 8765
    base_url: str = ""  # public URL when behind a proxy, e.g. https://cal.example.com
    name: str = "Job follow-ups"


@dataclass(frozen=True)
class ImportSettings:
    # Slashed dates like 03/04/2026 in spreadsheets: True = day first (most of the
    # world), False = month first (US); None = ask (an ambiguous date is an error).
    dayfirst: bool | None = None


@dataclass(frozen=True)
class CaptureSettings:
    """`[capture]`: who the user is beyond [user] email, and where to look (docs/capture.md)."""

    aliases: tuple[str, ...] = ()  # other addresses (and login names) of the user
    my_domains: tuple[str, ...] = ()  # the current employer: interviews given there are skipped
    past_days: int = 60
    ahead_days: int = 30
    #: [capture.sources.NAME] tables, validated when a capture builds them.
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    user: User = field(default_factory=lambda: User(timezone=system_timezone()))
    rules: Rules = field(default_factory=Rules)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    feed: FeedSettings = field(default_factory=FeedSettings)
    imports: ImportSettings = field(default_factory=ImportSettings)
    capture: CaptureSettings = field(default_factory=CaptureSettings)
    path: Path | None = None

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.user.timezone)

    @property
    def templates_dir(self) -> Path | None:
        if self.path is None:
            return None
        d = self.path.parent / "templates"
        return d if d.is_dir() else None


_TOP = {"user", "rules", "providers", "feed", "import", "capture"}


def check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    """A ConfigError naming every key of `table` that is not in `allowed`."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        # A quoted key may hold "\r" or ESC: show those escaped, never raw on a terminal.
        shown = ", ".join(k if k.isprintable() else repr(k) for k in unknown)
        raise ConfigError(
            f"unknown key{'s' if len(unknown) > 1 else ''} in {where}: {shown}"
            f" (allowed: {', '.join(sorted(allowed))})"
        )


def _typed(value: Any, kind: type | tuple, where: str) -> Any:
    if kind is bool and not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false")
    if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise ConfigError(f"{where} must be a whole number")
    if kind is str and not isinstance(value, str):
        raise ConfigError(f"{where} must be a string")
    return value


def parse_rules(table: dict) -> Rules:
    names = {f.name for f in fields(Rules)}
    check_keys(table, names, "[rules]")
    defaults = Rules()
    values: dict[str, Any] = {}
    for f in fields(Rules):
        if f.name not in table:
            continue
        raw = table[f.name]
        where = f"[rules] {f.name}"
        if f.name == "send_time":
            raw = _parse_time(raw, where)
        elif f.name == "later_channel":
            try:
                raw = Channel(raw)
            except ValueError:
                raise ConfigError(f"{where} must be one of: email, phone") from None
        else:
            raw = _typed(raw, type(getattr(defaults, f.name)), where)
        values[f.name] = raw
    rules = replace(defaults, **values)
    for name in ("first_nudge_days", "after_reply_by_days", "repeat_days", "move_on_days"):
        if not 0 <= getattr(rules, name) <= 365:
            raise ConfigError(f"[rules] {name} must be between 0 and 365")
    if rules.repeat_days < 1 or rules.move_on_days < 1:
        raise ConfigError("[rules] repeat_days and move_on_days must be at least 1")
    if not 1 <= rules.max_nudges <= 10:
        raise ConfigError("[rules] max_nudges must be between 1 and 10")
    if not 1 <= rules.duration_minutes <= 24 * 60:
        raise ConfigError("[rules] duration_minutes must be between 1 and 1440")
    if not 0 <= rules.alarm_minutes <= 7 * 24 * 60:
        raise ConfigError("[rules] alarm_minutes must be between 0 and 10080")
    if rules.holidays:
        from .rules import validate_holidays

        try:
            validate_holidays(rules.holidays)
        except ValueError as e:
            raise ConfigError(f"[rules] holidays: {e}") from None
    return rules


def _parse_time(raw: Any, where: str) -> time:
    if isinstance(raw, time):
        return raw
    try:
        return time.fromisoformat(str(raw))
    except ValueError:
        raise ConfigError(f'{where} must be a time like "09:30"') from None


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where} must be a list of strings, e.g. ["a", "b"]')
    return tuple(v.strip() for v in value if v.strip())


def parse_capture(table: dict) -> CaptureSettings:
    check_keys(table, {"aliases", "my_domains", "past_days", "ahead_days", "sources"}, "[capture]")
    aliases = tuple(a.lower() for a in _string_list(table.get("aliases", []), "[capture] aliases"))
    my_domains = tuple(
        d.lower().lstrip("@").rstrip(".")
        for d in _string_list(table.get("my_domains", []), "[capture] my_domains")
    )
    for d in my_domains:
        if "." not in d or "@" in d or " " in d:
            raise ConfigError(f"[capture] my_domains: {d!r} is not a domain (e.g. initrode.com)")
    days = {}
    for key, default in (("past_days", 60), ("ahead_days", 30)):
        value = _typed(table.get(key, default), int, f"[capture] {key}")
        if not 0 <= value <= 3650:
            raise ConfigError(f"[capture] {key} must be between 0 and 3650")
        days[key] = value
    sources = table.get("sources", {})
    if not isinstance(sources, dict):
        raise ConfigError("[capture] sources must be tables ([capture.sources.NAME])")
    for name, source in sources.items():
        if not isinstance(source, dict):
            raise ConfigError(f"[capture.sources.{name}] must be a table")
    return CaptureSettings(aliases, my_domains, days["past_days"], days["ahead_days"], sources)


def parse_settings(data: dict, path: Path | None = None) -> Settings:
    check_keys(data, _TOP, "the config file")
    for section in _TOP:
        # `user = 1` or `feed = [1]` is a mistake to name, not a TypeError later.
        if not isinstance(data.get(section, {}), dict):
            raise ConfigError(f"{section} must be a table ([{section}])")
    user_t = data.get("user", {})
    check_keys(user_t, {"name", "email", "timezone"}, "[user]")
    for k, v in user_t.items():
        _typed(v, str, f"[user] {k}")
    tzname = user_t.get("timezone") or system_timezone()
    zone(tzname)
    user = User(name=user_t.get("name", ""), email=user_t.get("email", ""), timezone=tzname)
    rules = parse_rules(data.get("rules", {}))
    providers = data.get("providers", {})
    for name, table in providers.items():
        if not isinstance(table, dict):
            raise ConfigError(f"[providers.{name}] must be a table")
        if "type" not in table:
            raise ConfigError(f'[providers.{name}] needs a type, e.g. type = "ics"')
    feed_t = data.get("feed", {})
    check_keys(feed_t, {f.name for f in fields(FeedSettings)}, "[feed]")
    for f in fields(FeedSettings):
        # Typed like [rules]: `base_url = [1]` would otherwise fail in `feed url`.
        if f.name in feed_t:
            _typed(feed_t[f.name], type(f.default), f"[feed] {f.name}")
    if not 0 <= feed_t.get("port", 0) <= 65535:
        raise ConfigError("[feed] port must be between 0 and 65535")
    feed = FeedSettings(**feed_t)
    import_t = data.get("import", {})
    check_keys(import_t, {"dayfirst"}, "[import]")
    if "dayfirst" in import_t:
        _typed(import_t["dayfirst"], bool, "[import] dayfirst")
    imports = ImportSettings(dayfirst=import_t.get("dayfirst"))
    capture = parse_capture(data.get("capture", {}))
    return Settings(
        user=user,
        rules=rules,
        providers=providers,
        feed=feed,
        imports=imports,
        capture=capture,
        path=path,
    )


def load_settings(path: Path) -> Settings:
    """Settings from `path`; a missing file means defaults."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(path=path)
    except OSError as e:
        raise ConfigError(f"cannot read config {path}: {e.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"config {path}: {e}") from None
    except (ValueError, RecursionError) as e:
        # tomllib raises a plain ValueError for an integer over Python's 4300-digit
        # limit and recurses per nesting level: both are config mistakes to name.
        detail = "nested too deeply" if isinstance(e, RecursionError) else str(e)
        raise ConfigError(f"config {path}: {detail}") from None
    return parse_settings(data, path)


STARTER_CONFIG = """\
# followup-sync configuration. Every key is optional; these are the defaults.

[user]
name = "{name}"                 # signs your follow-up emails
email = "{email}"               # From: of the .eml drafts
timezone = "{timezone}"   # IANA name; follow-ups land at send_time here

[rules]
# From the one-pager: with a stated reply-by date, follow up 2-3 days after it;
# otherwise a week to 10 days after the interview; then weekly; move on after 3.
first_nudge_days = 7            # after the interview, when no reply-by date was given
after_reply_by_days = 2         # after the stated reply-by date
repeat_days = 7                 # between nudges
max_nudges = 3                  # then a "move on" marker
move_on_days = 7                # after the last nudge
send_time = "09:30"             # local time for every item
workdays_only = true            # Saturday/Sunday move to Monday
holidays = ""                   # e.g. "US", "GB", "DE": skip that country's public holidays
later_channel = "email"         # nudges 2+ by "email" or "phone" (the first is always email)
thank_you = false               # a thank-you note on the interview day (not a follow-up)
duration_minutes = 15           # length of the calendar slot
alarm_minutes = 0               # reminder this many minutes before

[import]
# dayfirst = true               # 03/04/2026 in a spreadsheet is 3 April (false: March 4)

# Where follow-ups go. With no [providers.*] table, `push` writes followups.ics in
# the data dir and says where. Uncomment to choose the file yourself:
# [providers.calendar_file]
# type = "ics"
# path = "~/followups.ics"

# [providers.nextcloud]
# type = "caldav"
# url = "https://cloud.example.com/remote.php/dav"
# username = "alex"
# password_env = "NEXTCLOUD_APP_PASSWORD"
# calendar = "Job follow-ups"
# create = true
# component = "VEVENT"

# [providers.todoist]
# type = "todoist"
# token_env = "TODOIST_API_TOKEN"
# project = "Job search follow-ups"
# labels = ["follow-up"]

# Find your interviews in the calendars you already have (`followup-sync capture`;
# docs/capture.md). Nothing is recorded until you pick what to add.
# [capture]
# aliases = ["you@gmail.com"]     # your other addresses
# my_domains = ["yourjob.com"]    # your current employer: interviews you give there are skipped
#
# [capture.sources.google]        # Google: Settings > your calendar > Secret address in iCal format
# type = "ics_url"
# url_env = "GOOGLE_CALENDAR_ICS_URL"   # the address is a secret: url_env or url_cmd
#
# [capture.sources.work]          # a CalDAV calendar, through a provider's connection
# provider = "nextcloud"
# calendar = "Personal"

# Publish the feed where Google and Apple Calendar read it, laptop closed or not
# (`push` and `publish` upload it when it changes; `feed url` prints the URL;
# docs/feed.md sets the bucket or folder up).
# [providers.cloud]
# type = "s3"                       # pip install 'followup-sync[s3]'
# bucket = "alex-calendar"
# endpoint = "https://<account>.r2.cloudflarestorage.com"   # omit for AWS
# region = "auto"
# public_url = "https://pub-xxxx.r2.dev"
# access_key_id_env = "S3_ACCESS_KEY_ID"
# secret_access_key_env = "S3_SECRET_ACCESS_KEY"

# [providers.nextcloud_file]
# type = "webdav"
# url = "https://cloud.example.com/remote.php/dav/files/alex/followups/"
# username = "alex"
# password_env = "NEXTCLOUD_APP_PASSWORD"
# public_url = "https://cloud.example.com/s/<share>/download"   # the file's share link
"""
