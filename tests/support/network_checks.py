"""Shared checks for the fault and crash tests of the network providers.

What a user must be able to trust after any fault or crash followed by a clean
push: the remote holds exactly the plan (every live item once, at its planned
due), and the store's records are the remote items (and the SQLite file is sound).
The remote side is read independently of our code: CalDAV with raw WebDAV
requests (http.client + ElementTree), Todoist straight from the fake's data.
"""

from __future__ import annotations

import base64
import http.client
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

import icalendar

from followup_sync.store import STORE_NAME
from followup_sync_todoist.provider import parse_marker

DAV = "{DAV:}"
CAL = "{urn:ietf:params:xml:ns:caldav}"
TODAY = "2026-11-26"
ALLOWED_EXITS = (0, 4, 5)  # success, provider error, push incomplete (README)

_PROPFIND = (
    '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>'
    "<D:displayname/><D:resourcetype/></D:prop></D:propfind>"
)
_QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>'
)


@dataclass(frozen=True)
class RemoteCopy:
    """One item as the server holds it."""

    uid: str
    ref: str  # CalDAV: the href's path; Todoist: the task id
    due: datetime | None
    done: bool


def clean_exit(result, what: str) -> int:
    """A push that failed did so with one clean line and a documented exit code."""
    code = result.exit_code
    assert code in ALLOWED_EXITS, (
        f"{what}: exit {code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    )
    assert "Traceback" not in result.stdout + result.stderr, what
    if code:
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), (
            f"{what}: not one clean line: {result.stderr!r}"
        )
    return code


# --- CalDAV, read with raw requests ----------------------------------------------------
def _dav(server, method: str, path: str, body: str, depth: str) -> ET.Element:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Depth": depth, "Content-Type": 'application/xml; charset="utf-8"'}
    if server.username:
        pair = f"{server.username}:{server.password}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    try:
        conn.request(method, path, body=body.encode(), headers=headers)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    assert resp.status == 207, f"{method} {path}: {resp.status} {data[:200]!r}"
    return ET.fromstring(data)


def caldav_items(server, calendar: str, component: str) -> list[RemoteCopy]:
    """Every object in every calendar named `calendar` (there must be exactly one)."""
    home = urlsplit(server.home_url).path
    root = _dav(server, "PROPFIND", home, _PROPFIND, "1")
    matches = []
    for r in root.iter(f"{DAV}response"):
        if (
            r.findtext(f".//{DAV}displayname") == calendar
            and r.find(f".//{CAL}calendar") is not None
        ):
            matches.append(unquote(r.findtext(f"{DAV}href")))
    assert len(matches) == 1, f"calendars named {calendar!r}: {matches}"
    root = _dav(server, "REPORT", matches[0], _QUERY, "1")
    out = []
    key = "DUE" if component == "VTODO" else "DTSTART"
    for r in root.iter(f"{DAV}response"):
        data = r.findtext(f".//{CAL}calendar-data")
        if not data:
            continue
        cal = icalendar.Calendar.from_ical(data)
        comps = [c for c in cal.walk(component) if c.get("RECURRENCE-ID") is None]
        assert len(comps) == 1, data
        c = comps[0]
        due = c[key].dt if key in c else None
        done = str(c.get("STATUS", "")) == "COMPLETED"
        out.append(
            RemoteCopy(str(c["UID"]), unquote(urlsplit(r.findtext(f"{DAV}href")).path), due, done)
        )
    return out


# --- Todoist, read from the fake's data --------------------------------------------------
def todoist_items(fake, label: str = "follow-up") -> list[RemoteCopy]:
    """Our tasks (label and marker) the user can still see: active and completed."""
    out = []
    for t in fake.live_tasks():
        m = parse_marker(t["description"])
        if m is None or label not in t["labels"]:
            continue
        due = None
        if t["due"]:
            due = datetime.fromisoformat(t["due"]["date"].replace("Z", "+00:00"))
        out.append(RemoteCopy(m.uid, t["id"], due, bool(t["checked"])))
    return out


def todoist_drafts_attached(fake, items: list[RemoteCopy]) -> None:
    """No nudge task is left without its .eml draft."""
    for item in items:
        if ".move-on" in item.uid:
            continue
        emls = [
            c
            for c in fake.task_comments(item.ref)
            if (c["file_attachment"] or {}).get("file_name", "").endswith(".eml")
        ]
        assert emls, f"{item.uid}: task {item.ref} has no draft attached"


# --- the three checks ------------------------------------------------------------------
def check_converged(
    env, provider: str, remote: list[RemoteCopy], *, completes: bool, today: str = TODAY
) -> None:
    """Remote == plan, no duplicate UIDs, store records == remote, integrity ok.

    `completes`: the provider shows a sent nudge as done (tasks, VTODO).
    """
    uids = [r.uid for r in remote]
    dupes = sorted({u for u in uids if uids.count(u) > 1})
    assert not dupes, f"duplicate UIDs on the remote: {dupes}"
    by_uid = {r.uid: r for r in remote}
    plan = [i for i in env.plan(today=today) if i["status"] != "withdrawn"]
    planned = {i["uid"]: i for i in plan}
    assert set(by_uid) == set(planned), (
        f"missing: {sorted(set(planned) - set(by_uid))}, extra: {sorted(set(by_uid) - set(planned))}"
    )
    for uid, item in planned.items():
        want = datetime.fromisoformat(item["due"])
        assert by_uid[uid].due == want, f"{uid}: due {by_uid[uid].due} != planned {want}"
        if completes:
            assert by_uid[uid].done == (item["status"] == "sent"), f"{uid}: done? {item}"
    check_store(env, provider, {r.uid: r.ref for r in remote})


def check_store(env, provider: str, refs: dict[str, str]) -> None:
    conn = sqlite3.connect(f"file:{env.data_dir / STORE_NAME}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = dict(conn.execute("SELECT uid, ref FROM records WHERE provider = ?", (provider,)))
    finally:
        conn.close()
    assert rows == refs, f"store records != remote items:\nstore:  {rows}\nremote: {refs}"
