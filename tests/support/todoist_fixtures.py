"""Fixtures for the Todoist tests: a fake Todoist API v1 server per test.

A pytest plugin, declared once in tests/conftest.py. Each test gets
its own server on a free loopback port, stopped when the test ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from followup_sync.testing import make_context
from tests.support.fake_todoist import FakeTodoist, FakeTodoistServer


@pytest.fixture
def todoist_server() -> Iterator[FakeTodoistServer]:
    server = FakeTodoistServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake(todoist_server: FakeTodoistServer) -> FakeTodoist:
    return todoist_server.app


def make_todoist_provider(
    server: FakeTodoistServer, tmp_path: Path, token: str | None = None, **options
):
    """A TodoistProvider pointed at the fake server (token given as the core would)."""
    from followup_sync_todoist.provider import TodoistProvider

    opts = {"api_url": server.api_url, "timeout": 5, "max_wait": 10, **options}
    secrets = {"token": server.app.token if token is None else token}
    return TodoistProvider("todoist", opts, make_context(tmp_path, secrets=secrets))


@pytest.fixture
def make_provider(todoist_server, tmp_path):
    """Factory: make_provider(token=None, **options) -> a provider closed after the test."""
    made = []

    def factory(token: str | None = None, **options):
        provider = make_todoist_provider(todoist_server, tmp_path, token, **options)
        made.append(provider)
        return provider

    yield factory
    for provider in made:
        provider.close()


@pytest.fixture
def todoist_provider(make_provider):
    return make_provider()
