"""Pushes to several providers at once: validation first, one error line each, no stale targets."""

from __future__ import annotations

import icalendar


def two_files(env, first_extra: str = "", second_extra: str = ""):
    a, b = env.root / "a.ics", env.root / "b.ics"
    env.write_config(
        f'[providers.a]\ntype = "ics"\npath = "{a}"\n{first_extra}\n'
        f'[providers.b]\ntype = "ics"\npath = "{b}"\n{second_extra}\n'
    )
    return a, b


def uids(path) -> set[str]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(c["UID"]) for c in cal.walk() if c.name in ("VEVENT", "VTODO")}


def test_one_failing_provider_is_reported_once_and_the_other_still_pushed(env):
    a, b = two_files(env)
    env.add_acme()
    a.write_bytes(b"this is not an iCalendar file")
    r = env.run("push", expect=4)
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, r.stderr
    assert errors[0].startswith("Error: a: ") and str(a) in errors[0]
    assert "b (ICS file" in r.stdout and "4 created" in r.stdout
    assert len(uids(b)) == 4
    assert a.read_bytes() == b"this is not an iCalendar file"  # left untouched


def test_an_option_mistake_anywhere_stops_the_push_before_any_write(env):
    a, b = two_files(env, first_extra='component = "VJOURNAL"')
    env.add_acme()
    r = env.run("push", expect=3)
    assert r.stderr.count("\n") == 1
    assert "[providers.a] component" in r.stderr and "VJOURNAL" in r.stderr
    assert not a.exists() and not b.exists()
    # ...even when only the other provider is asked for.
    r = env.run("push", "--provider", "b", expect=3)
    assert "[providers.a] component" in r.stderr and not b.exists()


def test_a_completion_pulled_from_one_target_reaches_every_target_in_one_push(env):
    """Pull from all providers first, then plan: no target is left stale."""
    a, b = two_files(env, second_extra='component = "VTODO"')
    env.add_acme()
    env.run("push")
    cal = icalendar.Calendar.from_ical(b.read_bytes())
    for todo in cal.walk("VTODO"):
        if str(todo["UID"]).endswith("nudge-1"):
            todo["STATUS"] = "COMPLETED"
            todo.add("COMPLETED", icalendar.vDatetime.from_ical("20261127T150000Z"))
    b.write_bytes(cal.to_ical())
    out = env.run("push", today="2026-11-27").stdout
    assert "you completed followup-sync.acme-backend-engineer.r1.nudge-1" in out
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(a.read_bytes()).walk("VEVENT")}
    # Provider a was pushed before b in that run, yet it shows the send already.
    assert str(events["followup-sync.acme-backend-engineer.r1.nudge-1"]["SUMMARY"]).startswith(
        "Sent: "
    )
    again = env.run("push", today="2026-11-27").stdout
    assert again.count("0 created, 0 updated, 0 deleted") == 2, again


def test_push_json_lists_each_failure_once(env):
    a, b = two_files(env)
    env.add_acme()
    a.write_bytes(b"garbage")
    r = env.run("push", "--json", expect=4)
    import json

    data = json.loads(r.stdout)
    assert [p["name"] for p in data["providers"]] == ["b"]
    assert [f["name"] for f in data["failures"]] == ["a"]
