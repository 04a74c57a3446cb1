"""Black-box check with a client nobody here wrote: vdirsyncer.

followup-sync pushes tasks to Radicale; vdirsyncer syncs the calendar to a local
vdir (what khal and todoman read); a task completed in the vdir, as todoman would,
goes back through vdirsyncer and the next push reads it as sent.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime
from pathlib import Path

import icalendar
import pytest

from tests.support import caldav_servers

pytestmark = [pytest.mark.network]

UID = "followup-sync.acme-backend-engineer.r1."
PW_ENV = "FOLLOWUP_TEST_CALDAV_PASSWORD"


def vdirsyncer(config: Path, *args: str) -> str:
    binary = caldav_servers.BIN / "vdirsyncer"
    if not binary.exists():
        pytest.skip("vdirsyncer is not installed")
    r = subprocess.run(
        [str(binary), "-c", str(config), *args],
        capture_output=True,
        text=True,
        input="y\n",
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout + r.stderr


def test_pushed_tasks_reach_a_vdir_and_completion_comes_back(env, radicale_server, tmp_path):
    server = radicale_server
    calendar = server.new_calendar_name("Follow-ups")
    env.write_config(
        "[providers.cal]\n"
        'type = "caldav"\n'
        f'url = "{server.url}"\n'
        f'username = "{server.username}"\n'
        f'password_env = "{PW_ENV}"\n'
        f'calendar = "{calendar}"\n'
        "create = true\n"
        'component = "VTODO"\n'
    )
    os_env = {PW_ENV: server.password}
    env.add_acme()
    env.run("push", env=os_env)

    client = server.client()
    cal_url = str(client.principal().calendar(name=calendar).url)
    vdir = tmp_path / "vdir"
    vdir.mkdir()
    config = tmp_path / "vdirsyncer.conf"
    # vdirsyncer reads the password from its own config; it is a test account.
    config.write_text(
        f'[general]\nstatus_path = "{tmp_path}/status/"\n\n'
        '[pair fu]\na = "fu_remote"\nb = "fu_local"\ncollections = null\n\n'
        f'[storage fu_remote]\ntype = "caldav"\nurl = "{cal_url}"\n'
        f'username = "{server.username}"\npassword = "{server.password}"\n\n'
        f'[storage fu_local]\ntype = "filesystem"\npath = "{vdir}/"\nfileext = ".ics"\n'
    )
    vdirsyncer(config, "discover")
    vdirsyncer(config, "sync")

    todos = {}
    for f in vdir.glob("*.ics"):
        for comp in icalendar.Calendar.from_ical(f.read_bytes()).walk("VTODO"):
            todos[str(comp["UID"])] = (f, comp)
    plan = {i["uid"]: i for i in env.plan()}
    assert set(todos) == set(plan)
    for uid, (_, comp) in todos.items():
        assert comp["DUE"].dt == datetime.fromisoformat(plan[uid]["due"])
        assert "Acme" in str(comp["SUMMARY"])
    assert "mailto:jane@acme.example" in str(todos[UID + "nudge-1"][1]["DESCRIPTION"])

    # Complete nudge 1 in the vdir the way todoman does, and sync it back.
    path, _ = todos[UID + "nudge-1"]
    text = path.read_text()
    text = re.sub(r"STATUS:NEEDS-ACTION\r?\n", "", text)
    text = text.replace(
        "END:VTODO",
        "STATUS:COMPLETED\r\nCOMPLETED:20261201T150000Z\r\nPERCENT-COMPLETE:100\r\nEND:VTODO",
    )
    path.write_text(text)
    vdirsyncer(config, "sync")

    out = env.run("push", env=os_env, today="2026-12-01").stdout
    assert "completed" in out and UID + "nudge-1" in out
    item = next(i for i in env.plan(today="2026-12-01") if i["uid"] == UID + "nudge-1")
    assert item["status"] == "sent" and item["sent_on"] == "2026-12-01"
