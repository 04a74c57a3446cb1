"""The ICS file provider runs the provider contract suite, as events and as tasks."""

from __future__ import annotations

from datetime import date, datetime

import icalendar
import pytest

from followup_sync.testing import ProviderContract, make_context
from followup_sync_ics.provider import IcsFileProvider

FOREIGN = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//someone else//EN\r
BEGIN:VEVENT\r
UID:dentist-123@example.com\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261203T150000Z\r
SUMMARY:Dentist\r
END:VEVENT\r
END:VCALENDAR\r
"""


class _FileHooks:
    def _edit(self, provider, uid, change):
        cal = icalendar.Calendar.from_ical(provider.path.read_bytes())
        for comp in cal.walk():
            if comp.get("UID") == uid:
                change(comp)
        provider.path.write_bytes(cal.to_ical())

    def stored_text(self, provider, uid):
        cal = icalendar.Calendar.from_ical(provider.path.read_bytes())
        (comp,) = [c for c in cal.walk() if c.get("UID") == uid]
        return str(comp["SUMMARY"]), str(comp["DESCRIPTION"])

    def add_foreign(self, provider):
        provider.path.write_bytes(FOREIGN)

    def edit_remotely(self, provider, remote):
        def change(comp):
            comp["SUMMARY"] = "my own words"

        self._edit(provider, remote.uid, change)


class TestIcsEvents(_FileHooks, ProviderContract):
    @pytest.fixture
    def provider(self, tmp_path):
        return IcsFileProvider(
            "file",
            {
                "path": str(tmp_path / "f.ics"),
                "component": "VEVENT",
                "name": "T",
                "refresh_hours": 6,
            },
            make_context(tmp_path),
        )

    def test_foreign_events_survive_our_writes(self, provider):
        from followup_sync.testing import make_push_item

        provider.path.write_bytes(FOREIGN)
        with provider.batch():
            provider.create(make_push_item())
        cal = icalendar.Calendar.from_ical(provider.path.read_bytes())
        uids = {str(c["UID"]) for c in cal.walk("VEVENT")}
        assert "dentist-123@example.com" in uids and len(uids) == 2

    def test_file_is_replaced_atomically_and_unchanged_file_not_rewritten(self, provider):
        from followup_sync.testing import make_push_item

        with provider.batch():
            remote = provider.create(make_push_item())
        inode = provider.path.stat().st_ino
        mtime = provider.path.stat().st_mtime_ns
        with provider.batch():
            provider.list_items({})
        assert provider.path.stat().st_mtime_ns == mtime
        with provider.batch():
            provider.delete(remote)
        assert provider.path.stat().st_ino != inode  # a new file renamed into place
        assert not [p for p in provider.path.parent.iterdir() if p.name.startswith(".f.ics")]


class TestIcsTasks(_FileHooks, ProviderContract):
    @pytest.fixture
    def provider(self, tmp_path):
        return IcsFileProvider(
            "file",
            {
                "path": str(tmp_path / "t.ics"),
                "component": "VTODO",
                "name": "T",
                "refresh_hours": 6,
            },
            make_context(tmp_path),
        )

    def complete_remotely(self, provider, remote, day: date):
        def change(comp):
            comp["STATUS"] = "COMPLETED"
            comp.add("COMPLETED", datetime(day.year, day.month, day.day, 15, 0, tzinfo=None))

        self._edit(provider, remote.uid, change)
