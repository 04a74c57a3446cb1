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
    from ..desired import DesiredState
    from ..models import Application
    from ..store import Store

UTC = ZoneInfo("UTC")


class AppContext:
    """Per-invocation context: paths, settings and store, opened on first use."""

    def __init__(self, data_dir: Path | None, config: Path | None, today: str | None):
        from ..config import default_config_path, default_data_dir

        self.data_dir = Path(data_dir).expanduser() if data_dir else default_data_dir()
        self.config_path = Path(config).expanduser() if config else default_config_path()
        self.today_given = today is not None
        self._today_text = today

    @cached_property
    def settings(self) -> Settings:
        from ..config import load_settings

        return load_settings(self.config_path)

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

    def day(self, text: str | None) -> date:
        if text is None:
            return self.today
        from ..dates import parse_day

        return parse_day(text, self.settings.tz, self.today)

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


class WhenParam(click.ParamType):
    """A date-time as people type it ("2026-11-20 14:00", "yesterday"), in the user's zone."""

    name = "WHEN"

    def convert(self, value: Any, param, ctx) -> datetime:
        if isinstance(value, datetime):
            return value
        return ctx.find_object(AppContext).when(str(value))


class DayParam(click.ParamType):
    """A calendar day as people type it ("2026-11-20", "next friday")."""

    name = "DATE"

    def convert(self, value: Any, param, ctx) -> date:
        if isinstance(value, date):
            return value
        return ctx.find_object(AppContext).day(str(value))


APPLICATION = ApplicationParam()
WHEN = WhenParam()
DAY = DayParam()


def json_option(help: str = "Machine-readable output (see README).") -> Any:
    return click.option("--json", "as_json", is_flag=True, help=help)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
