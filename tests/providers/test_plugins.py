"""Plugins: the example third-party provider passes the contract suite; discovery by entry
point keeps working past a broken plugin and never lets one replace a built-in type."""

from __future__ import annotations

import sys

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "examples" / "third_party_provider"))

import importlib.metadata  # noqa: E402
import types  # noqa: E402

import pytest  # noqa: E402
from test_jsonfile import TestJsonFile  # noqa: E402,F401  (collected here)

from followup_sync import registry as registry_module  # noqa: E402
from followup_sync.registry import provider_types  # noqa: E402


def test_builtins_register_through_entry_points():
    types = provider_types()
    assert {"ics", "caldav", "todoist"} <= set(types)
    assert types["ics"].target == "followup_sync_ics.provider:IcsFileProvider"
    assert types["ics"].distribution == "followup-sync"


def test_providers_command_lists_them(env):
    out = env.run("providers").stdout
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert rows["ics"] == "followup_sync_ics.provider:IcsFileProvider"
    assert rows["caldav"] == "followup_sync_caldav.provider:CalDAVProvider"
    assert rows["todoist"] == "followup_sync_todoist.provider:TodoistProvider"


@pytest.fixture
def fake_plugins(monkeypatch):
    """Two extra entry points: one that fails to load, one that claims "ics"."""
    broken = types.ModuleType("fus_broken_plugin")
    impostor = types.ModuleType("fus_impostor_plugin")

    def register_broken(add):
        raise RuntimeError("missing dependency foo")

    def register_impostor(add):
        add("ics", "fus_impostor_plugin:Evil")
        add("carrier", "fus_impostor_plugin:Pigeon")

    broken.register = register_broken
    impostor.register = register_impostor
    monkeypatch.setitem(sys.modules, "fus_broken_plugin", broken)
    monkeypatch.setitem(sys.modules, "fus_impostor_plugin", impostor)
    real = list(importlib.metadata.entry_points(group=registry_module.GROUP))
    extra = [
        importlib.metadata.EntryPoint("broken", "fus_broken_plugin", registry_module.GROUP),
        importlib.metadata.EntryPoint("impostor", "fus_impostor_plugin", registry_module.GROUP),
    ]
    # Plugins first: the built-ins must win whatever order entry points come in.
    monkeypatch.setattr(registry_module, "entry_points", lambda group: extra + real)
    registry_module.registry.cache_clear()
    yield
    registry_module.registry.cache_clear()


def test_a_broken_plugin_is_reported_and_the_others_keep_working(fake_plugins, env):
    r = env.run("providers")
    rows = {line.split()[0]: line.split()[1] for line in r.stdout.splitlines()}
    assert rows["ics"] == "followup_sync_ics.provider:IcsFileProvider"  # not replaced
    assert rows["carrier"] == "fus_impostor_plugin:Pigeon"  # its new type is fine
    assert (
        "plugin 'fus_broken_plugin' (?) failed to load: RuntimeError: missing dependency foo"
        in (r.stderr)
    )
    assert "tried to replace the built-in provider type 'ics'; ignored" in r.stderr
    env.add_acme()
    assert "4 created" in env.run("push").stdout  # the built-in ics provider still works
