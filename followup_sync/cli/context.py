"""What every command shares: the per-invocation context, parameter types, options.

Heavy modules (icalendar, caldav, todoist, dateparser) are imported inside the
code that needs them, so `--help`, `list` and `plan` start fast.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

if TYPE_CHECKING:
    from ..config import Settings
    from ..dates import Direction
    from ..desired import DesiredState
    from ..models import Application
    from ..store import Store

UTC = ZoneInfo("UTC")


class AppContext:
    """Per-invocation context: paths, settings and store, opened on first use."""

    def __init__(
        self,
        data_dir: Path | None,
        config: Path | None,
        today: str | None,
        no_color: bool = False,
    ):
        from ..config import default_config_path, default_data_dir

        self.data_dir = Path(data_dir).expanduser() if data_dir else default_data_dir()
        # --config or FOLLOWUP_SYNC_CONFIG: the user named a file, so it must exist.
        self.config_named = config is not None
        self.config_path = Path(config).expanduser() if config else default_config_path()
        self.today_given = today is not None
        self._today_text = today
        self._noted = False
        self.no_color = no_color

    def printer(self):
        """Where human output goes: coloured only at a terminal (see output.py)."""
        from .output import Printer, color_wanted, terminal_width

        return Printer(color_wanted(self.no_color), terminal_width())

    @cached_property
    def settings(self) -> Settings:
        from ..config import load_settings
        from ..errors import ConfigError

        if self.config_named and not self.config_path.exists():
            raise ConfigError(
                f"config file {self.config_path} does not exist; create it with"
                f" `followup-sync --config {self.config_path} init --name ... --timezone ...`"
            )
        return load_settings(self.config_path)

    def note_missing_config(self) -> None:
        """Once per command: without a config file, drafts are unsigned and times are UTC."""
        if self._noted or self.config_named or self.config_path.exists():
            return
        self._noted = True
        zone = self.settings.user.timezone
        click.echo(
            f"Note: no config at {self.config_path}, so drafts are signed without a name and"
            f" times use {zone}; set them with `followup-sync init --name NAME --email ADDRESS"
            " --timezone ZONE`.",
            err=True,
        )

    @cached_property
    def store(self) -> Store:
        from ..store import Store

        _ = self.settings  # a broken config is reported before anything is opened
        return Store.open(self.data_dir)

    @cached_property
    def today(self) -> date:
        now = datetime.now(self.settings.tz).date()
        if self._today_text:
            from ..dates import parse_day

            return parse_day(self._today_text, self.settings.tz, now)
        return now

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)

    @cached_property
    def desired(self) -> DesiredState:
        from ..desired import DesiredState

        s = self.settings
        return DesiredState(s.user, s.rules, s.tz, self.today, s.templates_dir)

    def application(self, prefix: str) -> Application:
        with self.store.read() as tx:
            return tx.application(tx.resolve(prefix))

    def applications(self) -> list[Application]:
        with self.store.read() as tx:
            return tx.applications()

    def when(self, text: str) -> datetime:
        from ..dates import parse_when

        return parse_when(text, self.settings.tz, self.today)

    def day(self, text: str | None, *, weekday: Direction = "past") -> date:
        if text is None:
            return self.today
        from ..dates import parse_day

        return parse_day(text, self.settings.tz, self.today, weekday=weekday)

    def reply_by(self, text: str, interview: datetime) -> date:
        from ..dates import parse_reply_by

        return parse_reply_by(text, self.settings.tz, interview.astimezone(self.settings.tz).date())

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


pass_app = click.make_pass_decorator(AppContext)


class ApplicationParam(click.ParamType):
    """An application id, or any unique prefix of one; converts to the Application."""

    name = "ID"

    def convert(self, value: Any, param, ctx) -> Application:
        from ..models import Application

        if isinstance(value, Application):
            return value
        return ctx.find_object(AppContext).application(str(value))

    def shell_complete(self, ctx, param, incomplete: str):
        """Application ids for shell completion, read from the store without changing it."""
        from click.shell_completion import CompletionItem

        # The group callback does not run while completing: read --data-dir from
        # the command line (or its environment variable) as click parsed it.
        root = ctx.find_root()
        data_dir = root.params.get("data_dir")
        try:
            from ..config import default_data_dir
            from ..store import Store

            store = Store.open(Path(data_dir) if data_dir else default_data_dir(), create=False)
            try:
                with store.read() as tx:
                    ids = tx.application_ids()
            finally:
                store.close()
        except Exception:  # noqa: BLE001 - completion must never print an error
            return []
        return [CompletionItem(i) for i in ids if i.startswith(incomplete)]


class WhenParam(click.ParamType):
    """A date-time as people type it ("2026-11-20 14:00", "yesterday"), in the user's zone."""

    name = "WHEN"

    def convert(self, value: Any, param, ctx) -> datetime:
        if isinstance(value, datetime):
            return value
        return ctx.find_object(AppContext).when(str(value))


class DayParam(click.ParamType):
    """A past calendar day as people type it ("2026-11-20", "yesterday", "friday")."""

    name = "DATE"

    def convert(self, value: Any, param, ctx) -> date:
        if isinstance(value, date):
            return value
        return ctx.find_object(AppContext).day(str(value))


class TextDateParam(click.ParamType):
    """A date kept as typed: read later against another day (a reply-by date is
    counted from the interview it belongs to)."""

    name = "DATE"

    def convert(self, value: Any, param, ctx) -> str:
        return str(value)


APPLICATION = ApplicationParam()
WHEN = WhenParam()
DAY = DayParam()
TEXT_DATE = TextDateParam()


def json_option(help: str = "Machine-readable output (see README).") -> Any:
    return click.option("--json", "as_json", is_flag=True, help=help)


def echo_json(data: Any) -> None:
    """JSON on stdout: indented for a person at a terminal, compact for a program.

    json's indented output runs its pure-Python encoder, several times slower
    than the C one; a pipe gets the same data in one line (compact separators).
    """
    import sys

    if sys.stdout.isatty():
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
