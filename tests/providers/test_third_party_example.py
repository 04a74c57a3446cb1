"""The example third-party provider passes the contract suite, and plugins load by entry point."""

from __future__ import annotations

import sys

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "examples" / "third_party_provider"))

from test_jsonfile import TestJsonFile  # noqa: E402,F401  (collected here)

from followup_sync.registry import provider_types  # noqa: E402


def test_builtins_register_through_entry_points():
    types = provider_types()
    assert {"ics", "caldav", "todoist"} <= set(types)
    assert types["ics"].target == "followup_sync_ics.provider:IcsFileProvider"
    assert types["ics"].distribution == "followup-sync"


def test_providers_command_lists_them(env):
    out = env.run("providers").stdout
    for name in ("ics", "caldav", "todoist"):
        assert name in out
