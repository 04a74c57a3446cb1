"""A third-party provider runs the same contract suite as the built-ins."""

import json

import pytest
from followup_sync_jsonfile.provider import JsonFileProvider

from followup_sync.testing import ProviderContract, make_context


class TestJsonFile(ProviderContract):
    @pytest.fixture
    def provider(self, tmp_path):
        return JsonFileProvider("mine", {"path": str(tmp_path / "f.json")}, make_context(tmp_path))

    def add_foreign(self, provider):
        provider.path.write_text(json.dumps({"someone-else": {"due": "2026-12-01T10:00:00+00:00"}}))

    def edit_remotely(self, provider, remote):
        data = json.loads(provider.path.read_text())
        data[remote.uid]["summary"] = "my words"
        provider.path.write_text(json.dumps(data))

    def complete_remotely(self, provider, remote, day):
        data = json.loads(provider.path.read_text())
        data[remote.uid]["done_on"] = day.isoformat()
        provider.path.write_text(json.dumps(data))

    def stored_text(self, provider, uid):
        entry = json.loads(provider.path.read_text())[uid]
        return entry["summary"], entry["description"]
