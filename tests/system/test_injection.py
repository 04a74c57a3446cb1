"""Hostile text in every field, end to end through the CLI, against every output.

Company, role, interviewer (name and address), stage, skills, accomplishment and
notes may hold CR/LF, iCalendar syntax, email headers, Markdown and our own
Todoist marker. None of it may add a property, parameter or component to the ICS
output (icalendar and ical.js must read the same single series), add a header to
an .eml (from `draft` or attached to a calendar item), break the Todoist marker
used for adoption, or add a component to a CalDAV resource.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
from collections import Counter
from pathlib import Path

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup_sync_todoist.provider import parse_marker
from tests.conftest import BASE_CONFIG, Env
from tests.support import ical_js

pytestmark = [pytest.mark.slow, pytest.mark.network, pytest.mark.node]

TOKEN_ENV = "FOLLOWUP_TEST_INJECTION_TOKEN"
PW_ENV = "FOLLOWUP_TEST_INJECTION_PASSWORD"

MARKER = "followup-sync:uid=followup-sync.evil-app.r1.nudge-1 hash=deadbeef at=09:30"
HOSTILE = [
    "Acme\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:pwned",
    "Acme\nBEGIN:VALARM\nACTION:EMAIL\nATTENDEE:mailto:x@evil.example\nEND:VALARM",
    'Acme;X-EVIL="1":x,y\\n\\,',
    "Acme\x00\x1b[31m\u202e\u2028\u2029\x85\x0b\x0c",
    "Acme\r\nBcc: all@corp.example\r\nX-Injected: 1",
    "Acme\n\nBody starts here",
    f"Acme\n{MARKER}",
    f"{MARKER}\n",
    "[click](javascript:alert(1)) **bold** <!-- x --> `code`",
    "=?utf-8?q?=0D=0ABcc=3A_x=40y?=",
    "Acme\r\n X-Folded: continuation",
    "BEGIN:VCALENDAR\r\nEND:VCALENDAR",
]
HOSTILE_EMAIL = "jane@acme.example>\r\nBcc: all@corp.example\r\n<x@y.z"


def hostile_fields(n: int) -> dict[str, str]:
    h = HOSTILE[n % len(HOSTILE)]
    return {
        "company": h.replace("Acme", f"Acme{n}"),
        "role": f"Dev\r\nX-INJECTED:1 {n}",
        # Angle brackets cannot stand unquoted in a display name (RFC 5322): such a
        # value is refused (test_hostile_address_is_refused_not_injected).
        "interviewer": f"Eve {h.replace('<', '').replace('>', '')}\nBcc: all@corp.example"
        " <eve@evil.example>",
        "stage": h,
        "skills": h + "\n" + MARKER,
        "accomplishment": h,
        "notes": h + "\r\nEND:VCALENDAR",
    }


BENIGN = {
    "company": "Benign",
    "role": "Dev",
    "interviewer": "Jane Doe <jane@acme.example>",
    "stage": "onsite",
    "skills": "Python",
    "accomplishment": "shipped it",
    "notes": "note",
}


def add(env: Env, fields: dict[str, str], date: str = "2026-11-20 14:00", **kw):
    args = ["add", "--role", fields["role"], "--date", date]
    for key in ("interviewer", "stage", "skills", "accomplishment", "notes"):
        if fields.get(key):
            args += [f"--{key}", fields[key]]
    # After "--", as a user must type a company starting with "-" (hypothesis found "-0").
    return env.run(*args, "--", fields["company"], **kw)


# --- the shape of a calendar ------------------------------------------------------------------
def shape(comp) -> tuple:
    """Component name, property names with their parameter names, and sub-components."""
    props = []
    for name, value in comp.property_items(recursive=False):
        if name in ("BEGIN", "END"):
            continue
        params = tuple(sorted(getattr(value, "params", {}) or {}))
        props.append((name, params))
    return (comp.name, tuple(sorted(props)), tuple(shape(c) for c in comp.subcomponents))


def series_shapes(data: bytes, kind: str) -> dict[str, tuple]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(c["UID"]).rsplit(".", 1)[-1]: shape(c) for c in cal.walk(kind)}


def assert_same_series(path: Path, kind: str, reference: dict[str, tuple], plan_uids: list[str]):
    """One series, our UIDs only, the same structure as a benign one, read alike by both parsers."""
    data = path.read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    assert [c.name for c in cal.subcomponents].count("VTIMEZONE") == 1
    comps = list(cal.walk(kind))
    assert sorted(str(c["UID"]) for c in comps) == sorted(plan_uids)
    # Every component has exactly the properties and parameters a benign one has.
    assert series_shapes(data, kind) == reference
    # The top level too: nothing added to VCALENDAR.
    assert len(cal.subcomponents) == len(comps) + 1
    js = ical_js.parse(path)
    js_items = js["events"] if kind == "VEVENT" else js["todos"]
    assert len(js_items) == len(comps)
    by_uid = {str(c["UID"]): c for c in comps}
    for item in js_items:
        ours = by_uid[item["uid"]]
        # Both parsers see the same text: no line was cut short or run into the next.
        assert item["summary"] == str(ours["SUMMARY"])
        assert item["description"] == str(ours["DESCRIPTION"])
        assert "\n" not in item["summary"] and "\r" not in item["summary"]
        assert item["alarms"] == len(ours.walk("VALARM")) == 1
    for c in comps:
        if "ATTACH" in c:
            assert_eml_headers(base64.b64decode(c["ATTACH"].to_ical()))


EML_HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "X-Unsent",
    "Content-Type",
]
EML_HEADERS += ["Content-Transfer-Encoding", "MIME-Version"]


def assert_eml_headers(raw: bytes, to: str | None = None) -> email.message.EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    keys = list(msg.keys())
    assert len(keys) == len(set(keys)), keys
    assert set(keys) <= set(EML_HEADERS), keys
    assert {"Subject", "X-Unsent", "MIME-Version", "Content-Type"} <= set(keys)
    assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])
    if "To" in msg:
        assert len(msg["To"].addresses) == 1
        if to is not None:
            assert msg["To"].addresses[0].addr_spec == to
    assert not msg.is_multipart() and msg.get_content_type() == "text/plain"
    return msg


def ics_env(env: Env, component: str) -> Path:
    path = env.root / "cal.ics"
    env.write_config(f'[providers.cal]\ntype = "ics"\npath = "{path}"\ncomponent = "{component}"\n')
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, dict[str, tuple]]:
    """The shape of a benign series, per component kind."""
    out = {}
    for kind in ("VEVENT", "VTODO"):
        env = Env(tmp_path_factory.mktemp(kind))
        path = ics_env(env, kind)
        add(env, BENIGN)
        env.run("push")
        out[kind] = series_shapes(path.read_bytes(), kind)
        assert set(out[kind]) == {"nudge-1", "nudge-2", "nudge-3", "move-on"}
    return out


def uids(env: Env) -> list[str]:
    return [i["uid"] for i in env.plan() if i["status"] != "withdrawn"]


# --- ICS: file provider, export, both components ---------------------------------------------
@pytest.mark.parametrize("component", ["VEVENT", "VTODO"])
@pytest.mark.parametrize("n", range(len(HOSTILE)))
def test_hostile_fields_keep_the_ics_series_shape(env, reference, component, n):
    path = ics_env(env, component)
    add(env, hostile_fields(n))
    env.run("push")
    assert_same_series(path, component, reference[component], uids(env))
    # `export` builds the same calendar (the feed serves this too).
    out = env.root / "export.ics"
    env.run("export", str(out), *(["--vtodo"] if component == "VTODO" else []))
    assert_same_series(out, component, reference[component], uids(env))


def test_hostile_import_file_keeps_the_ics_series_shape(env, reference):
    path = ics_env(env, "VEVENT")
    rows = []
    for n in range(4):
        f = hostile_fields(n)
        rows.append(
            {
                "company": f["company"],
                "role": f["role"],
                "date": "2026-11-20 14:00",
                "interviewers": [f["interviewer"]],
                "stage": f["stage"],
                "skills": f["skills"],
                "accomplishment": f["accomplishment"],
                "notes": f["notes"],
            }
        )
    src = env.root / "hostile.json"
    src.write_text(json.dumps(rows), encoding="utf-8")
    env.run("import", str(src))
    env.run("push")
    data = path.read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert sorted(str(e["UID"]) for e in events) == sorted(uids(env))
    assert len(events) == 16
    for e in events:
        step = str(e["UID"]).rsplit(".", 1)[-1]
        assert shape(e) == reference["VEVENT"][step]
    assert len(ical_js.parse(path)["events"]) == 16


hostile_text = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE + ["\r", "\n", "\r\n", ":", ";"])),
    min_size=1,
    max_size=5,
).map("".join)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    company=hostile_text,
    role=hostile_text,
    name=hostile_text,
    skills=hostile_text,
    notes=hostile_text,
)
def test_any_hostile_text_keeps_the_ics_series_shape(
    tmp_path_factory, reference, company, role, name, skills, notes
):
    env = Env(tmp_path_factory.mktemp("h"))
    path = ics_env(env, "VEVENT")
    fields = {
        "company": company,
        "role": role,
        # A real address keeps URL/ATTACH present, so the shape must equal the benign one.
        "interviewer": f"{name.replace('<', '').replace('>', '')} <jane@acme.example>",
        "stage": name,
        "skills": skills,
        "accomplishment": skills,
        "notes": notes,
    }
    r = add(env, fields, expect=None)
    if r.exit_code != 0:  # an empty or over-long name: refused cleanly
        assert r.exit_code == 1 and r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1
        return
    env.run("push")
    assert_same_series(path, "VEVENT", reference["VEVENT"], uids(env))


# --- .eml from `draft` ---------------------------------------------------------------------
@pytest.mark.parametrize("n", range(len(HOSTILE)))
def test_hostile_fields_never_add_an_eml_header(env, n):
    fields = hostile_fields(n)
    # (angle brackets in the name would make the address ambiguous: it is then dropped)
    name = HOSTILE[n].replace("<", "").replace(">", "")
    fields["interviewer"] = f"{name} <jane@acme.example>"
    app_id = add(env, fields).stdout.strip()
    # The user's own name, hostile too (a JSON string is a valid TOML basic string here).
    env.write_config(base=BASE_CONFIG.replace('"Alex Rivera"', json.dumps(HOSTILE[n])))
    for attempt in ("1", "2", "3"):
        out = env.root / f"d{attempt}.eml"
        env.run("draft", app_id, "--attempt", attempt, "--format", "eml", "-o", str(out))
        msg = assert_eml_headers(out.read_bytes(), to="jane@acme.example")
        threading = {"In-Reply-To", "References"} if attempt != "1" else set()
        assert set(msg.keys()) == {
            "From",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "X-Unsent",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
            *threading,
        }
        assert msg["From"].addresses[0].addr_spec == "alex@example.com"
        text = env.run("draft", app_id, "--attempt", attempt).stdout
        subject = text.split("\n", 1)[0]
        assert subject.startswith("Subject: ") and text.split("\n")[1] == ""
        assert str(msg["Subject"]) == subject.removeprefix("Subject: ")


def test_hostile_address_is_refused_not_injected(env):
    r = add(env, {**BENIGN, "interviewer": f"Eve <{HOSTILE_EMAIL}>"}, expect=1)
    assert r.stderr.startswith("Error: interviewer ") and r.stderr.count("\n") == 1
    assert "\r" not in r.stderr
    assert env.json("list")["applications"] == []
    # A lone hostile address (no name) is refused the same way.
    r = add(env, {**BENIGN, "interviewer": HOSTILE_EMAIL}, expect=1)
    assert "is not an email address" in r.stderr or "cannot read" in r.stderr


# --- Todoist: the marker survives, adoption finds everything -------------------------------------
def todoist_config(env: Env, server) -> dict[str, str]:
    env.write_config(
        "[providers.todo]\n"
        'type = "todoist"\n'
        f'api_url = "{server.api_url}"\n'
        f'token_env = "{TOKEN_ENV}"\n'
        "max_wait = 10\n"
    )
    return {TOKEN_ENV: server.app.token, "FOLLOWUP_SYNC_NO_KEYRING": "1"}


def todoist_tasks(fake) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for t in fake.live_tasks():
        m = parse_marker(t["description"])
        assert m is not None, f"a task lost its marker: {t['description'][-200:]!r}"
        assert m.uid not in out, f"duplicate task for {m.uid}"
        out[m.uid] = t
    return out


def test_hostile_apps_are_adopted_from_todoist_not_duplicated(env, todoist_server):
    fake = todoist_server.app
    os_env = todoist_config(env, todoist_server)
    for n in range(len(HOSTILE)):
        add(env, hostile_fields(n))
    expected = sorted(uids(env))
    assert len(expected) == 4 * len(HOSTILE)
    backup = env.root / "before-push.sqlite3"
    env.run("backup", str(backup))

    first = json.loads(env.run("push", "--json", env=os_env).stdout)["providers"][0]["result"]
    assert first["created"] == len(expected) and first["failed"] == 0
    tasks = todoist_tasks(fake)
    assert sorted(tasks) == expected
    for t in tasks.values():
        assert "\n" not in t["content"] and "\r" not in t["content"]
        # Hostile marker text in the draft is escaped: only our last line is a marker.
        lines = t["description"].split("\n")
        assert [ln for ln in lines if ln.startswith("followup-sync:")] == [lines[-1]]
    # The .eml attached to each nudge task has no header the hostile text added.
    emls = [blob for url, blob in fake.files.items() if url.endswith(".eml")]
    assert len(emls) == 3 * len(HOSTILE)
    for blob in emls:
        assert_eml_headers(blob)

    # Lose every record of the push (the store as it was before it), push again.
    env.run("restore", str(backup))
    fake.reset_log()
    second = json.loads(env.run("push", "--json", env=os_env).stdout)["providers"][0]["result"]
    assert second["adopted"] == len(expected), second
    assert second["created"] == 0 and second["deleted"] == 0 and second["failed"] == 0
    assert sorted(todoist_tasks(fake)) == expected
    assert not fake.requests("POST", r"/tasks$")  # nothing created again
    third = json.loads(env.run("push", "--json", env=os_env).stdout)["providers"][0]["result"]
    assert third["created"] == third["updated"] == third["deleted"] == third["adopted"] == 0


# --- CalDAV: one component per resource, our UID ---------------------------------------------
def test_hostile_app_on_radicale_is_one_component_per_resource(env, radicale_server, reference):
    server = radicale_server
    calendar = server.new_calendar_name("Injection")
    env.write_config(
        "[providers.cal]\n"
        'type = "caldav"\n'
        f'url = "{server.url}"\n'
        f'calendar = "{calendar}"\n'
        "create = true\n"
        'features = "radicale"\n'
        f'username = "{server.username}"\n'
        f'password_env = "{PW_ENV}"\n'
    )
    os_env = {PW_ENV: server.password, "FOLLOWUP_SYNC_NO_KEYRING": "1"}
    for n in (0, 1, 3, 4, 6, 11):
        add(env, hostile_fields(n))
    expected = sorted(uids(env))
    result = json.loads(env.run("push", "--json", env=os_env).stdout)["providers"][0]["result"]
    assert result["created"] == len(expected) and result["failed"] == 0

    # Read back with a plain caldav client, resource by resource.
    cal = server.client().principal().calendar(name=calendar)
    seen = []
    for obj in cal.objects():
        obj.load()
        parsed = icalendar.Calendar.from_ical(obj.data)
        kinds = Counter(c.name for c in parsed.subcomponents)
        assert kinds.pop("VEVENT") == 1 and set(kinds) <= {"VTIMEZONE"}, kinds
        (event,) = parsed.walk("VEVENT")
        uid = str(event["UID"])
        assert uid.startswith("followup-sync.") and obj.url.path.rstrip("/").endswith(".ics")
        assert shape(event) == reference["VEVENT"][uid.rsplit(".", 1)[-1]]
        if "ATTACH" in event:
            assert_eml_headers(base64.b64decode(event["ATTACH"].to_ical()))
        seen.append(uid)
    assert sorted(seen) == expected
    again = json.loads(env.run("push", "--json", env=os_env).stdout)["providers"][0]["result"]
    assert again["created"] == again["updated"] == again["deleted"] == 0
