"""Shared fixtures: a temp data dir + config, and the CLI driven through click's CliRunner.

The suite is split by kind: tests/unit (pure code, no servers), tests/providers
(the contract suite and each provider against real servers), tests/system (the
CLI end to end, the feed, faults and crashes). Markers (registered in
pyproject.toml): `slow` (fault sweeps, kill tests, hypothesis-heavy suites),
`network` (a server on loopback), `node` (ical.js through node). The fast inner
loop is `pytest -m "not slow"`; `make test` runs everything.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from followup_sync.cli import cli

ROOT = Path(__file__).resolve().parent.parent

# Fixture plugins, declared once for the whole suite.
pytest_plugins = [
    "tests.support.caldav_servers",
    "tests.support.todoist_fixtures",
    "tests.support.imap_servers",
    "tests.support.publish_servers",
    "tests.support.figures",
]

# CI runs each submission once: examples there are derandomized (the same every
# run) so a landing never depends on luck; local runs keep exploring new inputs.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

BASE_CONFIG = """
[user]
name = "Alex Rivera"
email = "alex@example.com"
timezone = "America/New_York"
"""


@dataclass
class Env:
    """One user's followup-sync: a data dir, a config file, and a way to run commands."""

    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    def write_config(self, extra: str = "", base: str = BASE_CONFIG) -> None:
        self.config.write_text(base + "\n" + extra, encoding="utf-8")

    def run(
        self, *args: str, today: str | None = "2026-11-26", expect: int | None = 0, env=None
    ) -> Result:
        if len(args) == 1 and " " in args[0]:
            args = tuple(shlex.split(args[0]))
        argv = ["--data-dir", str(self.data_dir), "--config", str(self.config)]
        if today:
            argv += ["--today", today]
        result = CliRunner().invoke(cli, [*argv, *args], env=env, catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, (
                f"exit {result.exit_code} != {expect}\nstdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def argv(self, *args: str, today: str | None = "2026-11-26") -> list[str]:
        """The command line for running followup-sync as a real process (kill tests)."""
        argv = [sys.executable, "-m", "followup_sync", "--data-dir", str(self.data_dir)]
        argv += ["--config", str(self.config)]
        if today:
            argv += ["--today", today]
        return [*argv, *args]

    def json(self, *args: str, today: str | None = "2026-11-26") -> dict:
        return json.loads(self.run(*args, "--json", today=today).stdout)

    def plan(self, today: str = "2026-11-26") -> list[dict]:
        return self.json("plan", today=today)["items"]

    def add_acme(self, **kw) -> str:
        args = [
            "add",
            kw.get("company", "Acme"),
            "--role",
            kw.get("role", "Backend Engineer"),
            "--date",
            kw.get("date", "2026-11-20 14:00"),
            "--interviewer",
            kw.get("interviewer", "Jane Doe <jane@acme.example>"),
            "--skills",
            "Python, Postgres and on-call leadership",
        ]
        if "reply_by" in kw:
            args += ["--reply-by", kw["reply_by"]]
        return self.run(*args).stdout.strip()


@pytest.fixture
def env(tmp_path) -> Env:
    e = Env(tmp_path)
    e.write_config()
    return e
