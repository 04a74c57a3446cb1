"""Bad input to `capture`: any file, damaged invitations, any [capture] config.

The promise of the README ("Errors"): never a traceback and never exit 70; either a
result, or one line `Error: ...` with exit 1 (input) or 3 (config); and nothing
is recorded without `--add`.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import capture_corpus as cc

pytestmark = [pytest.mark.slow]

CASES = sorted(p.name for p in cc.ROOT.glob("*.ics"))


def props(n: int = 60):
    return settings(
        max_examples=n,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def clean(r, codes=(0, 1)) -> None:
    assert r.exit_code in codes, (r.exit_code, r.stderr)
    assert "Traceback" not in r.stderr
    if r.exit_code:
        assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1, r.stderr


@props()
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=500).map(lambda b: b"BEGIN:VCALENDAR\r\n" + b),
        st.text(max_size=500).map(lambda t: ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + t).encode()),
    )
)
def test_any_bytes_as_an_invitation(env, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("f") / "invite.ics"
    path.write_bytes(data)
    r = env.run("capture", "--file", str(path), "--json", expect=None)
    clean(r)
    if r.exit_code == 0:
        json.loads(r.stdout)


@props(80)
@given(
    case=st.sampled_from(CASES),
    cuts=st.lists(
        st.tuples(st.integers(0, 200), st.sampled_from(["drop", "dup", "junk"])), max_size=6
    ),
    junk=st.text(max_size=60),
)
def test_damaged_corpus_invitations_are_read_or_refused_cleanly(
    env, tmp_path_factory, case, cuts, junk
):
    lines = (cc.ROOT / case).read_bytes().decode().split("\r\n")
    for index, what in cuts:
        i = index % len(lines)
        if what == "drop":
            del lines[i]
        elif what == "dup":
            lines.insert(i, lines[i])
        else:
            lines.insert(i, junk)
        if not lines:
            break
    path = tmp_path_factory.mktemp("f") / case
    path.write_bytes("\r\n".join(lines).encode("utf-8", "surrogatepass"))
    r = env.run("capture", "--file", str(path), "--add", "all", expect=None)
    clean(r)


@props(80)
@given(
    table=st.sampled_from(["[capture]", "[capture.sources.x]"]),
    key=st.one_of(
        st.sampled_from(
            [
                "aliases",
                "my_domains",
                "past_days",
                "ahead_days",
                "sources",
                "type",
                "url",
                "path",
                "provider",
                "calendar",
                "url_env",
                "url_cmd",
                "timeout",
            ]
        ),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8),
    ),
    value=st.sampled_from(
        [
            '"x"',
            "1",
            "-1",
            "true",
            "[]",
            '["a"]',
            "[1]",
            "{}",
            '"ics_url"',
            '"file"',
            '"caldav"',
            '"ftp://x"',
            "99999999999",
            '""',
            '"@x"',
        ]
    ),
)
def test_any_capture_config(env, table, key, value):
    extra = f'\n[capture.sources.x]\ntype = "file"\npath = "{cc.ROOT / CASES[0]}"\n'
    if table == "[capture]":
        env.write_config(f"[capture]\n{key} = {value}\n" + extra)
    else:
        env.write_config(f"[capture.sources.x]\n{key} = {value}\n")
    r = env.run("capture", expect=None)
    clean(r, (0, 1, 3))
    env.write_config()
    assert env.json("list")["applications"] == []
